"""Filling ahead in real Chromium against the mock, the person answering at a terminal: each next claim is filled
in a second window while the one before is reviewed, and what reaches the site is exactly what each claim says,
for the claims answered yes only. (Every answer and fault, compared with a one-by-one run: test_fill_ahead.py.)
"""

from __future__ import annotations

import json
import sqlite3

import pexpect
import pytest
from runs import REASONS, assert_received_as_claimed, claim, order_id, safet_at_terminal, write_claims

from safet_filer.fixtures.server import MockSellerCentral

pytestmark = pytest.mark.e2e


def log_lines(run_folder) -> list[tuple[str, str]]:
    """(order ID, message) of each line of the run's log."""
    lines = []
    for line in (run_folder / "log.jsonl").read_text().splitlines():
        record = json.loads(line)["record"]
        lines.append((record["extra"].get("order_id", ""), record["message"]))
    return lines


def test_each_claim_is_filled_while_the_one_before_is_reviewed_and_only_yes_is_filed(tmp_path):
    claims = [claim(n, reason, tmp_path) for n, reason in enumerate(REASONS, start=1)]
    claims_file = write_claims(tmp_path, claims)
    answers = ["y", "s"] + ["y"] * (len(claims) - 2)
    home = tmp_path / "home"
    with MockSellerCentral(claims_file=claims_file) as site:
        term = safet_at_terminal(home, "run", str(claims_file), "--base-url", site.url)
        for answer in answers:
            term.expect("Submit this claim\\?")
            term.sendline(answer)
        term.expect(pexpect.EOF)
        term.close()
        assert term.exitstatus == 0, term.before
        received = {s["order_id"]: s for s in site.submissions()}

    filed = [c for c, answer in zip(claims, answers, strict=True) if answer == "y"]
    assert list(received) == [c["order_id"] for c in filed]  # in the order answered, each once
    assert_received_as_claimed(received, filed, tmp_path)
    db = sqlite3.connect(home / "ledger.sqlite3")
    states = dict(db.execute("SELECT order_id, state FROM claims").fetchall())
    db.close()
    assert states == {c["order_id"]: "filed" if a == "y" else "skipped" for c, a in zip(claims, answers, strict=True)}

    run_folder = next((home / "runs").glob("*-run"))
    taken_up = [o for o, message in log_lines(run_folder) if "filled ahead while the claim before it" in message]
    assert taken_up == [c["order_id"] for c in claims[1:]]  # every claim after the first
    summary = json.loads((run_folder / "summary.json").read_text())
    for record in summary["claims"]:  # each claim's own screenshots, written in its turn, the review among them
        assert any(shot.endswith("-review.png") for shot in record["screenshots"]), record
        assert all(f"-{record['order_id']}/" in shot for shot in record["screenshots"]), record


def test_quitting_leaves_the_claim_filled_ahead_in_its_window_unsubmitted(tmp_path):
    claims_file = write_claims(tmp_path, [claim(n, "damaged", tmp_path) for n in (1, 2, 3)])
    home = tmp_path / "home"
    with MockSellerCentral(claims_file=claims_file) as site:
        term = safet_at_terminal(home, "run", str(claims_file), "--base-url", site.url)
        term.expect("Submit this claim\\?")
        term.sendline("y")
        term.expect("Submit this claim\\?")  # claim 2, filled ahead; claim 3 is filled now, in the other window
        run_folder = next((home / "runs").glob("*-run"))
        term.expect(pexpect.TIMEOUT, timeout=0.1)
        for _ in range(100):  # the person reads until claim 3 has reached its review
            if any(o == order_id(3) and "filled ahead up to its review" in m for o, m in log_lines(run_folder)):
                break
            term.expect(pexpect.TIMEOUT, timeout=0.2)
        term.sendline("q")
        term.expect(pexpect.EOF)
        term.close()
        assert term.exitstatus == 3  # stopped by the person
        assert [s["order_id"] for s in site.submissions()] == [order_id(1)]
    assert any(o == order_id(3) and "filled ahead up to its review" in m for o, m in log_lines(run_folder))
    db = sqlite3.connect(home / "ledger.sqlite3")
    states = dict(db.execute("SELECT order_id, state FROM claims").fetchall())
    history = db.execute("SELECT to_state FROM events WHERE order_id = ?", (order_id(3),)).fetchall()
    db.close()
    assert states == {order_id(1): "filed", order_id(2): "skipped", order_id(3): "pending"}
    assert history == [("pending",)]  # filled ahead, never recorded as anything else
