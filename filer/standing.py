"""Where each claim stands: the next thing it needs from the person and by when, most urgent first, and the money.

Pure functions over the ledger's `Followed` rows, shared by `status` (and, next, the run's report).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from safet_filer.followup import Followed
from safet_filer.followup_messages import MessageKind
from safet_filer.followup_site import DECIDED, SiteStatus
from safet_filer.ledger import DONE, NEEDS_RECONCILING, State

_NOT_FILED = {State.PENDING, State.READY, State.FAILED, State.SKIPPED}


@dataclass(frozen=True)
class Next:
    """The next action a claim needs (file, reconcile, reply, appeal) and the last day for it (None: not known)."""

    action: str
    by: date | None

    def days_left(self, today: date) -> int | None:
        return (self.by - today).days if self.by else None

    def describe(self, today: date, sep: str = " ") -> str:
        """'reply by 2026-12-03 (2 days left)'; a look-up is needed now, whatever the window it belongs to."""
        if self.action == "reconcile":
            return "reconcile now" + (f"{sep}(window ends {self.by})" if self.by else "")
        if self.by is None:
            return f"{self.action} now"
        days = (self.by - today).days
        when = (
            "today"
            if days == 0
            else f"{days} day{'s' * (days != 1)} left"
            if days > 0
            else f"{-days} day{'s' * (days != -1)} overdue"
        )
        return f"{self.action} by {self.by}{sep}({when})"


def next_step(f: Followed, today: date) -> Next | None:
    """What the claim needs next from the person, or None when it needs nothing (or nothing can be done)."""
    state, site = f.entry.state, f.site
    if f.in_flight is not None and site is not None:
        return Next("reconcile", site.reply_by if f.in_flight.kind == MessageKind.REPLY else site.appeal_by)
    if state in NEEDS_RECONCILING:
        return Next("reconcile", f.filing_deadline)
    if state in _NOT_FILED or (state == State.INELIGIBLE and f.entry.outcome == "too_early"):
        return Next("file", f.filing_deadline) if f.filing_deadline else None
    if state not in DONE or site is None:
        return None
    if site.status == SiteStatus.AWAITING_RESPONSE and not f.replied:
        return Next("reply", site.reply_by)
    if site.status in DECIDED and site.appeal_by and site.appeal_by >= today and not f.appealed:
        return None if _reimbursed_in_full(f) else Next("appeal", site.appeal_by)
    return None


def most_urgent_first(rows: list[Followed], today: date) -> list[tuple[Followed, Next | None]]:
    """Each claim with its next step: the earliest deadline first (those overdue before all), the rest after."""

    def urgency(item: tuple[Followed, Next | None]) -> tuple[int, date]:
        step = item[1]
        if step is None:
            return (1, date.max)
        return (0, min(step.by or today, today) if _needed_now(step) else step.by or today)

    return sorted(((f, next_step(f, today)) for f in rows), key=urgency)


def due_within(steps: list[tuple[Followed, Next | None]], days: int, today: date) -> list[tuple[Followed, Next | None]]:
    """What needs an action within `days` days, what became overdue in the last `days` days, and what is needed now.

    A deadline missed longer ago than that is left out: nothing can be done about it any more, and a daily
    `status --due` would otherwise report it for ever.
    """
    return [
        (f, step)
        for f, step in steps
        if step is not None and (_needed_now(step) or (step.by is not None and -days <= (step.by - today).days <= days))
    ]


def overdue(steps: list[tuple[Followed, Next | None]], today: date) -> list[tuple[Followed, Next]]:
    return [(f, step) for f, step in steps if step is not None and step.by is not None and step.by < today]


@dataclass
class Totals:
    """Money per currency. claimed = granted + denied + pending; recovered is what Amazon reimbursed."""

    claimed: Decimal = Decimal(0)
    granted: Decimal = Decimal(0)
    denied: Decimal = Decimal(0)
    pending: Decimal = Decimal(0)
    recovered: Decimal = Decimal(0)


def totals(rows: list[Followed]) -> dict[str, Totals]:
    """The money of the filed claims, per currency: claimed (from the list), and how Amazon decided on it.

    A claim counts as granted when Seller Central says Granted, or Resolved with a reimbursement; as denied when
    Denied, or Resolved without one; as pending until then. Each order's claimed amount is counted once.
    """
    found: dict[str, Totals] = defaultdict(Totals)
    counted: set[tuple[str, str]] = set()
    for f in rows:
        key = (f.entry.marketplace, f.entry.order_id)
        if f.site and f.site.reimbursed:
            found[f.site.reimbursed.currency].recovered += f.site.reimbursed.amount
        if f.entry.state not in DONE or f.claimed is None or key in counted:
            continue
        counted.add(key)
        money = found[f.claimed.currency]
        money.claimed += f.claimed.amount
        status = f.site.status if f.site else None
        paid = bool(f.site and f.site.reimbursed and f.site.reimbursed.amount > 0)
        if status == SiteStatus.GRANTED or (status == SiteStatus.RESOLVED and paid):
            money.granted += f.claimed.amount
        elif status in (SiteStatus.DENIED, SiteStatus.RESOLVED):
            money.denied += f.claimed.amount
        else:
            money.pending += f.claimed.amount
    return dict(sorted(found.items()))


def _needed_now(step: Next) -> bool:
    """A submit or message that may have gone through is looked up now, whatever its date; and a question Amazon
    asked without a Reply by date is answered now. (An unfiled claim whose window is not known has no step.)"""
    return step.action == "reconcile" or step.by is None


def _reimbursed_in_full(f: Followed) -> bool:
    paid = f.site.reimbursed if f.site else None
    return bool(paid and f.claimed and paid.currency == f.claimed.currency and paid.amount >= f.claimed.amount)
