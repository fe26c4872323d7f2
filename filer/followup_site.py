"""What Seller Central shows of a SAFE-T claim after filing: its status in the site's words, where a fact was read,
the claim as last seen, and a change of one of its fields. Stored and compared by `followup.FollowUp`."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Final

from safet_filer.ledger import LedgerError
from safet_filer.money import Money


class SiteStatus(StrEnum):
    """A claim's status as Seller Central words it (some marketplaces group Granted and Denied as Resolved)."""

    UNDER_INVESTIGATION = "Under investigation"
    AWAITING_RESPONSE = "Awaiting seller response"
    GRANTED = "Granted"
    DENIED = "Denied"
    RESOLVED = "Resolved"

    @classmethod
    def from_text(cls, text: str) -> SiteStatus:
        """The status a page or report shows, whatever its case and spacing."""
        wanted = " ".join(text.split()).casefold()
        for status in cls:
            if status.value.casefold() == wanted:
                return status
        raise LedgerError(
            f"Seller Central shows the claim status '{text}', which safet-filer does not know.",
            "Nothing was recorded for this claim. Report the status to safet-filer's maintainers.",
        )


DECIDED = {SiteStatus.GRANTED, SiteStatus.DENIED, SiteStatus.RESOLVED}


class Source(StrEnum):
    """Where a fact about a claim was read."""

    DASHBOARD = "dashboard"
    CLAIM_PAGE = "claim_page"
    REPORT = "report"


class NotShown:
    def __repr__(self) -> str:
        return "NOT_SHOWN"


NOT_SHOWN: Final = NotShown()  # the source does not show this field (unlike None: it shows it empty)


@dataclass(frozen=True)
class Change:
    """One field of a claim's site view that changed: from `before` to `after` (texts; None when empty)."""

    field: str
    before: str | None
    after: str | None
    source: str | None = None
    at: str | None = None


@dataclass(frozen=True)
class SiteClaim:
    """A SAFE-T claim as Seller Central last showed it."""

    marketplace: str
    claim_id: str
    order_id: str
    status: SiteStatus | None
    reimbursed: Money | None
    comment: str | None
    reply_by: date | None
    appeal_by: date | None
    source: Source
    seen_at: str


SITE_COLUMNS = "marketplace, claim_id, order_id, status, reimbursed_amount, reimbursed_currency, comment, reply_by, appeal_by, source, seen_at"


def site_claim_from_row(row: sqlite3.Row) -> SiteClaim:
    reimbursed = (
        Money(Decimal(row["reimbursed_amount"]), row["reimbursed_currency"])
        if row["reimbursed_amount"] is not None
        else None
    )
    return SiteClaim(
        marketplace=row["marketplace"],
        claim_id=row["claim_id"],
        order_id=row["order_id"],
        status=SiteStatus(row["status"]) if row["status"] else None,
        reimbursed=reimbursed,
        comment=row["comment"],
        reply_by=date.fromisoformat(row["reply_by"]) if row["reply_by"] else None,
        appeal_by=date.fromisoformat(row["appeal_by"]) if row["appeal_by"] else None,
        source=Source(row["source"]),
        seen_at=row["seen_at"],
    )
