"""claims.json as pydantic models: each field's type with its own check and message, and the JSON Schema editors use.

A valid `Claim` is well-formed field by field; the rules that need the marketplace, the evidence files, today's
date or the other claims are in `rules.py`.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    WithJsonSchema,
    create_model,
    model_validator,
)
from pydantic_core import PydanticCustomError

from safet_filer.claims.reasons import SUB_REASON_CODES, Reason, default_sub_reason
from safet_filer.claims.sentences import json_kind

ORDER_ID_RE = re.compile(r"\d{3}-\d{7}-\d{7}")
ASIN_RE = re.compile(r"[A-Z0-9]{10}")
CURRENCY_RE = re.compile(r"[A-Z]{3}")
_ISO_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
_AMOUNT_RE = re.compile(r"\d+(\.\d+)?")
DRAFT_VERSION = 1  # the version of the draft note that `draft` writes and this model reads


def _order_id(value: str) -> str:
    trimmed = value.strip()
    if not ORDER_ID_RE.fullmatch(trimmed):
        raise PydanticCustomError(
            "order_id",
            '"{value}" is not an Amazon order ID; order IDs are 3, 7 and 7 digits joined by dashes, '
            "like 113-1234567-1234567 — copy it from the order's page in Seller Central.",
            {"value": value},
        )
    return trimmed


def _in_capitals(pattern: re.Pattern[str], value: str) -> str:
    """The hint for a value that is right but for its case."""
    return f" — write it in capitals: {value.upper()}" if pattern.fullmatch(value.upper()) else ""


def _asin(value: str) -> str:
    if ASIN_RE.fullmatch(value):
        return value
    hint = _in_capitals(ASIN_RE, value)
    raise PydanticCustomError(
        "asin",
        '"{value}" is not an ASIN; ASINs are 10 capital letters and digits, like B07XJ8C8F5{hint}.',
        {"value": value, "hint": hint},
    )


def _quantity(value: int) -> int:
    if value < 1:
        raise PydanticCustomError(
            "quantity", "is {value}; it must be at least 1 — leave the item out if it is not claimed.", {"value": value}
        )
    return value


def _description(value: str) -> str:
    stripped = value.strip()
    if not stripped:
        raise PydanticCustomError(
            "description_empty",
            "is empty — say in a sentence or two what happened, e.g. what was wrong with the returned item.",
        )
    return stripped


def _optional_text(value: str | None) -> str | None:
    """Trims a value; blank means none (a tracking ID pasted with spaces, or left as "")."""
    if value is None:
        return None
    return value.strip() or None


def _date(value: Any) -> Any:
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        raise PydanticCustomError(
            "date_type", 'must be a date in quotes, like "2026-11-20", not {kind}.', {"kind": json_kind(value)}
        )
    text = value.strip()
    if not _ISO_DATE_RE.fullmatch(text):
        raise PydanticCustomError(
            "date_format", '"{value}" is not a date written as YYYY-MM-DD, like "2026-11-20".', {"value": value}
        )
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise PydanticCustomError(
            "date_not_real",
            "{value} is not a real date ({why}) — check the day and month.",
            {"value": text, "why": str(exc)},
        ) from None


def _amount(value: Any) -> Any:
    """A decimal written as text: a JSON number is refused, as it may already have lost a cent to float rounding."""
    if isinstance(value, Decimal):
        return value
    if not isinstance(value, str):
        raise PydanticCustomError(
            "amount_type",
            'must be the amount in quotes, like "119.98", not {kind} — in quotes it keeps every cent exactly.',
            {"kind": json_kind(value)},
        )
    text = value.strip()
    if not _AMOUNT_RE.fullmatch(text):
        raise PydanticCustomError(
            "amount_format",
            '"{value}" is not an amount written like "119.98": digits and a dot before the cents, without a '
            "currency sign or thousands separator (the currency goes in currency).",
            {"value": value},
        )
    return Decimal(text)


def _currency(value: str) -> str:
    if CURRENCY_RE.fullmatch(value):
        return value
    hint = _in_capitals(CURRENCY_RE, value)
    raise PydanticCustomError(
        "currency",
        '"{value}" is not a currency code; codes are 3 capital letters, like USD or EUR{hint}.',
        {"value": value, "hint": hint},
    )


def _draft_version(value: int) -> int:
    if value != DRAFT_VERSION:
        raise PydanticCustomError(
            "draft_version",
            "is {value}, a draft note this safet-filer cannot read (it reads version {known}) — upgrade "
            "safet-filer, or draft the list again.",
            {"value": value, "known": DRAFT_VERSION},
        )
    return value


def _items(value: list[ClaimItem] | None) -> list[ClaimItem] | None:
    if value is not None and not value:
        raise PydanticCustomError(
            "items_empty",
            "is an empty list — name the items to claim, or set items to null to claim every refunded unit.",
        )
    return value


OrderId = Annotated[
    str,
    AfterValidator(_order_id),
    Field(
        description="Amazon order ID (3-7-7 digits); surrounding spaces are ignored",
        examples=["113-1234567-1234567"],
        json_schema_extra={"pattern": r"^\s*\d{3}-\d{7}-\d{7}\s*$"},
    ),
]
Asin = Annotated[
    str,
    AfterValidator(_asin),
    Field(description="The item's ASIN", examples=["B07XJ8C8F5"], json_schema_extra={"pattern": "^[A-Z0-9]{10}$"}),
]
Quantity = Annotated[
    int, AfterValidator(_quantity), Field(description="Units of this ASIN to claim", json_schema_extra={"minimum": 1})
]
Description = Annotated[
    str,
    AfterValidator(_description),
    Field(
        description="What happened, for Amazon's investigator; non-empty, within the marketplace's limit "
        "(1,000 characters in the US)",
        json_schema_extra={"minLength": 1},
    ),
]
DateField = Annotated[date, BeforeValidator(_date)]
Amount = Annotated[
    Decimal,
    BeforeValidator(_amount),
    WithJsonSchema({"type": "string", "pattern": r"^\s*\d+(\.\d+)?\s*$", "examples": ["119.98"]}),
]
Currency = Annotated[
    str, AfterValidator(_currency), Field(examples=["USD"], json_schema_extra={"pattern": "^[A-Z]{3}$"})
]


class ClaimItem(BaseModel):
    """One ASIN of the order and how many of its units the claim is for."""

    model_config = ConfigDict(extra="forbid", strict=True)

    asin: Asin
    quantity: Quantity


class ReportItem(BaseModel):
    """An item as the returns report names it, kept in the draft note for the person reviewing."""

    model_config = ConfigDict(extra="forbid", strict=True)

    asin: str
    name: str | None = None
    return_reason: str | None = Field(default=None, description="The report's Return Reason code, as it was")


class ReportSource(BaseModel):
    """Where in the returns report a drafted claim comes from."""

    model_config = ConfigDict(extra="forbid", strict=True)

    file: str = Field(description="The report, as it was given to `safet-filer draft`")
    lines: list[int] = Field(description="Its lines behind this claim")
    items: list[ReportItem]


class DraftNote(BaseModel):
    """What `safet-filer draft` knew of a claim and did not, and whether the person has approved it.

    `run` files a claim with a draft note only once `approved` is true (`safet-filer review` sets it); the
    note stays with the claim for the record. It is never filed and no part of the claim's fingerprint.
    """

    model_config = ConfigDict(extra="forbid", strict=True)

    version: Annotated[int, AfterValidator(_draft_version)] = Field(
        description=f"The draft note's version ({DRAFT_VERSION})", json_schema_extra={"const": DRAFT_VERSION}
    )
    approved: bool = Field(description="false until you approve the claim in `safet-filer review`")
    suggested_reason: Reason | None = Field(
        default=None, strict=False, description="The reason the report's facts point to, or null when none does"
    )
    needs_inspection: bool = Field(
        default=False,
        description="The buyer's return reason needs your own look at the item (damaged, missing parts, different item)",
    )
    why: str = Field(default="", description="The sentence behind the suggestion, naming the facts")
    facts: dict[str, str | None] = Field(
        default_factory=dict, description="The report's cells behind the suggestion, by column (null: empty cell)"
    )
    unknown: list[str] = Field(
        default_factory=list, description='What the report cannot know, each as "field: sentence"'
    )
    deadline: DateField | None = Field(default=None, description="The filing deadline on the day of drafting")
    report: ReportSource | None = None


class Claim(BaseModel):
    """One SAFE-T claim as the seller wrote it: well-formed field by field.

    Rules that need the marketplace, the evidence files, today's date or the other claims live in
    `check_claim_list`, so a valid Claim is well-formed, not necessarily ready to file.
    """

    model_config = ConfigDict(extra="forbid", strict=True)

    order_id: OrderId
    reason: Reason = Field(strict=False, description="Why the seller claims")
    sub_reason: str | None = Field(
        default=None,
        description="Sub-reason code where the reason has them (not_returned: RNOTR-a); null picks the only one",
        json_schema_extra={"enum": [*SUB_REASON_CODES, None]},
    )
    items: Annotated[list[ClaimItem] | None, AfterValidator(_items)] = Field(
        default=None, description="The ASINs and quantities to claim; null claims every refunded unit"
    )
    description: Description
    attachments: list[str] = Field(
        default_factory=list,
        description="Evidence files (JPEG, PNG, GIF, PDF), relative to the claims file's folder",
        examples=[["evidence/item.jpg", "evidence/label.png"]],
    )
    tracking_id: Annotated[str | None, AfterValidator(_optional_text)] = Field(
        default=None,
        description="Carrier tracking ID; required for replacement_refunded and delivered_not_received",
    )
    refund_date: DateField = Field(description="The day Amazon refunded the buyer (YYYY-MM-DD)")
    return_delivered_date: DateField | None = Field(
        default=None, description="The day the return was delivered to the seller (YYYY-MM-DD), if it was"
    )
    refunded_amount: Amount | None = Field(
        default=None, description='What Amazon refunded the buyer, as text like "119.98" (shown, never filed)'
    )
    currency: Currency | None = Field(
        default=None, description="The refunded amount's currency (ISO 4217, like USD); given with refunded_amount"
    )
    draft: DraftNote | None = Field(
        default=None,
        description="Written by `safet-filer draft`: what the report said; a claim with one is filed only once approved",
    )

    @property
    def sub_reason_to_file(self) -> str | None:
        """The sub-reason code the form gets: the claim's own, else the only one its reason has (or none)."""
        return self.sub_reason or default_sub_reason(self.reason)

    @property
    def tracking_id_to_file(self) -> str | None:
        """The tracking ID the form gets: only reasons that need one have a Tracking ID box (check warns of others)."""
        return self.tracking_id if self.reason.needs_tracking_id else None


class ClaimList(BaseModel):
    """The whole claims.json: a marketplace and its claims. A bare JSON list of claims is accepted too."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, title="SAFE-T claim list")

    schema_: str | None = Field(
        default=None, alias="$schema", description="Where an editor finds this schema (ignored by safet-filer)"
    )
    marketplace: str | None = Field(
        default=None, description="Marketplace code (US, UK, DE, …); the configured default when left out"
    )
    claims: list[Claim]

    @model_validator(mode="before")
    @classmethod
    def _bare_list(cls, value: Any) -> Any:
        return {"claims": value} if isinstance(value, list) else value


def claim_list_schema() -> dict[str, Any]:
    """The JSON Schema of claims.json, for editors: an object with `claims`, or a bare list of claims."""
    schema = ClaimList.model_json_schema()
    defs = schema.pop("$defs", {})
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "SAFE-T claim list",
        "description": "Claims for safet-filer to file in Seller Central; check one with `safet-filer check FILE`.",
        "anyOf": [{"$ref": "#/$defs/ClaimList"}, {"type": "array", "items": {"$ref": "#/$defs/Claim"}}],
        "$defs": {**defs, "ClaimList": schema},
    }


CLAIM_FIELDS = tuple(Claim.model_fields)
ITEM_FIELDS = tuple(ClaimItem.model_fields)
# What an unapproved draft may still lack: only the person can name the reason and say what happened, and a
# report may have no date to count from.
DRAFT_MAY_LACK = ("reason", "description", "refund_date")

# All fields optional, same checks: on a claim that fails, it recovers the fields that are fine,
# so the cross-field rules still run and the seller sees every problem at once.
_OPTIONAL_FIELDS: dict[str, Any] = {
    name: (info.rebuild_annotation() | None, None) for name, info in Claim.model_fields.items()
}
ClaimFields = create_model("ClaimFields", __config__=ConfigDict(extra="ignore", strict=True), **_OPTIONAL_FIELDS)
