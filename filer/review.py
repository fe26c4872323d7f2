"""Reviewing drafted claims: which come up and in what order, what each decision does to a claim, writing the list.

No terminal here (review_view.py asks the person): a `Review` holds the list as read, the claim under review and
every decision so far, each undoable until the list is written. Approving is checked by the same rules as
`check`, so an approved claim is one `run` takes; a claim those rules refuse stays a draft.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Any

from safet_filer.claims import CheckedClaim, ClaimCheck, Reason, check_claim_data, describe
from safet_filer.claims.reading import UNREADABLE, read_json, split_top_level
from safet_filer.claims.writing import rewritten
from safet_filer.errors import InvalidInput
from safet_filer.private import replace_private_file
from safet_filer.settings import Settings


class Decision(StrEnum):
    """What the person decided for a claim they moved on from."""

    approved = "approved"
    skipped = "skipped"  # left a draft (with any change made to it)
    dropped = "dropped"  # removed from the list when it is written


@dataclass(frozen=True)
class Refusal:
    """Why an approval did not happen: the rules' sentences, each naming the claim and the field."""

    sentences: list[str]


@dataclass(frozen=True)
class _Step:
    """One decision, with what is needed to undo it."""

    position: int
    index: int
    before: dict[str, Any]  # the claim as it was when it came up
    decision: Decision


class Review:
    """The drafts of one claim list, soonest deadline first (unapproved ones first), and the decisions on them."""

    def __init__(
        self, path: Path, settings: Settings, today: date | None = None, *, include_approved: bool = False
    ) -> None:
        self.path = path
        self.settings = settings
        self.today = today or date.today()
        problems: list[Any] = []
        self.data = read_json(path, problems)
        if self.data is UNREADABLE:
            raise InvalidInput(problems[0].message, "Fix the file, then review it again.")
        self.text = path.read_bytes().decode("utf-8-sig")
        self._claims, _ = split_top_level(self.data, [])
        self._original = copy.deepcopy(self._claims)
        self.check = self._checked()
        file_errors = [describe(p) for p in self.check.problems if p.severity == "error"]
        if file_errors:
            raise InvalidInput(
                f"{path} cannot be reviewed: " + "; ".join(file_errors),
                f"Fix the file (`safet-filer check {path}` shows how), then review it again.",
            )
        drafts = [c for c in self.check.claims if isinstance(self._claims[c.index].get("draft"), dict)]
        waiting = [c.index for c in drafts if c.awaiting_review]
        approved = [c.index for c in drafts if not c.awaiting_review]
        self.queue: list[int] = waiting + (approved if include_approved else [])
        self.approved_before = len(approved)
        self.position = 0
        self.decisions: dict[int, Decision] = {}
        self._history: list[_Step] = []
        self._came_up_as = self._snapshot()

    # -- where the review is -------------------------------------------------------------------------------------
    @property
    def done(self) -> bool:
        return self.position >= len(self.queue)

    @property
    def index(self) -> int:
        """The index in the list (claims[N]) of the claim under review."""
        return self.queue[self.position]

    @property
    def claim(self) -> dict[str, Any]:
        """The claim under review, as it will be written (with any change made to it so far)."""
        return self._claims[self.index]

    @property
    def checked(self) -> CheckedClaim:
        """The claim under review as `check` sees it now."""
        return next(c for c in self.check.claims if c.index == self.index)

    @property
    def reason(self) -> Reason | None:
        value = self.claim.get("reason")
        try:
            return Reason(value) if isinstance(value, str) else None
        except ValueError:
            return None

    # -- changing the claim under review ------------------------------------------------------------------------
    def set_reason(self, reason: Reason) -> None:
        """Name the claim's reason; a sub-reason the new reason does not take is cleared. Approval is asked again."""
        claim = self.claim
        claim["reason"] = reason.value
        if claim.get("sub_reason") is not None and claim["sub_reason"] not in reason.sub_reasons:
            claim["sub_reason"] = None
        self._changed(claim)

    def set_description(self, text: str) -> None:
        claim = self.claim
        claim["description"] = text.strip()
        self._changed(claim)

    def _changed(self, claim: dict[str, Any]) -> None:
        claim["draft"]["approved"] = False  # what was approved is not what is there now
        self.check = self._checked()

    # -- deciding -----------------------------------------------------------------------------------------------
    def approve(self) -> Refusal | None:
        """Approve the claim under review and move on, unless a rule of `check` refuses it (it then stays a draft)."""
        claim = self.claim
        if self.reason is None:
            return Refusal([f"{self.checked.label} has no reason yet — name one (r) before approving it."])
        claim["draft"]["approved"] = True
        self.check = self._checked()
        checked = self.checked
        if checked.errors:
            claim["draft"]["approved"] = False
            self.check = self._checked()
            return Refusal([describe(p, checked) for p in checked.errors])
        self._decide(Decision.approved)
        return None

    def skip(self) -> None:
        """Leave the claim under review a draft (keeping any change made to it) and move on."""
        self._decide(Decision.skipped)

    def drop(self) -> None:
        """Remove the claim under review from the list when it is written, and move on."""
        self._decide(Decision.dropped)

    def undo(self) -> bool:
        """Go back to the claim decided last, as it was when it came up; False when nothing was decided yet."""
        if not self._history:
            return False
        step = self._history.pop()
        self._claims[step.index] = step.before
        del self.decisions[step.index]
        self.position = step.position
        self._came_up_as = self._snapshot()
        self.check = self._checked()
        return True

    def _decide(self, decision: Decision) -> None:
        self._history.append(_Step(self.position, self.index, self._came_up_as or {}, decision))
        self.decisions[self.index] = decision
        self.position += 1
        self._came_up_as = self._snapshot()

    def _snapshot(self) -> dict[str, Any] | None:
        """The claim that comes up now, as it is, to go back to if its decision is undone."""
        return None if self.done else copy.deepcopy(self.claim)

    # -- the result ---------------------------------------------------------------------------------------------
    def counts(self) -> dict[Decision, int]:
        return {d: sum(1 for x in self.decisions.values() if x is d) for d in Decision}

    @property
    def changes(self) -> dict[int, Any | None]:
        """What writing changes: claim index to its new content, or None where it is dropped."""
        changed: dict[int, Any | None] = {}
        for index, claim in enumerate(self._claims):
            if self.decisions.get(index) is Decision.dropped:
                changed[index] = None
            elif claim != self._original[index]:
                changed[index] = claim
        return changed

    def write(self) -> bool:
        """Write the list with every decision (atomically, private); False when there was nothing to change."""
        changes = self.changes
        if not changes:
            return False
        try:
            current = self.path.read_bytes().decode("utf-8-sig")
        except (OSError, UnicodeDecodeError):
            current = None
        if current != self.text:
            raise InvalidInput(
                f"{self.path} changed while you reviewed it (another program wrote it); your decisions were not "
                "written, so that its changes are not lost.",
                f"Review it again: safet-filer review {self.path}",
            )
        try:
            replace_private_file(self.path, rewritten(self.text, changes))
        except OSError as exc:
            raise InvalidInput(
                f"{self.path} cannot be written ({exc.strerror}); your decisions were not saved.",
                "Check that you may write in its folder, then review it again.",
            ) from None
        return True

    def _checked(self) -> ClaimCheck:
        return check_claim_data(self.path, self.data, self.settings, self.today)
