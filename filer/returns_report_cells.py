"""How a returns report's cells are read: each type turns a non-empty cell into its value (Amazon's dates, amounts
with either decimal mark, counts, Y/N flags, order IDs, ASINs, currency codes), or raises ValueError with the end
of a sentence that `returns_report` completes with the line and column."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation

from safet_filer.claims import ASIN_RE, ORDER_ID_RE

_MONTHS = {name: n for n, name in enumerate(("jan feb mar apr may jun jul aug sep oct nov dec").split(), start=1)}
_AMAZON_DATE = re.compile(r"(\d{1,2})-([A-Za-z]{3})-(\d{2}|\d{4})")
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[T ].*)?")
_PLAIN_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
_GROUPED_NUMBER = re.compile(r"-?\d{1,3}(?:,\d{3})+(?:\.\d+)?")  # 1,234.56
_DECIMAL_COMMA = re.compile(r"-?\d+,\d{1,2}")  # 24,99 (two digits after the comma cannot be a thousands group)
_YES = {"y", "yes", "true"}
_NO = {"n", "no", "false"}


def text_cell(value: str) -> str:
    return value


def date_cell(value: str) -> date:
    """`10-Jul-2025` and `10-Jul-25` as Amazon writes them, or ISO `2025-07-10` (a time after it is ignored)."""
    match = _AMAZON_DATE.fullmatch(value)
    try:
        if match:
            day, month_name, year = match.groups()
            month = _MONTHS.get(month_name.lower())
            if month is not None:
                return date(int(year) + (2000 if len(year) == 2 else 0), month, int(day))
        match = _ISO_DATE.fullmatch(value)
        if match:
            return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        raise ValueError(f'"{value}" is not a real date — check the day and month') from None
    raise ValueError(f'"{value}" is not a date written as 10-Jul-2025, 10-Jul-25 or 2025-07-10')


def amount_cell(value: str) -> Decimal:
    text = value
    if _GROUPED_NUMBER.fullmatch(text):
        text = text.replace(",", "")
    elif _DECIMAL_COMMA.fullmatch(text):
        text = text.replace(",", ".")
    elif not _PLAIN_NUMBER.fullmatch(text):
        raise ValueError(f'"{value}" is not an amount written as a number, like 24.99')
    try:
        return Decimal(text)
    except InvalidOperation:  # pragma: no cover - the patterns above only let numbers through
        raise ValueError(f'"{value}" is not an amount written as a number, like 24.99') from None


def count_cell(value: str) -> int:
    if not value.isdigit():
        raise ValueError(f'"{value}" is not a whole number of units, like 1')
    return int(value)


def quantity_cell(value: str) -> int:
    count = count_cell(value)
    if count < 1:
        raise ValueError(f"is {count}; a returned item is at least 1 unit")
    return count


def flag_cell(value: str) -> bool:
    lowered = value.lower()
    if lowered in _YES:
        return True
    if lowered in _NO:
        return False
    raise ValueError(f'"{value}" is neither Y nor N')


def order_id_cell(value: str) -> str:
    if not ORDER_ID_RE.fullmatch(value):
        raise ValueError(f'"{value}" is not an Amazon order ID (3, 7 and 7 digits joined by dashes)')
    return value


def asin_cell(value: str) -> str:
    if not ASIN_RE.fullmatch(value.upper()):
        raise ValueError(f'"{value}" is not an ASIN (10 letters and digits, like B07XJ8C8F5)')
    return value.upper()


def currency_cell(value: str) -> str:
    if not re.fullmatch(r"[A-Za-z]{3}", value):
        raise ValueError(f'"{value}" is not a currency code like USD')
    return value.upper()
