"""The claim list: its model (what a seller writes in claims.json) and every rule that decides whether it can be filed.

Nothing here imports Playwright or the run: `check` and `--help` must start fast.
"""

from __future__ import annotations

import difflib
import functools
import hashlib
import json
import os
import re
import stat
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    create_model,
    model_validator,
)
from pydantic_core import PydanticCustomError

from safet_filer.errors import InvalidInput

if TYPE_CHECKING:
    from safet_filer.settings import Marketplace, Settings


# --- reasons ---------------------------------------------------------------------------------------------------


class Reason(StrEnum):
    """Why the seller claims. The value is what claims.json says; `.code` is what Seller Central's form takes."""

    damaged = "damaged"
    missing_parts = "missing_parts"
    different_item = "different_item"
    not_returned = "not_returned"
    return_label_charge = "return_label_charge"
    outside_return_window = "outside_return_window"
    replacement_refunded = "replacement_refunded"
    delivered_not_received = "delivered_not_received"
    restocking_fee = "restocking_fee"

    @property
    def code(self) -> str:
        """The option value of Seller Central's *Claim reason* (the one place reason -> site code)."""
        return _REASONS[self][0]

    @property
    def sub_reasons(self) -> tuple[str, ...]:
        """The sub-reason codes the form offers for this reason (empty when it shows no sub-reason box)."""
        return _REASONS[self][1]

    @property
    def needs_photos(self) -> bool:
        return self in _NEEDS_PHOTOS

    @property
    def needs_tracking_id(self) -> bool:
        return self in _NEEDS_TRACKING_ID


# value -> (site code, sub-reason codes), from the reference's table of reasons. The visible text of each
# option differs per site language and lives with the flows (flows/labels.py).
_REASONS: dict[str, tuple[str, tuple[str, ...]]] = {
    "damaged": ("ADMGD", ()),
    "missing_parts": ("MSNG", ()),
    "different_item": ("NOCOT", ()),
    "not_returned": ("RNOTR", ("RNOTR-a",)),
    "return_label_charge": ("LBLOT", ()),
    "outside_return_window": ("RTOW", ()),
    "replacement_refunded": ("REPRF", ()),
    "delivered_not_received": ("DNOTR", ()),
    "restocking_fee": ("RSTK", ()),
}
SUB_REASON_CODES = tuple(sorted({code for _, subs in _REASONS.values() for code in subs}))
_NEEDS_PHOTOS = frozenset({Reason.damaged, Reason.missing_parts, Reason.different_item})
_NEEDS_TRACKING_ID = frozenset({Reason.replacement_refunded, Reason.delivered_not_received})


def default_sub_reason(reason: Reason | str) -> str | None:
    """The sub-reason to choose when the claim names none: the only one when the reason has exactly one."""
    subs = Reason(reason).sub_reasons
    return subs[0] if len(subs) == 1 else None


# --- field types: each carries its own check and a message a seller understands ----------------------------------

ORDER_ID_RE = re.compile(r"\d{3}-\d{7}-\d{7}")
ASIN_RE = re.compile(r"[A-Z0-9]{10}")
_ISO_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")


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


def _asin(value: str) -> str:
    if ASIN_RE.fullmatch(value):
        return value
    hint = f" — write it in capitals: {value.upper()}" if ASIN_RE.fullmatch(value.upper()) else ""
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


class ClaimItem(BaseModel):
    """One ASIN of the order and how many of its units the claim is for."""

    model_config = ConfigDict(extra="forbid", strict=True)

    asin: Asin
    quantity: Quantity


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


# All fields optional, same checks: on a claim that fails, it recovers the fields that are fine,
# so the cross-field rules still run and the seller sees every problem at once.
_ClaimFields = create_model(
    "_ClaimFields",
    __config__=ConfigDict(extra="ignore", strict=True),
    **{name: (info.rebuild_annotation() | None, None) for name, info in Claim.model_fields.items()},
)


# --- results ----------------------------------------------------------------------------------------------------


Severity = Literal["error", "warning"]


@dataclass(slots=True)
class Problem:
    """One thing wrong (error) or worth knowing (warning) about a claim list, at `field` (like claims[3].items[0])."""

    field: str
    message: str
    severity: Severity = "error"

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "message": self.message, "severity": self.severity}


@dataclass(slots=True)
class CheckedClaim:
    """One claim of the list with what the checks found."""

    index: int
    order_id: str
    claim: Claim | None
    attachment_paths: list[Path]
    deadline: date | None
    problems: list[Problem]
    reason: Reason | None = None  # known even when another field of the claim is wrong

    @property
    def ok(self) -> bool:
        return self.claim is not None and not any(p.severity == "error" for p in self.problems)

    @property
    def label(self) -> str:
        return f"claims[{self.index}] (order {self.order_id})" if self.order_id else f"claims[{self.index}]"


@dataclass
class ClaimCheck:
    """A checked claim list: its claims sorted by deadline (soonest first) and the problems of the file itself."""

    path: Path
    marketplace: str
    claims: list[CheckedClaim]
    problems: list[Problem]
    today: date = field(default_factory=date.today)

    @property
    def ok(self) -> bool:
        return not any(p.severity == "error" for p in self.problems) and all(c.ok for c in self.claims)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self._all_problems() if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self._all_problems() if p.severity == "warning"]

    def _all_problems(self) -> list[Problem]:
        return [*self.problems, *(p for c in self.claims for p in c.problems)]


def describe(problem: Problem, claim: CheckedClaim | None = None) -> str:
    """One line naming the claim, the field and what to do: `claims[3] (order 113-…) description: is empty — …`."""
    if claim is None:
        return f"{problem.field}: {problem.message}" if problem.field else problem.message
    prefix = f"claims[{claim.index}]"
    rest = problem.field[len(prefix) :].lstrip(".") if problem.field.startswith(prefix) else problem.field
    return f"{claim.label} {rest}: {problem.message}" if rest else f"{claim.label}: {problem.message}"


# --- checking ---------------------------------------------------------------------------------------------------

CLOSING_SOON_DAYS = 3
_TOP_LEVEL_FIELDS = ("$schema", "marketplace", "claims")
_CLAIM_FIELDS = tuple(Claim.model_fields)
_ITEM_FIELDS = tuple(ClaimItem.model_fields)
# Where a claim's problems come in the listing: the order of the fields in claims.json.
_FIELD_RANK = {name: rank for rank, name in enumerate(_CLAIM_FIELDS)}
_FIELD_HELP = {
    "order_id": 'the Amazon order ID, like "113-1234567-1234567"',
    "reason": "the claim reason (" + ", ".join(Reason) + ")",
    "description": "a sentence or two saying what happened",
    "refund_date": 'the day Amazon refunded the buyer, like "2026-11-20"',
    "asin": 'the item\'s ASIN, like "B07XJ8C8F5"',
    "quantity": "the number of units to claim, like 1",
    "claims": 'the list of claims: "claims": [ … ]',
}
_EXPECTED = {
    "string_type": "text in quotes",
    "int_type": "a whole number",
    "list_type": "a list in [ ]",
    "model_type": "an object in { }",
    "dict_type": "an object in { }",
    "model_attributes_type": "an object in { }",
    "bool_type": "true or false",
}


def check_claim_list(
    path: Path, settings: Settings, today: date | None = None, *, marketplace: str | None = None
) -> ClaimCheck:
    """Check every claim of the list at `path`; every problem is reported, none stops the others being found.

    `marketplace` is a code the person asked for (e.g. on the command line): used when the list names
    none, and an error when the list names another.
    """
    path = Path(path)
    today = today or date.today()
    problems: list[Problem] = []
    data = _read_json(path, problems)
    code = (marketplace or settings.marketplace).strip().upper()
    if data is _UNREADABLE:
        return ClaimCheck(path, code, [], problems, today)

    raw_claims, listed_code = _split_top_level(data, problems)
    if listed_code is not None:
        if marketplace is not None and listed_code != code:
            problems.append(
                Problem(
                    "marketplace",
                    f"The claim list is for {listed_code} but {code} was asked for — make them agree, "
                    "or leave the marketplace out of one of them.",
                )
            )
        code = listed_code
    market = settings.marketplaces.get(code)
    if market is None:
        problems.append(
            Problem(
                "marketplace",
                f'"{code}" is not a marketplace safet-filer knows; use one of {", ".join(sorted(settings.marketplaces))}, '
                "or add it under [marketplaces] in the config file.",
            )
        )
    if data is not _UNREADABLE and not raw_claims and not any(p.field == "claims" for p in problems):
        problems.append(Problem("claims", "The list has no claims; there is nothing to file.", "warning"))

    checker = _ClaimChecker(path, code, market, today)
    checked = [checker.check(index, raw) for index, raw in enumerate(raw_claims)]
    checked.sort(key=lambda c: (c.deadline is None, c.deadline or date.max, c.index))
    return ClaimCheck(path, code, checked, problems, today)


def load_claims_for_run(path: Path, settings: Settings, today: date | None = None) -> ClaimCheck:
    """The checked list, ready to file; InvalidInput listing every error when any claim (or the file) has one."""
    result = check_claim_list(path, settings, today)
    if result.ok:
        return result
    lines = [describe(p) for p in result.problems if p.severity == "error"]
    for claim in sorted(result.claims, key=lambda c: c.index):
        lines += [describe(p, claim) for p in claim.problems if p.severity == "error"]
    count = f"{len(lines)} problem{'s' if len(lines) != 1 else ''}"
    raise InvalidInput(
        f"{path} has {count}; nothing was filed:\n  " + "\n  ".join(lines),
        f"Fix them and run again; `safet-filer check {path}` shows them with each claim's deadline.",
    )


_UNREADABLE = object()


class _DuplicateKeys(dict):
    """A JSON object that named a key twice (json.loads keeps the last silently; a typo must not pass)."""

    duplicates: list[str]


def _object_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        seen: set[str] = set()
        obj = _DuplicateKeys(obj)
        obj.duplicates = [key for key, _ in pairs if key in seen or seen.add(key)]
    return obj


def _duplicate_key_problems(obj: Any, where: str) -> list[Problem]:
    if type(obj) is not _DuplicateKeys:
        return []
    return [
        Problem(
            f"{where}.{key}" if where else key,
            "is written twice in the same object; only the last one would count — keep one.",
        )
        for key in dict.fromkeys(obj.duplicates)
    ]


def _read_json(path: Path, problems: list[Problem]) -> Any:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        problems.append(
            Problem("", f"{path} does not exist — check the path, or write an example with `safet-filer example DIR`.")
        )
        return _UNREADABLE
    except IsADirectoryError:
        problems.append(Problem("", f"{path} is a folder — give the claims file in it, like {path / 'claims.json'}."))
        return _UNREADABLE
    except OSError as exc:
        problems.append(Problem("", f"{path} cannot be read ({exc.strerror}) — check its permissions."))
        return _UNREADABLE
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        problems.append(Problem("", f"{path} is not UTF-8 text (bad byte at offset {exc.start}) — save it as UTF-8."))
        return _UNREADABLE
    try:
        return json.loads(text, object_pairs_hook=_object_pairs)
    except json.JSONDecodeError as exc:
        problems.append(
            Problem(
                "",
                f"{path} is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno} — fix it there "
                "(a missing or extra comma, quote or bracket there or just before is the usual cause).",
            )
        )
        return _UNREADABLE


def _split_top_level(data: Any, problems: list[Problem]) -> tuple[list[Any], str | None]:
    """The raw claims and the marketplace the list names (upper-cased), reporting what is wrong with the top level."""
    if isinstance(data, list):
        return data, None
    if not isinstance(data, dict):
        problems.append(
            Problem(
                "",
                f'The claim list must be an object {{"marketplace": …, "claims": [ … ]}} or a list of claims, '
                f"not {json_kind(data)}.",
            )
        )
        return [], None
    problems.extend(_duplicate_key_problems(data, ""))
    for key in data:
        if key not in _TOP_LEVEL_FIELDS:
            problems.append(Problem(key, _unknown_field_message(key, _TOP_LEVEL_FIELDS, "the claim list")))
    listed_code = None
    if "marketplace" in data and data["marketplace"] is not None:
        if isinstance(data["marketplace"], str) and data["marketplace"].strip():
            listed_code = data["marketplace"].strip().upper()
        else:
            problems.append(
                Problem(
                    "marketplace",
                    f'must be a marketplace code in quotes, like "US", not {json_kind(data["marketplace"])}.',
                )
            )
    if "$schema" in data and not isinstance(data["$schema"], str):
        problems.append(Problem("$schema", f"must be text in quotes, not {json_kind(data['$schema'])}."))
    if "claims" not in data:
        problems.append(Problem("claims", f"is missing — add {_FIELD_HELP['claims']}."))
        return [], listed_code
    if not isinstance(data["claims"], list):
        problems.append(Problem("claims", f"must be a list of claims in [ ], not {json_kind(data['claims'])}."))
        return [], listed_code
    return data["claims"], listed_code


@dataclass(slots=True)
class _FileVerdict:
    """What one attachment turned out to be: its type by content, and what is wrong with it."""

    kind: str | None
    problem: str | None
    judged: bool  # False when the file could not be looked at (missing, unreadable, not a file)


IMAGE_KINDS = ("JPEG", "PNG", "GIF")
ALLOWED_EXTENSIONS = {".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG", ".gif": "GIF", ".pdf": "PDF"}
_KIND_EXTENSION = {"JPEG": ".jpg", "PNG": ".png", "GIF": ".gif", "PDF": ".pdf"}
_MAGIC = (
    (b"\xff\xd8\xff", "JPEG"),
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"),
    (b"%PDF-", "PDF"),
)
_HEAD_BYTES = 512


def file_kind(head: bytes) -> str | None:
    """JPEG, PNG, GIF or PDF judged by the file's first bytes; None for anything else."""
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    return None


def _what_else(head: bytes) -> str:
    """A few words on what a file that is not an allowed type is, for the message."""
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "it is a WebP image"
    if head[4:8] == b"ftyp" and head[8:12] in (b"heic", b"heix", b"mif1", b"msf1", b"hevc"):
        return "it is a HEIC photo (the iPhone's own format)"
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return "it is a TIFF image"
    if head.startswith(b"PK\x03\x04"):
        return "it is a ZIP archive or an Office document"
    if b"\x00" not in head:
        try:
            head.decode("utf-8")
            return "it contains plain text"
        except UnicodeDecodeError as exc:
            if exc.start >= len(head) - 3:  # a character cut off by the head's end
                return "it contains plain text"
    return "its content is of a type Seller Central does not take"


class _ClaimChecker:
    """The rules for one claim at a time, with what the claims of one list share (marketplace, files, orders)."""

    def __init__(self, path: Path, code: str, market: Marketplace | None, today: date):
        self.code = code
        self.market = market
        self.today = today
        self.base = os.path.dirname(os.path.abspath(path))
        self.files: dict[str, _FileVerdict] = {}
        self.resolved: dict[str, tuple[str, Path]] = {}
        self.orders: dict[str, int] = {}

    def check(self, index: int, raw: Any) -> CheckedClaim:
        where = f"claims[{index}]"
        if not isinstance(raw, dict):
            problem = Problem(
                where,
                f"must be a claim: an object {{ … }} with order_id, reason, description and refund_date, "
                f"not {json_kind(raw)}.",
            )
            return CheckedClaim(index, "", None, [], None, [problem])
        order_id = raw.get("order_id")
        order_id = order_id.strip() if isinstance(order_id, str) else ""
        problems = _duplicate_key_problems(raw, where)
        failed: set[Any] = set()
        try:
            claim: Claim | None = Claim.model_validate(raw)
            fields: Any = claim
        except ValidationError as exc:
            claim = None
            errors = exc.errors(include_url=False)
            problems += _validation_problems(errors, where)
            failed = {err["loc"][0] for err in errors if err["loc"]}
            try:
                fields = _ClaimFields.model_validate({k: v for k, v in raw.items() if k not in failed})
            except ValidationError:  # pragma: no cover - the fields left passed Claim's own checks
                fields = _ClaimFields()
        if isinstance(raw.get("items"), list):
            for j, item in enumerate(raw["items"]):
                problems += _duplicate_key_problems(item, f"{where}.items[{j}]")

        self._order(index, fields, problems)
        self._description(where, fields, problems)
        self._reason_fields(where, fields, problems, failed)
        self._items(where, fields, problems)
        paths = self._attachments(where, fields, problems, failed)
        deadline = self._dates(where, fields, problems)
        if len(problems) > 1:
            problems.sort(key=_problem_rank)
        return CheckedClaim(index, order_id, claim, paths, deadline, problems, fields.reason)

    def _order(self, index: int, fields: Any, problems: list[Problem]) -> None:
        order_id = fields.order_id
        if order_id is None:
            return
        first = self.orders.setdefault(order_id, index)
        if first != index:
            problems.append(
                Problem(
                    f"claims[{index}].order_id",
                    f"order {order_id} is already claims[{first}]; an order can be claimed only once — "
                    "merge the two into one claim (list both items) or remove one.",
                )
            )

    def _description(self, where: str, fields: Any, problems: list[Problem]) -> None:
        text = fields.description
        if text is None or self.market is None:
            return
        limit = self.market.description_limit
        if len(text) > limit:
            problems.append(
                Problem(
                    f"{where}.description",
                    f"is {len(text):,} characters; the {self.code} limit is {limit:,} — shorten it.",
                )
            )

    def _reason_fields(self, where: str, fields: Any, problems: list[Problem], failed: set[Any]) -> None:
        reason: Reason | None = fields.reason
        if reason is None:
            return
        sub = fields.sub_reason
        if sub is not None and sub not in reason.sub_reasons:
            if reason.sub_reasons:
                allowed = " or ".join(f'"{s}"' for s in reason.sub_reasons)
                message = f'"{sub}" is not a sub-reason of {reason}; use {allowed} or null.'
            else:
                message = f'{reason} claims have no sub-reason on the form — set sub_reason to null (it is "{sub}").'
            problems.append(Problem(f"{where}.sub_reason", message))
        if "tracking_id" in failed:
            return
        if reason.needs_tracking_id and not fields.tracking_id:
            what = (
                "the replacement shipment"
                if reason is Reason.replacement_refunded
                else "the delivery the carrier shows as delivered"
            )
            problems.append(
                Problem(f"{where}.tracking_id", f"is required for {reason} claims — add the tracking ID of {what}.")
            )
        elif fields.tracking_id and not reason.needs_tracking_id:
            problems.append(
                Problem(
                    f"{where}.tracking_id",
                    f"is not used for {reason} claims (the form asks for it only for replacement_refunded and "
                    "delivered_not_received); it will not be filed — put it in the description if it matters.",
                    "warning",
                )
            )

    def _items(self, where: str, fields: Any, problems: list[Problem]) -> None:
        items = fields.items
        if not items:
            return
        first_seen: dict[str, int] = {}
        for j, item in enumerate(items):
            first = first_seen.setdefault(item.asin, j)
            if first != j:
                problems.append(
                    Problem(
                        f"{where}.items[{j}].asin",
                        f"{item.asin} is already items[{first}] of this claim — list each ASIN once, "
                        "with the total quantity.",
                    )
                )

    def _attachments(self, where: str, fields: Any, problems: list[Problem], failed: set[Any]) -> list[Path]:
        names: list[str] | None = fields.attachments
        if names is None:
            return []
        market = self.market
        if market is not None and len(names) > market.max_attachments:
            problems.append(
                Problem(
                    f"{where}.attachments",
                    f"lists {len(names)} files; the {self.code} form takes at most {market.max_attachments} "
                    "— keep the strongest evidence.",
                )
            )
        paths: list[Path] = []
        seen: dict[str, int] = {}
        photos = 0
        all_judged = True
        for j, name in enumerate(names):
            field_path = f"{where}.attachments[{j}]"
            if not name.strip():
                problems.append(
                    Problem(
                        field_path,
                        "is empty — give the file's path relative to the claims file, like evidence/item.jpg.",
                    )
                )
                all_judged = False
                continue
            resolved = self.resolved.get(name)
            if resolved is None:  # lists share evidence files: resolve each name once
                full = os.path.normpath(os.path.join(self.base, name))
                resolved = self.resolved[name] = (full, Path(full))
            full = resolved[0]
            paths.append(resolved[1])
            first = seen.setdefault(full, j)
            if first != j:
                problems.append(Problem(field_path, f"{name} is already attachments[{first}] — attach each file once."))
                continue
            verdict = self.files.get(full)
            if verdict is None:
                verdict = self.files[full] = self._judge(name, full)
            if verdict.problem:
                problems.append(Problem(field_path, verdict.problem))
            all_judged = all_judged and verdict.judged
            photos += verdict.kind in IMAGE_KINDS
        reason = fields.reason
        if reason is not None and reason.needs_photos and not photos and all_judged:
            if names:
                found = ", ".join(sorted({self.files[str(p)].kind or "?" for p in paths}))
                message = (
                    f"has no photo ({found} only); {reason} claims need at least one photo (JPEG, PNG or GIF) "
                    "of the returned item — add one."
                )
            else:
                message = (
                    f"is empty; {reason} claims need at least one photo (JPEG, PNG or GIF) of the returned item "
                    "and its packaging — add one."
                )
            problems.append(Problem(f"{where}.attachments", message))
        return paths

    def _judge(self, name: str, full: str) -> _FileVerdict:
        """Look at one attachment: stat first (never open a FIFO or a device), then its first bytes."""
        try:
            st = os.stat(full)
        except FileNotFoundError:
            return _FileVerdict(
                None,
                f"{name} was not found (looked for {full}) — paths are relative to the claims file's folder.",
                False,
            )
        except NotADirectoryError:
            return _FileVerdict(
                None, f"{name} was not found: part of its path is a file, not a folder ({full}).", False
            )
        except OSError as exc:
            return _FileVerdict(None, f"{name} cannot be read ({exc.strerror}) — check its permissions.", False)
        if stat.S_ISDIR(st.st_mode):
            return _FileVerdict(None, f"{name} is a folder, not a file — list the files in it one by one.", False)
        if not stat.S_ISREG(st.st_mode):
            what = (
                "a named pipe" if stat.S_ISFIFO(st.st_mode) else "a socket" if stat.S_ISSOCK(st.st_mode) else "a device"
            )
            return _FileVerdict(None, f"{name} is {what}, not a regular file — attach a saved photo or PDF.", False)
        market = self.market
        if market is not None and st.st_size > market.max_attachment_bytes:
            return _FileVerdict(
                None,
                f"{name} is {st.st_size / 1024 / 1024:.1f} MB; the {self.code} form takes files up to "
                f"{market.max_attachment_mb:g} MB — resize or compress it.",
                False,
            )
        if st.st_size == 0:
            return _FileVerdict(None, f"{name} is empty (0 bytes) — save the photo or document again.", False)
        try:
            with open(full, "rb") as f:
                head = f.read(_HEAD_BYTES)
        except OSError as exc:
            return _FileVerdict(None, f"{name} cannot be read ({exc.strerror}) — check its permissions.", False)
        kind = file_kind(head)
        extension = os.path.splitext(name)[1].lower()
        named = ALLOWED_EXTENSIONS.get(extension)
        if kind is None:
            if named:
                return _FileVerdict(
                    None,
                    f"{name} is not a {named} file as its name says: {_what_else(head)}. "
                    "Attach the real photo or document (JPEG, PNG, GIF or PDF).",
                    True,
                )
            return _FileVerdict(
                None, f"{name}: {_what_else(head)}; Seller Central takes only JPEG, PNG, GIF and PDF files.", True
            )
        if named != kind:
            stem = os.path.splitext(os.path.basename(name))[0]
            called = f"named {extension}" if extension else "named without an extension"
            return _FileVerdict(
                kind,
                f"{name} is a {kind} file but {called} — rename it to {stem}{_KIND_EXTENSION[kind]} "
                "(or attach the file you meant).",
                True,
            )
        return _FileVerdict(kind, None, True)

    def _dates(self, where: str, fields: Any, problems: list[Problem]) -> date | None:
        refunded: date | None = fields.refund_date
        delivered: date | None = fields.return_delivered_date
        today = self.today
        future = False
        for name, value in (("refund_date", refunded), ("return_delivered_date", delivered)):
            if value is not None and value > today:
                future = True
                problems.append(
                    Problem(f"{where}.{name}", f"{value} is in the future (today is {today}) — check the date.")
                )
        if refunded is None:
            return None
        if delivered is not None and delivered < refunded:
            # Unusual (Amazon refunds at the return's first scan, before delivery) but possible: the deadline
            # counts from the later date either way, so this is a warning about a likely typo, not a block.
            problems.append(
                Problem(
                    f"{where}.return_delivered_date",
                    f"{delivered} is before the refund_date {refunded} — check both dates.",
                    "warning",
                )
            )
        market = self.market
        if market is None:
            return None
        start, start_field = refunded, "refund_date"
        since = "the refund"
        if delivered is not None and delivered > refunded:
            start, start_field, since = delivered, "return_delivered_date", "the return was delivered"
        earliest = refunded + timedelta(days=market.earliest_days_after_refund)
        if earliest > start:
            # A marketplace that makes the seller wait (UAE: day 21, then 7 days) opens its window after the wait;
            # counted from the refund, such a window would close before a claim could ever be filed.
            start, start_field, since = earliest, "refund_date", "the first day a claim is taken"
        deadline = start + timedelta(days=market.filing_window_days)
        if future:
            return deadline
        days_left = (deadline - today).days
        if days_left < 0:
            problems.append(
                Problem(
                    f"{where}.{start_field}",
                    f"The filing window closed on {deadline} ({market.filing_window_days} days after {since} on "
                    f"{start}); Amazon no longer takes a SAFE-T claim for this order — remove it from the list.",
                )
            )
        elif days_left <= CLOSING_SOON_DAYS:
            when = {0: "today", 1: "tomorrow"}.get(days_left, f"in {days_left} days")
            problems.append(
                Problem(
                    f"{where}.{start_field}",
                    f"The filing window closes {when} ({deadline}) — file this claim first.",
                    "warning",
                )
            )
        if today < earliest:
            problems.append(
                Problem(
                    f"{where}.refund_date",
                    f"is too recent: {self.code} takes a claim only from {earliest} "
                    f"({market.earliest_days_after_refund} days after the refund) — file it from then on.",
                )
            )
        return deadline


def _problem_rank(problem: Problem) -> tuple[int, int]:
    """Errors before warnings, then in the order the fields come in a claim."""
    parts = problem.field.split(".")
    name = parts[1].split("[")[0] if len(parts) > 1 else ""
    return (problem.severity != "error", _FIELD_RANK.get(name, len(_FIELD_RANK)))


def _validation_problems(errors: list[Any], where: str) -> list[Problem]:
    """Pydantic's errors for one claim, as sentences a seller understands."""
    problems = []
    for err in errors:
        loc = err["loc"]
        field_path = where + "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in loc)
        name = next((part for part in reversed(loc) if isinstance(part, str)), "")
        kind = err["type"]
        value = err.get("input")
        if kind == "extra_forbidden":
            in_item = len(loc) > 1 and loc[0] == "items"
            message = _unknown_field_message(
                name, _ITEM_FIELDS if in_item else _CLAIM_FIELDS, "an item" if in_item else "a claim"
            )
        elif kind == "missing":
            message = f"is missing — add {_FIELD_HELP.get(name, 'it')}."
        elif kind == "enum":
            if isinstance(value, str):
                close = difflib.get_close_matches(value, list(Reason), n=1)
                maybe = f' — did you mean "{close[0]}"?' if close else "."
                message = f'"{value}" is not a claim reason{maybe} The reasons are: {", ".join(Reason)}.'
            else:
                message = f"must be a claim reason in quotes ({', '.join(Reason)}), not {json_kind(value)}."
        elif kind in _EXPECTED:
            message = f"must be {_EXPECTED[kind]}, not {json_kind(value)}."
        elif kind in ("order_id", "asin", "quantity", "description_empty", "items_empty") or kind.startswith("date_"):
            message = err["msg"]
        else:
            message = f"{err['msg']}."
        problems.append(Problem(field_path, message))
    return problems


def _unknown_field_message(name: str, known: tuple[str, ...], owner: str) -> str:
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    if close:
        return f'is not a field of {owner} — did you mean "{close[0]}"?'
    return f"is not a field of {owner}; its fields are {', '.join(known)}."


def json_kind(value: Any) -> str:
    """How a JSON value reads in a message: `the text "2"`, `the number 3`, `null`, `a list`."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "…"
        return f'the text "{shown}"'
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


# --- fingerprint ------------------------------------------------------------------------------------------------


def fingerprint(checked: CheckedClaim) -> str:
    """sha256 (hex) of the claim as it would be filed: its fields as canonical JSON, each attachment by content.

    Item and attachment order do not change what is filed, so both are sorted; a tracking ID counts only
    for the reasons whose form asks for one.
    """
    claim = checked.claim
    if claim is None:
        raise ValueError(f"{checked.label} did not pass the checks; it has no fingerprint.")
    filed = {
        "order_id": claim.order_id,
        "reason": claim.reason.value,
        "sub_reason": claim.sub_reason or default_sub_reason(claim.reason),
        "items": sorted([item.asin, item.quantity] for item in claim.items) if claim.items is not None else None,
        "description": claim.description,
        "attachments": sorted(_file_sha256(path) for path in checked.attachment_paths),
        "tracking_id": claim.tracking_id if claim.reason.needs_tracking_id else None,  # the form asks for no other
        "refund_date": claim.refund_date.isoformat(),
        "return_delivered_date": claim.return_delivered_date.isoformat() if claim.return_delivered_date else None,
    }
    text = json.dumps(filed, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _file_sha256(path: Path) -> str:
    st = os.stat(path)
    return _cached_sha256(str(path), st.st_size, st.st_mtime_ns)


@functools.lru_cache(maxsize=1024)
def _cached_sha256(path: str, size: int, mtime_ns: int) -> str:
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()
