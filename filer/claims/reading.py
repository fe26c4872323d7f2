"""Reading claims.json: the file as JSON (errors with line and column, keys written twice) and its top-level shape."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from safet_filer.claims.sentences import FIELD_HELP, Problem, json_kind, unknown_field_message

UNREADABLE = object()  # what `read_json` gives back for a file that is no JSON at all
TOP_LEVEL_FIELDS = ("$schema", "marketplace", "claims")


class _DuplicateKeys(dict):
    """A JSON object that named a key twice (json.loads keeps the last silently; a typo must not pass)."""

    duplicates: list[str]


def _object_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        obj = _DuplicateKeys(obj)
        seen: set[str] = set()
        obj.duplicates = []
        for key, _ in pairs:
            if key in seen:
                obj.duplicates.append(key)
            seen.add(key)
    return obj


def duplicate_key_problems(obj: Any, where: str) -> list[Problem]:
    """A problem for each key the JSON object `obj` (read by `read_json`) wrote twice."""
    if type(obj) is not _DuplicateKeys:
        return []
    return [
        Problem(
            f"{where}.{key}" if where else key,
            "is written twice in the same object; only the last one would count — keep one.",
        )
        for key in dict.fromkeys(obj.duplicates)
    ]


def read_json(path: Path, problems: list[Problem]) -> Any:
    """The parsed file, or UNREADABLE with the reason added to `problems`."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        problems.append(
            Problem("", f"{path} does not exist — check the path, or write an example with `safet-filer example DIR`.")
        )
        return UNREADABLE
    except IsADirectoryError:
        problems.append(Problem("", f"{path} is a folder — give the claims file in it, like {path / 'claims.json'}."))
        return UNREADABLE
    except OSError as exc:
        problems.append(Problem("", f"{path} cannot be read ({exc.strerror}) — check its permissions."))
        return UNREADABLE
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        problems.append(Problem("", f"{path} is not UTF-8 text (bad byte at offset {exc.start}) — save it as UTF-8."))
        return UNREADABLE
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
        return UNREADABLE


def split_top_level(data: Any, problems: list[Problem]) -> tuple[list[Any], str | None]:
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
    problems.extend(duplicate_key_problems(data, ""))
    for key in data:
        if key not in TOP_LEVEL_FIELDS:
            problems.append(Problem(key, unknown_field_message(key, TOP_LEVEL_FIELDS, "the claim list")))
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
        problems.append(Problem("claims", f"is missing — add {FIELD_HELP['claims']}."))
        return [], listed_code
    if not isinstance(data["claims"], list):
        problems.append(Problem("claims", f"must be a list of claims in [ ], not {json_kind(data['claims'])}."))
        return [], listed_code
    return data["claims"], listed_code
