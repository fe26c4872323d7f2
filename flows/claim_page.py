"""One SAFE-T claim's page (`/safet-claims/claim/<id>`): its status, amount and Amazon's comment."""

from __future__ import annotations

from safet_filer.flows.site import SitePage, key_value_rows


class ClaimPage(SitePage):
    STEP = "read the claim"

    def read(self, claim_id: str) -> dict[str, str]:
        """The claim's details as the page labels them (SAFE-T claim ID, Claim status, Reimbursement amount …)."""
        self.goto(f"/safet-claims/claim/{claim_id}")
        table = self.page.get_by_role("table", name=self.labels.claim_details_table)
        self.wait_for(table, self.STEP)
        return key_value_rows(table)
