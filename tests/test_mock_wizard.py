"""The mock's new-claim wizard, driven like a person would in real Chromium: by role, label and text only.

Every claim that goes through is checked at /__fixture__/submissions (what reached the site), not only on the page.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
import urllib.request

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.e2e

ONE_ITEM = "113-1000001-0000001"  # B0SAFET001, one unit
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF" + b"\x11" * 300
PNG = b"\x89PNG\r\n\x1a\n" + b"\x22" * 300
GIF = b"GIF89a" + b"\x33" * 300
PDF = b"%PDF-1.4\n" + b"\x44" * 300

REASONS = {  # code: (visible text, sub-reason text, needs a photo, needs a tracking ID)
    "ADMGD": ("Item returned damaged or used", None, True, False),
    "MSNG": ("Item returned with missing parts", None, True, False),
    "NOCOT": ("Different item returned", None, True, False),
    "RNOTR": ("Refunded, item not returned", "No carrier scan of the return", False, False),
    "LBLOT": ("Return label charged to seller", None, False, False),
    "RTOW": ("Return accepted outside the return window", None, False, False),
    "REPRF": ("Refunded after a replacement was sent", None, False, True),
    "DNOTR": ("Buyer says not received, carrier shows delivered", None, False, True),
    "RSTK": ("Restocking fee not applied", None, False, False),
}


@pytest.fixture
def site(quick_mock_site):
    return quick_mock_site


@pytest.fixture
def files(tmp_path):
    made = {}
    for name, data in [
        ("front.jpg", JPEG),
        ("label.png", PNG),
        ("box.gif", GIF),
        ("invoice.pdf", PDF),
        ("notes.txt", b"plain text"),
    ]:
        path = tmp_path / name
        path.write_bytes(data)
        made[name] = path
    return made


def sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def post(site, path: str, body) -> dict:
    req = urllib.request.Request(
        site.url + path, json.dumps(body).encode(), {"Content-Type": "application/json"}, method="POST"
    )
    with urllib.request.urlopen(req) as resp:
        return json.loads(resp.read())


# --- steps, as a person does them ----------------------------------------------------------------------


def open_wizard(page: Page, site) -> None:
    page.goto(site.url + "/safet-claims/create-v2")
    page.get_by_role("heading", name="Identify the order", level=2).wait_for()


def check_order(page: Page, order_id: str) -> None:
    page.get_by_role("textbox", name="Order ID").fill(order_id)
    page.get_by_role("button", name="Check eligibility").click()
    page.get_by_role("heading", name="Select items", level=2).wait_for()


def item_row(page: Page, asin: str):
    return page.get_by_role("row").filter(has_text=asin)


def include(page: Page, asin: str, quantity: int) -> None:
    row = item_row(page, asin)
    row.get_by_role("checkbox", name="Include item").check()
    row.get_by_role("spinbutton", name="Quantity").fill(str(quantity))


def choose(page: Page, asin: str, box: str, option: str) -> None:
    item_row(page, asin).get_by_role("combobox", name=box).click()
    page.get_by_role("option", name=option, exact=True).click()
    expect(item_row(page, asin).get_by_role("combobox", name=box)).to_have_text(re.compile(re.escape(option)))


def next_step(page: Page, heading: str) -> None:
    page.get_by_role("button", name="Next").click()
    page.get_by_role("heading", name=heading, level=2).wait_for()


def upload(page: Page, *paths) -> None:
    page.get_by_label("Upload supporting documents").set_input_files([str(p) for p in paths])
    for path in paths:
        page.get_by_role("list", name="Uploaded files").get_by_text(path.name, exact=True).wait_for()


def submit(page: Page) -> str:
    submit_button = page.get_by_role("button", name="Submit SAFE-T claim")
    expect(submit_button).to_be_disabled()
    page.get_by_role("checkbox", name="I have read and agree to the SAFE-T claim policy").check()
    submit_button.click()
    page.get_by_role("heading", name="SAFE-T claim submitted").wait_for()
    claim_id = re.search(
        r"SAFE-T claim ID: (\d{5}-\d{5}-\d{7})", page.get_by_text("SAFE-T claim ID:").inner_text()
    ).group(1)
    assert page.url.endswith(f"/safet-claims/claim/{claim_id}")
    return claim_id


def summary_value(page: Page, row: str):
    return page.get_by_role("table", name="Claim summary").get_by_role("row", name=row).get_by_role("cell")


# --- a full claim for each reason --------------------------------------------------------------------------


@pytest.mark.parametrize("code", list(REASONS))
def test_full_claim_for_each_reason_reaches_the_site(page: Page, site, files, code):
    text, sub_text, needs_photo, needs_tracking = REASONS[code]
    open_wizard(page, site)
    check_order(page, ONE_ITEM)
    include(page, "B0SAFET001", 1)
    next_step(page, "Claim reason")
    choose(page, "B0SAFET001", "Claim reason", text)
    if sub_text:
        expect(page.get_by_role("button", name="Next")).to_be_disabled()
        choose(page, "B0SAFET001", "Claim sub-reason", sub_text)
    else:
        expect(page.get_by_role("combobox", name="Claim sub-reason")).to_have_count(0)
    next_step(page, "Evidence and description")

    description = f"Claim for {text.lower()}: the details a person would write."
    page.get_by_role("textbox", name="Description").fill(description)
    evidence = [files["front.jpg"], files["label.png"]] if needs_photo else [files["invoice.pdf"]]
    if needs_photo:
        expect(page.get_by_role("button", name="Next")).to_be_disabled()  # no photo yet
    upload(page, *evidence)
    tracking = None
    if needs_tracking:
        expect(page.get_by_role("button", name="Next")).to_be_disabled()
        tracking = "9400111899223344556677"
        page.get_by_role("textbox", name="Tracking ID").fill(tracking)
    else:
        expect(page.get_by_role("textbox", name="Tracking ID")).to_have_count(0)
    next_step(page, "Review and submit")

    expect(summary_value(page, "Order ID")).to_have_text(ONE_ITEM)
    expect(summary_value(page, "Description")).to_have_text(description)
    expect(summary_value(page, "Tracking ID")).to_have_text(tracking or "—")
    expect(summary_value(page, "Supporting documents")).to_have_text(", ".join(p.name for p in evidence))
    review_row = page.get_by_role("table", name="Claim items").get_by_role("row").filter(has_text="B0SAFET001")
    expect(review_row.get_by_role("cell")).to_have_text(["B0SAFET001", "1", text, sub_text or "—"])
    user_agent = page.evaluate("navigator.userAgent")
    claim_id = submit(page)

    [record] = site.submissions()
    assert record["claim_id"] == claim_id and record["order_id"] == ONE_ITEM
    assert record["items"] == [
        {"asin": "B0SAFET001", "quantity": 1, "reason": code, "sub_reason": "RNOTR-a" if sub_text else None}
    ]
    assert record["description"] == description
    assert record["tracking_id"] == tracking
    assert record["attachments"] == [{"name": p.name, "size": p.stat().st_size, "sha256": sha(p)} for p in evidence]
    assert record["user_agent"] == user_agent


def test_claim_for_two_of_three_items_with_their_own_quantities_and_reasons(page: Page, site, files):
    page.goto(site.url + "/safet-claims")
    page.get_by_role("link", name="File a new SAFE-T claim").click()
    expect(page.get_by_role("heading", name="Identify the order", level=2)).to_be_visible()
    expect(page.get_by_role("button", name="Check eligibility")).to_be_disabled()
    check_order(page, "113-1000003-0000003")
    table = page.get_by_role("table", name="Refunded items")
    expect(table.get_by_role("row")).to_have_count(4)
    expect(item_row(page, "B0SAFET032").get_by_role("cell")).to_have_text(
        ["B0SAFET032", "Chef's knife, 8 inch", "1", "0", "Include item", "Quantity"]
    )
    include(page, "B0SAFET031", 2)
    include(page, "B0SAFET033", 4)
    next_step(page, "Claim reason")
    expect(page.get_by_role("table", name="Claim reasons").get_by_role("row")).to_have_count(3)  # header + two included
    choose(page, "B0SAFET031", "Claim reason", "Item returned damaged or used")
    choose(page, "B0SAFET033", "Claim reason", "Refunded, item not returned")
    choose(page, "B0SAFET033", "Claim sub-reason", "No carrier scan of the return")
    next_step(page, "Evidence and description")
    upload(page, files["box.gif"])
    page.get_by_role("textbox", name="Description").fill("The board came back split; the stones never came back.")
    next_step(page, "Review and submit")
    submit(page)
    [record] = site.submissions()
    assert record["items"] == [
        {"asin": "B0SAFET031", "quantity": 2, "reason": "ADMGD", "sub_reason": None},
        {"asin": "B0SAFET033", "quantity": 4, "reason": "RNOTR", "sub_reason": "RNOTR-a"},
    ]


def test_quantity_is_capped_at_refunded_minus_already_claimed(page: Page, site):
    open_wizard(page, site)
    check_order(page, "113-1000004-0000004")
    expect(item_row(page, "B0SAFET042").get_by_role("checkbox", name="Include item")).to_be_disabled()
    expect(item_row(page, "B0SAFET041").get_by_role("cell")).to_have_text(
        ["B0SAFET041", "LED desk lamp with USB port", "3", "1", "Include item", "Quantity"]
    )
    quantity = item_row(page, "B0SAFET041").get_by_role("spinbutton", name="Quantity")
    expect(quantity).to_be_disabled()  # until the item is included
    item_row(page, "B0SAFET041").get_by_role("checkbox", name="Include item").check()
    expect(quantity).to_be_enabled()
    expect(quantity).to_have_value("1")
    expect(page.get_by_role("button", name="Next")).to_be_enabled()
    quantity.fill("3")
    expect(page.get_by_role("alert")).to_have_text("Enter a quantity from 1 to 2")
    expect(page.get_by_role("button", name="Next")).to_be_disabled()
    quantity.fill("0")
    expect(page.get_by_role("button", name="Next")).to_be_disabled()
    quantity.fill("2")
    expect(page.get_by_role("alert")).to_have_count(0)
    next_step(page, "Claim reason")
    choose(page, "B0SAFET041", "Claim reason", "Return label charged to seller")
    next_step(page, "Evidence and description")
    page.get_by_role("textbox", name="Description").fill("Label charged to us.")
    next_step(page, "Review and submit")
    submit(page)
    assert site.submissions()[0]["items"] == [
        {"asin": "B0SAFET041", "quantity": 2, "reason": "LBLOT", "sub_reason": None}
    ]


# --- eligibility outcomes ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("order_id", "message"),
    [
        (
            "113-3000001-0000001",
            "This order is not eligible for a SAFE-T claim: the order was fulfilled by Amazon (FBA)",
        ),
        ("113-3000002-0000002", "This order is not eligible for a SAFE-T claim: the refund was not issued by Amazon"),
        (
            "113-3000004-0000004",
            "This order is not eligible for a SAFE-T claim: an A-to-z Guarantee claim exists for this order",
        ),
        (
            "113-4000001-0000001",
            re.compile(r"^The SAFE-T claim window for this order closed on [A-Z][a-z]{2} \d{1,2}, \d{4}$"),
        ),
        ("113-5000001-0000001", "This order cannot be claimed yet"),
        ("113-9999999-9999999", "We could not find this order ID"),
    ],
)
def test_each_eligibility_outcome_shows_its_message_instead_of_items(page: Page, site, order_id, message):
    open_wizard(page, site)
    check_order(page, order_id)
    expect(page.get_by_role("alert")).to_have_text(message)
    expect(page.get_by_role("table", name="Refunded items")).to_have_count(0)
    expect(page.get_by_role("button", name="Next")).to_be_disabled()
    page.get_by_role("button", name="Back").click()
    expect(page.get_by_role("textbox", name="Order ID")).to_have_value(order_id)
    assert site.submissions() == []


def test_existing_claim_message_links_to_that_claim(page: Page, site):
    open_wizard(page, site)
    check_order(page, "113-2000003-0000003")
    expect(page.get_by_role("alert")).to_have_text("A SAFE-T claim already exists for this order: 16180-33988-7498948")
    page.get_by_role("alert").get_by_role("link", name="16180-33988-7498948").click()
    expect(page).to_have_url(re.compile(r"/safet-claims/claim/16180-33988-7498948$"))
    details = page.get_by_role("table", name="Claim details")
    expect(details.get_by_role("row", name="Order ID").get_by_role("cell")).to_have_text("113-2000003-0000003")


def test_checking_eligibility_shows_progress_while_the_server_thinks(page: Page, mock_site):
    site = mock_site  # the bundled scenario as it ships: 150-500 ms to answer, plus the latency
    site.set_faults(latency_ms=500)
    page.goto(site.url + "/safet-claims/create-v2")
    page.get_by_role("textbox", name="Order ID").fill(ONE_ITEM)
    page.get_by_role("button", name="Check eligibility").click()
    expect(page.get_by_role("status")).to_have_text("Checking eligibility…")
    expect(page.get_by_role("button", name="Check eligibility")).to_be_disabled()
    expect(page.get_by_role("heading", name="Select items")).to_be_visible()


def test_the_order_can_be_found_by_tracking_id(page: Page, site):
    open_wizard(page, site)
    radios = page.get_by_role("radiogroup", name="Identifier")
    expect(radios.get_by_role("radio", name="Order ID")).to_be_checked()
    radios.get_by_role("radio", name="Tracking ID").check()
    expect(page.get_by_role("textbox", name="Order ID")).to_have_count(0)
    page.get_by_role("textbox", name="Tracking ID").fill("1Z999AA10123456784")
    page.get_by_role("button", name="Check eligibility").click()
    expect(page.get_by_text(f"Order ID {ONE_ITEM}")).to_be_visible()
    expect(item_row(page, "B0SAFET001")).to_be_visible()


# --- trusted events only ---------------------------------------------------------------------------------

SCRIPT_TYPES = "(el, v) => { el.value = v; el.dispatchEvent(new Event('input', {bubbles: true, composed: true})); el.dispatchEvent(new Event('change', {bubbles: true})); }"


def test_values_set_from_script_do_not_enable_buttons_but_real_input_does(page: Page, site):
    open_wizard(page, site)
    order_box = page.get_by_role("textbox", name="Order ID")
    check = page.get_by_role("button", name="Check eligibility")
    order_box.evaluate(SCRIPT_TYPES, ONE_ITEM)
    expect(order_box).to_have_value(ONE_ITEM)
    expect(check).to_be_disabled()
    order_box.press("End")
    order_box.press("Backspace")
    order_box.press_sequentially("1")  # typing: real key events
    expect(check).to_be_enabled()
    check.click()
    expect(page.get_by_role("heading", name="Select items")).to_be_visible()

    include_box = item_row(page, "B0SAFET001").get_by_role("checkbox", name="Include item")
    include_box.evaluate("el => el.click()")
    include_box.dispatch_event("click")
    expect(include_box).not_to_be_checked()
    expect(page.get_by_role("button", name="Next")).to_be_disabled()
    include_box.check()
    expect(page.get_by_role("button", name="Next")).to_be_enabled()
    next_step(page, "Claim reason")

    reason = page.get_by_role("combobox", name="Claim reason")
    reason.click()
    page.get_by_role("option", name="Return label charged to seller").evaluate("el => el.click()")
    expect(reason).to_have_text(re.compile("Select a claim reason"))
    expect(page.get_by_role("button", name="Next")).to_be_disabled()
    reason.press("ArrowDown")  # keyboard: the open list moves down one, Enter chooses
    reason.press("Enter")
    expect(reason).to_have_text(re.compile("Item returned with missing parts"))
    choose(page, "B0SAFET001", "Claim reason", "Return label charged to seller")
    next_step(page, "Evidence and description")

    description = page.get_by_role("textbox", name="Description")
    description.evaluate(SCRIPT_TYPES, "Set by a script")
    expect(page.get_by_text("0 / 1000 characters")).to_be_visible()
    expect(page.get_by_role("button", name="Next")).to_be_disabled()
    description.fill("Typed by a person")
    expect(page.get_by_text("17 / 1000 characters")).to_be_visible()
    next_step(page, "Review and submit")

    policy = page.get_by_role("checkbox", name="I have read and agree to the SAFE-T claim policy")
    policy.evaluate("el => { el.checked = true; el.dispatchEvent(new Event('change', {bubbles: true})); }")
    expect(page.get_by_role("button", name="Submit SAFE-T claim")).to_be_disabled()
    policy.evaluate("el => el.click()")
    expect(page.get_by_role("button", name="Submit SAFE-T claim")).to_be_disabled()
    policy.press("Space")
    expect(policy).to_be_checked()
    expect(page.get_by_role("button", name="Submit SAFE-T claim")).to_be_enabled()
    page.get_by_role("button", name="Submit SAFE-T claim").click()
    expect(page.get_by_role("heading", name="SAFE-T claim submitted")).to_be_visible()
    assert site.submissions()[0]["description"] == "Typed by a person"
    assert site.submissions()[0]["items"][0]["reason"] == "LBLOT"


def test_set_input_files_with_paths_and_with_buffers_both_upload(page: Page, site, files):
    open_wizard(page, site)
    check_order(page, ONE_ITEM)
    include(page, "B0SAFET001", 1)
    next_step(page, "Claim reason")
    choose(page, "B0SAFET001", "Claim reason", "Item returned damaged or used")
    next_step(page, "Evidence and description")
    upload(page, files["front.jpg"])
    page.get_by_label("Upload supporting documents").set_input_files(
        files=[{"name": "made.png", "mimeType": "image/png", "buffer": PNG}]
    )
    expect(page.get_by_role("list", name="Uploaded files").get_by_role("listitem")).to_have_count(2)
    page.get_by_role("textbox", name="Description").fill("Two photos.")
    next_step(page, "Review and submit")
    submit(page)
    assert [a["sha256"] for a in site.submissions()[0]["attachments"]] == [
        sha(files["front.jpg"]),
        hashlib.sha256(PNG).hexdigest(),
    ]


# --- evidence rules in the page ---------------------------------------------------------------------------


def to_evidence(page: Page, site, reason: str) -> None:
    open_wizard(page, site)
    check_order(page, ONE_ITEM)
    include(page, "B0SAFET001", 1)
    next_step(page, "Claim reason")
    choose(page, "B0SAFET001", "Claim reason", reason)
    next_step(page, "Evidence and description")


def test_refused_files_show_an_alert_and_are_not_listed(page: Page, site, files, tmp_path):
    to_evidence(page, site, "Different item returned")
    page.get_by_role("textbox", name="Description").fill("Wrong item came back.")
    upload(page, files["invoice.pdf"])
    expect(page.get_by_role("button", name="Next")).to_be_disabled()  # a PDF is not a photo
    fake = tmp_path / "fake.jpg"
    fake.write_bytes(b"not really a jpeg")
    page.get_by_label("Upload supporting documents").set_input_files(str(fake))
    expect(page.get_by_role("alert")).to_have_text("fake.jpg is not a JPEG, PNG, GIF or PDF file.")
    page.get_by_label("Upload supporting documents").set_input_files(str(files["notes.txt"]))
    expect(page.get_by_role("alert")).to_have_text("notes.txt is not a JPEG, PNG, GIF or PDF file.")
    big = tmp_path / "big.jpg"
    big.write_bytes(JPEG[:4] + b"\0" * (10 * 1024 * 1024))
    page.get_by_label("Upload supporting documents").set_input_files(str(big))
    expect(page.get_by_role("alert")).to_have_text("big.jpg is larger than 10 MB.")
    expect(page.get_by_role("list", name="Uploaded files").get_by_role("listitem")).to_have_count(1)
    upload(page, files["front.jpg"])
    expect(page.get_by_role("button", name="Next")).to_be_enabled()
    page.get_by_role("button", name="Remove front.jpg").click()
    expect(page.get_by_role("list", name="Uploaded files").get_by_text("front.jpg")).to_have_count(0)
    expect(page.get_by_role("button", name="Next")).to_be_disabled()


def test_at_most_five_files(page: Page, site, tmp_path):
    to_evidence(page, site, "Item returned with missing parts")
    paths = []
    for i in range(6):
        path = tmp_path / f"photo{i}.jpg"
        path.write_bytes(JPEG + bytes([i]))
        paths.append(path)
    page.get_by_label("Upload supporting documents").set_input_files([str(p) for p in paths])
    expect(page.get_by_role("alert")).to_have_text("You can upload at most 5 files. photo5.jpg was not added.")
    expect(page.get_by_role("list", name="Uploaded files").get_by_role("listitem")).to_have_count(5)


def test_description_has_a_live_count_and_a_limit_of_1000(page: Page, site):
    to_evidence(page, site, "Restocking fee not applied")
    description = page.get_by_role("textbox", name="Description")
    expect(page.get_by_text("0 / 1000 characters")).to_be_visible()
    description.fill("Fee ✓")
    expect(page.get_by_text("5 / 1000 characters")).to_be_visible()
    expect(page.get_by_role("button", name="Next")).to_be_enabled()
    description.fill("x" * 1001)
    expect(page.get_by_text("1001 / 1000 characters")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("The description must be 1,000 characters or fewer")
    expect(page.get_by_role("button", name="Next")).to_be_disabled()
    description.fill("x" * 1000)
    expect(page.get_by_role("button", name="Next")).to_be_enabled()
    description.fill("   ")
    expect(page.get_by_role("button", name="Next")).to_be_disabled()


def test_back_keeps_what_was_entered_and_cancel_leaves_for_the_dashboard(page: Page, site, files):
    open_wizard(page, site)
    check_order(page, ONE_ITEM)
    include(page, "B0SAFET001", 1)
    next_step(page, "Claim reason")
    choose(page, "B0SAFET001", "Claim reason", "Refunded, item not returned")
    expect(page.get_by_role("button", name="Next")).to_be_disabled()  # the sub-reason is still missing
    choose(page, "B0SAFET001", "Claim sub-reason", "No carrier scan of the return")
    next_step(page, "Evidence and description")
    page.get_by_role("textbox", name="Description").fill("Kept across Back")
    upload(page, files["invoice.pdf"])
    page.get_by_role("button", name="Back").click()
    expect(page.get_by_role("combobox", name="Claim sub-reason")).to_have_text(
        re.compile("No carrier scan of the return")
    )
    page.get_by_role("button", name="Back").click()
    expect(item_row(page, "B0SAFET001").get_by_role("checkbox", name="Include item")).to_be_checked()
    next_step(page, "Claim reason")
    next_step(page, "Evidence and description")
    expect(page.get_by_role("textbox", name="Description")).to_have_value("Kept across Back")
    expect(page.get_by_role("list", name="Uploaded files")).to_contain_text("invoice.pdf")
    page.get_by_role("button", name="Cancel").click()
    expect(page.get_by_role("heading", name="SAFE-T claims", level=1)).to_be_visible()
    assert site.submissions() == []


# --- refusals and faults during the wizard ------------------------------------------------------------


def to_review(
    page: Page,
    site,
    description: str = "Returned with a dented lid.",
    order_id: str = ONE_ITEM,
    asin: str = "B0SAFET001",
    quantity: int = 1,
) -> None:
    open_wizard(page, site)
    check_order(page, order_id)
    include(page, asin, quantity)
    next_step(page, "Claim reason")
    choose(page, asin, "Claim reason", "Return accepted outside the return window")
    next_step(page, "Evidence and description")
    page.get_by_role("textbox", name="Description").fill(description)
    next_step(page, "Review and submit")
    page.get_by_role("checkbox", name="I have read and agree to the SAFE-T claim policy").check()


def test_a_refused_submit_shows_an_alert_and_stays_on_review(page: Page, site):
    to_review(page, site)
    post(site, "/__fixture__/faults", {"fail_rate": 1, "fail_paths": ["POST /safet-claims/api/claims"]})
    page.get_by_role("button", name="Submit SAFE-T claim").click()
    expect(page.get_by_role("alert")).to_have_text(
        "Sorry! Something went wrong on our end. Please try again in a few minutes."
    )
    expect(page.get_by_role("heading", name="Review and submit")).to_be_visible()
    assert site.submissions() == []
    site.set_faults()
    page.get_by_role("button", name="Submit SAFE-T claim").click()
    expect(page.get_by_role("heading", name="SAFE-T claim submitted")).to_be_visible()
    assert len(site.submissions()) == 1


def test_a_claim_filed_meanwhile_for_the_same_order_is_refused_on_submit(page: Page, site):
    to_review(page, site)
    first = post(
        site,
        "/safet-claims/api/claims",
        {
            "order_id": ONE_ITEM,
            "items": [{"asin": "B0SAFET001", "quantity": 1, "reason": "RSTK"}],
            "description": "filed elsewhere",
            "policy_accepted": True,
        },
    )
    page.get_by_role("button", name="Submit SAFE-T claim").click()
    expect(page.get_by_role("alert")).to_have_text(f"A SAFE-T claim already exists for this order: {first['claim_id']}")
    assert [s["claim_id"] for s in site.submissions()] == [first["claim_id"]]


@pytest.mark.parametrize("mode", ["description", "quantity"])
def test_tamper_review_shows_another_value_than_entered_while_the_submit_sends_what_was_entered(page: Page, site, mode):
    site.set_faults(tamper_review=mode)
    to_review(page, site, "Lid dented", order_id="113-1000002-0000002", asin="B0SAFET002", quantity=1)
    shown_description = summary_value(page, "Description").inner_text()
    shown_quantity = (
        page.get_by_role("table", name="Claim items")
        .get_by_role("row")
        .filter(has_text="B0SAFET002")
        .get_by_role("cell")
        .nth(1)
        .inner_text()
    )
    if mode == "description":
        assert shown_description != "Lid dented" and shown_quantity == "1"
    else:
        assert shown_description == "Lid dented" and shown_quantity == "2"
    page.get_by_role("button", name="Submit SAFE-T claim").click()
    expect(page.get_by_role("heading", name="SAFE-T claim submitted")).to_be_visible()
    [record] = site.submissions()
    assert record["description"] == "Lid dented" and record["items"][0]["quantity"] == 1


def test_drop_submit_response_leaves_the_page_waiting_with_the_claim_stored(page: Page, site):
    to_review(page, site)
    site.set_faults(drop_submit_response=True)
    page.get_by_role("button", name="Submit SAFE-T claim").click()
    expect(page.get_by_role("status")).to_have_text("Submitting your claim…")
    deadline = time.monotonic() + 5
    while not site.submissions() and time.monotonic() < deadline:
        page.wait_for_timeout(50)
    page.wait_for_timeout(500)  # and still no answer
    assert len(site.submissions()) == 1
    expect(page.get_by_role("heading", name="Review and submit")).to_be_visible()
    expect(page.get_by_role("button", name="Submit SAFE-T claim")).to_be_disabled()


def test_session_expiry_mid_wizard_signs_in_again_and_returns_to_the_wizard(page: Page, site):
    open_wizard(page, site)
    site.set_faults(expire_session_after=0)
    page.get_by_role("textbox", name="Order ID").fill(ONE_ITEM)
    page.get_by_role("button", name="Check eligibility").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    assert "/ap/signin?return_to=" in page.url
    page.get_by_role("textbox", name="Email or mobile phone number").fill("seller@example.com")
    page.get_by_label("Password").fill("not stored anywhere")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Two-Step Verification")).to_be_visible()
    page.get_by_role("textbox", name="Enter OTP").fill("123456")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Identify the order")).to_be_visible()
    assert page.url == site.url + "/safet-claims/create-v2"
    check_order(page, ONE_ITEM)  # and the session works again


def test_restriction_during_the_wizard_shows_the_403_page(page: Page, site):
    open_wizard(page, site)
    site.set_faults(restrict_automation=True)
    page.get_by_role("textbox", name="Order ID").fill(ONE_ITEM)
    page.get_by_role("button", name="Check eligibility").click()
    expect(page.get_by_role("heading", name="Automated access restricted")).to_be_visible()
