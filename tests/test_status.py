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
    """The rows of the table `status` prints, as {column: cell}."""
    lines = output.splitlines()
    names = [cell.strip() for cell in next(line for line in lines if "┃" in line).strip().strip("┃").split("┃")]
    return [
        dict(zip(names, (cell.strip() for cell in line.strip().strip("│").split("│")), strict=True))
        for line in lines
        if line.startswith("│")
    ]


def messages_under_the_table(output: str) -> dict[str, str]:
    """On a narrow terminal the messages go under the table, one "order ID: message" line each."""
    after = output.split("┘", 1)[1]
    return dict(line.split(": ", 1) for line in after.splitlines() if ": " in line)


def test_status_lists_every_claim_with_state_and_claim_id(tmp_path):
    path = ledger_with_claims(tmp_path / "ledger.sqlite3")
    result = CliRunner().invoke(cli, ["status", "--ledger", str(path)])  # 80 columns: IDs still whole
    assert result.exit_code == 0, result.output
    messages = messages_under_the_table(result.output)
    shown = {
        row["Order ID"]: (row["State"], row["SAFE-T claim ID"], messages[row["Order ID"]])
        for row in table_rows(result.output)
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
