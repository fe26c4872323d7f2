"""The SAFE-T claims dashboard (`/safet-claims`): finding the claims already filed for an order."""

from __future__ import annotations

from dataclasses import dataclass

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Locator, expect

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

    def open(self) -> None:
        self.goto(DASHBOARD_PATH)
        self.wait_for(self.search_box, self.STEP)

    def claims_for(self, order_id: str) -> list[FiledClaim]:
        """Every claim the dashboard lists for `order_id` (searching waits until only matches are listed)."""
        self.open()
        try:
            self.search_box.fill(order_id, timeout=self.timeout_ms)
            self.search_box.press("Enter", timeout=self.timeout_ms)
            data_rows = self.table.get_by_role("row").filter(has=self.page.get_by_role("cell"))
            expect(data_rows.filter(has_not_text=order_id)).to_have_count(0, timeout=self.timeout_ms)
        except (AssertionError, PlaywrightError) as exc:
            self.check_site()
            raise StepFailed(self.STEP, f"the search for {order_id} did not finish ({exc})") from None
        self.check_site()
        lab = self.labels
        return [
            FiledClaim(
                claim_id=row.get(lab.col_claim_id, ""),
                order_id=row.get(lab.col_order_id, ""),
                claim_date=row.get(lab.col_claim_date, ""),
                status=row.get(lab.col_status, ""),
                reimbursement=row.get(lab.col_reimbursement, ""),
            )
            for row in table_rows(self.table)
            if row.get(lab.col_order_id, "") == order_id
        ]

    def wait_until_signed_in(self, timeout_ms: float) -> None:
        """Wait, as long as the person needs, until the dashboard shows (they are signing in in the window)."""
        try:
            expect(self.search_box).to_be_visible(timeout=timeout_ms)
        except AssertionError:
            raise StepFailed("sign in", "the dashboard did not appear before the time ran out") from None
