"""The `narrative` command: one subcommand a job, each turning the core's results into output and an exit code.

Exit codes: 0 all is well, 1 the content or the site has problems, 2 the command was used wrongly.

`build`, `deploy` and `report` are imported by the commands that use them: `narrative build` hands the work to
MkDocs' own command line, whose hook imports what it needs, and `check` has no use for them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import runpy
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from narrative import __version__, changes, digests, fields, loader, scaffold
from narrative.config import CONFIG_FILE, FINDING_KINDS, PREVIEW_VARIABLE, Settings, hook_problems, load_settings
from narrative.model import Kind
from narrative.output import Output, OutputError
from narrative.presentation import long_date, plural
from narrative.problems import Problem, Severity, has_errors, sort_problems

OK, PROBLEMS, USAGE = 0, 1, 2


class UsageError(Exception):
    """The command cannot run as asked; exit 2 with the message."""


def _settings(args: argparse.Namespace) -> Settings:
    settings, problems = load_settings(args.config_file)
    if settings is None:
        raise UsageError("\n".join(str(problem) for problem in problems))
    return settings


def _summary(problems: Sequence[Problem], files: int) -> str:
    errors = sum(problem.is_error for problem in problems)
    warnings = len(problems) - errors
    urgent = sum(problem.severity is Severity.URGENT for problem in problems)
    if not problems:
        return f"No problems in {plural(files, 'file')}."
    return (f"{plural(errors, 'error')} and {plural(warnings, 'warning')}{f' ({urgent} urgent)' if urgent else ''}"
            f" in {plural(files, 'file')}.")


ANNOTATION_LEVELS = {Severity.ERROR: "error", Severity.URGENT: "warning", Severity.WARNING: "warning",
                     Severity.NOTE: "notice"}


def _workflow_text(text: str, in_property: bool = False) -> str:
    """Text escaped as GitHub's workflow commands read it, so a file's words cannot end or add a command."""
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if in_property else text


def _annotation(problem: Problem) -> str:
    """A problem as a GitHub annotation (`::error file=...,line=...::...`), shown on the file's line."""
    where = f"file={_workflow_text(problem.path, True)}" + (f",line={problem.line}" if problem.line else "")
    title = _workflow_text(problem.field or problem.code, True)
    return f"::{ANNOTATION_LEVELS[problem.severity]} {where},title={title}::{_workflow_text(problem.message)}"


def check(args: argparse.Namespace) -> int:
    from narrative import build, build_cache, report

    settings = _settings(args)
    paths = [Path(path) for path in args.paths] or None
    for path in paths or ():
        if not path.exists():
            raise UsageError(f"{path}: no such file or folder")
    expanded = None if paths is None else [p for path in paths for p in (sorted(path.rglob("*.md"))
                                                                          if path.is_dir() else [path])]
    changes = _changes(settings, args.since)
    cache = settings.root / build_cache.FOLDER  # a build's, read but never written: bodies it rendered are not again
    site, validation = build.read_site(settings, only=expanded, cache=cache if cache.is_dir() else None)
    screening = build.screen_site(site, only=expanded)
    problems = sort_problems([*validation, *screening.problems])
    files = len(expanded) if expanded is not None else (len(loader.discover(settings.stories_path))
                                                         + len(loader.discover_pages(settings.docs_path)))
    if args.format == "markdown":
        print(report.markdown(validation, screening, files, changes), end="")
    elif args.format == "github":
        print("".join(f"{_annotation(problem)}\n" for problem in problems), end="")
    elif args.format == "json":
        print(json.dumps([problem.as_dict() for problem in problems], indent=2, ensure_ascii=False))
    else:
        for problem in problems:
            print(f"{problem}" if problem.is_error else f"{problem} [{problem.severity}]")
        accepted = (f" {plural(len(screening.accepted), 'finding')} accepted by an editor: '--format markdown' "
                    "lists them." if screening.accepted else "")
        print(_summary(problems, files) + accepted, file=sys.stderr if problems else sys.stdout)
    return PROBLEMS if has_errors(problems) else OK


def _changes(settings: Settings, since: str | None) -> changes.Changes | None:
    try:
        return None if since is None else changes.since(settings, since)
    except changes.ChangesError as error:
        raise UsageError(f"--since: {error}") from None


def review(args: argparse.Namespace) -> int:
    """Record an editor's acceptance of the findings of some kinds in one file, bound to their text."""
    from narrative import build, reviews

    settings = _settings(args)
    path = Path(args.path)
    if not path.is_file():
        raise UsageError(f"{path}: no such file")
    site, _ = build.read_site(settings, only=[path])
    screening = build.screen_site(site, only=[path])
    shown = loader.display_path(path, settings.root)
    found = [finding for finding in screening.findings if finding.kind in args.accept]
    missing = [kind for kind in dict.fromkeys(args.accept) if not any(f.kind == kind for f in found)]
    if missing:
        print(f"narrative review: {shown} has no {' or '.join(missing)} finding left to accept: nothing recorded "
              f"('narrative check {shown}' lists what it finds)", file=sys.stderr)
        return PROBLEMS
    today = dt.datetime.now(settings.zone).date()
    live = {(finding.kind, finding.fingerprint) for finding in (*screening.findings, *screening.accepted)}
    lapsed = [review for review in site.reviews.entries
              if review.path == shown and (review.kind, review.fingerprint) not in live]
    added, problems = reviews.record(settings, [reviews.Review(finding.path, finding.kind, finding.fingerprint,
                                                               finding.line, today) for finding in found], lapsed)
    if problems:
        for problem in problems:
            print(problem, file=sys.stderr)
        print("narrative review: nothing recorded; fix the reviews' file first.", file=sys.stderr)
        return PROBLEMS
    for finding in found:
        print(f"Accepted: {finding.label}, {finding.place}.")
    dropped = f" and removed {len(lapsed)} that had lapsed" if lapsed else ""
    print(f"Recorded {plural(len(added), 'review')} of {shown} in {reviews.shown(settings)}{dropped}: commit that "
          "file. A review lapses when the text it was made on changes.")
    return OK


def new(args: argparse.Namespace) -> int:
    settings = _settings(args)
    kind = {"story": Kind.STORY, "update": Kind.UPDATE, "response": Kind.RESPONSE,
            "conversation": Kind.CONVERSATION}[args.kind]
    try:
        path = scaffold.new_file(kind, settings, title=args.place if kind is Kind.CONVERSATION else args.title,
                                 story=args.story)
    except scaffold.MissingArgument as error:
        raise UsageError(str(error)) from None
    except scaffold.ScaffoldError as error:
        print(f"narrative new: {error}", file=sys.stderr)
        return PROBLEMS
    print(f"Wrote {path}: fill it in, then run 'narrative check {path}'."
          + (" It is a draft: once it is ready and its consent recorded, set 'status: published'."
             if kind is Kind.STORY else ""))
    return OK


def _mkdocs(args: argparse.Namespace, *command: str, replace: bool = False, render_ahead: bool = False) -> int:
    """MkDocs run on the site as `narrative build` and `narrative serve` run it: only once the settings can be read
    and the hook is listed (otherwise one line says what to fix, not MkDocs' usage text or a template's
    traceback), without Material's end-of-life notice, and with drafts shown for `--preview`. With
    `render_ahead`, the bodies are rendered meanwhile on another core (`narrative.render_ahead`). With `replace`,
    MkDocs takes this process's place, so that Ctrl+C and a signal to stop reach it directly; otherwise its
    command line runs in this process, as `python -m mkdocs` would (starting Python again, and importing
    narrative a second time, cost a quarter of a second of every build)."""
    settings = _settings(args)
    if problems := hook_problems(args.config_file):
        raise UsageError("\n".join(str(problem) for problem in problems))
    if render_ahead:
        from narrative import render_ahead as ahead  # here, as `build` is: it brings in Python-Markdown

        ahead.begin(settings)
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    if args.preview:
        env[PREVIEW_VARIABLE] = "1"
    argv = [*command, "--config-file", str(args.config_file)]
    if replace:
        sys.stdout.flush()
        os.execve(sys.executable, [sys.executable, "-m", "mkdocs", *argv], env)
    os.environ.update(env)
    return OK if _run_module("mkdocs", argv) == 0 else PROBLEMS


def _run_module(name: str, argv: list[str]) -> int:
    """`python -m name argv...` in this process: its exit code (a message it exits with is printed, as Python
    would)."""
    saved = sys.argv
    sys.argv = [name, *argv]
    try:
        runpy.run_module(name, run_name="__main__", alter_sys=True)
    except SystemExit as done:
        if isinstance(done.code, str):
            print(done.code, file=sys.stderr)
        return done.code if isinstance(done.code, int) else int(done.code is not None)
    finally:
        sys.argv = saved
    return 0


def build_site(args: argparse.Namespace) -> int:
    if Path(args.site_dir).exists() and not Path(args.site_dir).is_dir():
        raise UsageError(f"{args.site_dir} is a file: give a folder to build the site into")
    if _mkdocs(args, "build", "--site-dir", str(args.site_dir), *(["--strict"] if args.strict else []),
               render_ahead=True) != OK:
        return PROBLEMS
    index = Path(args.site_dir).resolve() / "index.html"
    print(f"Built the site into {args.site_dir}/. Open {index.as_uri()} in a browser, "
          "or run 'narrative serve' to preview it as you edit.")
    return OK


def serve(args: argparse.Namespace) -> int:
    return _mkdocs(args, "serve", "--dev-addr", args.dev_addr, replace=True)


def deploy_site(args: argparse.Namespace) -> int:
    from narrative import deploy

    _settings(args)  # a usage error when there is no site here; the deploy reads the committed settings itself
    try:
        blockers = deploy.deploy(Path(args.config_file), remote=args.remote, branch=args.branch)
    except deploy.DeployUsageError as error:
        raise UsageError(str(error)) from None
    except deploy.DeployError as error:
        print(f"narrative deploy: {error}", file=sys.stderr)
        return PROBLEMS
    if blockers:
        for problem in blockers:
            print(problem)
        print(f"narrative deploy: not published: {plural(len(blockers), 'error')} in what is committed; fix "
              "them, commit and deploy again", file=sys.stderr)
        return PROBLEMS
    print(f"Published a fresh build of what is committed to the {args.branch} branch of {args.remote}.")
    return OK


def init(args: argparse.Namespace) -> int:
    folder = Path(args.folder)
    try:
        scaffold.new_site(folder)
    except scaffold.ScaffoldError as error:
        raise UsageError(str(error)) from None
    except OSError as error:
        print(f"narrative init: cannot write {folder}: {error.strerror}", file=sys.stderr)
        return PROBLEMS
    print(f"Made a new site in {folder}/. Next: cd {folder}, run 'narrative serve' and open http://127.0.0.1:8000/; "
          "then set your organisation, topics and principles in mkdocs.yml, and replace the examples in stories/.")
    return OK


def print_schema(args: argparse.Namespace) -> int:
    from narrative import schema

    print(schema.text(), end="")
    return OK


def redact_files(args: argparse.Namespace) -> int:
    """Personal data in each file replaced with placeholders, in place; what was removed is said by kind and
    line, never the value."""
    from narrative.redact import described, redact

    for name in args.paths:
        path = Path(name)
        if not path.is_file():
            raise UsageError(f"{path}: no such file")
    failed = False
    for name in args.paths:
        path = Path(name)
        try:
            redaction = redact(path.read_bytes().decode("utf-8-sig"))
        except UnicodeDecodeError:
            print(f"{path}: is not UTF-8 text: save it again as UTF-8, then redact it", file=sys.stderr)
            failed = True
            continue
        if not redaction.removed:
            print(f"{path}: no personal data found; nothing changed.")
            continue
        path.write_text(redaction.text, encoding="utf-8")
        print(f"{path}: removed {described(redaction.removed)}.")
    return PROBLEMS if failed else OK


Command = Callable[[argparse.Namespace], int]


def _service_command(module: str) -> Command:
    """A command handed to the intake service's own module, loaded by name: the core never imports the service."""

    def run(args: argparse.Namespace) -> int:
        import importlib

        result: int = importlib.import_module(module).main(args)
        return result

    return run


send = _service_command("narrative.intake.send")
intake = _service_command("narrative.intake.cli")


def _date(value: str) -> dt.date:
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{value}' is not a date: write it as YYYY-MM-DD, like 2026-03-14") from None
    if day.year not in fields.YEARS:
        raise argparse.ArgumentTypeError(f"'{value}' is in the year {day.year}: give a day from {fields.YEARS[0]} "
                                         f"to {fields.YEARS[-1]}")
    return day


def digest(args: argparse.Namespace) -> int:
    from narrative import build, mail

    settings = _settings(args)
    site, problems = None, build.output_problems(settings)
    if not problems:
        site, problems = build.read_site(settings)
        problems += [finding.problem for finding in build.screen_errors(site)]  # never email what is held back
    if site is None or has_errors(problems):
        for problem in problems:
            print(problem, file=sys.stderr)
        print("narrative digest: no digest written; fix the problems above first.", file=sys.stderr)
        return PROBLEMS
    period = digests.Period(args.period)
    day = args.date or dt.datetime.now(settings.zone).date()
    found = digests.for_date(site, period, day)
    first, last = digests.span(period, day)
    when = f"on {long_date(first)}" if first == last else f"from {digests.date_range(first, last)}"
    if not found:
        print(f"Nothing was published {when}: no {period.value} digest written.")
        return OK
    try:
        build.write_digests(site, found, Output(args.out))
    except (OSError, OutputError) as error:
        print(f"narrative digest: cannot write to {args.out}: {error}", file=sys.stderr)
        return PROBLEMS
    except mail.MailError as error:
        print(f"narrative digest: {error}", file=sys.stderr)
        return PROBLEMS
    for each in found:
        print(f"Wrote {Path(args.out) / each.folder}: email.html, email.txt and email.eml "
              f"({plural(len(each.items), 'item')} published {when}).")
    return OK


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="narrative", description="Build and check a stories and pledge site.")
    root.add_argument("--version", action="version", version=f"narrative {__version__}")
    root.add_argument("-f", "--config-file", default=CONFIG_FILE, help="the site's mkdocs.yml (default: %(default)s)")
    commands = root.add_subparsers(dest="command", required=True, metavar="COMMAND")

    starter = commands.add_parser("init", help="make a new, empty site of your own in a folder")
    starter.add_argument("folder", metavar="DIR", help="the folder to make it in (new, or empty)")
    starter.set_defaults(run=init)

    schema_printer = commands.add_parser("schema", help="print the JSON Schema of the settings, for an editor")
    schema_printer.set_defaults(run=print_schema)

    checker = commands.add_parser("check", help="check stories, updates and responses for problems")
    checker.add_argument("paths", nargs="*", metavar="PATH", help="files or folders to check (default: all)")
    checker.add_argument("--format", choices=["text", "json", "markdown", "github"], default="text",
                         help="markdown: the editor's report for a pull request; github: annotations on the "
                              "files' lines in a GitHub workflow (default: %(default)s)")
    checker.add_argument("--since", metavar="COMMIT", help="what a pull request changes since COMMIT: list the "
                         "findings editors have accepted in its files only, and the reviews it records or withdraws")
    checker.set_defaults(run=check)

    reviewer = commands.add_parser("review", help="for editors: accept a file's findings of some kinds, recorded in "
                                   "the reviews' file and bound to their text")
    reviewer.add_argument("path", metavar="PATH", help="the story, update, response or conversation record")
    reviewer.add_argument("--accept", action="append", required=True, choices=FINDING_KINDS, metavar="KIND",
                          help=f"a kind of finding to accept, again for each kind ({', '.join(FINDING_KINDS)})")
    reviewer.set_defaults(run=review)

    maker = commands.add_parser("new", help="start a new story, pledge update, response or conversation record "
                                           "from a template")
    maker.add_argument("kind", choices=["story", "update", "response", "conversation"])
    maker.add_argument("--title", help="the title (stories and updates)")
    maker.add_argument("--story", help="the slug of the story a response answers")
    maker.add_argument("--place", help="where the conversations were held (conversation records)")
    maker.set_defaults(run=new)

    builder = commands.add_parser("build", help="build the site, feeds and digests with MkDocs")
    builder.add_argument("-d", "--site-dir", default="site", help="where to write the site (default: %(default)s)")
    builder.add_argument("--preview", action="store_true", help="include drafts (never deploy a preview)")
    builder.add_argument("--strict", action="store_true", help="treat MkDocs warnings as errors")
    builder.set_defaults(run=build_site)

    server = commands.add_parser("serve", help="preview the site as you edit: it reloads when a file changes")
    server.add_argument("-a", "--dev-addr", default="127.0.0.1:8000", metavar="IP:PORT",
                        help="where to serve the preview (default: %(default)s)")
    server.add_argument("--preview", action="store_true", help="show drafts too")
    server.set_defaults(run=serve)

    deployer = commands.add_parser("deploy", help="build what is committed afresh and publish it to GitHub Pages")
    deployer.add_argument("--remote", default="origin", help="the git remote to push to (default: %(default)s)")
    deployer.add_argument("--branch", default="gh-pages", help="the branch Pages serves (default: %(default)s)")
    deployer.set_defaults(run=deploy_site)

    digester = commands.add_parser("digest", help="write the email digest of an instant, a day or a week")
    digester.add_argument("--period", required=True, choices=[period.value for period in digests.Period])
    digester.add_argument("--date", type=_date, help="a day in the period, YYYY-MM-DD (default: today)")
    digester.add_argument("--out", default="digests", help="where to write them (default: %(default)s)")
    digester.set_defaults(run=digest)

    sender = commands.add_parser("send", help="email each confirmed subscriber their digest, exactly once")
    sender.add_argument("--period", required=True, choices=[period.value for period in digests.Period])
    sender.add_argument("--date", type=_date, help="a day in the period, YYYY-MM-DD (default: yesterday for "
                        "daily, last week for weekly, yesterday and today for instant)")
    sender.set_defaults(run=send)

    intaker = commands.add_parser("intake", help="run the share-your-story service (in the site's folder), or "
                                  "look after what it keeps: show REF, purge, key")
    intaker.add_argument("--host", default="127.0.0.1", help="the address to listen on (default: %(default)s)")
    intaker.add_argument("--port", type=int, default=8000, help="the port to listen on (default: %(default)s)")
    actions = intaker.add_subparsers(dest="action", metavar="ACTION")
    actions.add_parser("show", help="print one submission, opened with the key").add_argument("reference")
    actions.add_parser("purge", help="forget writers' originals older than the retention period")
    actions.add_parser("key", help="print a new key for NARRATIVE_INTAKE_KEY")
    actions.add_parser("rotate", help="encrypt everything kept again under the newest key")
    actions.add_parser("notify", help="email writers who asked when their story is published or answered "
                       "(after each deploy)")
    intaker.set_defaults(run=intake)

    redactor = commands.add_parser("redact", help="replace personal data in files with placeholders, in place")
    redactor.add_argument("paths", nargs="+", metavar="PATH", help="the files to redact")
    redactor.set_defaults(run=redact_files)
    return root


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    run: Command = args.run
    try:
        return run(args)
    except UsageError as error:
        print(f"narrative {args.command}: {error}", file=sys.stderr)
        return USAGE
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
