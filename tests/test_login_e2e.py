"""`safet-filer login`: the person signs in in the tool's own browser window; later headless runs reuse it.

The test plays the person: it attaches to the very browser `login` opened (through a debugging port passed
with the browser_args setting) and signs in there by role and label, as someone at the keyboard would.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
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


class ElsewhereRedirect:
    """A site whose every page redirects to another host (localhost instead of 127.0.0.1), which answers there."""

    def __enter__(self) -> ElsewhereRedirect:
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        class Handler(BaseHTTPRequestHandler):
            def do_GET(handler) -> None:  # noqa: N805 - the server's handler, not the test's object
                if handler.headers.get("Host", "").startswith("127.0.0.1"):
                    handler.send_response(302)
                    handler.send_header("Location", f"http://localhost:{self.port}/elsewhere")
                    handler.end_headers()
                    return
                body = b"<!doctype html><title>Elsewhere</title><h1>Another site</h1>"
                handler.send_response(200)
                handler.send_header("Content-Type", "text/html")
                handler.send_header("Content-Length", str(len(body)))
                handler.end_headers()
                handler.wfile.write(body)

            def log_message(handler, *args: object) -> None:  # noqa: N805
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@needs_display
def test_login_redirected_to_another_host_stops_with_a_sentence_and_exit_3(tmp_path):
    with ElsewhereRedirect() as site:
        done = safet(tmp_path / "home", "login", "--base-url", f"http://127.0.0.1:{site.port}", timeout=120)
    assert done.status == 3, done.output
    assert "The browser went to 'localhost' instead of '127.0.0.1'." in done.output
    assert "run `safet-filer login` again" in done.output
    assert "Traceback" not in done.output


@needs_display
def test_login_that_nobody_finishes_in_time_stops_with_a_sentence_and_exit_3(tmp_path):
    with MockSellerCentral(auto_signin=False) as site:
        done = safet(tmp_path / "home", "login", "--base-url", site.url, env={"SAFET_SIGN_IN_TIMEOUT_S": "2"})
    assert done.status == 3, done.output
    assert "Nobody finished signing in within 2 seconds: the SAFE-T dashboard did not appear" in done.output
    assert "Run `safet-filer login` again and finish signing in in the window" in done.output
    assert "Traceback" not in done.output
