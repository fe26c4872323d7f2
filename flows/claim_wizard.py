"""One claim through the SAFE-T wizard as a whole: filled up to the review step, then submitted once.

The steps' order is this module's business: its callers hand over a `WizardClaim` and get back what the
site answered and what the review page shows, so that how the wizard is walked can change without them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from playwright.sync_api import Page

from safet_filer.flows.labels import SiteLabels
from safet_filer.flows.site import SiteError
from safet_filer.flows.wizard import (
    Eligibility,
    EvidenceStep,
    ItemsStep,
    OrderStep,
    ReasonStep,
    RefundedItem,
    ResultPage,
    Review,
    ReviewStep,
)


class BrowserStopped(SiteError):
    """The browser or its page stopped answering (a crash, a kill): nothing more can be done in it."""


@dataclass(frozen=True)
class WizardClaim:
    """What one claim puts into the wizard. The two callables are the claim's own rules, asked at the moment the
    wizard needs them: which of the offered items to claim (may refuse the claim), and its evidence files
    (checked again just before upload)."""

    order_id: str
    reason: str  # the site's reason code, e.g. "ADMGD"
    sub_reason: str | None  # its sub-reason code, where the reason has them
    description: str
    tracking_id: str | None
    choose_items: Callable[[tuple[RefundedItem, ...]], dict[str, int]]  # offered items -> ASIN: quantity
    attachments: Callable[[], list[Path]]


@dataclass(frozen=True)
class FilledClaim:
    """How far the wizard got: the eligibility answer and, when eligible, the quantities chosen and the review."""

    eligibility: Eligibility
    quantities: dict[str, int]
    review: Review | None  # None when the site refused the order


class StepReport(Protocol):
    """Who hears about the wizard's steps: each step's start (a safe point to stop at) and its screenshot."""

    def begin(self, step: str) -> None: ...

    def shot(self, step: str, png: bytes) -> None: ...


class ClaimWizard:
    """The SAFE-T wizard on `page`, for one claim at a time."""

    def __init__(self, page: Page, labels: SiteLabels, base_url: str, timeout_ms: float):
        self.page = page
        self.labels = labels
        self.args = (page, labels, base_url, timeout_ms)

    def fill_to_review(self, claim: WizardClaim, report: StepReport) -> FilledClaim:
        """Fill every step up to the review page (safe to repeat: nothing is submitted), a screenshot after each."""
        order = OrderStep(*self.args)
        report.begin("entering the order")
        order.open()
        order.enter(claim.order_id)
        self._shot(report, "order")
        eligibility = order.check_eligibility()
        self._shot(report, "eligibility")
        if not eligibility.eligible:
            return FilledClaim(eligibility, {}, None)
        quantities = claim.choose_items(eligibility.items)
        report.begin("selecting items")
        items = ItemsStep(*self.args)
        items.select(quantities)
        self._shot(report, "items")
        items.next()
        report.begin("choosing reasons")
        reasons = ReasonStep(*self.args)
        reason, sub_reason = self.labels.reason_texts(claim.reason, claim.sub_reason)
        for asin in quantities:
            reasons.choose(asin, reason, sub_reason)
        self._shot(report, "reasons")
        reasons.next()
        report.begin("uploading evidence")
        evidence = EvidenceStep(*self.args)
        evidence.upload(claim.attachments())
        evidence.describe(claim.description, claim.tracking_id)
        self._shot(report, "evidence")
        evidence.next()
        review = ReviewStep(*self.args).read()
        self._shot(report, "review")
        return FilledClaim(eligibility, quantities, review)

    def submit(self, just_before_press: Callable[[], None], timeout_ms: float) -> str:
        """From the review page: accept the policy, call `just_before_press` (the caller commits `submitting`),
        press Submit exactly once and return the SAFE-T claim ID the result shows."""
        review = ReviewStep(*self.args)
        review.accept_policy()
        just_before_press()
        review.press_submit()
        return ResultPage(*self.args).claim_id(timeout_ms)

    def _shot(self, report: StepReport, step: str) -> None:
        report.shot(step, self.page.screenshot(full_page=True))
