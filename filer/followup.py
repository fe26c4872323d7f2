"""What the ledger follows after filing: Seller Central's view of each SAFE-T claim, its history, replies and appeal.

`sync` records what the dashboard, a claim's page or the returns report shows with `record_site_view`; every
field that changed is kept in a history with its source. A claim found on the site for an order safet-filer never
filed is recorded as `already_filed`, so neither `run` nor `draft` files it again. (No state of its own: it would
mean what `already_filed` means to every reader of the ledger, "the site has a claim safet-filer did not file;
never file it", and the run already honours that. Where it was found is in its message and history.)

A reply or the one appeal is a message with guarded states, like a submit: `sending` is committed before the
Send click, then `sent`, or `unknown` when the answer was not seen. A message that is `sending` or `unknown` is
settled by reading the claim's message thread (`message_reconciled`) before anything else is sent on that claim.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any, Final

from safet_filer.ledger import DONE, NEEDS_RECONCILING, TRANSITIONS, Entry, Ledger, LedgerError, State, now_iso
from safet_filer.money import Money


class SiteStatus(StrEnum):
    """A claim's status as Seller Central words it (some marketplaces group Granted and Denied as Resolved)."""

    UNDER_INVESTIGATION = "Under investigation"
    AWAITING_RESPONSE = "Awaiting seller response"
    GRANTED = "Granted"
    DENIED = "Denied"
    RESOLVED = "Resolved"

    @classmethod
    def from_text(cls, text: str) -> SiteStatus:
        """The status a page or report shows, whatever its case and spacing."""
        wanted = " ".join(text.split()).casefold()
        for status in cls:
            if status.value.casefold() == wanted:
                return status
        raise LedgerError(
            f"Seller Central shows the claim status '{text}', which safet-filer does not know.",
            "Nothing was recorded for this claim. Report the status to safet-filer's maintainers.",
        )


DECIDED = {SiteStatus.GRANTED, SiteStatus.DENIED, SiteStatus.RESOLVED}


class Source(StrEnum):
    """Where a fact about a claim was read."""

    DASHBOARD = "dashboard"
    CLAIM_PAGE = "claim_page"
    REPORT = "report"


class MessageKind(StrEnum):
    REPLY = "reply"
    APPEAL = "appeal"


class MessageState(StrEnum):
    SENDING = "sending"  # committed just before the Send click
    SENT = "sent"  # the site showed it sent, or it was found in the claim's message thread
    UNKNOWN = "unknown"  # Send pressed, answer not seen: read the thread before anything else is sent
    NOT_SENT = "not_sent"  # the thread was read and does not hold it: it may be sent again


IN_FLIGHT = {MessageState.SENDING, MessageState.UNKNOWN}
# Nothing leaves `sent` or `not_sent`. Only `message_reconciled` (the thread was read) reaches `not_sent`.
MESSAGE_TRANSITIONS: dict[MessageState, set[MessageState]] = {
    MessageState.SENDING: {MessageState.SENT, MessageState.UNKNOWN, MessageState.NOT_SENT},
    MessageState.UNKNOWN: {MessageState.SENT, MessageState.UNKNOWN, MessageState.NOT_SENT},
    MessageState.SENT: set(),
    MessageState.NOT_SENT: set(),
}


class _NotShown:
    def __repr__(self) -> str:
        return "NOT_SHOWN"


NOT_SHOWN: Final = _NotShown()  # the source does not show this field (unlike None: it shows it empty)


@dataclass(frozen=True)
class Change:
    """One field of a claim's site view that changed: from `before` to `after` (texts; None when empty)."""

    field: str
    before: str | None
    after: str | None
    source: str | None = None
    at: str | None = None


@dataclass(frozen=True)
class SiteClaim:
    """A SAFE-T claim as Seller Central last showed it."""

    marketplace: str
    claim_id: str
    order_id: str
    status: SiteStatus | None
    reimbursed: Money | None
    comment: str | None
    reply_by: date | None
    appeal_by: date | None
    source: Source
    seen_at: str


@dataclass(frozen=True)
class Message:
    id: int
    marketplace: str
    claim_id: str
    kind: MessageKind
    state: MessageState
    body: str
    attachments: list[str]
    note: str | None
    answers_change: int | None  # the status change it answers (the request for information, the decision)
    run_id: str | None
    created_at: str
    updated_at: str


@dataclass(frozen=True)
class Followed:
    """One claim as `status` shows it: the ledger's row with its SAFE-T claim as the site last showed it."""

    entry: Entry
    claimed: Money | None  # what the buyer was refunded, from the claim list
    filing_deadline: date | None
    site: SiteClaim | None
    replied: bool  # a reply to the current request was sent, or is in flight
    appealed: bool  # the one appeal was sent, or is in flight
    in_flight: Message | None  # a message whose Send may have gone through

    @property
    def claim_id(self) -> str | None:
        return self.site.claim_id if self.site else self.entry.claim_id


_SITE_COLUMNS = "marketplace, claim_id, order_id, status, reimbursed_amount, reimbursed_currency, comment, reply_by, appeal_by, source, seen_at"
_MESSAGE_COLUMNS = (
    "id, marketplace, claim_id, kind, state, body, attachments, note, answers_change, run_id, created_at, updated_at"
)


class FollowUp:
    """The follow-up part of one open ledger: `FollowUp(ledger)`; every change is one committed transaction."""

    def __init__(self, ledger: Ledger):
        self.ledger = ledger
        self.db = ledger.db

    # -- what the site shows -----------------------------------------------------------------------------------
    def record_site_view(
        self,
        marketplace: str,
        order_id: str,
        claim_id: str,
        *,
        source: Source,
        status: SiteStatus | None | _NotShown = NOT_SHOWN,
        reimbursed: Money | None | _NotShown = NOT_SHOWN,
        comment: str | None | _NotShown = NOT_SHOWN,
        reply_by: date | None | _NotShown = NOT_SHOWN,
        appeal_by: date | None | _NotShown = NOT_SHOWN,
        run_id: str | None = None,
    ) -> list[Change]:
        """Record what `source` shows of SAFE-T claim `claim_id` (for `order_id`); return what changed.

        A field left out (NOT_SHOWN) keeps its recorded value: the dashboard shows no comment or dates. None
        means the source shows the field empty (a claim page without *Reply by* once the reply was received).
        The order's ledger row is settled in the same transaction: an order safet-filer never submitted becomes
        `already_filed` (filed outside safet-filer), one whose submit may have gone through becomes `filed`.
        Those moves are among the returned changes as field "state" (and "claim_id" when one is filled in).
        """
        if isinstance(status, str):
            status = SiteStatus.from_text(status)  # the page's own words are accepted too
        shown = {
            "status": status,
            "reimbursed": reimbursed,
            "comment": comment,
            "reply_by": reply_by,
            "appeal_by": appeal_by,
        }
        with self.ledger.transaction():
            changes = self._settle_order(marketplace, order_id, claim_id, source, run_id)
            before = self.site_claim(marketplace, claim_id)
            now = now_iso()
            if before is None:
                self.db.execute(
                    "INSERT INTO site_claims (marketplace, claim_id, order_id, source, seen_at) VALUES (?,?,?,?,?)",
                    (marketplace, claim_id, order_id, source, now),
                )
            for field, value in shown.items():
                if value is NOT_SHOWN:
                    continue
                old = _field_text(before, field) if before else None
                new = _text(value)
                if old != new:
                    changes.append(Change(field, old, new, source, now))
                    self.db.execute(
                        "INSERT INTO site_changes (marketplace, claim_id, field, before, after, source, at)"
                        " VALUES (?,?,?,?,?,?,?)",
                        (marketplace, claim_id, field, old, new, source, now),
                    )
                self._store(marketplace, claim_id, field, value)
            self.db.execute(
                "UPDATE site_claims SET order_id = ?, source = ?, seen_at = ? WHERE marketplace = ? AND claim_id = ?",
                (order_id, source, now, marketplace, claim_id),
            )
        return changes

    def site_claim(self, marketplace: str, claim_id: str) -> SiteClaim | None:
        row = self.db.execute(
            f"SELECT {_SITE_COLUMNS} FROM site_claims WHERE marketplace = ? AND claim_id = ?", (marketplace, claim_id)
        ).fetchone()
        return _site_claim(row) if row else None

    def site_claims_of_order(self, marketplace: str, order_id: str) -> list[SiteClaim]:
        rows = self.db.execute(
            f"SELECT {_SITE_COLUMNS} FROM site_claims WHERE marketplace = ? AND order_id = ? ORDER BY claim_id",
            (marketplace, order_id),
        ).fetchall()
        return [_site_claim(r) for r in rows]

    def changes(self, marketplace: str, claim_id: str) -> list[Change]:
        """Every change of the claim's site view, oldest first, with its source and time."""
        rows = self.db.execute(
            "SELECT field, before, after, source, at FROM site_changes WHERE marketplace = ? AND claim_id = ? ORDER BY id",
            (marketplace, claim_id),
        ).fetchall()
        return [Change(r["field"], r["before"], r["after"], r["source"], r["at"]) for r in rows]

    def followed(self) -> list[Followed]:
        """Every claim of the ledger with what the site shows of it; an order with two SAFE-T claims gives two."""
        listed = {
            (r["marketplace"], r["order_id"]): r
            for r in self.db.execute(
                "SELECT marketplace, order_id, claimed_amount, claimed_currency, filing_deadline FROM claims"
            )
        }
        found = []
        for entry in self.ledger.entries():
            row = listed[entry.marketplace, entry.order_id]
            claimed = Money(Decimal(row["claimed_amount"]), row["claimed_currency"]) if row["claimed_amount"] else None
            deadline = date.fromisoformat(row["filing_deadline"]) if row["filing_deadline"] else None
            sites: list[SiteClaim | None] = list(self.site_claims_of_order(entry.marketplace, entry.order_id))
            if not sites or entry.claim_id not in {s.claim_id for s in sites if s} | {None}:
                sites.insert(0, None)  # the claim the ledger holds, not seen on the site yet
            for site in sites:
                messages = self.messages(site.marketplace, site.claim_id) if site else []
                found.append(
                    Followed(
                        entry=entry,
                        claimed=claimed,
                        filing_deadline=deadline,
                        site=site,
                        replied=site is not None and self.answered(site, MessageKind.REPLY) is not None,
                        appealed=site is not None and self.answered(site, MessageKind.APPEAL) is not None,
                        in_flight=next((m for m in messages if m.state in IN_FLIGHT), None),
                    )
                )
        return found

    # -- replies and the appeal --------------------------------------------------------------------------------
    def begin_message(
        self,
        marketplace: str,
        claim_id: str,
        kind: MessageKind,
        *,
        body: str,
        attachments: Sequence[str] = (),
        run_id: str | None = None,
        today: date | None = None,
    ) -> Message:
        """Commit a reply or appeal as `sending`, just before its Send click; refuse one the rules forbid.

        Refused (LedgerError, saying why and what to do): a claim the ledger has not seen on the site; any message
        while another on the claim is `sending` or `unknown`; a reply when the claim is not
        *Awaiting seller response*, after its *Reply by* date, or when this request was already answered; an
        appeal before a decision, without an *Appeal by* date or after it, or when the claim was already
        appealed (Amazon allows one appeal).
        """
        today = today or date.today()
        with self.ledger.transaction():
            site = self._known_site_claim(marketplace, claim_id)
            self._refuse_while_in_flight(site, kind)
            self._refuse(site, kind, today)
            now = now_iso()
            cursor = self.db.execute(
                "INSERT INTO messages (marketplace, claim_id, kind, state, body, attachments, answers_change, run_id,"
                " created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
                (
                    marketplace,
                    claim_id,
                    kind,
                    MessageState.SENDING,
                    body,
                    json.dumps(list(attachments)),
                    self._last_status_change(marketplace, claim_id),
                    run_id,
                    now,
                    now,
                ),
            )
        return self.message(cursor.lastrowid or 0)

    def refusal(
        self, marketplace: str, claim_id: str, kind: MessageKind, *, today: date | None = None
    ) -> LedgerError | None:
        """Why `begin_message` would refuse this reply or appeal now, or None when it may be sent: the same rules,
        checked up front. A message in flight is not among them here: sending settles it first (by the thread)."""
        try:
            self._refuse(self._known_site_claim(marketplace, claim_id), kind, today or date.today(), in_flight=False)
        except LedgerError as refused:
            return refused
        return None

    def message_sent(self, message_id: int, *, note: str | None = None) -> Message:
        """The site showed the message sent, right after the Send click."""
        return self._move_message(message_id, MessageState.SENT, note)

    def message_unknown(self, message_id: int, *, note: str) -> Message:
        """Send was pressed but its answer was not seen (a timeout, a crash): read the thread before sending again."""
        return self._move_message(message_id, MessageState.UNKNOWN, note)

    def message_reconciled(self, message_id: int, *, in_thread: bool, note: str) -> Message:
        """The claim's message thread was read: the message is there (`sent`) or not (`not_sent`, may be resent)."""
        return self._move_message(message_id, MessageState.SENT if in_thread else MessageState.NOT_SENT, note)

    def message(self, message_id: int) -> Message:
        row = self.db.execute(f"SELECT {_MESSAGE_COLUMNS} FROM messages WHERE id = ?", (message_id,)).fetchone()
        if row is None:
            raise LedgerError(f"The ledger holds no message {message_id}.")
        return _message(row)

    def messages(self, marketplace: str, claim_id: str) -> list[Message]:
        rows = self.db.execute(
            f"SELECT {_MESSAGE_COLUMNS} FROM messages WHERE marketplace = ? AND claim_id = ? ORDER BY id",
            (marketplace, claim_id),
        ).fetchall()
        return [_message(r) for r in rows]

    def messages_in_flight(self) -> list[Message]:
        """Every message whose Send may have gone through: each must be looked up in its claim's thread."""
        rows = self.db.execute(
            f"SELECT {_MESSAGE_COLUMNS} FROM messages WHERE state IN (?, ?) ORDER BY id", tuple(IN_FLIGHT)
        ).fetchall()
        return [_message(r) for r in rows]

    def answered(self, site: SiteClaim, kind: MessageKind, *, in_flight: bool = True) -> Message | None:
        """The reply sent (or, with `in_flight`, in flight) to the claim's current request, or its appeal: None
        when there is none."""
        left_out = {MessageState.NOT_SENT} | (set() if in_flight else IN_FLIGHT)
        live = [m for m in self.messages(site.marketplace, site.claim_id) if m.kind == kind]
        live = [m for m in live if m.state not in left_out]
        if kind == MessageKind.REPLY:
            current = self._last_status_change(site.marketplace, site.claim_id)
            live = [m for m in live if m.answers_change == current]
        return live[-1] if live else None

    # -- inside ------------------------------------------------------------------------------------------------
    def _settle_order(
        self, marketplace: str, order_id: str, claim_id: str, source: Source, run_id: str | None
    ) -> list[Change]:
        entry = self.ledger.get(marketplace, order_id)
        where = _WHERE[source]
        if entry is not None and entry.state in DONE:
            if entry.claim_id is not None:
                return []
            self.db.execute(
                "UPDATE claims SET claim_id = ? WHERE marketplace = ? AND order_id = ?",
                (claim_id, marketplace, order_id),
            )
            return [Change("claim_id", None, claim_id, source)]
        to = _state_for_found_claim(entry)
        message = (
            f"Found on {where} as SAFE-T claim {claim_id}: an earlier submit went through."
            if to == State.FILED
            else f"Filed outside safet-filer: {where} shows SAFE-T claim {claim_id}. safet-filer never files it."
        )
        self.ledger.move(marketplace, order_id, to, run_id=run_id, claim_id=claim_id, message=message)
        return [Change("state", entry.state.value if entry else None, to.value, source)]

    def _store(self, marketplace: str, claim_id: str, field: str, value: Any) -> None:
        if field == "reimbursed":
            amount, currency = (_decimal_text(value.amount), value.currency) if value else (None, None)
            self.db.execute(
                "UPDATE site_claims SET reimbursed_amount = ?, reimbursed_currency = ?"
                " WHERE marketplace = ? AND claim_id = ?",
                (amount, currency, marketplace, claim_id),
            )
        else:  # field is one of the fixed names above, never the person's text
            self.db.execute(
                f"UPDATE site_claims SET {field} = ? WHERE marketplace = ? AND claim_id = ?",
                (_text(value), marketplace, claim_id),
            )

    def _last_status_change(self, marketplace: str, claim_id: str) -> int | None:
        return self.db.execute(
            "SELECT max(id) FROM site_changes WHERE marketplace = ? AND claim_id = ? AND field = 'status'",
            (marketplace, claim_id),
        ).fetchone()[0]

    def _known_site_claim(self, marketplace: str, claim_id: str) -> SiteClaim:
        site = self.site_claim(marketplace, claim_id)
        if site is None:
            raise LedgerError(
                f"SAFE-T claim {claim_id} ({marketplace}) is not in the ledger; nothing was sent.",
                "Run `safet-filer sync` first, so that the ledger knows its status and dates.",
            )
        return site

    def _refuse(self, site: SiteClaim, kind: MessageKind, today: date, *, in_flight: bool = True) -> None:
        """Refuse what the rules forbid; `in_flight=False` leaves out messages whose Send may have gone through."""
        if kind == MessageKind.APPEAL:
            self._refuse_appeal(site, today, in_flight)
        else:
            self._refuse_reply(site, today, in_flight)

    def _refuse_while_in_flight(self, site: SiteClaim, kind: MessageKind) -> None:
        for m in self.messages(site.marketplace, site.claim_id):
            if m.state in IN_FLIGHT:
                raise LedgerError(
                    f"A {m.kind} on SAFE-T claim {site.claim_id} ({site.marketplace}) is '{m.state}': whether it "
                    f"reached Seller Central is not known, so no {kind} is sent now.",
                    f"Run `safet-filer sync` or `safet-filer {kind}` again: either reads the claim's message thread "
                    "first.",
                )

    def _refuse_appeal(self, site: SiteClaim, today: date, in_flight: bool) -> None:
        label = f"SAFE-T claim {site.claim_id} ({site.marketplace})"
        earlier = self.answered(site, MessageKind.APPEAL, in_flight=in_flight)
        if earlier is not None:
            raise LedgerError(
                f"{label} was already appealed on {earlier.created_at[:10]}; Amazon allows one appeal per claim. "
                "Nothing was sent.",
                "Appealing again risks action on your account; wait for Amazon's answer (`safet-filer sync`).",
            )
        if site.status not in DECIDED:
            raise LedgerError(
                f"{label} is '{site.status or 'not yet seen'}': only a decision (granted or denied) can be "
                "appealed. Nothing was sent.",
                "Wait for Amazon's decision; `safet-filer sync` records it when it comes.",
            )
        if site.appeal_by is None:
            raise LedgerError(
                f"Seller Central shows no Appeal by date for {label}, so it offers no appeal. Nothing was sent.",
                "Run `safet-filer sync` to read the claim's page again; appeal only when it shows an Appeal by date.",
            )
        if today > site.appeal_by:
            raise LedgerError(
                f"The appeal window of {label} closed on {site.appeal_by}. Nothing was sent.",
                "Amazon accepts no appeal after that date; contact Seller Support if you have new evidence.",
            )

    def _refuse_reply(self, site: SiteClaim, today: date, in_flight: bool) -> None:
        label = f"SAFE-T claim {site.claim_id} ({site.marketplace})"
        if site.status != SiteStatus.AWAITING_RESPONSE:
            raise LedgerError(
                f"{label} is '{site.status or 'not yet seen'}', not awaiting your response: there is nothing to "
                "reply to. Nothing was sent.",
                "Run `safet-filer sync` to see its status; reply only when Amazon asks for more information.",
            )
        if site.reply_by is not None and today > site.reply_by:
            raise LedgerError(
                f"The reply window of {label} closed on {site.reply_by}. Nothing was sent.",
                "Run `safet-filer sync` to see what Amazon decided; a decision can be appealed once.",
            )
        earlier = self.answered(site, MessageKind.REPLY, in_flight=in_flight)
        if earlier is not None:
            raise LedgerError(
                f"{label} was already answered on {earlier.created_at[:10]}, after Amazon asked. Nothing was sent.",
                "Wait for Amazon: `safet-filer sync` shows whether it asks again.",
            )

    def _move_message(self, message_id: int, to: MessageState, note: str | None) -> Message:
        with self.ledger.transaction():
            current = self.message(message_id)
            if to not in MESSAGE_TRANSITIONS[current.state]:
                raise LedgerError(
                    f"The {current.kind} on SAFE-T claim {current.claim_id} ({current.marketplace}) is "
                    f"'{current.state}' in the ledger and cannot become '{to}'.",
                    "It is settled; nothing more will be sent for it."
                    if current.state not in IN_FLIGHT
                    else "Read the claim's message thread to settle it (`safet-filer sync`).",
                )
            self.db.execute(
                "UPDATE messages SET state = ?, note = coalesce(?, note), updated_at = ? WHERE id = ?",
                (to, note, now_iso(), message_id),
            )
        return self.message(message_id)


_WHERE = {
    Source.DASHBOARD: "the claims dashboard",
    Source.CLAIM_PAGE: "the claim's page",
    Source.REPORT: "the returns report",
}


def _state_for_found_claim(entry: Entry | None) -> State:
    """A claim on the site for an order the ledger holds as not filed: ours if our submit may have gone through."""
    if entry is not None and entry.state in NEEDS_RECONCILING and State.FILED in TRANSITIONS[entry.state]:
        return State.FILED
    return State.ALREADY_FILED


def _decimal_text(amount: Decimal) -> str:
    """12.50 and 12.5 are one amount: stored the same, so that no change is seen where none happened."""
    return format(amount.normalize(), "f")


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, Money):
        return f"{_decimal_text(value.amount)} {value.currency}"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _field_text(site: SiteClaim, field: str) -> str | None:
    return _text(getattr(site, field))


def _site_claim(row: sqlite3.Row) -> SiteClaim:
    reimbursed = (
        Money(Decimal(row["reimbursed_amount"]), row["reimbursed_currency"])
        if row["reimbursed_amount"] is not None
        else None
    )
    return SiteClaim(
        marketplace=row["marketplace"],
        claim_id=row["claim_id"],
        order_id=row["order_id"],
        status=SiteStatus(row["status"]) if row["status"] else None,
        reimbursed=reimbursed,
        comment=row["comment"],
        reply_by=date.fromisoformat(row["reply_by"]) if row["reply_by"] else None,
        appeal_by=date.fromisoformat(row["appeal_by"]) if row["appeal_by"] else None,
        source=Source(row["source"]),
        seen_at=row["seen_at"],
    )


def _message(row: sqlite3.Row) -> Message:
    return Message(
        **{
            **dict(row),
            "kind": MessageKind(row["kind"]),
            "state": MessageState(row["state"]),
            "attachments": json.loads(row["attachments"]),
        }
    )
