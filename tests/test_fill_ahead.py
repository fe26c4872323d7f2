"""Filling ahead: the next claim filled on a second tab while the person is asked about one, through the real
`FilingRun` on the in-process fake site (fake_site.py).

Each test runs the same claim list, the same answers and the same fault twice, on two fresh sites and ledgers:
one by one (fill_ahead = false) and filling ahead. Whatever strikes in the middle of a claim filled ahead (the
person's skip or quit, Ctrl-C, a crash of its tab or of the whole browser, a sign-in page, a failed step), the
two runs leave the same claims on the site and the same ledger, every state change of every claim in the same
order. The real browser's side of it (two tabs, the person's wait) is in test_fill_ahead_e2e.py.
"""

from __future__ import annotations

import io
import json
import os
import signal
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from fake_site import FakeSite, Terminal, crash, restricted, run_on, signs_in, step_fails, tab_crash
from runs import claim, order_id, write_claims

from safet_filer.errors import ExitStatus
from safet_filer.ledger import Ledger
from safet_filer.settings import load_settings


@dataclass
class Left:
    """What a run left behind: its exit status, the claims on the site, and the ledger (each claim's entry and
    every state change, in order)."""

    status: ExitStatus
    stored: list[dict]
    entries: dict[str, tuple]
    history: dict[str, list[tuple]]
    output: str
    folder: Path
    site: FakeSite


def run_one(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    claims: list[dict],
    answers: str,
    *,
    fill_ahead: bool,
    fault: Callable[[FakeSite], None] = lambda site: None,
    headed: bool = False,
    terminal: Callable[[str], io.StringIO] = Terminal,
) -> Left:
    """The run on a fresh site (with `fault` set on it) and a fresh ledger, the person answering `answers`."""
    home = tmp_path / ("ahead" if fill_ahead else "one-by-one")
    home.mkdir()
    monkeypatch.setenv("SAFET_FILL_AHEAD", str(fill_ahead).lower())
    monkeypatch.setenv("SAFET_LEDGER_PATH", str(home / "ledger.sqlite3"))
    monkeypatch.setenv("SAFET_RUNS_DIR", str(home / "runs"))
    site = FakeSite.for_claims(claims, headed=headed)
    fault(site)
    monkeypatch.setattr(sys, "stdin", terminal(answers))
    done = run_on(site, write_claims(tmp_path, claims), yes=False)
    with Ledger(load_settings().ledger_path) as ledger:
        entries = {
            e.order_id: (e.state, e.message, e.claim_id, e.confirmed_by, e.submit_attempts) for e in ledger.entries()
        }
        history = {o: [event[:3] for event in ledger.history("US", o)] for o in entries}
    return Left(done.status, site.submissions, entries, history, done.output, done.folder, site)


def run_both_ways(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, claims: list[dict], answers: str, **how
) -> tuple[Left, Left]:
    """The same run one by one, then filling ahead."""
    return tuple(  # type: ignore[return-value]
        run_one(tmp_path, monkeypatch, claims, answers, fill_ahead=fill_ahead, **how) for fill_ahead in (False, True)
    )


def assert_same(one_by_one: Left, ahead: Left) -> None:
    assert ahead.status == one_by_one.status, ahead.output
    assert ahead.stored == one_by_one.stored
    assert ahead.entries == one_by_one.entries
    assert ahead.history == one_by_one.history


def claims_for(tmp_path: Path, count: int) -> list[dict]:
    return [claim(n, "damaged", tmp_path) for n in range(1, count + 1)]


def filled_ahead(left: Left) -> list[str]:
    """The orders whose fill ahead was taken up in their turn, from the run's log."""
    return [
        json.loads(line)["record"]["extra"]["order_id"]
        for line in (left.folder / "log.jsonl").read_text().splitlines()
        if "filled ahead while the claim before it was reviewed" in line
    ]


# -- the person's answers ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "answers",
    ["y\ny\ny\ny\n", "y\ns\ny\ns\n", "y\nq\n", "q\n", "s\ns\ns\ns\n", "maybe\ny\nq\n"],
    ids=["yes", "skips", "quit-2nd", "quit-1st", "all-skipped", "unclear-then-quit"],
)
def test_whatever_the_person_answers_the_site_and_ledger_are_as_one_by_one(tmp_path, monkeypatch, answers):
    one_by_one, ahead = run_both_ways(tmp_path, monkeypatch, claims_for(tmp_path, 4), answers)
    assert_same(one_by_one, ahead)
    assert ahead.output.count("Submit this claim?") == one_by_one.output.count("Submit this claim?")


def test_every_claim_after_the_first_is_filled_while_the_one_before_is_asked_about(tmp_path, monkeypatch):
    one_by_one, ahead = run_both_ways(tmp_path, monkeypatch, claims_for(tmp_path, 4), "y\ny\ny\ny\n")
    assert_same(one_by_one, ahead)
    assert filled_ahead(ahead) == [order_id(n) for n in (2, 3, 4)]
    assert filled_ahead(one_by_one) == []
    # each claim filled while the one before it is asked about, and submitted after it
    assert ahead.site.asked == [f"fill {order_id(1)}", f"fill {order_id(2)}"] + [
        f"submit {order_id(1)}",
        f"fill {order_id(3)}",
        f"submit {order_id(2)}",
        f"fill {order_id(4)}",
        f"submit {order_id(3)}",
        f"submit {order_id(4)}",
    ]
    assert ahead.site.browser.shown == [0, 1, 0, 1]  # each claim's own tab in front as it is asked about
    assert screenshots(ahead) == screenshots(one_by_one)  # the same, written in each claim's turn


def screenshots(left: Left) -> list[list[str]]:
    summary = json.loads((left.folder / "summary.json").read_text())
    return [[Path(s).name for s in c["screenshots"]] for c in summary["claims"]]


class GatedTerminal(Terminal):
    """A person who gives the second answer only once the fill ahead of claim 3 has begun."""

    def __init__(self, answers: str):
        super().__init__(answers)
        self.fill_began = threading.Semaphore(0)
        self.answered = 0

    def readline(self, *args: object) -> str:
        if self.answered:
            assert self.fill_began.acquire(timeout=10), "no claim was filled ahead while the person read"
        self.answered += 1
        return super().readline(*args)


def test_a_person_who_quits_leaves_the_claim_filled_ahead_unsubmitted_and_pending(tmp_path, monkeypatch):
    terminal = GatedTerminal("y\nq\n")

    def let_the_person_answer(site: FakeSite) -> None:
        site.on_fill = lambda order: terminal.fill_began.release() if order == order_id(3) else None

    claims = claims_for(tmp_path, 3)
    one_by_one = run_one(tmp_path, monkeypatch, claims, "y\nq\n", fill_ahead=False)
    ahead = run_one(
        tmp_path, monkeypatch, claims, "", fill_ahead=True, fault=let_the_person_answer, terminal=lambda _: terminal
    )
    assert_same(one_by_one, ahead)
    assert [s["order_id"] for s in ahead.stored] == [order_id(1)]
    assert f"fill {order_id(3)}" in ahead.site.asked  # filled ahead (all or in part) on its tab
    assert ahead.entries[order_id(3)][0] == "pending"  # never recorded, never submitted


# -- Ctrl-C ---------------------------------------------------------------------------------------------------------
class InterruptedTerminal(Terminal):
    """A terminal at which the person presses Ctrl-C instead of answering."""

    def readline(self, *args: object) -> str:
        raise KeyboardInterrupt


def test_ctrl_c_while_the_next_claim_is_filled_ahead_stops_as_ctrl_c_at_the_prompt(tmp_path, monkeypatch):
    def ctrl_c_in_the_second_fill(site: FakeSite) -> None:
        site.on_fill = lambda order: os.kill(os.getpid(), signal.SIGINT) if order == order_id(2) else None

    claims = claims_for(tmp_path, 3)
    one_by_one = run_one(tmp_path, monkeypatch, claims, "", fill_ahead=False, terminal=InterruptedTerminal)
    ahead = run_one(tmp_path, monkeypatch, claims, "y\ny\ny\n", fill_ahead=True, fault=ctrl_c_in_the_second_fill)
    assert one_by_one.status == ExitStatus.INTERRUPTED, one_by_one.output
    assert_same(one_by_one, ahead)
    assert ahead.stored == []
    assert [ahead.entries[order_id(n)][0] for n in (1, 2, 3)] == ["ready", "pending", "pending"]
    assert "Stopping after the current step" in ahead.output


# -- what the site does in the middle of a claim filled ahead -----------------------------------------------------------
def strike(moment: str, error: Callable, n: int, times: int = 1) -> Callable[[FakeSite], None]:
    return lambda site: site.fail(moment, error, order_id=order_id(n), times=times)


@pytest.mark.parametrize(
    ("fault", "headed"),
    [
        (strike("fill", crash, 2), False),  # the whole browser, while claim 1 is asked about
        (strike("fill", tab_crash, 2), False),  # the page of claim 2's tab only
        (strike("fill", signs_in, 2), False),  # headless: the run stops, claim 2 not submitted
        (strike("fill", signs_in, 2, times=0), False),  # and every time it is tried
        (strike("fill", signs_in, 2), True),  # headed: the person signs in, the run goes on
        (strike("fill", step_fails, 2), False),  # repeated in its turn, as any failed step
        (strike("fill", step_fails, 2, times=0), False),  # until it fails the claim
        (strike("fill", crash, 3), False),  # the whole browser, while claim 2 (filled ahead) is asked about
    ],
    ids=[
        "crash",
        "tab-crash",
        "sign-in",
        "sign-in-every-time",
        "sign-in-headed",
        "step-fails",
        "step-fails-always",
        "crash-3rd",
    ],
)
def test_a_fault_in_the_middle_of_a_claim_filled_ahead_leaves_what_one_by_one_leaves(
    tmp_path, monkeypatch, fault, headed
):
    one_by_one, ahead = run_both_ways(
        tmp_path, monkeypatch, claims_for(tmp_path, 4), "y\n" * 4, fault=fault, headed=headed
    )
    assert_same(one_by_one, ahead)


def test_a_claim_the_site_does_not_offer_fails_in_its_turn_as_one_by_one(tmp_path, monkeypatch):
    claims = claims_for(tmp_path, 3)
    claims[1]["items"] = [{"asin": "B0NOTOFFER", "quantity": 1}]

    def offer_other_items(site: FakeSite) -> None:
        site.orders[order_id(2)].claimable = {"B0OTHER001": 1}

    one_by_one, ahead = run_both_ways(tmp_path, monkeypatch, claims, "y\ny\ny\n", fault=offer_other_items)
    assert_same(one_by_one, ahead)
    assert "is not among this order's refunded items" in ahead.entries[order_id(2)][1]


def test_a_review_no_longer_shown_at_its_submit_is_filled_again_and_submitted_unasked(tmp_path, monkeypatch):
    # Claim 2 is filled ahead on tab 1; while the person reads it, the tab shows something else (a timeout, a
    # reload): it is filled again, and submitted without asking again since its review reads the same.
    def move_claim_2s_tab_on(site: FakeSite) -> None:
        def as_claim_3_is_filled(order: str) -> None:
            if order == order_id(3):  # filled ahead while claim 2 is asked about
                site.browser.on_review.pop(1, None)

        site.on_fill = as_claim_3_is_filled

    one_by_one, ahead = run_both_ways(
        tmp_path, monkeypatch, claims_for(tmp_path, 3), "y\ny\ny\n", fault=move_claim_2s_tab_on
    )
    assert_same(one_by_one, ahead)
    assert ahead.site.asked.count(f"fill {order_id(2)}") == 2
    assert ahead.output.count("Submit this claim?") == 3  # claim 2 not asked twice


def test_restricted_access_met_while_filling_ahead_stops_before_the_claim_under_review_is_submitted(
    tmp_path, monkeypatch
):
    # One by one, claim 1 was submitted before claim 2 met the page; filling ahead, the page is met while claim 1
    # is still under review, and Amazon's Agent Policy says stop: nothing more is submitted, whatever the answer.
    one_by_one, ahead = run_both_ways(
        tmp_path, monkeypatch, claims_for(tmp_path, 3), "y\ny\ny\n", fault=strike("fill", restricted, 2)
    )
    assert one_by_one.status == ahead.status == ExitStatus.NEEDS_PERSON
    assert [s["order_id"] for s in one_by_one.stored] == [order_id(1)]
    assert ahead.stored == []
    assert [ahead.entries[order_id(n)][0] for n in (1, 2, 3)] == ["ready", "failed", "pending"]
    assert "the claim before it was not submitted" in ahead.entries[order_id(2)][1]
    evidence = json.loads((ahead.folder / "summary.json").read_text())["claims"][1]["evidence"]
    # the restricted page as it was met, and the trace up to it
    assert sorted(Path(e).name for e in evidence) == [
        "failure.aria.yml",
        "failure.html",
        "failure.png",
        "trace-filled-ahead.zip",
    ]
    assert "Seller Central restricts automated access" in ahead.output
