"""`safet-filer config`: every setting's effective value and the source it came from."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from click.testing import CliRunner

from safet_filer.cli import cli

pytestmark = pytest.mark.usefixtures("in_empty_folder")


def config_json() -> dict:
    result = CliRunner().invoke(cli, ["config", "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_defaults_say_default():
    data = config_json()
    assert data["config_file"] is None
    assert data["settings"]["marketplace"] == {"value": "US", "source": "default"}
    assert data["settings"]["pacing_s"]["source"] == "default"
    assert data["marketplaces"]["US"]["source"] == "default"
    assert data["marketplaces"]["US"]["value"]["filing_window_days"] == 30


def test_each_source_is_named(home, monkeypatch):
    config = home / "settings.toml"
    config.write_text("retries = 5\nheaded = true\n\n[marketplaces.US]\nfiling_window_days = 45\n")
    (home / ".env").write_text("SAFET_STEP_TIMEOUT_S=12\n")
    monkeypatch.setenv("SAFET_PACING_S", "7")
    result = CliRunner().invoke(cli, ["--config", str(config), "config", "--json", "--marketplace", "de"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    settings = data["settings"]
    assert data["config_file"] == str(config)
    assert settings["retries"] == {"value": 5, "source": f"config file ({config})"}
    assert settings["headed"]["value"] is True
    assert settings["step_timeout_s"] == {"value": 12.0, "source": ".env"}
    assert settings["pacing_s"] == {"value": 7.0, "source": "environment"}
    assert settings["marketplace"] == {"value": "DE", "source": "command line"}
    assert settings["navigation_timeout_s"]["source"] == "default"
    assert data["marketplaces"]["US"]["value"]["filing_window_days"] == 45
    assert data["marketplaces"]["US"]["source"].startswith("config file")
    assert data["marketplaces"]["CA"]["source"] == "default"


def test_the_environment_wins_over_the_config_file(home, monkeypatch):
    config = home / "settings.toml"
    config.write_text("retries = 5\n")
    monkeypatch.setenv("SAFET_RETRIES", "2")
    result = CliRunner().invoke(cli, ["--config", str(config), "config", "--json"])
    assert json.loads(result.output)["settings"]["retries"] == {"value": 2, "source": "environment"}


def test_the_table_shows_values_and_sources(monkeypatch):
    monkeypatch.setenv("SAFET_PACING_S", "7")
    result = CliRunner().invoke(cli, ["config", "--marketplace", "UK"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert any(line.split()[:3] == ["pacing_s", "7.0", "environment"] for line in lines if line.strip())
    assert any(line.split()[:4] == ["marketplace", "UK", "command", "line"] for line in lines if line.strip())
    assert any(line.split()[:3] == ["retries", "3", "default"] for line in lines if line.strip())
    assert "sellercentral.amazon.co.uk" in result.output


def test_a_bad_setting_is_an_error_with_exit_2(home):
    config = home / "settings.toml"
    config.write_text("retries = 0\n")
    result = CliRunner().invoke(cli, ["--config", str(config), "config"])
    assert result.exit_code == 2
    assert "retries" in result.output


def test_config_runs_as_a_command(home):
    env = {k: v for k, v in os.environ.items() if not k.startswith("SAFET_")}
    env.update(HOME=str(home), XDG_CONFIG_HOME=str(home / "config"), SAFET_RETRIES="4")
    run = subprocess.run(
        [sys.executable, "-m", "safet_filer", "config", "--json"],
        check=False,
        capture_output=True,
        text=True,
        env=env,
        cwd=home,
    )
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["settings"]["retries"] == {"value": 4, "source": "environment"}


def test_labels_show_the_built_in_word_or_the_override_and_where_it_came_from(home, monkeypatch):
    config = home / "settings.toml"
    config.write_text(
        '[labels]\nCheck_Eligibility = " Check Eligibility "\n\n[labels.reasons]\nADMGD = "Damaged return"\n'
    )
    monkeypatch.setenv("SAFET_LABELS__NEXT", "Continue")
    result = CliRunner().invoke(cli, ["--config", str(config), "config", "--json"])
    assert result.exit_code == 0, result.output
    labels = json.loads(result.output)["labels"]
    assert labels["check_eligibility"] == {"value": "Check Eligibility", "source": f"config file ({config})"}
    assert labels["reasons.ADMGD"] == {"value": "Damaged return", "source": f"config file ({config})"}
    assert labels["reasons.MSNG"] == {"value": "Item returned with missing parts", "source": "built-in (en)"}
    assert labels["next"] == {"value": "Continue", "source": "environment"}
    assert labels["submit"] == {"value": "Submit SAFE-T claim", "source": "built-in (en)"}

    table = CliRunner().invoke(cli, ["--config", str(config), "config"])
    assert table.exit_code == 0, table.output
    row = next(line for line in table.output.splitlines() if line.startswith("check_eligibility"))
    assert "Check Eligibility" in row and "config file" in row


def test_an_unknown_label_is_refused_with_the_close_names_and_the_known_ones(home):
    config = home / "settings.toml"
    config.write_text('[labels]\nchek_eligibility = "Check Eligibility"\n')
    result = CliRunner().invoke(cli, ["--config", str(config), "config"])
    assert result.exit_code == 2
    assert "labels: there is no label 'chek_eligibility'; did you mean check_eligibility?" in result.output
    assert "the known ones are: close, restricted_heading," in result.output
    assert "Traceback" not in result.output
