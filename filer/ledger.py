"""The SQLite ledger: each claim's state and the transitions between states, nothing else.

One row per (marketplace, order ID). Every state change is one committed transaction, so a kill at any
instant leaves the last committed state. `submitting` is committed before the submit click; a claim
that is `submitting` or `unknown` can only be filed again after reconciliation found it absent.
Opening a ledger brings its schema up to date (`ledger_schema`); what follows a filed claim is in `followup`.
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime
from enum import StrEnum
from pathlib import Path

from safet_filer import ledger_schema
from safet_filer.errors import FilerError, LedgerBusy
from safet_filer.money import Money
from safet_filer.private import create_private_file, make_private_dir, write_private_file


class State(StrEnum):
    PENDING = "pending"  # in a list, not yet tried (or found absent by reconciliation)
    READY = "ready"  # filled up to the review step, waiting for the person
    SUBMITTING = "submitting"  # committed just before the submit click
    FILED = "filed"  # the site gave a SAFE-T claim ID
    ALREADY_FILED = "already_filed"  # the site has a claim safet-filer did not file (the wizard or `sync` saw it)
    INELIGIBLE = "ineligible"  # the site said no (with its message)
    SKIPPED = "skipped"  # the person said skip
    FAILED = "failed"  # could not get to the submit, or stopped before it
    UNKNOWN = "unknown"  # submit pressed, result not seen: reconcile before anything else


DONE = {State.FILED, State.ALREADY_FILED}
NEEDS_RECONCILING = {State.SUBMITTING, State.UNKNOWN}
_OPEN = {State.PENDING, State.READY, State.SKIPPED, State.FAILED, State.INELIGIBLE}

# Allowed moves. Nothing leaves DONE; nothing reaches SUBMITTING except from READY. An open claim may become FILED:
# the wizard says a claim exists for an order whose earlier submit the dashboard did not list yet (it lags).
TRANSITIONS: dict[State | None, set[State]] = {
    None: {State.PENDING, State.READY, State.INELIGIBLE, State.ALREADY_FILED, State.FAILED, State.SKIPPED},
    **{s: _OPEN | DONE for s in _OPEN},
    State.READY: _OPEN | DONE | {State.SUBMITTING},
    State.SUBMITTING: {State.FILED, State.UNKNOWN, State.ALREADY_FILED},
    State.UNKNOWN: {State.FILED, State.ALREADY_FILED, State.UNKNOWN},
    State.FILED: set(),
    State.ALREADY_FILED: set(),
}


class LedgerError(FilerError):
    """A transition the ledger forbids: it would risk filing a claim twice."""


@dataclass(frozen=True)
class Entry:
    marketplace: str
    order_id: str
    state: State
    claim_id: str | None
    outcome: str | None  # the site's eligibility answer when it refused (not_eligible, too_early, …)
    message: str | None
    fingerprint: str | None
    confirmed_by: str | None  # "person" or "auto"
    submit_attempts: int
    run_id: str | None
    created_at: str
    updated_at: str


_ENTRY_COLUMNS = ", ".join(f.name for f in fields(Entry))


def now_iso() -> str:
    """The time of a change, as the ledger stores it (UTC, to the second)."""
    return datetime.now(UTC).isoformat(timespec="seconds")


class Ledger:
    def __init__(self, path: Path):
        self.path = path
        make_private_dir(path.parent)
        create_private_file(path)  # SQLite gives -wal/-shm the same mode
        self.db = sqlite3.connect(path, isolation_level=None, timeout=30)
        self.db.row_factory = sqlite3.Row
        try:
            ledger_schema.refuse_newer(self.db, path)  # before anything is written, even the journal mode
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=FULL")
            ledger_schema.migrate(self.db, path)
        except sqlite3.DatabaseError as exc:
            self.db.close()
            raise FilerError(
                f"The ledger {path} cannot be opened: {exc}.",
                "If it was copied or edited by hand, restore it; never delete it while claims are in flight.",
            ) from None
        except BaseException:
            self.db.close()
            raise

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One committed change: everything inside is written, or (on any error, a kill) nothing is."""
        if self.db.in_transaction:  # a step of a larger change (a sync that also settles the claim's state)
            yield
            return
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise

    # -- reading -----------------------------------------------------------------------------------------------
    def get(self, marketplace: str, order_id: str) -> Entry | None:
        row = self.db.execute(
            f"SELECT {_ENTRY_COLUMNS} FROM claims WHERE marketplace = ? AND order_id = ?", (marketplace, order_id)
        ).fetchone()
        return _entry(row) if row else None

    def entries(self, states: set[State] | None = None) -> list[Entry]:
        rows = self.db.execute(
            f"SELECT {_ENTRY_COLUMNS} FROM claims ORDER BY updated_at, marketplace, order_id"
        ).fetchall()
        found = [_entry(r) for r in rows]
        return [e for e in found if states is None or e.state in states]

    def history(self, marketplace: str, order_id: str) -> list[tuple[str | None, str, str | None, str]]:
        rows = self.db.execute(
            "SELECT from_state, to_state, message, at FROM events WHERE marketplace = ? AND order_id = ? ORDER BY id",
            (marketplace, order_id),
        ).fetchall()
        return [tuple(r) for r in rows]

    # -- writing: one transaction per state change -----------------------------------------------------------
    def move(
        self,
        marketplace: str,
        order_id: str,
        to: State,
        *,
        run_id: str | None = None,
        message: str | None = None,
        claim_id: str | None = None,
        outcome: str | None = None,
        fingerprint: str | None = None,
        confirmed_by: str | None = None,
        reconciled: bool = False,
        claimed: Money | None = None,
        filing_deadline: date | None = None,
    ) -> Entry:
        """Move a claim to state `to`, refusing any move that could lead to a second filing.

        Only `reconciled=True` (the site was searched and holds no claim for the order) lets a claim whose submit
        may have gone through become pending again. `claimed` (the amount the buyer was refunded, from the claim
        list) and `filing_deadline` (the last day of its filing window) are kept when given, for `status`.
        """
        with self.transaction():
            current = self.get(marketplace, order_id)
            before = current.state if current else None
            if reconciled and before not in NEEDS_RECONCILING:
                raise LedgerError(f"Order {order_id} ({marketplace}) is not waiting for reconciliation.")
            if to not in TRANSITIONS[before] | ({State.PENDING} if reconciled else set()):
                raise LedgerError(
                    f"Order {order_id} ({marketplace}) is '{before}' in the ledger and cannot become '{to}'.",
                    "Run `safet-filer reconcile` to check it against Seller Central first."
                    if before in NEEDS_RECONCILING
                    else "It is already settled; nothing more will be filed for it.",
                )
            now = now_iso()
            if current is None:
                self.db.execute(
                    "INSERT INTO claims (marketplace, order_id, state, created_at, updated_at) VALUES (?,?,?,?,?)",
                    (marketplace, order_id, to, now, now),
                )
            self.db.execute(
                """UPDATE claims SET state = ?, updated_at = ?, run_id = coalesce(?, run_id),
                       message = ?, claim_id = coalesce(?, claim_id), outcome = ?,
                       fingerprint = coalesce(?, fingerprint), confirmed_by = coalesce(?, confirmed_by),
                       submit_attempts = submit_attempts + ?,
                       claimed_amount = coalesce(?, claimed_amount), claimed_currency = coalesce(?, claimed_currency),
                       filing_deadline = coalesce(?, filing_deadline)
                   WHERE marketplace = ? AND order_id = ?""",
                (
                    to,
                    now,
                    run_id,
                    message,
                    claim_id,
                    outcome,
                    fingerprint,
                    confirmed_by,
                    1 if to == State.SUBMITTING else 0,
                    str(claimed.amount) if claimed else None,
                    claimed.currency if claimed else None,
                    filing_deadline.isoformat() if filing_deadline else None,
                    marketplace,
                    order_id,
                ),
            )
            self.db.execute(
                "INSERT INTO events (marketplace, order_id, from_state, to_state, message, run_id, at)"
                " VALUES (?,?,?,?,?,?,?)",
                (marketplace, order_id, before, to, message, run_id, now),
            )
        entry = self.get(marketplace, order_id)
        assert entry is not None
        return entry

    def found_absent(self, marketplace: str, order_id: str, *, run_id: str | None, message: str) -> Entry:
        """Reconciliation looked on the site and found no claim: the order may be filed again."""
        return self.move(marketplace, order_id, State.PENDING, run_id=run_id, message=message, reconciled=True)


def _entry(row: sqlite3.Row) -> Entry:
    return Entry(**{**dict(row), "state": State(row["state"])})


@contextmanager
def exclusive(path: Path, command: str) -> Iterator[None]:
    """Hold the ledger for one process; another process gets a message naming the holder."""
    from filelock import FileLock, Timeout

    make_private_dir(path.parent)
    lock = FileLock(str(path) + ".lock", mode=0o600)
    owner_file = Path(str(path) + ".owner")
    try:
        lock.acquire(timeout=0)
    except Timeout:
        raise LedgerBusy(f"The ledger {path} is in use by {_owner_text(owner_file)}.", _busy_hint()) from None
    try:
        owner = {"pid": os.getpid(), "host": socket.gethostname(), "command": command[:200], "since": now_iso()}
        write_private_file(owner_file, json.dumps(owner))
        yield
    finally:
        owner_file.unlink(missing_ok=True)
        lock.release()


def _owner_text(owner_file: Path) -> str:
    try:
        owner = json.loads(owner_file.read_text())
        return (
            f"another safet-filer (pid {owner['pid']} on {owner['host']}, `{owner['command']}`, since {owner['since']})"
        )
    except (OSError, ValueError, KeyError):
        return "another safet-filer process"


def _busy_hint() -> str:
    return "Wait for that run to finish (or stop it with Ctrl-C), then run again. " + (
        "Only one run may use a ledger at a time, so that no claim is filed twice."
    )


def command_line() -> str:
    """The command this process runs (`safet-filer run …`): the ledger's holder, and what to run again to resume."""
    return " ".join(["safet-filer", *sys.argv[1:]])
