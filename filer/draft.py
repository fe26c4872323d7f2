"""Drafting a claim list from a returns report: which orders become claims, what each carries, what is unknown.

Rows of one order become one claim. Orders that cannot be claimed are left out, each with its reason. A draft
suggests a claim reason only from facts in the report, and names them (`draft_suggestions`); it never approves
anything: the JSON it writes (`draft_writing`, shape in `DraftJson`) marks every claim `"approved": false` for the
person to review.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

from safet_filer.claims import DRAFT_VERSION, Reason, file_kind, filing_window
from safet_filer.draft_suggestions import Suggestion, describe, suggest
from safet_filer.draft_writing import ClaimJson, DraftJson, ReportItemJson, json_date
from safet_filer.returns_report import ReportError, ReturnRow, ReturnsReport

if TYPE_CHECKING:
    from safet_filer.ledger import Entry
    from safet_filer.settings import Marketplace

_SIGNATURE_BYTES = 16  # more than the longest file signature that claims.file_kind looks for (PNG: 8)


class LeftOutReason(StrEnum):
    """Why an order of the report became no claim."""

    safet_claim = "safet_claim"  # the report shows a SAFE-T claim for it
    in_ledger = "in_ledger"  # the ledger already holds it
    atoz_claim = "atoz_claim"  # an A-to-z Guarantee claim: SAFE-T does not take it
    no_refund = "no_refund"  # nothing was refunded, so nothing is to be reimbursed
    window_closed = "window_closed"  # the filing window has passed


# --- what drafting finds --------------------------------------------------------------------------------------------


@dataclass(slots=True)
class DraftClaim:
    """One order's draft claim."""

    order_id: str
    items: list[tuple[str, int]]
    description: str
    attachments: list[str]
    tracking_id: str | None
    refund_date: date | None
    return_delivered_date: date | None
    refunded_amount: Decimal | None
    currency: str | None
    deadline: date | None
    suggestion: Suggestion
    unknown: list[str]
    lines: list[int]
    report_items: list[ReportItemJson]

    def to_json(self, report_name: str) -> ClaimJson:
        suggested = self.suggestion.reason.value if self.suggestion.reason else None
        return {
            "order_id": self.order_id,
            "reason": suggested,
            "sub_reason": None,
            "items": [{"asin": asin, "quantity": quantity} for asin, quantity in self.items],
            "description": self.description,
            "attachments": self.attachments,
            "tracking_id": self.tracking_id,
            "refund_date": json_date(self.refund_date),
            "return_delivered_date": json_date(self.return_delivered_date),
            "refunded_amount": None if self.refunded_amount is None else str(self.refunded_amount),
            "currency": self.currency,
            "draft": {
                "version": DRAFT_VERSION,
                "approved": False,
                "suggested_reason": suggested,
                "needs_inspection": self.suggestion.needs_inspection,
                "why": self.suggestion.why,
                "facts": self.suggestion.facts,
                "unknown": self.unknown,
                "deadline": json_date(self.deadline),
                "report": {"file": report_name, "lines": self.lines, "items": self.report_items},
            },
        }


@dataclass(slots=True)
class LeftOut:
    """An order of the report that became no claim, and why."""

    order_id: str
    reason: LeftOutReason
    why: str
    lines: list[int]
    refunded_amount: Decimal | None
    currency: str | None


@dataclass
class Draft:
    """The drafted claims (soonest deadline first) and the orders left out (in report order)."""

    report: ReturnsReport
    marketplace: str
    claims: list[DraftClaim]
    left_out: list[LeftOut]

    def to_json(self) -> DraftJson:
        name = str(self.report.path)
        return {"marketplace": self.marketplace, "claims": [c.to_json(name) for c in self.claims]}

    def totals(self, which: str = "claims") -> dict[str, Decimal]:
        """Refunded amounts per currency ("" when the report names none) of the drafted or the left-out orders."""
        totals: dict[str, Decimal] = {}
        for entry in self.claims if which == "claims" else self.left_out:
            if entry.refunded_amount is not None:
                key = entry.currency or ""
                totals[key] = totals.get(key, Decimal(0)) + entry.refunded_amount
        return totals


# --- drafting -----------------------------------------------------------------------------------------------------


def draft_claims(
    report: ReturnsReport,
    *,
    marketplace: str,
    market: Marketplace,
    today: date,
    output_dir: Path,
    ledger: Mapping[tuple[str, str], Entry] | None = None,
    evidence_dir: Path | None = None,
) -> Draft:
    """Turn the report's rows into draft claims for `marketplace`, leaving out what cannot be claimed.

    `ledger` holds the ledger's entries by (marketplace, order ID); `output_dir` is where the claim list will be
    written (attachments are relative to it); evidence is looked for in `evidence_dir/<order ID>/`.
    """
    window = _Window(marketplace, market, today)
    orders: dict[str, list[ReturnRow]] = {}
    for row in report.rows:
        orders.setdefault(row.order_id, []).append(row)
    claims: list[DraftClaim] = []
    left_out: list[LeftOut] = []
    for order_id, rows in orders.items():
        order = _Order(report, order_id, rows, window)
        skipped = order.left_out(ledger.get((marketplace, order_id)) if ledger else None)
        if skipped is not None:
            left_out.append(skipped)
        else:
            claims.append(order.claim(evidence_dir, output_dir, market.max_attachments))
    claims.sort(key=lambda c: (c.deadline is None, c.deadline or date.max))
    return Draft(report, marketplace, claims, left_out)


class _Window:
    """The filing deadline as `check` computes it (the one `filing_window`), for the orders of one marketplace."""

    def __init__(self, code: str, market: Marketplace, today: date):
        self.code = code
        self.market = market
        self.today = today

    def deadline(self, refund: date, delivered: date | None) -> date:
        return filing_window(refund, delivered, self.market, self.today).closes


class _Order:
    """The rows of one order and what they add up to."""

    def __init__(self, report: ReturnsReport, order_id: str, rows: list[ReturnRow], window: _Window):
        self.report = report
        self.order_id = order_id
        self.rows = rows
        self.window = window
        self.lines = [row.line for row in rows]
        self.currency = self._currency()
        amounts = [row.refunded_amount for row in rows if row.refunded_amount is not None]
        self.refunded: Decimal | None = sum(amounts, Decimal(0)) if amounts else None
        self.requested = _earliest(row.return_request_date for row in rows)
        self.refund_given = _earliest(row.refund_date for row in rows)
        self.delivered = _earliest(row.return_delivery_date for row in rows)
        # No refund date in Amazon's report: the return request is the earliest the refund can be, so the deadline
        # counted from it is the earliest the real one can be.
        self.refund_date = self.refund_given or self.requested
        self.deadline = window.deadline(self.refund_date, self.delivered) if self.refund_date else None

    def _currency(self) -> str | None:
        seen: dict[str, int] = {}
        for row in self.rows:
            if row.currency is not None:
                seen.setdefault(row.currency, row.line)
        if len(seen) > 1:
            listed = " and ".join(f"{code} (line {line})" for code, line in seen.items())
            raise ReportError(
                f"{self.report.path}: order {self.order_id} has rows in {listed}; one order is paid in one currency.",
                "Check the report's Currency code column for that order; nothing was written.",
            )
        return next(iter(seen), None)

    # -- left out ----------------------------------------------------------------------------------------------
    def left_out(self, ledger_entry: Entry | None) -> LeftOut | None:
        found = self._why_left_out(ledger_entry)
        if found is None:
            return None
        reason, why = found
        return LeftOut(self.order_id, reason, why, self.lines, self.refunded, self.currency)

    def _why_left_out(self, entry: Entry | None) -> tuple[LeftOutReason, str] | None:
        claimed = next((row for row in self.rows if row.safet_claim_id), None)
        if claimed is not None:
            state = f" ({claimed.safet_claim_state})" if claimed.safet_claim_state else ""
            return (
                LeftOutReason.safet_claim,
                f"the report shows SAFE-T claim {claimed.safet_claim_id}{state} for it (line {claimed.line}).",
            )
        if entry is not None:
            return LeftOutReason.in_ledger, _ledger_why(entry)
        atoz = next((row for row in self.rows if row.atoz_claim), None)
        if atoz is not None:
            return (
                LeftOutReason.atoz_claim,
                f"the buyer filed an A-to-z Guarantee claim (A-to-Z Claim = Y, line {atoz.line}); SAFE-T does not "
                "take orders with one.",
            )
        if self.report.has("Refunded Amount") and not self.refunded:
            shown = "0" if self.refunded is not None else "empty"
            return (
                LeftOutReason.no_refund,
                f"Refunded Amount is {shown} on {_its_rows(self.lines)}: Amazon has not refunded the buyer, so there "
                "is nothing to reimburse (yet).",
            )
        if self.deadline is not None and self.deadline < self.window.today:
            return LeftOutReason.window_closed, self._closed_why()
        return None

    def _closed_why(self) -> str:
        days = self.window.market.filing_window_days
        if self.delivered is not None and self.refund_date is not None and self.delivered > self.refund_date:
            since = f"the return's delivery on {self.delivered}"
        elif self.refund_given is not None:
            since = f"the refund on {self.refund_given}"
        else:
            since = (
                f"the return request on {self.requested}, as the report has no refund date; if the refund came "
                "later, the window may still be open: add the order by hand with its refund date"
            )
        return f"the {self.window.code} filing window closed on {self.deadline} ({days} days after {since})."

    # -- the claim ---------------------------------------------------------------------------------------------
    def claim(self, evidence_dir: Path | None, output_dir: Path, max_files: int) -> DraftClaim:
        suggestion = suggest(self, self.window.today)
        description = describe(suggestion, self, self.window.today)
        unknown = self._unknown(suggestion, description)
        attachments, notes = _evidence(evidence_dir, self.order_id, output_dir, max_files)
        if suggestion.needs_inspection and not attachments:
            where = f"{evidence_dir / self.order_id}" if evidence_dir else "no --evidence folder was given"
            notes.append(f"attachments: no photo found ({where}) — add photos of the returned item and its packaging.")
        tracking = list(dict.fromkeys(row.tracking_id for row in self.rows if row.tracking_id))
        if len(tracking) > 1:
            unknown.append(
                f"tracking_id: the rows name {', '.join(tracking)}; the draft keeps {tracking[0]} — keep the one "
                "that matters to the claim."
            )
        return DraftClaim(
            order_id=self.order_id,
            items=self._items(),
            description=description,
            attachments=attachments,
            tracking_id=tracking[0] if tracking else None,
            refund_date=self.refund_date,
            return_delivered_date=self.delivered,
            refunded_amount=self.refunded,
            currency=self.currency,
            deadline=self.deadline,
            suggestion=suggestion,
            unknown=unknown + notes,
            lines=self.lines,
            report_items=[
                {"asin": row.asin, "name": row.item_name, "return_reason": row.return_reason} for row in self.rows
            ],
        )

    def _items(self) -> list[tuple[str, int]]:
        """Each ASIN once, with its units summed over the rows (the same item may be returned in two rows)."""
        units: dict[str, int] = {}
        for row in self.rows:
            units[row.asin] = units.get(row.asin, 0) + row.return_quantity
        return list(units.items())

    def _unknown(self, suggestion: Suggestion, description: str) -> list[str]:
        """What the report cannot know about this claim, field by field."""
        unknown = []
        if self.refund_given is None and self.requested is not None:
            unknown.append(
                f"refund_date: the report has no refund date; the draft uses the return request date "
                f"({self.requested}), the earliest the refund can be, so the deadline is the earliest it can be — "
                "put in the refund's date from the order page."
            )
        elif self.refund_date is None:
            unknown.append(
                "refund_date: the report gives neither a refund date nor a return request date, so there is no "
                "deadline — put in the refund's date from the order page."
            )
        if not self.report.has("Return delivery date"):
            unknown.append(
                "return_delivered_date: the report has no Return delivery date column — add the date the return was "
                "delivered, if it was: the window counts from it."
            )
        if self.refunded is None:
            unknown.append("refunded_amount: the report does not say how much was refunded — check the order page.")
        elif self.currency is None:
            unknown.append("currency: the report has no Currency code for this order — add it (like USD).")
        elif self.currency != self.window.market.currency:
            unknown.append(
                f"currency: the report says {self.currency}, but {self.window.code} pays in "
                f"{self.window.market.currency} — is this the report of another marketplace (--marketplace)?"
            )
        if suggestion.reason is None:
            unknown.append(
                "reason: the report cannot say what came back — look at the returned item and name the reason."
            )
        if suggestion.reason is not Reason.not_returned:
            unknown.append(
                "condition: the report does not say in what state the item came back — look at it before approving."
            )
        if not description:
            unknown.append("description: only you can say what happened — write it in a sentence or two.")
        return unknown


def _evidence(folder: Path | None, order_id: str, output_dir: Path, max_files: int) -> tuple[list[str], list[str]]:
    """The JPEG, PNG, GIF and PDF files in `folder/<order ID>/` (judged by content), relative to `output_dir`."""
    if folder is None or not (folder / order_id).is_dir():
        return [], []
    attached: list[str] = []
    notes: list[str] = []
    for path in sorted((folder / order_id).iterdir()):
        if path.name.startswith(".") or not path.is_file():
            continue
        try:
            with open(path, "rb") as f:
                kind = file_kind(f.read(_SIGNATURE_BYTES))
        except OSError as exc:
            notes.append(f"attachments: {path} was not attached: it cannot be read ({exc.strerror}).")
            continue
        if kind is None:
            notes.append(f"attachments: {path} was not attached: by its content it is not a JPEG, PNG, GIF or PDF.")
        elif len(attached) == max_files:
            notes.append(
                f"attachments: {path} was not attached: the form takes {max_files} files — swap if it is better."
            )
        else:
            attached.append(os.path.relpath(path, output_dir))
    return attached, notes


def _ledger_why(entry: Entry) -> str:
    from safet_filer.ledger import DONE, NEEDS_RECONCILING

    if entry.state in DONE:
        claim = f" as SAFE-T claim {entry.claim_id}" if entry.claim_id else ""
        return f"the ledger has it {entry.state.value.replace('_', ' ')}{claim}."
    if entry.state in NEEDS_RECONCILING:
        return (
            f"the ledger has it '{entry.state.value}': its submit may have gone through — run `safet-filer reconcile`."
        )
    return (
        f"the ledger has it '{entry.state.value}' from an earlier claim list — file it from that list, "
        "or add it to this one by hand."
    )


def ledger_entries(path: Path) -> dict[tuple[str, str], Entry]:
    """The ledger's entries by (marketplace, order ID); none when there is no ledger yet."""
    if not path.exists():
        return {}
    from safet_filer.ledger import Ledger

    with Ledger(path) as ledger:
        return {(entry.marketplace, entry.order_id): entry for entry in ledger.entries()}


def _earliest(dates: Iterable[date | None]) -> date | None:
    return min((d for d in dates if d is not None), default=None)


def _its_rows(lines: list[int]) -> str:
    return f"line {lines[0]}" if len(lines) == 1 else "lines " + ", ".join(map(str, lines))
