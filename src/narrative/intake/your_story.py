"""A writer's own story, with their reference and private code: where it is, and taking it back.

A wrong reference, a wrong code and a story already taken back all get the same answer (`None`, then the same
page) after the same work (`Writers.check`). Taking a story back asks the editors to withdraw it when it is on
the main branch, or drops the submission when it never got there, and forgets the writer's original and
addresses at once.
"""

from __future__ import annotations

import logging
from typing import cast

from narrative.intake.destinations import Destination
from narrative.intake.destinations.git import GitBranch
from narrative.intake.service import Service
from narrative.intake.settings import IntakeSettings
from narrative.intake.story_state import MainBranch, State, Where, where
from narrative.intake.withdrawal import GitWithdrawals, Withdrawals
from narrative.intake.writers import Writers, normal_reference

log = logging.getLogger("narrative.intake")


def withdrawals_for(destination: Destination) -> Withdrawals:
    """How the destination takes a story back: the git destination's is `GitWithdrawals`, and the GitHub
    destination is its own."""
    if isinstance(destination, GitBranch):
        return GitWithdrawals(destination)
    return cast(Withdrawals, destination)


class YourStory:
    def __init__(self, service: Service, writers: Writers, withdrawals: Withdrawals, main: MainBranch) -> None:
        self.service = service
        self.writers = writers
        self.withdrawals = withdrawals
        self.main = main

    @classmethod
    def open(cls, settings: IntakeSettings, service: Service, writers: Writers) -> YourStory:
        return cls(service, writers, withdrawals_for(service.worker.destination),
                   MainBranch(settings.root, settings.base_branch))

    def where(self, reference: str, commit: str | None = None) -> Where:
        """Where the story is (on the main branch's `commit`, when read already), for a reference known to be
        right."""
        return where(self.service.queue.delivery(reference), self.main, self.withdrawals, commit)

    def _open_to(self, reference: str, code: str) -> bool:
        """Whether the reference and code are right and the story was not taken back (`Writers.check`'s work)."""
        checked = self.writers.check(reference, code)
        return checked.known and not checked.withdrawn

    def look(self, reference: str, code: str) -> Where | None:
        """Where the story is, or None for a wrong reference or code or a story taken back."""
        if not self._open_to(reference, code):
            return None
        found = self.where(normal_reference(reference))
        return None if found.state is State.WITHDRAWN else found

    def take_back(self, reference: str, code: str) -> bool:
        """Withdraw the story (or drop the submission) and forget the writer's original; False for a wrong
        reference or code or a story already taken back."""
        if not self._open_to(reference, code):
            return False
        reference = normal_reference(reference)
        delivery = self.service.queue.delivery(reference)
        merged = False
        if delivery is None:
            self.service.queue.forget(reference)
        else:
            merged = self.withdrawals.take_back(delivery, self.main.ref)
        self.writers.withdraw(reference)
        self.service.private.delete(reference)
        log.info("%s: taken back by the writer (%s)", reference, "merged" if merged else "not merged")
        return True
