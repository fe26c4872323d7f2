"""The ledger's schema versions and the ordered migrations between them, each applied in one transaction.

The version lives in SQLite's `PRAGMA user_version`. Ledgers written before it existed have `user_version` 0 and
a `claims` table: they are version 1. Migrations only add (tables, columns, indexes); none rewrites or drops a
row, so every claim and event of an older ledger is still there, unchanged, after the upgrade.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from safet_filer.errors import FilerError

# Version 1: the claims and their state changes, as every release before the schema version wrote them.
_V1 = [
    """CREATE TABLE IF NOT EXISTS claims (
        marketplace TEXT NOT NULL,
        order_id TEXT NOT NULL,
        state TEXT NOT NULL,
        claim_id TEXT,
        outcome TEXT,
        message TEXT,
        fingerprint TEXT,
        confirmed_by TEXT,
        submit_attempts INTEGER NOT NULL DEFAULT 0,
        run_id TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (marketplace, order_id)
    )""",
    """CREATE TABLE IF NOT EXISTS events (
        id INTEGER PRIMARY KEY,
        marketplace TEXT NOT NULL,
        order_id TEXT NOT NULL,
        from_state TEXT,
        to_state TEXT NOT NULL,
        message TEXT,
        run_id TEXT,
        at TEXT NOT NULL
    )""",
]

# Version 2: what happens after filing. The claim list's amount and window on each claim; Seller Central's view
# of each SAFE-T claim, every change of it, and the replies and appeal sent on it.
_V2 = [
    "ALTER TABLE claims ADD COLUMN claimed_amount TEXT",  # a decimal as text: money is never a float
    "ALTER TABLE claims ADD COLUMN claimed_currency TEXT",
    "ALTER TABLE claims ADD COLUMN filing_deadline TEXT",  # ISO date: the last day the claim can be filed
    """CREATE TABLE site_claims (
        marketplace TEXT NOT NULL,
        claim_id TEXT NOT NULL,
        order_id TEXT NOT NULL,
        status TEXT,
        reimbursed_amount TEXT,
        reimbursed_currency TEXT,
        comment TEXT,
        reply_by TEXT,
        appeal_by TEXT,
        source TEXT NOT NULL,
        seen_at TEXT NOT NULL,
        PRIMARY KEY (marketplace, claim_id)
    )""",
    "CREATE INDEX site_claims_by_order ON site_claims (marketplace, order_id)",
    """CREATE TABLE site_changes (
        id INTEGER PRIMARY KEY,
        marketplace TEXT NOT NULL,
        claim_id TEXT NOT NULL,
        field TEXT NOT NULL,
        before TEXT,
        after TEXT,
        source TEXT NOT NULL,
        at TEXT NOT NULL
    )""",
    """CREATE TABLE messages (
        id INTEGER PRIMARY KEY,
        marketplace TEXT NOT NULL,
        claim_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        state TEXT NOT NULL,
        body TEXT NOT NULL,
        attachments TEXT NOT NULL,
        note TEXT,
        answers_change INTEGER,
        run_id TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    )""",
    # The database itself keeps the rules that matter most: one appeal per claim (one that was not found absent
    # after an unknown send), and at most one message of a kind in flight.
    "CREATE UNIQUE INDEX one_appeal_per_claim ON messages (marketplace, claim_id) "
    "WHERE kind = 'appeal' AND state != 'not_sent'",
    "CREATE UNIQUE INDEX one_message_in_flight ON messages (marketplace, claim_id, kind) "
    "WHERE state IN ('sending', 'unknown')",
]

MIGRATIONS: list[list[str]] = [_V1, _V2]  # MIGRATIONS[i] takes a ledger from version i to version i + 1
VERSION = len(MIGRATIONS)


def version_of(db: sqlite3.Connection) -> int:
    """The ledger's schema version: `user_version`, or 1 for a ledger written before there was one."""
    stored = db.execute("PRAGMA user_version").fetchone()[0]
    if stored == 0 and db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'claims'").fetchone():
        return 1
    return stored


def refuse_newer(db: sqlite3.Connection, path: Path) -> None:
    """Stop, before anything is written, at a ledger made by a newer safet-filer than this one."""
    found = version_of(db)
    if found > VERSION:
        raise FilerError(
            f"The ledger {path} was written by a newer safet-filer (ledger version {found}; this one knows "
            f"versions up to {VERSION}). It was not opened, and nothing in it was changed.",
            "Upgrade safet-filer (pip install --upgrade safet-filer), then run the command again.",
        )


def migrate(db: sqlite3.Connection, path: Path) -> None:
    """Bring the ledger up to VERSION, one migration per transaction (a kill leaves the last whole version)."""
    while True:
        db.execute("BEGIN IMMEDIATE")  # re-read under the write lock: another process may have migrated it
        try:
            current = version_of(db)
            if current >= VERSION:
                db.execute("COMMIT")
                refuse_newer(db, path)
                return
            for statement in MIGRATIONS[current]:
                db.execute(statement)
            db.execute(f"PRAGMA user_version = {current + 1}")
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
