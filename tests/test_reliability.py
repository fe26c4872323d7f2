"""Reliability end to end: slow and failing pages, a submit whose answer never comes, restricted automation, an expired
session and a CAPTCHA played by the person in the run's window, a browser crash, and `reconcile` — every claim filed
exactly once.

Each test runs the CLI as a subprocess with real Chromium against the mock Seller Central and checks both what reached
the site (/__fixture__/submissions) and the ledger: one test per kind of fault, to show the real flows notice it.
Every branch of a claim's course under these faults (headless sign-in, a crash after Submit, restriction instead of
the result, `reconcile` stopping) is tested in-process in test_course.py. The kill-at-random-moments test is in
test_crash.py.
"""

from __future__ import annotations

import os
import re
import signal
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page
from runs import Background, Finished, claim, ledger_rows, safet, write_claims

from safet_filer.fixtures.server import MockSellerCentral
from safet_filer.ledger import Ledger, State

pytestmark = pytest.mark.e2e

# Retries quick and the wait after Submit short: the mock answers in well under a second when it answers at all.
FAST = {"SAFET_RETRIES": "4", "SAFET_SUBMIT_TIMEOUT_S": "5"}


# -- helpers ---------------------------------------------------------------------------------------------------------
def file_run(home: Path, claims_file: Path, site: MockSellerCentral, *extra: str, env=None) -> Finished:
    return safet(home, "run", str(claims_file), "--base-url", site.url, "--yes", *extra, env={**FAST, **(env or {})})


def claims_for(tmp_path: Path, count: int) -> tuple[Path, list[str]]:
    claims = [claim(n, "damaged", tmp_path) for n in range(1, count + 1)]
    return write_claims(tmp_path, claims), [c["order_id"] for c in claims]


def assert_each_filed_once(site: MockSellerCentral, home: Path, orders: list[str]) -> None:
    """The site holds exactly one claim per order, and the ledger says `filed` with the site's own claim ID."""
    submitted = Counter(s["order_id"] for s in site.submissions())
    assert submitted == Counter(orders), f"claims on the site per order: {dict(submitted)}"
    site_ids = {s["order_id"]: s["claim_id"] for s in site.submissions()}
    rows = ledger_rows(home)
    for order in orders:
        assert rows[order][:2] == ("filed", site_ids[order]), (order, rows[order])


def never_twice(site: MockSellerCentral) -> None:
    assert all(n == 1 for n in Counter(s["order_id"] for s in site.submissions()).values()), site.submissions()


def wait_until(condition, timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def browser_pids(profile: Path) -> list[int]:
    """The Chromium processes running on `profile`, found by the user-data folder on their command line."""
    marker = f"--user-data-dir={profile}".encode()
    pids = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and marker in (entry / "cmdline").read_bytes().split(b"\0"):
                pids.append(int(entry.name))
        except OSError:  # gone meanwhile
            continue
    return pids


# -- 1. slow pages and server errors on every page type --------------------------------------------------------------
# Seller Central's page types as the mock's `fail_paths` name them, in the order runs meet them.
PAGE_TYPES = [
    "GET /safet-claims/create-v2",  # the wizard page
    "POST /safet-claims/api/eligibility",  # Check eligibility
    "POST /safet-claims/api/uploads",  # an evidence upload
    "POST /safet-claims/api/claims/preview",  # Next to the review step
    "POST /safet-claims/api/claims",  # the submit (claim 1): nothing stored, the claim is unknown
    "GET /safet-claims/claim/*",  # the result page (claim 2): stored, but the claim is unknown too
    "GET /safet-claims",  # the dashboard, when the next run reconciles
    "GET /safet-claims/api/search",  # the dashboard's claims list
]


class OneServerErrorPerPageType:
    """Arms the mock's `fail_rate` on one page type at a time (`latency_ms` on every request throughout), and the next
    type as soon as the site has answered one request of the armed type with a 500: every type fails, in turn."""

    def __init__(self, site: MockSellerCentral, patterns: list[str], latency_ms: int):
        self.site, self.pending, self.latency_ms = site, list(patterns), latency_ms
        self.failed: list[tuple[str, str]] = []  # (pattern, the request that met it)
        self.lock = threading.Lock()
        self._arm()

    def _arm(self) -> None:
        if not self.pending:
            self.site.set_faults(latency_ms=self.latency_ms)
            return
        pattern = self.pending[0]
        self.site.set_faults(latency_ms=self.latency_ms, fail_rate=1.0, fail_paths=[pattern])
        faults = self.site.fault_state.faults  # watched, not changed: the mock decides each 500 itself
        decide = faults.may_fail

        def may_fail(method, path, rng):
            failing = decide(method, path, rng)
            if failing:
                self._answered(pattern, f"{method} {path}")
            return failing

        faults.may_fail = may_fail

    def _answered(self, pattern: str, request: str) -> None:
        with self.lock:
            self.failed.append((pattern, request))
            if self.pending and self.pending[0] == pattern:
                self.pending.pop(0)
                self._arm()


def test_slow_pages_and_a_server_error_on_every_page_type_still_file_each_claim_exactly_once(tmp_path):
    claims_file, orders = claims_for(tmp_path, 2)
    home = tmp_path / "home"
    with MockSellerCentral(claims_file=claims_file) as site:
        errors = OneServerErrorPerPageType(site, PAGE_TYPES, latency_ms=100)
        runs: list[Finished] = []  # claim 1 meets four 500s before its submit: five attempts
        while not runs or runs[-1].status != 0:  # the same command again, as the tool says, until all is settled
            assert len(runs) < 4, "\n\n".join(r.output for r in runs)
            runs.append(file_run(home, claims_file, site, env={"SAFET_RETRIES": "5", "SAFET_SUBMIT_TIMEOUT_S": "3"}))
            never_twice(site)
        assert errors.pending == [], f"page types that never met their 500: {errors.pending}"
        assert_each_filed_once(site, home, orders)
    # Run 1 retried the steps before the submit (each retry logged with its step and attempt), never the submit: the
    # two claims whose submit or result page failed ended unknown; run 2 looked each up on the dashboard first.
    assert [r.status for r in runs] == [1, 0]
    first, second = runs[0].output, runs[1].output
    for step in ("open page", "check eligibility", "add evidence"):
        assert f"{step} failed" in first, step
    assert "trying again (attempt 5 of 5)" in first
    assert first.count("unknown: No result after Submit") == 2
    assert "search the dashboard failed" in second
    assert "Not on the dashboard" in second and "Found on the dashboard" in second


# -- 2. the submit's answer never comes -------------------------------------------------------------------------------
def test_a_submit_whose_answer_never_comes_is_unknown_then_found_and_filed_by_the_next_run(tmp_path):
    claims_file, orders = claims_for(tmp_path, 2)
    home = tmp_path / "home"
    with MockSellerCentral(claims_file=claims_file) as site:
        site.set_faults(drop_submit_response=True)
        first = file_run(home, claims_file, site, "--limit", "1")
        assert first.status == 1, first.output
        assert [s["order_id"] for s in site.submissions()] == orders[:1]  # it reached the site …
        state, claim_id, message = ledger_rows(home)[orders[0]]
        assert (state, claim_id) == ("unknown", None)  # … but the tool never saw the answer
        assert "No result after Submit" in message

        site.set_faults()
        second = file_run(home, claims_file, site)
        assert second.status == 0, second.output
        assert "Found on the dashboard" in second.output
        assert_each_filed_once(site, home, orders)
    with Ledger(home / "ledger.sqlite3") as ledger:
        assert [to for _, to, _, _ in ledger.history("US", orders[0])][-3:] == ["submitting", "unknown", "filed"]


# -- 3. automation restricted ---------------------------------------------------------------------------------------
def test_restricted_automation_stops_the_run_at_once_and_records_why(tmp_path):
    claims_file, orders = claims_for(tmp_path, 3)
    home = tmp_path / "home"
    with MockSellerCentral(claims_file=claims_file) as site:
        first = file_run(home, claims_file, site, "--limit", "1")
        assert first.status == 0, first.output
        site.set_faults(restrict_automation=True)

        done = file_run(home, claims_file, site)
        assert done.status == 3, done.output
        assert "restricts automated access" in done.output
        assert site.faults()["counted_requests"] == 1  # one page met the restriction; nothing was asked after it
        assert [s["order_id"] for s in site.submissions()] == orders[:1]
    rows = ledger_rows(home)
    assert rows[orders[0]][0] == "filed"
    state, _, message = rows[orders[1]]
    assert state == "failed"
    assert "Automated access restricted" in message and "Agent Policy" in message
    assert rows[orders[2]] == ("pending", None, "In the claim list; not tried yet.")


# -- 4, 5. the session expires, a CAPTCHA appears ------------------------------------------------------------------------
# With a fresh ledger each claim takes six counted requests: the wizard page, the eligibility check, one upload, the
# preview, the submit and the result page. `expire_session_after=8` lets claim 1 through and sends claim 2's upload (the
# ninth request) to sign-in: in the middle of a claim, before its submit.
EXPIRE_IN_CLAIM_2 = {"expire_session_after": 8}


def play_the_person(page: Page) -> None:
    """Do what the person does on Seller Central's sign-in pages (any e-mail and password, "Keep me signed in", any
    6-digit code) and on the CAPTCHA page, by role and label, until the browser has left them."""
    page.wait_for_url(re.compile(r"/ap/"))
    for _ in range(6):
        page.wait_for_load_state()
        path = urlsplit(page.url).path
        if path == "/ap/signin":
            page.get_by_label("Email or mobile phone number").fill("seller@example.com")
            page.get_by_label("Password").fill("a password the tool never sees")
            page.get_by_role("checkbox", name="Keep me signed in").check()  # as the tool advises
            page.get_by_role("button", name="Sign in").click()
        elif path == "/ap/mfa":
            page.get_by_label("Enter OTP").fill("123456")
            page.get_by_role("button", name="Sign in").click()
        elif path == "/ap/cvf":
            characters = page.get_by_text(re.compile(r"^[A-Z0-9]{6}$")).inner_text()
            page.get_by_label("Type characters").fill(characters)
            page.get_by_role("button", name="Continue").click()
        else:
            return
        page.wait_for_url(lambda url, left=path: urlsplit(url).path != left)
    raise AssertionError(f"still on the sign-in pages at {page.url}")


@pytest.mark.skipif(not os.environ.get("DISPLAY"), reason="needs a display (run the suite under xvfb-run -a)")
def test_headed_the_run_waits_while_the_person_signs_in_or_solves_a_captcha_in_its_window_then_files_every_claim(
    tmp_path, playwright
):
    claims_file, orders = claims_for(tmp_path, 3)
    home = tmp_path / "home"
    with MockSellerCentral(claims_file=claims_file) as site:
        site.set_faults(**EXPIRE_IN_CLAIM_2)
        reachable = {**FAST, "SAFET_BROWSER_ARGS": '["--remote-debugging-port=0"]'}  # for the test to act in the window
        with Background(
            home, "run", str(claims_file), "--base-url", site.url, "--yes", "--headed", env=reachable
        ) as run:
            # The session expires in claim 2: the run says so and waits, and the person signs in in the run's window.
            wait_until(lambda: "Finish signing in" in run.output or not run.running(), 90, "the run to pause")
            assert run.running(), run.output
            assert [s["order_id"] for s in site.submissions()] == orders[:1]
            port = (home / "profile" / "DevToolsActivePort").read_text().splitlines()[0]
            browser = playwright.chromium.connect_over_cdp(f"http://127.0.0.1:{port}")
            (window,) = browser.contexts[0].pages
            play_the_person(window)
            wait_until(lambda: "going on with the same claim" in run.output, 30, "the run to go on")

            # Then a CAPTCHA just as claim 3 is submitted (its submit, or the result page after it, meets the puzzle):
            # once solved, the run looks claim 3 up on the dashboard before anything else, and files it if absent.
            wait_until(lambda: ledger_rows(home)[orders[2]][0] == "ready", 60, "claim 3 at its review step")
            site.set_faults(captcha_after=0)
            wait_until(lambda: run.output.count("Finish signing in") == 2 or not run.running(), 60, "the second pause")
            assert run.running(), run.output
            play_the_person(window)
            done = run.finish()
        assert done.status == 0, done.output
        assert done.output.count("going on with the same claim") == 2
        assert_each_filed_once(site, home, orders)
    with Ledger(home / "ledger.sqlite3") as ledger:
        assert "unknown" in [to for _, to, _, _ in ledger.history("US", orders[2])]


# -- 6. the browser crashes in the middle of a claim --------------------------------------------------------------------
def test_a_browser_crash_fails_that_claim_restarts_the_browser_and_files_the_rest(tmp_path):
    claims_file, orders = claims_for(tmp_path, 3)
    home = tmp_path / "home"
    profile = home / "profile"
    with MockSellerCentral(claims_file=claims_file) as site:
        site.set_faults(latency_ms=150)
        with Background(home, "run", str(claims_file), "--base-url", site.url, "--yes", env=FAST) as run:
            # Claim 1 takes six requests (see above); the seventh is claim 2's wizard page: kill while it loads.
            wait_until(lambda: site.faults()["counted_requests"] >= 7, 60, "claim 2's wizard page")
            killed = browser_pids(profile)
            assert killed, "no browser runs on the run's profile"
            for pid in killed:
                os.kill(pid, signal.SIGKILL)
            done = run.finish()
        assert done.status == 1, done.output
        assert "starting it again" in done.output
        state, _, message = ledger_rows(home)[orders[1]]
        assert state == "failed" and "The browser stopped responding" in message
        assert [s["order_id"] for s in site.submissions()] == [orders[0], orders[2]]  # claim 3 by the new browser

        site.set_faults()
        again = file_run(home, claims_file, site)
        assert again.status == 0, again.output
        assert_each_filed_once(site, home, orders)


# -- 8. reconcile -----------------------------------------------------------------------------------------------------
def test_reconcile_records_claims_found_on_the_dashboard_as_filed_and_the_others_as_pending(tmp_path, mock_site):
    found = {"113-2000001-0000001": "31415-92653-5897932", "113-2000002-0000002": "27182-81828-4590452"}  # seeded
    absent = ["113-1000001-0000001", "113-1000002-0000002"]
    home = tmp_path / "home"
    # As if earlier runs had been killed after Submit: two submits went through, two did not.
    with Ledger(home / "ledger.sqlite3") as ledger:
        for order, stop_at in zip([*found, *absent], [State.UNKNOWN, State.SUBMITTING] * 2, strict=True):
            for state in (State.READY, State.SUBMITTING, State.UNKNOWN):
                ledger.move("US", order, state)
                if state == stop_at:
                    break
    # Slow pages: the dashboard's own first listing is still loading when the search is typed; only the search's
    # answer counts.
    mock_site.set_faults(latency_ms=400)
    done = safet(home, "reconcile", "--base-url", mock_site.url, env=FAST)
    assert done.status == 0, done.output
    rows = ledger_rows(home)
    for order, claim_id in found.items():
        assert rows[order][:2] == ("filed", claim_id), rows[order]
    for order in absent:
        assert rows[order][0] == "pending", rows[order]
    assert mock_site.submissions() == []

    # The next run files the two that did not go through, once each, and leaves the found ones alone.
    mock_site.set_faults()
    items = {"113-1000001-0000001": "B0SAFET001", "113-1000002-0000002": "B0SAFET002"}
    claims = [
        claim(n, "damaged", tmp_path, order_id=order, items=[{"asin": items.get(order, "B0SAFET999"), "quantity": 1}])
        for n, order in enumerate([*found, *absent], 1)
    ]
    again = file_run(home, write_claims(tmp_path, claims), mock_site)
    assert again.status == 0, again.output
    assert sorted(s["order_id"] for s in mock_site.submissions()) == absent
    assert Counter(c["order_id"] for c in mock_site.claims() if c["order_id"] in found) == dict.fromkeys(found, 1)
    assert all(ledger_rows(home)[o][0] == "filed" for o in [*found, *absent])
