"""Reading Playwright's ARIA snapshots (`aria_snapshot()`, YAML): the role and accessible name of each node."""

from __future__ import annotations

import json
import re

# `- button "Check eligibility" [disabled]:`; YAML single-quotes the key when it holds a colon or a quote.
_NODE = re.compile(r'^(?P<role>[a-z]+)(?: (?P<name>"(?:[^"\\]|\\.)*"))?')


def nodes(snapshot: str) -> list[tuple[str, str]]:
    """(role, accessible name) of each node of the snapshot, in document order; "" for a node without a name."""
    found = []
    for line in snapshot.splitlines():
        item = line.strip()
        if not item.startswith("- "):
            continue
        key = item[2:]
        if key.startswith("'"):
            end = key.find("'", 1)
            while end != -1 and key[end : end + 2] == "''":
                end = key.find("'", end + 2)
            key = key[1:end].replace("''", "'") if end != -1 else key[1:]
        match = _NODE.match(key)
        if match is None:  # properties such as `/url:`
            continue
        name = match.group("name")
        found.append((match.group("role"), json.loads(name) if name else ""))
    return [(role, name) for role, name in found if role != "text"]  # `- text: …` is text, not a node


def names_of(snapshot: str, role: str) -> list[str]:
    """The distinct accessible names of the nodes of `role`, in document order (nameless ones left out)."""
    names: list[str] = []
    for node_role, name in nodes(snapshot):
        if node_role == role and name and name not in names:
            names.append(name)
    return names
