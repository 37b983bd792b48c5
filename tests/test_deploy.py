"""Deploying into a real bare git repository: a clean build of what is committed reaches gh-pages, and nothing
else; content with errors is refused."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from narrative import cli, deploy
from tests.conftest import Project, new_project


def git(*args: str, cwd: Path) -> str:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True).stdout


@pytest.fixture(autouse=True)
def identity(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Git's identity from the environment, and no global git settings from the machine running the tests."""
    empty = tmp_path_factory.mktemp("git") / "config"
    empty.touch()
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(empty))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.delenv("NARRATIVE_PREVIEW", raising=False)
    for role in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{role}_NAME", "Site Editor")
        monkeypatch.setenv(f"GIT_{role}_EMAIL", "editor@example.org")


@pytest.fixture
def remote(tmp_path: Path) -> Path:
    path = tmp_path / "remote.git"
    git("init", "--quiet", "--bare", str(path), cwd=tmp_path)
    return path


def commit(project: Project, message: str = "Change the site") -> None:
    git("add", "--all", ".", cwd=project.root)
    git("commit", "--quiet", "-m", message, cwd=project.root)


@pytest.fixture
def clone(tmp_path: Path, remote: Path) -> Project:
    """A site's repository with one story, committed and pushed to `remote`."""
    project = new_project(tmp_path / "site")
    (project.root / ".gitignore").write_text("site/\n.cache/\n", encoding="utf-8")
    project.story("plain-words", body="The nurse was kind.\n")
    git("init", "--quiet", "-b", "main", cwd=project.root)
    commit(project, "Add the site")
    git("remote", "add", "origin", str(remote), cwd=project.root)
    git("push", "--quiet", "origin", "main", cwd=project.root)
    return project


def published(remote: Path, branch: str = "gh-pages") -> list[str]:
    return git("ls-tree", "-r", "--name-only", branch, cwd=remote).split()


def stories(remote: Path, branch: str = "gh-pages") -> list[str]:
    """The story pages on the published branch."""
    return sorted(path.split("/")[1] for path in published(remote, branch)
                  if path.startswith("stories/") and path.endswith("/index.html") and path.count("/") == 2)


def test_deploy_publishes_a_clean_build_of_what_is_committed(clone: Project, remote: Path) -> None:
    clone.story("gone-before", body="Deleted in a commit.\n")
    commit(clone)
    git("rm", "--quiet", "--cached", "stories/patient/gone-before.md", cwd=clone.root)  # kept in the folder
    git("commit", "--quiet", "-m", "Remove a story", cwd=clone.root)
    clone.story("plain-words", title="Changed but not committed")
    clone.story("staged-only")
    git("add", "stories/patient/staged-only.md", cwd=clone.root)
    clone.story("untracked")

    assert deploy.deploy(clone.config_file) == []
    assert stories(remote) == ["plain-words"]
    page = git("show", "gh-pages:stories/plain-words/index.html", cwd=remote)
    assert "Plain words" in page and "Changed but not committed" not in page
    files = published(remote)
    assert {".nojekyll", "index.html", "feeds/all.xml", "pagefind/1/pagefind-entry.json"} <= set(files)
    assert not [path for path in files if "untracked" in path or "staged-only" in path or "gone-before" in path]
    assert not [path for path in files if path.startswith(".narrative")]
    head = git("rev-parse", "--short", "HEAD", cwd=clone.root).strip()
    assert git("log", "-1", "--format=%s", "gh-pages", cwd=remote).strip() == f"Publish the site from {head}"
    assert git("worktree", "list", "--porcelain", cwd=clone.root).count("worktree ") == 1
    assert list((clone.root / ".cache/narrative/search").iterdir())  # the next deploy indexes only what changed


def test_a_preview_is_never_published(clone: Project, remote: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    clone.story("unfinished", status="draft")
    commit(clone)
    monkeypatch.setenv("NARRATIVE_PREVIEW", "1")
    assert deploy.deploy(clone.config_file, branch="pages") == []
    assert stories(remote, "pages") == ["plain-words"]


def test_committed_errors_are_not_published(clone: Project, remote: Path) -> None:
    clone.story("typo", topics=["mental-heath"])
    clone.story("numbers", body="My NHS number is 943 476 5919.\n")
    commit(clone)
    assert [str(problem) for problem in deploy.deploy(clone.config_file)] == [
        "stories/patient/numbers.md:9: NHS number '943 *** ****': remove it, or once checked an editor accepts it "
        "with 'narrative review stories/patient/numbers.md --accept nhs-number'",
        "stories/patient/typo.md:5: topics: unknown topic 'mental-heath' (did you mean 'mental-health'?); choose "
        "from mental-health, children-and-families, primary-care, long-term-conditions, urgent-care, carers"]
    assert git("ls-remote", "--heads", str(remote), "gh-pages", cwd=clone.root) == ""


def test_an_accepted_finding_is_published_once_its_review_is_committed(
        clone: Project, remote: Path, capsys: pytest.CaptureFixture[str]) -> None:
    clone.story("surgery", body="Call the surgery on 0113 496 0000.\n")
    commit(clone)
    assert [problem.code for problem in deploy.deploy(clone.config_file)] == ["phone"]
    assert cli.main(["-f", str(clone.config_file), "review", str(clone.root / "stories/patient/surgery.md"),
                     "--accept", "phone"]) == cli.OK
    assert [problem.code for problem in deploy.deploy(clone.config_file)] == ["phone"]  # the review, uncommitted
    commit(clone, "Accept the surgery's number")
    assert deploy.deploy(clone.config_file) == []
    assert "surgery" in stories(remote)


def test_a_fresh_clone_deploys_on_top_of_the_published_history(tmp_path: Path, clone: Project, remote: Path) -> None:
    assert deploy.deploy(clone.config_file) == []
    fresh = tmp_path / "fresh"
    git("clone", "--quiet", "--branch", "main", str(remote), str(fresh), cwd=tmp_path)
    assert deploy.deploy(fresh / "mkdocs.yml") == []
    assert git("rev-list", "--count", "gh-pages", cwd=remote).strip() == "2"


def test_what_stops_a_deploy_before_it_builds_is_a_clear_error(tmp_path: Path, clone: Project) -> None:
    with pytest.raises(deploy.DeployError) as error:
        deploy.deploy(clone.config_file, remote="upstream")
    assert str(error.value) == "there is no git remote called 'upstream': see 'git remote -v'"
    with pytest.raises(deploy.DeployError) as error:
        deploy.deploy(clone.config_file, branch="bad..name")
    assert str(error.value) == "'bad..name' cannot be a git branch's name: Pages usually serves 'gh-pages'"
    loose = new_project(tmp_path / "not-a-clone")
    with pytest.raises(deploy.DeployError) as error:
        deploy.deploy(loose.config_file)
    assert str(error.value) == (f"{loose.root} is not in a git repository: deploy from a clone of the site")
    git("init", "--quiet", cwd=loose.root)
    git("remote", "add", "origin", str(tmp_path / "remote.git"), cwd=loose.root)
    with pytest.raises(deploy.DeployError) as error:
        deploy.deploy(loose.config_file)
    assert str(error.value) == "nothing is committed yet: commit the site, then deploy"


def test_the_deploy_command(clone: Project, remote: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config_file = str(clone.config_file)
    assert cli.main(["-f", config_file, "deploy", "--branch", "gh-pages"]) == cli.OK
    assert capsys.readouterr().out.splitlines()[-1] == (
        "Published a fresh build of what is committed to the gh-pages branch of origin.")

    clone.story("typo", topics=["mental-heath"])
    commit(clone)
    assert cli.main(["-f", config_file, "deploy"]) == cli.PROBLEMS
    out, err = capsys.readouterr()
    assert out.startswith("stories/patient/typo.md:5: topics: unknown topic 'mental-heath'")
    assert err == ("narrative deploy: not published: 1 error in what is committed; fix them, commit and deploy "
                   "again\n")


@pytest.mark.parametrize(("argv", "message"), [
    (("--remote", "upstream"), "there is no git remote called 'upstream': see 'git remote -v'"),
    (("--branch", "bad..name"), "'bad..name' cannot be a git branch's name: Pages usually serves 'gh-pages'"),
])
def test_the_deploy_command_used_wrongly_exits_2(clone: Project, remote: Path, capsys: pytest.CaptureFixture[str],
                                                 argv: tuple[str, ...], message: str) -> None:
    assert cli.main(["-f", str(clone.config_file), "deploy", *argv]) == cli.USAGE
    assert capsys.readouterr().err == f"narrative deploy: {message}\n"
    assert git("branch", "--list", "gh-pages", cwd=remote).strip() == ""
