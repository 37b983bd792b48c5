"""Publishing exactly what is committed: a clean build of `HEAD`, onto the branch GitHub Pages serves, only when
its content has no errors.

The only module that imports ghp-import. `deploy()` checks `HEAD` out into a temporary folder (a git worktree:
uncommitted, untracked and deleted files are not in it), checks the content there, builds it with MkDocs (as
`mkdocs gh-deploy` builds first), then commits that build to the branch (`gh-pages`) with ghp-import, with
`.nojekyll` so GitHub serves folders such as `_assets` untouched, and `CNAME` when the site has a custom domain,
and pushes it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

import ghp_import

from narrative import build, search_cache, search_index
from narrative.config import PREVIEW_VARIABLE, Settings, load_settings
from narrative.problems import Problem, sort_problems
from narrative.site import Site


class DeployError(Exception):
    """The site could not be published; the message says why and what to do."""


class DeployUsageError(DeployError):
    """The command was used wrongly (a remote or branch that cannot be, or no git repository): exit 2."""


def blockers(site: Site, problems: Iterable[Problem]) -> list[Problem]:
    """The errors that stop a deploy: the content's (as `narrative check` finds them) and any finding the
    settings make an error that no editor has accepted."""
    held = [finding.problem for finding in build.screen_errors(site)]
    return sort_problems(problem for problem in [*problems, *held] if problem.is_error)


def unfinished(site: Site, site_dir: Path) -> list[Problem]:
    """The parts of the search index the build in `site_dir` did not finish."""
    return [Problem(f"{site_dir.name}/{folder}", None, None, "the search index was not finished: deploy again",
                    "search-index") for folder in search_index.missing(site, site_dir)]


def _git(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], capture_output=True, text=True, check=False, cwd=cwd)


def _repository(folder: Path, remote: str, branch: str) -> Path:
    """The top of the git repository that holds `folder`, once it is known that `remote` and `branch` will do."""
    top = _git("rev-parse", "--show-toplevel", cwd=folder)
    if top.returncode != 0:
        raise DeployUsageError(f"{folder.resolve()} is not in a git repository: deploy from a clone of the site")
    repository = Path(top.stdout.strip())
    if _git("remote", "get-url", remote, cwd=repository).returncode != 0:
        raise DeployUsageError(f"there is no git remote called '{remote}': see 'git remote -v'")
    if _git("check-ref-format", "--branch", branch, cwd=repository).returncode != 0:
        raise DeployUsageError(f"'{branch}' cannot be a git branch's name: Pages usually serves 'gh-pages'")
    if _git("rev-parse", "--verify", "--quiet", "HEAD", cwd=repository).returncode != 0:
        raise DeployError("nothing is committed yet: commit the site, then deploy")
    return repository


@contextlib.contextmanager
def clean_copy(repository: Path) -> Iterator[Path]:
    """`HEAD` checked out in a temporary folder, and nothing else: what a fresh clone would hold."""
    with tempfile.TemporaryDirectory(prefix="narrative-deploy-") as folder:
        copy = Path(folder) / "head"
        added = _git("worktree", "add", "--detach", "--quiet", str(copy), "HEAD", cwd=repository)
        if added.returncode != 0:
            raise DeployError(f"could not check out HEAD to build it: {added.stderr.strip()}")
        try:
            yield copy
        finally:
            _git("worktree", "remove", "--force", str(copy), cwd=repository)


def _share_search_cache(settings: Settings, original: Path) -> None:
    """The search index's cache beside the working copy's `mkdocs.yml`, lent to the clean copy's build: its
    entries are keyed by what they index, so the build still indexes only the parts that changed."""
    lent = settings.root / search_cache.FOLDER
    if settings.search.cache and not lent.exists():
        (original / search_cache.FOLDER).mkdir(parents=True, exist_ok=True)
        lent.parent.mkdir(parents=True, exist_ok=True)
        lent.symlink_to(original / search_cache.FOLDER, target_is_directory=True)


def _build(config_file: Path, site_dir: Path) -> None:
    """`mkdocs build` of the clean copy, never a preview; its messages go to the terminal as they come."""
    env = {key: value for key, value in os.environ.items() if key != PREVIEW_VARIABLE}
    command = [sys.executable, "-m", "mkdocs", "build", "--config-file", str(config_file), "--site-dir",
               str(site_dir)]
    result = subprocess.run(command, env={**env, "NO_MKDOCS_2_WARNING": "1"}, cwd=config_file.parent, check=False)
    if result.returncode != 0:
        raise DeployError("the build of HEAD failed (MkDocs says why above): fix it, commit, then deploy")


def publish(site_dir: Path, repository: Path, *, remote: str = "origin", branch: str = "gh-pages",
            cname: str | None = None) -> None:
    """Commit `site_dir` to `branch`, on top of the remote's copy of it, and push it."""
    site_dir = site_dir.resolve()
    with contextlib.chdir(repository):
        _git("fetch", "--quiet", remote, f"+refs/heads/{branch}:refs/remotes/{remote}/{branch}")
        head = _git("rev-parse", "--short", "HEAD").stdout.strip()
        try:
            ghp_import.ghp_import(str(site_dir), mesg=f"Publish the site from {head}", remote=remote, branch=branch,
                                  push=True, nojekyll=True, cname=cname)
        except ghp_import.GhpError as error:
            raise DeployError(f"could not commit the site to '{branch}': {error}") from None
        except subprocess.CalledProcessError:
            raise DeployError(f"could not push '{branch}' to '{remote}': check that you may push there") from None


def deploy(config_file: Path, *, remote: str = "origin", branch: str = "gh-pages") -> list[Problem]:
    """Build what is committed at `HEAD` afresh and publish it, or return the errors that stop it (nothing is
    published then). `config_file` is the site's `mkdocs.yml` in the working copy."""
    original = config_file.resolve().parent
    repository = _repository(original, remote, branch)
    with clean_copy(repository) as copy:
        committed = copy / config_file.resolve().relative_to(repository.resolve())
        settings, problems = load_settings(committed)
        if settings is None:
            return [dataclasses.replace(problem, path=str(config_file)) for problem in problems]
        site, problems = build.read_site(settings)
        problems = blockers(site, problems)
        if problems:
            return problems
        _share_search_cache(settings, original)
        site_dir = copy.parent / "site"
        _build(committed, site_dir)
        problems = unfinished(site, site_dir)
        if not problems:
            publish(site_dir, repository, remote=remote, branch=branch, cname=settings.custom_domain)
    return problems
