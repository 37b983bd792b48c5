"""Load on the intake service: N submissions from C concurrent clients against `narrative intake` on 127.0.0.1.

Reports what a writer waits for and what the server holds: accepted submissions a second, the median and 95th
percentile time from sending the form to having the thank-you page, the service's peak memory (VmHWM), and how
long the worker takes to deliver them all; then checks that every accepted submission is on its own branch
exactly once (one branch per reference, one commit each, nothing else). The site is the sample's settings in a
temporary git repository whose `origin` is a bare repository beside it, so every delivery is pushed, as by
default. One story in ten carries a photo (re-encoded by the service), every one a phone number and an email
address (redacted). The clients run in this process, on the same cores as the service.

    .venv/bin/python bench/intake_load.py [--submissions 1000] [--clients 20] [--no-push]
"""

from __future__ import annotations

import argparse
import concurrent.futures
import io
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import yaml
from PIL import Image

from narrative.intake.keys import new_key

REPO = Path(__file__).resolve().parents[1]
REFERENCE = re.compile(r'id="nv-reference">(BN-[0-9A-Z]{4}-[0-9A-Z]{4})<')
STORY = ("When my dad went into hospital in the spring, nobody told us which ward he was on. We rang the main "
         "number four times. In the end a porter walked us up. The nurses on the ward were kind and patient, and "
         "the doctor sat down with us and explained everything in plain words. ") * 4


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True).stdout


def make_site(folder: Path) -> Path:
    """The sample's settings, empty content folders, committed, with a bare `origin`; no rate limit to speak of."""
    root = folder / "site"
    (root / "stories").mkdir(parents=True)
    for kind in ("patient", "pledge", "responses"):
        (root / "stories" / kind / ".gitkeep").parent.mkdir()
        (root / "stories" / kind / ".gitkeep").touch()
    config = yaml.safe_load((REPO / "mkdocs.yml").read_text(encoding="utf-8").replace("!ENV", ""))
    config.pop("hooks", None)
    config["extra"]["narrative"]["intake"] = {"url": "https://share.hollowmere.example/", "rate_limit": 1_000_000}
    (root / "mkdocs.yml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    (root / ".gitignore").write_text(".narrative-intake/\n", encoding="utf-8")
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(folder / "remote.git")], check=True)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "-c", "user.name=Bench", "-c", "user.email=bench@example.org", "commit", "-q", "-m", "Site")
    git(root, "remote", "add", "origin", str(folder / "remote.git"))
    git(root, "push", "-q", "origin", "main")
    return root


def photo() -> bytes:
    image = Image.new("RGB", (1600, 1200), (90, 140, 200))
    data = io.BytesIO()
    image.save(data, "JPEG", quality=85)
    return data.getvalue()


def share(client: httpx.Client, url: str, number: int, picture: bytes) -> tuple[float, str | None]:
    """One writer: the form sent, the seconds until the whole thank-you page came, and its reference."""
    form = {"title": f"Finding dad's ward, story {number}", "summary": "Nobody told us where he was.",
            "story": f"{STORY}\n\nRing me on 07700 900 {number % 1000:03d} or write to me at dad{number}@example.org.",
            "topics": "urgent-care", "naming": "anonymous", "consent": "yes", "consent_version": "2026-12"}
    files = {"photo-1": ("ward.jpg", picture, "image/jpeg")} if number % 10 == 0 else None
    if files:
        form["photo-1-alt"] = "A blue wall by the ward's door"
    started = time.perf_counter()
    response = client.post(f"{url}/share", data=form, files=files,
                           headers={"Origin": "https://stories.hollowmere.example"}, timeout=120)
    elapsed = time.perf_counter() - started
    found = REFERENCE.search(response.text) if response.status_code == 200 else None
    return elapsed, found[1] if found else None


def peak_memory(pid: int) -> int:
    """The process's peak resident memory in bytes (VmHWM)."""
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmHWM:\s+(\d+) kB", status)[1]) * 1024  # type: ignore[index]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--no-push", action="store_true", help="deliver to local branches only")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="intake-load-"))
    try:
        return run(folder, args.submissions, args.clients, not args.no_push)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def run(folder: Path, submissions: int, clients: int, push: bool) -> int:
    root = make_site(folder)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "PYTHONPATH": str(REPO / "src"), "NARRATIVE_INTAKE_KEY": new_key(),
           "NARRATIVE_INTAKE_PREFIX": "BN", "NARRATIVE_INTAKE_GIT_REMOTE": "origin" if push else "",
           "NO_MKDOCS_2_WARNING": "1"}
    log = (folder / "service.log").open("wb")
    service = subprocess.Popen([sys.executable, "-m", "narrative.cli", "intake", "--port", str(port)], cwd=root,
                               env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        for _ in range(300):
            try:
                httpx.get(f"{url}/healthz", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        picture = photo()
        started = time.perf_counter()
        with httpx.Client(limits=httpx.Limits(max_connections=clients)) as client, \
                concurrent.futures.ThreadPoolExecutor(clients) as pool:
            results = list(pool.map(lambda n: share(client, url, n, picture), range(submissions)))
        sending = time.perf_counter() - started
        while (health := httpx.get(f"{url}/healthz", timeout=10).json())["delivered"] < submissions:
            if service.poll() is not None:
                raise SystemExit(f"the service stopped:\n{(folder / 'service.log').read_text()}")
            time.sleep(0.2)
        delivering = time.perf_counter() - started
        memory = peak_memory(service.pid)
    finally:
        service.send_signal(signal.SIGTERM)
        service.wait(30)
        log.close()
    times = sorted(elapsed for elapsed, _ in results)
    references = [reference for _, reference in results if reference]
    branches = git(root, "for-each-ref", "--format=%(refname:short)", "refs/heads/submissions/").split()
    commits = int(git(root, "rev-list", "--count", "--all", "--not", "main"))
    remote = len(git(folder / "remote.git", "for-each-ref", "refs/heads/submissions/").splitlines())
    exactly_once = (sorted(branches) == sorted(f"submissions/{ref}" for ref in references)
                    and len(set(references)) == submissions == commits and (remote == submissions or not push))
    p95 = times[max(0, int(len(times) * 0.95) - 1)]
    print(f"Measured {time.strftime('%d %B %Y, %H:%M UTC', time.gmtime())} on {os.cpu_count()} cores "
          f"({platform.machine()}), Python {platform.python_version()}; load average "
          f"{' '.join(f'{load:.1f}' for load in os.getloadavg())} at the end.\n")
    print("| submissions | clients | accepted | accepted a second | median to the thank-you page | "
          "95th percentile | service's peak memory | all delivered after | delivered exactly once |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    print(f"| {submissions:,} | {clients} | {len(references):,} | {len(references) / sending:.1f} | "
          f"{statistics.median(times) * 1000:.0f} ms | {p95 * 1000:.0f} ms | {memory / 2**20:.0f} MiB | "
          f"{delivering:.1f} s{' (pushed to origin)' if push else ''} | "
          f"{'yes' if exactly_once else 'NO'}: {len(branches):,} branches, {commits:,} commits |")
    print(f"\nhealth at the end: {health}")
    return 0 if exactly_once and len(references) == submissions else 1


if __name__ == "__main__":
    sys.exit(main())
