"""`safet-filer run` end to end: the CLI in a subprocess, real Chromium, the mock Seller Central.

Every test checks what reached the site through /__fixture__/submissions, not only what the tool printed.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3

import pytest
from runs import claim, order_id, safet, safet_at_terminal, write_claims

from safet_filer.fixtures.server import MockSellerCentral

pytestmark = pytest.mark.e2e

REASONS = {
    "damaged": ("ADMGD", None),
    "missing_parts": ("MSNG", None),
    "different_item": ("NOCOT", None),
    "not_returned": ("RNOTR", "RNOTR-a"),
    "return_label_charge": ("LBLOT", None),
    "outside_return_window": ("RTOW", None),
    "replacement_refunded": ("REPRF", None),
    "delivered_not_received": ("DNOTR", None),
    "restocking_fee": ("RSTK", None),
}


def ledger_states(path) -> dict[str, str]:
    db = sqlite3.connect(path)
    try:
        return dict(db.execute("SELECT order_id, state FROM claims").fetchall())
    finally:
        db.close()


def permissive_site(claims_file):
    return MockSellerCentral(claims_file=claims_file)


def test_every_reason_files_exactly_what_the_claim_says(tmp_path):
    claims = [claim(n, reason, tmp_path) for n, reason in enumerate(REASONS, start=1)]
    claims[0]["items"] = [{"asin": "B0TEST0001", "quantity": 2}]  # the mock refunded 2 units (from the list)
    claims_file = write_claims(tmp_path, claims)
    with permissive_site(claims_file) as site:
        done = safet(tmp_path / "home", "run", str(claims_file), "--base-url", site.url, "--yes")
        assert done.status == 0, done.output
        received = {s["order_id"]: s for s in site.submissions()}

    assert set(received) == {c["order_id"] for c in claims}
    for c in claims:
        got = received[c["order_id"]]
        code, sub = REASONS[c["reason"]]
        assert got["items"] == [
            {"asin": i["asin"], "quantity": i["quantity"], "reason": code, "sub_reason": sub} for i in c["items"]
        ]
        assert got["description"] == c["description"]
        assert got["tracking_id"] == c.get("tracking_id")
        photo = (tmp_path / c["attachments"][0]).read_bytes()
        assert got["attachments"] == [
            {"name": c["attachments"][0], "size": len(photo), "sha256": hashlib.sha256(photo).hexdigest()}
        ]
        assert "safet-filer/" in got["user_agent"]
    states = ledger_states(tmp_path / "home" / "ledger.sqlite3")
    assert set(states.values()) == {"filed"}
    # The run's log holds the tool's own messages: no page text (the descriptions typed) and no cookies.
    log = (done.run_folder / "log.jsonl").read_text()
    assert log.count("\n") >= len(claims)
    for c in claims:
        assert c["description"] not in log
    assert "session-id" not in log and "Cookie" not in log


def test_a_second_run_files_nothing_new(tmp_path):
    claims_file = write_claims(tmp_path, [claim(n, "damaged", tmp_path) for n in (1, 2)])
    home = tmp_path / "home"
    with permissive_site(claims_file) as site:
        first = safet(home, "run", str(claims_file), "--base-url", site.url, "--yes", "--limit", "1")
        assert first.status == 0, first.output
        assert [s["order_id"] for s in site.submissions()] == [order_id(1)]
        second = safet(home, "run", str(claims_file), "--base-url", site.url, "--yes")
        assert second.status == 0, second.output
        assert [s["order_id"] for s in site.submissions()] == [order_id(1), order_id(2)]
        third = safet(home, "run", str(claims_file), "--base-url", site.url, "--yes")
        assert third.status == 0, third.output
        assert len(site.submissions()) == 2
    assert "Already filed in an earlier run" in third.output

    # A claim edited after it was filed is reported, never filed again.
    edited = json.loads(claims_file.read_text())
    edited["claims"][0]["description"] += " (More photos attached.)"
    claims_file.write_text(json.dumps(edited))
    with permissive_site(claims_file) as site:
        fourth = safet(home, "run", str(claims_file), "--base-url", site.url, "--yes")
        assert fourth.status == 0, fourth.output
        assert site.submissions() == []
    assert "changed since it was filed" in fourth.output


def test_only_files_the_orders_named(tmp_path):
    claims_file = write_claims(tmp_path, [claim(n, "damaged", tmp_path) for n in (1, 2, 3)])
    with permissive_site(claims_file) as site:
        done = safet(tmp_path / "home", "run", str(claims_file), "--base-url", site.url, "--yes", "--only", order_id(2))
        assert done.status == 0, done.output
        assert [s["order_id"] for s in site.submissions()] == [order_id(2)]
        unknown = safet(
            tmp_path / "home", "run", str(claims_file), "--base-url", site.url, "--only", "113-0000000-0000000"
        )
        assert unknown.status == 2
        assert "--only names order(s) not in the claim list: 113-0000000-0000000" in unknown.output


def test_without_a_terminal_nothing_is_submitted_unless_yes(tmp_path):
    claims_file = write_claims(tmp_path, [claim(1, "damaged", tmp_path)])
    with permissive_site(claims_file) as site:
        done = safet(tmp_path / "home", "run", str(claims_file), "--base-url", site.url)
        assert done.status == 2
        assert "no terminal" in done.output
        assert site.submissions() == []


def test_yes_is_refused_against_a_real_seller_central_host(tmp_path):
    claims_file = write_claims(tmp_path, [claim(1, "damaged", tmp_path)])
    done = safet(tmp_path / "home", "run", str(claims_file), "--yes")
    assert done.status == 2
    assert "allow_unattended" in done.output


def test_the_person_answers_yes_skip_and_quit_at_the_prompt(tmp_path):
    claims_file = write_claims(tmp_path, [claim(n, "damaged", tmp_path) for n in (1, 2, 3, 4)])
    home = tmp_path / "home"
    with permissive_site(claims_file) as site:
        term = safet_at_terminal(home, "run", str(claims_file), "--base-url", site.url)
        for answer in ("y", "s", "q"):
            term.expect("Submit this claim\\?")
            term.sendline(answer)
        term.expect(pexpect_eof())
        term.close()
        assert term.exitstatus == 3  # stopped by the person
        submitted = [s["order_id"] for s in site.submissions()]
    assert submitted == [order_id(1)]
    states = ledger_states(home / "ledger.sqlite3")
    assert states[order_id(1)] == "filed"
    assert states[order_id(2)] == "skipped"
    assert states[order_id(3)] == "skipped"
    assert states[order_id(4)] == "pending"  # never reached, not forgotten


def test_an_unknown_answer_is_asked_again(tmp_path):
    claims_file = write_claims(tmp_path, [claim(1, "damaged", tmp_path)])
    with permissive_site(claims_file) as site:
        term = safet_at_terminal(tmp_path / "home", "run", str(claims_file), "--base-url", site.url)
        term.expect("Submit this claim\\?")
        term.sendline("maybe")
        term.expect("Please answer y")
        term.sendline("s")
        term.expect(pexpect_eof())
        term.close()
        assert term.exitstatus == 0
        assert site.submissions() == []


def test_a_review_that_differs_from_the_claim_blocks_the_submit(tmp_path):
    claims_file = write_claims(tmp_path, [claim(1, "damaged", tmp_path)])
    with permissive_site(claims_file) as site:
        site.set_faults(tamper_review=True)
        done = safet(tmp_path / "home", "run", str(claims_file), "--base-url", site.url, "--yes")
        assert done.status == 1, done.output
        assert site.submissions() == []
    assert "does not show what the claim says" in done.output
    assert ledger_states(tmp_path / "home" / "ledger.sqlite3")[order_id(1)] == "failed"


def test_rehearse_fills_every_step_and_never_submits(tmp_path):
    claims_file = write_claims(tmp_path, [claim(n, "damaged", tmp_path) for n in (1, 2)])
    with permissive_site(claims_file) as site:
        done = safet(tmp_path / "home", "run", str(claims_file), "--base-url", site.url, "--rehearse")
        assert done.status == 0, done.output
        assert site.submissions() == []
    shots = sorted(p.name for p in (done.run_folder / "claims").glob("*/*.png"))
    assert any(name.endswith("review.png") for name in shots)
    assert set(ledger_states(tmp_path / "home" / "ledger.sqlite3").values()) == {"ready"}


def test_dry_run_files_against_the_mock_and_leaves_the_real_ledger_alone(tmp_path):
    claims_file = write_claims(tmp_path, [claim(n, reason, tmp_path) for n, reason in enumerate(REASONS, 1)][:3])
    home = tmp_path / "home"
    done = safet(home, "run", "--dry-run", "--yes", str(claims_file))
    assert done.status == 0, done.output
    assert not (home / "ledger.sqlite3").exists()
    dry_ledger = done.run_folder / "ledger.sqlite3"
    assert set(ledger_states(dry_ledger).values()) == {"filed"}
    summary = json.loads((done.run_folder / "summary.json").read_text())
    assert [c["state"] for c in summary["claims"]] == ["filed"] * 3


def test_the_report_lists_every_claim_with_its_screenshots(tmp_path):
    claims_file = write_claims(tmp_path, [claim(n, "damaged", tmp_path) for n in (1, 2)])
    with permissive_site(claims_file) as site:
        done = safet(tmp_path / "home", "run", str(claims_file), "--base-url", site.url, "--yes")
        assert done.status == 0, done.output
        claim_ids = [s["claim_id"] for s in site.submissions()]
    report = (done.run_folder / "report.html").read_text()
    for n, claim_id in zip((1, 2), claim_ids, strict=True):
        assert order_id(n) in report
        assert claim_id in report
    images = [p.relative_to(done.run_folder).as_posix() for p in done.run_folder.glob("claims/*/*.png")]
    assert len(images) >= 2 * 5  # eligibility, items, reasons, evidence, review, result per claim
    for image in images:
        assert f'src="{image}"' in report
    assert "As the review page showed it" in report
    assert "Claim 1: damaged; photos of the item and the label are attached." in report  # what was filed


def pexpect_eof():
    import pexpect

    return pexpect.EOF


def test_each_eligibility_answer_is_recorded_without_a_submit(tmp_path, mock_site):
    outcomes = {
        "113-2000001-0000001": ("already_filed", "31415-92653-5897932"),  # a claim exists
        "113-3000001-0000001": ("ineligible", None),  # FBA order
        "113-4000001-0000001": ("ineligible", None),  # window closed on the site
        "113-5000001-0000001": ("ineligible", None),  # too early
        "113-9999999-9999999": ("ineligible", None),  # not found
    }
    claims = [
        claim(n, "not_returned", tmp_path, order_id=oid, items=None, attachments=[]) for n, oid in enumerate(outcomes)
    ]
    claims_file = write_claims(tmp_path, claims)
    home = tmp_path / "home"
    done = safet(home, "run", str(claims_file), "--base-url", mock_site.url, "--yes")
    assert done.status == 0, done.output
    assert mock_site.submissions() == []
    db = sqlite3.connect(home / "ledger.sqlite3")
    rows = {r[0]: r[1:] for r in db.execute("SELECT order_id, state, claim_id, outcome, message FROM claims")}
    for oid, (state, claim_id) in outcomes.items():
        assert rows[oid][0] == state, (oid, rows[oid])
        assert rows[oid][1] == claim_id
    assert rows["113-3000001-0000001"][2] == "not_eligible"
    assert rows["113-4000001-0000001"][2] == "window_closed"
    assert rows["113-5000001-0000001"][2] == "too_early"
    assert rows["113-9999999-9999999"][2] == "not_found"
    assert "not eligible" in rows["113-3000001-0000001"][3]
    # A second run asks the site again only about the order that was too early.
    again = safet(home, "run", str(claims_file), "--base-url", mock_site.url, "--yes")
    assert again.status == 0, again.output
    assert again.output.count("ineligible in an earlier run") == 3


def test_a_claim_without_items_claims_every_unit_still_claimable(tmp_path, mock_site):
    claims = [
        claim(1, "damaged", tmp_path, order_id="113-1000003-0000003", items=None),
        claim(2, "damaged", tmp_path, order_id="113-1000004-0000004", items=None),
    ]
    done = safet(tmp_path / "home", "run", str(write_claims(tmp_path, claims)), "--base-url", mock_site.url, "--yes")
    assert done.status == 0, done.output
    received = {s["order_id"]: {i["asin"]: i["quantity"] for i in s["items"]} for s in mock_site.submissions()}
    assert received == {
        "113-1000003-0000003": {"B0SAFET031": 2, "B0SAFET032": 1, "B0SAFET033": 4},
        "113-1000004-0000004": {"B0SAFET041": 2, "B0SAFET043": 2},  # B0SAFET042 was fully claimed already
    }


def test_more_units_than_the_site_allows_fails_the_claim_without_a_submit(tmp_path, mock_site):
    claims = [
        claim(1, "damaged", tmp_path, order_id="113-1000004-0000004", items=[{"asin": "B0SAFET041", "quantity": 3}])
    ]
    done = safet(tmp_path / "home", "run", str(write_claims(tmp_path, claims)), "--base-url", mock_site.url, "--yes")
    assert done.status == 1
    assert "allows 2 (refunded minus already claimed)" in done.output
    assert mock_site.submissions() == []


def test_ctrl_c_at_the_prompt_stops_at_once_and_submits_nothing(tmp_path):
    claims_file = write_claims(tmp_path, [claim(n, "damaged", tmp_path) for n in (1, 2)])
    home = tmp_path / "home"
    with permissive_site(claims_file) as site:
        term = safet_at_terminal(home, "run", str(claims_file), "--base-url", site.url)
        term.expect("Submit this claim\\?")
        term.sendintr()
        term.expect("To resume, run the same command again")
        term.expect(pexpect_eof())
        term.close()
        assert term.exitstatus == 130
        assert site.submissions() == []
    assert sorted(ledger_states(home / "ledger.sqlite3").values()) == ["pending", "ready"]


def test_ctrl_c_while_filing_lets_the_step_under_way_finish_and_keeps_ledger_and_site_agreed(tmp_path):
    claims_file = write_claims(tmp_path, [claim(n, "damaged", tmp_path) for n in (1, 2, 3)])
    home = tmp_path / "home"
    with permissive_site(claims_file) as site:
        site.set_faults(latency_ms=250)
        term = safet_at_terminal(home, "run", str(claims_file), "--base-url", site.url, "--yes")
        term.expect("Submitting without asking")  # the first submit is under way
        term.sendintr()
        term.expect("Stopping after the current step")
        term.expect(pexpect_eof())
        term.close()
        assert term.exitstatus == 130
        submitted = {s["order_id"]: s["claim_id"] for s in site.submissions()}
    db = sqlite3.connect(home / "ledger.sqlite3")
    rows = {
        order: (state, claim_id)
        for order, state, claim_id in db.execute("SELECT order_id, state, claim_id FROM claims")
    }
    assert submitted, "the submit under way was let finish"
    for order, claim_id in submitted.items():
        assert rows[order] == ("filed", claim_id)
    assert all(state in ("filed", "pending") for state, _ in rows.values()), rows


def test_a_claim_list_with_errors_stops_before_anything_is_made(tmp_path):
    bad = claim(1, "damaged", tmp_path, order_id="113-123")
    home = tmp_path / "home"
    done = safet(home, "run", str(write_claims(tmp_path, [bad])), "--dry-run", "--yes")
    assert done.status == 2
    assert "claims[0]" in done.output and "order_id" in done.output
    assert not (home / "runs").exists()
    assert not (home / "ledger.sqlite3").exists()
