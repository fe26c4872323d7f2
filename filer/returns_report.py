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
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from safet_filer.errors import InvalidInput
from safet_filer.returns_report_cells import (
    amount_cell,
    asin_cell,
    count_cell,
    currency_cell,
    date_cell,
    flag_cell,
    order_id_cell,
    quantity_cell,
    text_cell,
)


class ReportError(InvalidInput):
    """The returns report cannot be read: the message names the file, line and column; nothing was written."""


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
    Column("Order ID", "order_id", order_id_cell),
    Column("Order date", "order_date", date_cell),
    Column("Return request date", "return_request_date", date_cell),
    Column("Return request status", "return_request_status", text_cell),
    Column("Amazon RMA ID", "amazon_rma_id", text_cell),
    Column("Merchant RMA ID", "merchant_rma_id", text_cell, ("Seller RMA ID",)),
    Column("Label type", "label_type", text_cell),
    Column("Label cost", "label_cost", amount_cell),
    Column("Currency code", "currency", currency_cell, ("Currency",)),
    Column("Return carrier", "return_carrier", text_cell),
    Column("Tracking ID", "tracking_id", text_cell),
    Column("Label to be paid by", "label_paid_by", text_cell),
    Column("A-to-Z Claim", "atoz_claim", flag_cell),
    Column("Is prime", "is_prime", flag_cell),
    Column("ASIN", "asin", asin_cell),
    Column("Merchant SKU", "merchant_sku", text_cell, ("Seller SKU", "SKU")),
    Column("Item Name", "item_name", text_cell),
    Column("Return quantity", "return_quantity", quantity_cell),
    Column("Return Reason", "return_reason", text_cell),
    Column("In policy", "in_policy", flag_cell),
    Column("Return type", "return_type", text_cell),
    Column("Resolution", "resolution", text_cell),
    Column("Invoice number", "invoice_number", text_cell),
    Column("Return delivery date", "return_delivery_date", date_cell),
    Column("Order Amount", "order_amount", amount_cell),
    Column("Order quantity", "order_quantity", count_cell),
    Column("SafeT Action reason", "safet_action_reason", text_cell),
    Column("SafeT claim id", "safet_claim_id", text_cell),
    Column("SafeT claim state", "safet_claim_state", text_cell),
    Column("SafeT claim creation time", "safet_claim_created", text_cell),
    Column("SafeT claim reimbursement amount", "safet_reimbursement", amount_cell),
    Column("Refunded Amount", "refunded_amount", amount_cell),
)
# Not in Amazon's report, which has no refund date; a seller's own CSV may have one, and it is then used.
EXTRA_COLUMNS: tuple[Column, ...] = (Column("Refund date", "refund_date", date_cell),)
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
