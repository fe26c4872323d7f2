"""The claim-list rules, one test (or a few) per rule: each fails when its rule is taken out of filer/claims/."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from pydantic import ValidationError

from safet_filer.claims import (
    Claim,
    ClaimItem,
    ClaimList,
    Reason,
    check_claim_list,
    default_sub_reason,
    describe,
    fingerprint,
    load_claims_for_run,
)
from safet_filer.claims import evidence as evidence_module
from safet_filer.errors import InvalidInput
from safet_filer.examples import example_source
from safet_filer.settings import Settings

TODAY = date(2026, 11, 28)
ORDER = "113-1234567-1234567"


pytestmark = pytest.mark.usefixtures("in_empty_folder")


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A folder with real evidence files: a JPEG, a PNG and a PDF."""
    evidence = tmp_path / "evidence"
    evidence.mkdir()
    source = example_source() / "evidence"
    (evidence / "jar.jpg").write_bytes((source / "jar-cracked.jpg").read_bytes())
    (evidence / "label.png").write_bytes((source / "return-label.png").read_bytes())
    (evidence / "messages.pdf").write_bytes((source / "buyer-messages.pdf").read_bytes())
    return tmp_path


def claim(**overrides) -> dict:
    """A valid damaged claim, with `overrides` applied (None values are kept; use `drop` to remove keys)."""
    drop = overrides.pop("drop", ())
    base = {
        "order_id": ORDER,
        "reason": "damaged",
        "sub_reason": None,
        "items": [{"asin": "B07XJ8C8F5", "quantity": 1}],
        "description": "Returned with a cracked jar and missing lid; photos of item and label attached.",
        "attachments": ["evidence/jar.jpg", "evidence/label.png"],
        "tracking_id": None,
        "refund_date": "2026-11-20",
        "return_delivered_date": "2026-11-22",
    }
    base.update(overrides)
    for key in drop:
        base.pop(key)
    return base


def write(folder: Path, claims, marketplace: str | None = "US", name: str = "claims.json") -> Path:
    data = claims if marketplace is None else {"marketplace": marketplace, "claims": claims}
    path = folder / name
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")
    return path


def check(folder: Path, claims, settings: Settings | None = None, today: date = TODAY, **kw):
    return check_claim_list(write(folder, claims, **kw), settings or Settings(), today)


def errors_at(result, field: str) -> list[str]:
    return [p.message for p in _all(result) if p.field == field and p.severity == "error"]


def warnings_at(result, field: str) -> list[str]:
    return [p.message for p in _all(result) if p.field == field and p.severity == "warning"]


def _all(result):
    return [*result.problems, *(p for c in result.claims for p in c.problems)]


def settings_with(**market) -> Settings:
    return Settings(marketplaces={"US": market})


# --- a valid list ------------------------------------------------------------------------------------------------


def test_a_valid_list_has_no_problems(folder):
    result = check(folder, [claim()])
    assert result.ok, _all(result)
    assert _all(result) == []
    [checked] = result.claims
    assert checked.ok and checked.claim is not None
    assert checked.claim.reason is Reason.damaged
    assert checked.deadline == date(2026, 12, 22)  # 30 days after the later date (return delivered 2026-11-22)
    assert checked.attachment_paths == [folder / "evidence/jar.jpg", folder / "evidence/label.png"]
    assert all(p.is_absolute() for p in checked.attachment_paths)
    assert checked.label == f"claims[0] (order {ORDER})"


def test_a_bare_list_of_claims_is_accepted_and_uses_the_default_marketplace(folder):
    result = check(folder, [claim()], marketplace=None)
    assert result.ok
    assert result.marketplace == "US"


def test_attachments_are_resolved_against_the_claims_files_folder_not_the_working_directory(folder):
    sub = folder / "lists"
    sub.mkdir()
    path = write(sub, [claim(attachments=["../evidence/jar.jpg"])])
    result = check_claim_list(path, Settings(), TODAY)
    assert result.ok, _all(result)
    assert result.claims[0].attachment_paths == [folder / "evidence/jar.jpg"]


# --- JSON and types ----------------------------------------------------------------------------------------------


def test_malformed_json_is_reported_with_line_and_column(folder):
    path = folder / "claims.json"
    path.write_text('{\n  "marketplace": "US",\n  "claims": [\n    {"order_id" "113-1234567-1234567"}\n  ]\n}\n')
    result = check_claim_list(path, Settings(), TODAY)
    assert not result.ok
    [problem] = result.problems
    assert "not valid JSON" in problem.message
    assert "line 4, column 17" in problem.message


def test_a_missing_claims_file_is_an_error_not_a_crash(folder):
    result = check_claim_list(folder / "nope.json", Settings(), TODAY)
    assert not result.ok
    assert "does not exist" in result.problems[0].message


@pytest.mark.parametrize(
    ("field", "value", "path", "says"),
    [
        ("description", 5, "description", "must be text in quotes, not the number 5"),
        ("attachments", "evidence/jar.jpg", "attachments", "must be a list"),
        ("items", [{"asin": "B07XJ8C8F5", "quantity": "2"}], "items[0].quantity", 'whole number, not the text "2"'),
        ("items", [{"asin": "B07XJ8C8F5", "quantity": 1.5}], "items[0].quantity", "whole number"),
        ("items", ["B07XJ8C8F5"], "items[0]", "must be an object"),
        ("refund_date", 20261120, "refund_date", 'must be a date in quotes, like "2026-11-20"'),
        ("order_id", 1131234567, "order_id", "must be text in quotes"),
        ("reason", 3, "reason", "must be a claim reason in quotes"),
    ],
)
def test_wrong_types_are_errors_naming_the_field(folder, field, value, path, says):
    result = check(folder, [claim(**{field: value})])
    messages = errors_at(result, f"claims[0].{path}")
    assert messages and says in messages[0], _all(result)


def test_a_claim_that_is_not_an_object_is_an_error(folder):
    result = check(folder, [claim(), "113-1234567-7654321"])
    assert errors_at(result, "claims[1]")


def test_missing_required_fields_are_named(folder):
    result = check(folder, [claim(drop=("order_id", "reason", "description", "refund_date"))])
    for name in ("order_id", "reason", "description", "refund_date"):
        assert any("is missing" in m for m in errors_at(result, f"claims[0].{name}")), name


def test_an_unknown_reason_suggests_the_closest(folder):
    result = check(folder, [claim(reason="damagd")])
    [message] = errors_at(result, "claims[0].reason")
    assert 'did you mean "damaged"' in message


# --- unknown fields: typos must not pass silently ---------------------------------------------------------------


def test_unknown_top_level_field(folder):
    path = folder / "claims.json"
    path.write_text(json.dumps({"marketplace": "US", "claim": [], "claims": [claim()]}))
    result = check_claim_list(path, Settings(), TODAY)
    assert not result.ok
    [message] = errors_at(result, "claim")
    assert 'did you mean "claims"' in message


def test_unknown_claim_field(folder):
    data = claim()
    data["atachments"] = data.pop("attachments")
    result = check(folder, [data])
    [message] = errors_at(result, "claims[0].atachments")
    assert 'did you mean "attachments"' in message


def test_unknown_item_field(folder):
    result = check(folder, [claim(items=[{"asin": "B07XJ8C8F5", "quantity": 1, "qty": 2}])])
    assert errors_at(result, "claims[0].items[0].qty")


def test_a_key_written_twice_is_an_error(folder):
    path = folder / "claims.json"
    text = json.dumps({"claims": [claim()]}).replace('"description":', '"description": "first", "description":', 1)
    path.write_text(text)
    result = check_claim_list(path, Settings(), TODAY)
    [message] = errors_at(result, "claims[0].description")
    assert "twice" in message


def test_the_schema_key_is_allowed_for_editors(folder):
    path = folder / "claims.json"
    path.write_text(json.dumps({"$schema": "./claims.schema.json", "claims": [claim()]}))
    assert check_claim_list(path, Settings(), TODAY).ok


# --- order IDs ---------------------------------------------------------------------------------------------------


def test_surrounding_whitespace_of_an_order_id_is_trimmed(folder):
    result = check(folder, [claim(order_id=f"  {ORDER}\t")])
    assert result.ok, _all(result)
    assert result.claims[0].order_id == ORDER
    assert result.claims[0].claim.order_id == ORDER


@pytest.mark.parametrize(
    "order_id",
    [
        "113-123456-1234567",
        "113 1234567 1234567",
        "1131234567 1234567",
        f"{ORDER}x",
        f"#{ORDER}",
        "113–1234567–1234567",
        "",
    ],
)
def test_bad_order_ids_are_rejected(folder, order_id):
    result = check(folder, [claim(order_id=order_id)])
    [message] = errors_at(result, "claims[0].order_id")
    assert "113-1234567-1234567" in message  # shows what an order ID looks like


def test_the_same_order_twice_is_rejected_even_with_different_spacing(folder):
    result = check(folder, [claim(), claim(description="Another try."), claim(order_id=f" {ORDER} ")])
    assert errors_at(result, "claims[0].order_id") == []
    for index in (1, 2):
        [message] = errors_at(result, f"claims[{index}].order_id")
        assert "already claims[0]" in message


# --- description -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "   \n\t "])
def test_an_empty_description_is_rejected(folder, text):
    result = check(folder, [claim(description=text)])
    [message] = errors_at(result, "claims[0].description")
    assert "is empty" in message


def test_a_description_over_the_marketplace_limit_is_rejected_with_its_length(folder):
    result = check(folder, [claim(description="x" * 1204)])
    [message] = errors_at(result, "claims[0].description")
    assert message == "is 1,204 characters; the US limit is 1,000 — shorten it."
    assert check(folder, [claim(description="x" * 1000)]).ok


def test_the_description_limit_is_the_marketplaces_setting(folder):
    result = check(folder, [claim(description="x" * 60)], settings=settings_with(description_limit=50))
    assert errors_at(result, "claims[0].description")


# --- reasons: photos, tracking ID, sub-reason ---------------------------------------------------------------------


@pytest.mark.parametrize("reason", ["damaged", "missing_parts", "different_item"])
def test_photo_reasons_need_at_least_one_image(folder, reason):
    none = check(folder, [claim(reason=reason, attachments=[])])
    assert any("photo" in m for m in errors_at(none, "claims[0].attachments"))
    pdf_only = check(folder, [claim(reason=reason, attachments=["evidence/messages.pdf"])])
    assert any("no photo (PDF only)" in m for m in errors_at(pdf_only, "claims[0].attachments"))
    assert check(folder, [claim(reason=reason, attachments=["evidence/messages.pdf", "evidence/label.png"])]).ok


def test_a_photo_is_judged_by_content_not_by_name(folder):
    (folder / "evidence/photo.jpg").write_text("not a photo")
    result = check(folder, [claim(attachments=["evidence/photo.jpg"])])
    assert any("photo" in m for m in errors_at(result, "claims[0].attachments"))


@pytest.mark.parametrize("reason", ["not_returned", "return_label_charge", "restocking_fee", "outside_return_window"])
def test_other_reasons_need_no_photo(folder, reason):
    result = check(folder, [claim(reason=reason, attachments=[], sub_reason=None)])
    assert result.ok, _all(result)


@pytest.mark.parametrize("reason", ["replacement_refunded", "delivered_not_received"])
def test_tracking_id_is_required_where_the_form_asks_for_it(folder, reason):
    for missing in (None, "", "   "):
        result = check(folder, [claim(reason=reason, tracking_id=missing)])
        [message] = errors_at(result, "claims[0].tracking_id")
        assert "is required" in message
    ok = check(folder, [claim(reason=reason, tracking_id=" 1Z999AA10123456784 ")])
    assert ok.ok, _all(ok)
    assert ok.claims[0].claim.tracking_id == "1Z999AA10123456784"


def test_a_tracking_id_the_form_does_not_take_is_a_warning(folder):
    result = check(folder, [claim(tracking_id="1Z999AA10123456784")])
    assert result.ok
    assert warnings_at(result, "claims[0].tracking_id")


def test_sub_reason_must_be_one_the_reason_allows(folder):
    assert check(folder, [claim(reason="not_returned", sub_reason="RNOTR-a", attachments=[])]).ok
    assert check(folder, [claim(reason="not_returned", sub_reason=None, attachments=[])]).ok
    wrong = check(folder, [claim(reason="not_returned", sub_reason="RNOTR-b", attachments=[])])
    assert '"RNOTR-a"' in errors_at(wrong, "claims[0].sub_reason")[0]
    none_allowed = check(folder, [claim(sub_reason="RNOTR-a")])
    assert "no sub-reason" in errors_at(none_allowed, "claims[0].sub_reason")[0]


def test_default_sub_reason_is_the_only_one_or_none():
    assert default_sub_reason(Reason.not_returned) == "RNOTR-a"
    assert default_sub_reason("not_returned") == "RNOTR-a"
    assert default_sub_reason(Reason.damaged) is None


def test_reason_codes_are_the_sites_option_values():
    codes = {r.value: r.code for r in Reason}
    assert codes == {
        "damaged": "ADMGD",
        "missing_parts": "MSNG",
        "different_item": "NOCOT",
        "not_returned": "RNOTR",
        "return_label_charge": "LBLOT",
        "outside_return_window": "RTOW",
        "replacement_refunded": "REPRF",
        "delivered_not_received": "DNOTR",
        "restocking_fee": "RSTK",
    }
    assert {r for r in Reason if r.sub_reasons} == {Reason.not_returned}
    assert Reason.not_returned.sub_reasons == ("RNOTR-a",)
    assert {r for r in Reason if r.needs_photos} == {Reason.damaged, Reason.missing_parts, Reason.different_item}
    assert {r for r in Reason if r.needs_tracking_id} == {Reason.replacement_refunded, Reason.delivered_not_received}


# --- attachments -------------------------------------------------------------------------------------------------


def test_a_missing_attachment_is_named_with_where_it_was_looked_for(folder):
    result = check(folder, [claim(attachments=["evidence/jar.jpg", "evidence/gone.png"])])
    [message] = errors_at(result, "claims[0].attachments[1]")
    assert "evidence/gone.png was not found" in message
    assert str(folder / "evidence/gone.png") in message


def test_a_folder_is_not_an_attachment(folder):
    result = check(folder, [claim(attachments=["evidence/jar.jpg", "evidence"])])
    assert "is a folder" in errors_at(result, "claims[0].attachments[1]")[0]


@pytest.mark.timeout(20)
def test_a_named_pipe_is_rejected_without_being_opened(folder):
    os.mkfifo(folder / "evidence/pipe.jpg")  # opening it for reading would block forever
    result = check(folder, [claim(attachments=["evidence/jar.jpg", "evidence/pipe.jpg"])])
    assert "named pipe, not a regular file" in errors_at(result, "claims[0].attachments[1]")[0]


def test_a_device_is_rejected(folder):
    result = check(folder, [claim(attachments=["evidence/jar.jpg", "/dev/null"])])
    assert "a device, not a regular file" in errors_at(result, "claims[0].attachments[1]")[0]


def test_an_unreadable_attachment_is_rejected(folder, monkeypatch):
    target = str(folder / "evidence/label.png")
    real_open = open

    def refusing_open(path, *args, **kwargs):
        if str(path) == target:
            raise PermissionError(13, "Permission denied", path)
        return real_open(path, *args, **kwargs)

    # chmod 000 does not stop root (CI runs as root), so refuse the read itself.
    monkeypatch.setattr(evidence_module, "open", refusing_open, raising=False)
    result = check(folder, [claim()])
    [message] = errors_at(result, "claims[0].attachments[1]")
    assert "cannot be read (Permission denied)" in message


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_an_attachment_without_read_permission_is_rejected(folder):
    (folder / "evidence/label.png").chmod(0)
    result = check(folder, [claim()])
    assert "cannot be read" in errors_at(result, "claims[0].attachments[1]")[0]


def test_an_attachment_over_the_size_limit_is_rejected(folder):
    big = folder / "evidence/big.png"
    big.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * (2 * 1024 * 1024))
    result = check(
        folder, [claim(attachments=["evidence/jar.jpg", "evidence/big.png"])], settings_with(max_attachment_mb=1)
    )
    [message] = errors_at(result, "claims[0].attachments[1]")
    assert "2.0 MB" in message and "up to 1 MB" in message


def test_an_empty_attachment_is_rejected(folder):
    (folder / "evidence/empty.pdf").write_bytes(b"")
    result = check(folder, [claim(attachments=["evidence/jar.jpg", "evidence/empty.pdf"])])
    assert "is empty" in errors_at(result, "claims[0].attachments[1]")[0]


def test_more_attachments_than_the_form_takes_are_rejected(folder):
    six = ["evidence/jar.jpg", "evidence/label.png", "evidence/messages.pdf"]
    for n in range(3):
        shutil.copy(folder / "evidence/jar.jpg", folder / f"evidence/copy{n}.jpg")
        six.append(f"evidence/copy{n}.jpg")
    result = check(folder, [claim(attachments=six)])
    assert "lists 6 files; the US form takes at most 5" in errors_at(result, "claims[0].attachments")[0]
    assert check(folder, [claim(attachments=six[:5])]).ok
    limited = check(folder, [claim()], settings_with(max_attachments=1))
    assert errors_at(limited, "claims[0].attachments")


def test_a_jpg_that_is_really_text_says_so(folder):
    (folder / "evidence/photo.jpg").write_text("IMG_2417 see attached\n")
    result = check(folder, [claim(attachments=["evidence/jar.jpg", "evidence/photo.jpg"])])
    [message] = errors_at(result, "claims[0].attachments[1]")
    assert "is not a JPEG file as its name says: it contains plain text" in message


def test_the_extension_must_agree_with_the_content(folder):
    shutil.copy(folder / "evidence/label.png", folder / "evidence/label.jpg")
    result = check(folder, [claim(attachments=["evidence/jar.jpg", "evidence/label.jpg"])])
    [message] = errors_at(result, "claims[0].attachments[1]")
    assert "is a PNG file but named .jpg — rename it to label.png" in message


def test_a_type_seller_central_does_not_take_is_rejected(folder):
    (folder / "evidence/notes.txt").write_text("the buyer said…")
    (folder / "evidence/photo.webp").write_bytes(b"RIFF\x24\0\0\0WEBPVP8 " + b"\0" * 32)
    result = check(folder, [claim(attachments=["evidence/jar.jpg", "evidence/notes.txt", "evidence/photo.webp"])])
    assert "plain text" in errors_at(result, "claims[0].attachments[1]")[0]
    assert "WebP" in errors_at(result, "claims[0].attachments[2]")[0]


def test_each_allowed_type_is_recognised_by_its_magic_bytes(folder):
    (folder / "evidence/anim.gif").write_bytes(b"GIF89a" + b"\0" * 20)
    (folder / "evidence/old.GIF").write_bytes(b"GIF87a" + b"\0" * 20)
    (folder / "evidence/scan.jpeg").write_bytes((folder / "evidence/jar.jpg").read_bytes())
    names = ["evidence/anim.gif", "evidence/old.GIF", "evidence/scan.jpeg", "evidence/messages.pdf"]
    result = check(folder, [claim(attachments=names)])
    assert result.ok, _all(result)


def test_the_same_file_twice_in_one_claim_is_rejected(folder):
    result = check(folder, [claim(attachments=["evidence/jar.jpg", "evidence/../evidence/jar.jpg"])])
    assert "already attachments[0]" in errors_at(result, "claims[0].attachments[1]")[0]


def test_an_empty_attachment_path_is_rejected(folder):
    result = check(folder, [claim(attachments=["evidence/jar.jpg", " "])])
    assert errors_at(result, "claims[0].attachments[1]")


# --- items -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("quantity", [0, -1])
def test_quantities_must_be_at_least_one(folder, quantity):
    result = check(folder, [claim(items=[{"asin": "B07XJ8C8F5", "quantity": quantity}])])
    assert "at least 1" in errors_at(result, "claims[0].items[0].quantity")[0]


def test_an_asin_twice_in_one_claim_is_rejected(folder):
    items = [
        {"asin": "B07XJ8C8F5", "quantity": 1},
        {"asin": "B000000001", "quantity": 1},
        {"asin": "B07XJ8C8F5", "quantity": 2},
    ]
    result = check(folder, [claim(items=items)])
    assert "already items[0]" in errors_at(result, "claims[0].items[2].asin")[0]


def test_a_malformed_asin_is_rejected(folder):
    result = check(folder, [claim(items=[{"asin": "b07xj8c8f5", "quantity": 1}])])
    assert "write it in capitals: B07XJ8C8F5" in errors_at(result, "claims[0].items[0].asin")[0]


def test_items_may_be_left_out_but_not_empty(folder):
    assert check(folder, [claim(items=None)]).ok
    assert check(folder, [claim(drop=("items",))]).ok
    assert errors_at(check(folder, [claim(items=[])]), "claims[0].items")


# --- dates and the filing window ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "says"), [("2026-02-30", "not a real date"), ("20/11/2026", "YYYY-MM-DD"), ("2026-11-2", "YYYY-MM-DD")]
)
def test_dates_must_be_real_dates(folder, value, says):
    result = check(folder, [claim(refund_date=value, return_delivered_date=None)])
    assert says in errors_at(result, "claims[0].refund_date")[0]


@pytest.mark.parametrize("field", ["refund_date", "return_delivered_date"])
def test_dates_in_the_future_are_rejected(folder, field):
    result = check(folder, [claim(**{field: "2026-11-29"})])
    assert "is in the future" in errors_at(result, f"claims[0].{field}")[0]
    assert check(folder, [claim(refund_date="2026-11-28", return_delivered_date="2026-11-28")]).ok


def test_a_return_delivered_before_the_refund_is_a_warning(folder):
    result = check(folder, [claim(refund_date="2026-11-22", return_delivered_date="2026-11-20")])
    assert result.ok
    assert "before the refund_date" in warnings_at(result, "claims[0].return_delivered_date")[0]
    assert result.claims[0].deadline == date(2026, 12, 22)  # still counted from the later date


def test_an_expired_window_is_an_error_with_its_date(folder):
    result = check(folder, [claim(refund_date="2026-10-20", return_delivered_date="2026-10-28")])
    [message] = errors_at(result, "claims[0].return_delivered_date")
    assert "closed on 2026-11-27" in message
    assert result.claims[0].deadline == date(2026, 11, 27)


@pytest.mark.parametrize(("delivered", "warned"), [("2026-10-29", True), ("2026-11-01", True), ("2026-11-02", False)])
def test_a_window_closing_within_three_days_is_a_warning(folder, delivered, warned):
    result = check(folder, [claim(refund_date="2026-10-25", return_delivered_date=delivered)])
    assert result.ok
    assert bool(warnings_at(result, "claims[0].return_delivered_date")) is warned


def test_the_window_counts_from_the_later_date(folder):
    only_refund = check(folder, [claim(refund_date="2026-10-20", return_delivered_date=None)])
    assert not only_refund.ok
    assert only_refund.claims[0].deadline == date(2026, 11, 19)


def test_the_window_is_the_marketplaces_setting(folder):
    data = [claim(refund_date="2026-10-01", return_delivered_date=None)]
    assert not check(folder, data).ok
    longer = check(folder, data, settings_with(filing_window_days=60))
    assert longer.ok
    assert longer.claims[0].deadline == date(2026, 11, 30)


def test_a_claim_too_early_for_the_marketplace_says_from_when(folder):
    result = check(folder, [claim(refund_date="2026-11-20", return_delivered_date=None)], marketplace="AE")
    [message] = errors_at(result, "claims[0].refund_date")
    assert "only from 2026-12-11" in message
    assert result.claims[0].deadline == date(2026, 12, 18)  # the 7-day window opens after the 21-day wait


def test_a_waiting_marketplace_can_be_filed_between_the_wait_and_the_window(folder):
    result = check(folder, [claim(refund_date="2026-11-01", return_delivered_date=None)], marketplace="AE")
    assert result.ok, _all(result)
    assert result.claims[0].deadline == date(2026, 11, 29)  # day 21 is 2026-11-22, plus 7 days


# --- marketplace ---------------------------------------------------------------------------------------------------


def test_an_unknown_marketplace_is_rejected(folder):
    result = check(folder, [claim()], marketplace="XX")
    assert not result.ok
    assert '"XX" is not a marketplace' in errors_at(result, "marketplace")[0]


def test_a_marketplace_code_is_case_insensitive(folder):
    result = check(folder, [claim()], marketplace="us")
    assert result.ok and result.marketplace == "US"


def test_a_marketplace_asked_for_must_agree_with_the_list(folder):
    path = write(folder, [claim()], marketplace="US")
    assert not check_claim_list(path, Settings(), TODAY, marketplace="UK").ok
    assert check_claim_list(path, Settings(), TODAY, marketplace="us").ok
    bare = write(
        folder, [claim(refund_date="2026-10-01", return_delivered_date=None)], marketplace=None, name="bare.json"
    )
    uk = check_claim_list(bare, Settings(), TODAY, marketplace="UK")
    assert uk.ok and uk.marketplace == "UK"  # 60 days in the UK


# --- the whole list ------------------------------------------------------------------------------------------------


def test_claims_are_sorted_by_deadline_with_undated_claims_last(folder):
    data = [
        claim(order_id="113-0000000-0000001", refund_date="2026-11-20", return_delivered_date=None),
        claim(order_id="113-0000000-0000002", refund_date="not a date", return_delivered_date=None),
        claim(order_id="113-0000000-0000003", refund_date="2026-11-01", return_delivered_date=None),
        claim(order_id="113-0000000-0000004", refund_date="2026-11-10", return_delivered_date=None),
    ]
    result = check(folder, data)
    assert [c.index for c in result.claims] == [2, 3, 0, 1]


def test_every_problem_of_a_claim_is_reported_at_once(folder):
    (folder / "evidence/photo.jpg").write_text("text")
    bad = claim(
        reason="replacement_refunded",
        items=[{"asin": "B07XJ8C8F5", "quantity": 0}],
        attachments=["evidence/photo.jpg"],
        description="x" * 1001,
        tracking_id=None,
        order_id="113-1234567",
    )
    result = check(folder, [bad])
    fields = {p.field for p in result.claims[0].problems if p.severity == "error"}
    assert fields >= {
        "claims[0].order_id",
        "claims[0].items[0].quantity",
        "claims[0].attachments[0]",
        "claims[0].description",
        "claims[0].tracking_id",
    }


def test_every_claim_is_checked_not_just_the_first_bad_one(folder):
    result = check(
        folder,
        [
            claim(order_id="bad"),
            claim(order_id="113-0000000-0000002", description=""),
            claim(order_id="113-0000000-0000003"),
        ],
    )
    assert [c.ok for c in sorted(result.claims, key=lambda c: c.index)] == [False, False, True]
    assert len(result.errors) == 2


def test_an_empty_list_is_valid_with_a_warning(folder):
    result = check(folder, [])
    assert result.ok
    assert warnings_at(result, "claims")


def test_load_claims_for_run_lists_every_error(folder):
    path = write(folder, [claim(description=""), claim(order_id="113-0000000-0000002", reason="damagd")])
    with pytest.raises(InvalidInput) as raised:
        load_claims_for_run(path, Settings(), TODAY)
    text = raised.value.message
    assert "2 problems" in text
    assert f"claims[0] (order {ORDER}) description: is empty" in text
    assert "claims[1] (order 113-0000000-0000002) reason:" in text
    assert load_claims_for_run(write(folder, [claim()]), Settings(), TODAY).ok


def test_describe_names_claim_and_field(folder):
    result = check(folder, [claim(description="")])
    [checked] = result.claims
    assert describe(checked.problems[0], checked).startswith(f"claims[0] (order {ORDER}) description: ")


# --- the models on their own ---------------------------------------------------------------------------------------


def test_the_models_forbid_unknown_fields():
    with pytest.raises(ValidationError):
        ClaimItem(asin="B07XJ8C8F5", quantity=1, qty=1)
    with pytest.raises(ValidationError):
        Claim.model_validate({**claim(), "atachments": []})
    with pytest.raises(ValidationError):
        ClaimList.model_validate({"claims": [], "claim": []})
    assert len(ClaimList.model_validate([claim()]).claims) == 1


# --- fingerprint -----------------------------------------------------------------------------------------------------


def test_fingerprint_is_stable_and_changes_with_what_is_filed(folder):
    def fp(data, name="claims.json"):
        return fingerprint(check_claim_list(write(folder, [data], name=name), Settings(), TODAY).claims[0])

    first = fp(claim())
    assert len(first) == 64 and first == fp(claim())
    assert fp(claim(order_id=f" {ORDER} ")) == first  # trimmed, as filed
    assert fp(claim(attachments=["evidence/label.png", "evidence/jar.jpg"])) == first  # upload order does not matter
    assert fp(claim(description="Something else happened.")) != first
    assert fp(claim(items=[{"asin": "B07XJ8C8F5", "quantity": 2}])) != first
    assert fp(claim(tracking_id="1Z999AA10123456784")) == first  # not filed for a damaged claim
    tracked = claim(reason="replacement_refunded", tracking_id="1Z999AA10123456784")
    assert fp(tracked) != fp({**tracked, "tracking_id": "1Z999AA10123456785"})
    # The same file name with different content is a different claim.
    (folder / "evidence/jar.jpg").write_bytes((folder / "evidence/jar.jpg").read_bytes() + b"\0")
    assert fp(claim()) != first


def test_fingerprint_counts_the_default_sub_reason(folder):
    def fp(sub):
        data = claim(reason="not_returned", sub_reason=sub, attachments=[])
        return fingerprint(check_claim_list(write(folder, [data]), Settings(), TODAY).claims[0])

    assert fp(None) == fp("RNOTR-a")


def test_fingerprint_refuses_a_claim_that_did_not_pass(folder):
    result = check(folder, [claim(order_id="bad")])
    with pytest.raises(ValueError):
        fingerprint(result.claims[0])


# --- start-up cost ---------------------------------------------------------------------------------------------------


def test_the_claims_module_does_not_import_playwright():
    code = "import sys, safet_filer.claims, safet_filer.claims_view, safet_filer.examples; print(sorted(m for m in sys.modules if m.split('.')[0] in ('playwright', 'rich')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
