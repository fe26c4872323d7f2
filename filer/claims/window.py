"""The filing window of one claim: when Seller Central starts and stops taking it, and how that stands on a day.

One pure function, `filing_window`, shared by `check` (its rules and its table), the run and `draft`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from safet_filer.settings import Marketplace

CLOSING_SOON_DAYS = 3  # a window closing within this many days (today included) is flagged "file this first"


class CountsFrom(StrEnum):
    """The day a window's days are counted from."""

    refund = "refund"  # the refund (no later delivery)
    delivery = "delivery"  # the return's delivery, later than the refund
    wait_over = "wait_over"  # the first day the marketplace takes a claim (UAE: day 21 after the refund)


@dataclass(frozen=True, slots=True)
class FilingWindow:
    """A claim's window as of `today`. `opens` and `closes` are both days on which a claim is taken."""

    opens: date  # the first day a claim is taken: the refund, or the end of the marketplace's wait
    start: date  # the day the window's days count from
    counts_from: CountsFrom
    closes: date  # the last day a claim is taken (the deadline)
    days: int  # the marketplace's window, in days
    today: date  # the day the rest is judged on

    @property
    def days_left(self) -> int:
        """From today to `closes`: 0 on the last day, negative once closed."""
        return (self.closes - self.today).days

    @property
    def too_early(self) -> bool:
        """Today is before the first day the marketplace takes a claim."""
        return self.today < self.opens

    @property
    def closed(self) -> bool:
        return self.days_left < 0

    @property
    def closing_soon(self) -> bool:
        """Still open, but for CLOSING_SOON_DAYS more days at most."""
        return 0 <= self.days_left <= CLOSING_SOON_DAYS


def filing_window(
    refund_date: date, return_delivered_date: date | None, market: Marketplace, today: date
) -> FilingWindow:
    """The window of a claim refunded on `refund_date` (its return delivered on `return_delivered_date`, if it was).

    It is `market.filing_window_days` long and counts from the later of the refund and the delivery; a
    marketplace that makes the seller wait (`earliest_days_after_refund`) opens it only after the wait, since
    counted from the refund such a window would close before a claim could ever be filed.
    """
    start, counts_from = refund_date, CountsFrom.refund
    if return_delivered_date is not None and return_delivered_date > refund_date:
        start, counts_from = return_delivered_date, CountsFrom.delivery
    opens = refund_date + timedelta(days=market.earliest_days_after_refund)
    if opens > start:
        start, counts_from = opens, CountsFrom.wait_over
    closes = start + timedelta(days=market.filing_window_days)
    return FilingWindow(opens, start, counts_from, closes, market.filing_window_days, today)
