"""What Seller Central's pages and reports write, read as values: dates, amounts with their currency, the empty mark.

Pure and forgiving: a page may write `Dec 3, 2026`, `3 Dec 2026`, `2026-12-03` or `03-Dec-2026`; an amount
`$1,234.56`, `USD 12.50`, `12,50 €` or `R$ 1.234,56`. Anything that is not one of those raises `ValueError` with
the text it was given, so that the caller can name the claim and the field.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation

from safet_filer.ledger import Money

EMPTY_MARKS = {"", "—", "-", "–", "n/a", "none"}  # how a page says "nothing here"

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ].*)?")
_MONTH_FIRST = re.compile(r"([A-Za-z]+)\.? (\d{1,2}),? (\d{4})")  # Dec 3, 2026
_DAY_FIRST = re.compile(r"(\d{1,2})[ -]([A-Za-z]+)\.?,?[ -](\d{2}|\d{4})")  # 3 Dec 2026, 03-Dec-2026, 10-Jul-25

# Symbols and codes a marketplace writes beside an amount; the longest first, so that "R$" is not read as "$".
_SYMBOLS = {"R$": "BRL", "C$": "CAD", "CA$": "CAD", "MX$": "MXN", "A$": "AUD", "$": None, "€": "EUR", "£": "GBP"}
_SYMBOLS |= {"₹": "INR", "¥": "JPY", "AED": "AED", "د.إ": "AED"}
_CODE = re.compile(r"\b([A-Z]{3})\b")
_NUMBER = re.compile(r"[-−]?\d[\d.,\s\u00a0\u202f]*")


def is_empty(text: str | None) -> bool:
    return text is None or " ".join(text.split()).casefold() in EMPTY_MARKS


def parse_date(text: str | None) -> date | None:
    """The day a page shows, or None when it shows none ("—"); ValueError for text that is not a date."""
    if is_empty(text):
        return None
    assert text is not None
    clean = " ".join(text.split())
    try:
        if match := _ISO.fullmatch(clean):
            return date(int(match[1]), int(match[2]), int(match[3]))
        if match := _MONTH_FIRST.fullmatch(clean):
            return date(int(match[3]), _month(match[1], text), int(match[2]))
        if match := _DAY_FIRST.fullmatch(clean):
            year = int(match[3]) + (2000 if len(match[3]) == 2 else 0)
            return date(year, _month(match[2], text), int(match[1]))
    except ValueError as exc:
        if "not a month" in str(exc):
            raise
        raise ValueError(f'"{text}" is not a real date') from None
    raise ValueError(f'"{text}" is not a date like "Dec 3, 2026" or 2026-12-03')


def parse_money(text: str | None, default_currency: str) -> Money | None:
    """The amount a page shows with its currency (from its symbol or code, else `default_currency`, which also
    settles "$"), or None when it shows none; ValueError for text that is not an amount."""
    if is_empty(text):
        return None
    assert text is not None
    clean = " ".join(text.split())
    currency = _currency(clean, default_currency)
    numbers = _NUMBER.findall(clean)
    if len(numbers) != 1:
        raise ValueError(f'"{text}" is not an amount like $24.99 or 24.99 USD')
    return Money(_decimal(numbers[0], text), currency)


def _month(name: str, text: str) -> int:
    month = _MONTHS.get(name.casefold())
    if month is None:
        raise ValueError(f'"{text}": "{name}" is not a month')
    return month


def _currency(text: str, default: str) -> str:
    code = _CODE.search(text)
    if code:
        return code[1]
    for symbol in sorted(_SYMBOLS, key=len, reverse=True):
        if symbol in text:
            return _SYMBOLS[symbol] or default
    return default


def _decimal(number: str, text: str) -> Decimal:
    """`1,234.56`, `1.234,56`, `1 234,56`, `12,50`, `12.5`: the last separator followed by one or two digits is
    the decimal point; every other separator groups thousands."""
    digits = re.sub(r"[\s\u00a0\u202f]", "", number).replace("−", "-").rstrip(".,")
    point = re.search(r"[.,](\d{1,2})$", digits)
    whole, cents = (digits[: point.start()], point[1]) if point else (digits, "")
    whole = re.sub(r"[.,]", "", whole)
    try:
        return Decimal(f"{whole}.{cents}" if cents else whole)
    except InvalidOperation:
        raise ValueError(f'"{text}" is not an amount like $24.99 or 24.99 USD') from None
