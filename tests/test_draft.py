"""`safet-filer draft`: Amazon's returns report (and a seller's CSV) read and turned into draft claims.

Report files are written here from the column list of Amazon's documentation, as the real files come:
tab-separated, single-space empty cells, `10-Jul-2025` dates, drifting headers, sometimes Windows-1252.
"""

from __future__ import annotations

import json
import re
import urllib.request
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from safet_filer.claims import check_claim_list
from safet_filer.cli import cli
from safet_filer.draft import LeftOutReason, draft_claims, ledger_entries
from safet_filer.errors import InvalidInput
from safet_filer.ledger import Ledger, State
from safet_filer.returns_report import ReportError, parse_column_map, read_returns_report
from safet_filer.settings import Settings

# Amazon's documentation of GET_FLAT_FILE_RETURNS_DATA_BY_RETURN_DATE, in its order.
COLUMNS = [
    "Order ID", "Order date", "Return request date", "Return request status", "Amazon RMA ID", "Merchant RMA ID",
    "Label type", "Label cost", "Currency code", "Return carrier", "Tracking ID", "Label to be paid by",
    "A-to-Z Claim", "Is prime", "ASIN", "Merchant SKU", "Item Name", "Return quantity", "Return Reason",
    "In policy", "Return type", "Resolution", "Invoice number", "Return delivery date", "Order Amount",
    "Order quantity", "SafeT Action reason", "SafeT claim id", "SafeT claim state", "SafeT claim creation time",
    "SafeT claim reimbursement amount", "Refunded Amount",
]  # fmt: skip
TODAY = date(2026, 3, 20)
ORDER = "113-1234567-1234567"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF" + b"\x01" * 64
PDF = b"%PDF-1.7\n" + b"\x04" * 64
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def amazon_date(day: date, short_year: bool = False) -> str:
    year = f"{day.year % 100:02d}" if short_year else str(day.year)
    return f"{day.day:02d}-{MONTHS[day.month - 1]}-{year}"


def row(**cells: str) -> dict[str, str]:
    """A returned item as Amazon writes it: a delivered, refunded, in-policy return of one unit."""
    base = {
        "Order ID": ORDER,
        "Order date": "01-Mar-2026",
        "Return request date": "05-Mar-2026",
        "Return request status": "Approved",
        "Amazon RMA ID": "DkX9mQ2RRMA",
        "Label type": "AmazonUnPaidLabel",
        "Label cost": "7.50",
        "Currency code": "USD",
        "Return carrier": "UPS",
        "Tracking ID": "1Z999AA10123456784",
        "Label to be paid by": "Customer",
        "A-to-Z Claim": "N",
        "Is prime": "N",
        "ASIN": "B07XJ8C8F5",
        "Merchant SKU": "JAR-1",
        "Item Name": "Glass storage jar",
        "Return quantity": "1",
        "Return Reason": "CR-UNWANTED_ITEM",
        "In policy": "Y",
        "Return type": "C-Returns",
        "Resolution": "StandardRefund",
        "Return delivery date": "10-Mar-2026",
        "Order Amount": "24.99",
        "Order quantity": "1",
        "Refunded Amount": "24.99",
    }
    return {**base, **cells}


def write_report(
    path: Path,
    rows: list[dict[str, str]],
    header: list[str] = COLUMNS,
    *,
    encoding: str = "utf-8",
    delimiter: str = "\t",
    names: dict[str, str] | None = None,
) -> Path:
    """The report with `header` (default: Amazon's), each row's cells by column name (absent: a single space).

    `names` renames columns of the header (drift) while the rows still name them by Amazon's name.
    """
    shown = [(names or {}).get(name, name) for name in header]
    lines = [delimiter.join(shown)]
    lines += [delimiter.join(r.get(name, " ") for name in header) for r in rows]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


@pytest.fixture
def settings() -> Settings:
    return Settings(_env_file=None)


def draft(report_path: Path, settings: Settings, today: date = TODAY, **options):
    report = read_returns_report(report_path, options.pop("columns", None))
    return draft_claims(
        report,
        marketplace="US",
        market=settings.marketplaces["US"],
        today=today,
        output_dir=report_path.parent,
        **options,
    )


def only_claim(result):
    assert [c.order_id for c in result.claims] == [ORDER], result.left_out
    return result.claims[0]


# --- reading the report -------------------------------------------------------------------------------------------


def test_every_column_of_a_row_is_read_with_its_type(tmp_path):
    cells = row(**{"Merchant RMA ID": "RMA-77", "SafeT claim reimbursement amount": "0.00", "Is prime": "Y"})
    report = read_returns_report(write_report(tmp_path / "returns.txt", [cells]))

    (item,) = report.rows
    assert item.line == 2
    assert (item.order_id, item.asin, item.return_quantity) == (ORDER, "B07XJ8C8F5", 1)
    assert item.order_date == date(2026, 3, 1)
    assert item.return_request_date == date(2026, 3, 5)
    assert item.return_delivery_date == date(2026, 3, 10)
    assert item.refunded_amount == Decimal("24.99") and isinstance(item.refunded_amount, Decimal)
    assert item.label_cost == Decimal("7.50")
    assert item.currency == "USD"
    assert (item.atoz_claim, item.is_prime, item.in_policy) == (False, True, True)
    assert item.merchant_rma_id == "RMA-77"
    assert item.return_reason == "CR-UNWANTED_ITEM"
    assert item.resolution == "StandardRefund"
    assert item.safet_claim_id is None
    assert len(report.columns) == 32


def test_drifted_headers_and_extra_trailing_columns_are_matched_by_name(tmp_path):
    header = [*COLUMNS, "Seller note", "Marketplace"]
    names = {
        "Merchant RMA ID": "Seller RMA ID",
        "A-to-Z Claim": "A-to-z claim",
        "SafeT claim id": "SafeT claim ID",
        "Order ID": "  order id ",
        "Refunded Amount": "REFUNDED AMOUNT",
    }
    cells = row(**{"Merchant RMA ID": "RMA-9", "A-to-Z Claim": "Y", "Seller note": "call back", "Marketplace": "US"})
    report = read_returns_report(write_report(tmp_path / "returns.txt", [cells], header, names=names))

    (item,) = report.rows
    assert item.order_id == ORDER
    assert item.merchant_rma_id == "RMA-9"
    assert item.atoz_claim is True
    assert item.refunded_amount == Decimal("24.99")


def test_a_single_space_is_an_empty_cell(tmp_path):
    cells = row(**{"Tracking ID": " ", "Return delivery date": " ", "Refunded Amount": " ", "In policy": " "})
    (item,) = read_returns_report(write_report(tmp_path / "returns.txt", [cells])).rows
    assert (item.tracking_id, item.return_delivery_date, item.refunded_amount, item.in_policy) == (None,) * 4


def test_dates_come_with_four_or_two_digit_years(tmp_path):
    rows = [
        row(**{"Return request date": "10-Jul-2025", "ASIN": "B000000001"}),
        row(**{"Return request date": "10-Jul-25", "ASIN": "B000000002"}),
        row(**{"Return request date": "2025-07-10", "ASIN": "B000000003"}),
    ]
    report = read_returns_report(write_report(tmp_path / "returns.txt", rows))
    assert [r.return_request_date for r in report.rows] == [date(2025, 7, 10)] * 3


def test_a_windows_1252_report_is_read(tmp_path):
    cells = row(**{"Item Name": "Crème brûlée torch – 20 cm", "Currency code": "EUR"})
    report = read_returns_report(write_report(tmp_path / "returns.txt", [cells], encoding="cp1252"))
    assert report.encoding == "cp1252"
    assert report.rows[0].item_name == "Crème brûlée torch – 20 cm"


def test_a_utf8_report_with_a_byte_order_mark_is_read(tmp_path):
    path = write_report(tmp_path / "returns.txt", [row(**{"Item Name": "Crème jar"})], encoding="utf-8-sig")
    report = read_returns_report(path)
    assert report.rows[0].order_id == ORDER
    assert report.rows[0].item_name == "Crème jar"


def test_an_item_name_starting_with_a_quote_stays_in_its_cell(tmp_path):
    cells = row(**{"Item Name": '"Best" mug, 12 oz'})
    (item,) = read_returns_report(write_report(tmp_path / "returns.txt", [cells])).rows
    assert item.item_name == '"Best" mug, 12 oz'
    assert item.return_quantity == 1


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        ({"Return request date": "31-Feb-2026"}, 'line 2, column 3 (Return request date): "31-Feb-2026" is not a real'),
        ({"Return delivery date": "March 10"}, 'line 2, column 24 (Return delivery date): "March 10" is not a date'),
        ({"Refunded Amount": "24.99$"}, 'line 2, column 32 (Refunded Amount): "24.99$" is not an amount'),
        ({"Return quantity": "one"}, 'line 2, column 18 (Return quantity): "one" is not a whole number'),
        ({"Return quantity": "0"}, "line 2, column 18 (Return quantity): is 0"),
        ({"A-to-Z Claim": "maybe"}, 'line 2, column 13 (A-to-Z Claim): "maybe" is neither Y nor N'),
        ({"Order ID": "113-123"}, 'line 2, column 1 (Order ID): "113-123" is not an Amazon order ID'),
        ({"ASIN": " "}, "line 2, column 15 (ASIN): is empty"),
    ],
)
def test_a_bad_cell_is_named_by_line_and_column(tmp_path, cells, expected):
    path = write_report(tmp_path / "returns.txt", [row(**cells)])
    with pytest.raises(ReportError) as caught:
        read_returns_report(path)
    assert caught.value.message.startswith(f"{path} {expected}")
    assert "nothing was written" in caught.value.hint


def test_a_ragged_row_is_named_by_its_line(tmp_path):
    path = write_report(tmp_path / "returns.txt", [row(), row(**{"ASIN": "B000000002"})])
    lines = path.read_text().splitlines()
    lines[2] = lines[2].rsplit("\t", 3)[0]  # the third line lost its last three cells
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(ReportError, match=r"line 3: the row has 29 cells where the header has 32 — a cell or a tab"):
        read_returns_report(path)


def test_a_report_without_a_required_column_says_which_and_how_to_map_it(tmp_path):
    header = [name for name in COLUMNS if name != "ASIN"]
    path = write_report(tmp_path / "returns.txt", [row()], header)
    with pytest.raises(ReportError) as caught:
        read_returns_report(path)
    assert caught.value.message.startswith(f"{path} line 1: the header has no ASIN column (it has: Order ID, Order")
    assert '--columns "ASIN=YOUR HEADER"' in caught.value.hint


def test_a_sellers_own_csv_is_read_with_a_column_mapping(tmp_path):
    path = tmp_path / "my-returns.csv"
    path.write_text(
        "order,product,units,refund,refunded on,delivered,why\n"
        '113-1234567-1234567,B07XJ8C8F5,2,"1,049.90",2026-03-08,2026-03-10,"CR-UNWANTED_ITEM"\n',
        encoding="utf-8",
    )
    mapping = parse_column_map(
        "Order ID=order, ASIN=product, return quantity=units, Refunded Amount=refund, Refund date=refunded on,"
        "Return delivery date=delivered,Return Reason=why"
    )
    report = read_returns_report(path, mapping)

    (item,) = report.rows
    assert (item.order_id, item.asin, item.return_quantity) == (ORDER, "B07XJ8C8F5", 2)
    assert item.refunded_amount == Decimal("1049.90")
    assert item.refund_date == date(2026, 3, 8)
    assert item.return_delivery_date == date(2026, 3, 10)
    assert item.return_reason == "CR-UNWANTED_ITEM"
    assert not report.has("Currency code")


def test_a_semicolon_csv_with_decimal_commas_is_read(tmp_path):
    path = tmp_path / "retouren.csv"
    path.write_text("Order ID;ASIN;Return quantity;Refunded Amount\n113-1234567-1234567;B07XJ8C8F5;1;24,99\n")
    assert read_returns_report(path).rows[0].refunded_amount == Decimal("24.99")


def test_a_column_mapping_names_an_unknown_column_or_header(tmp_path):
    with pytest.raises(InvalidInput, match='"Order" is not a column of the returns report. Did you mean "Order ID"'):
        parse_column_map("Order=order")
    with pytest.raises(InvalidInput, match='"ASIN" is not COLUMN=HEADER'):
        parse_column_map("Order ID=order,ASIN")
    path = tmp_path / "mine.csv"
    path.write_text("order,asin,units\n113-1234567-1234567,B07XJ8C8F5,1\n")
    with pytest.raises(ReportError, match='line 1: --columns maps Return quantity to "qty", but the header has no'):
        read_returns_report(path, parse_column_map("Return quantity=qty"))


# --- what becomes a claim -----------------------------------------------------------------------------------------


def test_rows_of_one_order_become_one_claim_with_its_items_and_quantities(tmp_path, settings):
    rows = [
        row(**{"ASIN": "B000000001", "Return quantity": "2", "Refunded Amount": "20.00"}),
        row(**{"ASIN": "B000000002", "Return quantity": "1", "Refunded Amount": "5.50"}),
        row(**{"ASIN": "B000000001", "Return quantity": "1", "Refunded Amount": "10.00"}),  # a second return of it
        row(**{"Order ID": "114-7654321-7654321", "ASIN": "B000000003"}),
    ]
    result = draft(write_report(tmp_path / "returns.txt", rows), settings)

    by_order = {c.order_id: c for c in result.claims}
    assert set(by_order) == {ORDER, "114-7654321-7654321"}
    claim = by_order[ORDER].to_json("returns.txt")
    assert claim["items"] == [{"asin": "B000000001", "quantity": 3}, {"asin": "B000000002", "quantity": 1}]
    assert claim["refunded_amount"] == "35.50"
    assert claim["currency"] == "USD"
    assert claim["tracking_id"] == "1Z999AA10123456784"
    assert claim["refund_date"] == "2026-03-05"
    assert claim["return_delivered_date"] == "2026-03-10"
    assert claim["draft"]["report"]["lines"] == [2, 3, 4]
    assert result.totals() == {"USD": Decimal("60.49")}


def test_the_deadline_is_the_one_check_computes(tmp_path, settings):
    rows = [
        row(**{"Order ID": "111-0000001-0000001", "Return delivery date": " "}),
        row(**{"Order ID": "111-0000002-0000002", "Return delivery date": "19-Mar-2026"}),
    ]
    result = draft(write_report(tmp_path / "returns.txt", rows), settings)
    drafted = {c.order_id: c.deadline for c in result.claims}
    assert drafted == {"111-0000001-0000001": date(2026, 4, 4), "111-0000002-0000002": date(2026, 4, 18)}

    model_fields = ("order_id", "reason", "items", "description", "refund_date", "return_delivered_date")
    claims = [
        {**{k: v for k, v in c.to_json("r").items() if k in model_fields}, "reason": "damaged", "description": "x"}
        for c in result.claims
    ]
    path = tmp_path / "plain.json"
    path.write_text(json.dumps({"marketplace": "US", "claims": claims}))
    checked = check_claim_list(path, settings, TODAY)
    assert {c.order_id: c.deadline for c in checked.claims} == drafted


@pytest.mark.parametrize(
    ("cells", "reason", "why"),
    [
        (
            {"SafeT claim id": "31415-92653-5897932", "SafeT claim state": "Granted"},
            LeftOutReason.safet_claim,
            "the report shows SAFE-T claim 31415-92653-5897932 (Granted) for it (line 2).",
        ),
        ({"A-to-Z Claim": "Y"}, LeftOutReason.atoz_claim, "A-to-z Guarantee claim (A-to-Z Claim = Y, line 2)"),
        ({"Refunded Amount": "0.00"}, LeftOutReason.no_refund, "Refunded Amount is 0 on line 2"),
        ({"Refunded Amount": " "}, LeftOutReason.no_refund, "Refunded Amount is empty on line 2"),
        (
            {"Return request date": "01-Feb-2026", "Return delivery date": "10-Feb-2026"},
            LeftOutReason.window_closed,
            "the US filing window closed on 2026-03-12 (30 days after the return's delivery on 2026-02-10).",
        ),
        (
            {"Return request date": "01-Feb-2026", "Return delivery date": " ", "Resolution": "RefundAtFirstScan"},
            LeftOutReason.window_closed,
            "closed on 2026-03-03 (30 days after the return request on 2026-02-01, as the report has no refund date",
        ),
    ],
)
def test_an_order_that_cannot_be_claimed_is_left_out_with_its_reason(tmp_path, settings, cells, reason, why):
    result = draft(write_report(tmp_path / "returns.txt", [row(**cells)]), settings)
    assert result.claims == []
    (left,) = result.left_out
    assert (left.order_id, left.reason) == (ORDER, reason)
    assert why in left.why


def test_an_order_the_ledger_knows_is_left_out_with_its_state(tmp_path, settings):
    ledger_path = tmp_path / "ledger.sqlite3"
    with Ledger(ledger_path) as ledger:
        ledger.move("US", ORDER, State.READY)
        ledger.move("US", ORDER, State.SUBMITTING)
        ledger.move("US", ORDER, State.FILED, claim_id="63229-38874-4321853")
        ledger.move("UK", "114-7654321-7654321", State.SKIPPED)  # another marketplace: not this order
    rows = [row(), row(**{"Order ID": "114-7654321-7654321"})]
    result = draft(write_report(tmp_path / "returns.txt", rows), settings, ledger=ledger_entries(ledger_path))

    assert [c.order_id for c in result.claims] == ["114-7654321-7654321"]
    (left,) = result.left_out
    assert left.reason is LeftOutReason.in_ledger
    assert left.why == "the ledger has it filed as SAFE-T claim 63229-38874-4321853."


def test_no_ledger_yet_means_nothing_is_known_and_none_is_created(tmp_path):
    assert ledger_entries(tmp_path / "none.sqlite3") == {}
    assert not (tmp_path / "none.sqlite3").exists()


# --- suggestions, each with its fact --------------------------------------------------------------------------------


def test_a_first_scan_refund_long_without_delivery_suggests_not_returned(tmp_path, settings):
    cells = row(
        **{"Resolution": "RefundAtFirstScan", "Return delivery date": " ", "Return request date": "28-Feb-2026"}
    )
    claim = only_claim(draft(write_report(tmp_path / "returns.txt", [cells]), settings))

    data = claim.to_json("returns.txt")
    assert data["reason"] == data["draft"]["suggested_reason"] == "not_returned"
    assert data["draft"]["facts"] == {
        "Resolution": "RefundAtFirstScan",
        "Return delivery date": None,
        "Return request date": "2026-02-28",
        "Tracking ID": "1Z999AA10123456784",
    }
    assert (
        "20 days after the return request on 2026-02-28 the report has no return delivery date" in data["draft"]["why"]
    )
    assert "Return tracking ID: 1Z999AA10123456784." in data["description"]
    assert not any(note.startswith("condition:") for note in data["draft"]["unknown"])  # nothing came back


@pytest.mark.parametrize(
    "cells",
    [
        {"Resolution": "RefundAtFirstScan", "Return delivery date": " ", "Return request date": "10-Mar-2026"},
        {
            "Resolution": "RefundAtFirstScan",
            "Return delivery date": "12-Mar-2026",
            "Return request date": "28-Feb-2026",
        },
        {"Resolution": "StandardRefund", "Return delivery date": " ", "Return request date": "28-Feb-2026"},
    ],
    ids=["too-recent", "delivered", "standard-refund"],
)
def test_not_returned_is_suggested_only_on_its_facts(tmp_path, settings, cells):
    claim = only_claim(draft(write_report(tmp_path / "returns.txt", [row(**cells)]), settings))
    assert claim.suggestion.reason is None


def test_a_return_outside_the_policy_suggests_outside_return_window(tmp_path, settings):
    claim = only_claim(draft(write_report(tmp_path / "returns.txt", [row(**{"In policy": "N"})]), settings))
    data = claim.to_json("returns.txt")
    assert data["reason"] == "outside_return_window"
    assert data["draft"]["facts"] == {
        "In policy": "N",
        "Order date": "2026-03-01",
        "Return request date": "2026-03-05",
    }
    assert "(In policy = N, line 2)" in data["draft"]["why"]


def test_a_buyer_fault_return_with_the_label_on_the_seller_suggests_return_label_charge(tmp_path, settings):
    cells = row(**{"Return Reason": "CR-ORDERED_WRONG_ITEM", "Label to be paid by": "Seller"})
    claim = only_claim(draft(write_report(tmp_path / "returns.txt", [cells]), settings))
    data = claim.to_json("returns.txt")
    assert data["reason"] == "return_label_charge"
    assert data["draft"]["facts"] == {
        "Return Reason": "CR-ORDERED_WRONG_ITEM",
        "Label to be paid by": "Seller",
        "Label cost": "7.50",
    }
    assert "the return label of 7.50 USD is to be paid by the seller" in data["draft"]["why"]


def test_no_fact_no_suggestion(tmp_path, settings):
    claim = only_claim(draft(write_report(tmp_path / "returns.txt", [row()]), settings))  # buyer pays the label
    data = claim.to_json("returns.txt")
    assert data["reason"] is None and data["description"] == ""
    assert data["draft"]["why"].startswith("No fact in the report points to a claim reason")
    assert any(note.startswith("description: only you can say") for note in data["draft"]["unknown"])


@pytest.mark.parametrize("code", ["CR-DEFECTIVE", "CR-DAMAGED_BY_CARRIER", "CR-SWITCHEROO", "CR-MISSING_PARTS"])
def test_a_damaged_or_different_item_needs_the_sellers_inspection_and_its_evidence_is_attached(
    tmp_path, settings, code
):
    evidence = tmp_path / "evidence" / ORDER
    evidence.mkdir(parents=True)
    (evidence / "jar.jpg").write_bytes(JPEG)
    (evidence / "label.pdf").write_bytes(PDF)
    (evidence / "notes.txt").write_text("cracked on arrival")
    (evidence / "fake.png").write_text("not a png")
    (evidence / ".DS_Store").write_bytes(b"\x00\x00")
    out = tmp_path / "out"
    out.mkdir()
    report = read_returns_report(write_report(tmp_path / "returns.txt", [row(**{"Return Reason": code})]))
    result = draft_claims(
        report,
        marketplace="US",
        market=settings.marketplaces["US"],
        today=TODAY,
        output_dir=out,
        evidence_dir=tmp_path / "evidence",
    )

    data = only_claim(result).to_json("returns.txt")
    assert data["reason"] is None
    assert data["draft"]["needs_inspection"] is True
    assert data["draft"]["facts"] == {"Return Reason": code}
    assert "Name the reason (damaged, missing_parts or different_item)" in data["draft"]["why"]
    assert data["attachments"] == [f"../evidence/{ORDER}/jar.jpg", f"../evidence/{ORDER}/label.pdf"]
    not_attached = [note for note in data["draft"]["unknown"] if "was not attached" in note]
    assert [Path(note.split()[1]).name for note in not_attached] == ["fake.png", "notes.txt"]
    assert all("not a JPEG, PNG, GIF or PDF" in note for note in not_attached)


def test_an_inspection_claim_without_evidence_says_what_to_add(tmp_path, settings):
    cells = row(**{"Return Reason": "CR-DEFECTIVE"})
    claim = only_claim(draft(write_report(tmp_path / "returns.txt", [cells]), settings, evidence_dir=tmp_path / "ev"))
    assert claim.attachments == []
    assert f"attachments: no photo found ({tmp_path / 'ev' / ORDER}) — add photos" in " ".join(claim.unknown)


def test_what_the_report_cannot_know_is_said_not_guessed(tmp_path, settings):
    path = tmp_path / "mine.csv"
    path.write_text("Order ID,ASIN,Return quantity\n113-1234567-1234567,B07XJ8C8F5,1\n")
    data = only_claim(draft(path, settings)).to_json("mine.csv")

    assert data["refund_date"] is None and data["draft"]["deadline"] is None
    assert data["refunded_amount"] is None and data["currency"] is None
    fields = [note.split(":")[0] for note in data["draft"]["unknown"]]
    assert fields == ["refund_date", "return_delivered_date", "refunded_amount", "reason", "condition", "description"]


def test_the_refund_date_taken_from_the_return_request_is_said_so(tmp_path, settings):
    data = only_claim(draft(write_report(tmp_path / "returns.txt", [row()]), settings)).to_json("returns.txt")
    assert data["refund_date"] == "2026-03-05"
    assert data["draft"]["unknown"][0].startswith(
        "refund_date: the report has no refund date; the draft uses the return request date (2026-03-05)"
    )


def test_the_json_of_a_draft_claim_is_marked_unapproved_and_versioned(tmp_path, settings):
    data = only_claim(draft(write_report(tmp_path / "returns.txt", [row()]), settings)).to_json("returns.txt")
    assert list(data) == [
        "order_id", "reason", "sub_reason", "items", "description", "attachments", "tracking_id", "refund_date",
        "return_delivered_date", "refunded_amount", "currency", "draft",
    ]  # fmt: skip
    assert data["draft"]["version"] == 1
    assert data["draft"]["approved"] is False
    assert data["draft"]["deadline"] == "2026-04-09"
    assert data["draft"]["report"]["items"] == [
        {"asin": "B07XJ8C8F5", "name": "Glass storage jar", "return_reason": "CR-UNWANTED_ITEM"}
    ]


def test_one_order_in_two_currencies_is_a_malformed_report(tmp_path, settings):
    rows = [row(), row(**{"ASIN": "B000000002", "Currency code": "EUR"})]
    with pytest.raises(ReportError, match=f"order {ORDER} has rows in USD \\(line 2\\) and EUR \\(line 3\\)"):
        draft(write_report(tmp_path / "returns.txt", rows), settings)


# --- the command ----------------------------------------------------------------------------------------------------


@pytest.fixture
def folder(in_empty_folder) -> Path:
    return in_empty_folder


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def recent_row(**cells: str) -> dict[str, str]:
    """A row returned five days before the real today: the command drafts as of today."""
    recent = amazon_date(date.today() - timedelta(days=5))
    return row(**{"Return request date": recent, "Return delivery date": recent, **cells})


def test_draft_writes_the_claim_list_and_prints_the_summary(folder):
    today = date.today()
    rows = [
        recent_row(**{"In policy": "N"}),
        recent_row(**{"Order ID": "114-7654321-7654321", "A-to-Z Claim": "Y", "Refunded Amount": "10.00"}),
    ]
    write_report(folder / "returns.txt", rows)

    result = invoke("draft", "returns.txt", "-o", "claims.json")
    assert result.exit_code == 0, result.output
    data = json.loads((folder / "claims.json").read_text())
    assert data["marketplace"] == "US"
    assert [c["order_id"] for c in data["claims"]] == [ORDER]
    out = " ".join(result.output.split())
    assert "Drafted: 1 claim, none approved yet" in out
    assert "outside_return_window" in out
    assert str(today - timedelta(days=5) + timedelta(days=30)) in out
    assert "Left out: 1 order" in out and "atoz_claim" in out
    assert "Refunded in the drafted claims: 24.99 USD" in out
    assert "Refunded in the orders left out: 10.00 USD" in out


def test_draft_never_overwrites_a_claim_list_without_force(folder):
    write_report(folder / "returns.txt", [recent_row()])
    (folder / "claims.json").write_text("my reviewed list")

    result = invoke("draft", "returns.txt")
    assert result.exit_code == 2
    assert "claims.json already exists; draft never overwrites a claim list." in result.output
    assert "add --force to replace it" in result.output
    assert (folder / "claims.json").read_text() == "my reviewed list"

    assert invoke("draft", "returns.txt", "--force").exit_code == 0
    assert json.loads((folder / "claims.json").read_text())["claims"][0]["order_id"] == ORDER


def test_a_malformed_report_exits_2_naming_line_and_column_and_writes_nothing(folder):
    write_report(folder / "returns.txt", [recent_row(), recent_row(**{"ASIN": "B000000002", "Return quantity": "two"})])
    result = invoke("draft", "returns.txt", "-o", "claims.json")
    assert result.exit_code == 2
    assert 'returns.txt line 3, column 18 (Return quantity): "two" is not a whole number' in result.output
    assert "Traceback" not in result.output
    assert list(folder.iterdir()) == [folder / "returns.txt"]


def test_draft_reads_a_csv_with_columns_and_takes_the_marketplace(folder):
    requested = date.today() - timedelta(days=50)  # the UK window is 60 days
    (folder / "mine.csv").write_text(
        f"order,asin,qty,refund,currency,requested\n113-1234567-1234567,B07XJ8C8F5,1,19.99,GBP,{requested}\n"
    )
    columns = "Order ID=order,ASIN=asin,Return quantity=qty,Refunded Amount=refund,Currency code=currency"
    result = invoke("draft", "mine.csv", "--columns", columns + ",Return request date=requested", "--marketplace", "uk")
    assert result.exit_code == 0, result.output
    data = json.loads((folder / "claims.json").read_text())
    assert data["marketplace"] == "UK"
    assert data["claims"][0]["refunded_amount"] == "19.99"
    assert data["claims"][0]["currency"] == "GBP"
    assert data["claims"][0]["draft"]["deadline"] == str(requested + timedelta(days=60))

    unknown = invoke("draft", "mine.csv", "--columns", columns, "--marketplace", "XX", "-o", "other.json")
    assert unknown.exit_code == 2
    assert '"XX" is not a marketplace safet-filer knows.' in unknown.output
    assert not (folder / "other.json").exists()


# --- the mock's report ----------------------------------------------------------------------------------------------


def test_the_mocks_returns_report_reads_and_drafts_the_expected_claims(tmp_path, settings):
    from safet_filer.fixtures.server import MockSellerCentral

    with MockSellerCentral() as site:
        with urllib.request.urlopen(site.url + "/safet-claims/reports", timeout=10) as page:
            html = page.read().decode()
        link = re.search(r'<a [^>]*href="([^"]+)"[^>]*>Download returns report</a>', html)
        assert link, "the reports page has no link named Download returns report"
        with urllib.request.urlopen(site.url + link[1], timeout=10) as download:
            assert download.headers["Content-Type"].startswith("text/tab-separated-values")
            body = download.read()
    path = tmp_path / "returns-report.txt"
    path.write_bytes(body)
    assert body.decode().splitlines()[0].split("\t") == COLUMNS

    result = draft(path, settings, today=date.today())
    left = {entry.order_id: entry.reason for entry in result.left_out}
    assert left == {
        "113-3000004-0000004": LeftOutReason.atoz_claim,
        "113-4000001-0000001": LeftOutReason.window_closed,
        **{f"113-200000{n}-000000{n}": LeftOutReason.safet_claim for n in range(1, 6)},
    }
    claims = {c.order_id: c for c in result.claims}
    assert "113-3000001-0000001" not in claims and "113-3000001-0000001" not in left  # FBA: not in this report
    suggested = {order_id: c.suggestion.reason and c.suggestion.reason.value for order_id, c in claims.items()}
    assert suggested == {
        "113-1000001-0000001": None,  # damaged by the carrier: inspect
        "113-1000002-0000002": "return_label_charge",
        "113-1000003-0000003": "outside_return_window",
        "113-1000004-0000004": None,  # missing parts: inspect
        "113-1000005-0000005": None,  # a different item: inspect
        "113-1000006-0000006": "not_returned",
        "113-3000002-0000002": None,
        "113-3000003-0000003": None,
        "113-3000005-0000005": None,
        "113-3000006-0000006": None,
        "113-5000001-0000001": None,  # defective: inspect
    }
    assert claims["113-1000003-0000003"].items == [("B0SAFET031", 2), ("B0SAFET032", 1), ("B0SAFET033", 4)]
    assert claims["113-1000004-0000004"].suggestion.needs_inspection
    # The window of the last-day order closes today, and the one of a late delivery counts from the delivery.
    assert claims["113-1000006-0000006"].deadline == date.today()
    assert claims["113-1000005-0000005"].deadline == date.today() + timedelta(days=20)
    assert claims["113-1000001-0000001"].tracking_id == "1Z999AA10123456784"


def test_a_report_of_another_currency_than_the_marketplace_is_pointed_out(tmp_path, settings):
    claim = only_claim(draft(write_report(tmp_path / "returns.txt", [row(**{"Currency code": "GBP"})]), settings))
    assert "currency: the report says GBP, but US pays in USD — is this the report of another marketplace" in (
        " ".join(claim.unknown)
    )


def test_draft_into_a_missing_folder_says_so_without_a_traceback(folder):
    write_report(folder / "returns.txt", [recent_row()])
    result = invoke("draft", "returns.txt", "-o", "no/such/claims.json")
    assert result.exit_code == 2
    assert "no/such/claims.json cannot be written (No such file or directory)." in result.output
    assert not (folder / "no").exists()
