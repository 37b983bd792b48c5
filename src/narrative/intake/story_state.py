"""Where a writer's story is, in plain words: received, with an editor, published, answered, a change planned or
made, or withdrawn; read from the delivery record and the repository's main branch.

The main branch is read with git's plumbing (`ls-tree`, `cat-file`) from the checkout the service runs in,
which the deploy keeps up to date, so nothing is exported and the checkout is never touched. The responses and
pledge updates are read once per commit of the main branch and kept until it moves. Whether a submission that
is not on the main branch is still waiting for an editor is the destination's to say (`Review`).
"""

from __future__ import annotations

import enum
import subprocess
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Protocol

from narrative import loader
from narrative.intake.destinations import git
from narrative.intake.queue import Delivery
from narrative.model import Change, Kind, Progress, Status
from narrative.problems import Problem


class State(enum.Enum):
    """From first to last; a later one means the earlier ones happened."""

    RECEIVED = "received"
    WITH_EDITOR = "with an editor"
    NOT_PUBLISHED = "not published"
    PUBLISHED = "published"
    ANSWERED = "answered"
    CHANGE_PLANNED = "change planned"
    CHANGE_MADE = "change made"
    WITHDRAWN = "withdrawn"


SAID = {
    State.RECEIVED: "We have your story. It is on its way to our editors.",
    State.WITH_EDITOR: "An editor is reading your story. Nothing is published until they have checked it.",
    State.NOT_PUBLISHED: "Our editors decided not to publish your story, so none of it is on our website.",
    State.PUBLISHED: "Your story is published on our website.",
    State.ANSWERED: "Your story is published, and we have answered it.",
    State.CHANGE_PLANNED: "Your story is published, we have answered it, and we plan a change because of it.",
    State.CHANGE_MADE: "Your story is published, we have answered it, and we have made a change because of it.",
    State.WITHDRAWN: "Your story was taken back.",
}
"""Each state in plain words, for the page and the emails."""


@dataclass(frozen=True)
class Link:
    title: str
    url: str
    """From the site's root, e.g. `stories/the-night-nurse/`."""


@dataclass(frozen=True)
class Where:
    """A story's state and the pages that show it."""

    state: State
    story: str | None = None
    """The story's page, once it is published."""
    response: Link | None = None
    """The organisation's newest response, on the story's page."""
    update: Link | None = None
    """The newest pledge update that cites the story."""


class Review(Protocol):
    def under_review(self, delivery: Delivery) -> bool:
        """Whether the submission is with the editors: its branch or pull request open, or merged."""


@dataclass(frozen=True)
class Answer:
    """A response to a story, or a pledge update citing it, as the main branch has it."""

    link: Link
    change: Change | None
    """What it says: planned or made (a response's `change`; an update `done` is made, else planned)."""


@dataclass
class Answers:
    """What the organisation said about one story: its responses and the updates citing it, in file order."""

    responses: list[Answer] = field(default_factory=list)
    updates: list[Answer] = field(default_factory=list)


class MainBranch:
    """The repository's main branch (`ref`, by default the checked-out one) as the service's checkout has it."""

    def __init__(self, root: Path, ref: str | None) -> None:
        self.root = root
        self.ref = ref or "HEAD"
        self._lock = threading.Lock()
        self._answers: tuple[str, dict[str, Answers]] | None = None

    def _git(self, *args: str, data: bytes | None = None) -> bytes | None:
        try:
            result = git.run(self.root, *args, data=data)
        except subprocess.TimeoutExpired:
            return None
        return result.stdout if result.returncode == 0 else None

    def commit(self) -> str | None:
        found = self._git("rev-parse", "--verify", "--quiet", f"{self.ref}^{{commit}}")
        return found.decode("ascii").strip() if found else None

    def text(self, commit: str, path: str) -> bytes | None:
        """The file at `path` on `commit`, or None when it is not there."""
        return self._git("cat-file", "blob", f"{commit}:{path}")

    def meta(self, commit: str, path: str) -> Mapping[str, Any] | None:
        """The front matter of the file at `path` on `commit`, or None when it is not there or cannot be read."""
        data = self.text(commit, path)
        return None if data is None else _front_matter(data, path)

    def answers(self, commit: str, stories: str) -> dict[str, Answers]:
        """Each story's responses and citing updates on `commit`, by the story's slug; read once per commit."""
        with self._lock:
            if self._answers is None or self._answers[0] != commit:
                self._answers = (commit, self._read_answers(commit, stories))
            return self._answers[1]

    def _read_answers(self, commit: str, stories: str) -> dict[str, Answers]:
        responses, updates = (f"{stories}/{kind.folder}/" for kind in (Kind.RESPONSE, Kind.UPDATE))
        listing = self._git("ls-tree", "-r", "-z", commit, "--", responses, updates) or b""
        entries = [line.decode("utf-8").split("\t", 1) for line in listing.split(b"\0") if line]
        files = [(head.split()[2], path) for head, path in entries if path.endswith(".md")]
        found: dict[str, Answers] = {}
        for (_, path), data in zip(files, self._blobs([sha for sha, _ in files])):
            meta = _front_matter(data, path) or {}
            if path.startswith(responses) and isinstance(meta.get("story"), str):
                found.setdefault(meta["story"], Answers()).responses.append(_response(meta))
            elif path.startswith(updates) and isinstance(meta.get("stories"), list):
                for story in meta["stories"]:
                    found.setdefault(str(story), Answers()).updates.append(_update(meta, PurePosixPath(path).stem))
        return found

    def _blobs(self, shas: list[str]) -> Iterator[bytes]:
        """Every blob's contents, in one `git cat-file --batch`."""
        output = self._git("cat-file", "--batch", data="".join(f"{sha}\n" for sha in shas).encode("ascii")) or b""
        at = 0
        for _ in shas:
            header_end = output.index(b"\n", at)
            size = int(output[at:header_end].split()[2])
            yield output[header_end + 1:header_end + 1 + size]
            at = header_end + 1 + size + 1


def _response(meta: Mapping[str, Any]) -> Answer:
    change = meta.get("change")
    return Answer(Link("Our response", f"stories/{meta['story']}/#our-response"),
                  Change(change) if change in {known.value for known in Change} else None)


def _update(meta: Mapping[str, Any], slug: str) -> Answer:
    return Answer(Link(str(meta.get("title") or slug), f"pledge/updates/{slug}/"),
                  Change.MADE if meta.get("status") == Progress.DONE.value else Change.PLANNED)


def _front_matter(data: bytes, path: str) -> Mapping[str, Any] | None:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    parsed = loader.parse(text, path, Kind.STORY, Path(path))
    return None if isinstance(parsed, Problem) else parsed.meta


def where(delivery: Delivery | None, main: MainBranch, review: Review, commit: str | None = None) -> Where:
    """Where the story delivered as `delivery` is (None: received, not yet with the editors) on the main
    branch's `commit`: read here unless the caller, looking at many stories, read it once for them all."""
    if delivery is None:
        return Where(State.RECEIVED)
    commit = commit or main.commit()
    meta = main.meta(commit, delivery.path) if commit else None
    if meta is None or meta.get("status") == Status.DRAFT.value:
        return Where(State.WITH_EDITOR if meta is not None or review.under_review(delivery) else State.NOT_PUBLISHED)
    if meta.get("status") == Status.WITHDRAWN.value:
        return Where(State.WITHDRAWN)
    assert commit is not None
    answers = main.answers(commit, str(PurePosixPath(delivery.path).parent.parent)).get(delivery.slug, Answers())
    changes = {answer.change for answer in (*answers.responses, *answers.updates)}
    state = (State.CHANGE_MADE if Change.MADE in changes else State.CHANGE_PLANNED if Change.PLANNED in changes
             else State.ANSWERED if answers.responses else State.PUBLISHED)
    return Where(state, f"stories/{delivery.slug}/", answers.responses[-1].link if answers.responses else None,
                 answers.updates[-1].link if answers.updates else None)
