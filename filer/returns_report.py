"""Amazon's returns report for seller-fulfilled orders (or a seller's own CSV of it), read into typed rows.

The report is Seller Central's *Reports > Return reports* download, SP-API report type
`GET_FLAT_FILE_RETURNS_DATA_BY_RETURN_DATE`: tab-separated, one row per returned item, the 32 columns of
`REPORT_COLUMNS`. Real files drift: headers change case and words (`Seller RMA ID`, `A-to-z claim`), extra
columns appear, an empty cell is often a single space, dates come as `10-Jul-2025` or `10-Jul-25`, and some
marketplaces serve Windows-1252 instead of UTF-8. A malformed file raises `ReportError`, naming the line and
column; nothing here writes anything.
"""

from __future__ import annotations

import csv
import difflib
import io
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from safet_filer.claims import ASIN_RE, ORDER_ID_RE
from safet_filer.errors import InvalidInput


class ReportError(InvalidInput):
    """The returns report cannot be read: the message names the file, line and column; nothing was written."""


# --- cell types: each turns a non-empty cell into its value, or raises ValueError with the end of a sentence ----

_MONTHS = {name: n for n, name in enumerate(("jan feb mar apr may jun jul aug sep oct nov dec").split(), start=1)}
_AMAZON_DATE = re.compile(r"(\d{1,2})-([A-Za-z]{3})-(\d{2}|\d{4})")
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[T ].*)?")
_PLAIN_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
_GROUPED_NUMBER = re.compile(r"-?\d{1,3}(?:,\d{3})+(?:\.\d+)?")  # 1,234.56
_DECIMAL_COMMA = re.compile(r"-?\d+,\d{1,2}")  # 24,99 (two digits after the comma cannot be a thousands group)
_YES = {"y", "yes", "true"}
_NO = {"n", "no", "false"}


def _text(value: str) -> str:
    return value


def _date(value: str) -> date:
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


def _amount(value: str) -> Decimal:
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


def _count(value: str) -> int:
    if not value.isdigit():
        raise ValueError(f'"{value}" is not a whole number of units, like 1')
    return int(value)


def _quantity(value: str) -> int:
    count = _count(value)
    if count < 1:
        raise ValueError(f"is {count}; a returned item is at least 1 unit")
    return count


def _flag(value: str) -> bool:
    lowered = value.lower()
    if lowered in _YES:
        return True
    if lowered in _NO:
        return False
    raise ValueError(f'"{value}" is neither Y nor N')


def _order_id(value: str) -> str:
    if not ORDER_ID_RE.fullmatch(value):
        raise ValueError(f'"{value}" is not an Amazon order ID (3, 7 and 7 digits joined by dashes)')
    return value


def _asin(value: str) -> str:
    if not ASIN_RE.fullmatch(value.upper()):
        raise ValueError(f'"{value}" is not an ASIN (10 letters and digits, like B07XJ8C8F5)')
    return value.upper()


def _currency(value: str) -> str:
    if not re.fullmatch(r"[A-Za-z]{3}", value):
        raise ValueError(f'"{value}" is not a currency code like USD')
    return value.upper()


# --- the columns ------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Column:
    """One column of the report: its name in Amazon's documentation, the ReturnRow field, the names it drifts to."""

    name: str
    field: str
    parse: Callable[[str], Any]
    aliases: tuple[str, ...] = ()


# Amazon's 32 columns in the report's own order, then columns a seller's own file may add.
REPORT_COLUMNS: tuple[Column, ...] = (
    Column("Order ID", "order_id", _order_id),
    Column("Order date", "order_date", _date),
    Column("Return request date", "return_request_date", _date),
    Column("Return request status", "return_request_status", _text),
    Column("Amazon RMA ID", "amazon_rma_id", _text),
    Column("Merchant RMA ID", "merchant_rma_id", _text, ("Seller RMA ID",)),
    Column("Label type", "label_type", _text),
    Column("Label cost", "label_cost", _amount),
    Column("Currency code", "currency", _currency, ("Currency",)),
    Column("Return carrier", "return_carrier", _text),
    Column("Tracking ID", "tracking_id", _text),
    Column("Label to be paid by", "label_paid_by", _text),
    Column("A-to-Z Claim", "atoz_claim", _flag),
    Column("Is prime", "is_prime", _flag),
    Column("ASIN", "asin", _asin),
    Column("Merchant SKU", "merchant_sku", _text, ("Seller SKU", "SKU")),
    Column("Item Name", "item_name", _text),
    Column("Return quantity", "return_quantity", _quantity),
    Column("Return Reason", "return_reason", _text),
    Column("In policy", "in_policy", _flag),
    Column("Return type", "return_type", _text),
    Column("Resolution", "resolution", _text),
    Column("Invoice number", "invoice_number", _text),
    Column("Return delivery date", "return_delivery_date", _date),
    Column("Order Amount", "order_amount", _amount),
    Column("Order quantity", "order_quantity", _count),
    Column("SafeT Action reason", "safet_action_reason", _text),
    Column("SafeT claim id", "safet_claim_id", _text),
    Column("SafeT claim state", "safet_claim_state", _text),
    Column("SafeT claim creation time", "safet_claim_created", _text),
    Column("SafeT claim reimbursement amount", "safet_reimbursement", _amount),
    Column("Refunded Amount", "refunded_amount", _amount),
)
# Not in Amazon's report, which has no refund date; a seller's own CSV may have one, and it is then used.
EXTRA_COLUMNS: tuple[Column, ...] = (Column("Refund date", "refund_date", _date),)
# The least a row needs to become part of a claim; every other column may be absent from a seller's CSV.
REQUIRED = ("Order ID", "ASIN", "Return quantity")

_ALL_COLUMNS = REPORT_COLUMNS + EXTRA_COLUMNS
_BY_NAME = {c.name: c for c in _ALL_COLUMNS}


def _header_key(text: str) -> str:
    """How headers are compared: case, surrounding and repeated spaces and a byte-order mark do not count."""
    return " ".join(text.replace("\ufeff", "").split()).casefold()


_BY_HEADER = {_header_key(name): c for c in _ALL_COLUMNS for name in (c.name, *c.aliases)}


@dataclass(slots=True)
class ReturnRow:
    """One returned item: a row of the report, typed. None is an empty cell or a column the file does not have."""

    line: int
    order_id: str
    asin: str
    return_quantity: int
    order_date: date | None = None
    return_request_date: date | None = None
    return_request_status: str | None = None
    amazon_rma_id: str | None = None
    merchant_rma_id: str | None = None
    label_type: str | None = None
    label_cost: Decimal | None = None
    currency: str | None = None
    return_carrier: str | None = None
    tracking_id: str | None = None
    label_paid_by: str | None = None
    atoz_claim: bool | None = None
    is_prime: bool | None = None
    merchant_sku: str | None = None
    item_name: str | None = None
    return_reason: str | None = None
    in_policy: bool | None = None
    return_type: str | None = None
    resolution: str | None = None
    invoice_number: str | None = None
    return_delivery_date: date | None = None
    order_amount: Decimal | None = None
    order_quantity: int | None = None
    safet_action_reason: str | None = None
    safet_claim_id: str | None = None
    safet_claim_state: str | None = None
    safet_claim_created: str | None = None
    safet_reimbursement: Decimal | None = None
    refunded_amount: Decimal | None = None
    refund_date: date | None = None


@dataclass(slots=True)
class ReturnsReport:
    """A read report: its rows in file order, and which columns the file has (by `Column.name`)."""

    path: Path
    rows: list[ReturnRow]
    columns: frozenset[str]
    encoding: str

    def has(self, column: str) -> bool:
        return column in self.columns


# --- the column mapping of --columns ------------------------------------------------------------------------------


def parse_column_map(text: str) -> dict[str, str]:
    """`--columns "Order ID=order,ASIN=asin"`: report column name -> the header that holds it in the seller's file."""
    mapping: dict[str, str] = {}
    for part in text.split(","):
        if not part.strip():
            continue
        name, sep, header = part.partition("=")
        if not sep or not name.strip() or not header.strip():
            raise InvalidInput(
                f'--columns: "{part.strip()}" is not COLUMN=HEADER.',
                'Write each pair as the report\'s column name, "=", and your header: --columns "Order ID=order,ASIN=asin".',
            )
        column = _BY_HEADER.get(_header_key(name))
        if column is None:
            close = difflib.get_close_matches(name.strip(), [c.name for c in _ALL_COLUMNS], n=1)
            maybe = f' Did you mean "{close[0]}"?' if close else ""
            raise InvalidInput(
                f'--columns: "{name.strip()}" is not a column of the returns report.{maybe}',
                "The columns are: " + ", ".join(c.name for c in _ALL_COLUMNS) + ".",
            )
        mapping[column.name] = header.strip()
    return mapping


# --- reading ----------------------------------------------------------------------------------------------------


def read_returns_report(path: Path, columns: Mapping[str, str] | None = None) -> ReturnsReport:
    """Read the returns report (or a seller's CSV) at `path` into rows; ReportError when it is malformed.

    `columns` maps a report column name to the header that holds it in this file (from `parse_column_map`).
    """
    path = Path(path)
    text, encoding = _decode(path)
    first = next((line for line in text.splitlines() if line.strip()), "")
    if not first:
        raise ReportError(
            f"{path} is empty.", "Download the returns report again from Seller Central (Reports > Return reports)."
        )
    delimiter = _delimiter(first)
    # Amazon's flat files are not quoted (an item name may start with a quote); a seller's CSV may be.
    reader = csv.reader(
        io.StringIO(text, newline=""),
        delimiter=delimiter,
        quoting=csv.QUOTE_NONE if delimiter == "\t" else csv.QUOTE_MINIMAL,
        strict=True,
    )
    try:
        header = next(reader)
        while not any(cell.strip() for cell in header):
            header = next(reader)
        header_line = reader.line_num
        where = _locate_columns(path, header, header_line, columns or {})
        rows = [
            _row(path, cells, reader.line_num, where, len(header)) for cells in reader if any(c.strip() for c in cells)
        ]
    except csv.Error as exc:
        raise ReportError(
            f"{path} line {reader.line_num}: {exc} — a quote that is opened and never closed is the usual cause.",
            _FIX_HINT,
        ) from None
    present = frozenset(name for name, _ in where)
    return ReturnsReport(path, rows, present, encoding)


_FIX_HINT = (
    "Fix that cell (or download the report again from Seller Central, Reports > Return reports) and run "
    "`safet-filer draft` again; nothing was written."
)


def _decode(path: Path) -> tuple[str, str]:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ReportError(
            f"{path} does not exist.",
            "Download the returns report from Seller Central (Reports > Return reports) and give its path.",
        ) from None
    except IsADirectoryError:
        raise ReportError(f"{path} is a folder, not a report.", "Give the returns report file in it.") from None
    except OSError as exc:
        raise ReportError(f"{path} cannot be read ({exc.strerror}).", "Check its permissions.") from None
    try:
        return raw.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:  # some marketplaces serve their reports in Windows-1252
        return raw.decode("cp1252"), "cp1252"
    except UnicodeDecodeError as exc:
        raise ReportError(
            f"{path} is neither UTF-8 nor Windows-1252 text (byte {raw[exc.start]:#04x} at offset {exc.start}).",
            "Save it as UTF-8 (or download the report again) and run `safet-filer draft` again.",
        ) from None


def _delimiter(header_line: str) -> str:
    """Tab for Amazon's report; for a seller's CSV, whichever of comma and semicolon its header uses."""
    if "\t" in header_line:
        return "\t"
    return ";" if header_line.count(";") > header_line.count(",") else ","


def _locate_columns(path: Path, header: list[str], line: int, mapping: Mapping[str, str]) -> list[tuple[str, int]]:
    """(column name, cell index) for every known column the header has; ReportError when a required one is missing."""
    mapped = {_header_key(header_text): name for name, header_text in mapping.items()}
    found: dict[str, int] = {}
    for index, cell in enumerate(header):
        key = _header_key(cell)
        name = mapped.get(key)
        if name is None and (column := _BY_HEADER.get(key)) is not None and column.name not in mapping:
            name = column.name  # a column that --columns maps elsewhere is not also found under its own name
        if name is None:
            continue  # a column the tool does not use (extra trailing columns are common)
        if name in found:
            raise ReportError(
                f"{path} line {line}: the header has {name} twice (columns {found[name] + 1} and {index + 1}).",
                "Delete or rename one of them, then run `safet-filer draft` again; nothing was written.",
            )
        found[name] = index
    for name, header_text in mapping.items():
        if name not in found:
            raise ReportError(
                f'{path} line {line}: --columns maps {name} to "{header_text}", but the header has no such column '
                f"(it has: {_listing(header)}).",
                "Give the header exactly as the file's first line has it (case and surrounding spaces do not matter).",
            )
    missing = [name for name in REQUIRED if name not in found]
    if missing:
        raise ReportError(
            f"{path} line {line}: the header has no {' or '.join(missing)} column (it has: {_listing(header)}).",
            "Give Amazon's returns report (Reports > Return reports), or name your file's columns with "
            f'--columns "{missing[0]}=YOUR HEADER"; nothing was written.',
        )
    return [(name, found[name]) for name in _BY_NAME if name in found]


def _listing(header: list[str]) -> str:
    shown = ", ".join(cell.strip() or "(empty)" for cell in header[:12])
    return shown + (f", … ({len(header)} columns)" if len(header) > 12 else "")


def _row(path: Path, cells: list[str], line: int, where: list[tuple[str, int]], width: int) -> ReturnRow:
    if len(cells) != width and (len(cells) < width or any(c.strip() for c in cells[width:])):
        raise ReportError(
            f"{path} line {line}: the row has {len(cells)} cells where the header has {width} — "
            f"a cell or a tab is {'missing' if len(cells) < width else 'extra'} in this row.",
            _FIX_HINT,
        )
    values: dict[str, Any] = {"line": line}
    for name, index in where:
        value = cells[index].strip()  # an empty cell is often a single space
        if not value:
            if name in REQUIRED:
                raise ReportError(
                    f"{path} line {line}, column {index + 1} ({name}): is empty; every returned item needs it.",
                    _FIX_HINT,
                )
            continue
        column = _BY_NAME[name]
        try:
            values[column.field] = column.parse(value)
        except ValueError as exc:
            raise ReportError(f"{path} line {line}, column {index + 1} ({name}): {exc}.", _FIX_HINT) from None
    return ReturnRow(**values)
