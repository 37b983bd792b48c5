"""Publishing: the built site onto a branch GitHub Pages serves, only when the content has no errors.

The only module that imports ghp-import. ghp-import commits the folder to the branch (`gh-pages`) as it is,
with `.nojekyll` so GitHub serves folders such as `_assets` untouched, and `CNAME` when the site has a custom
domain, then pushes it. It works on the git repository of the current folder, so `publish()` runs it from
the folder that holds `mkdocs.yml`.
"""

from __future__ import annotations

import contextlib
import subprocess
from pathlib import Path

import ghp_import

from narrative import build, search_index
from narrative.config import Settings
from narrative.problems import Problem, sort_problems


class DeployError(Exception):
    """The site could not be published; the message says why and what to do."""


class DeployUsageError(DeployError):
    """The command was used wrongly (a remote or branch that cannot be, or no git repository): exit 2."""


def blockers(settings: Settings, site_dir: Path | None = None) -> list[Problem]:
    """The errors that stop a deploy: the content's (as `narrative check` finds them), any finding the
    settings make an error, and a search index the build in `site_dir` did not finish. A build may be older
    than the content, so the content is read again."""
    site, problems = build.read_site(settings)
    unfinished = [] if site_dir is None else [
        Problem(f"{site_dir.name}/{folder}", None, None, "the search index was not finished: build the site again, "
                "then deploy", "search-index") for folder in search_index.missing(site, site_dir)]
    return sort_problems(problem for problem in [*problems, *build.screen_errors(site), *unfinished]
                         if problem.is_error)


def _git(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], capture_output=True, text=True, check=False)


def publish(site_dir: Path, repository: Path, *, remote: str = "origin", branch: str = "gh-pages",
            cname: str | None = None) -> None:
    """Commit `site_dir` to `branch`, on top of the remote's copy of it, and push it."""
    site_dir = site_dir.resolve()
    with contextlib.chdir(repository):
        if _git("rev-parse", "--git-dir").returncode != 0:
            raise DeployUsageError(f"{repository.resolve()} is not in a git repository: deploy from a clone of the "
                                   "site")
        if _git("remote", "get-url", remote).returncode != 0:
            raise DeployUsageError(f"there is no git remote called '{remote}': see 'git remote -v'")
        if _git("check-ref-format", "--branch", branch).returncode != 0:
            raise DeployUsageError(f"'{branch}' cannot be a git branch's name: Pages usually serves 'gh-pages'")
        _git("fetch", "--quiet", remote, f"+refs/heads/{branch}:refs/remotes/{remote}/{branch}")
        head = _git("rev-parse", "--short", "HEAD").stdout.strip()
        message = f"Publish the site from {head}" if head else "Publish the site"
        try:
            ghp_import.ghp_import(str(site_dir), mesg=message, remote=remote, branch=branch, push=True,
                                  nojekyll=True, cname=cname)
        except ghp_import.GhpError as error:
            raise DeployError(f"could not commit the site to '{branch}': {error}") from None
        except subprocess.CalledProcessError:
            raise DeployError(f"could not push '{branch}' to '{remote}': check that you may push there") from None


def deploy(settings: Settings, site_dir: Path, *, remote: str = "origin", branch: str = "gh-pages") -> list[Problem]:
    """Publish the built site, or return the errors that stop it (nothing is published then)."""
    if not (site_dir / "index.html").is_file():
        raise DeployError(f"{site_dir.resolve()} holds no built site: run 'narrative build' first")
    if (site_dir / build.PREVIEW_MARKER).exists():
        raise DeployError(f"{site_dir.resolve()} is a preview with drafts in it: run 'narrative build' without "
                          "--preview, then deploy")
    problems = blockers(settings, site_dir)
    if not problems:
        publish(site_dir, settings.root, remote=remote, branch=branch, cname=settings.custom_domain)
    return problems
