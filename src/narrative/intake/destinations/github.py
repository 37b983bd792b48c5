"""The GitHub destination: a branch `submissions/<reference>` with one commit, and a pull request labelled
`story` (and `urgent`), through githubkit; the only module that imports it.

Each step first looks for what an earlier attempt may have made (the branch, the pull request), so a delivery
cut short by a crash, a 500 or a timeout is finished by the next attempt without making anything twice. The
worker does the retrying, with its own backoff; githubkit's is turned off. The pull request's text says what
was removed by kind and line, never the value; a failure is reported by the request and GitHub's status alone.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any, TypeVar

from githubkit import GitHub, TokenAuthStrategy
from githubkit.exception import RequestError, RequestFailed, RequestTimeout

from narrative.intake.destinations import LABEL, URGENT_LABEL, DeliveryError, branch, description, title
from narrative.intake.queue import Delivery
from narrative.intake.settings import GitHubSettings
from narrative.intake.submission import Submission
from narrative.intake.withdrawal import branch as withdrawal_branch
from narrative.intake.withdrawal import message, withdrawn_text

T = TypeVar("T")

TIMEOUT = 30.0
"""Seconds to wait for GitHub's answer to one request."""
AUTHOR = {"name": "narrative intake", "email": "intake@localhost"}
ALREADY = 422
"""GitHub's answer when a branch or a pull request that is being made exists already."""


class GitHubPullRequest:
    def __init__(self, settings: GitHubSettings, stories_dir: str, base: str | None,
                 timeout: float = TIMEOUT) -> None:
        self.settings = settings
        self.stories_dir = stories_dir
        self._base = base
        self.client = GitHub(TokenAuthStrategy(settings.token), base_url=settings.api_url + "/", timeout=timeout,
                             auto_retry=False, http_cache=False)
        self.timeout = timeout

    def problem(self) -> str | None:
        return None  # whether GitHub answers is for the worker to find out, and retry

    def deliver(self, submission: Submission) -> Delivery:
        return self._asking(lambda: self._deliver(submission))

    def _asking(self, work: Callable[[], T]) -> T:
        """What `work` returns, or a `DeliveryError` naming the request that failed."""
        try:
            return work()
        except RequestFailed as error:
            raise DeliveryError(f"GitHub answered {error.response.status_code} to {error.request.method} "
                                f"{error.request.url.path}") from None
        except RequestTimeout as error:
            raise DeliveryError(f"GitHub did not answer {error.request.method} {error.request.url.path} within "
                                f"{self.timeout:g} s") from None
        except RequestError:
            raise DeliveryError("GitHub could not be reached") from None

    def _deliver(self, submission: Submission) -> Delivery:
        owner, repo = self.settings.owner, self.settings.name
        name = branch(submission)
        commit = self._branch_commit(name) or self._commit(submission, name)
        pull = self._pull_request(name) or self._open(submission, name)
        labels = [LABEL, *([URGENT_LABEL] if submission.urgent else [])]
        self.client.rest.issues.add_labels(owner, repo, pull["number"], data={"labels": labels})
        return Delivery(submission.reference, submission.slug, f"{self.stories_dir}/{submission.path}", name,
                        commit, pull["html_url"])

    def base(self) -> str:
        """The branch submissions start from: the setting, or the repository's default branch."""
        if self._base is None:
            repository = self.client.rest.repos.get(self.settings.owner, self.settings.name).json()
            self._base = str(repository["default_branch"])
        return self._base

    def _branch_commit(self, name: str) -> str | None:
        try:
            ref = self.client.rest.git.get_ref(self.settings.owner, self.settings.name, f"heads/{name}").json()
        except RequestFailed as error:
            if error.response.status_code == 404:
                return None
            raise
        return str(ref["object"]["sha"])

    def _commit(self, submission: Submission, name: str) -> str:
        """The story and its pictures in one commit on the base, and the branch made to point at it unless an
        earlier attempt made it first."""
        owner, repo, git = self.settings.owner, self.settings.name, self.client.rest.git
        parent = git.get_ref(owner, repo, f"heads/{self.base()}").json()["object"]["sha"]
        base_tree = git.get_commit(owner, repo, parent).json()["tree"]["sha"]
        entries = [{"path": f"{self.stories_dir}/{path}", "mode": "100644", "type": "blob",
                    "sha": git.create_blob(owner, repo, data={"content": base64.b64encode(data).decode("ascii"),
                                                              "encoding": "base64"}).json()["sha"]}
                   for path, data in submission.files]
        tree = git.create_tree(owner, repo, data={"base_tree": base_tree, "tree": entries}).json()["sha"]
        author = {**AUTHOR, "date": submission.received.isoformat()}
        commit = git.create_commit(owner, repo, data={
            "message": f"{title(submission)}\n\n{description(submission)}", "tree": tree, "parents": [parent],
            "author": author, "committer": author}).json()["sha"]
        try:
            git.create_ref(owner, repo, data={"ref": f"refs/heads/{name}", "sha": commit})
        except RequestFailed as error:
            if error.response.status_code != ALREADY or (existing := self._branch_commit(name)) is None:
                raise
            return existing
        return str(commit)

    def _pull_request(self, name: str) -> dict[str, Any] | None:
        pulls = self.client.rest.pulls.list(self.settings.owner, self.settings.name,
                                            head=f"{self.settings.owner}:{name}", state="all").json()
        return pulls[0] if pulls else None

    def _open(self, submission: Submission, name: str) -> dict[str, Any]:
        try:
            return dict(self.client.rest.pulls.create(self.settings.owner, self.settings.name, data={
                "title": title(submission), "head": name, "base": self.base(),
                "body": description(submission)}).json())
        except RequestFailed as error:
            if error.response.status_code != ALREADY or (existing := self._pull_request(name)) is None:
                raise
            return existing

    def under_review(self, delivery: Delivery) -> bool:
        """The pull request is open, or merged (the checkout's main branch may not have it yet); while GitHub
        cannot be asked, taken to be with the editors still."""
        try:
            pull = self._asking(lambda: self._pull(delivery))
        except DeliveryError:
            return True
        return pull["state"] == "open" or bool(pull.get("merged"))

    def take_back(self, delivery: Delivery, base: str) -> bool:
        """A pull request from `withdrawals/<reference>` setting `status: withdrawn` when the submission's was
        merged; else its pull request closed and its branch deleted. `base` is the checkout's: GitHub's own
        default branch is the one withdrawn on."""
        return self._asking(lambda: self._take_back(delivery))

    def _pull(self, delivery: Delivery) -> dict[str, Any]:
        number = int(str(delivery.pull_request).rstrip("/").rsplit("/", 1)[1])
        return dict(self.client.rest.pulls.get(self.settings.owner, self.settings.name, number).json())

    def _take_back(self, delivery: Delivery) -> bool:
        owner, repo, rest = self.settings.owner, self.settings.name, self.client.rest
        pull = self._pull(delivery)
        if not pull.get("merged"):
            if pull["state"] == "open":
                rest.pulls.update(owner, repo, pull["number"], data={"state": "closed"})
            try:
                rest.git.delete_ref(owner, repo, f"heads/{delivery.branch}")
            except RequestFailed as error:
                if error.response.status_code not in (404, ALREADY):  # gone already
                    raise
            return False
        name = withdrawal_branch(delivery.reference)
        if self._branch_commit(name) is None:
            base = rest.git.get_ref(owner, repo, f"heads/{self.base()}").json()["object"]["sha"]
            try:
                rest.git.create_ref(owner, repo, data={"ref": f"refs/heads/{name}", "sha": base})
            except RequestFailed as error:
                if error.response.status_code != ALREADY:
                    raise
        file = rest.repos.get_content(owner, repo, delivery.path, ref=name).json()
        text = base64.b64decode(file["content"]).decode("utf-8")
        subject, _, body = message(delivery.reference).partition("\n\n")
        if withdrawn_text(text) != text:
            rest.repos.create_or_update_file_contents(owner, repo, delivery.path, data={
                "message": f"{subject}\n\n{body}", "sha": file["sha"], "branch": name, "author": AUTHOR,
                "committer": AUTHOR, "content": base64.b64encode(withdrawn_text(text).encode()).decode("ascii")})
        if self._pull_request(name) is None:
            rest.pulls.create(owner, repo, data={"title": subject, "head": name, "base": self.base(), "body": body})
        return True
