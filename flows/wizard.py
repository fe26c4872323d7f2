"""The SAFE-T new-claim wizard (`/safet-claims/create-v2`): one page object per step, locators and actions only."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Locator

from safet_filer.flows.site import (
    CLAIM_ID,
    SitePage,
    StepFailed,
    first_line,
    key_value_rows,
    table_rows,
)

WIZARD_PATH = "/safet-claims/create-v2"


@dataclass(frozen=True)
class RefundedItem:
    asin: str
    title: str
    claimable: int  # units refunded minus units already claimed


class EligibilityAnswer(StrEnum):
    """The site's answer to Check eligibility (the ledger stores its value when the site refused)."""

    ELIGIBLE = "eligible"
    CLAIM_EXISTS = "claim_exists"
    NOT_ELIGIBLE = "not_eligible"
    WINDOW_CLOSED = "window_closed"
    TOO_EARLY = "too_early"  # the only refusal asked again by a later run
    NOT_FOUND = "not_found"


@dataclass(frozen=True)
class Eligibility:
    """The site's answer to Check eligibility: items to claim, or why not."""

    outcome: EligibilityAnswer
    message: str = ""
    items: tuple[RefundedItem, ...] = ()
    existing_claim_id: str | None = None

    @property
    def eligible(self) -> bool:
        return self.outcome is EligibilityAnswer.ELIGIBLE


@dataclass(frozen=True)
class ReviewedItem:
    asin: str
    quantity: str
    reason: str
    sub_reason: str


@dataclass
class Review:
    """What the review step says will be filed, as the page shows it."""

    order_id: str
    description: str
    tracking_id: str
    documents: list[str]
    items: list[ReviewedItem] = field(default_factory=list)


class OrderStep(SitePage):
    """Step 1: choose the identifier, enter the order ID, check eligibility."""

    STEP = "enter the order"

    @property
    def order_id_box(self) -> Locator:
        return self.page.get_by_role("textbox", name=self.labels.order_id_box, exact=True)

    @property
    def identifier_order_id(self) -> Locator:
        group = self.page.get_by_role("radiogroup", name=self.labels.identifier)
        return group.get_by_role("radio", name=self.labels.order_id_radio, exact=True)

    def open(self) -> None:
        self.goto(WIZARD_PATH)
        self.wait_for(self.order_id_box, self.STEP)

    def enter(self, order_id: str) -> None:
        self.check_site()
        try:
            if self.identifier_order_id.count():
                self.identifier_order_id.check(timeout=self.timeout_ms)
            self.order_id_box.fill(order_id, timeout=self.timeout_ms)
        except PlaywrightError as exc:
            raise StepFailed(self.STEP, f"could not type the order ID ({first_line(exc)})") from None

    def check_eligibility(self) -> Eligibility:
        self.click(self.button(self.labels.check_eligibility), self.STEP)
        items_table = self.page.get_by_role("table", name=self.labels.items_table)
        answer = self.page.get_by_role("alert").filter(visible=True)
        self.wait_for(items_table.or_(answer), "check eligibility")
        if items_table.is_visible():
            return Eligibility(EligibilityAnswer.ELIGIBLE, items=tuple(self._refunded_items(items_table)))
        return self._refusal(answer)

    def _refunded_items(self, table: Locator) -> list[RefundedItem]:
        lab = self.labels
        items = []
        for row in table_rows(table):
            refunded = _number(row.get(lab.col_refunded, ""))
            claimed = _number(row.get(lab.col_already_claimed, "")) or 0
            items.append(
                RefundedItem(
                    asin=row.get(lab.col_asin, "").strip(),
                    title=row.get(lab.col_title, "").strip(),
                    claimable=max((refunded or 0) - claimed, 0),
                )
            )
        return items

    def _refusal(self, answer: Locator) -> Eligibility:
        lab = self.labels
        text = " ".join(t.strip() for t in answer.all_inner_texts()).strip()
        for outcome, opening in (
            (EligibilityAnswer.CLAIM_EXISTS, lab.claim_exists),
            (EligibilityAnswer.NOT_ELIGIBLE, lab.not_eligible),
            (EligibilityAnswer.WINDOW_CLOSED, lab.window_closed),
            (EligibilityAnswer.TOO_EARLY, lab.too_early),
            (EligibilityAnswer.NOT_FOUND, lab.not_found),
        ):
            if opening.lower() in text.lower():
                found = CLAIM_ID.search(text)
                return Eligibility(outcome, message=text, existing_claim_id=found.group(0) if found else None)
        raise StepFailed("check eligibility", f"the site answered: {text or 'nothing'}")


class ItemsStep(SitePage):
    """Step 2: include each item to claim and set its quantity."""

    STEP = "select items"

    @property
    def table(self) -> Locator:
        return self.page.get_by_role("table", name=self.labels.items_table)

    def row(self, asin: str) -> Locator:
        return self.table.get_by_role("row").filter(has_text=asin)

    def select(self, quantities: dict[str, int]) -> None:
        """Include exactly the ASINs in `quantities`, each with its quantity; leave every other row out."""
        self.check_site()
        lab = self.labels
        try:
            for asin, quantity in quantities.items():
                row = self.row(asin)
                row.get_by_role("checkbox", name=lab.include_item).check(timeout=self.timeout_ms)
                row.get_by_role("spinbutton", name=lab.quantity).fill(str(quantity), timeout=self.timeout_ms)
            included = self.page.get_by_role("checkbox", name=lab.include_item, checked=True)
            others = self.table.get_by_role("row").filter(has=included)
            for asin in quantities:
                others = others.filter(has_not_text=asin)
            for row in others.all():
                row.get_by_role("checkbox", name=lab.include_item).uncheck(timeout=self.timeout_ms)
        except PlaywrightError as exc:
            raise StepFailed(self.STEP, first_line(exc)) from None

    def next(self) -> None:
        self.click(self.button(self.labels.next), self.STEP)
        self.wait_for(self.page.get_by_role("table", name=self.labels.reasons_table), self.STEP)


class ReasonStep(SitePage):
    """Step 3: a claim reason (and sub-reason where it has them) for every included item."""

    STEP = "choose reasons"

    @property
    def table(self) -> Locator:
        return self.page.get_by_role("table", name=self.labels.reasons_table)

    def choose(self, asin: str, reason: str, sub_reason: str | None) -> None:
        self.check_site()
        row = self.table.get_by_role("row").filter(has_text=asin)
        self._choose_option(row.get_by_role("combobox", name=self.labels.claim_reason, exact=True), reason)
        if sub_reason:
            self._choose_option(row.get_by_role("combobox", name=self.labels.claim_sub_reason, exact=True), sub_reason)

    def _choose_option(self, combobox: Locator, option: str) -> None:
        """Pick `option` from a drop-down, whether the site draws it as a native select or as a listbox."""
        try:
            if combobox.evaluate("e => e.tagName") == "SELECT":
                combobox.select_option(label=option, timeout=self.timeout_ms)
                return
            combobox.click(timeout=self.timeout_ms)
            self.page.get_by_role("option", name=option, exact=True).filter(visible=True).first.click(
                timeout=self.timeout_ms
            )
        except PlaywrightError as exc:
            raise StepFailed(self.STEP, f"could not choose '{option}' ({first_line(exc)})") from None

    def next(self) -> None:
        self.click(self.button(self.labels.next), self.STEP)
        self.wait_for(self.page.get_by_role("textbox", name=self.labels.description, exact=True), self.STEP)


class EvidenceStep(SitePage):
    """Step 4: supporting documents, description and, where the reason needs it, a tracking ID."""

    STEP = "add evidence"

    @property
    def uploads(self) -> Locator:
        return self.page.get_by_label(self.labels.upload, exact=True)

    @property
    def uploaded(self) -> Locator:
        return self.page.get_by_role("list", name=self.labels.uploaded_files)

    def upload(self, files: list[Path]) -> None:
        """Choose the files, then wait until the page lists every one (or says why it refused one)."""
        if not files:
            return
        self.check_site()
        try:
            self.uploads.set_input_files([str(f) for f in files], timeout=self.timeout_ms)
        except PlaywrightError as exc:
            raise StepFailed(self.STEP, f"could not choose the files ({first_line(exc)})") from None
        for f in files:
            listed = self.uploaded.get_by_role("listitem").filter(has_text=f.name)
            self.wait_for(listed.or_(self.page.get_by_role("alert").filter(visible=True)), self.STEP)
            refused = self.alert_text()
            if refused:
                raise StepFailed(self.STEP, f"the site refused {f.name}: {refused}")

    def describe(self, description: str, tracking_id: str | None) -> None:
        self.check_site()
        try:
            self.page.get_by_role("textbox", name=self.labels.description, exact=True).fill(
                description, timeout=self.timeout_ms
            )
            if tracking_id:
                self.page.get_by_role("textbox", name=self.labels.tracking_id, exact=True).fill(
                    tracking_id, timeout=self.timeout_ms
                )
        except PlaywrightError as exc:
            raise StepFailed(self.STEP, first_line(exc)) from None

    def next(self) -> None:
        """Next, to the review step: the site prepares the claim first, and says so in an alert when it cannot."""
        self.click(self.button(self.labels.next), self.STEP)
        summary = self.page.get_by_role("table", name=self.labels.summary_table)
        self.wait_for(summary.or_(self.page.get_by_role("alert").filter(visible=True)), self.STEP)
        refused = None if summary.is_visible() else self.alert_text()
        if refused:
            raise StepFailed(self.STEP, f"the site did not prepare the review: {refused}")


class ReviewStep(SitePage):
    """Step 5: what the site is about to file; the policy box; Submit."""

    STEP = "review"

    def read(self) -> Review:
        lab = self.labels
        summary = key_value_rows(self.page.get_by_role("table", name=lab.summary_table))
        items = [
            ReviewedItem(
                asin=row.get(lab.col_asin, ""),
                quantity=row.get(lab.col_quantity, ""),
                reason=row.get(lab.col_claim_reason, ""),
                sub_reason=row.get(lab.col_claim_sub_reason, ""),
            )
            for row in table_rows(self.page.get_by_role("table", name=lab.review_items_table))
        ]
        documents = summary.get(lab.summary_documents, "")
        return Review(
            order_id=summary.get(lab.summary_order_id, ""),
            description=summary.get(lab.summary_description, ""),
            tracking_id=summary.get(lab.summary_tracking_id, ""),
            documents=[d.strip() for d in documents.split(",") if d.strip() and d.strip() != lab.none_shown],
            items=items,
        )

    def accept_policy(self) -> None:
        self.check_site()
        try:
            self.page.get_by_role("checkbox", name=self.labels.policy).check(timeout=self.timeout_ms)
        except PlaywrightError as exc:
            raise StepFailed(self.STEP, f"could not tick the policy box ({first_line(exc)})") from None

    def press_submit(self) -> None:
        """Press Submit once. Never call twice for one claim: whatever happens after is for the caller to find out."""
        self.check_site()
        self.button(self.labels.submit).click(timeout=self.timeout_ms)


class ResultPage(SitePage):
    """Where the browser lands after Submit: the new claim's page with its SAFE-T claim ID."""

    STEP = "read the result"

    def claim_id(self, timeout_ms: float) -> str:
        heading = self.page.get_by_role("heading", name=self.labels.submitted_heading)
        refused = self.page.get_by_role("alert").filter(visible=True)
        self.wait_for(heading.or_(refused), self.STEP, timeout_ms=timeout_ms)
        if not heading.is_visible():
            raise StepFailed(self.STEP, f"the site answered: {self.alert_text() or 'nothing'}")
        shown = self.page.get_by_text(CLAIM_ID).first
        found = CLAIM_ID.search(shown.inner_text() if shown.count() else "") or CLAIM_ID.search(self.page.url)
        if not found:
            raise StepFailed(self.STEP, "the result page shows no SAFE-T claim ID")
        return found.group(0)


def _number(text: str) -> int | None:
    found = re.search(r"\d+", text.replace(",", ""))
    return int(found.group(0)) if found else None
