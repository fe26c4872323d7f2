"""The filing window, the one function that check, the run and draft ask when a claim may be filed."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from safet_filer.claims import CountsFrom, filing_window
from safet_filer.settings import Settings

US = Settings().marketplaces["US"]  # 30 days from the later of the refund and the return's delivery
AE = Settings().marketplaces["AE"]  # not before day 21 after the refund, then 7 days
REFUND = date(2026, 11, 1)


def test_a_us_window_is_30_days_from_the_refund_when_nothing_was_delivered():
    window = filing_window(REFUND, None, US, REFUND)
    assert (window.opens, window.start, window.closes) == (REFUND, REFUND, date(2026, 12, 1))
    assert window.counts_from is CountsFrom.refund
    assert window.days == 30 and window.days_left == 30


def test_a_us_window_counts_from_a_later_delivery():
    window = filing_window(REFUND, date(2026, 11, 9), US, date(2026, 11, 10))
    assert window.counts_from is CountsFrom.delivery
    assert window.closes == date(2026, 12, 9)
    assert window.opens == REFUND  # a claim may be filed from the refund on, before the delivery


def test_a_delivery_before_the_refund_leaves_the_window_counted_from_the_refund():
    window = filing_window(REFUND, date(2026, 10, 28), US, REFUND)
    assert window.counts_from is CountsFrom.refund
    assert window.closes == date(2026, 12, 1)


def test_the_uae_window_opens_on_day_21_and_lasts_7_days():
    window = filing_window(REFUND, None, AE, date(2026, 11, 10))
    assert window.counts_from is CountsFrom.wait_over
    assert (window.opens, window.closes) == (date(2026, 11, 22), date(2026, 11, 29))
    assert window.too_early and not window.closed


def test_a_uae_delivery_after_day_21_moves_the_window():
    window = filing_window(REFUND, date(2026, 11, 25), AE, date(2026, 11, 26))
    assert window.counts_from is CountsFrom.delivery
    assert (window.opens, window.closes) == (date(2026, 11, 22), date(2026, 12, 2))
    assert not window.too_early


@pytest.mark.parametrize(
    ("days_before_the_wait_ends", "too_early"),
    [(1, True), (0, False), (-1, False)],
)
def test_too_early_ends_on_the_first_day_a_claim_is_taken(days_before_the_wait_ends, too_early):
    opens = REFUND + timedelta(days=21)
    window = filing_window(REFUND, None, AE, opens - timedelta(days=days_before_the_wait_ends))
    assert window.too_early is too_early


@pytest.mark.parametrize(
    ("days_left", "closing_soon", "closed"),
    [(4, False, False), (3, True, False), (1, True, False), (0, True, False), (-1, False, True), (-30, False, True)],
)
def test_closing_soon_and_closed_at_their_boundaries(days_left, closing_soon, closed):
    closes = REFUND + timedelta(days=30)
    window = filing_window(REFUND, None, US, closes - timedelta(days=days_left))
    assert window.days_left == days_left
    assert (window.closing_soon, window.closed) == (closing_soon, closed)


def test_a_configured_window_length_is_honoured():
    longer = Settings().marketplaces["US"].model_copy(update={"filing_window_days": 45})
    assert filing_window(REFUND, None, longer, REFUND).closes == date(2026, 12, 16)
