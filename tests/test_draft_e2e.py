"""From the mock's returns report to filed claims, as a seller would go: download the report, `safet-filer draft` it,
`safet-filer review` it at a real pseudo-terminal, `safet-filer run --yes` the result against the mock.

What reached the site (/__fixture__/submissions) must be exactly what was approved; a list that still holds a draft
nobody approved is refused by `run`, naming it, with nothing submitted.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
import urllib.request
from pathlib import Path

import pexpect
import pytest
from runs import isolated_env, png_bytes, safet

from safet_filer.fixtures.scenario import BUNDLED_SCENARIO
from safet_filer.fixtures.server import MockSellerCentral

pytestmark = pytest.mark.e2e

LEGEND = "[q] save and quit"
TITLE = re.compile(r"claims\[(\d+)\] \(order (\d{3}-\d{7}-\d{7})\) · \d+ of \d+")
# A switcheroo return: only the seller's own look can name the reason, from the photo in the evidence folder.
INSPECTED = "113-1000005-0000005"
DESCRIPTION = "The buyer sent back a cheap pair of earbuds in place of ours; photo of what came back attached."
# What the seller decides for each order the draft holds (the bundled scenario's report).
FIRST_PASS = {"113-1000006-0000006": "a", "113-1000004-0000004": "d"}  # then q
SECOND_PASS = {
    INSPECTED: "inspected",
    "113-1000003-0000003": "a",  # outside_return_window, as suggested
    "113-1000002-0000002": "a",  # return_label_charge, as suggested
    "113-1000001-0000001": "d",
    "113-3000002-0000002": "d",
    "113-3000003-0000003": "d",
    "113-3000005-0000005": "d",
    "113-3000006-0000006": "d",
    "113-5000001-0000001": "d",
}
SITE_REASONS = {
    "not_returned": ("RNOTR", "RNOTR-a"),
    "outside_return_window": ("RTOW", None),
    "return_label_charge": ("LBLOT", None),
    "different_item": ("NOCOT", None),
}


def get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=30) as answer:
        return answer.read()


def download_returns_report(site: MockSellerCentral, into: Path) -> Path:
    page = get(site.url + "/safet-claims/reports").decode()
    link = re.search(r'<a [^>]*href="([^"]+)"[^>]*>Download returns report</a>', page)
    assert link, "the reports page offers no returns report"
    into.write_bytes(get(site.url + link[1]))
    return into


def reviewing(home: Path, claims: Path) -> pexpect.spawn:
    env = isolated_env(home)
    env.pop("EDITOR", None)
    env.pop("VISUAL", None)  # the description is typed in at the prompt
    return pexpect.spawn(
        sys.executable,
        ["-m", "safet_filer", "review", str(claims)],
        env=env,
        encoding="utf-8",
        timeout=60,
        dimensions=(70, 160),
    )


def decide(child: pexpect.spawn, decisions: dict[str, str], *, then_quit: bool) -> list[str]:
    """Answer each claim that comes up by its order ID; the orders in the order they came up."""
    seen = []
    while len(seen) < len(decisions):
        child.expect(TITLE)
        order = child.match[2]
        seen.append(order)
        child.expect_exact(LEGEND)
        if decisions[order] == "inspected":
            child.send("r")
            child.expect_exact("Press 1–9")
            child.send("3")  # different_item
            child.expect_exact("different_item")
            child.expect_exact(LEGEND)
            child.send("e")
            child.expect_exact("Description (Enter keeps it as it is): ")
            child.sendline(DESCRIPTION)
            child.expect_exact(LEGEND)
            child.send("a")
            child.expect_exact("✓ Approved claims[")
        else:
            child.send(decisions[order])
            child.expect_exact("✓ Approved" if decisions[order] == "a" else "Dropped")
    if then_quit:
        child.expect_exact(LEGEND)
        child.send("q")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    return seen


def test_report_to_draft_to_review_to_run_files_exactly_what_was_approved(tmp_path):
    scenario = json.loads(BUNDLED_SCENARIO.read_text())
    scenario["settings"]["eligibility_delay_ms"] = [0, 0]
    home = tmp_path / "home"
    photo = tmp_path / "evidence" / INSPECTED / "what-came-back.png"
    photo.parent.mkdir(parents=True)
    photo.write_bytes(png_bytes(7))
    claims = tmp_path / "claims.json"

    with MockSellerCentral(scenario=scenario) as site:
        report = download_returns_report(site, tmp_path / "returns-report.txt")
        drafted = safet(home, "draft", str(report), "--evidence", str(tmp_path / "evidence"), "-o", str(claims))
        assert drafted.status == 0, drafted.output
        assert {c["order_id"] for c in json.loads(claims.read_text())["claims"]} == {*FIRST_PASS, *SECOND_PASS}

        # The first pass approves one, drops one, and stops: the list still holds drafts nobody approved.
        decide(reviewing(home, claims), FIRST_PASS, then_quit=True)
        refused = safet(home, "run", str(claims), "--yes", "--base-url", site.url)
        assert refused.status == 2, refused.output
        for index, claim in enumerate(json.loads(claims.read_text())["claims"]):
            line = f"claims[{index}] (order {claim['order_id']}) is a draft you have not approved"
            assert (line in refused.output) == (claim["order_id"] in SECOND_PASS), refused.output
        assert json.loads(get(site.url + "/__fixture__/submissions")) == []
        assert refused.run_folder is None  # refused before anything ran

        # The second pass decides the rest, soonest deadline first; then the run files what was approved.
        came_up = decide(reviewing(home, claims), SECOND_PASS, then_quit=False)
        deadlines = {c["order_id"]: c["draft"]["deadline"] for c in json.loads(claims.read_text())["claims"]}
        assert [deadlines.get(o) or "" for o in came_up if o in deadlines] == sorted(
            deadlines.get(o) or "" for o in came_up if o in deadlines
        )
        checked = safet(home, "check", str(claims))
        assert checked.status == 0, checked.output
        done = safet(home, "run", str(claims), "--yes", "--base-url", site.url)
        assert done.status == 0, done.output
        received = {s["order_id"]: s for s in json.loads(get(site.url + "/__fixture__/submissions"))}

    approved = {c["order_id"]: c for c in json.loads(claims.read_text())["claims"]}
    assert set(approved) == {o for o, d in {**FIRST_PASS, **SECOND_PASS}.items() if d in ("a", "inspected")}
    assert all(c["draft"]["approved"] for c in approved.values())
    assert set(received) == set(approved)
    for order, claim in approved.items():
        code, sub = SITE_REASONS[claim["reason"]]
        assert received[order]["items"] == [
            {"asin": item["asin"], "quantity": item["quantity"], "reason": code, "sub_reason": sub}
            for item in claim["items"]
        ]
        assert received[order]["description"] == claim["description"]
    assert approved[INSPECTED]["reason"] == "different_item"
    assert received[INSPECTED]["description"] == DESCRIPTION
    assert received[INSPECTED]["attachments"] == [
        {"name": photo.name, "size": len(photo.read_bytes()), "sha256": hashlib.sha256(photo.read_bytes()).hexdigest()}
    ]
    assert approved["113-1000006-0000006"]["reason"] == "not_returned"
    assert received["113-1000002-0000002"]["items"][0]["quantity"] == 3
