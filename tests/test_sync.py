"""`sync`'s recording, against a fake site: what each claim's row and page say lands in the ledger with its
source, a claim filed by hand becomes a known order, closed claims' pages are not read again, each page is read at
most once, and a reply or appeal in flight is settled by the claim's thread. `sync --report` on the mock's report."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from ledgers import file_claim

from safet_filer.flows.claim_page import ThreadMessage
from safet_filer.flows.dashboard import FiledClaim
from safet_filer.flows.labels import labels_for
from safet_filer.followup_messages import MessageKind, MessageState
from safet_filer.followup_site import SiteStatus, Source
from safet_filer.ledger import Money, State
from safet_filer.sync import Syncer, sync_report

US = "US"


def today() -> date:
    """Today, asked for when a test runs (a constant made at collection would be yesterday after midnight)."""
    return date.today()


OURS, BY_HAND = ("113-1000001-0000001", "11111-11111-1111111"), ("113-7000001-0000001", "22222-22222-2222222")


def shown(day: date) -> str:
    return day.strftime("%b %-d, %Y")


class FakeSite:
    """Dashboard rows and claim pages as texts, as the page objects give them; counts each page read."""

    def __init__(self, rows: list[FiledClaim], pages: dict[str, dict[str, str]], threads=None):
        self.rows, self.pages, self.threads = rows, pages, threads or {}
        self.read: list[str] = []

    def dashboard(self, days: int) -> list[FiledClaim]:
        self.days = days
        return self.rows

    def claim_page(self, claim_id: str):
        self.read.append(claim_id)
        return self.pages[claim_id], self.threads.get(claim_id, [])


def row(order_claim, status, amount="—"):
    order, claim = order_claim
    return FiledClaim(claim, order, shown(today()), status, amount)


def page(order_claim, status, amount="—", comment="—", reply_by="—", appeal_by="—"):
    order, claim = order_claim
    return {
        "SAFE-T claim ID": claim,
        "Order ID": order,
        "Claim date": shown(today()),
        "Claim status": status,
        "Reimbursement amount": amount,
        "Amazon comment": comment,
        "Reply by": reply_by,
        "Appeal by": appeal_by,
    }


def file_ours(ledger):
    file_claim(ledger, *OURS, claimed="24.99")


def syncer(follow, on=None):
    return Syncer(follow, US, "USD", labels_for("en"), today=on or today())


def test_each_claims_row_and_page_are_recorded_and_a_hand_filed_claim_becomes_a_known_order(ledger, follow):
    file_ours(ledger)
    appeal_by = today() + timedelta(days=7)
    site = FakeSite(
        [row(OURS, "Granted", "$24.99"), row(BY_HAND, "Awaiting seller response")],
        {
            OURS[1]: page(OURS, "Granted", "$24.99", "Reimbursed in full.", appeal_by=shown(appeal_by)),
            BY_HAND[1]: page(BY_HAND, "Awaiting seller response", comment="Send a photo.", reply_by="2026-12-24"),
        },
    )
    result = syncer(follow).sync(site)
    assert site.read == [OURS[1], BY_HAND[1]]
    ours = follow.site_claim(US, OURS[1])
    assert (ours.status, ours.reimbursed, ours.comment, ours.appeal_by, ours.reply_by) == (
        SiteStatus.GRANTED,
        Money(Decimal("24.99"), "USD"),
        "Reimbursed in full.",
        appeal_by,
        None,
    )
    assert [(c.field, c.source) for c in follow.changes(US, OURS[1])] == [
        ("status", "dashboard"),
        ("reimbursed", "dashboard"),
        ("comment", "claim_page"),
        ("appeal_by", "claim_page"),
    ]
    hand = ledger.get(US, BY_HAND[0])
    assert (hand.state, hand.claim_id) == (State.ALREADY_FILED, BY_HAND[1])
    assert follow.site_claim(US, BY_HAND[1]).reply_by == date(2026, 12, 24)
    assert [c.filed_by_hand for c in result.claims] == [False, True]
    assert result.summary() == (
        "Synced 2 claims on the dashboard (last 90 days), 2 claim pages read, 2 changed, 1 filed by hand, now known."
    )


def test_a_second_sync_reads_no_page_of_a_closed_claim_and_records_nothing_new(ledger, follow):
    file_ours(ledger)
    closed = page(OURS, "Denied", appeal_by=shown(today() - timedelta(days=1)))
    open_one = page(BY_HAND, "Under investigation")
    site = FakeSite([row(OURS, "Denied"), row(BY_HAND, "Under investigation")], {OURS[1]: closed, BY_HAND[1]: open_one})
    syncer(follow).sync(site)
    site.read.clear()
    again = syncer(follow).sync(site)
    assert site.read == [BY_HAND[1]]  # the denied claim whose appeal window closed is not read again
    assert all(not c.changes for c in again.claims)


def test_a_new_decision_on_a_claim_that_looked_closed_is_read_from_its_page(ledger, follow):
    file_ours(ledger)
    site = FakeSite(
        [row(OURS, "Denied")], {OURS[1]: page(OURS, "Denied", appeal_by=shown(today() - timedelta(days=1)))}
    )
    syncer(follow).sync(site)
    site.rows = [row(OURS, "Granted", "$24.99")]
    site.pages[OURS[1]] = page(OURS, "Granted", "$24.99", appeal_by=shown(today() + timedelta(days=7)))
    site.read.clear()
    syncer(follow).sync(site)
    assert site.read == [OURS[1]]
    assert follow.site_claim(US, OURS[1]).appeal_by == today() + timedelta(days=7)


def test_a_page_that_cannot_be_read_is_that_claims_problem_and_the_others_are_recorded(ledger, follow):
    site = FakeSite(
        [row(OURS, "Awaiting seller response"), row(BY_HAND, "Granted", "$5.00")],
        {
            OURS[1]: page(OURS, "Awaiting seller response", reply_by="in three days"),
            BY_HAND[1]: page(BY_HAND, "Granted", "$5.00"),
        },
    )
    result = syncer(follow).sync(site)
    assert [c.claim_id for c in result.problems] == [OURS[1]]
    assert result.problems[0].problem == 'Reply by: "in three days" is not a date like "Dec 3, 2026" or 2026-12-03'
    assert follow.site_claim(US, BY_HAND[1]).reimbursed == Money(Decimal("5.00"), "USD")


def test_an_unknown_status_on_the_dashboard_is_said_and_that_claims_page_is_not_read(follow):
    site = FakeSite([row(OURS, "Escalated")], {})
    result = syncer(follow).sync(site)
    assert site.read == []
    assert "Seller Central shows the claim status 'Escalated'" in result.problems[0].problem


@pytest.mark.parametrize(("in_thread", "state"), [(True, MessageState.SENT), (False, MessageState.NOT_SENT)])
def test_a_reply_in_flight_is_settled_by_the_claims_thread(ledger, follow, in_thread, state):
    file_ours(ledger)
    awaiting = page(OURS, "Awaiting seller response", reply_by=shown(today() + timedelta(days=2)))
    syncer(follow).sync(FakeSite([row(OURS, "Awaiting seller response")], {OURS[1]: awaiting}))
    reply = follow.begin_message(US, OURS[1], MessageKind.REPLY, body="Here is the label photo.\nThanks.")
    follow.message_unknown(reply.id, note="No answer after Send.")
    thread = [ThreadMessage("Reply", shown(today()), "Here is the label photo. Thanks.", "—")] if in_thread else []
    thread.insert(0, ThreadMessage("Request for information", shown(today()), "Send a photo.", "—"))
    result = syncer(follow).sync(
        FakeSite([row(OURS, "Awaiting seller response")], {OURS[1]: awaiting}, {OURS[1]: thread})
    )
    assert follow.message(reply.id).state == state
    assert [m.id for m in result.claims[0].settled] == [reply.id]


def test_the_dashboard_filter_reaches_back_to_the_oldest_claim_still_followed(ledger, follow):
    file_ours(ledger)
    assert syncer(follow).days_to_cover() == 90
    assert syncer(follow, on=today() + timedelta(days=200)).days_to_cover() == 201


def test_sync_report_records_the_returns_reports_safet_columns(ledger, follow, tmp_path):
    from safet_filer.fixtures.returns_report import returns_report
    from safet_filer.fixtures.scenario import load_scenario
    from safet_filer.fixtures.site import Site

    report = tmp_path / "returns.txt"
    report.write_text(returns_report(Site(load_scenario(None, today()))))
    result = sync_report(follow, report, US, "USD")
    granted = follow.site_claim(US, "16180-33988-7498948")
    assert (granted.status, granted.reimbursed, granted.source) == (
        SiteStatus.GRANTED,
        Money(Decimal("24.99"), "USD"),
        Source.REPORT,
    )
    assert follow.site_claim(US, "27182-81828-4590452").status == SiteStatus.AWAITING_RESPONSE
    assert len(result.claims) == 5 and not result.problems
    assert {e.state for e in ledger.entries()} == {State.ALREADY_FILED}
    assert sync_report(follow, report, US, "USD").claims[0].changes == []  # read again: nothing new
