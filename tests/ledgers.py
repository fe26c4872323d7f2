"""Ledgers built through the API for the follow-up tests: the `ledger` in a test's folder, and a claim filed in it as
`run` files one (pending, ready, submitting with the person's yes, filed with its SAFE-T claim ID)."""

from decimal import Decimal

from safet_filer.ledger import State
from safet_filer.money import Money

US = "US"


def file_claim(ledger, order, claim, claimed="20.00", deadline=None, currency="USD"):
    ledger.move(US, order, State.PENDING, claimed=Money(Decimal(claimed), currency), filing_deadline=deadline)
    ledger.move(US, order, State.READY)
    ledger.move(US, order, State.SUBMITTING, confirmed_by="person")
    return ledger.move(US, order, State.FILED, claim_id=claim, message=f"Filed as SAFE-T claim {claim}.")
