"""What the ledger follows after filing: Seller Central's view of each SAFE-T claim (`followup_site`) with its
history, replies and the appeal (`followup_messages`, their states and rules), stored in the ledger's tables.

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
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from safet_filer.followup_messages import (
    IN_FLIGHT,
    MESSAGE_COLUMNS,
    MESSAGE_TRANSITIONS,
    Message,
    MessageKind,
    MessageState,
    message_from_row,
    refuse_appeal,
    refuse_reply,
    refuse_while_in_flight,
)
from safet_filer.followup_site import (
    NOT_SHOWN,
    SITE_COLUMNS,
    Change,
    NotShown,
    SiteClaim,
    SiteStatus,
    Source,
    site_claim_from_row,
)
from safet_filer.ledger import DONE, NEEDS_RECONCILING, TRANSITIONS, Entry, Ledger, LedgerError, State, now_iso
from safet_filer.money import Money


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
        status: SiteStatus | None | NotShown = NOT_SHOWN,
        reimbursed: Money | None | NotShown = NOT_SHOWN,
        comment: str | None | NotShown = NOT_SHOWN,
        reply_by: date | None | NotShown = NOT_SHOWN,
        appeal_by: date | None | NotShown = NOT_SHOWN,
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
            f"SELECT {SITE_COLUMNS} FROM site_claims WHERE marketplace = ? AND claim_id = ?", (marketplace, claim_id)
        ).fetchone()
        return site_claim_from_row(row) if row else None

    def site_claims_of_order(self, marketplace: str, order_id: str) -> list[SiteClaim]:
        rows = self.db.execute(
            f"SELECT {SITE_COLUMNS} FROM site_claims WHERE marketplace = ? AND order_id = ? ORDER BY claim_id",
            (marketplace, order_id),
        ).fetchall()
        return [site_claim_from_row(r) for r in rows]

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
            refuse_while_in_flight(site, kind, self.messages(marketplace, claim_id))
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
        row = self.db.execute(f"SELECT {MESSAGE_COLUMNS} FROM messages WHERE id = ?", (message_id,)).fetchone()
        if row is None:
            raise LedgerError(f"The ledger holds no message {message_id}.")
        return message_from_row(row)

    def messages(self, marketplace: str, claim_id: str) -> list[Message]:
        rows = self.db.execute(
            f"SELECT {MESSAGE_COLUMNS} FROM messages WHERE marketplace = ? AND claim_id = ? ORDER BY id",
            (marketplace, claim_id),
        ).fetchall()
        return [message_from_row(r) for r in rows]

    def messages_in_flight(self) -> list[Message]:
        """Every message whose Send may have gone through: each must be looked up in its claim's thread."""
        rows = self.db.execute(
            f"SELECT {MESSAGE_COLUMNS} FROM messages WHERE state IN (?, ?) ORDER BY id", tuple(IN_FLIGHT)
        ).fetchall()
        return [message_from_row(r) for r in rows]

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
        earlier = self.answered(site, kind, in_flight=in_flight)
        if kind == MessageKind.APPEAL:
            refuse_appeal(site, today, earlier)
        else:
            refuse_reply(site, today, earlier)

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
