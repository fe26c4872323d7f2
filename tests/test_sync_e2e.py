"""Following claims end to end, through the CLI in real Chromium against the mock: file, let Amazon decide
(`/__fixture__/decide`), `sync`, and the ledger and `status --json` agree with the mock; a claim filed by hand is
never filed by `run`; a reply and an appeal reach the mock exactly once, after a dropped answer to Send and after a
kill mid-send too; a second appeal and a late reply are refused without touching the site."""

from __future__ import annotations

import json
import sqlite3
import time
from contextlib import closing
from pathlib import Path

import pytest
from runs import Background, claim, ledger_rows, order_id, png_bytes, safet, write_claims

from safet_filer.fixtures.server import MockSellerCentral

pytestmark = pytest.mark.e2e


def file_claims(home: Path, folder: Path, count: int, *, site: MockSellerCentral | None = None):
    """A permissive mock and `count` claims filed on it by `run --yes`; returns the mock and the claim IDs."""
    claims_file = write_claims(folder, [claim(n, "damaged", folder) for n in range(1, count + 1)])
    site = site or MockSellerCentral(claims_file=claims_file).start()
    done = safet(home, "run", str(claims_file), "--base-url", site.url, "--yes")
    assert done.status == 0, done.output
    ids = {s["order_id"]: s["claim_id"] for s in site.submissions()}
    return site, claims_file, [ids[order_id(n)] for n in range(1, count + 1)]


def status_json(home: Path) -> dict[str, dict]:
    done = safet(home, "status", "--json")
    assert done.status == 0, done.output
    return {row["claim_id"]: row for row in json.loads(done.output)["claims"]}


def message_states(home: Path) -> list[tuple[str, str, str]]:
    with closing(sqlite3.connect(home / "ledger.sqlite3")) as db:
        return list(db.execute("SELECT claim_id, kind, state FROM messages ORDER BY id"))


def claim_page_reads(site: MockSellerCentral, claim_id: str) -> int:
    return site.requests().get(f"GET /safet-claims/claim/{claim_id}", 0)


def test_sync_records_every_decision_as_the_mock_holds_it_and_a_hand_filed_claim_is_never_filed(tmp_path):
    home = tmp_path / "home"
    claims_file = write_claims(tmp_path, [claim(n, "damaged", tmp_path) for n in range(1, 5)])
    with MockSellerCentral(claims_file=claims_file) as site:
        first = safet(home, "run", str(claims_file), "--base-url", site.url, "--yes", "--limit", "3")
        assert first.status == 0, first.output
        granted, denied, awaiting = (s["claim_id"] for s in site.submissions())
        by_hand = site.add_claims({"order_id": order_id(4), "status": "Under investigation", "claim_days_ago": 1})
        by_hand_id = by_hand[0]["claim_id"]
        site.decide(granted, "Granted", 24.99, "We reimbursed the item.")
        site.decide(denied, "Denied", comment="The item was returned in resellable condition.")
        site.decide(awaiting, "Awaiting seller response", comment="Send a photo of the shipping label.")
        before = site.requests()

        done = safet(home, "sync", "--base-url", site.url)

        assert done.status == 0, done.output
        held = {c["claim_id"]: c for c in site.claims()}
        shown = status_json(home)
        for claim_id in (granted, denied, awaiting, by_hand_id):
            row, mock = shown[claim_id], held[claim_id]
            assert row["site_status"] == mock["status"]
            assert row["reimbursed_amount"] == (None if mock["amount"] is None else f"{mock['amount']:.2f}")
            assert (row["reply_by"], row["appeal_by"], row["comment"]) == (
                mock["reply_by"],
                mock["appeal_by"],
                mock["comment"],
            )
        assert shown[granted]["reimbursed_currency"] == "USD"
        assert shown[awaiting]["next_action"] == "reply"
        assert shown[denied]["next_action"] == "appeal"
        assert ledger_rows(home)[order_id(4)][:2] == ("already_filed", by_hand_id)
        # Each claim page read once; read-only: nothing was sent, filed or pressed.
        for claim_id in (granted, denied, awaiting, by_hand_id):
            assert claim_page_reads(site, claim_id) - before.get(f"GET /safet-claims/claim/{claim_id}", 0) == 1
        assert site.messages() == [] and len(site.submissions()) == 3
        assert "status: — → Granted" in done.output and "ledger state: — → already filed" in done.output, done.output
        assert "Synced 4 claims on the dashboard (last 90 days), 4 claim pages read, 4 changed, 1 filed by hand" in (
            " ".join(done.output.split())
        )

        eligibility_checks = site.requests().get("POST /safet-claims/api/eligibility", 0)
        again = safet(home, "run", str(claims_file), "--base-url", site.url, "--yes")
        assert again.status == 0, again.output
        assert len(site.submissions()) == 3  # the hand-filed order was not filed
        assert site.requests().get("POST /safet-claims/api/eligibility", 0) == eligibility_checks  # nor even tried


def test_sync_reads_every_page_of_the_dashboard(tmp_path):
    home = tmp_path / "home"
    with MockSellerCentral(scenario={"orders": [], "claims": []}) as site:
        site.add_claims(
            {"claims": [{"order_id": f"114-{n:07d}-0000001", "claim_days_ago": n % 30} for n in range(110)]}
        )
        done = safet(home, "sync", "--base-url", site.url, "--days", "40")
        assert done.status == 0, done.output
        assert sum(1 for state, *_ in ledger_rows(home).values() if state == "already_filed") == 110
        assert max(v for k, v in site.requests().items() if k.startswith("GET /safet-claims/claim/")) == 1


def test_a_reply_and_an_appeal_reach_the_mock_once_even_when_the_answer_to_send_is_dropped(tmp_path):
    home = tmp_path / "home"
    (tmp_path / "label.png").write_bytes(png_bytes(7))
    site, _, (awaiting, denied, late) = file_claims(home, tmp_path, 3)
    with site:
        site.decide(awaiting, "Awaiting seller response", comment="Send a photo of the label.")
        site.decide(denied, "Denied", comment="Resellable.")
        site.decide(late, "Awaiting seller response", comment="Send the tracking.", reply_by_in_days=-1)
        assert safet(home, "sync", "--base-url", site.url).status == 0
        text = "Here is the photo of the shipping label.\nThe label shows the return was never scanned."
        reply = ["reply", awaiting, "--message", text, "--attach", str(tmp_path / "label.png")]

        site.set_faults(drop_message_response=True)
        dropped = safet(home, *reply, "--base-url", site.url, "--yes", env={"SAFET_SUBMIT_TIMEOUT_S": "4"})
        assert dropped.status == 1, dropped.output
        assert message_states(home) == [(awaiting, "reply", "unknown")]
        site.set_faults()
        again = safet(home, *reply, "--base-url", site.url, "--yes")
        assert again.status == 0, again.output
        assert "Sent earlier: found in the claim's message thread; not sent again." in " ".join(again.output.split())
        assert message_states(home) == [(awaiting, "reply", "sent")]

        appeal = ["appeal", denied, "--message", "New photos show the seal was broken.", "--yes"]
        sent = safet(home, *appeal, "--base-url", site.url)
        assert sent.status == 0, sent.output
        received = site.messages()
        assert [(m["claim_id"], m["kind"], m["text"]) for m in received] == [
            (awaiting, "reply", text),
            (denied, "appeal", "New photos show the seal was broken."),
        ]
        assert [a["name"] for a in received[0]["attachments"]] == ["label.png"]
        assert "safet-filer/" in received[0]["user_agent"]

        touched = site.requests()
        second = safet(home, *appeal, "--base-url", site.url)
        assert (
            second.status == 2 and "already appealed" in second.output and "Amazon allows one appeal" in second.output
        )
        late_reply = safet(home, "reply", late, "--message", "Tracking attached.", "--yes", "--base-url", site.url)
        assert late_reply.status == 2 and "reply window" in late_reply.output, late_reply.output
        assert site.requests() == touched and len(site.messages()) == 2  # neither touched the site


def test_a_reply_killed_mid_send_reaches_the_mock_once(tmp_path):
    home = tmp_path / "home"
    site, _, (awaiting,) = file_claims(home, tmp_path, 1)
    with site:
        site.decide(awaiting, "Awaiting seller response", comment="Send a photo of the label.")
        assert safet(home, "sync", "--base-url", site.url).status == 0
        site.set_faults(latency_ms=1500, latency_paths=["POST /safet-claims/api/claims/*/reply"])
        reply = ["reply", awaiting, "--message", "The label photo is attached.", "--base-url", site.url, "--yes"]
        with Background(home, *reply) as run:
            deadline = time.monotonic() + 90
            while (
                run.running()
                and time.monotonic() < deadline
                and not any(state == "sending" for *_, state in message_states_or_none(home))
            ):
                time.sleep(0.02)
            assert run.running(), run.output
            run.kill()
            run.proc.wait(timeout=30)
        assert message_states(home) == [(awaiting, "reply", "sending")]
        time.sleep(2)  # a request that left before the kill is stored after the mock's latency
        site.set_faults()
        resumed = safet(home, *reply)
        assert resumed.status == 0, resumed.output
        assert [(m["claim_id"], m["kind"]) for m in site.messages()] == [(awaiting, "reply")]
        assert [state for *_, state in message_states(home)][-1] == "sent"


def message_states_or_none(home: Path) -> list[tuple[str, str, str]]:
    try:
        return message_states(home)
    except sqlite3.Error:
        return []


def test_sync_report_takes_the_facts_from_the_mocks_returns_report(tmp_path, mock_site):
    import urllib.request

    from click.testing import CliRunner

    from safet_filer.cli import cli

    mock_site.decide("31415-92653-5897932", "Granted", 18.5)
    with urllib.request.urlopen(mock_site.url + "/safet-claims/reports/returns/download") as answer:
        (tmp_path / "returns.txt").write_bytes(answer.read())
    ledger = tmp_path / "ledger.sqlite3"
    done = CliRunner().invoke(cli, ["sync", "--report", str(tmp_path / "returns.txt"), "--ledger", str(ledger)])
    assert done.exit_code == 0, done.output
    shown = CliRunner().invoke(cli, ["status", "--json", "--ledger", str(ledger)])
    rows = {r["claim_id"]: r for r in json.loads(shown.output)["claims"]}
    assert {c["claim_id"] for c in mock_site.claims()} == set(rows)
    assert (rows["31415-92653-5897932"]["site_status"], rows["31415-92653-5897932"]["reimbursed_amount"]) == (
        "Granted",
        "18.50",
    )
    assert {r["state"] for r in rows.values()} == {"already_filed"}
    assert list(mock_site.requests()) == ["GET /safet-claims/reports/returns/download"]  # no browser, no page


@pytest.mark.parametrize(
    ("faults", "said"),
    [
        ({"restrict_automation": True}, "Automated access restricted"),
        ({"expire_session_after": 0}, "Run `safet-filer login`"),
    ],
)
def test_sync_stops_with_exit_3_at_a_sign_in_or_a_restriction_and_records_nothing(tmp_path, mock_site, faults, said):
    home = tmp_path / "home"
    mock_site.set_faults(**faults)
    done = safet(home, "sync", "--base-url", mock_site.url)
    assert done.status == 3, done.output
    assert said in done.output
    assert ledger_rows(home) == {}  # not one seeded claim was recorded
