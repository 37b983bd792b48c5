"""Where a submission goes for the editors: a branch in the site's own git repository, or a pull request on
GitHub. Each destination makes its branch at most once per reference, so delivering the same submission again
(after a crash, or a failure half way) finds what is there and makes nothing twice.
"""

from __future__ import annotations

from typing import Protocol

from narrative.intake.queue import Delivery
from narrative.intake.settings import IntakeSettings
from narrative.intake.submission import Submission
from narrative.redact import described

BRANCH_PREFIX = "submissions/"
LABEL = "story"
URGENT_LABEL = "urgent"


class DeliveryError(Exception):
    """The destination failed this time; the message names what failed and never holds the story's words."""


class Destination(Protocol):
    def deliver(self, submission: Submission) -> Delivery:
        """Put the submission where editors find it, or find it already there; `DeliveryError` when the
        destination cannot be reached or refuses."""

    def problem(self) -> str | None:
        """Why nothing could ever be delivered as things are, in one line, for the service to refuse to start."""


def branch(submission: Submission) -> str:
    return f"{BRANCH_PREFIX}{submission.reference}"


def title(submission: Submission) -> str:
    what = f"story from the web form ({submission.reference})"
    return f"Urgent: new {what}" if submission.urgent else f"New {what}"


def description(submission: Submission) -> str:
    """What an editor reads first, in the commit message or the pull request: never the removed values."""
    lines = [f"A story shared on the web form, reference {submission.reference}, as a draft for an editor."]
    if submission.urgent:
        lines.append("URGENT: the screen found words about suicide, self-harm, abuse or danger. Make sure the "
                     "person is safe and tell the safeguarding lead today.")
    if submission.removed:
        lines.append(f"Personal data removed before it reached git: {described(submission.removed)}. The "
                     "original is in the service's private store: `narrative intake show "
                     f"{submission.reference}` on the server.")
    return "\n\n".join(lines) + "\n"


def from_settings(settings: IntakeSettings) -> Destination:
    """The destination the settings name; GitHub's library is imported only when it is the one."""
    if settings.destination == "github" and settings.github is not None:
        from narrative.intake.destinations.github import GitHubPullRequest

        return GitHubPullRequest(settings.github, settings.site.stories_dir, settings.base_branch)
    from narrative.intake.destinations.git import GitBranch

    return GitBranch(settings.root, settings.site.stories_dir, settings.git_remote, settings.base_branch)
