"""Writing a label the person taught the tool into their TOML settings file, the rest of the file kept as it was.

No TOML writer is needed for one `name = "word"` line under `[labels]`: the line is added or replaced as text, and
the result is read back with tomllib and must hold exactly what it held before plus the new word, or nothing is
written (the person is then shown the line to add by hand).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tomllib
from pathlib import Path
from typing import Any

from safet_filer.errors import InvalidInput
from safet_filer.flows.labels import check_overrides
from safet_filer.private import make_private_dir, write_private_file

_HEADER = re.compile(r"^\s*\[\s*labels\s*\]\s*(#.*)?$")
_ANY_HEADER = re.compile(r"^\s*\[")
_KEY = re.compile(r'^\s*(?P<key>[A-Za-z0-9_-]+|"[^"\\]*")\s*=')


def label_line(name: str, word: str) -> str:
    """The TOML line that sets label `name` to `word` (a JSON string is a valid TOML basic string)."""
    return f"{name} = {json.dumps(word, ensure_ascii=False)}"


def save_label(path: Path, name: str, word: str) -> None:
    """Set `[labels] name = word` in the settings file at `path`, creating it (0600, its folder 0700) when missing.
    InvalidInput, with the line to add by hand, when the file cannot be changed safely."""
    line = label_line(name, word)
    if not path.exists():
        make_private_dir(path.parent)
        write_private_file(path, f"[labels]\n{line}\n")
        return
    try:
        text = path.read_text(encoding="utf-8")
        before = tomllib.loads(text)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise _cannot(path, line, f"it cannot be read as TOML: {exc}") from None
    changed = _with_label(text, name, line)
    if not _holds(changed, before, name, word):
        raise _cannot(path, line, "its [labels] table is written in a form this tool does not edit")
    spare = path.with_name(path.name + ".new")
    write_private_file(spare, changed)
    shutil.copymode(path, spare)  # the person's file keeps its permissions
    os.replace(spare, path)


def _with_label(text: str, name: str, line: str) -> str:
    """`text` with the label's line replaced, added under `[labels]`, or a `[labels]` table appended (which does
    not read back when the labels are set some other way: an inline table, dotted keys)."""
    lines = text.splitlines(keepends=True)
    header = next((n for n, t in enumerate(lines) if _HEADER.match(t)), None)
    if header is None:
        return text + ("" if text.endswith("\n") or not text else "\n") + f"\n[labels]\n{line}\n"
    end = next((n for n in range(header + 1, len(lines)) if _ANY_HEADER.match(lines[n])), len(lines))
    for n in range(header + 1, end):
        key = _KEY.match(lines[n])
        if key and _same_name(key.group("key").strip('"'), name):
            lines[n] = line + "\n"
            return "".join(lines)
    lines.insert(header + 1, line + "\n")
    return "".join(lines)


def _same_name(key: str, name: str) -> bool:
    return key.strip().casefold().replace("-", "_") == name


def _holds(text: str, before: dict[str, Any], name: str, word: str) -> bool:
    """Whether `text` holds what the file held before, with label `name` now `word`."""
    try:
        after = tomllib.loads(text)
        labels_after = check_overrides(after.get("labels", {}))
        labels_before = check_overrides(before.get("labels", {}))
    except (tomllib.TOMLDecodeError, ValueError):
        return False
    rest_same = {k: v for k, v in after.items() if k != "labels"} == {k: v for k, v in before.items() if k != "labels"}
    return rest_same and labels_after == {**labels_before, name: word}


def _cannot(path: Path, line: str, why: str) -> InvalidInput:
    return InvalidInput(
        f"The word could not be saved in {path}: {why}.",
        f"Add this line under [labels] in that file yourself: {line}",
    )
