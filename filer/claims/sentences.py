"""What a check finds and how it is said: `Problem`, the help for each field, and pydantic's errors as sentences.

Every message names what is wrong and what to do next; `describe` prefixes it with the claim and the field.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any, Literal

from safet_filer.claims.reasons import Reason

Severity = Literal["error", "warning"]


@dataclass(slots=True)
class Problem:
    """One thing wrong (error) or worth knowing (warning) about a claim list, at `field` (like claims[3].items[0])."""

    field: str
    message: str
    severity: Severity = "error"

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "message": self.message, "severity": self.severity}


FIELD_HELP = {
    "order_id": 'the Amazon order ID, like "113-1234567-1234567"',
    "reason": "the claim reason (" + ", ".join(Reason) + ")",
    "description": "a sentence or two saying what happened",
    "refund_date": 'the day Amazon refunded the buyer, like "2026-11-20"',
    "asin": 'the item\'s ASIN, like "B07XJ8C8F5"',
    "quantity": "the number of units to claim, like 1",
    "claims": 'the list of claims: "claims": [ … ]',
}
# Error types whose message the model writes as a whole sentence (claims/model.py).
_OWN_SENTENCES = frozenset(
    {"order_id", "asin", "quantity", "description_empty", "items_empty", "currency", "draft_version"}
)
_EXPECTED = {
    "string_type": "text in quotes",
    "int_type": "a whole number",
    "list_type": "a list in [ ]",
    "model_type": "an object in { }",
    "dict_type": "an object in { }",
    "model_attributes_type": "an object in { }",
    "bool_type": "true or false",
}


def validation_problems(
    errors: list[Any], where: str, *, claim_fields: tuple[str, ...], item_fields: tuple[str, ...]
) -> list[Problem]:
    """Pydantic's errors for one claim, as sentences a seller understands.

    `claim_fields` and `item_fields` are the model's field names, offered when a field is unknown.
    """
    problems = []
    for err in errors:
        loc = err["loc"]
        field_path = where + "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in loc)
        name = next((part for part in reversed(loc) if isinstance(part, str)), "")
        kind = err["type"]
        value = err.get("input")
        if kind == "extra_forbidden":
            in_item = len(loc) > 1 and loc[0] == "items"
            message = unknown_field_message(
                name, item_fields if in_item else claim_fields, "an item" if in_item else "a claim"
            )
        elif kind == "missing":
            message = f"is missing — add {FIELD_HELP.get(name, 'it')}."
        elif kind == "enum":
            if isinstance(value, str):
                close = difflib.get_close_matches(value, list(Reason), n=1)
                maybe = f' — did you mean "{close[0]}"?' if close else "."
                message = f'"{value}" is not a claim reason{maybe} The reasons are: {", ".join(Reason)}.'
            else:
                message = f"must be a claim reason in quotes ({', '.join(Reason)}), not {json_kind(value)}."
        elif kind in _EXPECTED:
            message = f"must be {_EXPECTED[kind]}, not {json_kind(value)}."
        elif kind in _OWN_SENTENCES or kind.startswith(("date_", "amount_")):
            message = err["msg"]
        else:
            message = f"{err['msg']}."
        problems.append(Problem(field_path, message))
    return problems


def unknown_field_message(name: str, known: tuple[str, ...], owner: str) -> str:
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
