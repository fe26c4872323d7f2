"""The site's words for every reason the claim list can say: a reason without its option text could not be filed."""

import re

import pytest

from safet_filer.claims import SUB_REASON_CODES, Claim, Reason
from safet_filer.flows.labels import LABELS, labels_for, same_words


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


def test_overrides_replace_single_words_and_single_reason_texts_whatever_their_case_and_spacing():
    labels = labels_for("en", {" Check_Eligibility ": "  Verify order ", "REASONS": {"admgd": "Damaged return"}})
    assert labels.check_eligibility == "Verify order"
    assert labels.reasons["ADMGD"] == "Damaged return"
    assert labels.reasons["MSNG"] == LABELS["en"].reasons["MSNG"]  # the rest of the table stays
    assert labels.next == "Next"
    assert labels_for("en", {"signin_boxes": "Passcode"}).signin_boxes == ("Passcode",)


@pytest.mark.parametrize(
    ("overrides", "says"),
    [
        ({"chek_eligibility": "x"}, "there is no label 'chek_eligibility'; did you mean check_eligibility?"),
        ({"reasons": {"ADMGX": "x"}}, "there is no reasons code 'ADMGX'; did you mean ADMGD?"),
        ({"next": "  "}, "the label next must be the page's word for it"),
        ({"reasons": "Damaged"}, "the label reasons takes a table of codes and their texts"),
    ],
)
def test_a_wrong_override_is_refused_with_a_sentence(overrides, says):
    with pytest.raises(ValueError, match=re.escape(says)):
        labels_for("en", overrides)


def test_same_words_ignores_case_and_surrounding_whitespace():
    assert same_words(" Check Eligibility", "check eligibility ")
    assert not same_words("Check eligibility", "Check  eligibility")
