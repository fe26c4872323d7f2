"""After filing: the site's view of each claim and its history, hand-filed claims, replies and the one appeal,
and `safet-filer status` with money, deadlines and `--due` (through the CLI, on ledgers built with the API)."""

import csv
import io
import json
import sqlite3
from datetime import date, timedelta
from decimal import Decimal

import ledgers
import pytest
from click.testing import CliRunner

from safet_filer.cli import cli
from safet_filer.followup import FollowUp
from safet_filer.followup_messages import MessageKind, MessageState
from safet_filer.followup_site import NOT_SHOWN, SiteStatus, Source
from safet_filer.ledger import Ledger, LedgerError, State
from safet_filer.money import Money

US = "US"


def today() -> date:
    """Today, asked for when a test runs (a constant made at collection would be yesterday after midnight)."""
    return date.today()


ORDER, CLAIM = "113-1000001-0000001", "11111-11111-1111111"
APPEAL, REPLY = MessageKind.APPEAL, MessageKind.REPLY


def file_claim(ledger, order=ORDER, claim=CLAIM, **given):
    return ledgers.file_claim(ledger, order, claim, **given)


def seen(follow, status, order=ORDER, claim=CLAIM, source=Source.CLAIM_PAGE, **fields):
    return follow.record_site_view(US, order, claim, source=source, status=status, **fields)


# -- the site's view and its history ---------------------------------------------------------------------------
def test_a_site_view_records_each_field_and_every_later_change_with_its_source(ledger, follow):
    file_claim(ledger)
    first = seen(follow, SiteStatus.UNDER_INVESTIGATION, source=Source.DASHBOARD)
    assert [(c.field, c.before, c.after) for c in first] == [("status", None, "Under investigation")]
    assert seen(follow, SiteStatus.UNDER_INVESTIGATION, source=Source.DASHBOARD) == []  # nothing new, nothing kept
    later = seen(
        follow,
        SiteStatus.GRANTED,
        reimbursed=Money(Decimal("12.5"), "USD"),
        comment="Reimbursed for the damaged jar.",
        appeal_by=today() + timedelta(days=7),
    )
    assert {c.field: (c.before, c.after) for c in later} == {
        "status": ("Under investigation", "Granted"),
        "reimbursed": (None, "12.5 USD"),
        "comment": (None, "Reimbursed for the damaged jar."),
        "appeal_by": (None, (today() + timedelta(days=7)).isoformat()),
    }
    site = follow.site_claim(US, CLAIM)
    assert (site.status, site.reimbursed, site.order_id) == (SiteStatus.GRANTED, Money(Decimal("12.5"), "USD"), ORDER)
    history = follow.changes(US, CLAIM)
    assert [(c.field, c.source) for c in history] == [
        ("status", "dashboard"),
        ("status", "claim_page"),
        ("reimbursed", "claim_page"),
        ("comment", "claim_page"),
        ("appeal_by", "claim_page"),
    ]
    assert ledger.get(US, ORDER).state == State.FILED  # the filing state is not the site's business


def test_a_field_the_source_does_not_show_is_kept_and_one_shown_empty_is_cleared(ledger, follow):
    file_claim(ledger)
    reply_by = today() + timedelta(days=3)
    seen(follow, SiteStatus.AWAITING_RESPONSE, reply_by=reply_by, comment="Send the carrier's proof.")
    assert seen(follow, SiteStatus.AWAITING_RESPONSE, source=Source.DASHBOARD) == []  # shows no dates: kept
    assert follow.site_claim(US, CLAIM).reply_by == reply_by
    changes = seen(follow, SiteStatus.UNDER_INVESTIGATION, reply_by=None, comment=NOT_SHOWN)
    assert ("reply_by", reply_by.isoformat(), None) in [(c.field, c.before, c.after) for c in changes]
    site = follow.site_claim(US, CLAIM)
    assert site.reply_by is None and site.comment == "Send the carrier's proof."


def test_the_same_amount_written_differently_is_no_change(ledger, follow):
    file_claim(ledger)
    seen(follow, SiteStatus.GRANTED, reimbursed=Money(Decimal("12.50"), "USD"))
    assert seen(follow, SiteStatus.GRANTED, reimbursed=Money(Decimal("12.5"), "USD"), source=Source.REPORT) == []
    assert seen(follow, SiteStatus.GRANTED, reimbursed=Money(Decimal("12.5"), "CAD"))[0].after == "12.5 CAD"


def test_a_status_in_the_pages_words_is_accepted_and_an_unknown_one_refused_with_nothing_recorded(ledger, follow):
    file_claim(ledger)
    seen(follow, "  awaiting SELLER response ")
    assert follow.site_claim(US, CLAIM).status == SiteStatus.AWAITING_RESPONSE
    with pytest.raises(LedgerError, match="'Paid', which safet-filer does not know"):
        seen(follow, "Paid", order="113-2000002-0000002", claim="22222-22222-2222222")
    assert follow.site_claim(US, "22222-22222-2222222") is None
    assert ledger.get(US, "113-2000002-0000002") is None


# -- claims filed outside safet-filer --------------------------------------------------------------------------
@pytest.mark.parametrize("before", [None, State.PENDING, State.SKIPPED, State.FAILED, State.INELIGIBLE])
def test_a_claim_filed_by_hand_becomes_a_known_order_that_is_never_filed(ledger, follow, before):
    if before is not None:
        ledger.move(US, ORDER, before)
    changes = seen(follow, SiteStatus.UNDER_INVESTIGATION, source=Source.DASHBOARD)
    assert ("state", before and before.value, "already_filed") in [(c.field, c.before, c.after) for c in changes]
    entry = ledger.get(US, ORDER)
    assert (entry.state, entry.claim_id) == (State.ALREADY_FILED, CLAIM)
    assert "Filed outside safet-filer" in entry.message and "claims dashboard" in entry.message
    for to in (State.PENDING, State.READY, State.SUBMITTING):  # what `run` or `draft` would need to file it
        with pytest.raises(LedgerError, match="already settled"):
            ledger.move(US, ORDER, to)


@pytest.mark.parametrize("in_flight", [State.SUBMITTING, State.UNKNOWN])
def test_a_claim_whose_submit_was_in_doubt_and_is_found_by_sync_is_ours(ledger, follow, in_flight):
    ledger.move(US, ORDER, State.READY)
    ledger.move(US, ORDER, State.SUBMITTING, confirmed_by="person")
    if in_flight == State.UNKNOWN:
        ledger.move(US, ORDER, State.UNKNOWN)
    seen(follow, SiteStatus.UNDER_INVESTIGATION, source=Source.REPORT)
    entry = ledger.get(US, ORDER)
    assert (entry.state, entry.claim_id, entry.confirmed_by) == (State.FILED, CLAIM, "person")
    assert "returns report" in entry.message and "earlier submit went through" in entry.message


def test_a_filed_claim_without_its_id_gets_the_id_the_site_shows(ledger, follow):
    ledger.move(US, ORDER, State.ALREADY_FILED, message="A claim already exists.")
    changes = seen(follow, SiteStatus.DENIED)
    assert ("claim_id", None, CLAIM) in [(c.field, c.before, c.after) for c in changes]
    assert ledger.get(US, ORDER).claim_id == CLAIM


def test_a_second_claim_on_a_filed_order_is_followed_beside_the_first(ledger, follow):
    file_claim(ledger)
    assert seen(follow, SiteStatus.DENIED, claim="22222-22222-2222222")[0].field == "status"
    assert ledger.get(US, ORDER).claim_id == CLAIM
    assert {f.claim_id for f in follow.followed()} == {CLAIM, "22222-22222-2222222"}


# -- replies ---------------------------------------------------------------------------------------------------
def awaiting(ledger, follow, reply_by=None):
    reply_by = reply_by or today() + timedelta(days=3)
    file_claim(ledger)
    seen(follow, SiteStatus.AWAITING_RESPONSE, reply_by=reply_by)


def test_a_reply_is_sending_before_the_click_and_sent_after(ledger, follow):
    awaiting(ledger, follow)
    message = follow.begin_message(US, CLAIM, REPLY, body="Tracking attached.", attachments=["scan.pdf"], run_id="r1")
    assert (message.state, message.kind, message.attachments) == (MessageState.SENDING, REPLY, ["scan.pdf"])
    sent = follow.message_sent(message.id, note="The page said: Message sent.")
    assert (sent.state, sent.note) == (MessageState.SENT, "The page said: Message sent.")
    assert [m.state for m in follow.messages(US, CLAIM)] == [MessageState.SENT]


def test_one_request_is_answered_once_and_a_new_request_can_be_answered_again(ledger, follow):
    awaiting(ledger, follow)
    follow.message_sent(follow.begin_message(US, CLAIM, REPLY, body="Proof.").id)
    with pytest.raises(LedgerError, match="already answered") as refused:
        follow.begin_message(US, CLAIM, REPLY, body="More proof.")
    assert "safet-filer sync" in refused.value.hint
    seen(follow, SiteStatus.UNDER_INVESTIGATION)
    seen(follow, SiteStatus.AWAITING_RESPONSE, reply_by=today() + timedelta(days=2))  # Amazon asks again
    assert follow.begin_message(US, CLAIM, REPLY, body="The label too.").state == MessageState.SENDING


@pytest.mark.parametrize("status", [SiteStatus.UNDER_INVESTIGATION, SiteStatus.GRANTED, SiteStatus.DENIED])
def test_a_reply_is_refused_when_amazon_is_not_awaiting_one(ledger, follow, status):
    file_claim(ledger)
    seen(follow, status)
    with pytest.raises(LedgerError, match=f"is '{status.value}', not awaiting your response") as refused:
        follow.begin_message(US, CLAIM, REPLY, body="Proof.")
    assert CLAIM in refused.value.message and "Nothing was sent" in refused.value.message
    assert follow.messages(US, CLAIM) == []


def test_a_reply_is_refused_after_its_reply_by_date_and_accepted_on_it(ledger, follow):
    awaiting(ledger, follow, reply_by=today())
    with pytest.raises(LedgerError, match=f"reply window of SAFE-T claim {CLAIM} \\(US\\) closed on {today()}"):
        follow.begin_message(US, CLAIM, REPLY, body="Proof.", today=today() + timedelta(days=1))
    assert follow.begin_message(US, CLAIM, REPLY, body="Proof.", today=today()).state == MessageState.SENDING


def test_a_message_for_a_claim_never_seen_on_the_site_is_refused(ledger, follow):
    file_claim(ledger)
    with pytest.raises(LedgerError, match="not in the ledger") as refused:
        follow.begin_message(US, CLAIM, REPLY, body="Proof.")
    assert "safet-filer sync" in refused.value.hint


# -- the one appeal --------------------------------------------------------------------------------------------
def decided(ledger, follow, status=SiteStatus.DENIED, appeal_by=None):
    appeal_by = appeal_by or today() + timedelta(days=7)
    file_claim(ledger)
    seen(follow, status, reimbursed=Money(Decimal(0), "USD"), appeal_by=appeal_by)


def test_a_decision_can_be_appealed_once(ledger, follow):
    decided(ledger, follow)
    appeal = follow.begin_message(US, CLAIM, APPEAL, body="The carrier confirms the return was never scanned.")
    follow.message_sent(appeal.id)
    with pytest.raises(LedgerError, match="already appealed on .*one appeal per claim") as refused:
        follow.begin_message(US, CLAIM, APPEAL, body="Again.")
    assert "risks action on your account" in refused.value.hint
    assert len(follow.messages(US, CLAIM)) == 1


@pytest.mark.parametrize("status", [None, SiteStatus.UNDER_INVESTIGATION, SiteStatus.AWAITING_RESPONSE])
def test_an_appeal_before_a_decision_is_refused(ledger, follow, status):
    file_claim(ledger)
    seen(follow, status, appeal_by=today() + timedelta(days=7))
    with pytest.raises(LedgerError, match="only a decision \\(granted or denied\\) can be appealed"):
        follow.begin_message(US, CLAIM, APPEAL, body="Please look again.")


def test_an_appeal_is_refused_after_its_appeal_by_date_and_without_one(ledger, follow):
    decided(ledger, follow, appeal_by=today() - timedelta(days=1))
    with pytest.raises(LedgerError, match=f"appeal window of SAFE-T claim {CLAIM} \\(US\\) closed on"):
        follow.begin_message(US, CLAIM, APPEAL, body="Late.")
    seen(follow, SiteStatus.DENIED, appeal_by=None)
    with pytest.raises(LedgerError, match="shows no Appeal by date"):
        follow.begin_message(US, CLAIM, APPEAL, body="Late.")


def test_an_appeal_whose_send_is_unknown_blocks_every_message_until_the_thread_is_read(ledger, follow):
    decided(ledger, follow)
    appeal = follow.begin_message(US, CLAIM, APPEAL, body="New evidence.")
    follow.message_unknown(appeal.id, note="No answer to Send within 60 s.")
    for kind in (APPEAL, REPLY):
        with pytest.raises(LedgerError, match="'unknown': whether it reached Seller Central is not known") as refused:
            follow.begin_message(US, CLAIM, kind, body="Again.")
        assert "message thread" in refused.value.hint
    assert [m.id for m in follow.messages_in_flight()] == [appeal.id]
    absent = follow.message_reconciled(appeal.id, in_thread=False, note="Not in the claim's thread.")
    assert absent.state == MessageState.NOT_SENT and follow.messages_in_flight() == []
    again = follow.begin_message(US, CLAIM, APPEAL, body="New evidence.")  # it never reached Amazon: may be sent
    follow.message_reconciled(again.id, in_thread=True, note="Found in the claim's thread.")  # killed mid-send
    with pytest.raises(LedgerError, match="already appealed"):
        follow.begin_message(US, CLAIM, APPEAL, body="Third.")


@pytest.mark.parametrize("settled", [MessageState.SENT, MessageState.NOT_SENT])
def test_nothing_leaves_a_settled_message(ledger, follow, settled):
    decided(ledger, follow)
    message = follow.begin_message(US, CLAIM, APPEAL, body="New evidence.")
    if settled == MessageState.SENT:
        follow.message_sent(message.id)
    else:
        follow.message_reconciled(message.id, in_thread=False, note="Not in the thread.")
    for move in (
        lambda: follow.message_sent(message.id),
        lambda: follow.message_unknown(message.id, note="x"),
        lambda: follow.message_reconciled(message.id, in_thread=True, note="x"),
        lambda: follow.message_reconciled(message.id, in_thread=False, note="x"),
    ):
        with pytest.raises(LedgerError, match="It is settled"):
            move()
    assert follow.message(message.id).state == settled


def test_the_database_itself_holds_one_appeal_per_claim(ledger, follow):
    decided(ledger, follow)
    follow.message_sent(follow.begin_message(US, CLAIM, APPEAL, body="Evidence.").id)
    with pytest.raises(sqlite3.IntegrityError):  # even a write that skips the rules above
        ledger.db.execute(
            "INSERT INTO messages (marketplace, claim_id, kind, state, body, attachments, created_at, updated_at)"
            " VALUES ('US', ?, 'appeal', 'sending', 'x', '[]', 'now', 'now')",
            (CLAIM,),
        )


# -- `safet-filer status` --------------------------------------------------------------------------------------
def day(offset):
    return today() + timedelta(days=offset)


def ledger_after_filing(path, reply_in=2):
    """Six claims: to file, in doubt, awaiting a reply, denied (appealable), granted in full, resolved in CAD."""
    with Ledger(path) as ledger:
        follow = FollowUp(ledger)
        ledger.move(
            US, "113-1000001-0000001", State.PENDING, claimed=Money(Decimal("30"), "USD"), filing_deadline=day(9)
        )
        ledger.move(US, "113-1000002-0000002", State.READY, filing_deadline=day(20))
        ledger.move(US, "113-1000002-0000002", State.SUBMITTING)
        ledger.move(US, "113-1000002-0000002", State.UNKNOWN, message="The submit timed out.")
        file_claim(ledger, "113-1000003-0000003", "33333-33333-3333333", claimed="20")
        seen(follow, "Awaiting seller response", "113-1000003-0000003", "33333-33333-3333333", reply_by=day(reply_in))
        file_claim(ledger, "113-1000004-0000004", "44444-44444-4444444", claimed="15.50")
        seen(
            follow,
            SiteStatus.DENIED,
            "113-1000004-0000004",
            "44444-44444-4444444",
            appeal_by=day(5),
            reimbursed=Money(Decimal(0), "USD"),
            comment="No evidence of a return.",
        )
        file_claim(ledger, "113-1000005-0000005", "55555-55555-5555555", claimed="12.50")
        seen(
            follow,
            SiteStatus.GRANTED,
            "113-1000005-0000005",
            "55555-55555-5555555",
            appeal_by=day(6),
            reimbursed=Money(Decimal("12.50"), "USD"),
        )
        file_claim(ledger, "113-1000006-0000006", "66666-66666-6666666", claimed="40", currency="CAD")
        seen(
            follow,
            SiteStatus.RESOLVED,
            "113-1000006-0000006",
            "66666-66666-6666666",
            reimbursed=Money(Decimal("25"), "CAD"),
        )
    return path


def status(*args, width=80):
    return CliRunner().invoke(cli, ["status", *map(str, args)], env={"COLUMNS": str(width)})


def test_status_shows_site_status_money_and_the_next_deadline_most_urgent_first(tmp_path):
    path = ledger_after_filing(tmp_path / "ledger.sqlite3")
    result = status("--ledger", path, width=200)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    order = [next(i for i, line in enumerate(lines) if o in line) for o in ("1000002", "1000003", "1000004", "1000001")]
    assert order == sorted(order)  # look up the submit in doubt now; reply in 2 days, appeal in 5, file in 9
    assert order[-1] < min(i for i, line in enumerate(lines) if "1000005" in line or "1000006" in line)
    assert "reply by " + day(2).isoformat() + " (2 days left)" in result.output
    assert "file by " + day(9).isoformat() + " (9 days left)" in result.output
    row = next(line for line in lines if "113-1000004-0000004" in line)
    assert "filed, Denied" in row and "15.50 USD" in row and "0.00 USD" in row and "No evidence of a return" in row
    granted = next(line for line in lines if "113-1000005-0000005" in line)
    assert "appeal" not in granted  # reimbursed in full: nothing to appeal


def test_status_keeps_ids_whole_on_80_columns_and_puts_money_under_the_table(tmp_path):
    path = ledger_after_filing(tmp_path / "ledger.sqlite3")
    result = status("--ledger", path)
    assert result.exit_code == 0, result.output
    assert max(len(line) for line in result.output.splitlines()) <= 80
    for claim_id in ("33333-33333-3333333", "44444-44444-4444444", "113-1000001-0000001", "113-1000006-0000006"):
        assert claim_id in result.output
    assert "113-1000004-0000004: claimed 15.50 USD, reimbursed 0.00 USD" in result.output


def test_status_json_carries_claims_and_totals_per_currency_and_csv_the_same_rows(tmp_path):
    path = ledger_after_filing(tmp_path / "ledger.sqlite3")
    as_json = json.loads(status("--json", "--ledger", path).output)
    assert as_json["totals"] == {
        "CAD": {"claimed": "40.00", "granted": "40.00", "denied": "0.00", "pending": "0.00", "recovered": "25.00"},
        "USD": {"claimed": "48.00", "granted": "12.50", "denied": "15.50", "pending": "20.00", "recovered": "12.50"},
    }
    first = as_json["claims"][1]  # after the claim in doubt
    assert (first["order_id"], first["site_status"], first["next_action"], first["next_by"], first["days_left"]) == (
        "113-1000003-0000003",
        "Awaiting seller response",
        "reply",
        day(2).isoformat(),
        2,
    )
    assert (first["claimed_amount"], first["claimed_currency"], first["reply_by"]) == (
        "20.00",
        "USD",
        day(2).isoformat(),
    )
    as_csv = list(csv.DictReader(io.StringIO(status("--csv", "--ledger", path).output)))
    assert [(r["order_id"], r["next_action"], r["reimbursed_amount"]) for r in as_csv] == [
        (r["order_id"], r["next_action"] or "", r["reimbursed_amount"] or "") for r in as_json["claims"]
    ]


def test_status_due_lists_only_what_needs_an_action_within_the_days(tmp_path):
    path = ledger_after_filing(tmp_path / "ledger.sqlite3")
    result = status("--due", 5, "--json", "--ledger", path)
    assert result.exit_code == 0, result.output  # nothing overdue
    due = [(c["order_id"], c["next_action"]) for c in json.loads(result.output)["claims"]]
    # the claim in doubt needs looking up now, whatever its window; the list's claim (day 9) is not due yet
    assert due == [
        ("113-1000002-0000002", "reconcile"),
        ("113-1000003-0000003", "reply"),
        ("113-1000004-0000004", "appeal"),
    ]
    table = status("--due", 1, "--ledger", path)
    assert table.exit_code == 0 and "113-1000002-0000002" in table.output and "113-1000003" not in table.output


def test_status_due_exits_1_when_a_reply_is_overdue_and_forgets_a_deadline_missed_long_ago(tmp_path):
    path = ledger_after_filing(tmp_path / "ledger.sqlite3", reply_in=-2)
    result = status("--due", 7, "--ledger", path, width=200)
    assert result.exit_code == 1
    assert f"reply by {day(-2)} (2 days overdue)" in result.output
    assert status("--due", 1, "--ledger", path).exit_code == 0  # missed more than a day ago: not reported for ever


def test_status_due_with_nothing_due_prints_nothing_so_that_cron_mails_nothing(tmp_path):
    path = tmp_path / "ledger.sqlite3"
    with Ledger(path) as ledger:
        file_claim(ledger)
    result = status("--due", 7, "--ledger", path)
    assert (result.exit_code, result.output) == (0, "")
