"""The site's reason table: each claim reason, its Seller Central code, its sub-reason codes and the evidence it needs.

This is the one place a reason becomes a site code. The visible text of each code differs per site language and
lives with the flows (flows/labels.py).
"""

from __future__ import annotations

from enum import StrEnum


class Reason(StrEnum):
    """Why the seller claims. The value is what claims.json says; `.code` is what Seller Central's form takes."""

    damaged = "damaged"
    missing_parts = "missing_parts"
    different_item = "different_item"
    not_returned = "not_returned"
    return_label_charge = "return_label_charge"
    outside_return_window = "outside_return_window"
    replacement_refunded = "replacement_refunded"
    delivered_not_received = "delivered_not_received"
    restocking_fee = "restocking_fee"

    @property
    def code(self) -> str:
        """The option value of Seller Central's *Claim reason*."""
        return _REASONS[self][0]

    @property
    def sub_reasons(self) -> tuple[str, ...]:
        """The sub-reason codes the form offers for this reason (empty when it shows no sub-reason box)."""
        return _REASONS[self][1]

    @property
    def needs_photos(self) -> bool:
        return self in _NEEDS_PHOTOS

    @property
    def needs_tracking_id(self) -> bool:
        return self in _NEEDS_TRACKING_ID


# value -> (site code, sub-reason codes), from the reference's table of reasons.
_REASONS: dict[str, tuple[str, tuple[str, ...]]] = {
    "damaged": ("ADMGD", ()),
    "missing_parts": ("MSNG", ()),
    "different_item": ("NOCOT", ()),
    "not_returned": ("RNOTR", ("RNOTR-a",)),
    "return_label_charge": ("LBLOT", ()),
    "outside_return_window": ("RTOW", ()),
    "replacement_refunded": ("REPRF", ()),
    "delivered_not_received": ("DNOTR", ()),
    "restocking_fee": ("RSTK", ()),
}
SUB_REASON_CODES = tuple(sorted({code for _, subs in _REASONS.values() for code in subs}))
_NEEDS_PHOTOS = frozenset({Reason.damaged, Reason.missing_parts, Reason.different_item})
_NEEDS_TRACKING_ID = frozenset({Reason.replacement_refunded, Reason.delivered_not_received})


def default_sub_reason(reason: Reason | str) -> str | None:
    """The sub-reason to choose when the claim names none: the only one when the reason has exactly one."""
    subs = Reason(reason).sub_reasons
    return subs[0] if len(subs) == 1 else None
