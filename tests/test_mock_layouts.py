"""The mock's layout switches: each layout, and all at once, files the same claim as the default layout.

A person's walk through the wizard in real Chromium, by role and accessible name only, told which layout it is
on (the flows must find that out from the page; this is the mock's own test). What reached the site is checked
at /__fixture__/submissions, field by field, against the one record every layout must produce.
"""

from __future__ import annotations

import hashlib
import json
import re
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass

import pytest
from playwright.sync_api import Locator, Page, expect

from safet_filer.fixtures.layouts import CHOICES, DEFAULT_NOTICE
from safet_filer.fixtures.server import MockSellerCentral

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF" + b"\x11" * 300
PDF = b"%PDF-1.4\n" + b"\x44" * 300
SELLER_FULFILLED = "Seller fulfilled (Easy Ship, Self Ship, Seller Flex)"


@dataclass
class Item:
    asin: str
    quantity: int
    reason: str  # visible text
    code: str
    sub_reason: str | None = None
    sub_code: str | None = None


# Three items of order 3: a photo, a tracking ID and a sub-reason, all in one claim.
ORDER = "113-1000003-0000003"
ITEMS = [
    Item("B0SAFET031", 2, "Item returned damaged or used", "ADMGD"),
    Item("B0SAFET032", 1, "Refunded after a replacement was sent", "REPRF"),
    Item("B0SAFET033", 3, "Refunded, item not returned", "RNOTR", "No carrier scan of the return", "RNOTR-a"),
]
DESCRIPTION = "The board came back split, a replacement was sent and refunded, and the stones never came back."
TRACKING = "9400111899223344556677"

# Every switch at each of its values other than the default, and all at once.
LAYOUTS = {
    "default": {},
    **{f"{key}={value}": {key: value} for key, values in CHOICES.items() for value in values[1:]},
    "site_notice": {"site_notice": True},
    "labels": {"labels": {"Check eligibility": "Check Eligibility", "Next": "Continue"}},
    "all": {"all": True},
}


@pytest.fixture
def site(quick_mock_site):
    """The mock answering eligibility at once, back to the default layout before and after each test."""
    return quick_mock_site


@pytest.fixture
def files(tmp_path):
    photo, invoice = tmp_path / "front.jpg", tmp_path / "invoice.pdf"
    photo.write_bytes(JPEG)
    invoice.write_bytes(PDF)
    return [photo, invoice]


# --- a person's walk through the wizard, on a layout they know ----------------------------------------------


class Walk:
    """One claim through the mock's wizard under `layout` (the site's answer to GET /__fixture__/layout)."""

    def __init__(self, page: Page, layout: dict):
        self.page = page
        self.layout = layout

    def word(self, text: str) -> str:
        return self.layout["labels"].get(text, text)

    def button(self, name: str) -> Locator:
        return self.page.get_by_role("button", name=self.word(name), exact=True)

    def next(self) -> None:
        expect(self.button("Next")).to_be_enabled()
        self.button("Next").click()

    def row(self, asin: str) -> Locator:
        role = "listitem" if self.layout["item_rows"] == "list" else "row"
        return self.page.get_by_role(role).filter(has_text=asin)

    def choose(self, scope: Locator, name: str, option: str) -> None:
        box = scope.get_by_role("combobox", name=name, exact=True)
        if self.layout["controls"] == "native":
            box.select_option(label=option)
        else:
            box.click()
            self.page.get_by_role("option", name=option, exact=True).click()
            expect(box).to_contain_text(option)

    def row_controls(self, asin: str) -> tuple[Locator, Locator]:
        row = self.row(asin)
        if self.layout["row_names"] == "unnamed":  # known only by the row's text
            expect(row.get_by_role("checkbox", name="Include item")).to_have_count(0)
            expect(row.get_by_role("spinbutton", name="Quantity")).to_have_count(0)
            return row.get_by_role("checkbox"), row.get_by_role("spinbutton")
        return row.get_by_role("checkbox", name="Include item"), row.get_by_role("spinbutton", name="Quantity")

    def channel(self) -> None:
        if self.layout["channel_step"] == "none":
            return
        expect(self.button("Next")).to_be_disabled()
        if self.layout["channel_step"] == "radios":
            group = self.page.get_by_role("radiogroup", name="Fulfillment channel")
            group.get_by_role("radio", name="Fee related disputes").check()
            expect(self.page.get_by_role("alert").filter(has_text="not SAFE-T claims")).to_be_visible()
            expect(self.button("Next")).to_be_disabled()
            group.get_by_role("radio", name=SELLER_FULFILLED).check()
        else:
            self.choose(self.page, "Fulfillment channel", "Fee related disputes")
            expect(self.page.get_by_role("alert").filter(has_text="not SAFE-T claims")).to_be_visible()
            expect(self.button("Next")).to_be_disabled()
            self.choose(self.page, "Fulfillment channel", SELLER_FULFILLED)
        expect(self.page.get_by_role("alert").filter(has_text="not SAFE-T claims")).to_have_count(0)
        self.next()

    def order(self, order_id: str) -> None:
        self.page.get_by_role("textbox", name="Order ID").fill(order_id)
        self.button("Check eligibility").click()
        if self.layout["items_step"] == "next":  # eligible is only a status; the rows come after Next
            expect(self.page.get_by_role("status")).to_have_text("This order is eligible for a SAFE-T claim.")
            expect(self.row(ITEMS[0].asin)).to_have_count(0)
            self.next()
        expect(self.row(ITEMS[0].asin)).to_be_visible()

    def items(self, items: list[Item]) -> None:
        for item in items:
            box, quantity = self.row_controls(item.asin)
            box.check()
            quantity.fill(str(item.quantity))
            if self.layout["reason_step"] == "items":
                self.reason(item)
        self.next()

    def reason(self, item: Item) -> None:
        self.choose(self.row(item.asin), "Claim reason", item.reason)
        if item.sub_reason:
            self.choose(self.row(item.asin), "Claim sub-reason", item.sub_reason)

    def reasons(self, items: list[Item]) -> None:
        if self.layout["reason_step"] == "own":
            for item in items:
                self.reason(item)
            self.next()

    def evidence(self, paths, description: str, tracking: str) -> None:
        upload = self.page.get_by_label("Upload supporting documents")
        upload.set_input_files([str(p) for p in paths])
        for path in paths:
            self.page.get_by_role("list", name="Uploaded files").get_by_text(path.name, exact=True).wait_for()
        if self.layout["evidence_step"] == "two":
            expect(self.page.get_by_role("textbox", name="Description")).to_have_count(0)
            self.next()
            expect(upload).to_have_count(0)
        self.page.get_by_role("textbox", name="Description").fill(description)
        self.page.get_by_role("textbox", name="Tracking ID").fill(tracking)
        self.next()

    def review(self, order_id: str, items: list[Item], description: str, tracking: str, paths) -> None:
        summary = [order_id, description, tracking, ", ".join(p.name for p in paths)]
        if self.layout["review_summary"] == "list":
            region = self.page.get_by_role("region", name="Claim summary")
            expect(region.get_by_role("term")).to_have_text(
                ["Order ID", "Description", "Tracking ID", "Supporting documents"]
            )
            expect(region.get_by_role("definition")).to_have_text(summary)
            entries = self.page.get_by_role("region", name="Claim items").get_by_role("listitem")
            for item in items:
                expect(entries.filter(has_text=item.asin).get_by_role("definition")).to_have_text(
                    [item.asin, str(item.quantity), item.reason, item.sub_reason or "—"]
                )
        else:
            table = self.page.get_by_role("table", name="Claim summary")
            for name, value in zip(
                ["Order ID", "Description", "Tracking ID", "Supporting documents"], summary, strict=True
            ):
                expect(table.get_by_role("row", name=name).get_by_role("cell")).to_have_text(value)
            rows = self.page.get_by_role("table", name="Claim items").get_by_role("row")
            for item in items:
                expect(rows.filter(has_text=item.asin).get_by_role("cell")).to_have_text(
                    [item.asin, str(item.quantity), item.reason, item.sub_reason or "—"]
                )

    def submit(self) -> str:
        submit = self.page.get_by_role("button", name="Submit SAFE-T claim")
        expect(submit).to_be_disabled()
        self.page.get_by_role("checkbox", name="I have read and agree to the SAFE-T claim policy").check()
        submit.click()
        self.page.get_by_role("heading", name="SAFE-T claim submitted").wait_for()
        text = self.page.get_by_text("SAFE-T claim ID:").inner_text()
        return re.search(r"\d{5}-\d{5}-\d{7}", text).group(0)

    def file(self, site, paths) -> str:
        self.page.goto(site.url + "/safet-claims/create-v2")
        self.channel()
        self.order(ORDER)
        self.items(ITEMS)
        self.reasons(ITEMS)
        self.evidence(paths, DESCRIPTION, TRACKING)
        self.review(ORDER, ITEMS, DESCRIPTION, TRACKING, paths)
        return self.submit()


def expected_record(paths) -> dict:
    """What the site records of the claim, under every layout."""
    return {
        "order_id": ORDER,
        "items": [{"asin": i.asin, "quantity": i.quantity, "reason": i.code, "sub_reason": i.sub_code} for i in ITEMS],
        "description": DESCRIPTION,
        "tracking_id": TRACKING,
        "attachments": [
            {"name": p.name, "size": p.stat().st_size, "sha256": hashlib.sha256(p.read_bytes()).hexdigest()}
            for p in paths
        ],
    }


# --- every layout files the same claim ------------------------------------------------------------------------


@pytest.mark.e2e
@pytest.mark.parametrize("name", list(LAYOUTS))
def test_each_layout_files_the_same_claim_as_the_default(page: Page, site, files, name):
    layout = site.set_layout(**LAYOUTS[name])
    claim_id = Walk(page, layout).file(site, files)
    [record] = site.submissions()
    assert record["claim_id"] == claim_id
    assert {key: record[key] for key in expected_record(files)} == expected_record(files)


# --- what each switch changes, as a person sees it -------------------------------------------------------------


def open_items(page: Page, site, order_id: str, **layout) -> Walk:
    walk = Walk(page, site.set_layout(**layout))
    page.goto(site.url + "/safet-claims/create-v2")
    walk.channel()
    page.get_by_role("textbox", name="Order ID").fill(order_id)
    walk.button("Check eligibility").click()
    if walk.layout["items_step"] == "next":
        walk.next()
    return walk


@pytest.mark.e2e
@pytest.mark.parametrize("claimable", CHOICES["claimable"])
def test_claimable_units_show_as_the_layout_says_and_always_cap_the_quantity_box(page: Page, site, claimable):
    walk = open_items(page, site, "113-1000004-0000004", claimable=claimable)  # 041: 3 refunded, 1 claimed
    cells = {
        "columns": ["B0SAFET041", "LED desk lamp with USB port", "3", "1", "Include item", "Quantity"],
        "up_to": ["B0SAFET041", "LED desk lamp with USB port", "up to 2", "Include item", "Quantity"],
        "max_only": ["B0SAFET041", "LED desk lamp with USB port", "Include item", "Quantity"],
    }[claimable]
    expect(walk.row("B0SAFET041").get_by_role("cell")).to_have_text(cells)
    box, quantity = walk.row_controls("B0SAFET041")
    expect(quantity).to_have_attribute("max", "2")
    expect(walk.row_controls("B0SAFET042")[0]).to_be_disabled()  # nothing left to claim
    box.check()
    quantity.fill("3")
    expect(walk.button("Next")).to_be_disabled()
    quantity.fill("2")
    expect(walk.button("Next")).to_be_enabled()


@pytest.mark.e2e
def test_items_on_the_next_step_a_refusal_is_an_alert_on_the_order_step(page: Page, site):
    walk = Walk(page, site.set_layout(items_step="next"))
    page.goto(site.url + "/safet-claims/create-v2")
    page.get_by_role("textbox", name="Order ID").fill("113-3000001-0000001")
    walk.button("Check eligibility").click()
    expect(page.get_by_role("alert")).to_have_text(
        "This order is not eligible for a SAFE-T claim: the order was fulfilled by Amazon (FBA)"
    )
    expect(walk.button("Next")).to_be_disabled()
    page.get_by_role("textbox", name="Order ID").fill("113-1000001-0000001")  # a changed box asks again
    expect(page.get_by_role("alert")).to_have_count(0)
    walk.button("Check eligibility").click()
    expect(page.get_by_role("status")).to_have_text("This order is eligible for a SAFE-T claim.")
    walk.next()
    expect(walk.row("B0SAFET001")).to_be_visible()
    walk.button("Back").click()  # the answer is still shown on the way back
    expect(page.get_by_role("status")).to_have_text("This order is eligible for a SAFE-T claim.")
    expect(walk.button("Next")).to_be_enabled()


@pytest.mark.e2e
def test_native_controls_take_values_set_from_script(page: Page, site):
    """Unlike the KAT elements, plain controls accept what a script sets (select_option, a dispatched change)."""
    walk = open_items(page, site, "113-1000001-0000001", controls="native", reason_step="items")
    box, _ = walk.row_controls("B0SAFET001")
    box.evaluate("el => el.click()")
    expect(box).to_be_checked()
    walk.row("B0SAFET001").get_by_role("combobox", name="Claim reason").select_option(
        label="Return label charged to seller"
    )
    expect(walk.button("Next")).to_be_enabled()


@pytest.mark.e2e
def test_rows_as_a_grid_or_a_list_keep_their_name(page: Page, site):
    walk = open_items(page, site, "113-1000003-0000003", item_rows="grid")
    grid = page.get_by_role("grid", name="Refunded items")
    expect(grid.get_by_role("columnheader")).to_have_text(
        ["ASIN", "Title", "Refunded", "Already claimed", "Include", "Quantity"]
    )
    expect(grid.get_by_role("row")).to_have_count(4)
    walk = open_items(page, site, "113-1000003-0000003", item_rows="list")
    expect(page.get_by_role("list", name="Refunded items").get_by_role("listitem")).to_have_count(3)
    expect(walk.row("B0SAFET032")).to_contain_text("Refunded: 1")
    expect(page.get_by_role("table")).to_have_count(0)


@pytest.mark.e2e
def test_site_notice_is_an_alert_on_every_page(page: Page, site):
    site.set_layout(site_notice=True)
    notice = page.get_by_role("alert").filter(has_text=DEFAULT_NOTICE)
    for path in [
        "/safet-claims",
        "/safet-claims/create-v2",
        "/safet-claims/claim/31415-92653-5897932",
        "/safet-claims/reports",
    ]:
        page.goto(site.url + path)
        expect(notice).to_be_visible()
    page.goto(site.url + "/safet-claims/create-v2")
    page.get_by_role("textbox", name="Order ID").fill("113-9999999-9999999")
    page.get_by_role("button", name="Check eligibility").click()
    expect(page.get_by_role("alert")).to_have_count(2)  # the notice and the answer
    expect(page.get_by_role("alert").filter(has_text="We could not find this order ID")).to_be_visible()


@pytest.mark.e2e
def test_labels_rename_buttons_and_the_old_names_are_gone(page: Page, site):
    site.set_layout(labels={"Check eligibility": "Check Eligibility", "Next": "Continue", "Order ID": "Order number"})
    page.goto(site.url + "/safet-claims/create-v2")
    expect(page.get_by_role("button", name="Check eligibility", exact=True)).to_have_count(0)
    page.get_by_role("textbox", name="Order number").fill("113-1000001-0000001")
    page.get_by_role("button", name="Check Eligibility", exact=True).click()
    expect(page.get_by_role("button", name="Continue", exact=True)).to_be_disabled()
    expect(page.get_by_role("button", name="Next", exact=True)).to_have_count(0)


@pytest.mark.e2e
def test_without_step_headings_the_stepper_still_marks_the_step(page: Page, site):
    site.set_layout(step_headings="none", channel_step=True)
    page.goto(site.url + "/safet-claims/create-v2")
    expect(page.get_by_role("heading", level=2)).to_have_count(0)
    steps = page.get_by_role("list", name="Steps").get_by_role("listitem")
    expect(steps).to_have_text(
        [
            "Fulfillment channel",
            "Identify the order",
            "Select items",
            "Claim reason",
            "Evidence and description",
            "Review and submit",
        ]
    )
    expect(steps.first).to_have_attribute("aria-current", "step")


# --- the switch API -------------------------------------------------------------------------------------------


def call(site, method: str, path: str, body=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        site.url + path, data, {"Content-Type": "application/json"} if data else {}, method=method
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())


def test_layout_is_set_read_and_reset_through_the_test_api(site):
    status, default = call(site, "GET", "/__fixture__/layout")
    assert status == 200 and default["items_step"] == "same" and default["labels"] == {}
    status, layout = call(site, "POST", "/__fixture__/layout", {"items_step": "next", "site_notice": "Down at 2 AM"})
    assert status == 200 and layout["items_step"] == "next" and layout["site_notice"] == "Down at 2 AM"
    assert call(site, "GET", "/__fixture__/layout")[1] == layout
    with urllib.request.urlopen(site.url + "/safet-claims") as resp:
        assert 'role="alert">Down at 2 AM</div>' in resp.read().decode()
    status, layout = call(site, "POST", "/__fixture__/layout", {"controls": "native"})  # replaces, as faults do
    assert layout["controls"] == "native" and layout["items_step"] == "same" and layout["site_notice"] is None
    assert call(site, "POST", "/__fixture__/reset", {})[0] == 200
    assert call(site, "GET", "/__fixture__/layout")[1] == default


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ({"item_step": "next"}, "'item_step'"),
        ({"items_step": "later"}, "items_step must be one of 'same', 'next', not 'later'"),
        ({"labels": ["Next"]}, "labels must be an object"),
        ({"site_notice": 3}, "site_notice must be"),
        ("some", "a layout must be a JSON object"),
    ],
)
def test_a_bad_switch_is_refused_with_a_400_naming_it_and_changes_nothing(site, body, named):
    status, answer = call(site, "POST", "/__fixture__/layout", body)
    assert status == 400 and named in answer["error"]
    assert call(site, "GET", "/__fixture__/layout")[1]["items_step"] == "same"


def test_all_sets_every_switch_and_others_override_it(site):
    status, layout = call(site, "POST", "/__fixture__/layout", "all")
    assert status == 200
    assert all(layout[key] != values[0] for key, values in CHOICES.items())
    assert layout["site_notice"] == DEFAULT_NOTICE and layout["labels"] == {"Check eligibility": "Check Eligibility"}
    layout = site.set_layout(all=True, controls="custom")
    assert layout["controls"] == "custom" and layout["items_step"] == "next"
    with pytest.raises(ValueError, match="unknown layout switch 'colour'"):
        site.set_layout(colour="red")


def test_a_mock_started_with_a_layout_returns_to_it_on_reset():
    with MockSellerCentral(layout={"evidence_step": "two", "channel_step": True}) as site:
        assert site.layout()["channel_step"] == "combobox"
        site.set_layout(all=True)
        site.reset()
        assert site.layout()["evidence_step"] == "two" and site.layout()["controls"] == "custom"
    with pytest.raises(ValueError, match="unknown layout switch"):
        MockSellerCentral(layout={"steps": 3})


def test_the_submissions_api_is_the_same_whatever_the_layout(site):
    """The site's rules do not look at the layout: a claim posted straight to the API is refused or stored alike."""
    bad = {"order_id": "113-1000001-0000001", "items": [], "description": "x", "attachments": []}
    good = {
        "order_id": "113-1000001-0000001",
        "items": [{"asin": "B0SAFET001", "quantity": 1, "reason": "LBLOT", "sub_reason": None}],
        "description": "Label charged to us.",
        "tracking_id": None,
        "attachments": [],
        "policy_accepted": True,
    }
    answers = []
    for layout in ({}, {"all": True}):
        site.reset()
        site.set_layout(**layout)
        refused = call(site, "POST", "/safet-claims/api/claims", bad)
        call(site, "POST", "/safet-claims/api/claims", good)
        [record] = site.submissions()
        answers.append((refused, {k: v for k, v in record.items() if k not in ("claim_id", "received_at")}))
    assert answers[0] == answers[1]
    assert answers[0][0] == (422, {"error": "Select at least one item to claim."})


def test_fixture_serve_takes_layout_options_and_names_a_bad_one():
    command = [sys.executable, "-m", "safet_filer", "fixture", "serve", "--port", "0"]
    proc = subprocess.Popen(
        [*command, "--layout", "all", "--layout", "controls=custom", "--layout", 'labels={"Next": "Continue"}'],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        url = re.search(r"http://127\.0\.0\.1:\d+", proc.stdout.readline()).group(0)
        with urllib.request.urlopen(url + "/__fixture__/layout", timeout=10) as resp:
            layout = json.loads(resp.read())
        assert layout["controls"] == "custom" and layout["items_step"] == "next"
        assert layout["labels"] == {"Next": "Continue"}
    finally:
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=15)
    bad = subprocess.run([*command, "--layout", "rows=grid"], capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2
    assert "unknown layout switch 'rows'" in bad.stderr and "Traceback" not in bad.stderr
