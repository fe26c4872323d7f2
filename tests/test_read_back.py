"""Read-back: what the person is told when the review page and the claim differ, and that wrapping is no difference."""

import json

from safet_filer.claims import CheckedClaim, Claim
from safet_filer.flows.labels import labels_for
from safet_filer.flows.wizard import Review, ReviewedItem
from safet_filer.read_back import compare, where_texts_differ

LABELS = labels_for("en")
ASIN = "B07XJ8C8F5"


def checked(description: str) -> CheckedClaim:
    claim = Claim.model_validate_json(
        json.dumps(
            {
                "order_id": "113-1234567-1234567",
                "reason": "damaged",
                "items": [{"asin": ASIN, "quantity": 1}],
                "description": description,
                "refund_date": "2026-11-20",
            }
        )
    )
    return CheckedClaim(0, claim.order_id, claim, [], None, [])


def review_showing(description: str) -> Review:
    return Review(
        order_id="113-1234567-1234567",
        description=description,
        tracking_id=LABELS.none_shown,
        documents=[],
        items=[ReviewedItem(ASIN, "1", LABELS.reasons["ADMGD"], LABELS.none_shown)],
    )


def test_the_first_difference_is_quoted_from_both_texts():
    said = where_texts_differ(
        "Returned with a cracked jar and a missing lid; photos attached.",
        "Returned with a cracked jar and missing lid; photos attached.",
    )
    assert said == (
        'the page shows "…h a cracked jar and a missing lid; photo…", the claim says "…h a cracked jar and missing lid; photos …"'
    )


def test_a_text_cut_short_by_the_page_shows_where_it_ends():
    assert where_texts_differ("Cracked jar", "Cracked jar, lid missing") == (
        'the page shows "Cracked jar", the claim says "Cracked jar, lid missing"'
    )


def test_a_description_the_page_wraps_differently_does_not_block_the_submit():
    claimed = checked("Returned with a cracked jar\nand missing lid.")
    assert (
        compare(claimed, {ASIN: 1}, review_showing("  Returned with a cracked   jar and missing lid. "), LABELS) == []
    )


def test_a_difference_after_a_line_break_is_quoted_with_the_break_read_as_a_space():
    claimed = checked("Returned with a cracked jar\nand missing lid.")
    differences = compare(claimed, {ASIN: 1}, review_showing("Returned with a cracked jar and a missing lid."), LABELS)
    assert differences == [
        "the description differs from the claim's: the page shows "
        '"…h a cracked jar and a missing lid.", the claim says "…h a cracked jar and missing lid."'
    ]
