"""What search costs a reader and the build, on synthetic sites of N stories.

For each N it builds a synthetic site (bench/synthetic.py) and measures:

- the bytes a browser transfers from opening a story page to the first results of a one-word query, in headless
  Chromium, counting every response (Chrome's own count of bytes on the wire, headers included). The site is
  served as GitHub Pages serves it, text gzipped (Pagefind's index files are compressed already), and again
  without compression. A large site's index is in parts and the first results come from the newest part; what
  the reader then downloads to search the earlier parts too ("Search earlier stories too") is counted apart;
- the size of Material's whole search index (`search/search_index.json`) for the same stories, built by a
  plain Material site with its search plugin on: what a reader downloads before Material answers anything;
- the build time with the index step and without it (Pagefind swapped for a program that indexes nothing), so
  the index step's share of the build.

    python bench/search_budget.py --stories 1000 --stories 10000    # writes its part of bench/RESULTS.md
    python bench/search_budget.py --site site/ --story stories/waiting-room-music/ --query radio

The budget (the search issue): under 300 KB transferred at N = 10,000; the index step adds at most 10 %.
"""

from __future__ import annotations

import argparse
import functools
import gzip
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import yaml
from playwright.sync_api import Request, sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run as benchmark  # noqa: E402 - the build benchmark beside this file, for its results file
import synthetic  # noqa: E402 - the generator beside this file

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
BUDGET = 300 * 1024
START, END = "<!-- search:start -->", "<!-- search:end -->"
"""This script's part of bench/RESULTS.md."""
GZIPPED = {".html", ".css", ".js", ".json", ".svg", ".xml", ".txt", ".mjs"}
"""What GitHub Pages compresses; Pagefind's own files (.pf_*, .pagefind) are gzip inside already."""


class Handler(SimpleHTTPRequestHandler):
    """A static host: files as they are, text gzipped when the browser accepts it and `compress` is on."""

    compress = True

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the standard library's name
        """Quiet."""

    def do_GET(self) -> None:  # noqa: N802 - the standard library's name
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            if not self.path.split("?")[0].endswith("/"):
                self.send_response(HTTPStatus.MOVED_PERMANENTLY)
                self.send_header("Location", self.path.split("?")[0] + "/")
                self.end_headers()
                return
            path = path / "index.html"
        if not path.is_file():
            self.send_error(HTTPStatus.NOT_FOUND)
            return
        data = path.read_bytes()
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", self.guess_type(str(path)))
        if self.compress and path.suffix in GZIPPED and "gzip" in self.headers.get("Accept-Encoding", ""):
            data = gzip.compress(data, compresslevel=6)
            self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@contextmanager
def serving(site: Path, compress: bool) -> Iterator[str]:
    handler = type("SiteHandler", (Handler,), {"compress": compress})
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


class NoResults(SystemExit):
    """A query the site has no results for: its cost is not what the budget is about."""


@dataclass
class Transfer:
    """Bytes on the wire from opening a story page to the first results, by what they were for."""

    page: int = 0
    search_code: int = 0
    index: int = 0
    results: int = 0
    requests: int = 0
    earlier: int | None = None
    """Bytes more for the same query over every part of the index, asked for after the first results; None
    when the index is in one part."""
    by_url: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return self.page + self.search_code + self.index + self.results

    @property
    def search(self) -> int:
        """What searching added to the page: its code, the index chunks and the results' fragments."""
        return self.search_code + self.index + self.results


def on_the_wire(request: Request) -> int:
    """The bytes of a request's response as they came over the wire, headers and body."""
    sizes = request.sizes()
    return sizes["responseHeadersSize"] + sizes["responseBodySize"]


def transferred(site: Path, story: str, query: str, compress: bool) -> Transfer:
    """Open `story`, search for `query`, and count every response's bytes (headers and body as they came over
    the wire, the search worker's fetches too) until the first results show; then, if the search box offers
    earlier stories, ask for them and count what that adds."""
    measured = Transfer()
    with serving(site, compress) as root, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 375, "height": 740})
        page = context.new_page()
        before: list[Request] = []
        after: list[Request] = []
        context.on("requestfinished", lambda request: after.append(request))
        page.goto(root + story, wait_until="load")
        page.wait_for_load_state("networkidle")
        before, after = after, before
        page.click("[data-nv-search-open]")
        page.fill("#nv-search-query", query)
        page.wait_for_function("document.querySelector('#nv-search-status').textContent.includes(' for \u201c')",
                               timeout=120_000)
        page.wait_for_load_state("networkidle")
        shown = page.locator(".nv-search__result").count()
        first = list(after)
        if page.locator("[data-nv-search-earlier]").is_visible():
            said = page.locator("#nv-search-status").text_content()
            page.click("[data-nv-search-earlier]")
            page.wait_for_function("(said) => { const now = document.querySelector('#nv-search-status').textContent;"
                                   " return now !== said && now.includes(' for \u201c'); }", arg=said, timeout=120_000)
            page.wait_for_load_state("networkidle")
            measured.earlier = sum(map(on_the_wire, after[len(first):]))
        for opening, requests in ((True, before), (False, first)):
            for request in requests:
                size = on_the_wire(request)
                url = request.url
                measured.requests += 1
                measured.by_url[url.removeprefix(root)] = size
                if opening:
                    measured.page += size
                elif re.search(r"/pagefind/\d+/(index|filter)/", url) or url.endswith(".pf_meta"):
                    measured.index += size
                elif re.search(r"/pagefind/\d+/fragment/", url):
                    measured.results += size
                else:
                    measured.search_code += size
        browser.close()
    if not shown:
        raise NoResults(f"no results for {query!r}: pick a word the stories use")
    return measured


def run(command: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """Wall-clock and CPU seconds (the command and everything it started) of one run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(command, check=True, env={**os.environ, "NO_MKDOCS_2_WARNING": "1", **(env or {})},
                   stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def build(config: Path, site: Path, env: dict[str, str] | None = None) -> tuple[float, float]:
    """A full build, the search index's cache removed first so that every part is indexed."""
    shutil.rmtree(benchmark.search_cache(config), ignore_errors=True)
    return run([sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(config), "-d", str(site)], env)


def material_index(source: Path, work: Path) -> tuple[int, int]:
    """Material's search index for the stories in `source` (a synthetic site): bytes, and bytes gzipped."""
    if work.exists():
        shutil.rmtree(work)
    (work / "docs" / "stories").mkdir(parents=True)
    (work / "docs" / "index.md").write_text("# Stories\n", encoding="utf-8")
    for path in sorted((source / "stories" / "patient").glob("*.md")):
        _, header, body = path.read_text(encoding="utf-8").split("---\n", 2)
        fields = yaml.safe_load(header)
        (work / "docs" / "stories" / path.name).write_text(f"# {fields['title']}\n\n{fields['summary']}\n\n{body}",
                                                           encoding="utf-8")
    (work / "mkdocs.yml").write_text(yaml.safe_dump({
        "site_name": "Material's search, for comparison", "theme": {"name": "material", "font": False},
        "plugins": ["search"], "nav": [{"Stories": "index.md"}]}), encoding="utf-8")
    run([sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(work / "mkdocs.yml"), "-d", str(work / "site")])
    index = (work / "site" / "search" / "search_index.json").read_bytes()
    return len(index), len(gzip.compress(index, compresslevel=6))


def folder_size(folder: Path) -> tuple[int, int]:
    files = [path for path in folder.rglob("*") if path.is_file()]
    return sum(path.stat().st_size for path in files), len(files)


@dataclass
class Report:
    stories: int
    query: str
    gzipped: Transfer
    plain: Transfer
    material_index: int
    material_index_gzipped: int
    pagefind_bytes: int
    pagefind_files: int
    build_wall: float
    build_cpu: float
    build_wall_without_index: float
    build_cpu_without_index: float
    parts: int
    cores: int
    spread: dict[str, int] = field(default_factory=dict)

    @property
    def index_share(self) -> float:
        return self.build_wall / self.build_wall_without_index - 1

    @property
    def least_share(self) -> float:
        """The least the index step could add on this machine however the work were ordered: the build with
        it keeps every core busy from start to end at best, so it takes at least its CPU time over the cores."""
        return max(0.0, self.build_cpu / self.cores / self.build_wall_without_index - 1)

    def lines(self) -> list[str]:
        kb = 1024
        verdict = "within" if self.gzipped.total < BUDGET else "OVER"
        return [
            f"N = {self.stories} stories, one-word query {self.query!r}",
            f"  transferred, story page to first results (gzip as GitHub Pages): {self.gzipped.total / kb:,.0f} KB "
            f"({verdict} the {BUDGET // kb} KB budget) = page {self.gzipped.page / kb:,.0f} + search code "
            f"{self.gzipped.search_code / kb:,.0f} + index {self.gzipped.index / kb:,.0f} + results "
            f"{self.gzipped.results / kb:,.0f}, in {self.gzipped.requests} responses",
            f"  the same, served without compression: {self.plain.total / kb:,.0f} KB (search alone "
            f"{self.plain.search / kb:,.0f} KB)",
            *([] if self.gzipped.earlier is None else [
                f"  the index is in {self.parts} parts and the first results come from the newest; asking for "
                f"earlier stories too then downloads {self.gzipped.earlier / kb:,.0f} KB more (gzip)"]),
            f"  other one-word queries, most common word first (gzip): " + ", ".join(
                f"{word} {size / kb:,.0f} KB" for word, size in self.spread.items())
            + f"; {sum(size < BUDGET for size in self.spread.values())} of {len(self.spread)} within the budget",
            f"  Material's whole index for the same stories: {self.material_index / kb:,.0f} KB "
            f"({self.material_index_gzipped / kb:,.0f} KB gzipped), all fetched before the first answer",
            f"  Pagefind's index on disk: {self.pagefind_bytes / kb:,.0f} KB in {self.pagefind_files} files",
            f"  build: {self.build_wall:.1f} s ({self.build_cpu:.1f} s CPU) with the index step, "
            f"{self.build_wall_without_index:.1f} s ({self.build_cpu_without_index:.1f} s CPU) without: "
            f"the index step adds {self.index_share:+.1%} to the wall-clock time; on {self.cores} cores no order of "
            f"the work could make it add less than {self.least_share:+.1%} ({self.build_cpu:.1f} s of CPU over "
            f"{self.cores} cores, against {self.build_wall_without_index:.1f} s)",
        ]


def indexing_nothing(work: Path) -> Path:
    """A program in Pagefind's place that indexes nothing: it leaves the two files the build looks for in the
    folder it is given (`--output-path`, its fourth argument), and ends."""
    program = work / "pagefind-doing-nothing"
    program.write_text('#!/bin/sh\nmkdir -p "$4" && touch "$4/pagefind.js" "$4/pagefind-entry.json"\n', encoding="utf-8")
    program.chmod(0o755)
    return program


def measure(stories: int, work: Path, repeat: int) -> Report:
    config = synthetic.write_site(work / "site-source", stories)
    built = work / "site"
    nothing = {"PAGEFIND_BINARY_PATH": str(indexing_nothing(work))}
    with_index, without_index = [], []
    for _ in range(repeat):  # taken in turns, so a busy machine slows both alike; the fastest of each counts
        with_index.append(build(config, built))
        without_index.append(build(config, work / "site-without-index", nothing))
    shutil.rmtree(work / "site-without-index")
    story = "stories/story-00000/"
    gzipped = transferred(built, story, synthetic.QUERY_WORD, compress=True)
    plain = transferred(built, story, synthetic.QUERY_WORD, compress=False)
    spread = {}
    for word in synthetic.query_words():  # the rarest words are in no story of a small site
        try:
            spread[word] = transferred(built, story, word, compress=True).total
        except NoResults:
            continue
    material = material_index(work / "site-source", work / "material")
    pagefind = folder_size(built / "pagefind")
    return Report(stories, synthetic.QUERY_WORD, gzipped, plain, *material, *pagefind,
                  min(wall for wall, _ in with_index), min(cpu for _, cpu in with_index),
                  min(wall for wall, _ in without_index), min(cpu for _, cpu in without_index),
                  len(list((built / "pagefind").iterdir())), os.cpu_count() or 1, spread)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stories", type=int, action="append", help="N; give it again for more sites "
                                                                      "(default: 1000 and 10000)")
    parser.add_argument("--repeat", type=int, default=3, help="builds of each kind; the fastest counts")
    parser.add_argument("--work", type=Path, help="where to build (default: a temporary folder, removed after)")
    parser.add_argument("--json", type=Path, help="also write the numbers here as JSON")
    parser.add_argument("--out", type=Path, default=benchmark.RESULTS,
                        help="the results file, whose search part is replaced (default: bench/RESULTS.md)")
    parser.add_argument("--site", type=Path, help="measure this built site's transfer only")
    parser.add_argument("--story", default="stories/story-00000/", help="with --site: the page to open")
    parser.add_argument("--query", action="append", help="with --site: a one-word query; give it again for more "
                                                          "(default: the synthetic sites' words)")
    args = parser.parse_args()
    if args.site:
        for query in args.query or [synthetic.QUERY_WORD, *synthetic.query_words()]:
            for compress in (True, False):
                measured = transferred(args.site, args.story, query, compress)
                print(f"{query!r}, {'gzip' if compress else 'plain'}: {measured.total:,} bytes (page "
                      f"{measured.page:,}, search code {measured.search_code:,}, index {measured.index:,}, results "
                      f"{measured.results:,}) in {measured.requests} responses; earlier parts: "
                      f"{measured.earlier} bytes more", flush=True)
        return
    reports = []
    with tempfile.TemporaryDirectory(prefix="narrative-bench-") as scratch:
        for stories in args.stories or [1000, 10000]:
            work = (args.work or Path(scratch)) / f"n{stories}"
            report = measure(stories, work, args.repeat)
            reports.append(report)
            print("\n".join(report.lines()), flush=True)
    text = "\n".join(["### Search: what a reader downloads, and what indexing costs the build", "", "```",
                       *(line for report in reports for line in report.lines()), "```"])
    benchmark.write_results(args.out, text, START, END)
    print(f"Wrote {args.out}.")
    if args.json:
        args.json.write_text(json.dumps([{**asdict(report), "index_share": report.index_share,
                                          "least_share": report.least_share}
                                         for report in reports], indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
