"""What the SAFE-T new-claim wizard (`/safet-claims/create-v2`) offers and answers, as data: the refunded items, the
eligibility answer, the review. (Reading them off the page is wizard_state's; walking the wizard, claim_wizard's.)"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum

WIZARD_PATH = "/safet-claims/create-v2"
CLAIM_PATH = "/safet-claims/claim/"  # + the SAFE-T claim ID: a claim's page, where a submit lands
CLAIM_ID = re.compile(r"\b\d{5}-\d{5}-\d{7}\b")


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


def number_in(text: str) -> int | None:
    """The first whole number in a text ("2", "Refunded: 2", "up to 1,200"), or None."""
    found = re.search(r"\d+", text.replace(",", ""))
    return int(found.group(0)) if found else None
