"""The site's words for every reason the claim list can say: a reason without its option text could not be filed."""

from safet_filer.claims import SUB_REASON_CODES, Claim, Reason
from safet_filer.flows.labels import LABELS


def test_every_site_language_names_every_reason_and_sub_reason():
    for language, labels in LABELS.items():
        assert {r.code for r in Reason} <= set(labels.reasons), language
        assert set(SUB_REASON_CODES) <= set(labels.sub_reasons), language


def test_a_claim_without_a_sub_reason_chooses_the_only_one_its_reason_has():
    labels = LABELS["en"]
    base = {"order_id": "113-1234567-1234567", "description": "Never came back.", "refund_date": "2026-11-20"}
    not_returned = Claim.model_validate({**base, "reason": "not_returned"})
    damaged = Claim.model_validate({**base, "reason": "damaged"})

    assert labels.reason_texts(not_returned.reason.code, not_returned.sub_reason_to_file) == (
        "Refunded, item not returned",
        "No carrier scan of the return",
    )
    assert labels.reason_texts(damaged.reason.code, damaged.sub_reason_to_file) == (
        "Item returned damaged or used",
        None,
    )
