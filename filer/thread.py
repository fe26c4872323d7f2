"""Settling a reply or appeal whose Send may have gone through, by what the claim's message thread shows.

A message is in the thread when the thread holds more messages of its kind with its text than the ledger already
counts as sent before it: an earlier reply with the same words is not taken for this one.
"""

from __future__ import annotations

from collections.abc import Sequence

from safet_filer.flows.claim_page import ThreadMessage, same_text
from safet_filer.flows.labels import SiteLabels
from safet_filer.followup import FollowUp
from safet_filer.followup_messages import IN_FLIGHT, Message, MessageKind, MessageState


def type_name(kind: MessageKind, labels: SiteLabels) -> str:
    """How the site names a message of this kind in the thread (and on its button): Reply, Appeal."""
    return labels.appeal if kind == MessageKind.APPEAL else labels.reply


def times_in_thread(thread: Sequence[ThreadMessage], kind: MessageKind, body: str, labels: SiteLabels) -> int:
    wanted = type_name(kind, labels)
    return sum(1 for m in thread if same_text(m.type, wanted) and same_text(m.text, body))


def sent_before(follow: FollowUp, message: Message) -> int:
    """How many messages of the claim with the same kind and words the ledger holds as sent before `message`."""
    return sum(
        1
        for m in follow.messages(message.marketplace, message.claim_id)
        if m.id < message.id
        and m.kind == message.kind
        and m.state == MessageState.SENT
        and same_text(m.body, message.body)
    )


def settle_in_flight(
    follow: FollowUp, marketplace: str, claim_id: str, thread: Sequence[ThreadMessage], labels: SiteLabels
) -> list[Message]:
    """Each of the claim's messages that is `sending` or `unknown`, settled by the thread just read."""
    settled = []
    for message in follow.messages(marketplace, claim_id):
        if message.state not in IN_FLIGHT:
            continue
        found = times_in_thread(thread, message.kind, message.body, labels) > sent_before(follow, message)
        note = (
            "Found in the claim's message thread: it reached Seller Central."
            if found
            else "Not in the claim's message thread: it did not reach Seller Central and may be sent again."
        )
        settled.append(follow.message_reconciled(message.id, in_thread=found, note=note))
    return settled
