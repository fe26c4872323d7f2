"""A claim filled ahead: up to its review, on a second tab, while the person is asked about the claim before it.

What the fill met is held here, in memory, until the claim's turn: the fill (at the review, or at the site's
refusal), or the error it stopped at, with the screenshots and steps taken up to there and the evidence of the
page as it failed. Nothing of it is in the ledger or the run folder before then, so a run that stops first (quit,
Ctrl-C) leaves what it would have left had the claim never been filled ahead; and in its turn the claim's course
takes what is held as the outcome of its first fill, with the retries, sign-in waits and failure records that a
fill at that moment would have had.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from safet_filer.claims import CheckedClaim
from safet_filer.confirm import Decision
from safet_filer.course_context import ClaimSite
from safet_filer.flows.claim_wizard import FilledClaim, StepSeen
from safet_filer.flows.site import SiteError
from safet_filer.report import FailureEvidence
from safet_filer.wizard_claim import ClaimProblem, wizard_claim


class StopFillingAhead(Exception):
    """The person answered quit while the next claim was being filled ahead: the fill is given up at its next step."""


@dataclass(frozen=True)
class FilledAhead:
    """What one fill ahead met: `filled`, or the `error` it stopped at (and the page's evidence then)."""

    shots: list[tuple[str, bytes]]  # each step's screenshot, in the order taken
    steps: list[StepSeen]
    opened: int  # the site's `opened` count when it was filled: a restart or a sign-in since makes a review stale
    filled: FilledClaim | None = None
    error: Exception | None = None  # a SiteError or the claim's own problem with what the site offers
    evidence: FailureEvidence | None = None  # the page where `error` struck
    trace: bytes | None = None  # the browser's trace up to `error`


@dataclass
class HeldSteps:
    """What the wizard reports while it fills ahead, held for the claim's turn instead of written down. Each step's
    start is still a safe point (Ctrl-C stops there) and gives the fill up once the person has answered quit."""

    order_id: str
    step: Callable[[str], None]  # the run's step: a safe point to stop at, news for the log
    quitting: Callable[[], bool]  # whether the person answered quit meanwhile
    shots: list[tuple[str, bytes]] = field(default_factory=list)
    steps: list[StepSeen] = field(default_factory=list)

    def begin(self, step: str) -> None:
        if self.quitting():
            raise StopFillingAhead
        self.step(f"{self.order_id}: {step} (filling ahead)")

    def shot(self, step: str, png: bytes) -> None:
        self.shots.append((step, png))

    def seen(self, step: StepSeen) -> None:
        self.steps.append(step)


def fill_ahead(
    site: ClaimSite,
    checked: CheckedClaim,
    step: Callable[[str], None],
    answered: Callable[[], Decision | None],
    trace_aside: Path,
) -> FilledAhead | None:
    """Fill `checked` up to its review on `site` (its own tab) while the person is asked about the claim before it
    (`answered`: their answer so far); what it met, or None when the person answered quit before it was done.
    `trace_aside` is where the trace up to a failure is written a moment (it is held in memory, then removed)."""
    if answered() is Decision.QUIT:
        return None
    held = HeldSteps(checked.order_id, step, lambda: answered() is Decision.QUIT)
    opened = site.opened
    try:
        filled = site.fill_to_review(wizard_claim(checked), held)
    except StopFillingAhead:
        return None
    except (SiteError, ClaimProblem) as exc:
        evidence, trace = site.failure_evidence(), _trace_so_far(site, trace_aside, checked.order_id)
        return FilledAhead(held.shots, held.steps, opened, error=exc, evidence=evidence, trace=trace)
    return FilledAhead(held.shots, held.steps, opened, filled=filled)


def _trace_so_far(site: ClaimSite, aside: Path, order_id: str) -> bytes | None:
    """The browser's trace up to a failure filling ahead (the claim before it included); tracing goes on after."""
    site.trace_stop(aside)
    site.trace_start(f"after {order_id} was filled ahead")
    if not aside.exists():
        return None
    data = aside.read_bytes()
    aside.unlink()
    return data
