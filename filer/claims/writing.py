"""Writing a claim list back after some of its claims changed: every other byte of the file stays as it was.

The claims a change did not touch keep their text (spacing, key order, escapes), the rest of the file too
(`$schema`, the marketplace, whatever else it holds); a changed claim is written in the style of the one it
replaces. Where the file's shape defeats that, the whole list is written out again, same keys, values and order.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

_SPACE = re.compile(r"[ \t\n\r]*")


def rewritten(text: str, changes: dict[int, Any | None]) -> str:
    """`text`, a claim list as read, with claim i replaced by `changes[i]`, or removed where that is None."""
    data = json.loads(text)
    claims = data if isinstance(data, list) else data["claims"]
    expected = [changes.get(i, claim) for i, claim in enumerate(claims) if changes.get(i, claim) is not None]
    if isinstance(data, list):
        whole: Any = expected
    else:
        whole = {**data, "claims": expected}
    try:
        array = _claims_array(text)
    except (ValueError, IndexError):
        array = None
    if array is not None and len(array.spans) == len(claims):
        spliced = _splice(text, array, changes)
        if json.loads(spliced) == whole:  # the splice is only kept when it says exactly what was meant
            return spliced
    return json.dumps(whole, indent=2, ensure_ascii=False) + "\n"


@dataclass
class _Array:
    opens: int  # the index of its [
    closes: int  # the index of its ]
    spans: list[tuple[int, int]]  # each claim's text: start, end


def _splice(text: str, array: _Array, changes: dict[int, Any | None]) -> str:
    spans = array.spans
    kept: list[tuple[str, str]] = []  # (what came before it, its text)
    for i, (start, end) in enumerate(spans):
        if i in changes and changes[i] is None:
            continue
        before = text[spans[i - 1][1] : start] if i else text[array.opens + 1 : start]
        body = text[start:end] if i not in changes else _in_style_of(text, start, end, changes[i])
        kept.append((before, body))
    if not kept:
        return text[: array.opens + 1] + text[array.closes :]
    lead = text[array.opens + 1 : spans[0][0]]
    middle = kept[0][1] + "".join(before + body for before, body in kept[1:])
    return text[: array.opens + 1] + lead + middle + text[spans[-1][1] : array.closes] + text[array.closes :]


def _in_style_of(text: str, start: int, end: int, claim: Any) -> str:
    """`claim` as JSON indented like the claim it replaces (or on one line, if that one was)."""
    old = text[start:end]
    escaped = old.isascii() and "\\u" in old  # written with \u escapes for what is not ASCII
    if "\n" not in old:
        return json.dumps(claim, ensure_ascii=escaped)
    line_start = text.rfind("\n", 0, start) + 1
    margin = text[line_start:start] if not text[line_start:start].strip() else ""
    second = old.split("\n", 2)[1]
    step = max(1, len(second) - len(second.lstrip(" \t")) - len(margin))
    return json.dumps(claim, indent=step, ensure_ascii=escaped).replace("\n", "\n" + margin)


def _claims_array(text: str) -> _Array | None:
    """Where the list's claims are in `text`: the top-level array, or the array under "claims" (the last one, as
    JSON counts only the last of a key written twice)."""
    decoder = json.JSONDecoder()
    i = _skip(text, 0)
    if text[i] == "[":
        return _array(text, i, decoder)
    if text[i] != "{":
        return None
    found = None
    i = _skip(text, i + 1)
    while text[i] != "}":
        key, i = decoder.raw_decode(text, i)
        i = _skip(text, i)
        if text[i] != ":":
            return None
        i = _skip(text, i + 1)
        if key == "claims" and text[i] == "[":
            found = _array(text, i, decoder)
            i = found.closes + 1
        else:
            _, i = decoder.raw_decode(text, i)
        i = _skip(text, i)
        if text[i] == ",":
            i = _skip(text, i + 1)
    return found


def _array(text: str, i: int, decoder: json.JSONDecoder) -> _Array:
    opens = i
    spans = []
    i = _skip(text, i + 1)
    while text[i] != "]":
        _, end = decoder.raw_decode(text, i)
        spans.append((i, end))
        i = _skip(text, end)
        if text[i] == ",":
            i = _skip(text, i + 1)
        elif text[i] != "]":
            raise ValueError(f"unexpected {text[i]!r} at {i}")
    return _Array(opens, i, spans)


def _skip(text: str, i: int) -> int:
    match = _SPACE.match(text, i)
    assert match is not None  # the pattern matches the empty string
    return match.end()
