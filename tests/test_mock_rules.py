"""The mock Seller Central over plain HTTP: its server-side rules, the /__fixture__/ test API, faults, sign-in
and permissive mode. The browser tests (test_mock_wizard.py, test_mock_pages.py) drive the same site as a person.
"""

from __future__ import annotations

import hashlib
import json
import re
import socket
import threading
import time
import urllib.error
import urllib.request
from datetime import date, timedelta
from http.cookiejar import CookieJar
from urllib.parse import quote

import pytest

from safet_filer.fixtures.scenario import ScenarioError, made_up_asin
from safet_filer.fixtures.server import MockSellerCentral

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF" + b"\x01" * 200
PNG = b"\x89PNG\r\n\x1a\n" + b"\x02" * 200
GIF87 = b"GIF87a" + b"\x03" * 200
GIF89 = b"GIF89a" + b"\x03" * 200
PDF = b"%PDF-1.7\n" + b"\x04" * 200
TEXT = b"just some text pretending to be a photo"
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

ELIGIBLE = "113-1000001-0000001"  # one item B0SAFET001, one unit


def shown(d: date) -> str:
    return f"{MONTHS[d.month - 1]} {d.day}, {d.year}"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Client:
    """A browser-like HTTP client: keeps cookies, does not follow redirects, never raises on a status."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()), _NoRedirect)

    def request(self, method: str, path: str, body=None, headers=None, timeout: float = 10):
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
            headers = {"Content-Type": "application/json", **(headers or {})}
        req = urllib.request.Request(self.base + path, data=body, method=method, headers=headers or {})
        try:
            with self.opener.open(req, timeout=timeout) as resp:
                return resp.status, dict(resp.headers), resp.read()
        except urllib.error.HTTPError as err:
            return err.code, dict(err.headers), err.read()

    def json(self, method: str, path: str, body=None, **kw):
        status, _, raw = self.request(method, path, body, **kw)
        return status, json.loads(raw) if raw else None

    def form(self, path: str, fields: dict[str, str]):
        body = "&".join(f"{k}={quote(v)}" for k, v in fields.items()).encode()
        return self.request("POST", path, body, {"Content-Type": "application/x-www-form-urlencoded"})

    def upload(self, name: str, data: bytes):
        return self.json("POST", "/safet-claims/api/uploads", data, headers={"X-File-Name": quote(name)})


@pytest.fixture
def site(quick_mock_site):
    return quick_mock_site


@pytest.fixture
def client(site):
    return Client(site.url)


def upload_id(client: Client, name: str = "photo.jpg", data: bytes = JPEG) -> str:
    status, body = client.upload(name, data)
    assert status == 201, body
    return body["upload_id"]


def valid_claim(client: Client, **changes):
    body = {
        "order_id": ELIGIBLE,
        "items": [{"asin": "B0SAFET001", "quantity": 1, "reason": "ADMGD", "sub_reason": None}],
        "description": "The coffee dripper came back with a cracked base.",
        "tracking_id": None,
        "attachments": [upload_id(client)],
        "policy_accepted": True,
    }
    body.update(changes)
    return body


def eligibility(client: Client, value: str, identifier: str = "order_id"):
    status, body = client.json("POST", "/safet-claims/api/eligibility", {"identifier": identifier, "value": value})
    assert status == 200, body
    return body


# --- eligibility --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("order_id", "outcome", "message"),
    [
        ("113-1000001-0000001", "eligible", None),
        ("113-1000005-0000005", "eligible", None),  # window counts from the later return delivery
        ("113-1000006-0000006", "eligible", None),  # last day of the window
        ("113-2000001-0000001", "claim_exists", "A SAFE-T claim already exists for this order"),
        (
            "113-3000001-0000001",
            "not_eligible",
            "This order is not eligible for a SAFE-T claim: the order was fulfilled by Amazon (FBA)",
        ),
        (
            "113-3000002-0000002",
            "not_eligible",
            "This order is not eligible for a SAFE-T claim: the refund was not issued by Amazon",
        ),
        (
            "113-3000003-0000003",
            "not_eligible",
            "This order is not eligible for a SAFE-T claim: Amazon refunded the buyer automatically",
        ),
        (
            "113-3000004-0000004",
            "not_eligible",
            "This order is not eligible for a SAFE-T claim: an A-to-z Guarantee claim exists",
        ),
        ("113-3000005-0000005", "not_eligible", "This order is not eligible for a SAFE-T claim: a chargeback exists"),
        (
            "113-3000006-0000006",
            "not_eligible",
            "This order is not eligible for a SAFE-T claim: the order is not fully refunded",
        ),
        ("113-4000001-0000001", "window_closed", "The SAFE-T claim window for this order closed on "),
        ("113-5000001-0000001", "too_early", "This order cannot be claimed yet"),
        ("113-9999999-9999999", "not_found", "We could not find this order ID"),
        ("not-an-order", "not_found", "We could not find this order ID"),
    ],
)
def test_eligibility_outcome_of_each_seeded_order(client, order_id, outcome, message):
    answer = eligibility(client, order_id)
    assert answer["outcome"] == outcome
    if message:
        assert answer["message"].startswith(message)
        assert "order" not in answer
    else:
        assert answer["order"]["order_id"] == order_id and answer["order"]["items"]


def test_eligibility_is_answered_after_a_delay_plus_latency(mock_site):
    client = Client(mock_site.url)
    started = time.monotonic()
    eligibility(client, ELIGIBLE)
    assert time.monotonic() - started >= 0.15  # the bundled scenario's 150-500 ms
    mock_site.set_faults(latency_ms=300)
    started = time.monotonic()
    eligibility(client, ELIGIBLE)
    assert time.monotonic() - started >= 0.45


def test_claim_exists_answer_carries_the_existing_claim_id(client):
    assert eligibility(client, "113-2000001-0000001")["claim_id"] == "31415-92653-5897932"


def test_window_closed_names_the_closing_date_relative_to_today(client):
    closed = date.today() - timedelta(days=45) + timedelta(days=30)
    assert eligibility(client, "113-4000001-0000001")["message"].endswith(f"closed on {shown(closed)}")


def test_refund_date_is_relative_to_today(client):
    assert eligibility(client, "113-1000002-0000002")["order"]["refund_date"] == shown(date.today() - timedelta(days=6))


def test_items_show_refunded_already_claimed_and_what_is_left(client):
    items = {i["asin"]: i for i in eligibility(client, "113-1000004-0000004")["order"]["items"]}
    assert (
        items["B0SAFET041"]["refunded"],
        items["B0SAFET041"]["already_claimed"],
        items["B0SAFET041"]["claimable"],
    ) == (3, 1, 2)
    assert items["B0SAFET042"]["claimable"] == 0
    assert items["B0SAFET043"]["claimable"] == 2


@pytest.mark.parametrize(("identifier", "value"), [("tracking_id", "1Z999AA10123456784"), ("rma_id", "DkX9mQ2RRMA")])
def test_orders_are_found_by_tracking_id_and_rma_id(client, identifier, value):
    assert eligibility(client, value, identifier)["order"]["order_id"] == ELIGIBLE


# --- uploads ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("data", "kind"), [(JPEG, "JPEG"), (PNG, "PNG"), (GIF87, "GIF"), (GIF89, "GIF"), (PDF, "PDF")])
def test_upload_accepts_each_allowed_type_by_its_first_bytes(client, data, kind):
    status, body = client.upload("evidence.bin", data)  # the name's extension does not matter
    assert status == 201
    assert (body["type"], body["size"], body["name"]) == (kind, len(data), "evidence.bin")


@pytest.mark.parametrize(
    ("name", "data", "status", "message"),
    [
        ("photo.jpg", TEXT, 415, "photo.jpg is not a JPEG, PNG, GIF or PDF file."),
        ("empty.png", b"", 400, "empty.png is empty."),
        ("huge.jpg", JPEG[:4] + b"\0" * (10 * 1024 * 1024 - 3), 413, "huge.jpg is larger than 10 MB."),
    ],
)
def test_upload_refuses_wrong_type_empty_and_oversized_files(client, name, data, status, message):
    assert client.upload(name, data) == (status, {"error": message})


def test_upload_of_exactly_10_mb_is_accepted(client):
    status, body = client.upload("big.pdf", PDF[:5] + b"\0" * (10 * 1024 * 1024 - 5))
    assert status == 201 and body["size"] == 10 * 1024 * 1024


# --- submitting ---------------------------------------------------------------------------------------


def test_valid_claim_is_stored_with_a_5_5_7_claim_id_and_its_submission_record(site, client):
    attachment = upload_id(client, "crack.png", PNG)
    status, body = client.json(
        "POST",
        "/safet-claims/api/claims",
        valid_claim(client, attachments=[attachment]),
        headers={"User-Agent": "safet-filer/test"},
    )
    assert status == 201
    assert re.fullmatch(r"\d{5}-\d{5}-\d{7}", body["claim_id"])
    assert body["location"] == f"/safet-claims/claim/{body['claim_id']}"
    [record] = site.submissions()
    assert record["claim_id"] == body["claim_id"] and record["order_id"] == ELIGIBLE
    assert record["items"] == [{"asin": "B0SAFET001", "quantity": 1, "reason": "ADMGD", "sub_reason": None}]
    assert record["description"] == "The coffee dripper came back with a cracked base."
    assert record["tracking_id"] is None
    assert record["attachments"] == [{"name": "crack.png", "size": len(PNG), "sha256": hashlib.sha256(PNG).hexdigest()}]
    assert record["user_agent"] == "safet-filer/test"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", record["received_at"])
    status, listed = client.json("GET", "/__fixture__/submissions")
    assert listed == site.submissions()
    status, rows = client.json("GET", f"/safet-claims/api/search?q={body['claim_id']}")
    assert [r["status"] for r in rows["claims"]] == ["Under investigation"]


def test_one_claim_per_order_second_post_is_refused_with_the_first_claim_id(site, client):
    status, first = client.json("POST", "/safet-claims/api/claims", valid_claim(client))
    assert status == 201
    status, second = client.json("POST", "/safet-claims/api/claims", valid_claim(client))
    assert status == 409
    assert second == {
        "error": f"A SAFE-T claim already exists for this order: {first['claim_id']}",
        "claim_id": first["claim_id"],
    }
    assert eligibility(client, ELIGIBLE) == {
        "outcome": "claim_exists",
        "message": "A SAFE-T claim already exists for this order",
        "claim_id": first["claim_id"],
    }
    assert len(site.submissions()) == 1


def test_simultaneous_posts_for_one_order_store_exactly_one_claim(site, client):
    bodies = [valid_claim(client) for _ in range(8)]
    statuses = []

    def post(body):
        statuses.append(Client(site.url).json("POST", "/safet-claims/api/claims", body)[0])

    threads = [threading.Thread(target=post, args=(b,)) for b in bodies]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [201] + [409] * 7
    assert len(site.submissions()) == 1


def _rule_cases():
    item = {"asin": "B0SAFET001", "quantity": 1, "reason": "ADMGD", "sub_reason": None}
    return [
        ("no items", {"items": []}, "Select at least one item to claim."),
        (
            "unknown asin",
            {"items": [{**item, "asin": "B0NOTINORD"}]},
            f"ASIN B0NOTINORD is not part of order {ELIGIBLE}.",
        ),
        ("asin twice", {"items": [item, item]}, "ASIN B0SAFET001 is listed twice."),
        ("quantity 0", {"items": [{**item, "quantity": 0}]}, "Enter a quantity from 1 to 1 for ASIN B0SAFET001."),
        (
            "quantity over refunded",
            {"items": [{**item, "quantity": 2}]},
            "Enter a quantity from 1 to 1 for ASIN B0SAFET001.",
        ),
        (
            "quantity as text",
            {"items": [{**item, "quantity": "1"}]},
            "Enter a quantity from 1 to 1 for ASIN B0SAFET001.",
        ),
        ("unknown reason", {"items": [{**item, "reason": "NOPE"}]}, "Select a claim reason for ASIN B0SAFET001."),
        (
            "missing sub-reason",
            {"items": [{**item, "reason": "RNOTR"}], "attachments": []},
            "Select a claim sub-reason for ASIN B0SAFET001.",
        ),
        (
            "wrong sub-reason",
            {"items": [{**item, "reason": "RNOTR", "sub_reason": "RNOTR-z"}], "attachments": []},
            "Select a claim sub-reason for ASIN B0SAFET001.",
        ),
        (
            "sub-reason where none",
            {"items": [{**item, "sub_reason": "RNOTR-a"}]},
            "The claim reason Item returned damaged or used has no sub-reasons (ASIN B0SAFET001).",
        ),
        ("empty description", {"description": ""}, "Enter a description."),
        ("blank description", {"description": "   \n "}, "Enter a description."),
        (
            "description over 1000",
            {"description": "x" * 1001},
            "The description must be 1,000 characters or fewer (it has 1,001).",
        ),
        (
            "unknown attachment",
            {"attachments": ["not-an-upload"]},
            "A supporting document was not uploaded. Remove it and upload it again.",
        ),
        ("no policy", {"policy_accepted": False}, "Tick the box to agree to the SAFE-T claim policy."),
        (
            "tracking missing for REPRF",
            {"items": [{**item, "reason": "REPRF"}], "tracking_id": None},
            "Enter the tracking ID.",
        ),
        (
            "tracking blank for DNOTR",
            {"items": [{**item, "reason": "DNOTR"}], "tracking_id": "  "},
            "Enter the tracking ID.",
        ),
    ] + [
        (
            f"{code} without a photo",
            {"items": [{**item, "reason": code}], "attachments": []},
            f"Add at least one photo (JPEG, PNG or GIF) of the returned item for: {text}.",
        )
        for code, text in [
            ("ADMGD", "Item returned damaged or used"),
            ("MSNG", "Item returned with missing parts"),
            ("NOCOT", "Different item returned"),
        ]
    ]


@pytest.mark.parametrize(("case", "changes", "message"), _rule_cases(), ids=[c[0] for c in _rule_cases()])
def test_each_rule_refuses_a_bad_claim_and_stores_nothing(site, client, case, changes, message):
    status, body = client.json("POST", "/safet-claims/api/claims", valid_claim(client, **changes))
    assert 400 <= status < 500
    assert body["error"] == message
    assert site.submissions() == []
    assert eligibility(client, ELIGIBLE)["outcome"] == "eligible"


def test_a_pdf_alone_is_not_a_photo(site, client):
    status, body = client.json(
        "POST", "/safet-claims/api/claims", valid_claim(client, attachments=[upload_id(client, "invoice.pdf", PDF)])
    )
    assert status == 422 and body["error"].startswith("Add at least one photo")
    assert site.submissions() == []


def test_more_than_five_attachments_are_refused(client):
    ids = [upload_id(client, f"p{i}.jpg") for i in range(6)]
    status, body = client.json("POST", "/safet-claims/api/claims", valid_claim(client, attachments=ids))
    assert (status, body["error"]) == (422, "You can attach at most 5 files.")
    status, _ = client.json("POST", "/safet-claims/api/claims", valid_claim(client, attachments=ids[:5]))
    assert status == 201


@pytest.mark.parametrize(
    "order_id",
    ["113-3000001-0000001", "113-4000001-0000001", "113-5000001-0000001", "113-9999999-9999999", "113-2000001-0000001"],
)
def test_claims_for_orders_that_are_not_eligible_are_refused(site, client, order_id):
    status, body = client.json("POST", "/safet-claims/api/claims", valid_claim(client, order_id=order_id))
    assert status in (409, 422)
    assert body["error"].startswith(eligibility(client, order_id)["message"])
    assert site.submissions() == []


def test_quantity_cap_is_refunded_minus_already_claimed(site, client):
    def claim(asin, quantity):
        items = [{"asin": asin, "quantity": quantity, "reason": "LBLOT", "sub_reason": None}]
        return client.json(
            "POST", "/safet-claims/api/claims", valid_claim(client, order_id="113-1000004-0000004", items=items)
        )

    assert claim("B0SAFET041", 3) == (422, {"error": "Enter a quantity from 1 to 2 for ASIN B0SAFET041."})
    assert claim("B0SAFET042", 1) == (
        422,
        {"error": "All refunded units of ASIN B0SAFET042 have already been claimed."},
    )
    assert claim("B0SAFET041", 2)[0] == 201
    assert site.submissions()[0]["items"][0]["quantity"] == 2


@pytest.mark.parametrize("body", [b"{not json", b"[]", b'"text"'])
def test_unreadable_posts_are_refused(site, client, body):
    status, _, raw = client.request("POST", "/safet-claims/api/claims", body, {"Content-Type": "application/json"})
    assert status == 400 and json.loads(raw)["error"]
    assert site.submissions() == []


def test_tracking_id_is_stored_for_reasons_that_need_it(site, client):
    items = [{"asin": "B0SAFET001", "quantity": 1, "reason": "DNOTR", "sub_reason": None}]
    status, _ = client.json(
        "POST",
        "/safet-claims/api/claims",
        valid_claim(client, items=items, attachments=[], tracking_id="9400111899223344556677"),
    )
    assert status == 201
    assert site.submissions()[0]["tracking_id"] == "9400111899223344556677"


# --- the test API ----------------------------------------------------------------------------------------


def test_reset_clears_submissions_restores_seeded_claims_and_turns_faults_off(site, client):
    client.json("POST", "/safet-claims/api/claims", valid_claim(client))
    site.decide("31415-92653-5897932", "Denied", comment="no")
    client.json("POST", "/__fixture__/faults", {"latency_ms": 50})
    status, body = client.json("POST", "/__fixture__/reset")
    assert (status, body) == (200, {"reset": True})
    assert client.json("GET", "/__fixture__/submissions") == (200, [])
    claims = {c["claim_id"]: c for c in client.json("GET", "/__fixture__/claims")[1]}
    assert len(claims) == 5 and claims["31415-92653-5897932"]["status"] == "Under investigation"
    assert client.json("GET", "/__fixture__/faults")[1]["latency_ms"] == 0


def test_faults_replace_the_previous_set_and_report_the_count(client):
    status, body = client.json("POST", "/__fixture__/faults", {"latency_ms": 5, "announcement": True})
    assert status == 200 and body["latency_ms"] == 5 and body["announcement"] is True and body["counted_requests"] == 0
    client.request("GET", "/safet-claims")
    client.request("GET", "/static/app.css")  # assets do not count
    assert client.json("GET", "/__fixture__/faults")[1]["counted_requests"] == 1
    status, body = client.json("POST", "/__fixture__/faults", {"tamper_review": True})
    assert body["latency_ms"] == 0 and body["announcement"] is False and body["counted_requests"] == 0


@pytest.mark.parametrize(
    "faults",
    [
        {"latency": 5},
        {"latency_ms": -1},
        {"fail_rate": 2},
        {"fail_paths": 3},
        {"expire_session_after": "2"},
        {"captcha_after": 1.5},
        {"drop_submit_response": "yes"},
        {"restrict_automation": 1},
        {"announcement": 2},
        {"tamper_review": "everything"},
        ["latency_ms"],
    ],
)
def test_bad_faults_are_refused_and_leave_the_faults_unchanged(site, client, faults):
    site.set_faults(latency_ms=7)
    status, body = client.json("POST", "/__fixture__/faults", faults)
    assert status == 400 and body["error"]
    assert site.faults()["latency_ms"] == 7
    with pytest.raises(ValueError):
        site.set_faults(**faults) if isinstance(faults, dict) else site.set_faults(latency_ms=-1)


def test_decide_via_the_test_api_sets_status_amount_comment_and_dates(site, client):
    status, claim = client.json(
        "POST",
        "/__fixture__/decide",
        {"claim_id": "31415-92653-5897932", "status": "Granted", "amount": "19.5", "comment": "Reimbursed."},
    )
    assert status == 200
    assert (claim["status"], claim["amount"], claim["comment"]) == ("Granted", 19.5, "Reimbursed.")
    assert claim["appeal_by"] == (date.today() + timedelta(days=7)).isoformat() and claim["reply_by"] is None
    claim = site.decide("31415-92653-5897932", "awaiting_seller_response", comment="Send the label photo.")
    assert claim["status"] == "Awaiting seller response"
    assert claim["reply_by"] == (date.today() + timedelta(days=3)).isoformat() and claim["appeal_by"] is None


def test_decide_refuses_unknown_claims_and_statuses(site, client):
    assert (
        client.json("POST", "/__fixture__/decide", {"claim_id": "00000-00000-0000000", "status": "Granted"})[0] == 404
    )
    assert client.json("POST", "/__fixture__/decide", {"claim_id": "31415-92653-5897932", "status": "Paid"})[0] == 400
    with pytest.raises(KeyError):
        site.decide("00000-00000-0000000", "Granted")
    with pytest.raises(ValueError):
        site.decide("31415-92653-5897932", "Paid")


def test_fixture_paths_never_count_never_fail_and_need_no_session(site):
    site.set_faults(expire_session_after=1, fail_rate=1.0, fail_paths=["/safet-claims/api/*"])
    stranger = Client(site.url)
    for _ in range(5):
        assert stranger.json("GET", "/__fixture__/submissions") == (200, [])
    assert site.faults()["counted_requests"] == 0
    site.set_faults(fail_rate=1.0)
    assert Client(site.url).json("GET", "/__fixture__/claims")[0] == 200
    assert Client(site.url).request("GET", "/safet-claims")[0] == 500


# --- faults ---------------------------------------------------------------------------------------------


def test_latency_delays_site_requests(site, client):
    site.set_faults(latency_ms=400)
    started = time.monotonic()
    assert client.request("GET", "/safet-claims")[0] == 200
    assert time.monotonic() - started >= 0.4


def test_fail_rate_on_fail_paths_answers_500_before_anything_is_stored(site, client):
    body = valid_claim(client)
    site.set_faults(fail_rate=1.0, fail_paths=["POST /safet-claims/api/claims"])
    status, answer = client.json("POST", "/safet-claims/api/claims", body)
    assert status == 500 and "Something went wrong" in answer["error"]
    assert site.submissions() == []
    assert eligibility(client, ELIGIBLE)["outcome"] == "eligible"  # other paths keep working
    assert client.request("GET", "/safet-claims")[0] == 200
    site.set_faults()
    assert client.json("POST", "/safet-claims/api/claims", body)[0] == 201


def test_fail_rate_without_paths_fails_pages_with_an_error_page(site, client):
    site.set_faults(fail_rate=1.0)
    status, _, html = client.request("GET", "/safet-claims")
    assert status == 500 and b"Sorry! Something went wrong on our end." in html


def test_expire_session_after_counts_site_requests_then_sends_to_sign_in_and_back(site, client):
    assert client.request("GET", "/safet-claims")[0] == 200  # signed in silently
    site.set_faults(expire_session_after=2)
    assert client.request("GET", "/safet-claims")[0] == 200
    assert client.request("GET", "/static/kat.js")[0] == 200  # not counted
    assert client.json("GET", "/safet-claims/api/search")[0] == 200
    status, headers, _ = client.request("GET", "/safet-claims/create-v2?x=1")
    assert status == 302 and headers["Location"] == "/ap/signin?return_to=/safet-claims/create-v2%3Fx%3D1"
    assert client.json("POST", "/safet-claims/api/eligibility", {"value": ELIGIBLE}) == (
        401,
        {"error": "Your session has expired. Sign in again.", "location": "/ap/signin"},
    )
    assert Client(site.url).request("GET", "/safet-claims")[0] == 302  # no silent sign-in any more
    assert (
        client.form(
            "/ap/signin", {"email": "me@example.com", "password": "pw", "return_to": "/safet-claims/create-v2?x=1"}
        )[0]
        == 302
    )
    status, headers, _ = client.form("/ap/mfa", {"otp": "123456", "return_to": "/safet-claims/create-v2?x=1"})
    assert status == 302 and headers["Location"] == "/safet-claims/create-v2?x=1"
    assert client.request("GET", "/safet-claims/create-v2?x=1")[0] == 200


def test_captcha_after_sends_pages_to_cvf_until_solved(site, client):
    site.set_faults(captcha_after=1)
    assert client.request("GET", "/safet-claims")[0] == 200
    status, headers, _ = client.request("GET", "/safet-claims")
    assert status == 302 and headers["Location"] == "/ap/cvf?return_to=/safet-claims"
    assert client.json("GET", "/safet-claims/api/search")[1]["location"] == "/ap/cvf"
    _, _, html = client.request("GET", "/ap/cvf?return_to=/safet-claims")
    assert b"Solve this puzzle to protect your account" in html
    status, _, html = client.form("/ap/cvf", {"characters": "WRONG1", "return_to": "/safet-claims"})
    assert status == 200 and b"The characters you entered did not match" in html
    characters = re.search(rb'class="ap-captcha"><span>([A-Z0-9]{6})</span>', html).group(1).decode()
    status, headers, _ = client.form("/ap/cvf", {"characters": characters.lower(), "return_to": "/safet-claims"})
    assert status == 302 and headers["Location"] == "/safet-claims"
    assert client.request("GET", "/safet-claims")[0] == 200


def test_drop_submit_response_stores_the_claim_and_never_answers_and_stop_does_not_hang():
    with MockSellerCentral() as site:
        client = Client(site.url)
        body = valid_claim(client)
        site.set_faults(drop_submit_response=True)
        with pytest.raises((TimeoutError, socket.timeout, urllib.error.URLError)):
            client.request("POST", "/safet-claims/api/claims", body, timeout=1.5)
        [record] = site.submissions()
        assert record["order_id"] == ELIGIBLE
        started = time.monotonic()
    assert time.monotonic() - started < 3


def test_restrict_automation_answers_403_on_every_site_page(site, client):
    site.set_faults(restrict_automation=True)
    for path in ("/safet-claims", "/safet-claims/create-v2", "/safet-claims/claim/31415-92653-5897932", "/ap/signin"):
        status, _, html = client.request("GET", path)
        assert status == 403 and b"<h1>Automated access restricted</h1>" in html
    assert client.json("GET", "/safet-claims/api/search")[0] == 403
    assert client.json("GET", "/__fixture__/submissions")[0] == 200


def test_announcement_is_planned_into_page_loads_only_when_switched_on(site, client):
    def planned():
        _, _, html = client.request("GET", "/safet-claims")
        data = json.loads(re.search(rb'id="page-data">(.*?)</script>', html).group(1))
        return data["announcement_ms"]

    assert planned() is None
    site.set_faults(announcement=True)
    assert 300 <= planned() <= 2000


def test_tamper_review_changes_one_shown_value_but_not_what_is_stored(site, client):
    site.set_faults(tamper_review="description")
    body = valid_claim(client, description="Cracked base")
    status, review = client.json("POST", "/safet-claims/api/claims/preview", body)
    shown_description = review["summary"]["description"]
    assert status == 200 and shown_description != "Cracked base" and len(shown_description) == len("Cracked base")
    assert sum(a != b for a, b in zip(shown_description, "Cracked base", strict=True)) == 1
    site.set_faults(tamper_review=True)  # quantity where the cap allows
    items = [{"asin": "B0SAFET002", "quantity": 1, "reason": "LBLOT", "sub_reason": None}]
    other = valid_claim(client, order_id="113-1000002-0000002", items=items)
    status, review = client.json("POST", "/safet-claims/api/claims/preview", other)
    assert review["items"][0]["quantity"] == 2 and review["summary"]["description"] == other["description"]
    assert client.json("POST", "/safet-claims/api/claims", body)[0] == 201
    assert site.submissions()[0]["description"] == "Cracked base"


def test_preview_without_tamper_shows_what_was_entered(client):
    items = [{"asin": "B0SAFET001", "quantity": 1, "reason": "RNOTR", "sub_reason": "RNOTR-a"}]
    status, review = client.json(
        "POST", "/safet-claims/api/claims/preview", valid_claim(client, items=items, description="No scan")
    )
    assert status == 200
    assert review["summary"] == {
        "order_id": ELIGIBLE,
        "description": "No scan",
        "tracking_id": "—",
        "documents": "photo.jpg",
    }
    assert review["items"] == [
        {
            "asin": "B0SAFET001",
            "quantity": 1,
            "reason": "Refunded, item not returned",
            "sub_reason": "No carrier scan of the return",
        }
    ]


# --- sign-in ----------------------------------------------------------------------------------------------


def test_without_auto_signin_every_page_needs_signin_and_mfa():
    with MockSellerCentral(auto_signin=False) as site:
        client = Client(site.url)
        status, headers, _ = client.request("GET", "/safet-claims?status=Granted")
        assert status == 302 and headers["Location"] == "/ap/signin?return_to=/safet-claims%3Fstatus%3DGranted"
        assert client.json("GET", "/safet-claims/api/search")[0] == 401
        assert client.request("GET", "/ap/mfa")[0] == 302  # no skipping the password
        status, _, html = client.form("/ap/signin", {"email": "", "password": "x"})
        assert status == 200 and b"Enter your email or mobile phone number" in html
        status, _, html = client.form("/ap/signin", {"email": "me@example.com", "password": ""})
        assert b"Enter your password" in html
        status, headers, _ = client.form(
            "/ap/signin", {"email": "me@example.com", "password": "pw", "return_to": "/safet-claims?status=Granted"}
        )
        assert status == 302 and headers["Location"].startswith("/ap/mfa?return_to=")
        status, _, html = client.form("/ap/mfa", {"otp": "12ab", "return_to": "/safet-claims?status=Granted"})
        assert b"The code you entered is not valid" in html
        status, headers, _ = client.form("/ap/mfa", {"otp": "654321", "return_to": "/safet-claims?status=Granted"})
        assert status == 302 and headers["Location"] == "/safet-claims?status=Granted"
        assert client.request("GET", "/safet-claims")[0] == 200


@pytest.mark.parametrize("return_to", ["//evil.example/", "https://evil.example/", "\\\\evil"])
def test_sign_in_only_returns_to_a_path_on_this_site(return_to):
    with MockSellerCentral(auto_signin=False) as site:
        client = Client(site.url)
        client.form("/ap/signin", {"email": "me@example.com", "password": "pw", "return_to": return_to})
        status, headers, _ = client.form("/ap/mfa", {"otp": "111111", "return_to": return_to})
        assert status == 302 and headers["Location"] == "/safet-claims"


# --- scenario files and permissive mode ---------------------------------------------------------------


def test_a_scenario_dict_with_relative_dates(tmp_path):
    scenario = {
        "settings": {"filing_window_days": 7, "eligibility_delay_ms": [0, 0]},
        "orders": [
            {"order_id": "111-0000001-0000001", "refund_days_ago": 8, "items": [{"asin": "B0X", "refunded": 2}]},
            {"order_id": "111-0000002-0000002", "refund_days_ago": 2, "items": [{"asin": "B0Y", "refunded": 2}]},
        ],
        "claims": [
            {
                "claim_id": "12345-12345-1234567",
                "order_id": "111-0000003-0000003",
                "claim_days_ago": 4,
                "status": "Granted",
                "amount": 5,
                "appeal_by_in_days": 2,
                "items": [{"asin": "B0Z", "quantity": 1, "reason": "RSTK"}],
            }
        ],
    }
    path = tmp_path / "scenario.json"
    path.write_text(json.dumps(scenario))
    for source in (scenario, path):
        with MockSellerCentral(scenario=source) as site:
            client = Client(site.url)
            assert eligibility(client, "111-0000001-0000001")["outcome"] == "window_closed"
            assert eligibility(client, "111-0000002-0000002")["outcome"] == "eligible"
            assert eligibility(client, "111-0000003-0000003")["outcome"] == "claim_exists"
            [claim] = site.claims()
            assert claim["claim_date"] == (date.today() - timedelta(days=4)).isoformat()
            assert claim["appeal_by"] == (date.today() + timedelta(days=2)).isoformat()


@pytest.mark.parametrize(
    ("scenario", "message"),
    [
        (
            {"orders": [{"order_id": "12-3", "refund_days_ago": 1, "items": [{"asin": "B0X"}]}]},
            "orders[0].order_id must look like",
        ),
        (
            {"orders": [{"order_id": "111-0000001-0000001", "refund_days_ago": "1", "items": [{"asin": "B0X"}]}]},
            "refund_days_ago must be a whole number",
        ),
        ({"claims": [{"claim_id": "1-2-3", "order_id": "x"}]}, "claims[0].claim_id must look like"),
    ],
)
def test_a_bad_scenario_is_refused_with_the_entry_named(scenario, message):
    with pytest.raises(ScenarioError, match=re.escape(message)):
        MockSellerCentral(scenario=scenario)


def test_scenario_and_claims_file_together_are_refused(tmp_path):
    with pytest.raises(ValueError):
        MockSellerCentral(scenario={}, claims_file=tmp_path / "claims.json")


def test_permissive_mode_builds_eligible_orders_from_a_claims_file(tmp_path):
    claims = {
        "claims": [
            {
                "order_id": "114-1111111-2222222",
                "items": [{"asin": "B0AAAAAAAA", "quantity": 2}, {"asin": "B0BBBBBBBB", "quantity": 1}],
                "refund_date": "2020-01-31",
                "reason": "damaged",
            },
            {"order_id": "114-1111111-2222222", "items": [{"asin": "B0AAAAAAAA", "quantity": 1}]},
            {"order_id": "114-3333333-4444444", "items": None},
        ]
    }
    path = tmp_path / "claims.json"
    path.write_text(json.dumps(claims))
    with MockSellerCentral(claims_file=path) as site:
        client = Client(site.url)
        answer = eligibility(client, "114-1111111-2222222")
        assert answer["outcome"] == "eligible"  # a refund years ago is still eligible here
        assert answer["order"]["refund_date"] == "Jan 31, 2020"
        assert {(i["asin"], i["refunded"], i["claimable"]) for i in answer["order"]["items"]} == {
            ("B0AAAAAAAA", 3, 3),
            ("B0BBBBBBBB", 1, 1),
        }
        [item] = eligibility(client, "114-3333333-4444444")["order"]["items"]
        assert (item["asin"], item["refunded"]) == (made_up_asin("114-3333333-4444444"), 1)
        [item] = eligibility(client, "999-0000000-0000000")["order"]["items"]  # not in the file, well-formed
        assert item["asin"] == made_up_asin("999-0000000-0000000") and re.fullmatch(r"B0[0-9A-F]{8}", item["asin"])
        assert eligibility(client, "999-000-000")["outcome"] == "not_found"
        assert (
            eligibility(client, "113-3000001-0000001")["outcome"] == "eligible"
        )  # the scenario's FBA order is not here
        assert site.claims() == []
        items = [{"asin": "B0AAAAAAAA", "quantity": 3, "reason": "LBLOT", "sub_reason": None}]
        body = valid_claim(client, order_id="114-1111111-2222222", items=items, attachments=[])
        assert client.json("POST", "/safet-claims/api/claims", body)[0] == 201
        assert client.json("POST", "/safet-claims/api/claims", body)[0] == 409
        assert eligibility(client, "114-1111111-2222222")["outcome"] == "claim_exists"


def test_permissive_mode_reads_a_bare_list_and_refuses_unreadable_files(tmp_path):
    path = tmp_path / "claims.json"
    path.write_text(json.dumps([{"order_id": "114-1111111-2222222", "items": [{"asin": "B0CCCCCCCC", "quantity": 4}]}]))
    with MockSellerCentral(claims_file=path) as site:
        [item] = eligibility(Client(site.url), "114-1111111-2222222")["order"]["items"]
        assert (item["asin"], item["refunded"]) == ("B0CCCCCCCC", 4)
    path.write_text("{not json")
    with pytest.raises(ScenarioError, match="is not valid JSON"):
        MockSellerCentral(claims_file=path)
    with pytest.raises(ScenarioError, match="Cannot read the claims file"):
        MockSellerCentral(claims_file=tmp_path / "missing.json")


def test_the_server_listens_on_loopback_only(site):
    assert site.url.startswith("http://127.0.0.1:")
    assert site._server.server_address[0] == "127.0.0.1"


def test_reply_and_appeal_rules(client):
    assert (
        client.json("POST", "/safet-claims/api/claims/31415-92653-5897932/reply", {"message": " "})[1]["error"]
        == "Enter a message."
    )
    status, body = client.json(
        "POST", "/safet-claims/api/claims/31415-92653-5897932/appeal", {"message": "Please look again"}
    )
    assert (status, body["error"]) == (409, "Only a decided claim can be appealed.")
    status, body = client.json(
        "POST", "/safet-claims/api/claims/17320-50807-5688772/appeal", {"message": "Please look again"}
    )
    assert status == 409 and body["error"].startswith("The appeal window for this claim closed on ")
    assert (
        client.json("POST", "/safet-claims/api/claims/14142-13562-3730950/appeal", {"message": "New photos"})[0] == 200
    )
    status, body = client.json("POST", "/safet-claims/api/claims/14142-13562-3730950/appeal", {"message": "Again"})
    assert status == 409  # once only
    assert client.json("POST", "/safet-claims/api/claims/00000-00000-0000000/reply", {"message": "hi"})[0] == 404


def test_the_mock_imports_only_the_standard_library_and_itself():
    import ast
    import sys
    from pathlib import Path

    import safet_filer.fixtures

    for path in Path(safet_filer.fixtures.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                modules = [node.module]
            else:
                continue  # relative imports stay inside safet_filer.fixtures
            for module in modules:
                top = module.split(".")[0]
                assert top in sys.stdlib_module_names or top == "__future__", f"{path.name} imports {module}"
