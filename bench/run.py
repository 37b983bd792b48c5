"""The build benchmark: `narrative build` against the floor and the usual alternative, at N = 100, 1,000, 10,000.

    .venv/bin/python bench/run.py            # N = 100, 1,000 and 10,000, three runs each; writes bench/RESULTS.md
    .venv/bin/python bench/run.py --quick    # N = 100 and 1,000 only

For each N, one synthetic content (bench/synthetic.py, seed 1) becomes three sites (bench/sites.py): ours, the
floor (the stories' Markdown in a bare Material site with the search plugin) and the alternative (Material's blog
plugin with mkdocs-rss-plugin). The builds alternate (every N and site in one round, the order of the sites
rotating from round to round) so that a machine's drift hits all alike. Each build runs in a fresh process;
`os.wait4` gives its CPU time and the peak RSS of the largest process in its tree. Also measured, alone:
`narrative check` over all files, feeds and digests made from an already loaded site, the Pagefind index on its
own, a rebuild after one story is edited (the cache and the output folder left by the build before it), and how
long `narrative serve` takes to show an edited story (N = 1,000 and 10,000). `--large 50000` adds, after the
rounds, our first build and `narrative check` of larger sites (ours only, once: the floor is not compared there).
Then bench/search_budget.py measures what search costs a reader and the build (N of 1,000 and more). It is never
a timed test: the numbers go to the tables between the markers in bench/RESULTS.md, with the machine's core count
and the versions.
"""

from __future__ import annotations

import argparse
import compileall
import datetime as dt
import importlib.metadata
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import sites  # noqa: E402
import synthetic  # noqa: E402

REPO = BENCH.parent
BIN = Path(sys.executable).parent
RESULTS = BENCH / "RESULTS.md"
START, END = "<!-- results:start -->", "<!-- results:end -->"
"""bench/RESULTS.md keeps what is outside these markers (notes, before and after the fixes) from run to run."""
SIZES, QUICK_SIZES = (100, 1_000, 10_000), (100, 1_000)
SERVED = (1_000, 10_000)
"""The sizes at which `narrative serve` is timed."""
SITES = ("ours", "floor", "alternative")
SEED = 1
ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
VERSIONS = ("narrative", "mkdocs", "mkdocs-material", "mkdocs-rss-plugin", "pagefind", "Markdown", "Jinja2")


@dataclass(frozen=True)
class Run:
    """One measured command: wall and CPU seconds (its whole process tree), peak RSS in MiB, files written."""

    wall: float
    cpu: float
    rss: float
    files: int


def count_files(folder: Path) -> int:
    return sum(len(names) for _, _, names in os.walk(folder)) if folder.exists() else 0


def measure(command: Sequence[str], out: Path | None = None, cwd: Path | None = None,
            cache: Path | None = None, keep: bool = False) -> Run:
    """Run `command` in a fresh process (after removing `out`, unless `keep`, and `cache`) and measure it; stops
    the benchmark if it fails."""
    for folder in (None if keep else out, cache):
        if folder is not None and folder.exists():
            shutil.rmtree(folder)
    with tempfile.TemporaryFile() as log:
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, env=ENV, stdout=log, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            log.seek(0)
            said = log.read().decode("utf-8", "replace")[-4000:]
            raise SystemExit(f"bench: {' '.join(map(str, command))} failed ({process.returncode}):\n{said}")
    return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, count_files(out) if out else 0)


def edited(size: int) -> str:
    """The story edited for `mkdocs serve` and for a rebuild: one from the middle of the archive."""
    return f"story-{size // 2:05d}"


def search_cache(config: Path) -> Path:
    """Where our build keeps what it made between builds (the search index's parts, each file's work, the pages'
    keys): removed before every build the benchmark compares, so that each does everything, as a fresh clone's
    first build does."""
    from narrative.build_cache import FOLDER

    return config.parent / FOLDER


def full_build(site: str, config: Path, out: Path) -> Run:
    return measure(build_command(site, config, out), out, cache=search_cache(config) if site == "ours" else None)


def rebuild(config: Path, out: Path, slug: str) -> Run:
    """Our build after one story was edited, with the cache and the output folder left by the build before it:
    what an editor waits for on a second build. The unmeasured build before it fills the cache."""
    full_build("ours", config, out)
    story = config.parent / "stories/patient" / f"{slug}.md"
    original = story.read_text(encoding="utf-8")
    story.write_text(f"{original.rstrip()}\n\nEdited for the benchmark.\n", encoding="utf-8")
    try:
        return measure(build_command("ours", config, out), out, keep=True)
    finally:
        story.write_text(original, encoding="utf-8")


def build_command(site: str, config: Path, out: Path) -> list[str]:
    if site == "ours":
        return [str(BIN / "narrative"), "-f", str(config), "build", "-d", str(out)]
    return [sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(config), "-d", str(out)]


def check_command(config: Path) -> list[str]:
    return [str(BIN / "narrative"), "-f", str(config), "check"]


def time_outputs(config: Path, out: Path) -> dict[str, float]:
    """In this process: read the site (not timed), then time the feeds and digests (`write_outputs`, bodies not
    yet rendered, as the command would find them), then the search index alone (bodies already rendered, as
    in the build, so it times writing the records and Pagefind)."""
    from narrative import build, render, search_index
    from narrative.config import load_settings

    settings, problems = load_settings(config)
    if settings is None:
        raise SystemExit("\n".join(map(str, problems)))
    site, _ = build.read_site(settings)
    shutil.rmtree(search_cache(config), ignore_errors=True)
    started = time.perf_counter()
    build.write_outputs(site, out)
    outputs = time.perf_counter() - started
    for item in (*site.stories, *site.updates, *site.responses):
        render.body_html(item)
    started = time.perf_counter()
    problems = search_index.start(site, out).finish()
    index = time.perf_counter() - started
    if problems:
        raise SystemExit("\n".join(map(str, problems)))
    return {"outputs": outputs, "index": index}


def measure_outputs(config: Path, out: Path) -> dict[str, float]:
    if out.exists():
        shutil.rmtree(out)
    result = subprocess.run([sys.executable, __file__, "--time-outputs", str(config), str(out)], env=ENV,
                            capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SystemExit(f"bench: timing the outputs of {config} failed:\n{result.stderr[-4000:]}")
    return json.loads(result.stdout.splitlines()[-1])


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fetch(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=120) as answer:
            return answer.read().decode("utf-8")
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return ""


def wait_for(url: str, wanted: str, seconds: float) -> float | None:
    """Seconds until the page at `url` contains `wanted` (polling every 50 ms), or None if it never does."""
    started = time.perf_counter()
    while time.perf_counter() - started < seconds:
        if wanted in fetch(url):
            return time.perf_counter() - started
        time.sleep(0.05)
    return None


def serve_latency(config: Path, slug: str, edits: int) -> list[float]:
    """Start `narrative serve` (the README's preview), then `edits` times change one story's text and time until
    its page shows it."""
    story = config.parent / "stories/patient" / f"{slug}.md"
    original = story.read_text(encoding="utf-8")
    port = free_port()
    url = f"http://127.0.0.1:{port}/stories/{slug}/"
    server = subprocess.Popen([str(BIN / "narrative"), "-f", str(config), "serve", "-a", f"127.0.0.1:{port}"],
                              cwd=config.parent, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    seconds: list[float] = []
    try:
        if wait_for(url, "<html", 900) is None:
            raise SystemExit(f"bench: mkdocs serve did not serve {url}")
        for number in range(edits):
            marker = "Edited-" + "".join(chr(ord("a") + int(digit)) for digit in f"{number}{time.time_ns()}")
            # (in letters: a run of digits in the text would be screened as a phone number)
            time.sleep(1.0)  # apart from the previous rebuild, as an editor's saves are
            story.write_text(f"{original.rstrip()}\n\n{marker}\n", encoding="utf-8")
            took = wait_for(url, marker, 600)
            if took is None:
                raise SystemExit(f"bench: the edit never showed at {url}")
            seconds.append(took)
    finally:
        server.terminate()
        server.wait(timeout=60)
        story.write_text(original, encoding="utf-8")
    return seconds


@dataclass
class Results:
    sizes: tuple[int, ...]
    sites: tuple[str, ...]
    builds: dict[tuple[int, str], list[Run]]
    checks: dict[int, list[Run]]
    outputs: dict[int, list[dict[str, float]]]
    serve: dict[int, list[float]]
    started: dt.datetime
    rebuilds: dict[int, list[Run]] = field(default_factory=dict)
    warm_checks: dict[int, list[Run]] = field(default_factory=dict)
    """`narrative check` with the cache a build left (the checks above are without it, as on a fresh clone)."""
    large: dict[int, tuple[Run, Run]] = field(default_factory=dict)
    """For each larger N: our first build and `narrative check`, once each."""
    finished: dt.datetime | None = None
    load: tuple[str, str] = ("", "")


def load_average() -> str:
    return " ".join(f"{value:.1f}" for value in os.getloadavg())


def byte_compile() -> None:
    """narrative's modules compiled, as pip compiles an installed package's (Material's and MkDocs' are): an editable
    install leaves them as sources, and where PYTHONDONTWRITEBYTECODE is set every build would compile them again
    before it starts (a quarter of a second at each of our builds, and none at the floor's)."""
    compileall.compile_dir(REPO / "src" / "narrative", quiet=1)


def run(sizes: Sequence[int], repeats: int, work: Path, serve_edits: int, log: Callable[[str], None],
        chosen: Sequence[str] = SITES, large: Sequence[int] = ()) -> Results:
    results = Results(tuple(sizes), tuple(chosen), {}, {}, {}, {}, dt.datetime.now(dt.timezone.utc))
    results.load = (load_average(), "")
    byte_compile()
    configs: dict[tuple[int, str], Path] = {}
    for size in sizes:
        content = synthetic.generate(size, SEED, synthetic.FULL)
        for site in results.sites:
            configs[size, site] = sites.WRITERS[site](work / f"{size}" / site, content)
        log(f"wrote the sites of {size:,} stories ({len(content.updates):,} updates, "
            f"{len(content.responses):,} responses)")
    for size in sizes[:1]:  # one unmeasured round, so every tool starts with its files in the disk cache
        for site in results.sites:
            full_build(site, configs[size, site], work / "out")
    for round_ in range(repeats):
        for size in sizes:
            order = results.sites[round_ % len(results.sites):] + results.sites[:round_ % len(results.sites)]
            for site in order:
                got = full_build(site, configs[size, site], work / "out")
                results.builds.setdefault((size, site), []).append(got)
                log(f"round {round_ + 1}: {size:,} stories, {site}: {got.wall:.2f} s wall, {got.cpu:.2f} s CPU, "
                    f"{got.rss:.0f} MiB, {got.files:,} files")
            if "ours" in results.sites:
                got = rebuild(configs[size, "ours"], work / "out", edited(size))
                results.rebuilds.setdefault(size, []).append(got)
                log(f"round {round_ + 1}: {size:,} stories, rebuild after an edit: {got.wall:.2f} s wall")
            warm = measure(check_command(configs[size, "ours"]))  # the build's cache there, as after a build
            results.warm_checks.setdefault(size, []).append(warm)
            got = measure(check_command(configs[size, "ours"]), cache=configs[size, "ours"].parent / ".cache")
            results.checks.setdefault(size, []).append(got)
            timed = measure_outputs(configs[size, "ours"], work / "outputs")
            results.outputs.setdefault(size, []).append(timed)
            log(f"round {round_ + 1}: {size:,} stories, check {got.wall:.2f} s ({warm.wall:.2f} s after a build); "
                f"feeds and digests "
                f"{timed['outputs']:.2f} s; search index {timed['index']:.2f} s")
    for size in SERVED if serve_edits else ():
        if size in sizes:
            results.serve[size] = serve_latency(configs[size, "ours"], edited(size), serve_edits)
            log(f"narrative serve, {size:,} stories: an edit showed after "
                f"{', '.join(f'{s:.2f}' for s in results.serve[size])} s")
    for size in large:
        config = sites.ours(work / f"{size}" / "ours", synthetic.generate(size, SEED, synthetic.FULL))
        results.large[size] = (full_build("ours", config, work / "out"),
                               measure(check_command(config), cache=config.parent / ".cache"))
        shutil.rmtree(config.parent)
        log(f"{size:,} stories: first build {results.large[size][0].wall:.1f} s, "
            f"{results.large[size][0].rss:.0f} MiB; check {results.large[size][1].wall:.1f} s")
    results.finished = dt.datetime.now(dt.timezone.utc)
    results.load = (results.load[0], load_average())
    return results


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def seconds(value: float) -> str:
    return f"{value:.2f} s" if value < 10 else f"{value:.1f} s"


def spread(values: Sequence[float]) -> str:
    return f"{min(values):.2f}–{max(values):.2f}" if max(values) < 10 else f"{min(values):.1f}–{max(values):.1f}"


def version(package: str) -> str:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def wall(results: Results, size: int, site: str) -> float:
    return median([run.wall for run in results.builds[size, site]])


@dataclass(frozen=True)
class Target:
    what: str
    measured: str
    met: bool | None


def targets(results: Results) -> list[Target]:
    found: list[Target] = []
    for size in (1_000, 10_000):
        if (size, "ours") in results.builds:
            ratio = wall(results, size, "ours") / wall(results, size, "floor")
            found.append(Target(f"a fresh clone's first build at N = {size:,}: at most 1.2 × the floor",
                                f"{ratio:.3f} ×", ratio <= 1.2))
    if 10_000 in results.rebuilds:
        ratio = median([run.wall for run in results.rebuilds[10_000]]) / wall(results, 10_000, "floor")
        found.append(Target("a rebuild after one edit at N = 10,000: at most 0.25 × the floor's full build",
                            f"{ratio:.2f} ×", ratio <= 0.25))
    for size, within in ((1_000, 1.0), (10_000, 2.0)):
        if size in results.serve:
            took = median(results.serve[size])
            found.append(Target(f"`narrative serve`, {size:,} stories: an edit shows within {within:g} s",
                                seconds(took), took <= within))
    if 10_000 in results.checks:
        took = median([run.wall for run in results.checks[10_000]])
        found.append(Target("`narrative check` of 10,000 stories (no cache): under 10 s", seconds(took), took < 10))
        took = median([timed["outputs"] for timed in results.outputs[10_000]])
        found.append(Target("feeds and digests for 10,000 stories: under 5 s", seconds(took), took < 5))
        peak = max(run.rss for run in results.builds[10_000, "ours"])
        found.append(Target("peak memory at N = 10,000: under 1 GiB", f"{peak:.0f} MiB", peak < 1024))
        ratio = wall(results, 10_000, "ours") / wall(results, 1_000, "ours")
        found.append(Target("the 10,000 build at most 11 × the 1,000 build", f"{ratio:.1f} ×", ratio <= 11))
    if 50_000 in results.large and 10_000 in results.checks:
        built, checked = results.large[50_000]
        found.append(Target("N = 50,000, first build: peak memory under 1 GiB", f"{built.rss:.0f} MiB",
                            built.rss < 1024))
        ratio = built.wall / wall(results, 10_000, "ours")
        found.append(Target("N = 50,000, first build: at most 5.5 × the 10,000 build", f"{ratio:.1f} ×", ratio <= 5.5))
        ratio = checked.wall / median([run.wall for run in results.checks[10_000]])
        found.append(Target("N = 50,000, `narrative check`: at most 5.5 × its 10,000 time", f"{ratio:.1f} ×",
                            ratio <= 5.5))
    return found


def growth(results: Results) -> list[str]:
    """Our first build by N, each against the one before, and what 250,000 stories would take on the slope
    between the two largest measured."""
    walls = {size: wall(results, size, "ours") for size in results.sizes}
    walls.update((size, built.wall) for size, (built, _) in results.large.items())
    lines = ["", "### Growth of our first build", "", "| stories | wall time | ÷ the build before |",
             "| ---: | ---: | ---: |"]
    ordered = sorted(walls)
    for previous, size in zip((None, *ordered), ordered):
        lines.append(f"| {size:,} | {seconds(walls[size])} | "
                     f"{f'{walls[size] / walls[previous]:.1f} ×' if previous else ''} |")
    if len(ordered) >= 2 and ordered[-1] < 250_000:
        small, large = ordered[-2:]
        slope = (walls[large] - walls[small]) / (large - small)
        lines += ["", f"Projected from the slope between {small:,} and {large:,} stories ({slope * 1000:.2f} s for "
                      f"every 1,000 more): 250,000 stories would take about "
                      f"{(walls[large] + slope * (250_000 - large)) / 60:.0f} minutes to build from nothing."]
    return lines


def paired(results: Results, names: dict[str, str]) -> list[str]:
    """Ours ÷ each other site in every round, the two built one after the other: the machine's speed drifts from
    one round to the next, and a ratio of builds made side by side moves less with it than the ratio of medians
    the table gives (which the targets read)."""
    lines = []
    others = [site for site in results.sites if site != "ours"] if "ours" in results.sites else []
    for site in others:
        each = []
        for size in results.sizes:
            ratios = [ours.wall / other.wall for ours, other in zip(results.builds[size, "ours"],
                                                                    results.builds[size, site])]
            each.append(f"{', '.join(f'{ratio:.2f} ×' for ratio in ratios)} at {size:,} stories")
        lines += ["", f"Ours ÷ the {names[site].split(':')[0]} in each round, the two built one after the other: "
                      f"{'; '.join(each)}."]
    return lines


def table(results: Results, repeats: int) -> str:
    cores = os.cpu_count()
    lines = [
        f"Measured {results.started:%-d %B %Y, %H:%M}–{results.finished:%H:%M} UTC on {cores} cores "
        f"({platform.machine()}, {platform.system()} {platform.release()}), Python {platform.python_version()}; "
        f"load average {results.load[0]} at the start, {results.load[1]} at the end (1, 5, 15 minutes). "
        + ", ".join(f"{package} {version(package)}" for package in VERSIONS) + ".",
        "",
        f"### Full builds (median of {repeats}; wall range in brackets)",
        "",
        "| stories | site | wall time | CPU time | peak RSS | files written | ours ÷ this (wall) |",
        "| ---: | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    names = {"ours": "**narrative build**", "floor": "floor: Material + search",
             "alternative": "alternative: blog + RSS plugins"}
    for size in results.sizes:
        ours = wall(results, size, "ours")
        for site in results.sites:
            runs = results.builds[size, site]
            took = wall(results, size, site)
            lines.append(f"| {size:,} | {names[site]} | {seconds(took)} ({spread([r.wall for r in runs])}) | "
                         f"{seconds(median([r.cpu for r in runs]))} | {max(r.rss for r in runs):.0f} MiB | "
                         f"{runs[0].files:,} | {'' if site == 'ours' else f'{ours / took:.2f} ×'} |")
    lines += paired(results, names)
    if results.rebuilds:
        lines += ["", f"### A rebuild after one story was edited, the cache and the output folder warm (median of "
                      f"{repeats})", "", "| stories | wall time | CPU time | ÷ our full build | ÷ the floor's full build |",
                  "| ---: | ---: | ---: | ---: | ---: |"]
        for size, runs in results.rebuilds.items():
            took = median([r.wall for r in runs])
            lines.append(f"| {size:,} | {seconds(took)} ({spread([r.wall for r in runs])}) | "
                         f"{seconds(median([r.cpu for r in runs]))} | {took / wall(results, size, 'ours'):.2f} × | "
                         f"{took / wall(results, size, 'floor'):.2f} × |")
    lines += growth(results)
    lines += ["", f"### Alone (median of {repeats})", "",
              "| stories | `narrative check` (all files, no cache) | after a build (its cache there) | its peak RSS "
              "| feeds and digests from a loaded site | search index alone (Pagefind) |",
              "| ---: | ---: | ---: | ---: | ---: | ---: |"]
    for size in results.sizes:
        checks, timed, warm = results.checks[size], results.outputs[size], results.warm_checks[size]
        lines.append(f"| {size:,} | {seconds(median([r.wall for r in checks]))} | "
                     f"{seconds(median([r.wall for r in warm]))} | "
                     f"{max(r.rss for r in checks):.0f} MiB | {seconds(median([t['outputs'] for t in timed]))} | "
                     f"{seconds(median([t['index'] for t in timed]))} |")
    for size, (built, checked) in results.large.items():
        lines.append(f"| {size:,} (once) | {seconds(checked.wall)} | | {checked.rss:.0f} MiB | | |")
    if results.large:
        lines += ["", "### Larger sites, ours only (once each)", "",
                  "| stories | first build | CPU time | peak RSS | files written |", "| ---: | ---: | ---: | ---: | ---: |"]
        lines += [f"| {size:,} | {seconds(built.wall)} | {seconds(built.cpu)} | {built.rss:.0f} MiB | {built.files:,} |"
                  for size, (built, _) in results.large.items()]
    for size, took in results.serve.items():
        lines += ["", f"### `narrative serve`, {size:,} stories", "",
                  f"An edited story showed on its page {', '.join(seconds(s) for s in took)} after saving "
                  f"(median {seconds(median(took))})."]
    lines += ["", "### Targets", "", "| target | measured | met |", "| --- | ---: | --- |"]
    lines += [f"| {target.what} | {target.measured} | {'yes' if target.met else '**no**'} |"
              for target in targets(results)]
    return "\n".join(lines)


def write_results(path: Path, text: str, start: str = START, end: str = END) -> None:
    """Put `text` between the markers `start` and `end` of `path` (added at its end if missing), keeping the
    rest of the file."""
    block = f"{start}\n{text}\n{end}"
    old = path.read_text(encoding="utf-8") if path.exists() else "# Build benchmark\n"
    if start not in old:
        old = f"{old.rstrip()}\n\n{start}\n{end}\n"
    before, _, rest = old.partition(start)
    _, _, after = rest.partition(end)
    path.write_text(f"{before}{block}{after}", encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="N = 100 and 1,000 only")
    parser.add_argument("--sizes", type=lambda text: tuple(int(n) for n in text.split(",")),
                        help="comma-separated numbers of stories instead (e.g. 100,1000)")
    parser.add_argument("--repeats", type=int, default=3, help="runs of each build (default: %(default)s)")
    parser.add_argument("--sites", type=lambda text: tuple(text.split(",")), default=SITES,
                        help=f"comma-separated builds to compare, 'ours' first (default: {','.join(SITES)})")
    parser.add_argument("--serve-edits", type=int, default=3,
                        help="edits timed under narrative serve at N = 1,000 and 10,000; 0 to skip "
                             "(default: %(default)s)")
    parser.add_argument("--large", type=lambda text: tuple(int(n) for n in text.split(",")), default=(),
                        help="comma-separated larger numbers of stories: our first build and check, once each")
    parser.add_argument("--no-search", dest="search", action="store_false",
                        help="leave out bench/search_budget.py (run after the builds for each N of 1,000 or more)")
    parser.add_argument("--out", type=Path, default=RESULTS, help="the results file (default: bench/RESULTS.md)")
    parser.add_argument("--work", type=Path, help="where to write the sites (default: a scratch folder, removed)")
    parser.add_argument("--time-outputs", nargs=2, type=Path, metavar=("CONFIG", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.time_outputs:
        print(json.dumps(time_outputs(*args.time_outputs)))
        return 0
    if not {"ours", "floor"} <= set(args.sites) <= set(SITES):
        parser.error(f"--sites: 'ours' and 'floor', and 'alternative' if wanted, not {','.join(args.sites)}")
    sizes = args.sizes or (QUICK_SIZES if args.quick else SIZES)
    work = args.work or Path(tempfile.mkdtemp(prefix="narrative-bench-"))
    try:
        results = run(sizes, args.repeats, work, args.serve_edits, lambda line: print(line, flush=True), args.sites,
                      args.large)
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    text = table(results, args.repeats)
    write_results(args.out, text)
    print(f"\n{text}\n\nWrote {args.out}.", flush=True)
    searched = [f"--stories={size}" for size in sizes if size >= 1_000]
    if args.search and searched:
        command = [sys.executable, str(BENCH / "search_budget.py"), *searched, f"--repeat={args.repeats}",
                   f"--out={args.out}"]
        return subprocess.run(command, env=ENV, check=False).returncode
    return 0


if __name__ == "__main__":
    sys.exit(main())
