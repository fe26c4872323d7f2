"""Replies and the appeal in the ledger: their kinds and guarded states (`sending` before the Send click, then
`sent`, `unknown` or `not_sent`), and the rules that refuse one before anything reaches Seller Central."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from safet_filer.followup_site import DECIDED, SiteClaim, SiteStatus
from safet_filer.ledger import LedgerError


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


MESSAGE_COLUMNS = (
    "id, marketplace, claim_id, kind, state, body, attachments, note, answers_change, run_id, created_at, updated_at"
)


def refuse_while_in_flight(site: SiteClaim, kind: MessageKind, messages: list[Message]) -> None:
    """No message of any kind while one on the claim may have reached Seller Central unseen."""
    for m in messages:
        if m.state in IN_FLIGHT:
            raise LedgerError(
                f"A {m.kind} on SAFE-T claim {site.claim_id} ({site.marketplace}) is '{m.state}': whether it "
                f"reached Seller Central is not known, so no {kind} is sent now.",
                f"Run `safet-filer sync` or `safet-filer {kind}` again: either reads the claim's message thread first.",
            )


def refuse_appeal(site: SiteClaim, today: date, earlier: Message | None) -> None:
    """One appeal per claim (`earlier`: the one sent or in flight), of a decision, by its Appeal by date."""
    label = f"SAFE-T claim {site.claim_id} ({site.marketplace})"
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


def refuse_reply(site: SiteClaim, today: date, earlier: Message | None) -> None:
    """A reply only to Amazon's request (`earlier`: a reply to it sent or in flight), by its Reply by date."""
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
    if earlier is not None:
        raise LedgerError(
            f"{label} was already answered on {earlier.created_at[:10]}, after Amazon asked. Nothing was sent.",
            "Wait for Amazon: `safet-filer sync` shows whether it asks again.",
        )


def message_from_row(row: sqlite3.Row) -> Message:
    return Message(
        **{
            **dict(row),
            "kind": MessageKind(row["kind"]),
            "state": MessageState(row["state"]),
            "attachments": json.loads(row["attachments"]),
        }
    )
