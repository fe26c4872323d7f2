"""The ledger: allowed and forbidden moves, the one-run-at-a-time lock, private files, surviving SIGKILL, migrations."""

import os
import shutil
import signal
import sqlite3
import stat
import subprocess
import sys
import textwrap
import time
from contextlib import closing
from pathlib import Path

import pytest
from click.testing import CliRunner

from safet_filer import ledger_schema
from safet_filer.cli import cli
from safet_filer.errors import FilerError, LedgerBusy
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
            print("open", flush=True)
            n = 0
            while True:
                order = f"113-{{int(sys.argv[1]):07d}}-{{n:07d}}"
                for state in (State.PENDING, State.READY, State.SUBMITTING, State.FILED):
                    led.move("US", order, state, claim_id="12345-67890-1234567" if state == State.FILED else None)
                n += 1
    """)
    for round_ in range(8):
        proc = subprocess.Popen([sys.executable, "-c", writer, str(round_)], stdout=subprocess.PIPE, text=True)
        assert proc.stdout.readline().strip() == "open"  # kills land among the moves, however slow the start
        time.sleep(0.2 + 0.07 * round_)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        proc.stdout.close()
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


# -- the schema version and its migrations ---------------------------------------------------------------------
V1_LEDGER = Path(__file__).parent / "data" / "ledger-v1.sqlite3"  # written by the release before versions


def _rows(path):
    """Every claim and event, read with plain sqlite3, as the person would compare them."""
    with closing(sqlite3.connect(path)) as db:
        claims = db.execute(
            "SELECT marketplace, order_id, state, claim_id, outcome, message, fingerprint, confirmed_by,"
            " submit_attempts, run_id, created_at, updated_at FROM claims ORDER BY marketplace, order_id"
        ).fetchall()
        events = db.execute(
            "SELECT id, marketplace, order_id, from_state, to_state, message, run_id, at FROM events ORDER BY id"
        ).fetchall()
    return claims, events


def test_a_ledger_from_before_versions_is_upgraded_with_every_row_kept(tmp_path):
    path = tmp_path / "ledger.sqlite3"
    shutil.copyfile(V1_LEDGER, path)
    claims_before, events_before = _rows(path)
    assert len(claims_before) == 7 and len(events_before) == 13  # the kept file is the one described in its README
    with Ledger(path) as led:
        entries = {(e.marketplace, e.order_id): e for e in led.entries()}
        filed = entries["US", "113-1000002-0000002"]
        assert (filed.state, filed.claim_id, filed.confirmed_by) == (State.FILED, "12345-67890-1234567", "person")
        assert entries["US", "113-1000003-0000003"].state == State.UNKNOWN
        assert entries["US", "113-1000004-0000004"].outcome == "not_eligible"
        assert entries["UK", "202-1000006-0000006"].claim_id == "54321-09876-7654321"
        assert [h[1] for h in led.history(US, "113-1000002-0000002")] == ["pending", "ready", "submitting", "filed"]
        # and the upgraded ledger goes on working: the claim in doubt can still only be settled by reconciling
        with pytest.raises(LedgerError, match="reconcile"):
            led.move(US, "113-1000003-0000003", State.READY)
    assert _rows(path) == (claims_before, events_before)
    with closing(sqlite3.connect(path)) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == ledger_schema.VERSION


def test_a_new_ledger_and_an_upgraded_one_have_the_same_schema(tmp_path):
    upgraded = tmp_path / "old.sqlite3"
    shutil.copyfile(V1_LEDGER, upgraded)
    Ledger(upgraded).close()
    Ledger(tmp_path / "new.sqlite3").close()

    def schema(path):
        with closing(sqlite3.connect(path)) as db:
            tables = db.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'index') ORDER BY name")
            return {name: db.execute(f"PRAGMA table_info({name})").fetchall() for (name,) in tables}

    assert schema(upgraded) == schema(tmp_path / "new.sqlite3")


def test_a_migration_that_fails_leaves_the_ledger_at_its_last_whole_version(tmp_path, monkeypatch):
    path = tmp_path / "ledger.sqlite3"
    shutil.copyfile(V1_LEDGER, path)
    before = _rows(path)
    broken = [*ledger_schema.MIGRATIONS[1][:3], "CREATE TABLE claims (x)"]  # dies after adding three columns
    monkeypatch.setattr(ledger_schema, "MIGRATIONS", [ledger_schema.MIGRATIONS[0], broken])
    with pytest.raises(FilerError, match="cannot be opened"):
        Ledger(path)
    with closing(sqlite3.connect(path)) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == 0
        assert "claimed_amount" not in {c[1] for c in db.execute("PRAGMA table_info(claims)")}
    assert _rows(path) == before


def test_a_ledger_from_a_newer_release_is_refused_and_left_untouched(tmp_path):
    path = tmp_path / "ledger.sqlite3"
    with Ledger(path) as led:
        led.move(US, ORDER, State.PENDING)
        led.db.execute(f"PRAGMA user_version = {ledger_schema.VERSION + 1}")
        led.db.execute("PRAGMA journal_mode = DELETE")  # so that even switching it to WAL would show in its bytes
    content, mtime = path.read_bytes(), path.stat().st_mtime_ns
    with pytest.raises(FilerError) as refused:
        Ledger(path)
    assert str(path) in refused.value.message
    assert f"version {ledger_schema.VERSION + 1}" in refused.value.message
    assert "Upgrade safet-filer" in refused.value.hint
    assert (path.read_bytes(), path.stat().st_mtime_ns) == (content, mtime)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ledger.sqlite3"]


def test_status_on_a_newer_ledger_says_so_without_a_traceback(tmp_path):
    path = tmp_path / "ledger.sqlite3"
    with Ledger(path) as led:
        led.db.execute("PRAGMA user_version = 99")
    result = CliRunner().invoke(cli, ["status", "--ledger", str(path)])
    assert result.exit_code == 2
    assert "newer safet-filer (ledger version 99" in result.output and "Upgrade safet-filer" in result.output
    assert "Traceback" not in result.output


def test_opening_a_ledger_keeps_the_permissions_of_a_folder_the_person_had(tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o750)
    os.chmod(shared, 0o750)
    with Ledger(shared / "ledger.sqlite3"):
        pass
    assert stat.S_IMODE(shared.stat().st_mode) == 0o750
    with Ledger(shared / "made" / "here" / "ledger.sqlite3"):  # folders it creates are private
        pass
    assert stat.S_IMODE((shared / "made").stat().st_mode) == 0o700
    assert stat.S_IMODE((shared / "made" / "here").stat().st_mode) == 0o700
    assert stat.S_IMODE(shared.stat().st_mode) == 0o750
