"""The `narrative` command: one subcommand a job, each turning the core's results into output and an exit code.

Exit codes: 0 all is well, 1 the content or the site has problems, 2 the command was used wrongly.

`build`, `deploy` and `report` are imported by the commands that use them: `narrative build` hands the work to
MkDocs, whose hook imports them in its own process, and loading them here too would add a fifth of a second.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from narrative import digests, fields, loader, scaffold
from narrative.config import CONFIG_FILE, PREVIEW_VARIABLE, Settings, load_settings
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


def check(args: argparse.Namespace) -> int:
    from narrative import build, report

    settings = _settings(args)
    paths = [Path(path) for path in args.paths] or None
    for path in paths or ():
        if not path.exists():
            raise UsageError(f"{path}: no such file or folder")
    expanded = None if paths is None else [p for path in paths for p in (sorted(path.rglob("*.md"))
                                                                          if path.is_dir() else [path])]
    site, validation = build.read_site(settings, only=expanded)
    screening = build.screen_site(site, only=expanded)
    problems = sort_problems([*validation, *screening.problems])
    files = len(expanded) if expanded is not None else len(loader.discover(settings.stories_path))
    if args.format == "markdown":
        print(report.markdown(validation, screening, files), end="")
    elif args.format == "json":
        print(json.dumps([problem.as_dict() for problem in problems], indent=2, ensure_ascii=False))
    else:
        for problem in problems:
            print(f"{problem}" if problem.is_error else f"{problem} [{problem.severity}]")
        print(_summary(problems, files), file=sys.stderr if problems else sys.stdout)
    return PROBLEMS if has_errors(problems) else OK


def new(args: argparse.Namespace) -> int:
    settings = _settings(args)
    kind = {"story": Kind.STORY, "update": Kind.UPDATE, "response": Kind.RESPONSE}[args.kind]
    try:
        path = scaffold.new_file(kind, settings, title=args.title, story=args.story)
    except scaffold.MissingArgument as error:
        raise UsageError(str(error)) from None
    except scaffold.ScaffoldError as error:
        print(f"narrative new: {error}", file=sys.stderr)
        return PROBLEMS
    print(f"Wrote {path}: fill it in, then run 'narrative check {path}'.")
    return OK


def build_site(args: argparse.Namespace) -> int:
    if Path(args.site_dir).exists() and not Path(args.site_dir).is_dir():
        raise UsageError(f"{args.site_dir} is a file: give a folder to build the site into")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    if args.preview:
        env[PREVIEW_VARIABLE] = "1"
    command = [sys.executable, "-m", "mkdocs", "build", "--config-file", str(args.config_file),
               "--site-dir", str(args.site_dir)] + (["--strict"] if args.strict else [])
    result = subprocess.run(command, env=env, check=False)
    if result.returncode != 0:
        return PROBLEMS
    index = Path(args.site_dir).resolve() / "index.html"
    print(f"Built the site into {args.site_dir}/. Open {index.as_uri()} in a browser, "
          "or run 'mkdocs serve' to preview it as you edit.")
    return OK


def deploy_site(args: argparse.Namespace) -> int:
    from narrative import deploy

    settings = _settings(args)
    try:
        blockers = deploy.deploy(settings, Path(args.site_dir), remote=args.remote, branch=args.branch)
    except deploy.DeployError as error:
        print(f"narrative deploy: {error}", file=sys.stderr)
        return PROBLEMS
    if blockers:
        for problem in blockers:
            print(problem)
        print(f"narrative deploy: not published: {plural(len(blockers), 'error')} in the content; fix them, "
              "build again and deploy", file=sys.stderr)
        return PROBLEMS
    print(f"Published {args.site_dir} to the {args.branch} branch of {args.remote}.")
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
    from narrative import build

    settings = _settings(args)
    site, problems = None, build.output_problems(settings)
    if not problems:
        site, problems = build.read_site(settings)
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
    for each in found:
        print(f"Wrote {Path(args.out) / each.folder}: email.html, email.txt and email.eml "
              f"({plural(len(each.items), 'item')} published {when}).")
    return OK


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="narrative", description="Build and check a stories and pledge site.")
    root.add_argument("-f", "--config-file", default=CONFIG_FILE, help="the site's mkdocs.yml (default: %(default)s)")
    commands = root.add_subparsers(dest="command", required=True, metavar="COMMAND")

    checker = commands.add_parser("check", help="check stories, updates and responses for problems")
    checker.add_argument("paths", nargs="*", metavar="PATH", help="files or folders to check (default: all)")
    checker.add_argument("--format", choices=["text", "json", "markdown"], default="text",
                         help="markdown: the editor's report for a pull request (default: %(default)s)")
    checker.set_defaults(run=check)

    maker = commands.add_parser("new", help="start a new story, pledge update or response from a template")
    maker.add_argument("kind", choices=["story", "update", "response"])
    maker.add_argument("--title", help="the title (stories and updates)")
    maker.add_argument("--story", help="the slug of the story a response answers")
    maker.set_defaults(run=new)

    builder = commands.add_parser("build", help="build the site, feeds and digests with MkDocs")
    builder.add_argument("-d", "--site-dir", default="site", help="where to write the site (default: %(default)s)")
    builder.add_argument("--preview", action="store_true", help="include drafts (never deploy a preview)")
    builder.add_argument("--strict", action="store_true", help="treat MkDocs warnings as errors")
    builder.set_defaults(run=build_site)

    deployer = commands.add_parser("deploy", help="publish the built site to GitHub Pages with ghp-import")
    deployer.add_argument("-d", "--site-dir", default="site", help="the built site (default: %(default)s)")
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
