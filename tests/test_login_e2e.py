"""`safet-filer login`: the person signs in in the tool's own browser window; later headless runs reuse it.

The test plays the person: it attaches to the very browser `login` opened (through a debugging port passed
with the browser_args setting) and signs in there by role and label, as someone at the keyboard would.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest
from runs import claim, isolated_env, order_id, safet, write_claims

from safet_filer.fixtures.server import MockSellerCentral

pytestmark = pytest.mark.e2e
needs_display = pytest.mark.skipif(not os.environ.get("DISPLAY"), reason="login opens a window: run under xvfb-run")

PASSWORD = "correct-horse-battery-staple-4821"


def debugging_port(profile, deadline: float) -> int:
    port_file = profile / "DevToolsActivePort"
    while time.monotonic() < deadline:
        if port_file.exists() and port_file.read_text().strip():
            return int(port_file.read_text().splitlines()[0])
        time.sleep(0.1)
    raise AssertionError("the login browser never opened")


def sign_in_as_the_person(playwright, port: int, *, keep_signed_in: bool) -> None:
    # pytest-playwright's own Playwright: a second sync Playwright cannot start beside it in one process.
    browser = playwright.chromium.connect_over_cdp(f"http://127.0.0.1:{port}")
    page = browser.contexts[0].pages[0]  # the window `login` opened, on Seller Central's sign-in page
    page.get_by_role("textbox", name="Email or mobile phone number").fill("seller@example.com")
    page.get_by_role("textbox", name="Password").fill(PASSWORD)
    if keep_signed_in:
        page.get_by_role("checkbox", name="Keep me signed in").check()
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("textbox", name="Enter OTP").fill("123456")
    page.get_by_role("button", name="Sign in").click()
    browser.close()  # detaches from the browser; `login` owns it


def login_as_the_person(playwright, home, site, *, keep_signed_in: bool) -> str:
    """Run `safet-filer login` and sign in in its window as the person would; returns what login printed."""
    env = {**isolated_env(home), "SAFET_BROWSER_ARGS": json.dumps(["--remote-debugging-port=0"])}
    login = subprocess.Popen(
        [sys.executable, "-m", "safet_filer", "login", "--base-url", site.url],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        port = debugging_port(home / "profile", time.monotonic() + 60)
        sign_in_as_the_person(playwright, port, keep_signed_in=keep_signed_in)
        output, _ = login.communicate(timeout=90)
    finally:
        login.kill()
    assert login.returncode == 0, output
    assert "Sign in to Seller Central in the browser window" in output
    assert "Signed in." in output
    return output


@needs_display
def test_login_waits_for_the_person_and_later_runs_reuse_the_session(tmp_path, playwright):
    home = tmp_path / "home"
    claims_file = write_claims(tmp_path, [claim(1, "damaged", tmp_path)])
    with MockSellerCentral(claims_file=claims_file, auto_signin=False) as site:
        output = login_as_the_person(playwright, home, site, keep_signed_in=True)
        assert "Keep me signed in" in output

        done = safet(home, "run", str(claims_file), "--base-url", site.url, "--yes")
        assert done.status == 0, done.output
        assert [s["order_id"] for s in site.submissions()] == [order_id(1)]

    # The tool never stores what the person typed: no file it keeps holds the password.
    for path in home.rglob("*"):
        if path.is_file() and not path.is_symlink():
            assert PASSWORD.encode() not in path.read_bytes(), f"the password is in {path}"


@needs_display
def test_a_sign_in_not_kept_ends_with_the_browser_and_the_run_says_so(tmp_path, playwright):
    home = tmp_path / "home"
    claims_file = write_claims(tmp_path, [claim(1, "damaged", tmp_path)])
    with MockSellerCentral(claims_file=claims_file, auto_signin=False) as site:
        login_as_the_person(playwright, home, site, keep_signed_in=False)
        done = safet(home, "run", str(claims_file), "--base-url", site.url, "--yes")
        assert done.status == 3, done.output
        assert "Keep me signed in" in done.output
        assert site.submissions() == []


def test_a_headless_run_without_a_session_stops_and_says_to_log_in(tmp_path):
    claims_file = write_claims(tmp_path, [claim(1, "damaged", tmp_path)])
    with MockSellerCentral(claims_file=claims_file, auto_signin=False) as site:
        done = safet(tmp_path / "home", "run", str(claims_file), "--base-url", site.url, "--yes")
        assert done.status == 3, done.output
        assert "safet-filer login" in done.output
        assert site.submissions() == []
