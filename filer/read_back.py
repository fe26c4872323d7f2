"""Read-back: each way the wizard's review page differs from the claim, in words the person acts on."""

from __future__ import annotations

from safet_filer.claims import CheckedClaim
from safet_filer.flows.labels import SiteLabels
from safet_filer.flows.wizard import Review


def where_texts_differ(shown: str, claimed: str, context: int = 20) -> str:
    """Where two texts first part, quoted from both (texts of different length part where the shorter ends)."""
    shown, claimed = " ".join(shown.split()), " ".join(claimed.split())
    at = next(
        (i for i, (a, b) in enumerate(zip(shown, claimed, strict=False)) if a != b), min(len(shown), len(claimed))
    )
    start = max(at - context, 0)

    def quote(text: str) -> str:
        return ("…" if start else "") + text[start : at + context] + ("…" if at + context < len(text) else "")

    return f'the page shows "{quote(shown)}", the claim says "{quote(claimed)}"'


def compare(checked: CheckedClaim, quantities: dict[str, int], review: Review, labels: SiteLabels) -> list[str]:
    """Each way the review page differs from the claim, in words; empty when they agree."""
    claim = checked.claim
    assert claim is not None, "only a valid claim reaches its review step"

    def same(shown: str | None, claimed: str | None) -> bool:  # the page may wrap or trim white space
        return " ".join((shown or "").split()) == " ".join((claimed or "").split())

    def shown(value: str) -> str:  # the page's "—" stands for nothing
        return "" if value.strip() == labels.none_shown else value

    differences = []
    if not same(review.order_id, checked.order_id):
        differences.append(f"order ID shows {review.order_id!r}, the claim says {checked.order_id!r}")
    if not same(review.description, claim.description):
        differences.append(
            f"the description differs from the claim's: {where_texts_differ(review.description, claim.description)}"
        )
    tracking_id = claim.tracking_id_to_file
    if not same(shown(review.tracking_id), tracking_id or ""):
        differences.append(f"tracking ID shows {review.tracking_id!r}, the claim says {tracking_id or 'none'!r}")
    expected_docs = sorted(p.name for p in checked.attachment_paths)
    if sorted(review.documents) != expected_docs:
        differences.append(
            f"documents show {', '.join(review.documents) or 'none'}, the claim has "
            f"{', '.join(expected_docs) or 'none'}"
        )
    reason, sub = labels.reason_texts(claim.reason.code, claim.sub_reason_to_file)
    rows = {item.asin: item for item in review.items}
    for asin, quantity in quantities.items():
        row = rows.pop(asin, None)
        if row is None:
            differences.append(f"item {asin} is missing")
            continue
        if row.quantity.strip() != str(quantity):
            differences.append(f"quantity of {asin} shows {row.quantity!r}, the claim says {quantity}")
        if not same(row.reason, reason):
            differences.append(f"reason of {asin} shows {row.reason!r}, the claim says {reason!r}")
        if not same(shown(row.sub_reason), sub):
            differences.append(f"sub-reason of {asin} shows {row.sub_reason!r}, the claim says {sub or 'none'!r}")
    for asin in rows:
        differences.append(f"item {asin} is listed but not in the claim")
    return differences
