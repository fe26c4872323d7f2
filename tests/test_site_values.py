"""Dates and amounts as Seller Central's pages and reports write them, read as values."""

from datetime import date
from decimal import Decimal

import pytest

from safet_filer.ledger import Money
from safet_filer.site_values import parse_date, parse_money


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("Dec 3, 2026", date(2026, 12, 3)),
        ("Dec 03 2026", date(2026, 12, 3)),
        ("December 3, 2026", date(2026, 12, 3)),
        ("Sept. 9, 2026", date(2026, 9, 9)),
        ("3 Dec 2026", date(2026, 12, 3)),
        ("03-Dec-2026", date(2026, 12, 3)),
        ("10-Jul-25", date(2025, 7, 10)),
        ("2026-12-03", date(2026, 12, 3)),
        ("2026-12-03T10:15:00Z", date(2026, 12, 3)),
        ("  Dec  3,\n2026 ", date(2026, 12, 3)),
        ("—", None),
        ("", None),
        (None, None),
    ],
)
def test_dates_are_read_however_the_page_writes_them(text, day):
    assert parse_date(text) == day


@pytest.mark.parametrize(
    ("text", "why"),
    [("Feb 30, 2026", "not a real date"), ("Foo 3, 2026", "not a month"), ("next week", "not a date")],
)
def test_a_text_that_is_no_date_is_refused_with_the_text_itself(text, why):
    with pytest.raises(ValueError, match=why) as error:
        parse_date(text)
    assert text in str(error.value)


@pytest.mark.parametrize(
    ("text", "amount", "currency"),
    [
        ("$24.99", "24.99", "USD"),
        ("$1,234.56", "1234.56", "USD"),
        ("USD 12.50", "12.50", "USD"),
        ("12.5 EUR", "12.5", "EUR"),
        ("12,50 €", "12.50", "EUR"),
        ("1.234,56 €", "1234.56", "EUR"),
        ("1 234,56 €", "1234.56", "EUR"),
        ("£7", "7", "GBP"),
        ("R$ 1.234,56", "1234.56", "BRL"),
        ("C$ 10.00", "10.00", "CAD"),
        ("₹1,200", "1200", "INR"),
        ("¥1,234", "1234", "JPY"),
        ("0.00", "0.00", "USD"),
    ],
)
def test_amounts_keep_every_cent_and_take_their_currency_from_the_symbol_or_code(text, amount, currency):
    assert parse_money(text, "USD") == Money(Decimal(amount), currency)


def test_a_dollar_sign_is_the_marketplaces_own_dollar():
    assert parse_money("$10.00", "CAD") == Money(Decimal("10.00"), "CAD")


@pytest.mark.parametrize("text", ["—", " ", "", None])
def test_no_amount_shown_is_none(text):
    assert parse_money(text, "USD") is None


@pytest.mark.parametrize("text", ["pending", "$12 or $13"])
def test_a_text_that_is_no_amount_is_refused(text):
    with pytest.raises(ValueError, match="not an amount"):
        parse_money(text, "USD")
