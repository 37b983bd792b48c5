"""Deploying into a real bare git repository: the gh-pages branch holds the site, and bad content is refused."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from narrative import cli, deploy
from narrative.config import Settings
from tests.content import settings_for, story


def git(*args: str, cwd: Path) -> str:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True).stdout


@pytest.fixture(autouse=True)
def identity(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Git's identity from the environment, and no global git settings from the machine running the tests."""
    empty = tmp_path_factory.mktemp("git") / "config"
    empty.touch()
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(empty))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for role in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{role}_NAME", "Site Editor")
        monkeypatch.setenv(f"GIT_{role}_EMAIL", "editor@example.org")


@pytest.fixture
def remote(tmp_path: Path) -> Path:
    path = tmp_path / "remote.git"
    git("init", "--quiet", "--bare", str(path), cwd=tmp_path)
    return path


INDEX = ["pagefind/1/pagefind-entry.json", "pagefind/1/pagefind.js"]


def clone_with_site(root: Path, remote: Path, **settings: object) -> tuple[Settings, Path]:
    """A site's repository with one story, pushed to `remote`, and a built site folder beside the content."""
    config = settings_for(root, **settings)
    story(root, "plain-words", body="The nurse was kind.\n")
    git("init", "--quiet", "-b", "main", cwd=root)
    git("add", "mkdocs.yml", "stories", cwd=root)
    git("commit", "--quiet", "-m", "Add the site", cwd=root)
    git("remote", "add", "origin", str(remote), cwd=root)
    git("push", "--quiet", "origin", "main", cwd=root)
    site_dir = root / "site"
    (site_dir / "assets").mkdir(parents=True)
    (site_dir / "index.html").write_text("<h1>Our stories</h1>\n", encoding="utf-8")
    (site_dir / "assets" / "site.css").write_text("body { margin: 0 }\n", encoding="utf-8")
    return config, with_index(site_dir)


def with_index(site_dir: Path) -> Path:
    """The files a finished search index of one part has, in `site_dir`."""
    (site_dir / "pagefind" / "1").mkdir(parents=True)
    for name in INDEX:
        (site_dir / name).write_text("{}\n", encoding="utf-8")
    return site_dir


def published(remote: Path, branch: str = "gh-pages") -> list[str]:
    return git("ls-tree", "-r", "--name-only", branch, cwd=remote).split()


def test_deploy_publishes_the_site_with_nojekyll_and_cname(tmp_path: Path, remote: Path) -> None:
    settings, site_dir = clone_with_site(tmp_path / "site", remote, custom_domain="stories.example.org")
    assert deploy.deploy(settings, site_dir) == []
    assert published(remote) == [".nojekyll", "CNAME", "assets/site.css", "index.html", *INDEX]
    assert git("show", "gh-pages:CNAME", cwd=remote) == "stories.example.org"
    assert git("show", "gh-pages:index.html", cwd=remote) == "<h1>Our stories</h1>\n"
    head = git("rev-parse", "--short", "main", cwd=remote).strip()
    assert git("log", "-1", "--format=%s", "gh-pages", cwd=remote).strip() == f"Publish the site from {head}"


def test_without_a_custom_domain_there_is_no_cname(tmp_path: Path, remote: Path) -> None:
    settings, site_dir = clone_with_site(tmp_path / "site", remote)
    assert deploy.deploy(settings, site_dir, branch="pages") == []
    assert published(remote, "pages") == [".nojekyll", "assets/site.css", "index.html", *INDEX]


def test_a_fresh_clone_deploys_on_top_of_the_published_history(tmp_path: Path, remote: Path) -> None:
    settings, site_dir = clone_with_site(tmp_path / "site", remote)
    assert deploy.deploy(settings, site_dir) == []
    fresh = tmp_path / "fresh"
    git("clone", "--quiet", "--branch", "main", str(remote), str(fresh), cwd=tmp_path)
    fresh_settings = settings_for(fresh)
    with_index(fresh / "site")
    (fresh / "site" / "index.html").write_text("<h1>Our stories, again</h1>\n", encoding="utf-8")
    assert deploy.deploy(fresh_settings, fresh / "site") == []
    assert git("rev-list", "--count", "gh-pages", cwd=remote).strip() == "2"
    assert published(remote) == [".nojekyll", "index.html", *INDEX]


def test_content_with_errors_is_not_published(tmp_path: Path, remote: Path) -> None:
    settings, site_dir = clone_with_site(tmp_path / "site", remote)
    story(settings.root, "typo", topics=["mental-heath"])
    problems = deploy.deploy(settings, site_dir)
    assert [str(problem) for problem in problems] == [
        "stories/patient/typo.md:5: topics: unknown topic 'mental-heath' (did you mean 'mental-health'?); choose "
        "from mental-health, primary-care, carers"]
    assert git("ls-remote", "--heads", str(remote), "gh-pages", cwd=tmp_path) == ""


def test_a_finding_the_settings_make_an_error_is_not_published(tmp_path: Path, remote: Path) -> None:
    settings, site_dir = clone_with_site(tmp_path / "site", remote, screening={"error_kinds": ["nhs-number"]})
    story(settings.root, "numbers", body="My NHS number is 943 476 5919.\n")
    problems = deploy.deploy(settings, site_dir)
    assert [str(problem) for problem in problems] == [
        "stories/patient/numbers.md:9: NHS number '943 *** ****': remove it, or once checked add 'nhs-number' to "
        "'reviewed:'"]
    assert git("ls-remote", "--heads", str(remote), "gh-pages", cwd=tmp_path) == ""


def test_warnings_do_not_stop_a_deploy(tmp_path: Path, remote: Path) -> None:
    settings, site_dir = clone_with_site(tmp_path / "site", remote)
    story(settings.root, "call-me", body="Call me on 07700 900 123. I felt suicidal.\n")
    assert deploy.deploy(settings, site_dir) == []
    assert "index.html" in published(remote)


def test_an_unbuilt_site_or_an_unknown_remote_is_a_clear_error(tmp_path: Path, remote: Path) -> None:
    settings, site_dir = clone_with_site(tmp_path / "site", remote)
    with pytest.raises(deploy.DeployError) as error:
        deploy.deploy(settings, tmp_path / "nowhere")
    assert str(error.value) == f"{tmp_path / 'nowhere'} holds no built site: run 'narrative build' first"
    with pytest.raises(deploy.DeployError) as error:
        deploy.deploy(settings, site_dir, remote="upstream")
    assert str(error.value) == "there is no git remote called 'upstream': see 'git remote -v'"
    with pytest.raises(deploy.DeployError) as error:
        deploy.deploy(settings, site_dir, branch="bad..name")
    assert str(error.value) == "'bad..name' cannot be a git branch's name: Pages usually serves 'gh-pages'"
    loose = settings_for(tmp_path / "not-a-clone")
    with pytest.raises(deploy.DeployError) as error:
        deploy.deploy(loose, site_dir)
    assert str(error.value) == (f"{tmp_path / 'not-a-clone'} is not in a git repository: deploy from a clone of "
                                "the site")


def test_a_site_whose_search_index_was_not_finished_is_not_published(tmp_path: Path, remote: Path) -> None:
    settings, site_dir = clone_with_site(tmp_path / "site", remote)
    (site_dir / "pagefind" / "1" / "pagefind-entry.json").unlink()
    assert [str(problem) for problem in deploy.deploy(settings, site_dir)] == [
        "site/pagefind/1/: the search index was not finished: build the site again, then deploy"]
    assert git("branch", "--list", "gh-pages", cwd=remote).strip() == ""


def test_a_preview_build_is_never_published(tmp_path: Path, remote: Path) -> None:
    settings, site_dir = clone_with_site(tmp_path / "site", remote)
    (site_dir / ".narrative-preview").write_text("drafts\n")
    with pytest.raises(deploy.DeployError) as error:
        deploy.deploy(settings, site_dir)
    assert str(error.value) == (f"{site_dir.resolve()} is a preview with drafts in it: run 'narrative build' "
                                "without --preview, then deploy")
    assert git("branch", "--list", "gh-pages", cwd=remote).strip() == ""


def test_the_deploy_command(tmp_path: Path, remote: Path, capsys: pytest.CaptureFixture[str]) -> None:
    settings, site_dir = clone_with_site(tmp_path / "site", remote)
    config_file = str(settings.root / "mkdocs.yml")
    assert cli.main(["-f", config_file, "deploy", "--site-dir", str(site_dir), "--branch", "gh-pages"]) == cli.OK
    assert capsys.readouterr().out.splitlines()[-1] == f"Published {site_dir} to the gh-pages branch of origin."

    story(settings.root, "typo", topics=["mental-heath"])
    assert cli.main(["-f", config_file, "deploy", "--site-dir", str(site_dir)]) == cli.PROBLEMS
    out, err = capsys.readouterr()
    assert out.startswith("stories/patient/typo.md:5: topics: unknown topic 'mental-heath'")
    assert err == ("narrative deploy: not published: 1 error in the content; fix them, build again and deploy\n")

    assert cli.main(["-f", config_file, "deploy", "--site-dir", str(tmp_path / "nowhere")]) == cli.PROBLEMS
    assert capsys.readouterr().err == (f"narrative deploy: {tmp_path / 'nowhere'} holds no built site: run "
                                       "'narrative build' first\n")


@pytest.mark.parametrize(("argv", "message"), [
    (("--remote", "upstream"), "there is no git remote called 'upstream': see 'git remote -v'"),
    (("--branch", "bad..name"), "'bad..name' cannot be a git branch's name: Pages usually serves 'gh-pages'"),
])
def test_the_deploy_command_used_wrongly_exits_2(tmp_path: Path, remote: Path, capsys: pytest.CaptureFixture[str],
                                                 argv: tuple[str, ...], message: str) -> None:
    settings, site_dir = clone_with_site(tmp_path / "site", remote)
    assert cli.main(["-f", str(settings.root / "mkdocs.yml"), "deploy", "--site-dir", str(site_dir), *argv]) == (
        cli.USAGE)
    assert capsys.readouterr().err == f"narrative deploy: {message}\n"
    assert git("branch", "--list", "gh-pages", cwd=remote).strip() == ""
