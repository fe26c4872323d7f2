"""How fast `sync` reads Seller Central, against a bare Playwright page-read baseline measured in the same run.

Seeds N claims (300 by default) on the mock through its test API (POST /__fixture__/claims), every one open
(under investigation, awaiting a response, or decided with an Appeal by date ahead), so that each claim page is
read. Then times:

  baseline   one headless Chromium: goto each claim page and read its *Claim details* table by role (row header,
             value) — the least any page-reading sync can do, with no dashboard, no ledger, no retries
  sync       `safet-filer sync --base-url <mock>` as a subprocess on a fresh ledger: the browser's start, every
             dashboard page, every claim page, every parse and ledger write

Prints seconds per claim for each and their ratio, then (asserting nothing) how many times each claim page was
asked for during the sync, counted at the mock (GET /__fixture__/requests): each should be read at most once.

Usage: xvfb-run -a python benchmarks/sync_speed.py [--claims N]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

from safet_filer.browser import QUIET_ARGS, find_browser
from safet_filer.fixtures.server import MockSellerCentral
from safet_filer.settings import load_settings

STATUSES = ("Under investigation", "Awaiting seller response", "Granted", "Denied")


def seed(site: MockSellerCentral, claims: int) -> list[str]:
    entries = []
    for n in range(claims):
        status = STATUSES[n % len(STATUSES)]
        entry = {"order_id": f"114-{n:07d}-{n * 7 % 10_000_000:07d}", "status": status, "claim_days_ago": n % 60}
        if status == "Awaiting seller response":
            entry |= {"comment": "Send a photo of the label.", "reply_by_in_days": 3}
        if status in ("Granted", "Denied"):
            entry |= {"amount": 12.5 if status == "Granted" else None, "appeal_by_in_days": 5}
        entries.append(entry)
    return [c["claim_id"] for c in site.add_claims({"claims": entries})]


def baseline(url: str, claim_ids: list[str]) -> float:
    """Seconds per claim: a bare page read of every claim page in one browser (its start not counted)."""
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(find_browser(load_settings(), playwright=p).path), args=list(QUIET_ARGS)
        )
        page = browser.new_page()
        started = time.perf_counter()
        for claim_id in claim_ids:
            page.goto(f"{url}/safet-claims/claim/{claim_id}", wait_until="domcontentloaded")
            table = page.get_by_role("table", name="Claim details")
            table.wait_for()
            for row in table.get_by_role("row").all():
                row.get_by_role("rowheader").all_inner_texts()
                row.get_by_role("cell").all_inner_texts()
        took = time.perf_counter() - started
        browser.close()
    return took / len(claim_ids)


def timed_sync(url: str, claims: int) -> float:
    """Seconds per claim of `safet-filer sync` as a person runs it, on a fresh ledger and profile."""
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "SAFET_LEDGER_PATH": str(Path(tmp) / "ledger.sqlite3"),
            "SAFET_PROFILE_DIR": str(Path(tmp) / "profile"),
            "SAFET_RUNS_DIR": str(Path(tmp) / "runs"),
        }
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "safet_filer", "sync", "--base-url", url],
            env=env,
            capture_output=True,
            text=True,
        )
        took = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"sync failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    summary = done.stdout[done.stdout.rfind("Synced ") :]
    print(" ".join(summary.split()))
    return took / claims


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=300)
    args = parser.parse_args()
    with MockSellerCentral(scenario={"orders": [], "claims": []}) as site:
        claim_ids = seed(site, args.claims)
        base = baseline(site.url, claim_ids)
        site_requests_before = site.requests()
        per_claim = timed_sync(site.url, args.claims)
        after = site.requests()
    reads = [
        after.get(f"GET /safet-claims/claim/{c}", 0) - site_requests_before.get(f"GET /safet-claims/claim/{c}", 0)
        for c in claim_ids
    ]
    print(f"claims                  {args.claims}")
    print(f"baseline (page reads)   {base:.3f} s per claim")
    print(f"sync                    {per_claim:.3f} s per claim (browser start and dashboard included)")
    print(f"ratio                   {per_claim / base:.2f}x the baseline")
    print(
        f"claim pages read        at most {max(reads)} time(s) each; {sum(1 for r in reads if r == 1)} read once, "
        f"{sum(1 for r in reads if r == 0)} not read, {sum(1 for r in reads if r > 1)} read more than once"
    )


if __name__ == "__main__":
    main()
