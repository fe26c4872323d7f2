"""Each branch of a claim's course, through the real `FilingRun` on an in-process fake Seller Central (fake_site.py).

What "reached the site" is the fake's `submissions`; what the person sees is the run's console output; what the
next run knows is the ledger. The same branches in real Chromium, through the CLI, are in test_run_e2e.py and
test_reliability.py (fewer of them: one per kind of fault).
"""

from __future__ import annotations

import json
from collections import Counter

import pytest
from fake_site import (
    FakeOrder,
    FakeSite,
    crash,
    history,
    ledger_entries,
    restricted,
    run_on,
    signs_in,
    step_fails,
    times_out,
)
from runs import claim, order_id, write_claims

from safet_filer.errors import ExitStatus, InvalidInput, NeedsPerson
from safet_filer.flows.claim_wizard import ResultUnclear
from safet_filer.flows.wizard import EligibilityAnswer
from safet_filer.ledger import Ledger, State
from safet_filer.reconcile import reconcile_ledger
from safet_filer.settings import load_settings


def claims_file(tmp_path, count: int, reason: str = "damaged"):
    claims = [claim(n, reason, tmp_path) for n in range(1, count + 1)]
    return write_claims(tmp_path, claims), claims


def states(*orders: str) -> list[str]:
    entries = ledger_entries()
    return [entries[o].state for o in orders]


def assert_each_stored_once_and_filed(site: FakeSite, orders: list[str]) -> None:
    """The site holds exactly one claim per order, and the ledger says `filed` with the site's own claim ID."""
    assert Counter(site.orders_stored()) == Counter(orders), site.orders_stored()
    ids = {s["order_id"]: s["claim_id"] for s in site.submissions}
    entries = ledger_entries()
    for order in orders:
        assert (entries[order].state, entries[order].claim_id) == (State.FILED, ids[order]), entries[order]


# -- what the site answers ---------------------------------------------------------------------------------------------
def test_each_eligibility_answer_is_recorded_without_a_submit_and_only_too_early_is_asked_again(tmp_path):
    answers = {
        order_id(1): FakeOrder({}, EligibilityAnswer.CLAIM_EXISTS, "31415-92653-5897932"),
        order_id(2): FakeOrder({}, EligibilityAnswer.NOT_ELIGIBLE),
        order_id(3): FakeOrder({}, EligibilityAnswer.WINDOW_CLOSED),
        order_id(4): FakeOrder({}, EligibilityAnswer.TOO_EARLY),
    }
    claims = [claim(n, "not_returned", tmp_path, items=None, attachments=[]) for n in range(1, 6)]  # 5: not found
    path = write_claims(tmp_path, claims)
    site = FakeSite(orders=answers)
    done = run_on(site, path)
    assert done.status == ExitStatus.OK, done.output
    assert site.submissions == []
    entries = ledger_entries()
    assert (entries[order_id(1)].state, entries[order_id(1)].claim_id) == (State.ALREADY_FILED, "31415-92653-5897932")
    for n, outcome in ((2, "not_eligible"), (3, "window_closed"), (4, "too_early"), (5, "not_found")):
        entry = entries[order_id(n)]
        assert (entry.state, entry.claim_id, entry.outcome) == (State.INELIGIBLE, None, outcome)
    assert "not eligible" in entries[order_id(2)].message

    site.asked.clear()
    again = run_on(site, path)
    assert again.status == ExitStatus.OK, again.output
    assert again.output.count("ineligible in an earlier run") == 3
    assert site.asked == [f"fill {order_id(4)}"]  # only the order that was too early is asked about again


def test_a_claim_without_items_claims_every_unit_still_claimable(tmp_path):
    claims = [claim(1, "damaged", tmp_path, items=None)]
    site = FakeSite(orders={order_id(1): FakeOrder({"B0SAFET041": 2, "B0SAFET042": 0, "B0SAFET043": 2})})
    done = run_on(site, write_claims(tmp_path, claims))
    assert done.status == ExitStatus.OK, done.output
    (stored,) = site.submissions
    assert {i["asin"]: i["quantity"] for i in stored["items"]} == {"B0SAFET041": 2, "B0SAFET043": 2}


@pytest.mark.parametrize(
    ("items", "says"),
    [
        (
            [{"asin": "B0SAFET041", "quantity": 3}],
            "items: the claim asks for 3 unit(s) of B0SAFET041, but Seller Central allows 2 (refunded minus already claimed)",
        ),
        (
            [{"asin": "B0OTHER001", "quantity": 1}],
            "items: ASIN B0OTHER001 is not among this order's refunded items on Seller Central (B0SAFET041)",
        ),
    ],
)
def test_items_the_site_does_not_offer_fail_the_claim_without_a_submit(tmp_path, items, says):
    site = FakeSite(orders={order_id(1): FakeOrder({"B0SAFET041": 2})})
    done = run_on(site, write_claims(tmp_path, [claim(1, "damaged", tmp_path, items=items)]))
    assert done.status == ExitStatus.CLAIM_FAILED
    assert says in done.output
    assert site.submissions == []
    assert states(order_id(1)) == [State.FAILED]


def test_a_review_that_differs_from_the_claim_blocks_the_submit_and_keeps_the_evidence(tmp_path):
    path, claims = claims_file(tmp_path, 1)
    site = FakeSite.for_claims(claims, tamper_review=True)
    done = run_on(site, path)
    assert done.status == ExitStatus.CLAIM_FAILED, done.output
    assert site.submissions == []
    assert "does not show what the claim says" in done.output
    assert "the description differs from the claim's" in ledger_entries()[order_id(1)].message
    assert states(order_id(1)) == [State.FAILED]
    (record,) = json.loads((done.folder / "summary.json").read_text())["claims"]
    assert sorted(e.rsplit("/", 1)[1] for e in record["evidence"]) == [
        "failure.aria.yml",
        "failure.html",
        "failure.png",
        "trace.zip",
    ]


# -- the person ----------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("fill_ahead", [True, False], ids=["filling-ahead", "one-by-one"])
def test_the_person_answers_yes_skip_and_quit(tmp_path, monkeypatch, fill_ahead):
    monkeypatch.setenv("SAFET_FILL_AHEAD", str(fill_ahead).lower())
    path, claims = claims_file(tmp_path, 4)
    site = FakeSite.for_claims(claims)
    done = run_on(site, path, answers="y\ns\nq\n", monkeypatch=monkeypatch)
    assert done.status == ExitStatus.NEEDS_PERSON, done.output  # stopped by the person
    assert done.output.count("Submit this claim?") == 3
    assert site.orders_stored() == [order_id(1)]
    entries = ledger_entries()
    assert [entries[order_id(n)].state for n in (1, 2, 3, 4)] == ["filed", "skipped", "skipped", "pending"]
    assert entries[order_id(1)].confirmed_by == "person"
    assert entries[order_id(2)].message == "Skipped by the person at the review step."
    assert entries[order_id(3)].message == "Not submitted: the person stopped the run here."
    if fill_ahead:  # each next claim filled while the one before is asked about; the 4th maybe, never submitted
        assert site.asked[:4] == [f"fill {order_id(n)}" for n in (1, 2)] + [
            f"submit {order_id(1)}",
            f"fill {order_id(3)}",
        ]
        assert site.asked[4:] in ([], [f"fill {order_id(4)}"])
    else:
        assert site.asked == [f"fill {order_id(1)}", f"submit {order_id(1)}"] + [f"fill {order_id(n)}" for n in (2, 3)]


def test_a_tracking_id_is_typed_only_for_reasons_whose_form_asks_for_one(tmp_path):
    # Amazon's returns report gives every drafted claim the return's tracking ID; a damaged claim's form has no box.
    claims = [
        claim(1, "damaged", tmp_path, tracking_id="1Z999AA10000000001"),
        claim(2, "delivered_not_received", tmp_path),
    ]
    site = FakeSite.for_claims(claims)
    result = run_on(site, write_claims(tmp_path, claims))
    assert result.status == ExitStatus.OK, result.output
    assert [s["tracking_id"] for s in site.submissions] == [None, claims[1]["tracking_id"]]


def test_an_unknown_answer_is_asked_again(tmp_path, monkeypatch):
    path, claims = claims_file(tmp_path, 1)
    site = FakeSite.for_claims(claims)
    done = run_on(site, path, answers="maybe\ns\n", monkeypatch=monkeypatch)
    assert done.status == ExitStatus.OK, done.output
    assert "Please answer y (submit), s (skip this claim) or q (stop the run)." in done.output
    assert site.submissions == []


def test_rehearse_fills_every_step_and_never_submits(tmp_path):
    path, claims = claims_file(tmp_path, 2)
    site = FakeSite.for_claims(claims)
    done = run_on(site, path, rehearse=True)
    assert done.status == ExitStatus.OK, done.output
    assert site.submissions == []
    assert states(order_id(1), order_id(2)) == [State.READY, State.READY]
    assert sorted(p.name for p in (done.folder / "claims").glob("*/*review.png")) == ["06-review.png"] * 2


def test_only_files_the_orders_named_and_an_unknown_one_is_refused(tmp_path):
    path, claims = claims_file(tmp_path, 3)
    site = FakeSite.for_claims(claims)
    done = run_on(site, path, only=(order_id(2),))
    assert done.status == ExitStatus.OK, done.output
    assert site.orders_stored() == [order_id(2)]
    with pytest.raises(InvalidInput, match="--only names order\\(s\\) not in the claim list: 113-0000000-0000000"):
        run_on(site, path, only=("113-0000000-0000000",))


# -- never twice -----------------------------------------------------------------------------------------------------------
def test_a_second_run_files_nothing_new_and_an_edited_claim_is_reported_not_refiled(tmp_path):
    path, claims = claims_file(tmp_path, 2)
    site = FakeSite.for_claims(claims)
    assert run_on(site, path).status == ExitStatus.OK
    site.asked.clear()
    again = run_on(site, path)
    assert again.status == ExitStatus.OK
    for n in (0, 1):
        assert (
            f"claims[{n}] (order {order_id(n + 1)}): Already filed in an earlier run; not filed again." in again.output
        )
    assert site.asked == []

    edited = json.loads(path.read_text())
    edited["claims"][0]["description"] += " (More photos attached.)"
    path.write_text(json.dumps(edited))
    third = run_on(site, path)
    assert third.status == ExitStatus.OK
    assert "This claim changed since it was filed" in third.output
    assert_each_stored_once_and_filed(site, [order_id(1), order_id(2)])


# -- a slow or erroring site ------------------------------------------------------------------------------------------------
def test_a_failed_step_is_repeated_with_its_step_and_attempt_logged_and_filed_once(tmp_path):
    path, claims = claims_file(tmp_path, 1)
    site = FakeSite.for_claims(claims)
    site.fail("fill", step_fails, times=2)
    done = run_on(site, path)
    assert done.status == ExitStatus.OK, done.output
    assert "check eligibility failed" in done.output
    assert "trying again (attempt 3 of 3)" in done.output
    assert_each_stored_once_and_filed(site, [order_id(1)])
    # Each attempt starts the claim's screenshots afresh: the report shows one filling, not three.
    (record,) = json.loads((done.folder / "summary.json").read_text())["claims"]
    assert [s.rsplit("-", 1)[-1] for s in record["screenshots"]] == [
        "order.png",
        "eligibility.png",
        "items.png",
        "reasons.png",
        "evidence.png",
        "review.png",
        "result.png",
    ]


def test_a_step_that_keeps_failing_fails_the_claim_and_the_run_goes_on(tmp_path):
    path, claims = claims_file(tmp_path, 2)
    site = FakeSite.for_claims(claims)
    site.fail("fill", step_fails, order_id=order_id(1), times=0)
    done = run_on(site, path)
    assert done.status == ExitStatus.CLAIM_FAILED, done.output
    message = ledger_entries()[order_id(1)].message
    assert message.startswith("Could not check eligibility: the site answered:") and "run again to retry it" in message
    assert site.asked.count(f"fill {order_id(1)}") == 3  # the `retries` setting
    assert site.orders_stored() == [order_id(2)]


def test_a_policy_box_that_cannot_be_ticked_fails_the_claim_before_any_submit(tmp_path):
    path, claims = claims_file(tmp_path, 1)
    site = FakeSite.for_claims(claims)
    site.fail("policy", lambda: step_fails("review"))
    done = run_on(site, path)
    assert done.status == ExitStatus.CLAIM_FAILED, done.output
    assert site.submissions == []
    assert history(order_id(1))[-2:] == ["ready", "failed"]  # never `submitting`: nothing was pressed
    assert run_on(site, path).status == ExitStatus.OK
    assert_each_stored_once_and_filed(site, [order_id(1)])


@pytest.mark.parametrize(
    ("stored", "next_run_says"), [(True, "Found on the dashboard"), (False, "Not on the dashboard")]
)
def test_a_submit_whose_answer_never_comes_is_unknown_then_settled_from_the_dashboard(tmp_path, stored, next_run_says):
    path, claims = claims_file(tmp_path, 2)
    site = FakeSite.for_claims(claims)
    site.fail("result" if stored else "press", times_out, order_id=order_id(1))
    first = run_on(site, path, only=(order_id(1),))
    assert first.status == ExitStatus.CLAIM_FAILED, first.output
    assert site.orders_stored() == ([order_id(1)] if stored else [])
    entry = ledger_entries()[order_id(1)]
    assert (entry.state, entry.claim_id) == (State.UNKNOWN, None)  # the tool never saw the answer
    assert "No result after Submit (read the result: the page did not get there in time)" in entry.message

    site.asked.clear()
    second = run_on(site, path)
    assert second.status == ExitStatus.OK, second.output
    assert next_run_says in second.output
    refiled = [] if stored else [f"fill {order_id(1)}", f"submit {order_id(1)}"]
    assert site.asked == [f"dashboard {order_id(1)}", *refiled, f"fill {order_id(2)}", f"submit {order_id(2)}"]
    assert_each_stored_once_and_filed(site, [order_id(1), order_id(2)])
    assert history(order_id(1))[2:] == (
        ["submitting", "unknown", "filed"]
        if stored
        else ["submitting", "unknown", "pending", "ready", "submitting", "filed"]
    )


def test_a_result_whose_claim_id_is_unclear_leaves_the_claim_unknown_never_filed_under_a_wrong_id(tmp_path):
    path, claims = claims_file(tmp_path, 1)
    site = FakeSite.for_claims(claims)
    unclear = "the result says SAFE-T claim ID 99999-11111-2222222, but its address says 70000-00000-0000001"
    site.fail("result", lambda: ResultUnclear(unclear), order_id=order_id(1))
    assert run_on(site, path).status == ExitStatus.CLAIM_FAILED
    entry = ledger_entries()[order_id(1)]
    assert (entry.state, entry.claim_id) == (State.UNKNOWN, None) and unclear in entry.message
    assert run_on(site, path).status == ExitStatus.OK  # the dashboard says which ID the claim got
    assert_each_stored_once_and_filed(site, [order_id(1)])


def test_a_submit_the_dashboard_does_not_list_yet_is_filed_when_the_wizard_says_the_claim_exists(tmp_path):
    path, claims = claims_file(tmp_path, 1)
    site = FakeSite.for_claims(claims)
    site.fail("result", times_out, order_id=order_id(1))  # stored on the site, its answer lost
    run_on(site, path)
    site.dashboard.clear()  # the dashboard lags behind: its search does not list the new claim yet
    second = run_on(site, path)
    assert second.status == ExitStatus.OK, second.output
    assert site.orders_stored() == [order_id(1)]  # the wizard's own "claim exists" answer stopped a second filing
    entry = ledger_entries()[order_id(1)]
    assert (entry.state, entry.claim_id) == (State.FILED, site.submissions[0]["claim_id"])
    assert history(order_id(1))[2:] == ["submitting", "unknown", "pending", "filed"]


def test_restricted_access_before_a_submit_stops_the_run_at_once_and_records_why(tmp_path):
    path, claims = claims_file(tmp_path, 3)
    site = FakeSite.for_claims(claims)
    assert run_on(site, path, only=(order_id(1),)).status == ExitStatus.OK
    site.fail("fill", restricted, times=0)
    site.asked.clear()
    done = run_on(site, path)
    assert done.status == ExitStatus.NEEDS_PERSON, done.output
    assert "Seller Central restricts automated access (claims[1] (order 113-4000002-1000002))" in done.output
    assert site.asked == [f"fill {order_id(2)}"]  # nothing was asked of the site after the restriction
    assert site.orders_stored() == [order_id(1)]
    entries = ledger_entries()
    assert entries[order_id(1)].state == State.FILED
    assert entries[order_id(2)].state == State.FAILED
    assert "Automated access restricted" in entries[order_id(2)].message
    assert "Agent Policy" in entries[order_id(2)].message
    assert (entries[order_id(3)].state, entries[order_id(3)].message) == (
        "pending",
        "In the claim list; not tried yet.",
    )


def test_restricted_access_instead_of_the_result_leaves_the_claim_unknown_never_filed_twice(tmp_path):
    path, claims = claims_file(tmp_path, 2)
    site = FakeSite.for_claims(claims)
    site.fail("result", restricted, order_id=order_id(1))
    done = run_on(site, path)
    # The run stops at once, as before a submit: nothing more is asked of the site, claim 2 is not tried.
    assert done.status == ExitStatus.NEEDS_PERSON, done.output
    assert "Seller Central restricts automated access (claims[0] (order 113-4000001-1000001))" in done.output
    assert site.asked == [f"fill {order_id(1)}", f"submit {order_id(1)}"]
    assert site.orders_stored() == [order_id(1)]
    entry = ledger_entries()[order_id(1)]
    assert entry.state == State.UNKNOWN and "Automated access restricted" in entry.message, done.output
    assert states(order_id(2)) == ["pending"]
    assert run_on(site, path).status == ExitStatus.OK
    assert_each_stored_once_and_filed(site, [order_id(1), order_id(2)])


# -- sign-in --------------------------------------------------------------------------------------------------------------------
def test_headless_a_sign_in_stops_with_exit_3_and_the_same_command_resumes(tmp_path):
    path, claims = claims_file(tmp_path, 3)
    orders = [c["order_id"] for c in claims]
    site = FakeSite.for_claims(claims)
    site.fail("fill", signs_in, order_id=orders[1])  # in the middle of claim 2, before its submit
    expired = run_on(site, path)
    assert expired.status == ExitStatus.NEEDS_PERSON, expired.output
    assert (
        "Seller Central asks you to sign in (claims[1] (order 113-4000002-1000002) was not submitted)" in expired.output
    )
    assert "safet-filer login" in expired.output
    assert site.orders_stored() == orders[:1]
    assert states(*orders) == ["filed", "pending", "pending"]

    site.fail("press", signs_in, order_id=orders[2])  # a sign-in page instead of the answer to claim 3's submit
    puzzled = run_on(site, path)
    assert puzzled.status == ExitStatus.NEEDS_PERSON, puzzled.output
    assert "just as claims[2] (order 113-4000003-1000003) was submitted" in puzzled.output
    assert "checks the dashboard" in puzzled.output
    assert site.orders_stored() == orders[:2]
    assert states(*orders) == ["filed", "filed", "unknown"]

    resumed = run_on(site, path)
    assert resumed.status == ExitStatus.OK, resumed.output
    assert "Not on the dashboard" in resumed.output
    assert_each_stored_once_and_filed(site, orders)
    assert site.sign_in_waits == 0  # headless: nobody is asked to sign in in a window


def test_headed_the_run_waits_while_the_person_signs_in_then_goes_on_with_the_same_claim(tmp_path):
    path, claims = claims_file(tmp_path, 3)
    orders = [c["order_id"] for c in claims]
    site = FakeSite.for_claims(claims, headed=True)
    site.fail("fill", signs_in, order_id=orders[1])
    site.fail("result", signs_in, order_id=orders[2])  # stored, but a sign-in page instead of its answer
    done = run_on(site, path)
    assert done.status == ExitStatus.OK, done.output
    assert done.output.count("Finish signing in") == 2
    assert done.output.count("Signed in; going on with the same claim.") == 2
    assert site.sign_in_waits == 2
    assert_each_stored_once_and_filed(site, orders)  # claim 3 found on the dashboard, not submitted again
    assert history(orders[2])[-3:] == ["submitting", "unknown", "filed"]
    assert "Found on the dashboard" in ledger_entries()[orders[2]].message


def test_headed_nobody_signing_in_stops_the_run_with_what_to_do(tmp_path):
    path, claims = claims_file(tmp_path, 1)
    site = FakeSite.for_claims(claims, headed=True, person_signs_in=False)
    site.fail("fill", signs_in)
    done = run_on(site, path)
    assert done.status == ExitStatus.NEEDS_PERSON, done.output
    assert "Nobody finished signing in within 15 minutes." in done.output
    assert "Run `safet-filer login` to sign in" in done.output
    assert site.submissions == []


# -- a crashed browser -------------------------------------------------------------------------------------------------------
def test_a_browser_crash_mid_claim_fails_that_claim_restarts_the_browser_and_files_the_rest(tmp_path):
    path, claims = claims_file(tmp_path, 3)
    orders = [c["order_id"] for c in claims]
    site = FakeSite.for_claims(claims)
    site.fail("fill", crash, order_id=orders[1])
    done = run_on(site, path)
    assert done.status == ExitStatus.CLAIM_FAILED, done.output
    assert site.restarts == 1
    entry = ledger_entries()[orders[1]]
    assert entry.state == State.FAILED and "The browser stopped responding" in entry.message
    assert site.asked.count(f"fill {orders[1]}") == 1  # a crash is not a step worth repeating
    assert site.orders_stored() == [orders[0], orders[2]]  # claim 3 by the new browser
    assert run_on(site, path).status == ExitStatus.OK
    assert_each_stored_once_and_filed(site, orders)


def test_a_browser_crash_after_submit_is_unknown_and_the_next_run_finds_the_claim(tmp_path):
    path, claims = claims_file(tmp_path, 2)
    orders = [c["order_id"] for c in claims]
    site = FakeSite.for_claims(claims)
    site.fail("result", crash, order_id=orders[0])
    done = run_on(site, path)
    assert done.status == ExitStatus.CLAIM_FAILED, done.output
    assert site.restarts == 1
    assert states(*orders) == ["unknown", "filed"]  # the run went on with the new browser
    again = run_on(site, path)
    assert again.status == ExitStatus.OK, again.output
    assert "Found on the dashboard" in again.output
    assert_each_stored_once_and_filed(site, orders)


# -- reconcile -----------------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("fault", "says"), [(restricted, "Automated access restricted"), (signs_in, "sign in")])
def test_reconcile_stops_at_once_when_the_site_restricts_access_or_asks_to_sign_in(fault, says):
    settings = load_settings()
    orders = ["113-1000001-0000001", "113-1000002-0000002"]
    with Ledger(settings.ledger_path) as ledger:
        for order in orders:
            for state in (State.READY, State.SUBMITTING, State.UNKNOWN):
                ledger.move("US", order, state)
    site = FakeSite()
    site.fail("dashboard", fault, times=0)
    from rich.console import Console

    with pytest.raises(NeedsPerson, match=says):
        reconcile_ledger(settings, settings.ledger_path, "http://127.0.0.1:8999", Console(), open_site=lambda url: site)
    assert len(site.asked) == 1, "it stopped at the first page, not once per claim"
    assert {e.state for e in ledger_entries().values()} == {State.UNKNOWN}  # nothing recorded that was not seen


# -- evidence never changes an outcome ---------------------------------------------------------------------------------
def test_a_result_screenshot_that_fails_after_filing_leaves_the_claim_filed_and_the_run_going(tmp_path):
    path, claims = claims_file(tmp_path, 2)
    site = FakeSite.for_claims(claims)
    site.fail("shot", crash, order_id=order_id(1))
    done = run_on(site, path)
    assert done.status == ExitStatus.OK, done.output
    assert_each_stored_once_and_filed(site, [order_id(1), order_id(2)])
    assert site.restarts == 1  # the browser went with the screenshot: the next claim gets a new one
    record = json.loads((done.folder / "summary.json").read_text())["claims"][0]
    assert record["state"] == "filed" and not any("result" in s for s in record["screenshots"])
    assert "The result's screenshot could not be taken" in record["message"]


def test_a_renamed_button_fails_the_claim_at_once_without_repeating_the_fill(tmp_path):
    # The page was drawn and settled without the button: a second look finds it renamed all the same.
    path, claims = claims_file(tmp_path, 2)
    site = FakeSite.for_claims(claims, renamed={"check_eligibility": "Verify order"})
    done = run_on(site, path)
    assert done.status == ExitStatus.CLAIM_FAILED, done.output
    assert site.asked == [f"fill {order_id(1)}", f"fill {order_id(2)}"]  # each tried once
    assert "trying again" not in done.output
    assert states(order_id(1), order_id(2)) == ["failed", "failed"]
