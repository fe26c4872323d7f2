"""The wizard's decisions without a browser: page states in, actions out, for every shape a step may take.

Each state is written by hand as the page would show it (flows.wizard_state.PageState); `decide` must find the one
thing to do from it alone, whatever step came before, and fail (naming what is missing) rather than loop.
"""

from __future__ import annotations

import pytest

from safet_filer.flows.labels import labels_for
from safet_filer.flows.wizard_decide import (
    CheckEligibility,
    ChooseChannel,
    ChooseReason,
    Describe,
    EnterOrder,
    Fail,
    Plan,
    PressNext,
    Progress,
    ReachedReview,
    ReadItems,
    ReportRefusal,
    SelectItems,
    Upload,
    decide,
)
from safet_filer.flows.wizard_state import Control, ItemRow, PageState

LABELS = labels_for("en")
ORDER = "113-1000003-0000003"
PLAN = Plan(ORDER, "Refunded, item not returned", "No carrier scan of the return", "It never came back.", None)
NEXT = Control("button", "Next")
NEXT_OFF = Control("button", "Next", disabled=True)
SHOWN = (("button", ("Check eligibility", "Cancel")), ("textbox", ("Order ID",)))


def state(**parts) -> PageState:
    return PageState(offered=SHOWN, **parts)


def row(asin: str, *, include=None, quantity=None, reason=None, sub=None, claimable=None, role="row") -> ItemRow:
    return ItemRow(role, asin, f"Item {asin}", claimable, include, quantity, reason, sub)


def box(checked=False, name="Include item") -> Control:
    return Control("checkbox", name, checked=checked)


def qty(value="1", name="Quantity") -> Control:
    return Control("spinbutton", name, value=value)


def reason(value="Select a claim reason", name="Claim reason") -> Control:
    return Control("combobox", name, value=value)


def test_a_first_step_asking_the_fulfillment_channel_is_answered_with_the_safe_t_channel():
    chooser = Control("combobox", "Fulfillment channel", value="Select a fulfillment channel")
    assert decide(state(channel=chooser, next=NEXT_OFF), PLAN, Progress(), LABELS) == ChooseChannel(
        LABELS.channel_options
    )
    chosen = Control("radiogroup", "Fulfillment channel", value="Easy Ship/ Self Ship/ Seller Flex")
    assert decide(state(channel=chosen, next=NEXT), PLAN, Progress(), LABELS) == PressNext()


def test_the_order_is_typed_then_checked_and_a_positive_status_with_next_leads_on():
    empty = state(order_box=Control("textbox", "Order ID"), check=Control("button", "Check eligibility"))
    assert decide(empty, PLAN, Progress(), LABELS) == EnterOrder(ORDER)
    typed = state(
        order_box=Control("textbox", "Order ID", value=f"  {ORDER} "), check=Control("button", "Check Eligibility")
    )
    assert decide(typed, PLAN, Progress(), LABELS) == CheckEligibility()
    # India: eligible is a status on the same step, Next enabled, the items after it
    answered = state(order_box=typed.order_box, check=typed.check, eligible="This order is eligible.", next=NEXT)
    assert decide(answered, PLAN, Progress(checked=True), LABELS) == PressNext()


def test_a_refusal_on_the_step_is_the_answer_but_only_after_the_check():
    refused = state(refusal="We could not find this order ID.", alerts=("We could not find this order ID.",))
    assert decide(refused, PLAN, Progress(checked=True), LABELS) == ReportRefusal("We could not find this order ID.")


def test_another_alert_after_the_check_fails_with_the_sites_words():
    shown = state(order_box=Control("textbox", "Order ID", value=ORDER), alerts=("Something went wrong.",))
    assert decide(shown, PLAN, Progress(checked=True), LABELS) == Fail(
        "check eligibility", "the site answered: Something went wrong."
    )


def test_a_renamed_check_button_fails_naming_the_button_looked_for():
    shown = state(order_box=Control("textbox", "Order ID", value=ORDER), next=NEXT_OFF)
    assert decide(shown, PLAN, Progress(), LABELS) == Fail(
        "check eligibility", "", "button", "Check eligibility", "check_eligibility"
    )


@pytest.mark.parametrize("shape", ["columns", "up_to", "max_only"])
def test_offered_items_are_read_first_with_claimable_units_however_the_page_shows_them(shape):
    claimable = None if shape == "max_only" else 2
    rows = (row("B0SAFET031", include=box(), quantity=qty(), claimable=claimable),)
    action = decide(state(rows=rows, next=NEXT_OFF), PLAN, Progress(checked=True), LABELS)
    assert isinstance(action, ReadItems)
    assert [(i.asin, i.claimable) for i in action.items] == [("B0SAFET031", claimable or 0)]
    assert action.unknown_claimable == (("B0SAFET031",) if shape == "max_only" else ())


@pytest.mark.parametrize("name", ["Include item", ""])  # named, or known only by the row's ASIN
def test_rows_are_selected_to_the_claims_quantities_then_next(name):
    progress = Progress(checked=True, quantities={"B0SAFET032": 2})
    rows = (
        row("B0SAFET031", include=box(True, name), quantity=qty("1", name and "Quantity")),
        row("B0SAFET032", include=box(False, name), quantity=qty("1", name and "Quantity")),
    )
    assert decide(state(rows=rows, next=NEXT), PLAN, progress, LABELS) == SelectItems({"B0SAFET032": 2})
    done = (
        row("B0SAFET031", include=box(False, name), quantity=qty("1")),
        row("B0SAFET032", include=box(True, name), quantity=qty("2")),
    )
    assert decide(state(rows=done, next=NEXT), PLAN, progress, LABELS) == PressNext()


def test_reasons_on_the_items_rows_are_chosen_before_next_reason_then_sub_reason():
    progress = Progress(checked=True, quantities={"B0SAFET033": 1})
    merged = (row("B0SAFET033", include=box(True), quantity=qty("1"), reason=reason()),)
    assert decide(state(rows=merged, next=NEXT_OFF), PLAN, progress, LABELS) == ChooseReason(
        "B0SAFET033", "claim_reason", PLAN.reason
    )
    chosen = reason("refunded, item NOT returned")  # as a native select names its option, any case
    with_sub = (row("B0SAFET033", include=box(True), quantity=qty("1"), reason=chosen, sub=reason("", "")),)
    assert decide(state(rows=with_sub, next=NEXT_OFF), PLAN, progress, LABELS) == ChooseReason(
        "B0SAFET033", "claim_sub_reason", PLAN.sub_reason
    )


def test_a_reason_step_of_its_own_shows_rows_without_boxes():
    progress = Progress(checked=True, quantities={"B0SAFET031": 1})
    rows = (
        row("B0SAFET031", reason=reason("Refunded, item not returned"), sub=reason("No carrier scan of the return")),
    )
    assert decide(state(rows=rows, next=NEXT), PLAN, progress, LABELS) == PressNext()


def test_evidence_and_description_on_one_step():
    progress = Progress(checked=True, quantities={"B0SAFET031": 1})
    evidence = state(
        upload=Control("button", "Upload supporting documents"),
        description=Control("textbox", "Description"),
        next=NEXT_OFF,
    )
    assert decide(evidence, PLAN, progress, LABELS) == Upload()
    progress.uploaded = ("front.jpg",)
    listed = state(upload=evidence.upload, description=evidence.description, files_shown=("front.jpg",), next=NEXT_OFF)
    assert decide(listed, PLAN, progress, LABELS) == Describe(PLAN.description, None)


def test_evidence_then_description_on_two_steps_in_either_order():
    progress = Progress(checked=True, quantities={"B0SAFET031": 1}, uploaded=("front.jpg",))
    described = state(description=Control("textbox", "Description", value="It never  came back."), next=NEXT)
    assert decide(described, PLAN, progress, LABELS) == PressNext()  # white space is the page's
    before_upload = Progress(checked=True, quantities={"B0SAFET031": 1})
    assert decide(state(description=Control("textbox", "Description"), next=NEXT_OFF), PLAN, before_upload, LABELS) == (
        Describe(PLAN.description, None)
    )
    upload_only = state(upload=Control("button", "Upload supporting documents"), next=NEXT)
    assert decide(upload_only, PLAN, before_upload, LABELS) == Upload()


def test_a_tracking_box_is_filled_when_the_claim_has_a_tracking_id():
    plan = Plan(ORDER, "Refunded after a replacement was sent", None, "Sent twice.", "1Z999")
    shown = state(
        description=Control("textbox", "Description", value="Sent twice."), tracking=Control("textbox", "Tracking ID")
    )
    assert decide(shown, plan, Progress(checked=True), LABELS) == Describe(None, "1Z999")


def test_a_file_the_page_does_not_list_after_upload_fails_with_the_sites_reason():
    progress = Progress(checked=True, uploaded=("front.jpg",))
    refused = state(
        upload=Control("button", "Upload supporting documents"), alerts=("front.jpg is larger than 10 MB.",)
    )
    assert decide(refused, PLAN, progress, LABELS) == Fail(
        "add evidence", "the site refused front.jpg: front.jpg is larger than 10 MB."
    )


def test_the_review_is_reached_when_the_policy_box_or_submit_shows():
    shown = state(policy=Control("checkbox", "I have read and agree to the SAFE-T claim policy"))
    assert decide(shown, PLAN, Progress(), LABELS) == ReachedReview()


def test_a_state_already_acted_on_fails_instead_of_looping():
    shown = state(upload=Control("button", "Upload supporting documents"), next=NEXT_OFF)
    progress = Progress(checked=True, acted_on=[shown])
    action = decide(shown, PLAN, progress, LABELS)
    assert isinstance(action, Fail) and "going round in a loop" in action.why


def test_nothing_left_to_do_and_next_disabled_says_what_the_page_shows():
    shown = PageState(next=NEXT_OFF, offered=(("textbox", ("Seller note",)), ("button", ("Next",))))
    action = decide(shown, PLAN, Progress(checked=True, quantities={}), LABELS)
    assert isinstance(action, Fail) and action.role is None
    assert "Next stays disabled" in action.why and "text boxes: Seller note" in action.why


def test_no_next_button_fails_naming_it():
    shown = PageState(description=Control("textbox", "Description", value=PLAN.description), offered=SHOWN)
    assert decide(shown, PLAN, Progress(checked=True), LABELS) == Fail(
        "describe the claim", "", "button", "Next", "next"
    )
