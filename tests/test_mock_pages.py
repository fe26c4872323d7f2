"""The mock's other pages in real Chromium: dashboard, claim pages with decisions, reply and appeal, sign-in,
the CAPTCHA, the restriction page, the announcement and error pages. By role, label and text only.
"""

from __future__ import annotations

import hashlib
import json
import re
import urllib.request
from datetime import date, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from safet_filer.fixtures.server import MockSellerCentral

pytestmark = pytest.mark.e2e

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
UNDER_INVESTIGATION = "31415-92653-5897932"
AWAITING = "27182-81828-4590452"
GRANTED = "16180-33988-7498948"
DENIED = "14142-13562-3730950"
GRANTED_LONG_AGO = "17320-50807-5688772"


def shown(d: date) -> str:
    return f"{MONTHS[d.month - 1]} {d.day}, {d.year}"


@pytest.fixture
def site(quick_mock_site):
    return quick_mock_site


def claims_table(page: Page):
    return page.get_by_role("table", name="SAFE-T claims")


def data_rows(page: Page):
    return claims_table(page).get_by_role("row").filter(has=page.get_by_role("cell"))


def detail(page: Page, name: str):
    return page.get_by_role("table", name="Claim details").get_by_role("row", name=name).get_by_role("cell")


# --- dashboard -------------------------------------------------------------------------------------------


def test_dashboard_lists_seeded_claims_newest_first_with_the_reference_columns(page: Page, site):
    page.goto(site.url + "/safet-claims?pageSize=100&dateFilterValue=90")
    expect(claims_table(page).get_by_role("columnheader")).to_have_text(
        ["SAFE-T claim ID", "Order ID", "Claim date", "Status", "Reimbursement"]
    )
    expect(data_rows(page)).to_have_count(5)
    expect(data_rows(page).first.get_by_role("cell")).to_have_text(
        [
            UNDER_INVESTIGATION,
            "113-2000001-0000001",
            shown(date.today() - timedelta(days=2)),
            "Under investigation",
            "—",
        ]
    )
    expect(data_rows(page).filter(has_text=GRANTED).get_by_role("cell").last).to_have_text("$24.99")
    expect(page.get_by_role("tab", name="All")).to_have_attribute("aria-selected", "true")


def test_dashboard_date_filter_hides_older_claims(page: Page, site):
    page.goto(site.url + "/safet-claims?dateFilterValue=30")
    expect(data_rows(page)).to_have_count(4)
    expect(data_rows(page).filter(has_text=GRANTED_LONG_AGO)).to_have_count(0)


@pytest.mark.parametrize(
    ("tab", "claims"),
    [
        ("Awaiting seller response", [AWAITING]),
        ("Under investigation", [UNDER_INVESTIGATION]),
        ("Granted", [GRANTED, GRANTED_LONG_AGO]),
        ("Denied", [DENIED]),
    ],
)
def test_status_tabs_filter_the_table(page: Page, site, tab, claims):
    page.goto(site.url + "/safet-claims")
    expect(data_rows(page)).to_have_count(5)
    page.get_by_role("tab", name=tab).click()
    expect(page.get_by_role("tab", name=tab)).to_have_attribute("aria-selected", "true")
    expect(data_rows(page).get_by_role("link")).to_have_text(claims)


@pytest.mark.parametrize(
    ("query", "expected"),
    [("113-2000004-0000004", [DENIED]), ("B0SAFET202", [AWAITING]), (GRANTED, [GRANTED]), ("113-2000", None)],
)
def test_search_by_order_id_asin_or_claim_id_with_enter(page: Page, site, query, expected):
    page.goto(site.url + "/safet-claims")
    expect(data_rows(page)).to_have_count(5)
    page.get_by_role("searchbox", name="Search by Order ID, ASIN or SAFE-T claim ID").fill(query)
    page.get_by_role("searchbox", name="Search by Order ID, ASIN or SAFE-T claim ID").press("Enter")
    if expected is None:
        expected = [UNDER_INVESTIGATION, AWAITING, GRANTED, DENIED, GRANTED_LONG_AGO]
    expect(data_rows(page).get_by_role("link")).to_have_text(expected)
    expect(page.get_by_text("No claims found")).to_be_hidden()


def test_search_without_a_match_shows_no_claims_found(page: Page, site):
    page.goto(site.url + "/safet-claims")
    page.get_by_role("searchbox", name="Search by Order ID, ASIN or SAFE-T claim ID").fill("999-9999999-9999999")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_text("No claims found")).to_be_visible()
    expect(data_rows(page)).to_have_count(0)


def test_a_filed_claim_shows_on_the_dashboard_and_links_to_its_page(page: Page, site):
    body = {
        "order_id": "113-1000002-0000002",
        "items": [{"asin": "B0SAFET002", "quantity": 2, "reason": "RTOW"}],
        "description": "Accepted 40 days after delivery.",
        "policy_accepted": True,
    }
    request = urllib.request.Request(
        site.url + "/safet-claims/api/claims",
        json.dumps(body).encode(),
        {"Content-Type": "application/json"},
        method="POST",
    )
    urllib.request.urlopen(request).close()  # filed from another browser session
    [record] = site.submissions()
    page.goto(site.url + "/safet-claims")
    expect(data_rows(page)).to_have_count(6)
    page.get_by_role("link", name=record["claim_id"]).click()
    expect(page.get_by_role("heading", name=f"SAFE-T claim {record['claim_id']}")).to_be_visible()
    expect(page.get_by_role("heading", name="SAFE-T claim submitted")).to_have_count(0)  # only right after the submit
    expect(detail(page, "Claim status")).to_have_text("Under investigation")
    expect(
        page.get_by_role("table", name="Claimed items")
        .get_by_role("row")
        .filter(has_text="B0SAFET002")
        .get_by_role("cell")
    ).to_have_text(["B0SAFET002", "2", "Return accepted outside the return window", "—"])


def test_reports_page_downloads_a_csv_of_the_claims(page: Page, site):
    page.goto(site.url + "/safet-claims")
    page.get_by_role("link", name="Download SAFE-T report").click()
    expect(page.get_by_role("heading", name="SAFE-T reports")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download SAFE-T report").click()
    text = Path(download.value.path()).read_text(encoding="utf-8")
    assert text.splitlines()[0] == "SAFE-T claim ID,Order ID,Claim date,Status,Reimbursement amount,Amazon comment"
    assert f"{GRANTED},113-2000003-0000003," in text and ",Granted,24.99," in text


# --- claim pages and decisions ---------------------------------------------------------------------------


def test_claim_page_shows_every_field_of_a_seeded_claim(page: Page, site):
    page.goto(site.url + f"/safet-claims/claim/{AWAITING}")
    expected = {
        "SAFE-T claim ID": AWAITING,
        "Order ID": "113-2000002-0000002",
        "Claim date": shown(date.today() - timedelta(days=6)),
        "Claim status": "Awaiting seller response",
        "Reimbursement amount": "—",
        "Amazon comment": "Please send a photo of the shipping label on the returned package.",
        "Reply by": shown(date.today() + timedelta(days=2)),
        "Appeal by": "—",
    }
    for name, value in expected.items():
        expect(detail(page, name)).to_have_text(value)
    expect(page.get_by_role("button", name="Reply")).to_be_visible()
    expect(page.get_by_role("button", name="Appeal")).to_have_count(0)  # not decided


@pytest.mark.parametrize(
    ("status", "amount", "comment", "shown_amount", "reply_by", "appeal_by"),
    [
        ("Granted", 31.2, "We reimbursed the item.", "$31.20", None, 7),
        ("Denied", None, "The return was in resellable condition.", "—", None, 7),
        ("Awaiting seller response", None, "Send the carrier's delivery proof.", "—", 3, None),
    ],
)
def test_a_decision_shows_on_the_claim_page(
    page: Page, site, status, amount, comment, shown_amount, reply_by, appeal_by
):
    page.goto(site.url + f"/safet-claims/claim/{UNDER_INVESTIGATION}")
    expect(detail(page, "Claim status")).to_have_text("Under investigation")
    site.decide(UNDER_INVESTIGATION, status, amount, comment)
    page.reload()
    expect(detail(page, "Claim status")).to_have_text(status)
    expect(detail(page, "Reimbursement amount")).to_have_text(shown_amount)
    expect(detail(page, "Amazon comment")).to_have_text(comment)
    expect(detail(page, "Reply by")).to_have_text(shown(date.today() + timedelta(days=reply_by)) if reply_by else "—")
    expect(detail(page, "Appeal by")).to_have_text(
        shown(date.today() + timedelta(days=appeal_by)) if appeal_by else "—"
    )
    expect(page.get_by_role("button", name="Appeal")).to_have_count(1 if appeal_by else 0)
    page.goto(site.url + "/safet-claims")
    expect(data_rows(page).filter(has_text=UNDER_INVESTIGATION).get_by_role("cell")).to_have_text(
        [UNDER_INVESTIGATION, "113-2000001-0000001", shown(date.today() - timedelta(days=2)), status, shown_amount]
    )


def test_reply_with_a_document_is_sent_and_answers_amazon(page: Page, site, tmp_path):
    photo = tmp_path / "label.png"
    photo.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x05" * 500)
    page.goto(site.url + f"/safet-claims/claim/{AWAITING}")
    page.get_by_role("button", name="Reply").click()
    send = page.get_by_role("button", name="Send")
    expect(send).to_be_disabled()
    page.get_by_role("textbox", name="Message").fill("Here is the label photo you asked for.")
    page.get_by_label("Upload supporting documents").set_input_files(str(photo))
    expect(page.get_by_role("list", name="Uploaded files")).to_contain_text("label.png")
    send.click()
    expect(page.get_by_role("list", name="Messages")).to_contain_text("Here is the label photo you asked for.")
    expect(detail(page, "Claim status")).to_have_text("Under investigation")
    expect(detail(page, "Reply by")).to_have_text("—")
    claim = next(c for c in site.claims() if c["claim_id"] == AWAITING)
    assert claim["messages"][0]["kind"] == "reply"
    assert claim["messages"][0]["attachments"] == [
        {"name": "label.png", "size": photo.stat().st_size, "sha256": hashlib.sha256(photo.read_bytes()).hexdigest()}
    ]


def test_a_decision_can_be_appealed_once(page: Page, site):
    page.goto(site.url + f"/safet-claims/claim/{DENIED}")
    expect(detail(page, "Appeal by")).to_have_text(shown(date.today() + timedelta(days=3)))
    page.get_by_role("button", name="Appeal").click()
    expect(page.get_by_role("heading", name="Appeal the decision")).to_be_visible()
    page.get_by_role("textbox", name="Message").fill("New photos show the stain was not there when shipped.")
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_role("list", name="Messages")).to_contain_text("New photos show the stain")
    expect(detail(page, "Claim status")).to_have_text("Under investigation")
    expect(page.get_by_role("button", name="Appeal")).to_have_count(0)
    site.decide(DENIED, "Denied", comment="Still denied.")
    page.reload()
    expect(detail(page, "Claim status")).to_have_text("Denied")
    expect(page.get_by_role("button", name="Appeal")).to_have_count(0)  # once only
    assert [m["kind"] for m in next(c for c in site.claims() if c["claim_id"] == DENIED)["messages"]] == ["appeal"]


def test_no_appeal_after_the_appeal_window(page: Page, site):
    page.goto(site.url + f"/safet-claims/claim/{GRANTED_LONG_AGO}")
    expect(detail(page, "Appeal by")).to_have_text(shown(date.today() - timedelta(days=26)))
    expect(page.get_by_role("button", name="Reply")).to_be_visible()
    expect(page.get_by_role("button", name="Appeal")).to_have_count(0)


def test_an_unknown_claim_is_a_404_page(page: Page, site):
    response = page.goto(site.url + "/safet-claims/claim/00000-00000-0000000")
    assert response.status == 404
    expect(page.get_by_text("We could not find this SAFE-T claim.")).to_be_visible()


# --- sign-in, CAPTCHA, restriction, errors, announcement -------------------------------------------------


@pytest.fixture(scope="module")
def signin_site():
    with MockSellerCentral(auto_signin=False) as site:
        yield site


def test_every_page_needs_sign_in_and_a_one_time_code_first(page: Page, signin_site):
    signin_site.reset()
    page.goto(signin_site.url + "/safet-claims?status=Granted")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_have_text("Enter your email or mobile phone number")
    page.get_by_role("textbox", name="Email or mobile phone number").fill("seller@example.com")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_have_text("Enter your password")
    expect(page.get_by_role("textbox", name="Email or mobile phone number")).to_have_value("seller@example.com")
    page.get_by_label("Password").fill("secret")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Two-Step Verification")).to_be_visible()
    page.get_by_role("textbox", name="Enter OTP").fill("12345")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_have_text("The code you entered is not valid. Enter the 6-digit code.")
    page.get_by_role("textbox", name="Enter OTP").fill("123456")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("tab", name="Granted")).to_have_attribute("aria-selected", "true")
    expect(data_rows(page)).to_have_count(2)
    assert page.url == signin_site.url + "/safet-claims?status=Granted"


def test_captcha_page_until_the_characters_are_typed(page: Page, site):
    site.set_faults(captcha_after=0)
    page.goto(site.url + "/safet-claims")
    expect(page.get_by_role("heading", name="Solve this puzzle to protect your account")).to_be_visible()
    page.get_by_role("textbox", name="Type characters").fill("nope")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("alert")).to_have_text("The characters you entered did not match. Try again.")
    characters = page.get_by_text(re.compile(r"^[A-Z0-9]{6}$")).inner_text()
    page.get_by_role("textbox", name="Type characters").fill(characters)
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="SAFE-T claims", level=1)).to_be_visible()
    expect(data_rows(page)).to_have_count(5)


def test_captcha_mid_page_sends_the_browser_there_from_the_api(page: Page, site):
    page.goto(site.url + "/safet-claims")
    expect(data_rows(page)).to_have_count(5)
    site.set_faults(captcha_after=0)
    page.get_by_role("tab", name="Denied").click()
    expect(page.get_by_role("heading", name="Solve this puzzle to protect your account")).to_be_visible()
    assert "/ap/cvf?return_to=" in page.url


def test_restricted_automation_is_a_403_page_with_a_clear_heading(page: Page, site):
    site.set_faults(restrict_automation=True)
    for path in ("/safet-claims", "/safet-claims/create-v2", f"/safet-claims/claim/{GRANTED}"):
        response = page.goto(site.url + path)
        assert response.status == 403
        expect(page.get_by_role("heading", name="Automated access restricted")).to_be_visible()


def test_a_failing_page_shows_the_error_page(page: Page, site):
    site.set_faults(fail_rate=1, fail_paths=["/safet-claims"])
    response = page.goto(site.url + "/safet-claims")
    assert response.status == 500
    expect(page.get_by_role("heading", name="Sorry! Something went wrong on our end.")).to_be_visible()


def test_a_failing_search_shows_an_alert_on_the_dashboard(page: Page, site):
    site.set_faults(fail_rate=1, fail_paths=["/safet-claims/api/search"])
    page.goto(site.url + "/safet-claims")
    expect(page.get_by_role("alert")).to_have_text(
        "Sorry! Something went wrong on our end. Please try again in a few minutes."
    )


def test_the_announcement_covers_the_page_until_closed(page: Page, site):
    site.set_faults(announcement=True)
    page.goto(site.url + "/safet-claims")
    dialog = page.get_by_role("dialog", name="Announcement")
    expect(dialog).to_be_visible(timeout=5000)
    with pytest.raises(PlaywrightTimeout):
        page.get_by_role("link", name="File a new SAFE-T claim").click(timeout=1000)
    expect(page.get_by_role("heading", name="SAFE-T claims", level=1)).to_be_visible()  # still here
    dialog.get_by_role("button", name="Close").click()
    expect(dialog).to_have_count(0)
    page.get_by_role("link", name="File a new SAFE-T claim").click()
    expect(page.get_by_role("heading", name="Identify the order")).to_be_visible()
