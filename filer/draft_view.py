"""How `draft` shows what it drafted: the claims with suggestion and deadline, the orders left out, money totals."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from safet_filer.draft import Draft, DraftClaim

if TYPE_CHECKING:
    from rich.console import Console


def print_draft(draft: Draft, output: Path, today: date, console: Console) -> None:
    from rich.table import Table

    report = draft.report
    rows = len(report.rows)
    console.print(
        f"[bold]{report.path}[/]: {rows} returned item{_s(rows)} in {len(draft.claims) + len(draft.left_out)} "
        f"order{_s(len(draft.claims) + len(draft.left_out))}, marketplace {draft.marketplace}, drafted on {today}."
    )
    if draft.claims:
        table = Table(title=f"Drafted: {len(draft.claims)} claim{_s(len(draft.claims))}, none approved yet", **_TABLE)
        for column in ("Order ID", "Deadline", "Refunded"):
            table.add_column(column, no_wrap=True)
        table.add_column("Items")
        table.add_column("Suggestion", min_width=len("outside_return_window"))
        for claim in draft.claims:
            table.add_row(
                claim.order_id,
                _deadline(claim.deadline, today),
                _money(claim.refunded_amount, claim.currency),
                "\n".join(f"{asin}×{quantity}" for asin, quantity in claim.items),
                _suggestion(claim),
            )
        console.print(table)
    if draft.left_out:
        table = Table(title=f"Left out: {len(draft.left_out)} order{_s(len(draft.left_out))}", **_TABLE)
        for column in ("Order ID", "Refunded", "Reason"):
            table.add_column(column, no_wrap=True)
        table.add_column("Why")
        for entry in draft.left_out:
            table.add_row(entry.order_id, _money(entry.refunded_amount, entry.currency), entry.reason.value, entry.why)
        console.print(table)
    for label, which in (("Refunded in the drafted claims", "claims"), ("Refunded in the orders left out", "left_out")):
        totals = draft.totals(which)
        if totals:
            console.print(f"{label}: " + ", ".join(_money(amount, code) for code, amount in sorted(totals.items())))
    if draft.claims:
        console.print(
            f"Wrote {output}. Every claim in it is a draft: look at each one's suggestion, facts and unknowns "
            "before approving it."
        )
    else:
        console.print(f"Wrote {output}, with no claims: nothing in the report can be claimed.")


_TABLE = {"box": None, "pad_edge": False, "header_style": "bold"}  # no borders: the suggestions need the width


def _suggestion(claim: DraftClaim) -> str:
    suggestion = claim.suggestion
    if suggestion.reason is not None:
        return suggestion.reason.value
    if suggestion.needs_inspection:
        files = len(claim.attachments)
        return f"inspect ({files} file{_s(files)})"
    return "none: name it"


def _deadline(deadline: date | None, today: date) -> str:
    """The date, and under it the days left."""
    if deadline is None:
        return "unknown\n(no refund date)"
    days = (deadline - today).days
    return f"{deadline}\n" + {0: "today", 1: "tomorrow"}.get(days, f"in {days} days")


def _money(amount: Decimal | None, currency: str | None) -> str:
    if amount is None:
        return "—"
    return f"{amount:,.2f} {currency}" if currency else f"{amount:,.2f} (no currency)"


def _s(count: int) -> str:
    return "" if count == 1 else "s"
