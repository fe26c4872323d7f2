"""The SAFE-T claims dashboard (`/safet-claims`): the claims already filed for an order, and every claim, page by page."""

from __future__ import annotations

import re
from dataclasses import dataclass

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Locator, expect

from safet_filer.errors import first_line
from safet_filer.flows.site import SitePage, StepFailed, table_rows

DASHBOARD_PATH = "/safet-claims"


@dataclass(frozen=True)
class FiledClaim:
    claim_id: str
    order_id: str
    claim_date: str
    status: str
    reimbursement: str


class Dashboard(SitePage):
    STEP = "search the dashboard"

    @property
    def table(self) -> Locator:
        return self.page.get_by_role("table", name=self.labels.claims_table)

    @property
    def search_box(self) -> Locator:
        return self.page.get_by_role("searchbox", name=self.labels.search_box)

    @property
    def data_rows(self) -> Locator:
        return self.table.get_by_role("row").filter(has=self.page.get_by_role("cell"))

    @property
    def no_claims(self) -> Locator:
        return self.page.get_by_text(self.labels.no_claims, exact=True)

    @property
    def busy(self) -> Locator:
        """A progress message ("Loading claims…") while the list is being fetched."""
        return self.page.get_by_role("status").filter(has_text=re.compile(r"\S"))

    def open(self) -> None:
        self.goto(DASHBOARD_PATH)
        self.wait_for(self.search_box, self.STEP)
        # The page lists claims by itself once loaded: let that finish, so that a search's answer is never
        # mistaken for the first list (or an empty table still loading for "no claim").
        self._wait_until_listed("the claims list did not load")

    def claims_for(self, order_id: str) -> list[FiledClaim]:
        """Every claim the dashboard lists for `order_id` (an answer only once the search has finished)."""
        self.open()
        try:
            self.search_box.fill(order_id, timeout=self.timeout_ms)
            self.search_box.press("Enter", timeout=self.timeout_ms)
        except PlaywrightError as exc:
            self.check_site()
            raise StepFailed(self.STEP, f"could not search for {order_id} ({first_line(exc)})") from None
        self._wait_until_listed(f"the search for {order_id} did not finish")
        try:
            expect(self.data_rows.filter(has_not_text=order_id)).to_have_count(0, timeout=self.timeout_ms)
        except AssertionError:
            self.check_site()
            raise StepFailed(
                self.STEP, f"the dashboard still lists other orders after searching for {order_id}"
            ) from None
        self.check_site()
        return [row for row in self._rows() if row.order_id == order_id]

    def every_claim(self, days: int, page_size: int = 100) -> list[FiledClaim]:
        """Every claim the dashboard lists for the last `days` days, through every page (Next page until it is
        disabled or gone); a claim listed on two pages (the list moved while it was read) is given once."""
        self.goto(f"{DASHBOARD_PATH}?pageSize={page_size}&dateFilterValue={days}")
        self.wait_for(self.search_box, self.STEP)
        self._wait_until_listed("the claims list did not load")
        found: dict[str, FiledClaim] = {}
        while True:
            rows = self._rows()
            for row in rows:
                found.setdefault(row.claim_id, row)
            next_page = self.button(self.labels.next_page)
            if not rows or not next_page.count() or not next_page.first.is_enabled():
                return list(found.values())
            self.click(next_page.first, self.STEP)
            try:  # the next page has rows of its own: wait until the first one is another claim
                expect(self.data_rows.first).not_to_contain_text(rows[0].claim_id, timeout=self.timeout_ms)
            except AssertionError:
                self.check_site()
                raise StepFailed(self.STEP, "the next page of claims did not load") from None
            self._wait_until_listed("the next page of claims did not load")

    def _rows(self) -> list[FiledClaim]:
        lab = self.labels
        try:
            rows = table_rows(self.table)
        except PlaywrightError as exc:
            self.check_site()
            raise StepFailed(self.STEP, f"could not read the claims ({first_line(exc)})") from None
        return [
            FiledClaim(
                claim_id=row.get(lab.col_claim_id, ""),
                order_id=row.get(lab.col_order_id, ""),
                claim_date=row.get(lab.col_claim_date, ""),
                status=row.get(lab.col_status, ""),
                reimbursement=row.get(lab.col_reimbursement, ""),
            )
            for row in rows
            if row.get(lab.col_claim_id)
        ]

    def _wait_until_listed(self, what: str) -> None:
        """Wait until the list is settled: no progress message, then rows or "No claims found"; an alert (the site
        could not list the claims) is a failed step, never an empty answer."""
        try:
            expect(self.busy).to_have_count(0, timeout=self.timeout_ms)
            settled = self.data_rows.or_(self.no_claims).or_(self.page.get_by_role("alert")).or_(self._stop_signs)
            expect(settled.first).to_be_visible(timeout=self.timeout_ms)
            expect(self.busy).to_have_count(0, timeout=self.timeout_ms)
        except (AssertionError, PlaywrightError) as exc:
            self.check_site()
            raise StepFailed(self.STEP, f"{what} ({first_line(exc)})") from None
        self.check_site()
        refused = self.alert_text()
        if refused:
            raise StepFailed(self.STEP, f"{what}: the site answered: {refused}")

    def wait_until_signed_in(self, timeout_ms: float) -> None:
        """Wait, as long as the person needs, until the dashboard shows (they are signing in in the window)."""
        try:
            expect(self.search_box).to_be_visible(timeout=timeout_ms)
        except AssertionError:
            raise StepFailed("sign in", "the dashboard did not appear before the time ran out") from None
