"""`safet-filer run` end to end: the CLI in a subprocess, real Chromium, the mock Seller Central.

Every test checks what reached the site through /__fixture__/submissions, not only what the tool printed. The
branches of one claim's course (each eligibility answer, items the site does not offer, a read-back mismatch,
rehearsal, --only, an edited claim, each answer at the prompt) are tested in-process in test_course.py.
"""

from __future__ import annotations

import json
import sqlite3

import pytest
from runs import REASONS, assert_received_as_claimed, claim, order_id, safet, safet_at_terminal, write_claims

from safet_filer.fixtures.server import MockSellerCentral

pytestmark = pytest.mark.e2e


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
    assert_received_as_claimed(received, claims, tmp_path)
    assert all("safet-filer/" in got["user_agent"] for got in received.values())
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
