"""One claim through the SAFE-T wizard as a whole: filled up to the review step, then submitted once.

The wizard is walked as a state machine over what the page shows: look at the page (wizard_page), ask
wizard_decide for the one thing to do, do it, wait until the page changed, and again, until the review. It is
bounded: a page that does not change after an action, that comes back to a state already acted on, or a walk
longer than `STEP_BUDGET` actions fails the claim, naming what was expected and what the page offers. Each step
leaves a screenshot and a `StepSeen` (what was recognised and matched) with the caller.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol
from urllib.parse import urlsplit

from playwright.sync_api import Page

from safet_filer.flows.aria import Node
from safet_filer.flows.labels import SiteLabels
from safet_filer.flows.site import ElementMissing, SiteError, StepFailed
from safet_filer.flows.wizard import CLAIM_ID, WIZARD_PATH, Eligibility, EligibilityAnswer, RefundedItem, Review
from safet_filer.flows.wizard_decide import (
    Action,
    CheckEligibility,
    ChooseChannel,
    ChooseReason,
    Describe,
    EnterOrder,
    Fail,
    Plan,
    PressNext,
    Progress,
    ReachedReview,
    ReadItems,
    ReportRefusal,
    SelectItems,
    Upload,
    decide,
)
from safet_filer.flows.wizard_page import WizardPage
from safet_filer.flows.wizard_read import read_review, result_ids
from safet_filer.flows.wizard_state import PageState, recognise, refusal_of

STEP_BUDGET = 60  # actions in one fill; the longest walk seen takes about 25


class BrowserStopped(SiteError):
    """The browser or its page stopped answering (a crash, a kill): nothing more can be done in it."""


class ReviewGone(SiteError):
    """Before Submit: the page no longer shows the review of the claim (moved on, timed out, replaced); nothing was
    pressed, and filling the claim again is safe."""


class ResultUnclear(SiteError):
    """After Submit, the result does not say which SAFE-T claim ID the claim got (or says two): it may be filed."""


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


@dataclass(frozen=True)
class Match:
    """One element the flow looked for on a step, and what it matched there."""

    role: str
    label: str | None  # the SiteLabels field the name came from
    name: str  # the name looked for
    matched: str  # the accessible name found; "" for a control without one, found in the row showing its ASIN


@dataclass
class StepSeen:
    """One step of the wizard as the flow met it: what it took the page for, what it did and matched there."""

    step: str  # channel, order, eligibility, items, reasons, evidence, description, review
    heading: str = ""  # the page's own heading there ("" when it shows none)
    did: list[str] = field(default_factory=list)
    matched: list[Match] = field(default_factory=list)
    said: list[str] = field(default_factory=list)  # the site's statuses and alerts there


class StepReport(Protocol):
    """Who hears about the wizard's steps: each step's start (a safe point to stop at), its screenshot, and what
    was recognised and matched on it."""

    def begin(self, step: str) -> None: ...

    def shot(self, step: str, png: bytes) -> None: ...

    def seen(self, step: StepSeen) -> None: ...


class ClaimWizard:
    """The SAFE-T wizard on `page`, for one claim at a time."""

    def __init__(self, page: Page, labels: SiteLabels, base_url: str, timeout_ms: float):
        self.page = page
        self.labels = labels
        self.wizard = WizardPage(page, labels, base_url, timeout_ms)

    # -- filling, up to the review (safe to repeat: nothing is submitted) ---------------------------------------------
    def fill_to_review(self, claim: WizardClaim, report: StepReport) -> FilledClaim:
        """Fill every step up to the review page, a screenshot of each; the site's refusal when it refuses."""
        lab = self.labels
        reason, sub_reason = lab.reason_texts(claim.reason, claim.sub_reason)
        plan = Plan(claim.order_id, reason, sub_reason, claim.description, claim.tracking_id)
        progress = Progress()
        journal = Journal(report)
        report.begin("opening the wizard")
        self.wizard.load(WIZARD_PATH)  # its first look stops at a restriction
        tree, state = self.wizard.settle(None, "open the wizard")
        self.wizard.note_notices(tree)
        state = recognise(tree, lab, self.wizard.notices)
        eligibility = Eligibility(EligibilityAnswer.ELIGIBLE)
        try:
            for _ in range(STEP_BUDGET):
                journal.at(state)
                action = decide(state, plan, progress, lab)
                if isinstance(action, ReachedReview):
                    review = self._review(tree, report, journal)
                    self._accept_policy(state)
                    return FilledClaim(eligibility, progress.quantities or {}, review)
                if isinstance(action, ReportRefusal):
                    self._shot(report, "eligibility")
                    journal.leave()
                    return FilledClaim(self._refusal(action.text), {}, None)
                if isinstance(action, Fail):
                    raise self._failure(action, state)
                if isinstance(action, ReadItems):
                    items = self._with_maxima(action, state)
                    eligibility = Eligibility(EligibilityAnswer.ELIGIBLE, items=items)
                    progress.quantities = claim.choose_items(items)
                    journal.did(f"read the {len(items)} item(s) offered: {', '.join(i.asin for i in items)}")
                    continue
                files = claim.attachments() if isinstance(action, Upload) else []
                if isinstance(action, Upload):
                    progress.uploaded = tuple(f.name for f in files)
                    if not files:
                        continue
                progress.acted_on.append(state)
                self._act(action, claim, files, state, report, journal)
                progress.checked = progress.checked or isinstance(action, CheckEligibility)
                tree, state = self.wizard.settle(state, state.doing)
                if isinstance(action, CheckEligibility):
                    self._shot(report, "eligibility")
                    journal.said(state)
            raise StepFailed(
                state.doing, f"the wizard took more than {STEP_BUDGET} actions without reaching the review"
            )
        except SiteError as exc:
            journal.failed(str(exc))
            raise

    def _act(
        self,
        action: Action,
        claim: WizardClaim,
        files: list[Path],
        state: PageState,
        report: StepReport,
        journal: Journal,
    ) -> None:
        """Do `action` on the page, recording what it looked for and matched."""
        lab, page = self.labels, self.wizard
        step = state.doing
        if isinstance(action, ChooseChannel):
            report.begin("choosing the fulfillment channel")
            chooser = state.channel
            assert chooser is not None
            if chooser.role == "radiogroup":
                chosen = page.pick_radio(chooser.name, action.words, chooser.options, "channel_options", step)
            else:
                box = page.by_name("combobox", chooser.name).first
                chosen = page.choose(box, chooser.options, action.words, "channel_options", step, contains=True)
            journal.matched(chooser.role, "channel", lab.channel, chooser.name)
            journal.matched("option", "channel_options", " or ".join(action.words), chosen)
            journal.did(f"chose '{chosen}'")
        elif isinstance(action, EnterOrder):
            report.begin("entering the order")
            if state.identifier and not state.identifier.checked:
                page.by_name("radio", state.identifier.name).first.check()
            assert state.order_box is not None
            page.type_into(state.order_box.name, action.order_id, step)
            journal.matched("textbox", "order_id_box", lab.order_id_box, state.order_box.name)
            journal.did("entered the order ID")
        elif isinstance(action, CheckEligibility):
            assert state.check is not None
            self._shot(report, "order")
            report.begin("checking eligibility")
            page.press("button", state.check.name, "check eligibility")
            journal.matched("button", "check_eligibility", lab.check_eligibility, state.check.name)
            journal.did(f"pressed '{state.check.name}'")
        elif isinstance(action, SelectItems):
            report.begin("selecting items")
            for row in state.rows:
                if row.include or row.quantity:
                    page.select_row(row, action.quantities.get(row.asin), step)
                    for control, label, name in (
                        (row.include, "include_item", lab.include_item),
                        (row.quantity, "quantity", lab.quantity),
                    ):
                        if control and row.asin in action.quantities:
                            journal.matched(control.role, label, name, control.name)
            journal.did("selected " + ", ".join(f"{n} x {a}" for a, n in action.quantities.items()))
        elif isinstance(action, ChooseReason):
            report.begin("choosing reasons")
            row = next(r for r in state.rows if r.asin == action.asin)
            control = row.reason if action.label == "claim_reason" else row.sub_reason
            assert control is not None
            place = 0 if action.label == "claim_reason" else 1
            box = page.row_control(row, "combobox", control.name, place)
            code = claim.reason if action.label == "claim_reason" else claim.sub_reason
            table = "reasons" if action.label == "claim_reason" else "sub_reasons"
            chosen = page.choose(box, control.options, (action.option,), f"{table}.{code}", step)
            journal.matched("combobox", action.label, getattr(lab, action.label), control.name)
            journal.did(f"chose '{chosen}'" + (f" for {row.asin}" if row.asin else ""))
        elif isinstance(action, Upload):
            report.begin("uploading evidence")
            assert state.upload is not None
            page.upload(state.upload.name, files, step)
            journal.matched(state.upload.role, "upload", lab.upload, state.upload.name)
            journal.did(f"uploaded {', '.join(f.name for f in files)}")
        elif isinstance(action, Describe):
            report.begin("describing the claim")
            for text, control, label in (
                (action.description, state.description, "description"),
                (action.tracking_id, state.tracking, "tracking_id"),
            ):
                if text is not None and control is not None:
                    page.type_into(control.name, text, step)
                    journal.matched("textbox", label, getattr(lab, label), control.name)
                    journal.did(f"typed the {label.replace('_', ' ')}")
        elif isinstance(action, PressNext):
            assert state.next is not None
            if state.step != "eligibility":  # the answer's screenshot shows it already
                self._shot(report, state.step)
            report.begin(f"leaving the {state.step} step")
            page.press("button", state.next.name, step)
            journal.matched("button", "next", lab.next, state.next.name)
            journal.did(f"pressed '{state.next.name}'")
            journal.leave()

    def _with_maxima(self, action: ReadItems, state: PageState) -> tuple[RefundedItem, ...]:
        """The offered items, with the Quantity box's maximum as the claimable units where nothing else says them."""
        if not action.unknown_claimable:
            return action.items
        rows = {r.asin: r for r in state.rows}
        return tuple(
            RefundedItem(i.asin, i.title, self.wizard.maximum(rows[i.asin]) or 0)
            if i.asin in action.unknown_claimable
            else i
            for i in action.items
        )

    def _review(self, tree: Node, report: StepReport, journal: Journal) -> Review:
        lab = self.labels
        review = read_review(tree, lab)
        if review is None:
            shown = [n.name for n in tree.walk() if n.role in ("table", "region", "grid") and n.name]
            raise ElementMissing("read the review", "table", lab.summary_table, "summary_table", shown)
        journal.matched("table", "summary_table", lab.summary_table, lab.summary_table)
        journal.did("read the review")
        self._shot(report, "review")
        journal.leave()
        return review

    def _accept_policy(self, state: PageState) -> None:
        """Tick the policy box on the review, so that the one thing left after the person's yes is Submit (it
        submits nothing: Submit stays the only way to file)."""
        if state.policy and not state.policy.checked and not state.policy.disabled:
            self.wizard.tick(state.policy.name, "review")
            self.wizard.settle(state, "review")

    def _refusal(self, text: str) -> Eligibility:
        outcome = refusal_of(text, self.labels) or EligibilityAnswer.NOT_ELIGIBLE
        found = CLAIM_ID.search(text)
        return Eligibility(outcome, message=text, existing_claim_id=found.group(0) if found else None)

    def _failure(self, fail: Fail, state: PageState) -> StepFailed:
        if fail.role:
            return ElementMissing(fail.step, fail.role, fail.name, fail.label, state.names_of(fail.role))
        return StepFailed(fail.step, fail.why)

    # -- the one submit -------------------------------------------------------------------------------------------------
    def submit(self, order_id: str, just_before_press: Callable[[], None], timeout_ms: float) -> str:
        """From the review page of `order_id` (ReviewGone when the page no longer shows it): accept the policy, call
        `just_before_press` (the caller commits `submitting`), press Submit exactly once and return the SAFE-T claim
        ID the result shows (ResultUnclear when it is not the result's own, or not one)."""
        lab, page = self.labels, self.wizard
        looked = page.look()
        review = read_review(looked[0], lab) if looked else None
        if review is None or review.order_id.strip() != order_id:
            raise ReviewGone(f"the page no longer shows the review of order {order_id}")
        state = looked[1] if looked else PageState()
        if not state.policy:
            raise ElementMissing("review", "checkbox", lab.policy, "policy", state.names_of("checkbox"))
        if not state.policy.checked:
            page.tick(state.policy.name, "review")
            _, state = page.settle(state, "review")
        if not state.submit or state.submit.disabled:
            raise ElementMissing("review", "button", lab.submit, "submit", state.names_of("button"))
        page.notices = page.notices + state.alerts  # what the review already said is no answer to the submit
        just_before_press()
        page.check_address()  # (the look above checked for a restriction a moment ago)
        page.by_name("button", state.submit.name).first.click(timeout=page.timeout_ms)
        return self._claim_id(state, timeout_ms)

    def _claim_id(self, before: PageState, timeout_ms: float) -> str:
        """Wait for the result (or the site's refusal), then its SAFE-T claim ID: the result's own, never another's."""
        deadline = time.monotonic() + timeout_ms / 1000
        tree, state = self.wizard.settle(before, "read the result", timeout_ms)
        while not (state.result or state.alerts):
            left = (deadline - time.monotonic()) * 1000
            if left <= 0:
                raise StepFailed("read the result", "the page did not get there in time")
            tree, state = self.wizard.settle(state, "read the result", left)
        if not state.result:
            raise StepFailed("read the result", f"the site answered: {' '.join(state.alerts)}")
        shown, at = result_ids(tree, urlsplit(self.page.url).path, self.labels)
        if shown and at and shown != at:
            raise ResultUnclear(f"the result says SAFE-T claim ID {shown}, but its address says {at}")
        if not (shown or at):
            raise ResultUnclear("the result page shows no SAFE-T claim ID of its own")
        return shown or at  # type: ignore[return-value]

    def _shot(self, report: StepReport, step: str) -> None:
        report.shot(step, self.page.screenshot(full_page=True))


class Journal:
    """The `StepSeen` of each step as the flow walks it, handed to the report as each step is left."""

    def __init__(self, report: StepReport):
        self.report = report
        self.step: StepSeen | None = None

    def at(self, state: PageState) -> None:
        """The flow looks at `state`: a step other than the one it was on begins."""
        if self.step is not None and self.step.step != state.step:
            self.leave()
        if self.step is None:
            self.step = StepSeen(state.step, heading=state.headings[0] if state.headings else "")
            self.said(state)

    def said(self, state: PageState) -> None:
        if self.step is not None:
            for text in (state.eligible, state.refusal, *state.alerts):
                if text and text not in self.step.said:
                    self.step.said.append(text)

    def matched(self, role: str, label: str | None, name: str, found: str) -> None:
        if self.step is not None:
            self.step.matched.append(Match(role, label, name, found))

    def did(self, what: str) -> None:
        if self.step is not None:
            self.step.did.append(what)

    def failed(self, why: str) -> None:
        self.did(f"failed: {why}")
        self.leave()

    def leave(self) -> None:
        if self.step is not None:
            self.report.seen(self.step)
            self.step = None
