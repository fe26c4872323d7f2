"""`safet-filer check`, `schema` and `example` as a person (CliRunner) and a shell (subprocess) run them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from safet_filer.claims import check_claim_list, claim_list_schema
from safet_filer.cli import cli
from safet_filer.examples import example_source, write_example
from safet_filer.settings import Settings

COMMITTED_EXAMPLE_DAY = date(2026, 11, 28)  # the day examples/claims.json was dated for


pytestmark = pytest.mark.usefixtures("in_empty_folder")


def clean_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SAFET_") and k not in ("FORCE_COLOR",)}
    return {**env, "HOME": str(home), "XDG_CONFIG_HOME": str(home / "config"), "XDG_DATA_HOME": str(home / "data")}


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def flat(text: str) -> str:
    """The output with its line wrapping undone, to look for whole sentences."""
    return " ".join(text.split())


@pytest.fixture
def example(tmp_path: Path) -> Path:
    return write_example(tmp_path / "example")


def spoil(path: Path) -> Path:
    """The example list with three problems in two claims."""
    data = json.loads(path.read_text())
    data["claims"][0]["description"] = "x" * 1204
    data["claims"][0]["order_id"] = "113-48291-3301926"
    data["claims"][2]["tracking_id"] = None
    path.write_text(json.dumps(data, indent=2))
    return path


# --- check -----------------------------------------------------------------------------------------------------------


def test_check_passes_the_example_with_exit_0(example):
    result = invoke("check", str(example))
    assert result.exit_code == 0, result.output
    assert "All 5 claims can be filed." in result.output
    assert "111-2093318-6642715" in result.output


def test_check_shows_every_problem_with_claim_and_field_and_exits_2(example):
    result = invoke("check", str(spoil(example)))
    assert result.exit_code == 2
    out = result.output
    assert "claims[0]  order 113-48291-3301926" in out
    assert "description: is 1,204 characters; the US limit is 1,000 — shorten it." in flat(out)
    assert "order_id:" in out
    assert "claims[2]  order 114-7730412-5518260" in out
    assert "tracking_id: is required for replacement_refunded claims" in out
    assert "3 errors in 2 of 5 claims" in out


def test_check_table_is_sorted_by_deadline(example):
    out = invoke("check", str(example)).output
    orders = [
        "111-2093318-6642715",
        "114-7730412-5518260",
        "113-4829157-3301926",
        "112-6604178-0925534",
        "112-5518803-7714920",
    ]
    positions = [out.index(o) for o in orders]
    assert positions == sorted(positions)


def test_check_json_is_machine_readable(example):
    result = invoke("check", "--json", str(spoil(example)))
    assert result.exit_code == 2
    data = json.loads(result.output)
    assert data["ok"] is False and data["marketplace"] == "US" and data["errors"] == 3
    by_index = {c["index"]: c for c in data["claims"]}
    assert set(by_index) == {0, 1, 2, 3, 4}
    assert by_index[0]["ok"] is False and by_index[1]["ok"] is True
    assert {p["field"] for p in by_index[0]["problems"]} == {"claims[0].order_id", "claims[0].description"}
    assert by_index[2]["problems"] == [
        {
            "field": "claims[2].tracking_id",
            "message": "is required for replacement_refunded claims — add the tracking ID of the replacement shipment.",
            "severity": "error",
        }
    ]
    assert all(set(c) >= {"index", "order_id", "deadline", "problems", "ok"} for c in data["claims"])
    deadlines = [c["deadline"] for c in data["claims"]]
    assert deadlines == sorted(deadlines)


def test_check_json_of_a_valid_list(example):
    result = invoke("check", "--json", str(example))
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert data["ok"] is True and data["errors"] == 0 and len(data["claims"]) == 5


def test_check_reports_malformed_json_with_line_and_column(tmp_path):
    path = tmp_path / "claims.json"
    path.write_text('{"claims": [\n  {"order_id": "113-1234567-1234567",}\n]}\n')
    result = invoke("check", str(path))
    assert result.exit_code == 2
    assert "line 2, column 38" in flat(result.output)
    as_json = json.loads(invoke("check", "--json", str(path)).output)
    assert "line 2, column 38" in as_json["problems"][0]["message"]


def test_check_of_a_missing_file_exits_2(tmp_path):
    result = invoke("check", str(tmp_path / "nope.json"))
    assert result.exit_code == 2
    assert "does not exist" in flat(result.output)


def test_check_warnings_still_exit_0(example):
    data = json.loads(example.read_text())
    data["claims"][0]["tracking_id"] = "1Z999AA10123456784"  # not used for damaged: a warning
    example.write_text(json.dumps(data))
    result = invoke("check", str(example))
    assert result.exit_code == 0
    assert "read the 1 warning above" in result.output


def test_check_marketplace_option(example):
    data = json.loads(example.read_text())
    bare = example.parent / "bare.json"
    bare.write_text(json.dumps(data["claims"]))
    assert invoke("check", "--marketplace", "uk", str(bare)).exit_code == 0
    assert "for marketplace UK" in invoke("check", "--marketplace", "uk", str(bare)).output
    conflict = invoke("check", "--marketplace", "UK", str(example))
    assert conflict.exit_code == 2
    assert "The claim list is for US but UK was asked for" in flat(conflict.output)
    unknown = invoke("check", "--marketplace", "XX", str(bare))
    assert unknown.exit_code == 2 and '"XX" is not a marketplace' in unknown.output


def test_check_subprocess_exit_codes_and_json(tmp_path, example):
    env = clean_env(tmp_path)
    ok = subprocess.run(
        [sys.executable, "-m", "safet_filer", "check", str(example)],
        check=False,
        capture_output=True,
        text=True,
        env=env,
    )
    assert ok.returncode == 0, ok.stdout + ok.stderr
    bad = subprocess.run(
        [sys.executable, "-m", "safet_filer", "check", "--json", str(spoil(example))],
        check=False,
        capture_output=True,
        text=True,
        env=env,
    )
    assert bad.returncode == 2
    assert json.loads(bad.stdout)["ok"] is False


# --- the example -------------------------------------------------------------------------------------------------------


def test_the_committed_example_passes_check_on_the_day_it_was_dated_for():
    path = Path(str(example_source() / "claims.json"))
    result = check_claim_list(path, Settings(), COMMITTED_EXAMPLE_DAY)
    assert result.ok, [p for c in result.claims for p in c.problems]
    reasons = {c.claim.reason.value for c in result.claims}
    assert {"damaged", "not_returned", "replacement_refunded", "return_label_charge"} <= reasons
    assert not result.warnings


def test_the_example_evidence_is_real_and_small():
    evidence = example_source() / "evidence"
    heads = {f.name: f.read_bytes() for f in evidence.iterdir() if f.is_file()}
    assert any(b.startswith(b"\xff\xd8\xff") for b in heads.values())
    assert any(b.startswith(b"\x89PNG") for b in heads.values())
    assert any(b.startswith(b"%PDF-") for b in heads.values())
    assert all(len(b) < 30_000 for b in heads.values())


def test_write_example_dates_it_two_days_before_today_keeping_the_gaps(tmp_path):
    source = json.loads((example_source() / "claims.json").read_text())
    today = date(2027, 3, 5)
    path = write_example(tmp_path / "ex", today=today)
    written = json.loads(path.read_text())

    def dates(data):
        return [
            date.fromisoformat(c[k]) for c in data["claims"] for k in ("refund_date", "return_delivered_date") if c[k]
        ]

    assert max(dates(written)) == today - timedelta(days=2)
    shift = dates(written)[0] - dates(source)[0]
    assert [d - shift for d in dates(written)] == dates(source)
    assert check_claim_list(path, Settings(), today).ok


def test_example_command_writes_a_list_that_passes_check(tmp_path):
    result = invoke("example", str(tmp_path / "new"))
    assert result.exit_code == 0, result.output
    path = tmp_path / "new" / "claims.json"
    assert path.is_file()
    assert sorted(p.name for p in (tmp_path / "new" / "evidence").iterdir()) == sorted(
        f.name for f in (example_source() / "evidence").iterdir() if f.is_file()
    )
    assert invoke("check", str(path)).exit_code == 0


def test_example_refuses_to_overwrite(tmp_path):
    (tmp_path / "claims.json").write_text("mine")
    result = invoke("example", str(tmp_path))
    assert result.exit_code == 2
    assert "already exists" in result.output
    assert (tmp_path / "claims.json").read_text() == "mine"


# --- schema --------------------------------------------------------------------------------------------------------------


def test_schema_is_valid_json_schema_that_accepts_the_example(example):
    result = invoke("schema")
    assert result.exit_code == 0
    schema = json.loads(result.output)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    data = json.loads(example.read_text())
    assert list(validator.iter_errors(data)) == []
    assert list(validator.iter_errors(data["claims"])) == []  # a bare list too
    assert list(validator.iter_errors({**data, "$schema": "./claims.schema.json"})) == []


def test_schema_rejects_typos_and_unknown_reasons(example):
    validator = jsonschema.Draft202012Validator(claim_list_schema())
    data = json.loads(example.read_text())
    data["claims"][0]["atachments"] = data["claims"][0].pop("attachments")
    assert not validator.is_valid(data)
    data = json.loads(example.read_text())
    data["claims"][0]["reason"] = "damagd"
    assert not validator.is_valid(data)
    data = json.loads(example.read_text())
    data["claims"][0]["items"][0]["quantity"] = 0
    assert not validator.is_valid(data)


# --- start-up: no Playwright for --help, check, schema, config ---------------------------------------------------------

_PROBE = """
import sys
from safet_filer.cli import cli
try:
    cli.main(args=sys.argv[1:], prog_name="safet-filer")
except SystemExit:
    pass
loaded = sorted(m for m in sys.modules if m == "playwright" or m.startswith("playwright."))
print("PLAYWRIGHT:" + ",".join(loaded), file=sys.stderr)
"""


@pytest.mark.parametrize(
    "args", [["--help"], ["check", "CLAIMS"], ["check", "--json", "CLAIMS"], ["schema"], ["config"]]
)
def test_commands_that_file_nothing_do_not_import_playwright(tmp_path, example, args):
    args = [str(example) if a == "CLAIMS" else a for a in args]
    run = subprocess.run(
        [sys.executable, "-c", _PROBE, *args], check=False, capture_output=True, text=True, env=clean_env(tmp_path)
    )
    assert "PLAYWRIGHT:\n" in run.stderr or run.stderr.rstrip().endswith("PLAYWRIGHT:"), run.stderr
    assert run.stdout  # the command did run
