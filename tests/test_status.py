"""`safet-filer status`: the ledger as a table, JSON or CSV, chosen with --ledger."""

import csv
import io
import json

from click.testing import CliRunner

from safet_filer.cli import cli
from safet_filer.ledger import Ledger, State


def ledger_with_claims(path):
    with Ledger(path) as ledger:
        ledger.move("US", "113-1000001-0000001", State.READY)
        ledger.move("US", "113-1000001-0000001", State.SUBMITTING, confirmed_by="person")
        ledger.move("US", "113-1000001-0000001", State.FILED, claim_id="12345-67890-1234567", message="Filed.")
        ledger.move("US", "113-3000001-0000001", State.INELIGIBLE, outcome="not_eligible", message="FBA order.")
    return path


def table_rows(output: str) -> list[dict[str, str]]:
    """The rows of the table `status` prints, as {column: cell}; a message folded onto more lines is joined."""
    lines = output.splitlines()
    names = [cell.strip() for cell in next(line for line in lines if "┃" in line).strip().strip("┃").split("┃")]
    rows: list[dict[str, str]] = []
    for line in lines:
        if not line.startswith("│"):
            continue
        cells = dict(zip(names, (cell.strip() for cell in line.strip().strip("│").split("│")), strict=True))
        if cells["Order ID"]:
            rows.append(cells)
        else:  # the next line of the row above: only its message goes on
            rows[-1]["Message"] += " " + cells["Message"]
    return rows


def test_status_lists_every_claim_with_state_and_claim_id(tmp_path):
    path = ledger_with_claims(tmp_path / "ledger.sqlite3")
    result = CliRunner().invoke(cli, ["status", "--ledger", str(path)])  # 80 columns: IDs still whole
    assert result.exit_code == 0, result.output
    shown = {
        row["Order ID"]: (row["State"], row["SAFE-T claim ID"], row["Message"]) for row in table_rows(result.output)
    }
    assert shown == {
        "113-1000001-0000001": ("filed", "12345-67890-1234567", "Filed."),
        "113-3000001-0000001": ("ineligible", "—", "FBA order."),
    }


def test_status_json_and_csv_carry_the_same_rows(tmp_path):
    path = ledger_with_claims(tmp_path / "ledger.sqlite3")
    as_json = json.loads(CliRunner().invoke(cli, ["status", "--json", "--ledger", str(path)]).output)["claims"]
    as_csv = list(
        csv.DictReader(io.StringIO(CliRunner().invoke(cli, ["status", "--csv", "--ledger", str(path)]).output))
    )
    assert {(r["order_id"], r["state"], r["claim_id"]) for r in as_json} == {
        ("113-1000001-0000001", "filed", "12345-67890-1234567"),
        ("113-3000001-0000001", "ineligible", None),
    }
    assert [(r["order_id"], r["state"]) for r in as_csv] == [(r["order_id"], r["state"]) for r in as_json]
    assert as_json[0]["confirmed_by"] == "person"


def test_status_without_a_ledger_says_where_it_looked(tmp_path):
    missing = tmp_path / "none.sqlite3"
    result = CliRunner().invoke(cli, ["status", "--ledger", str(missing)])
    assert result.exit_code == 2
    assert str(missing) in result.output and "first `safet-filer run`" in result.output
    assert not missing.exists()
