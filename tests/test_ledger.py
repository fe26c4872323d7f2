"""The ledger: allowed and forbidden moves, the one-run-at-a-time lock, private files, surviving SIGKILL."""

import os
import signal
import sqlite3
import stat
import subprocess
import sys
import textwrap
import time

import pytest

from safet_filer.errors import LedgerBusy
from safet_filer.ledger import Ledger, LedgerError, State, exclusive

US = "US"
ORDER = "113-1234567-1234567"


@pytest.fixture
def ledger(tmp_path):
    with Ledger(tmp_path / "data" / "ledger.sqlite3") as led:
        yield led


def test_a_claim_goes_from_pending_to_filed_with_every_step_kept(ledger):
    ledger.move(US, ORDER, State.PENDING, fingerprint="abc")
    ledger.move(US, ORDER, State.READY)
    ledger.move(US, ORDER, State.SUBMITTING, confirmed_by="person")
    entry = ledger.move(US, ORDER, State.FILED, claim_id="12345-67890-1234567", message="Filed.")
    assert entry.state == State.FILED
    assert entry.claim_id == "12345-67890-1234567"
    assert entry.confirmed_by == "person"
    assert entry.fingerprint == "abc"
    assert entry.submit_attempts == 1
    assert [h[1] for h in ledger.history(US, ORDER)] == ["pending", "ready", "submitting", "filed"]


@pytest.mark.parametrize("done", [State.FILED, State.ALREADY_FILED])
def test_nothing_leaves_a_filed_claim(ledger, done):
    ledger.move(US, ORDER, State.READY)
    if done == State.FILED:
        ledger.move(US, ORDER, State.SUBMITTING)
    ledger.move(US, ORDER, done)
    for to in State:
        with pytest.raises(LedgerError):
            ledger.move(US, ORDER, to)
    assert ledger.get(US, ORDER).state == done


@pytest.mark.parametrize("start", [State.PENDING, State.SKIPPED, State.FAILED, State.INELIGIBLE])
def test_submitting_only_comes_after_the_review_step(ledger, start):
    ledger.move(US, ORDER, start)
    with pytest.raises(LedgerError):
        ledger.move(US, ORDER, State.SUBMITTING)


@pytest.mark.parametrize("in_flight", [State.SUBMITTING, State.UNKNOWN])
def test_a_claim_in_flight_is_filed_again_only_after_reconciliation(ledger, in_flight):
    ledger.move(US, ORDER, State.READY)
    ledger.move(US, ORDER, State.SUBMITTING)
    if in_flight == State.UNKNOWN:
        ledger.move(US, ORDER, State.UNKNOWN)
    for to in (State.PENDING, State.READY, State.FAILED, State.SKIPPED, State.SUBMITTING):
        with pytest.raises(LedgerError, match="reconcile"):
            ledger.move(US, ORDER, to)
    entry = ledger.found_absent(US, ORDER, run_id="r2", message="Not on the dashboard.")
    assert entry.state == State.PENDING
    assert entry.submit_attempts == 1  # the next run still checks the site before filing


def test_found_absent_is_refused_for_a_claim_not_in_flight(ledger):
    ledger.move(US, ORDER, State.PENDING)
    with pytest.raises(LedgerError):
        ledger.found_absent(US, ORDER, run_id=None, message="x")


def test_marketplaces_keep_separate_rows(ledger):
    ledger.move("US", ORDER, State.PENDING)
    ledger.move("UK", ORDER, State.SKIPPED)
    assert ledger.get("US", ORDER).state == State.PENDING
    assert ledger.get("UK", ORDER).state == State.SKIPPED


def test_ledger_files_are_private(tmp_path):
    path = tmp_path / "new" / "ledger.sqlite3"
    with Ledger(path) as led:
        led.move(US, ORDER, State.PENDING)
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_second_process_is_told_who_holds_the_ledger(tmp_path):
    path = tmp_path / "ledger.sqlite3"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(f"""
            import sys, time
            from pathlib import Path
            from safet_filer.ledger import exclusive
            with exclusive(Path({str(path)!r}), "safet-filer run claims.json"):
                print("held", flush=True)
                time.sleep(60)
        """),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(LedgerBusy) as busy, exclusive(path, "safet-filer run other.json"):
            pass
        assert f"pid {holder.pid}" in busy.value.message
        assert "safet-filer run claims.json" in busy.value.message
    finally:
        holder.kill()
        holder.wait()
    with exclusive(path, "safet-filer status"):  # a killed holder leaves no stale lock
        pass


def test_the_ledger_survives_sigkill_at_any_instant(tmp_path):
    """A writer moving claims through their states is killed at random moments; every commit stays whole."""
    path = tmp_path / "ledger.sqlite3"
    writer = textwrap.dedent(f"""
        import sys
        from pathlib import Path
        from safet_filer.ledger import Ledger, State
        with Ledger(Path({str(path)!r})) as led:
            n = 0
            while True:
                order = f"113-{{int(sys.argv[1]):07d}}-{{n:07d}}"
                for state in (State.PENDING, State.READY, State.SUBMITTING, State.FILED):
                    led.move("US", order, state, claim_id="12345-67890-1234567" if state == State.FILED else None)
                n += 1
    """)
    for round_ in range(8):
        proc = subprocess.Popen([sys.executable, "-c", writer, str(round_)])
        time.sleep(0.4 + 0.07 * round_)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        db = sqlite3.connect(path)
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        rows = db.execute("SELECT order_id, state, claim_id FROM claims").fetchall()
        events = dict(db.execute("SELECT order_id, count(*) FROM events GROUP BY order_id").fetchall())
        db.close()
        for order, state, claim_id in rows:
            # each row's state matches its last event: no half-written transition
            assert events[order] == ["pending", "ready", "submitting", "filed"].index(state) + 1
            assert (claim_id is not None) == (state == "filed")
    assert len(rows) > 8  # every round got some claims through before it was killed
