"""How `draft` shows what it drafted: the claims with suggestion and deadline, the orders left out, money totals.

Lines are laid out here and only coloured by rich (as in claims_view): its Table takes seconds for thousands of rows.
"""

from __future__ import annotations

import textwrap
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from safet_filer.claims import CLOSING_SOON_DAYS
from safet_filer.claims_view import painter
from safet_filer.draft import Draft, DraftClaim
from safet_filer.money import money_text

if TYPE_CHECKING:
    from rich.console import Console

_CLAIM_HEADERS = ("Order ID", "Deadline", "Left", "Refunded", "Suggestion", "Items")
_LEFT_OUT_HEADERS = ("Order ID", "Refunded", "Reason")
_GAP = "  "


def print_draft(draft: Draft, output: Path, today: date, console: Console) -> None:
    """The drafted claims (soonest deadline first), the orders left out with why, the totals, the file written."""
    paint = painter(console)
    width = max(console.width, 40)
    report = draft.report
    rows, orders = len(report.rows), len(draft.claims) + len(draft.left_out)
    lines = [
        paint(str(report.path), "bold")
        + f": {rows} returned item{_s(rows)} in {orders} order{_s(orders)}, marketplace {draft.marketplace}, "
        f"drafted on {today}."
    ]
    if draft.claims:
        count = len(draft.claims)
        lines += ["", paint(f"Drafted: {count} claim{_s(count)}, none approved yet", "bold")]
        lines += _table(_CLAIM_HEADERS, [_claim_row(claim, today) for claim in draft.claims], width, paint)
    if draft.left_out:
        count = len(draft.left_out)
        lines += ["", paint(f"Left out: {count} order{_s(count)}", "bold")]
        for entry in draft.left_out:
            money = money_text(entry.refunded_amount, entry.currency)
            lines.append(f"{entry.order_id}{_GAP}{paint(entry.reason.value, 'yellow')}{_GAP}{paint(money, 'dim')}")
            lines += textwrap.wrap(entry.why, width=width, initial_indent="    ", subsequent_indent="    ")
    lines.append("")
    for label, which in (("Refunded in the drafted claims", "claims"), ("Refunded in the orders left out", "left_out")):
        totals = draft.totals(which)
        if totals:
            lines.append(f"{label}: " + ", ".join(money_text(amount, code) for code, amount in sorted(totals.items())))
    if draft.claims:
        done = (
            f"Wrote {output}. Every claim in it is a draft: look at each one's suggestion, facts and unknowns "
            "before approving it."
        )
    else:
        done = f"Wrote {output}, with no claims: nothing in the report can be claimed."
    lines += [paint(part, "bold") for part in textwrap.wrap(done, width=width, break_on_hyphens=False)]
    console.file.write("\n".join(lines) + "\n")
    console.file.flush()


def _claim_row(claim: DraftClaim, today: date) -> list[tuple[str, str]]:
    items = ", ".join(f"{asin} ×{quantity}" for asin, quantity in claim.items[:2])
    if len(claim.items) > 2:
        items += f" +{len(claim.items) - 2} more"
    days = (claim.deadline - today).days if claim.deadline else None
    left = ("—", "dim") if days is None else ({0: "today", 1: "tomorrow"}.get(days, f"{days} days"), "")
    if days is not None and days <= CLOSING_SOON_DAYS:
        left = (left[0], "yellow")
    return [
        (claim.order_id, ""),
        (str(claim.deadline) if claim.deadline else "no refund date", "" if claim.deadline else "yellow"),
        left,
        (money_text(claim.refunded_amount, claim.currency), ""),
        _suggestion(claim),
        (items, ""),
    ]


def _suggestion(claim: DraftClaim) -> tuple[str, str]:
    suggestion = claim.suggestion
    if suggestion.reason is not None:
        return suggestion.reason.value, "green"
    if suggestion.needs_inspection:
        files = len(claim.attachments)
        return f"inspect ({files} file{_s(files)})", "yellow"
    return "none", "dim"


def _table(headers: tuple[str, ...], rows: list[list[tuple[str, str]]], width: int, paint: Any) -> list[str]:
    """One line a row; the last column gives way (cut with …) on a narrow terminal."""
    widths = [max(len(headers[i]), *(len(row[i][0]) for row in rows)) for i in range(len(headers))]
    last = len(widths) - 1
    widths[last] = max(8, min(widths[last], width - sum(widths[:last]) - len(_GAP) * last))

    def line(cells: list[tuple[str, str]], line_style: str = "") -> str:
        parts = []
        for i, (value, style) in enumerate(cells):
            if len(value) > widths[i]:
                value = value[: widths[i] - 1] + "…"
            parts.append(paint(value if i == last else value.ljust(widths[i]), style or line_style))
        return _GAP.join(parts)

    rule = paint("─" * min(width, sum(widths) + len(_GAP) * last), "dim")
    return [line([(h, "") for h in headers], "bold"), rule, *(line(row) for row in rows)]


def _s(count: int) -> str:
    return "" if count == 1 else "s"
