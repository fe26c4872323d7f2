"""The replies and appeals to send, checked up front: every problem at once, each naming the entry and the field."""

from datetime import date, timedelta

import pytest
from runs import png_bytes

from safet_filer.errors import InvalidInput
from safet_filer.followup import FollowUp
from safet_filer.followup_messages import MessageKind
from safet_filer.followup_site import SiteStatus, Source
from safet_filer.ledger import Ledger
from safet_filer.messages import check_messages
from safet_filer.settings import load_settings

US, TODAY = "US", date.today()
AWAITING, DENIED, LATE = "11111-11111-1111111", "22222-22222-2222222", "33333-33333-3333333"


@pytest.fixture
def follow(tmp_path):
    with Ledger(tmp_path / "ledger.sqlite3") as ledger:
        follow = FollowUp(ledger)
        soon, past = TODAY + timedelta(days=2), TODAY - timedelta(days=1)
        follow.record_site_view(
            US,
            "113-0000001-0000001",
            AWAITING,
            source=Source.CLAIM_PAGE,
            status=SiteStatus.AWAITING_RESPONSE,
            reply_by=soon,
        )
        follow.record_site_view(
            US, "113-0000002-0000002", DENIED, source=Source.CLAIM_PAGE, status=SiteStatus.DENIED, appeal_by=soon
        )
        follow.record_site_view(
            US,
            "113-0000003-0000003",
            LATE,
            source=Source.CLAIM_PAGE,
            status=SiteStatus.AWAITING_RESPONSE,
            reply_by=past,
        )
        yield follow


def check(raw, kind, follow, folder):
    return check_messages(raw, kind, base_dir=folder, follow=follow, marketplace=US, market=load_settings().market(US))


def test_a_good_reply_is_checked_with_its_attachments_as_paths(follow, tmp_path):
    (tmp_path / "label.png").write_bytes(png_bytes(1))
    [out] = check(
        [{"claim_id": AWAITING, "message": "Label attached.", "attachments": ["label.png"]}],
        MessageKind.REPLY,
        follow,
        tmp_path,
    )
    assert (out.claim_id, out.body, out.attachments) == (AWAITING, "Label attached.", [tmp_path / "label.png"])


def test_every_problem_of_every_entry_is_reported_at_once_and_nothing_is_sent(follow, tmp_path):
    (tmp_path / "notes.jpg").write_text("not a photo")
    raw = [
        {"claim_id": AWAITING, "message": " ", "attachments": ["notes.jpg", "missing.pdf"]},
        {"claim_id": LATE, "message": "x" * 1001},
        {"claim_id": "44444-44444-4444444", "message": "Hello."},
        {"claim_id": "1234", "message": "Hello.", "attachment": []},
        {"claim_id": DENIED, "message": "Appeal, not reply."},
        {"claim_id": AWAITING, "message": "Again."},
    ]
    with pytest.raises(InvalidInput) as error:
        check(raw, MessageKind.REPLY, follow, tmp_path)
    text = error.value.message
    assert text.startswith("The reply list has 10 problems; nothing was sent:")
    for expected in (
        f"messages[0] (SAFE-T claim {AWAITING}).message: is empty",
        f"messages[0] (SAFE-T claim {AWAITING}).attachments[0]: notes.jpg is not a JPEG file as its name says",
        f"messages[0] (SAFE-T claim {AWAITING}).attachments[1]: missing.pdf was not found",
        f"messages[1] (SAFE-T claim {LATE}).message: has 1,001 characters; the US form takes up to 1,000",
        f"messages[1] (SAFE-T claim {LATE}).claim_id: The reply window of SAFE-T claim {LATE} (US) closed on",
        "messages[2] (SAFE-T claim 44444-44444-4444444).claim_id: SAFE-T claim 44444-44444-4444444 (US) is not in the ledger",
        "messages[3].claim_id:",
        "messages[3].attachment: is not a field",
        f"messages[4] (SAFE-T claim {DENIED}).claim_id: SAFE-T claim {DENIED} (US) is 'Denied', not awaiting your response",
        f"messages[5] (SAFE-T claim {AWAITING}).claim_id: is also messages[0]: send one reply per claim.",
    ):
        assert expected in text, expected


def test_a_second_appeal_is_refused_up_front(follow, tmp_path):
    appeal = follow.begin_message(US, DENIED, MessageKind.APPEAL, body="New photos.")
    follow.message_sent(appeal.id)
    with pytest.raises(InvalidInput, match="was already appealed on .*Amazon allows one appeal per claim"):
        check([{"claim_id": DENIED, "message": "Once more."}], MessageKind.APPEAL, follow, tmp_path)


def test_an_appeal_whose_send_is_unknown_is_left_to_the_thread_not_refused_up_front(follow, tmp_path):
    appeal = follow.begin_message(US, DENIED, MessageKind.APPEAL, body="New photos.")
    follow.message_unknown(appeal.id, note="No answer after Send.")
    assert check([{"claim_id": DENIED, "message": "New photos."}], MessageKind.APPEAL, follow, tmp_path)
