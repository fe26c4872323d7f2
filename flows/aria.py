"""What a page shows, as Playwright's ARIA snapshot of it: the snapshot's YAML parsed into a tree of roles and names,
and the one rule for matching a name (regardless of case and surrounding white space). No Playwright import.

One `aria_snapshot()` of the page is a single round trip that sees through open shadow roots and leaves out what
is hidden; reading the page from it does not depend on the site's markup, ids or layout.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

LANDMARKS_AROUND = ("banner", "navigation", "contentinfo", "complementary")  # the site's frame, not a step's content


def same_name(shown: str, wanted: str) -> bool:
    """Whether an accessible name the page shows is the name looked for (any case, any surrounding white space)."""
    return " ".join(shown.split()).casefold() == " ".join(wanted.split()).casefold()


def contains_name(shown: str, wanted: str) -> bool:
    """Whether a text the page shows contains the words looked for (any case and spacing)."""
    return " ".join(wanted.split()).casefold() in " ".join(shown.split()).casefold()


def spaced(text: str) -> str:
    """A text with its white space as a person reads it: single spaces, none at the ends."""
    return " ".join(text.split())


def lookup(record: dict[str, str], key: str) -> str:
    """The value of a {label: value} record under `key`, its label matched as names are; "" when absent."""
    return next((v for k, v in record.items() if same_name(k, key)), "")


def name_pattern(wanted: str) -> re.Pattern[str]:
    """The same rule as `same_name`, for Playwright's `name=` and `has_text=` arguments."""
    words = r"\s+".join(re.escape(w) for w in wanted.split())
    return re.compile(rf"^\s*{words}\s*$", re.IGNORECASE)


@dataclass
class Node:
    """One node of the accessibility tree: its role, accessible name, states ([checked], [disabled], …), the value or
    text shown after it (a text box's value, a combobox's choice, a paragraph's text) and its children."""

    role: str
    name: str = ""
    states: frozenset[str] = frozenset()  # as the snapshot writes them: "checked", "disabled", "level=2"
    value: str | None = None
    children: list[Node] = field(default_factory=list)

    @property
    def checked(self) -> bool:
        return "checked" in self.states

    @property
    def disabled(self) -> bool:
        return "disabled" in self.states

    def walk(self, *, skip: tuple[str, ...] = ()) -> Iterator[Node]:
        """This node and every node under it, in page order, leaving out the subtrees of the roles in `skip`."""
        yield self
        for child in self.children:
            if child.role not in skip:
                yield from child.walk(skip=skip)

    def all(self, role: str, name: str | None = None, *, skip: tuple[str, ...] = ()) -> list[Node]:
        """Every node of `role` under this one (named `name`, when given)."""
        return [
            n
            for n in self.walk(skip=skip)
            if n is not self and n.role == role and (name is None or same_name(n.name, name))
        ]

    def first(self, role: str, name: str | None = None, *, skip: tuple[str, ...] = ()) -> Node | None:
        found = self.all(role, name, skip=skip)
        return found[0] if found else None

    def names(self, role: str) -> list[str]:
        """The names the page shows of a role, once each, in page order (for saying what the page offers)."""
        shown: list[str] = []
        for n in self.all(role):
            if n.name and n.name not in shown:
                shown.append(n.name)
        return shown

    def text(self) -> str:
        """All the text shown in this node: its value, or its own text and its children's, or else its name."""
        if self.value is not None and not self.children:
            return self.value
        if not self.children:
            return self.name if self.role != "text" else (self.value or "")
        parts = [self.value] if self.value else []
        parts += [c.text() for c in self.children if c.role not in ("textbox", "combobox", "spinbutton")]
        return " ".join(p for p in parts if p)


def parse_snapshot(yaml: str) -> Node:
    """The tree of an ARIA snapshot (as `locator.aria_snapshot()` renders it), under a root of role "page"."""
    root = Node("page")
    stack: list[tuple[int, Node]] = [(-1, root)]
    for line in yaml.splitlines():
        match = re.match(r"^( *)- (.*)$", line)
        if not match:
            continue
        depth, rest = len(match.group(1)), match.group(2)
        while stack[-1][0] >= depth:
            stack.pop()
        parent = stack[-1][1]
        if rest.startswith("/"):  # a property such as /url: or /placeholder:
            continue
        node = _node(rest)
        parent.children.append(node)
        stack.append((depth, node))
    return root


_KEY = re.compile(r'^(?P<role>[a-z]+)(?: (?P<name>"(?:[^"\\]|\\.)*"))?(?P<states>(?: \[[^\]]*\])*)$')


def _node(rest: str) -> Node:
    if rest.startswith("'"):  # the whole key is single-quoted when it holds ": " or the like ('' is a quote)
        end = _single_quoted_end(rest)
        key, after = rest[1:end].replace("''", "'"), rest[end + 1 :]
    elif rest.startswith('"'):
        end = _quoted_end(rest)
        key, after = _unquote(rest[: end + 1]), rest[end + 1 :]
    else:
        cut = rest.find(": ")
        if cut < 0:
            key, after = (rest[:-1], ":") if rest.endswith(":") else (rest, "")
        else:
            key, after = rest[:cut], rest[cut:]
    value = after[2:] if after.startswith(": ") else None
    if value is not None and value.startswith('"'):
        value = _unquote(value)
    if key == "text":
        return Node("text", value=value or "")
    found = _KEY.match(key)
    if not found:
        return Node("unknown", name=key, value=value)
    name = json.loads(found.group("name")) if found.group("name") else ""
    states = frozenset(re.findall(r"\[([^\]]*)\]", found.group("states") or ""))  # "checked", "level=2", …
    return Node(found.group("role"), name=name, states=states, value=value)


def _single_quoted_end(text: str) -> int:
    i = 1
    while i < len(text):
        if text[i] == "'":
            if text[i + 1 : i + 2] == "'":
                i += 2
                continue
            return i
        i += 1
    return len(text) - 1


def _quoted_end(text: str) -> int:
    i = 1
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text[i] == '"':
            return i
        i += 1
    return len(text) - 1


def _unquote(quoted: str) -> str:
    """A double-quoted YAML scalar as Playwright writes it (JSON escapes, and \\xNN)."""
    body = re.sub(r"\\x([0-9a-fA-F]{2})", r"\\u00\1", quoted)
    try:
        return str(json.loads(body))
    except json.JSONDecodeError:
        return quoted.strip('"')


def nodes(snapshot: str) -> list[tuple[str, str]]:
    """(role, accessible name) of each node of a snapshot, in page order; "" for a node without a name."""
    return [(n.role, n.name) for n in parse_snapshot(snapshot).walk() if n.role not in ("page", "text")]


def names_of(snapshot: str, role: str) -> list[str]:
    """The distinct accessible names a snapshot shows of `role`, in page order (nameless ones left out)."""
    return parse_snapshot(snapshot).names(role)
