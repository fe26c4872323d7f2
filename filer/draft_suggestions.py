"""What a draft suggests from the report's facts alone: the claim reason they point to (or none), the sentence why,
the facts behind it, and a factual description for the reason suggested. Nothing here approves anything."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

from safet_filer.claims import Reason
from safet_filer.draft_writing import json_date
from safet_filer.returns_report import ReturnRow, ReturnsReport

# Return reasons that need the seller's own look at what came back: the report cannot tell damaged from
# incomplete from a different item, and those claims need photos. The draft names no reason for them.
INSPECTION_REASONS = frozenset({"CR-DEFECTIVE", "CR-DAMAGED_BY_CARRIER", "CR-SWITCHEROO", "CR-MISSING_PARTS"})
# Return reasons where the buyer is at fault (changed their mind, chose wrongly): under Amazon's returns policy
# the buyer pays the return label, so a label charged to the seller is claimable. Size and fit codes
# (AMZ-PG-…-TOO-SMALL) are not here: Amazon counts some of them against the listing.
BUYER_FAULT_REASONS = frozenset(
    {
        "CR-UNWANTED_ITEM",
        "CR-ORDERED_WRONG_ITEM",
        "CR-FOUND_BETTER_PRICE",
        "CR-NO_REASON_GIVEN",
        "CR-UNAUTHORIZED_PURCHASE",
    }
)
SELLER_PAYS_LABEL = frozenset({"seller", "merchant"})  # `Label to be paid by` values meaning the seller pays
FIRST_SCAN_REFUND = "refundatfirstscan"  # `Resolution`, compared without case
# A US return reaches the seller within about two weeks of its first scan; with no delivery after that, it is lost.
NOT_RETURNED_AFTER_DAYS = 14


@dataclass(slots=True)
class Suggestion:
    """A reason the report's facts point to (or none), the sentence why, and those facts."""

    reason: Reason | None
    why: str
    facts: dict[str, str | None] = field(default_factory=dict)
    needs_inspection: bool = False


class ReturnedOrder(Protocol):
    """What the suggestion rules read of one order: its rows of the report, and its refund and delivery dates."""

    report: ReturnsReport
    rows: list[ReturnRow]
    refund_given: date | None  # the report's refund date, if it has one
    refund_date: date | None  # that, else the return request's (the earliest the refund can be)
    delivered: date | None  # the return's delivery scan


def suggest(order: ReturnedOrder, today: date) -> Suggestion:
    """The reason the report's facts point to, strongest first; none when they point to none."""
    codes = list(dict.fromkeys(row.return_reason for row in order.rows if row.return_reason))
    inspect = [code for code in codes if code in INSPECTION_REASONS]
    if inspect:
        return Suggestion(
            None,
            f"The buyer's return reason ({', '.join(inspect)}) says the item came back damaged, incomplete or "
            "different: only your own look at it can tell which. Name the reason (damaged, missing_parts or "
            "different_item) and attach photos.",
            {"Return Reason": ", ".join(inspect)},
            needs_inspection=True,
        )
    for rule in _RULES:  # strongest first; the first that finds its facts wins
        found = rule(order, today)
        if found is not None:
            return found
    return Suggestion(
        None,
        "No fact in the report points to a claim reason: look at what came back, then name the reason or drop "
        "the claim.",
    )


def _not_returned(order: ReturnedOrder, today: date) -> Suggestion | None:
    first_scan = next((r for r in order.rows if (r.resolution or "").casefold() == FIRST_SCAN_REFUND), None)
    if first_scan is None or not order.report.has("Return delivery date") or order.delivered is not None:
        return None
    if order.refund_date is None:
        return None
    days = (today - order.refund_date).days
    if days < NOT_RETURNED_AFTER_DAYS:
        return None
    since_column = "Refund date" if order.refund_given else "Return request date"
    since = "the refund" if order.refund_given else "the return request"
    return Suggestion(
        Reason.not_returned,
        f"Amazon refunded at the return's first carrier scan (Resolution {first_scan.resolution}), and {days} "
        f"days after {since} on {order.refund_date} the report has no return delivery date.",
        {
            "Resolution": first_scan.resolution,
            "Return delivery date": None,
            since_column: order.refund_date.isoformat(),
            "Tracking ID": first_scan.tracking_id,
        },
    )


def _outside_window(order: ReturnedOrder, today: date) -> Suggestion | None:
    row = next((r for r in order.rows if r.in_policy is False), None)
    if row is None:
        return None
    return Suggestion(
        Reason.outside_return_window,
        f"The report marks the return as outside Amazon's return policy (In policy = N, line {row.line}): "
        f"requested on {_shown(row.return_request_date)} for an order of {_shown(row.order_date)}.",
        {
            "In policy": "N",
            "Order date": json_date(row.order_date),
            "Return request date": json_date(row.return_request_date),
        },
    )


def _label_charge(order: ReturnedOrder, today: date) -> Suggestion | None:
    row = next(
        (
            r
            for r in order.rows
            if r.return_reason in BUYER_FAULT_REASONS and (r.label_paid_by or "").casefold() in SELLER_PAYS_LABEL
        ),
        None,
    )
    if row is None:
        return None
    cost = f" of {row.label_cost} {row.currency or ''}".rstrip() if row.label_cost is not None else ""
    return Suggestion(
        Reason.return_label_charge,
        f"The buyer's return reason {row.return_reason} is the buyer's own doing, yet the return label{cost} "
        f"is to be paid by the {(row.label_paid_by or '').lower()} (line {row.line}).",
        {
            "Return Reason": row.return_reason,
            "Label to be paid by": row.label_paid_by,
            "Label cost": None if row.label_cost is None else str(row.label_cost),
        },
    )


_RULES = (_not_returned, _outside_window, _label_charge)


def describe(suggestion: Suggestion, order: ReturnedOrder, today: date) -> str:
    """A factual description for a suggested reason; empty when only the person can say what happened."""
    reason = suggestion.reason
    if reason is Reason.not_returned:
        assert order.refund_date is not None  # suggested only from a refund date (see _not_returned)
        tracking = next((row.tracking_id for row in order.rows if row.tracking_id), None)
        traced = f" Return tracking ID: {tracking}." if tracking else ""
        return (
            "Amazon refunded the buyer at the return's first carrier scan, but the return never reached us: "
            f"{(today - order.refund_date).days} days after {order.refund_date} it has no delivery "
            f"scan.{traced}"
        )
    if reason is Reason.outside_return_window:
        row = next(r for r in order.rows if r.in_policy is False)
        return (
            f"Amazon accepted this return outside the return window: it was requested on "
            f"{_shown(row.return_request_date)} for an order placed on {_shown(row.order_date)}, and Amazon's returns "
            "report marks it as not in policy."
        )
    if reason is Reason.return_label_charge:
        row = next(r for r in order.rows if r.return_reason in BUYER_FAULT_REASONS)
        return (
            f"The buyer returned the item for a reason of their own ({row.return_reason}), so the buyer pays the "
            "return label under Amazon's policy, but the label was charged to us."
        )
    return ""


def _shown(value: date | None) -> str:
    return value.isoformat() if value else "an unknown date"
