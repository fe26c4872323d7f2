"""The page objects on Seller Central pages built differently from the mock's.

The real site's markup is unknown here, so each test serves another plausible build of one page (native selects
instead of custom drop-downs, ARIA grids instead of tables, names from aria-label, a drop-down drawn at the end
of the page, a claim ID only in the address, a redirect to another host) and checks that the flows still find
everything by role and accessible name. Pages are served with Playwright routing on a made-up host: nothing
leaves the machine.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Page, Route, expect

from safet_filer.flows.dashboard import Dashboard
from safet_filer.flows.labels import labels_for
from safet_filer.flows.site import LeftSite, close_announcements
from safet_filer.flows.wizard import ItemsStep, OrderStep, ReasonStep, ResultPage, ReviewStep

pytestmark = pytest.mark.e2e

SITE = "https://sellercentral.variant.test"
LABELS = labels_for("en")
TIMEOUT_MS = 5000


def serve(page: Page, pages: dict[str, str]) -> None:
    """Answer requests to SITE from `pages` (path -> HTML); another host answers with a page of its own."""

    def answer(route: Route) -> None:
        path = urlsplit(route.request.url).path
        body = pages.get(path)
        if body is None:
            route.fulfill(status=404, body="not found")
        else:
            route.fulfill(status=200, content_type="text/html; charset=utf-8", body=body)

    page.route(f"{SITE}/**", answer)
    page.route(
        "https://elsewhere.variant.test/**",
        lambda r: r.fulfill(
            status=200,
            content_type="text/html; charset=utf-8",
            body="<label>Order ID <input></label><button>Check eligibility</button>",
        ),
    )


def page_at(page: Page, path: str, body: str) -> None:
    serve(page, {path: f"<!doctype html><html lang=en><body><main>{body}</main></body></html>"})
    page.goto(SITE + path)


def args(page: Page):
    return (page, LABELS, SITE, TIMEOUT_MS)


REASON_OPTIONS = "".join(f"<option value={code}>{text}</option>" for code, text in LABELS.reasons.items())


def test_reasons_chosen_from_native_selects(page: Page):
    page_at(
        page,
        "/safet-claims/create-v2",
        f"""
        <table aria-label="Claim reasons"><tr><th>ASIN</th><th>Reason</th></tr>
        <tr><td>B0TEST0001</td><td>
          <select aria-label="Claim reason" onchange="sub.hidden = this.value !== 'RNOTR'">
            <option value="">Choose</option>{REASON_OPTIONS}</select>
          <select id=sub aria-label="Claim sub-reason" hidden><option value="">Choose</option>
            <option value="RNOTR-a">No carrier scan of the return</option></select>
        </td></tr></table>""",
    )
    ReasonStep(*args(page)).choose("B0TEST0001", "Refunded, item not returned", "No carrier scan of the return")
    expect(page.get_by_role("combobox", name="Claim reason")).to_have_value("RNOTR")
    expect(page.get_by_role("combobox", name="Claim sub-reason")).to_have_value("RNOTR-a")


def test_reasons_chosen_from_a_listbox_drawn_at_the_end_of_the_page(page: Page):
    rows = "".join(
        f"""<tr><td>{asin}</td><td><button role=combobox aria-label="Claim reason" aria-expanded=false
            onclick="openList(this)">Choose a reason</button></td></tr>"""
        for asin in ("B0TEST0001", "B0TEST0002")
    )
    page_at(
        page,
        "/safet-claims/create-v2",
        f"""
        <table aria-label="Claim reasons"><tr><th>ASIN</th><th>Reason</th></tr>{rows}</table>
        <script>
        function openList(box) {{
          document.querySelectorAll('[role=listbox]').forEach(l => l.remove());
          const list = document.createElement('ul'); list.setAttribute('role', 'listbox');
          for (const text of {list(LABELS.reasons.values())!r}) {{
            const li = document.createElement('li'); li.setAttribute('role', 'option'); li.textContent = text;
            li.onclick = () => {{ box.textContent = text; list.remove(); }};
            list.append(li);
          }}
          document.body.append(list);  // drawn far from the row, as many component libraries do
        }}
        </script>""",
    )
    step = ReasonStep(*args(page))
    step.choose("B0TEST0002", "Return label charged to seller", None)
    step.choose("B0TEST0001", "Item returned damaged or used", None)
    boxes = page.get_by_role("combobox", name="Claim reason")
    expect(boxes.nth(0)).to_have_text("Item returned damaged or used")
    expect(boxes.nth(1)).to_have_text("Return label charged to seller")


ARIA_ITEMS = """
<div role=table aria-label="Refunded items">
  <div role=row><span role=columnheader>ASIN</span><span role=columnheader>Title</span>
    <span role=columnheader>Refunded</span><span role=columnheader>Already claimed</span>
    <span role=columnheader>Include</span><span role=columnheader>Quantity</span></div>
  <div role=row><span role=cell>B0TEST0001</span><span role=cell>Honey jar</span><span role=cell>3</span>
    <span role=cell>1</span><span role=cell><input type=checkbox aria-label="Include item" checked></span>
    <span role=cell><input type=number aria-label="Quantity" value=1 min=1 max=2></span></div>
  <div role=row><span role=cell>B0TEST0002</span><span role=cell>Lid</span><span role=cell>2</span>
    <span role=cell>0</span><span role=cell><input type=checkbox aria-label="Include item" checked></span>
    <span role=cell><input type=number aria-label="Quantity" value=1 min=1 max=2></span></div>
</div>"""


def test_items_in_an_aria_grid_are_read_and_selected(page: Page):
    page_at(
        page,
        "/safet-claims/create-v2",
        f"""
        <div role=radiogroup aria-label=Identifier><label><input type=radio name=id checked> Order ID</label></div>
        <label>Order ID <input name=order></label>
        <button onclick="document.querySelector('#answer').innerHTML = document.querySelector('#items').innerHTML">
          Check eligibility</button>
        <div id=answer></div><template id=items>{ARIA_ITEMS}</template>""",
    )
    order = OrderStep(*args(page))
    order.enter("113-1234567-1234567")
    eligibility = order.check_eligibility()
    assert eligibility.eligible
    assert [(i.asin, i.title, i.claimable) for i in eligibility.items] == [
        ("B0TEST0001", "Honey jar", 2),
        ("B0TEST0002", "Lid", 2),
    ]
    ItemsStep(*args(page)).select({"B0TEST0001": 2})
    row1, row2 = page.get_by_role("row").filter(has=page.get_by_role("cell")).all()
    expect(row1.get_by_role("checkbox", name="Include item")).to_be_checked()
    expect(row1.get_by_role("spinbutton", name="Quantity")).to_have_value("2")
    expect(row2.get_by_role("checkbox", name="Include item")).not_to_be_checked()  # it was ticked by the page


@pytest.mark.parametrize(
    ("answer", "outcome", "claim_id"),
    [
        (
            'A SAFE-T claim already exists for this order. <a href="/safet-claims/claim/12345-67890-1234567">'
            "12345-67890-1234567</a>",
            "claim_exists",
            "12345-67890-1234567",
        ),
        ("This order is not eligible for a SAFE-T claim: the order was fulfilled by Amazon.", "not_eligible", None),
        ("The SAFE-T claim window for this order closed on Oct 2, 2026.", "window_closed", None),
        ("this order cannot be claimed yet. Try again after Dec 1.", "too_early", None),
        ("We could not find this order ID.", "not_found", None),
    ],
)
def test_eligibility_answers_in_an_alert_of_any_shape(page: Page, answer, outcome, claim_id):
    page_at(
        page,
        "/safet-claims/create-v2",
        f"""
        <label>Order ID <input></label>
        <button onclick="setTimeout(() => msg.hidden = false, 400)">Check eligibility</button>
        <section id=msg role=alert hidden><h3>Notice</h3><p>{answer}</p></section>""",
    )
    order = OrderStep(*args(page))
    order.enter("113-1234567-1234567")
    eligibility = order.check_eligibility()
    assert (eligibility.outcome, eligibility.existing_claim_id) == (outcome, claim_id)


def test_review_read_from_aria_grids(page: Page):
    page_at(
        page,
        "/safet-claims/create-v2",
        """
        <div role=table aria-label="Claim summary">
          <div role=row><span role=rowheader>Order ID</span><span role=cell>113-1234567-1234567</span></div>
          <div role=row><span role=rowheader>Description</span><span role=cell>Cracked jar,
            lid missing.</span></div>
          <div role=row><span role=rowheader>Tracking ID</span><span role=cell>—</span></div>
          <div role=row><span role=rowheader>Supporting documents</span><span role=cell>jar.jpg, label.png</span></div>
        </div>
        <div role=table aria-label="Claim items">
          <div role=row><span role=columnheader>ASIN</span><span role=columnheader>Quantity</span>
            <span role=columnheader>Claim reason</span><span role=columnheader>Claim sub-reason</span></div>
          <div role=row><span role=cell>B0TEST0001</span><span role=cell>2</span>
            <span role=cell>Item returned damaged or used</span><span role=cell>—</span></div>
        </div>""",
    )
    review = ReviewStep(*args(page)).read()
    assert review.order_id == "113-1234567-1234567"
    assert " ".join(review.description.split()) == "Cracked jar, lid missing."
    assert review.documents == ["jar.jpg", "label.png"]
    assert [(i.asin, i.quantity, i.reason, i.sub_reason) for i in review.items] == [
        ("B0TEST0001", "2", "Item returned damaged or used", "—")
    ]


def test_the_claim_id_is_read_from_the_address_when_the_page_does_not_show_it(page: Page):
    serve(page, {"/safet-claims/claim/12345-67890-1234567": "<h1>SAFE-T claim submitted</h1><p>Thank you.</p>"})
    page.goto(f"{SITE}/safet-claims/claim/12345-67890-1234567")
    assert ResultPage(*args(page)).claim_id(TIMEOUT_MS) == "12345-67890-1234567"


def test_a_redirect_to_another_host_stops_the_flow_before_it_types(page: Page):
    # (Playwright's routing cannot answer with a redirect to another host, so the page itself sends the browser on.)
    serve(
        page, {"/safet-claims/create-v2": "<script>location.replace('https://elsewhere.variant.test/create')</script>"}
    )
    order = OrderStep(*args(page))
    with pytest.raises(LeftSite):
        order.open()
    with pytest.raises(LeftSite):
        order.enter("113-1234567-1234567")
    expect(page.get_by_role("textbox", name="Order ID")).to_have_value("")


def test_an_announcement_of_another_name_is_closed_before_the_flow_acts(page: Page):
    page_at(
        page,
        "/safet-claims/create-v2",
        """
        <label>Order ID <input></label>
        <button onclick="msg.hidden = false">Check eligibility</button>
        <p id=msg role=alert hidden>We could not find this order ID.</p>
        <div role=dialog aria-label="What's new in Seller Central" id=news hidden
             style="position:fixed;inset:0;background:#fffe">
          <p>New reports are available.</p><button onclick="news.remove(); closed = true">Close</button></div>
        <script>let closed = false; setTimeout(() => news.hidden = false, 100)</script>""",
    )
    close_announcements(page, LABELS)
    order = OrderStep(*args(page))
    # Wait (in the page, where the flows' handler does not act) until the announcement has come up, or gone.
    page.wait_for_function("document.querySelector('#news') === null || !news.hidden")
    order.enter("113-1234567-1234567")
    assert order.check_eligibility().outcome == "not_found"
    assert page.evaluate("closed"), "the announcement was closed with its Close button"


def test_a_dashboard_that_searches_on_the_server(page: Page):
    claims = [("31415-92653-5897932", "113-2000001-0000001"), ("27182-81828-4590452", "113-2000002-0000002")]

    def dashboard(query: str) -> str:
        rows = "".join(
            f"<tr><td><a href=/safet-claims/claim/{cid}>{cid}</a></td><td>{oid}</td><td>Nov 20, 2026</td>"
            f"<td>Under investigation</td><td>—</td></tr>"
            for cid, oid in claims
            if query in (cid + oid)
        )
        return f"""<!doctype html><html lang=en><body><form action=/safet-claims>
            <input type=search name=q aria-label="Search by Order ID, ASIN or SAFE-T claim ID" value="{query}">
            </form><table aria-label="SAFE-T claims"><tr><th>SAFE-T claim ID</th><th>Order ID</th><th>Claim date</th>
            <th>Status</th><th>Reimbursement</th></tr>{rows}</table>{"" if rows else "<p>No claims found</p>"}</body></html>"""

    def answer(route: Route) -> None:
        query = parse_qs(urlsplit(route.request.url).query).get("q", [""])[0]
        route.fulfill(status=200, content_type="text/html", body=dashboard(query))

    page.route(f"{SITE}/safet-claims*", answer)
    found = Dashboard(*args(page)).claims_for("113-2000002-0000002")
    assert [(c.claim_id, c.order_id, c.status) for c in found] == [
        ("27182-81828-4590452", "113-2000002-0000002", "Under investigation")
    ]
    assert Dashboard(*args(page)).claims_for("113-9999999-9999999") == []
