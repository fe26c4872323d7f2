"""The refunded amount where a run shows a claim: the confirmation panel and report.html, with totals per currency."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

from rich.console import Console

from safet_filer.confirm import Proposal, render
from safet_filer.report import ClaimRecord, render_report


def proposal(**money) -> Proposal:
    return Proposal(
        label="claims[0] (order 113-1234567-1234567)",
        deadline="2026-12-21",
        order_id="113-1234567-1234567",
        items=[("B07XJ8C8F5", "1", "Refunded, item not returned", "No carrier scan of the return")],
        description="Never came back.",
        tracking_id="",
        documents=[],
        screenshot=Path("06-review.png"),
        site="http://127.0.0.1:8765",
        **money,
    )


def shown(panel) -> str:
    out = io.StringIO()
    Console(file=out, width=120, color_system=None).print(panel)
    return out.getvalue()


def test_the_confirmation_panel_shows_the_refunded_amount_when_the_claim_has_one():
    with_money = shown(render(proposal(refunded_amount=Decimal("1119.9"), currency="USD")))
    assert "│ Refunded     1,119.90 USD" in with_money
    assert "│ Refunded " not in shown(render(proposal()))  # a claim list without money shows no empty row


def test_the_report_shows_each_claims_amount_and_totals_per_currency():
    records = [
        ClaimRecord(0, "113-0000001-0000001", "damaged", state="filed", refunded_amount="19.99", currency="USD"),
        ClaimRecord(1, "113-0000002-0000002", "damaged", state="skipped", refunded_amount="5.01", currency="USD"),
        ClaimRecord(2, "113-0000003-0000003", "damaged", state="filed", refunded_amount="30", currency="EUR"),
        ClaimRecord(3, "113-0000004-0000004", "damaged", state="filed"),  # a list from before amounts
    ]
    page = render_report(records, {"run_id": "r"})
    assert "<dt>Refunded</dt><dd>19.99 USD</dd>" in page
    assert "<dt>Refunded</dt><dd>—</dd>" in page
    assert (
        "Refunded to buyers: 30.00 EUR, 25.00 USD in these claims; 30.00 EUR, 19.99 USD in the claims filed in this run."
        in page
    )
    assert "Refunded to buyers" not in render_report(records[3:], {"run_id": "r"})
