"""What one claim's course works on and gets from its run: the site (`ClaimSite`, the browser session in a run, an
in-process fake in the tests), the `CourseContext`, and what an earlier run's ledger entry says of the claim.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from safet_filer.confirm import Decision, Proposal
from safet_filer.flows.claim_wizard import FilledClaim, StepReport, WizardClaim
from safet_filer.flows.labels import SiteLabels
from safet_filer.flows.picker import PickedElement
from safet_filer.flows.site import ElementMissing
from safet_filer.flows.wizard import EligibilityAnswer
from safet_filer.ledger import NEEDS_RECONCILING, Entry, Ledger, State
from safet_filer.reconcile import DashboardSite
from safet_filer.report import FailureEvidence, RunFolder
from safet_filer.settings import Settings


class ClaimSite(DashboardSite, Protocol):
    """The site as one claim's course sees it: the whole wizard, never its single steps.

    Every method raises the flows' `SiteError`s: `SignInRequired`, `AutomationRestricted`, `LeftSite`, `StepFailed`
    (repeating is safe) and `BrowserStopped` (the browser is gone; `restart` gives a new one)."""

    labels: SiteLabels
    headed: bool  # a person can sign in in its window

    @property
    def opened(self) -> int: ...  # how often the browser was started or signed in to again (older pages are stale)

    def other_tab(self) -> ClaimSite: ...  # the same site on the browser's other tab

    def fill_to_review(self, claim: WizardClaim, report: StepReport) -> FilledClaim: ...

    def front(self) -> None: ...  # show this tab in the window (headed)

    def keep_awake(self) -> None: ...  # a light touch while the person reads, so that the submit meets no cold start

    # the one submit, from the review of `order_id` (ReviewGone when the page no longer shows it)
    def submit(self, order_id: str, just_before_press: Callable[[], None], timeout_s: float) -> str: ...

    def wait_until_signed_in(self) -> bool: ...

    def screenshot(self) -> bytes: ...

    def failure_evidence(self) -> FailureEvidence: ...

    def pick(self, timeout_s: float, armed: Callable[[], None]) -> PickedElement | None: ...  # the next click

    def trace_start(self, title: str) -> None: ...

    def trace_stop(self, keep_at: Path | None) -> None: ...


@dataclass(frozen=True)
class CourseContext:
    """What one claim's course gets from its run: where it works and records, and how it reaches the person."""

    site: ClaimSite
    ledger: Ledger
    folder: RunFolder
    settings: Settings
    base_url: str
    marketplace: str
    rehearse: bool  # fill every step, never press Submit
    confirmed_by: str  # "person" or "auto", recorded with each submit
    ask: Callable[[Proposal], Decision]  # put the claim to the person
    step: Callable[[str], None]  # a step begins: a safe point to stop at after Ctrl-C, news for the progress display
    with_person: Callable[[], AbstractContextManager[None]]  # the person reads or acts: display held, Ctrl-C stops
    tell: Callable[[str], None]  # a line for the person at the terminal
    pace: Callable[[], None]  # just before a submit: wait out the least time between submits (real hosts)
    # work on this claim's tab that may wait while the person reads the next claim (evidence, never an outcome)
    later: Callable[[Callable[[], None]], None]
    # the person shows the element a step could not find (headed, at a terminal): the labels with its word, or None
    learn: Callable[[ElementMissing, str], SiteLabels | None] | None = None
    config_file: Path | None = None  # the settings file given with --config (named in the failure's hint)


def refused_for_good(entry: Entry) -> bool:
    """Seller Central refused the order in an earlier run for a reason that will not change (only too early may)."""
    return entry.state == State.INELIGIBLE and entry.outcome != EligibilityAnswer.TOO_EARLY


def may_have_been_submitted(entry: Entry) -> bool:
    """An earlier submit may have reached the site: the dashboard is looked at before anything else is done."""
    return entry.state in NEEDS_RECONCILING or entry.submit_attempts > 0
