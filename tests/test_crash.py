"""The crash test: `safet-filer run` killed with SIGKILL (its whole process group) at random moments, many times over one
claim list, and run again after each kill, as a person would after a power cut. At the end the mock Seller Central
holds exactly one claim per order and the ledger agrees: every order `filed`, with the site's own SAFE-T claim ID.

The kills follow a plan drawn from a seeded random generator: for each claim, one or two kills at a random moment of its
course before the submit (starting up, reconciling, filling a step), then one just after the ledger says `submitting`
(before, during or just after the Submit click) or just after the site has stored the claim (before the tool has seen
or recorded the answer), each after a further random pause.

    SAFET_CRASH_SEED=123 SAFET_CRASH_CLAIMS=12 pytest tests/test_crash.py -s    # another plan, more claims
"""

from __future__ import annotations

import os
import random
import sqlite3
import time
from collections import Counter
from contextlib import closing
from pathlib import Path

import pytest
from runs import Background, claim, ledger_rows, write_claims

from safet_filer.fixtures.server import MockSellerCentral

pytestmark = pytest.mark.e2e

SEED = int(os.environ.get("SAFET_CRASH_SEED", "20260305"))
CLAIMS = int(os.environ.get("SAFET_CRASH_CLAIMS", "7"))
ENV = {"SAFET_RETRIES": "4", "SAFET_SUBMIT_TIMEOUT_S": "5"}
EARLY, SUBMITTING, STORED = (
    "at a random moment before the submit",
    "just after `submitting`",
    "just after the site stored it",
)
EARLY_WITHIN_S = (0.0, 2.2)  # after the run's first request to the site; a claim gets to its submit in about 2.5 s
LATE_WITHIN_S = (0.0, 0.4)  # after `submitting` is committed, or after the site has stored the claim


def kill_plan(rng: random.Random, claims: int) -> list[str]:
    plan = []
    for _ in range(claims):
        plan += [EARLY] * rng.randint(1, 2) + [rng.choice((SUBMITTING, STORED))]
    return plan


def states(home: Path) -> dict[str, str]:
    try:
        return {order: row[0] for order, row in ledger_rows(home).items()}
    except sqlite3.Error:  # killed before the ledger had its tables
        return {}


def submits_pressed(home: Path) -> int:
    """How many times the ledger has recorded `submitting` (committed just before each Submit click)."""
    if not (home / "ledger.sqlite3").exists():
        return 0
    try:
        with closing(sqlite3.connect(home / "ledger.sqlite3", timeout=30)) as db:
            return db.execute("SELECT count(*) FROM events WHERE to_state = 'submitting'").fetchone()[0]
    except sqlite3.Error:
        return 0


def wait_for(run: Background, condition, timeout_s: float = 60) -> bool:
    """Wait until `condition()` holds (True) or the run ends by itself (False)."""
    deadline = time.monotonic() + timeout_s
    while run.running() and time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return False


def test_killed_at_random_moments_and_resumed_each_claim_is_filed_exactly_once(tmp_path, capsys):
    rng = random.Random(SEED)
    claims = [claim(n, "damaged", tmp_path) for n in range(1, CLAIMS + 1)]
    orders = [c["order_id"] for c in claims]
    claims_file = write_claims(tmp_path, claims)
    home = tmp_path / "home"
    kills: Counter[str] = Counter()
    mid_submit = 0  # kills that left the run's claim `submitting`: after the commit, before the outcome was recorded
    unrecorded = 0  # kills after which the site held a claim that the ledger did not have as filed
    course: list[str] = []  # a line per run: how it ended and the ledger after it (printed with the figures)
    note = f"crash test seed {SEED} (rerun with SAFET_CRASH_SEED={SEED})"

    with MockSellerCentral(claims_file=claims_file) as site:

        def run_once(trigger: str | None) -> None:
            nonlocal mid_submit, unrecorded
            submitted, pressed, asked = (
                len(site.submissions()),
                submits_pressed(home),
                site.faults()["counted_requests"],
            )
            with Background(home, "run", str(claims_file), "--base-url", site.url, "--yes", env=ENV) as run:
                if trigger == EARLY:
                    if wait_for(run, lambda: site.faults()["counted_requests"] > asked):
                        time.sleep(rng.uniform(*EARLY_WITHIN_S))
                elif trigger == SUBMITTING:
                    if wait_for(run, lambda: submits_pressed(home) > pressed):
                        time.sleep(rng.uniform(*LATE_WITHIN_S))
                elif trigger == STORED:
                    if wait_for(run, lambda: len(site.submissions()) > submitted):
                        time.sleep(rng.uniform(*LATE_WITHIN_S))
                if trigger and run.running():
                    run.kill()
                    run.proc.wait(timeout=30)
                    kills[trigger] += 1
                    now = states(home)
                    mid_submit += submits_pressed(home) > pressed and "submitting" in now.values()
                    unrecorded += any(now.get(s["order_id"]) != "filed" for s in site.submissions())
                    course.append(f"killed {trigger}: {dict(Counter(now.values()))}")
                else:
                    finished = run.finish(timeout=180)
                    course.append(f"ended by itself, exit {finished.status}: {dict(Counter(states(home).values()))}")
            per_order = Counter(s["order_id"] for s in site.submissions())
            assert all(n == 1 for n in per_order.values()), f"{note}: a second claim reached the site: {per_order}"

        for trigger in kill_plan(rng, CLAIMS):
            if set(states(home).values()) == {"filed"}:
                break
            run_once(trigger)
        for _ in range(3):  # after the last kill: the same command, until it ends with every claim filed
            run_once(None)
            if course[-1].startswith("ended by itself, exit 0"):
                break

        on_site = {s["order_id"]: s["claim_id"] for s in site.submissions()}
        per_order = Counter(s["order_id"] for s in site.submissions())
    rows = ledger_rows(home)

    duplicates = sum(n - 1 for n in per_order.values())
    figures = (
        f"{note}: {sum(kills.values())} kills survived ({kills[EARLY]} at random moments before a submit, "
        f"{kills[SUBMITTING]} just after `submitting`, {kills[STORED]} just after the site stored the claim; "
        f"{mid_submit} left a claim `submitting`, {unrecorded} left a claim on the site that the ledger did not have "
        f"as filed); {len(orders)} claims, {len(per_order)} on the site, duplicates: {duplicates}"
    )
    print(figures, *course, sep="\n")
    with capsys.disabled():
        print(f"\n{figures}")
    assert course[-1].startswith("ended by itself, exit 0"), f"{figures}\n" + "\n".join(course)
    assert sum(kills.values()) >= CLAIMS * 3 // 2, figures  # the plan has 2 to 3 per claim; a few may find no run left
    assert per_order == Counter(orders), figures
    assert duplicates == 0, figures
    for order in orders:
        assert rows[order][:2] == ("filed", on_site[order]), f"{figures}\n{order}: {rows[order]}"
