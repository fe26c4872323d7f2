"""The site's words for every reason the claim list can say: a reason without its option text could not be filed."""

from safet_filer.claims import SUB_REASON_CODES, Reason
from safet_filer.flows.labels import LABELS


def test_every_site_language_names_every_reason_and_sub_reason():
    for language, labels in LABELS.items():
        assert {r.code for r in Reason} <= set(labels.reasons), language
        assert set(SUB_REASON_CODES) <= set(labels.sub_reasons), language
