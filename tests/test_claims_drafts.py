"""The claim list's money (refunded_amount, currency) and draft note: what the model takes, what `check` says of
drafts, that `run` refuses an unapproved one by name, and that none of it changes a claim's fingerprint."""

from __future__ import annotations

import io
import json
import typing
from datetime import date
from decimal import Decimal
from pathlib import Path

import jsonschema
import pytest

from safet_filer.claims import (
    Claim,
    DraftNote,
    check_claim_list,
    claim_list_schema,
    fingerprint,
    load_claims_for_run,
    refunded_totals,
)
from safet_filer.claims_view import check_as_dict, print_check
from safet_filer.draft_writing import ClaimJson, DraftNoteJson
from safet_filer.errors import InvalidInput
from safet_filer.settings import Settings

TODAY = date(2026, 1, 10)

pytestmark = pytest.mark.usefixtures("in_empty_folder")


def plain(n: int = 1, **fields) -> dict:
    """A valid not_returned claim (no photos needed) for order n."""
    body = {
        "order_id": f"113-{1234560 + n:07d}-{7654320 + n:07d}",
        "reason": "not_returned",
        "items": [{"asin": "B07XJ8C8F5", "quantity": 2}],
        "description": "Refunded at first scan; never came back.",
        "refund_date": "2026-01-02",
    }
    body.update(fields)
    return body


def note(approved: bool = False, **fields) -> dict:
    """A draft note as `safet-filer draft` writes it."""
    body = {
        "version": 1,
        "approved": approved,
        "suggested_reason": None,
        "needs_inspection": True,
        "why": "The buyer's return reason (CR-DEFECTIVE) says the item came back damaged.",
        "facts": {"Return Reason": "CR-DEFECTIVE", "Return delivery date": None},
        "unknown": ["condition: the report does not say in what state the item came back."],
        "deadline": "2026-02-01",
        "report": {
            "file": "returns.txt",
            "lines": [2, 3],
            "items": [{"asin": "B07XJ8C8F5", "name": "Jar", "return_reason": "CR-DEFECTIVE"}],
        },
    }
    body.update(fields)
    return body


def check(tmp_path: Path, claims: list[dict], today: date = TODAY):
    path = tmp_path / "claims.json"
    path.write_text(json.dumps({"marketplace": "US", "claims": claims}, indent=2))
    return check_claim_list(path, Settings(), today)


def by_index(result):
    return {c.index: c for c in result.claims}


def printed(result) -> str:
    from rich.console import Console

    out = io.StringIO()
    print_check(result, Console(file=out, width=160, color_system=None))
    return out.getvalue()


def messages(claim) -> dict[str, str]:
    return {p.field: p.message for p in claim.problems}


# --- money ------------------------------------------------------------------------------------------------------


def test_a_refunded_amount_is_a_decimal_from_text_with_its_currency(tmp_path):
    result = check(tmp_path, [plain(refunded_amount="119.98", currency="USD")])
    (checked,) = result.claims
    assert checked.ok, checked.problems
    assert checked.claim.refunded_amount == Decimal("119.98")
    assert isinstance(checked.claim.refunded_amount, Decimal)
    assert (checked.refunded_amount, checked.currency) == (Decimal("119.98"), "USD")


@pytest.mark.parametrize(
    ("value", "says"),
    [
        (119.98, 'must be the amount in quotes, like "119.98", not the number 119.98'),
        (12, "not the number 12"),
        ("$119.98", '"$119.98" is not an amount written like "119.98"'),
        ("1,119.98", '"1,119.98" is not an amount'),
        ("-5.00", '"-5.00" is not an amount'),
    ],
)
def test_an_amount_is_text_of_digits_never_a_float(tmp_path, value, says):
    (checked,) = check(tmp_path, [plain(refunded_amount=value, currency="USD")]).claims
    assert says in messages(checked)["claims[0].refunded_amount"]
    assert not checked.ok


@pytest.mark.parametrize(("value", "hint"), [("usd", "write it in capitals: USD"), ("US$", ""), ("DOLLAR", "")])
def test_a_currency_is_three_capitals(tmp_path, value, hint):
    (checked,) = check(tmp_path, [plain(refunded_amount="1.00", currency=value)]).claims
    message = messages(checked)["claims[0].currency"]
    assert message.startswith(f'"{value}" is not a currency code; codes are 3 capital letters')
    assert hint in message


def test_an_amount_and_its_currency_come_together(tmp_path):
    result = check(tmp_path, [plain(1, refunded_amount="19.99"), plain(2, currency="USD")])
    first, second = by_index(result)[0], by_index(result)[1]
    assert messages(first)["claims[0].currency"] == (
        'is missing while refunded_amount is 19.99 — add it, like "USD" (the US currency).'
    )
    assert 'is missing while currency is "USD"' in messages(second)["claims[1].refunded_amount"]
    assert not first.ok and not second.ok


def test_another_currency_than_the_marketplaces_is_a_warning(tmp_path):
    (checked,) = check(tmp_path, [plain(refunded_amount="19.99", currency="EUR")]).claims
    assert checked.ok
    (problem,) = checked.problems
    assert (problem.field, problem.severity) == ("claims[0].currency", "warning")
    assert "is EUR, but US reimburses in USD" in problem.message


def test_check_shows_each_amount_and_the_totals_per_currency(tmp_path):
    claims = [
        plain(1, refunded_amount="119.98", currency="USD"),
        plain(2, refunded_amount="0.02", currency="USD"),
        plain(3, refunded_amount="1250", currency="EUR"),
        plain(4),
    ]
    result = check(tmp_path, claims)
    assert refunded_totals(result.claims) == {"EUR": Decimal("1250"), "USD": Decimal("120.00")}
    data = check_as_dict(result)
    assert data["refunded_totals"] == {"EUR": "1250", "USD": "120.00"}
    assert [(c["refunded_amount"], c["currency"]) for c in sorted(data["claims"], key=lambda c: c["index"])] == [
        ("119.98", "USD"),
        ("0.02", "USD"),
        ("1250", "EUR"),
        (None, None),
    ]
    shown = printed(result)
    assert "Refunded" in shown.splitlines()[1]  # the table's header
    assert "119.98 USD" in shown and "1,250.00 EUR" in shown
    assert "Refunded: 1,250.00 EUR, 120.00 USD" in shown


# --- drafts -----------------------------------------------------------------------------------------------------


def test_the_model_takes_exactly_what_draft_writes():
    assert list(DraftNote.model_fields) == list(typing.get_type_hints(DraftNoteJson))
    assert set(typing.get_type_hints(ClaimJson)) <= set(Claim.model_fields)
    written = {**plain(), "reason": "damaged", "refunded_amount": "1.00", "currency": "USD", "draft": note()}
    assert Claim.model_validate(written).draft.report.lines == [2, 3]
    with pytest.raises(ValueError, match="approvd"):
        Claim.model_validate({**written, "draft": {**note(), "approvd": True}})


def test_an_unapproved_draft_may_lack_its_reason_description_and_refund_date_and_check_says_so(tmp_path):
    draft = plain(reason=None, description="", refunded_amount="5.00", currency="USD", draft=note())
    del draft["refund_date"]
    (checked,) = check(tmp_path, [draft]).claims
    assert checked.awaiting_review and checked.draft_missing == ("reason", "description", "refund_date")
    assert [(p.field, p.severity) for p in checked.problems] == [("claims[0].draft", "error")]
    assert checked.problems[0].message == (
        "awaits your review (it still lacks reason and description and refund_date): approve or drop it in "
        "`safet-filer review`."
    )


def test_a_draft_is_still_checked_for_everything_else(tmp_path):
    draft = plain(reason="damged", description="", attachments=["missing.jpg"], draft=note())
    (checked,) = check(tmp_path, [draft]).claims
    fields = [p.field for p in checked.problems]
    assert "claims[0].reason" in fields  # a typo is no gap
    assert "claims[0].attachments[0]" in fields
    assert checked.draft_missing == ("description",)


def test_an_approved_draft_passes_every_normal_rule_or_fails_as_any_claim(tmp_path):
    ready = plain(1, refunded_amount="5.00", currency="USD", draft=note(approved=True))
    lacking = plain(2, reason=None, description="", draft=note(approved=True))
    photos = plain(3, reason="damaged", draft=note(approved=True))
    result = by_index(check(tmp_path, [ready, lacking, photos]))
    assert result[0].ok and not result[0].awaiting_review
    assert set(messages(result[1])) == {"claims[1].reason", "claims[1].description"}
    assert "need at least one photo" in messages(result[2])["claims[2].attachments"]


def test_a_draft_note_of_another_version_is_refused(tmp_path):
    (checked,) = check(tmp_path, [plain(draft=note(approved=True, version=2))]).claims
    assert messages(checked)["claims[0].draft.version"].startswith(
        "is 2, a draft note this safet-filer cannot read (it reads version 1)"
    )


def test_check_says_which_claims_await_review_and_how(tmp_path):
    result = check(tmp_path, [plain(1, draft=note()), plain(2), plain(3, reason=None, draft=note())])
    assert not result.ok
    shown = printed(result)
    assert shown.count("  draft") == 2  # the Problems column
    assert " ".join(shown.split()).endswith(
        f"✗ 2 of 3 claims are drafts awaiting review. Approve or drop them with `safet-filer review "
        f"{tmp_path / 'claims.json'}`; nothing is filed until then."
    )
    data = check_as_dict(result)
    assert data["awaiting_review"] == 2
    drafts = {c["index"]: c["draft"] for c in data["claims"]}
    assert drafts == {
        0: {"awaiting_review": True, "missing": []},
        1: None,
        2: {"awaiting_review": True, "missing": ["reason"]},
    }


def test_run_refuses_an_unapproved_draft_by_name_before_anything_runs(tmp_path):
    path = tmp_path / "claims.json"
    claims = [plain(1, draft=note(approved=True)), plain(2, reason=None, draft=note()), plain(3, draft=note())]
    path.write_text(json.dumps({"claims": claims}))
    with pytest.raises(InvalidInput) as raised:
        load_claims_for_run(path, Settings(), TODAY)
    assert raised.value.message == (
        f"{path} has 2 unapproved drafts; nothing was filed:\n"
        f"  claims[1] (order 113-1234562-7654322) is a draft you have not approved; run `safet-filer review {path}`\n"
        f"  claims[2] (order 113-1234563-7654323) is a draft you have not approved; run `safet-filer review {path}`"
    )
    assert raised.value.hint == f"Approve or drop them with `safet-filer review {path}`, then run again."
    claims[1] = plain(2, draft=note(approved=True))
    claims[2] = plain(3, description="", draft=note(approved=True))
    path.write_text(json.dumps({"claims": claims}))
    with pytest.raises(InvalidInput, match=r"has 1 problem;") as raised:
        load_claims_for_run(path, Settings(), TODAY)
    assert "claims[2] (order 113-1234563-7654323) description: is empty" in raised.value.message
    claims[2] = plain(3, draft=note(approved=True))
    path.write_text(json.dumps({"claims": claims}))
    assert load_claims_for_run(path, Settings(), TODAY).ok


# --- identity and schema ----------------------------------------------------------------------------------------


def test_the_fingerprint_of_a_claim_without_the_new_fields_is_as_before(tmp_path):
    """Hashes computed before money and drafts existed: a ledger of then still recognises its claims."""
    claims = [
        plain(0, order_id="113-1234567-1234567", tracking_id="1Z999"),
        {
            "order_id": "113-7654321-7654321",
            "reason": "replacement_refunded",
            "description": "Replacement refunded too.",
            "refund_date": "2026-01-05",
            "return_delivered_date": "2026-01-07",
            "tracking_id": "1Z123",
        },
    ]
    result = by_index(check(tmp_path, claims))
    assert fingerprint(result[0]) == "36523ef5394ae9e5d7da5f842f034de467001c2cbdb73470010d84325ab86757"
    assert fingerprint(result[1]) == "5dfdbe235157e5d8144578b7798de106e9dabad5d65185e15a69fac8bf51a055"
    # Money and the draft note are never filed, so they are no part of what the ledger compares.
    claims[0].update(refunded_amount="24.99", currency="USD", draft=note(approved=True))
    assert fingerprint(by_index(check(tmp_path, claims))[0]) == fingerprint(result[0])


def test_the_schema_has_the_new_fields_and_accepts_a_draft_as_written(tmp_path):
    schema = claim_list_schema()
    properties = schema["$defs"]["Claim"]["properties"]
    assert {"refunded_amount", "currency", "draft"} <= set(properties)
    assert schema["$defs"]["DraftNote"]["additionalProperties"] is False
    drafted = {**plain(), "refunded_amount": "119.98", "currency": "USD", "draft": note(approved=True)}
    jsonschema.validate({"marketplace": "US", "claims": [drafted]}, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate([{**drafted, "refunded_amount": 119.98}], schema)
