"""`safet-filer doctor`: what it reports about this machine, and the exit statuses that scripts/setup relies on."""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_browser import fake_browser, posix_only, without_browsers

from safet_filer import __version__, browser
from safet_filer.cli import cli
from safet_filer.settings import load_settings


def doctor(*args: str, config: Path | None = None, env: dict[str, str] | None = None):
    before = ["--config", str(config)] if config else []
    return CliRunner().invoke(cli, [*before, "doctor", *args], env=env)


@pytest.fixture
def no_browsers(monkeypatch, tmp_path):
    return without_browsers(monkeypatch, tmp_path)


def flat(text: str) -> str:
    return " ".join(text.split())


@posix_only
def test_browser_only_prints_the_browser_and_exits_0(no_browsers, tmp_path):
    chrome = fake_browser(tmp_path / "chrome", version="131.0.6778.85")

    result = doctor("--browser-only", env={"SAFET_BROWSER_EXECUTABLE": str(chrome)})

    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == f"Browser:     configured {chrome} (version 131.0.6778.85)"


@posix_only
def test_browser_only_exits_2_with_what_to_install_when_there_is_none(no_browsers):
    result = doctor("--browser-only")

    assert result.exit_code == 2
    assert result.stdout == ""
    assert "No Chrome or Chromium was found" in result.stderr
    assert "sudo apt-get install -y chromium" in result.stderr


@pytest.mark.e2e
def test_doctor_on_a_fresh_set_up_reports_everything_with_what_to_do():
    result = doctor()

    assert result.exit_code == 0, result.output
    out = flat(result.stdout)
    info = browser.find_browser(load_settings())
    assert f"Browser: {info.describe()}" in out
    assert "User agent: Mozilla/5.0 " in out and f" safet-filer/{__version__}" in out
    assert "Profile:" in out and "(not created yet) `safet-filer login` creates it" in out
    assert "Config file: none" in out and "config.toml" in out
    assert "Ledger:" in out and "Runs dir:" in out
    assert "Marketplace: US (sellercentral.amazon.com)" in out
    assert "Sign-in: no session found Run `safet-filer login`" in out


@posix_only
def test_doctor_reports_the_config_file_profile_mode_and_a_session_without_showing_cookies(tmp_path, monkeypatch):
    monkeypatch.setattr(browser, "native_user_agent", lambda info, playwright=None: "Mozilla/5.0 Chrome/131.0.0.0")
    profile = tmp_path / "profile"
    cookies = profile / "Default" / "Network" / "Cookies"
    cookies.parent.mkdir(parents=True)
    with sqlite3.connect(cookies) as db:
        db.execute("CREATE TABLE cookies (host_key TEXT, name TEXT, value TEXT, expires_utc INTEGER)")
        db.execute("INSERT INTO cookies VALUES ('.amazon.co.uk', 'at-acbuk', 'SECRET-TOKEN-VALUE', 0)")
    profile.chmod(0o700)
    config = tmp_path / "safet.toml"
    config.write_text(
        f'marketplace = "UK"\nprofile_dir = "{profile}"\nbrowser_executable = "{fake_browser(tmp_path / "chrome")}"\n'
    )

    result = doctor(config=config)

    assert result.exit_code == 0, result.output
    out = flat(result.stdout)
    assert f"Config file: {config}" in out
    assert f"Profile: {profile} (exists, mode 0700)" in out
    assert "Marketplace: UK (sellercentral.amazon.co.uk)" in out
    assert "Sign-in: a session seems to exist" in out
    assert "SECRET-TOKEN-VALUE" not in result.output


@posix_only
def test_doctor_asks_to_tighten_a_profile_others_can_read(tmp_path, monkeypatch):
    monkeypatch.setattr(browser, "native_user_agent", lambda info, playwright=None: "Mozilla/5.0 Chrome/131.0.0.0")
    profile = tmp_path / "profile"
    profile.mkdir(mode=0o755)
    profile.chmod(0o755)
    env = {"SAFET_PROFILE_DIR": str(profile), "SAFET_BROWSER_EXECUTABLE": str(fake_browser(tmp_path / "chrome"))}

    result = doctor(env=env)

    assert "mode 0755" in result.stdout and f"chmod 700 '{profile}'" in result.stdout


@posix_only
def test_doctor_exits_2_without_a_browser_and_still_reports_the_rest(no_browsers):
    result = doctor()

    assert result.exit_code == 2
    out = flat(result.stdout)
    assert "Browser: none found" in out and "sudo apt-get install -y chromium" in out
    assert "User agent" not in out
    for label in ("Profile:", "Config file:", "Ledger:", "Runs dir:", "Marketplace:", "Sign-in:"):
        assert label in out


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux folder names")
def test_doctor_refuses_an_everyday_chrome_profile(monkeypatch, tmp_path):
    monkeypatch.setattr(browser, "native_user_agent", lambda info, playwright=None: "Mozilla/5.0 Chrome/131.0.0.0")
    everyday = tmp_path / "home-config" / "google-chrome"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(everyday.parent))

    result = doctor(env={"SAFET_PROFILE_DIR": str(everyday)})

    assert result.exit_code == 2
    assert "(refused)" in result.stdout and "Google Chrome's everyday profile" in flat(result.stdout)
    assert "Sign-in: not checked" in flat(result.stdout)  # its cookies are not even looked at
