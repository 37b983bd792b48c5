"""Load on `narrative send`: a daily digest to N confirmed subscribers, through a local SMTP sink.

The site is the sample's settings with a day of 12 stories and a pledge update on each principle (every
scope has something that day, so every subscriber gets one email). The subscribers (N, 100,000 by default)
are spread over every scope (everything, stories, pledge updates, each topic, each principle), all daily,
confirmed, their addresses encrypted as the service keeps them. The sink is aiosmtpd in a process of its
own that counts what it accepts and notes when the last message came. `narrative send --period daily` runs
as a user runs it; the report is messages a second, the time from its start to the last message the sink
took, and its peak memory (the process's maximum RSS).

    .venv/bin/python bench/send_load.py [--subscribers 100000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from narrative.intake.keys import Keys, new_key
from narrative.intake.subscribers import SUBSCRIBERS, SUBSCRIPTIONS, Subscribers

REPO = Path(__file__).resolve().parents[1]
DAY = dt.date(2026, 3, 14)


def write_site(root: Path) -> Path:
    """The sample's settings, and one day of content spread over the topics and principles."""
    config = yaml.safe_load((REPO / "mkdocs.yml").read_text(encoding="utf-8").replace("!ENV", ""))
    narrative = config["extra"]["narrative"]
    topics = [topic["slug"] for topic in narrative["topics"]]
    principles = [principle["slug"] for principle in narrative["principles"]]
    small = {key: config[key] for key in ("site_name", "site_url")}
    small["extra"] = {"narrative": {key: narrative[key] for key in ("organisation", "topics", "principles",
                                                                    "digest", "timezone") if key in narrative}}
    root.mkdir(parents=True)
    (root / "mkdocs.yml").write_text(yaml.safe_dump(small, sort_keys=False), encoding="utf-8")
    for folder in ("patient", "pledge", "responses"):
        (root / "stories" / folder).mkdir(parents=True)
    for number in range(12):
        front = {"title": f"Sample story {number + 1} about waiting",
                 "date": f"{DAY}T{8 + number // 2:02d}:{number % 2 * 30:02d}",
                 "summary": "A sample story: the wait, the people who helped and what would have made it easier.",
                 "topics": [topics[number % len(topics)]], "consent": True}
        (root / "stories" / "patient" / f"sample-{number + 1}.md").write_text(
            f"---\n{yaml.safe_dump(front, sort_keys=False)}---\nIt went well in the end.\n", encoding="utf-8")
    for number, principle in enumerate(principles):
        front = {"title": f"Sample pledge update {number + 1}", "date": f"{DAY}T{15 + number % 8}:{number // 8:02d}",
                 "summary": "What we changed after listening.", "principle": principle,
                 "status": "done", "topics": [topics[number % len(topics)]]}
        (root / "stories" / "pledge" / f"update-{number + 1}.md").write_text(
            f"---\n{yaml.safe_dump(front, sort_keys=False)}---\nWhat we did.\n", encoding="utf-8")
    return root / "mkdocs.yml"


def scopes(config_file: Path) -> list[str]:
    narrative = yaml.safe_load(config_file.read_text(encoding="utf-8"))["extra"]["narrative"]
    return ["all", "stories", "pledge", *(f"topic:{t['slug']}" for t in narrative["topics"]),
            *(f"principle:{p['slug']}" for p in narrative["principles"])]


def add_subscribers(state: Path, keys: Keys, count: int, spread: list[str]) -> None:
    """N confirmed daily subscriptions, one address each, written in one transaction (as a migration would)."""
    store = Subscribers.open(state, keys, {})
    now = int(time.time())
    with store.engine.begin() as connection:
        for start in range(0, count, 10_000):
            numbers = range(start + 1, min(count, start + 10_000) + 1)
            connection.execute(SUBSCRIBERS.insert(), [
                {"id": n, "address_hash": keys.lookup_hash(f"reader{n}@example.org"),
                 "address": keys.encrypt(f"reader{n}@example.org".encode()), "bounces": 0, "created": now}
                for n in numbers])
            connection.execute(SUBSCRIPTIONS.insert(), [
                {"id": n, "subscriber": n, "scope": spread[n % len(spread)], "frequency": "daily",
                 "confirmed": now, "created": now} for n in numbers])
    store.close()


SINK = """
import asyncio, sys, time
from aiosmtpd.controller import Controller

class Counter:
    count, last = 0, 0.0
    async def handle_DATA(self, server, session, envelope):
        Counter.count += 1
        Counter.last = time.time()
        return "250 OK"

controller = Controller(Counter(), hostname="127.0.0.1", port=int(sys.argv[1]))
controller.start()
print("ready", flush=True)
sys.stdin.read()
controller.stop()
print(Counter.count, Counter.last, flush=True)
"""


def free_port() -> int:
    import socket
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=100_000)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="narrative-send-"))
    try:
        config_file = write_site(folder / "site")
        key = new_key()
        started = time.perf_counter()
        add_subscribers(folder / "state", Keys.from_text(key), args.subscribers, scopes(config_file))
        print(f"{args.subscribers:,} subscribers written in {time.perf_counter() - started:.1f} s", flush=True)
        port = free_port()
        sink = subprocess.Popen([sys.executable, "-c", SINK, str(port)], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, text=True)
        assert sink.stdout is not None and sink.stdout.readline().strip() == "ready"
        environ = {**os.environ, "NARRATIVE_INTAKE_KEY": key, "NARRATIVE_INTAKE_STATE": str(folder / "state"),
                   "NARRATIVE_INTAKE_PUBLIC_URL": "https://intake.example.org/", "NARRATIVE_SMTP_HOST": "127.0.0.1",
                   "NARRATIVE_SMTP_PORT": str(port), "NARRATIVE_SMTP_TLS": "none"}
        load = os.getloadavg()
        began = time.time()
        sender = subprocess.Popen([sys.executable, "-m", "narrative.cli", "-f", str(config_file), "send",
                                   "--period", "daily", "--date", DAY.isoformat()], env=environ,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        _, status, usage = os.wait4(sender.pid, 0)
        ended = time.time()
        out, err = sender.stdout.read(), sender.stderr.read()  # type: ignore[union-attr]
        count, last = sink.communicate("")[0].split()
        if status != 0:
            print(out, err, file=sys.stderr)
            return 1
        wall = ended - began
        print(out.strip())
        print(f"Measured {dt.datetime.fromtimestamp(began, dt.UTC):%d %B %Y, %H:%M}–{dt.datetime.now(dt.UTC):%H:%M} "
              f"UTC on {os.cpu_count()} cores "
              f"({platform.machine()}), Python {platform.python_version()}; load average "
              f"{' '.join(f'{x:.1f}' for x in load)} at the start.")
        print("| subscribers | messages the sink took | messages a second | time to the last message | "
              "sender's wall time | sender's CPU time | sender's peak RSS |")
        print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
        print(f"| {args.subscribers:,} | {int(count):,} | {int(count) / (float(last) - began):,.0f} | "
              f"{float(last) - began:.1f} s | {wall:.1f} s | {usage.ru_utime + usage.ru_stime:.1f} s | "
              f"{usage.ru_maxrss / 1024:.0f} MiB |")
        return 0
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
