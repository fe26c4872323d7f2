"""`safet-filer run` on every layout of the mock's wizard: the flows find their way from what the page shows.

Each test files claims on one layout switch value, or on all switches at once, and checks what reached the site
through /__fixture__/submissions field by field. The flows are never told the layout; tests/test_mock_layouts.py is
the mock's own test of each layout.

The every-reason claim list (one claim per reason the claim list can say) is filed on `all` and on every switch value
that changes a step whose content depends on the reason: the claim reason rows (controls, reason_step, item_rows),
the evidence steps with their photo and tracking-ID requests (evidence_step), the review read back (review_summary),
how each step is recognised (step_headings), and the site-wide notice and renamed words on every step (site_notice,
labels); test_run_e2e.py files it on the default layout. The other switch values change only steps before the
reasons that every claim passes through alike (the fulfillment channel, the order's answer, the item rows' columns
and names), the later steps being the default's: they file three claims, one per kind of reason step (a photo and a
typed quantity of 2, a sub-reason, a tracking ID), as a run of nine would only repeat those steps.
"""

from __future__ import annotations

import pytest
from runs import REASONS, assert_received_as_claimed, claim, ledger_rows, order_id, safet, write_claims

from safet_filer.fixtures.layouts import CHOICES
from safet_filer.fixtures.server import MockSellerCentral

pytestmark = pytest.mark.e2e

LAYOUTS = {
    **{f"{key}={value}": {key: value} for key, values in CHOICES.items() for value in values[1:]},
    "site_notice": {"site_notice": True},
    "labels": {"labels": {"Check eligibility": "Check Eligibility", "Next": "  next  "}},
    "all": {"all": True},
}


# The switches that change only steps before the reasons, which every claim passes through alike.
BEFORE_THE_REASONS = ("items_step", "channel_step", "claimable", "row_names")
ONE_PER_KIND_OF_REASON_STEP = ("damaged", "not_returned", "delivered_not_received")


def claims_for(folder, layout: dict) -> list[dict]:
    """The every-reason list, or (a layout of BEFORE_THE_REASONS) one claim per kind of reason step."""
    reasons = list(REASONS)
    if set(layout) <= set(BEFORE_THE_REASONS):
        reasons = [r for r in reasons if r in ONE_PER_KIND_OF_REASON_STEP]
    claims = [claim(n, reason, folder) for n, reason in enumerate(reasons, start=1)]
    claims[0]["items"] = [{"asin": "B0TEST0001", "quantity": 2}]  # more than one unit: the quantity box is typed in
    return claims


@pytest.mark.parametrize("name", list(LAYOUTS))
def test_the_claims_file_exactly_what_they_say_on_each_layout(tmp_path, name):
    claims = claims_for(tmp_path, LAYOUTS[name])
    claims_file = write_claims(tmp_path, claims)
    with MockSellerCentral(claims_file=claims_file, layout=LAYOUTS[name]) as site:
        done = safet(tmp_path / "home", "run", str(claims_file), "--base-url", site.url, "--yes")
        received = {s["order_id"]: s for s in site.submissions()}
    assert done.status == 0, done.output
    assert set(received) == {c["order_id"] for c in claims}
    assert_received_as_claimed(received, claims, tmp_path)
    rows = ledger_rows(tmp_path / "home")
    assert {order: (state, claim_id) for order, (state, claim_id, _) in rows.items()} == {
        order: ("filed", s["claim_id"]) for order, s in received.items()
    }


def test_a_renamed_button_fails_the_claim_listing_the_buttons_the_page_shows(tmp_path):
    claims_file = write_claims(tmp_path, [claim(1, "damaged", tmp_path)])
    with MockSellerCentral(claims_file=claims_file, layout={"labels": {"Check eligibility": "Verify order"}}) as site:
        done = safet(tmp_path / "home", "run", str(claims_file), "--base-url", site.url, "--yes")
        assert site.submissions() == []
    assert done.status == 1, done.output
    state, _, message = ledger_rows(tmp_path / "home")[order_id(1)]
    assert state == "failed"
    assert message.startswith(
        "Could not check eligibility: the page shows no button named 'Check eligibility' "
        "(buttons on the page: Verify order, Cancel)"
    ), message
    # The run's report keeps what each step matched, for whoever adapts the tool to the page.
    summary = (done.run_folder / "summary.json").read_text()
    assert '"label": "order_id_box"' in summary and "Verify order" in summary
