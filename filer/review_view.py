"""`safet-filer review` at the terminal: one compact panel per drafted claim, and a single key for each decision.

At a terminal a key acts at once (no Enter); without one (a pipe, a script), each line read is a key. The
decisions themselves are made by `review.Review`; this module shows and asks.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from safet_filer.claims import CheckedClaim, Reason, file_kind
from safet_filer.money import money_text
from safet_filer.review import Decision, Review

if TYPE_CHECKING:
    from rich.console import Console, RenderableType

ENTER = "\r"
KEYS = "[a/⏎] approve  [r] reason  [e] description  [s] skip  [d] drop  [u] undo  [q] save and quit"
_REASONS = list(Reason)  # the menu's numbers: 1 is damaged … 9 is restocking_fee, always the same
_SIGNATURE_BYTES = 16


class Keys:
    """Single keys from the person: at a terminal one keypress each, otherwise one line each ("" is Enter)."""

    def __init__(self, at_terminal: bool | None = None):
        self.at_terminal = sys.stdin.isatty() if at_terminal is None else at_terminal
        self._ahead = ""  # keys typed faster than they were asked for

    def key(self) -> str:
        """The next key, lower-cased; Enter is ENTER. EOFError when input has ended."""
        if not self._ahead:
            if self.at_terminal:
                typed = click.getchar()
                if typed.startswith("\x1b"):  # an arrow or function key: no decision
                    return ""
                self._ahead = typed
            else:
                line = sys.stdin.readline()
                if not line:
                    raise EOFError
                self._ahead = line.strip()[:1] or ENTER
        key, self._ahead = self._ahead[0], self._ahead[1:]
        return ENTER if key in "\r\n" else key.lower()

    def line(self, prompt: str, console: Console) -> str:
        """A whole line of text (the terminal echoing it), for an inline description."""
        from rich.text import Text

        self._ahead = ""
        return console.input(Text(prompt))


def run_review(review: Review, console: Console, keys: Keys, edit: Callable[[str, str], str | None]) -> bool:
    """Put each claim of `review` to the person until the end or a quit; False when they quit early.

    `edit(text, heading)` edits a description and gives back the new text (None: unchanged).
    """
    if review.done:
        return True
    total = len(review.queue)
    shown = -1
    while not review.done:
        if shown != review.position:
            console.print(panel(review, total))
            shown = review.position
        _say(console, KEYS, "dim")
        try:
            key = keys.key()
        except EOFError:
            return False
        if key in ("a", ENTER):
            refusal = review.approve()
            if refusal:
                _say(console, "Not approved: it stays a draft.", "red")
                for sentence in refusal.sentences:
                    _say(console, f"  ✗ {sentence}", "red")
            else:
                _say(console, f"✓ Approved {_label(review, -1)}.", "green")
        elif key == "r":
            chosen = _choose_reason(review, console, keys)
            if chosen is not None:
                review.set_reason(chosen)
                shown = -1
        elif key == "e":
            text = _edit_description(review, console, keys, edit)
            if text is not None:
                review.set_description(text)
                shown = -1
        elif key == "s":
            review.skip()
            _say(console, f"Skipped {_label(review, -1)}: it stays a draft.", "yellow")
        elif key == "d":
            review.drop()
            _say(
                console, f"Dropped {_label(review, -1)}: it leaves the list when it is written (u undoes it).", "yellow"
            )
        elif key == "u":
            if review.undo():
                _say(console, "Undone: back to the claim before.", "cyan")
                shown = -1
            else:
                _say(console, "Nothing to undo yet.", "dim")
        elif key == "q":
            return False
        elif key:
            _say(console, f"{key!r} does nothing here.", "dim")
    return True


def panel(review: Review, total: int) -> RenderableType:
    """The claim under review: deadline, money, items, the report's facts, the suggestion, evidence, description."""
    from rich.panel import Panel
    from rich.table import Table
    from rich.text import Text

    claim, checked = review.claim, review.checked
    note: dict[str, Any] = claim.get("draft") or {}
    report = note.get("report") or {}
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column()
    grid.add_row("Deadline", _deadline(checked))
    grid.add_row("Refunded", money_text(checked.refunded_amount, checked.currency))
    grid.add_row("Items", _items(claim, report))
    facts = note.get("facts") or {}
    if facts:
        grid.add_row("Report", " · ".join(f"{name} {value if value else '(empty)'}" for name, value in facts.items()))
    suggested = note.get("suggested_reason")
    if suggested:
        grid.add_row("Suggests", Text.assemble((suggested, "green"), " — ", note.get("why", "")))
    elif note.get("why"):
        instead = "your inspection" if note.get("needs_inspection") else "no reason"
        grid.add_row("Suggests", Text.assemble((instead, "yellow"), " — ", note.get("why", "")))
    reason = review.reason
    grid.add_row("Reason", Text(reason.value, "bold green") if reason else Text("none yet — press r", "yellow"))
    settled = {name for name in ("reason", "description") if claim.get(name)}  # the person has said it since
    unknown = [line for line in note.get("unknown") or [] if line.split(":", 1)[0] not in settled]
    if unknown:
        grid.add_row("Unknown", "\n".join(f"• {_first_clause(line)}" for line in unknown))
    grid.add_row("Evidence", _evidence(checked))
    description = claim.get("description") or ""
    grid.add_row("Description", Text(description) if description else Text("empty — press e", "yellow"))
    errors = [p for p in checked.errors if p.field != checked.draft_field]
    if errors:
        grid.add_row(
            Text("Fix first", "bold red"),
            Text("\n".join(f"✗ {_field(p.field, checked)}: {p.message}" for p in errors), "red"),
        )
    warnings = [p for p in checked.problems if p.severity == "warning"]
    if warnings:
        grid.add_row(
            Text("Mind", "bold yellow"),
            Text("\n".join(f"! {_field(p.field, checked)}: {p.message}" for p in warnings), "yellow"),
        )
    state = {
        True: ("draft", "cyan"),
        False: ("approved", "green"),
    }[checked.awaiting_review]
    return Panel(
        grid,
        title=f"{checked.label} · {review.position + 1} of {total}",
        subtitle=Text(state[0], state[1]),
        border_style=state[1],
        title_align="left",
    )


def _deadline(checked: CheckedClaim) -> Any:
    from rich.text import Text

    window = checked.window
    if window is None:
        return Text("unknown (no refund date)", "yellow")
    if window.closed:
        return Text(f"{window.closes}, closed", "bold red")
    left = {0: "closes today", 1: "1 day left"}.get(window.days_left, f"{window.days_left} days left")
    return Text(f"{window.closes} · {left}", "bold yellow" if window.closing_soon else "")


def _items(claim: dict[str, Any], report: dict[str, Any]) -> str:
    named = {item.get("asin"): item for item in report.get("items") or []}
    lines = []
    for item in claim.get("items") or []:
        asin = item.get("asin", "?")
        about = named.get(asin, {})
        name = f"  {about['name']}" if about.get("name") else ""
        why = f" ({about['return_reason']})" if about.get("return_reason") else ""
        lines.append(f"{asin} ×{item.get('quantity', '?')}{name}{why}")
    return "\n".join(lines) or "every refunded unit"


def _evidence(checked: CheckedClaim) -> str:
    files = []
    for path in checked.attachment_paths:
        try:
            size = path.stat().st_size
            with open(path, "rb") as f:
                kind = file_kind(f.read(_SIGNATURE_BYTES)) or "not an allowed type"
        except OSError:
            files.append(f"{path.name} (missing)")
            continue
        files.append(f"{path.name} ({kind}, {_size(size)})")
    return ", ".join(files) or "none"


def _first_clause(line: str) -> str:
    """ "refund_date: the report has no refund date; the draft uses …" → its first clause: what is unknown."""
    for mark in ("; ", " — "):
        line = line.split(mark, 1)[0]
    return line


def _size(n: int) -> str:
    return f"{n} B" if n < 1024 else f"{n / 1024:.0f} KB" if n < 1024 * 1024 else f"{n / 1024 / 1024:.1f} MB"


def _choose_reason(review: Review, console: Console, keys: Keys) -> Reason | None:
    current = review.reason
    suggested = (review.claim.get("draft") or {}).get("suggested_reason")
    options = [
        f"{n} {reason.value}{' (suggested)' if reason.value == suggested else ''}"
        for n, reason in enumerate(_REASONS, 1)
    ]
    width = max(len(option) for option in options) + 2
    for row in range(0, len(options), 3):  # three a line: the numbers stay in columns, easy to find
        _say(
            console,
            ("Reason: " if row == 0 else "        ") + "".join(o.ljust(width) for o in options[row : row + 3]).rstrip(),
        )
    keep = f"keeps {current.value}" if current else "keeps none"
    _say(console, f"Press 1–9; any other key {keep}.", "dim")
    try:
        key = keys.key()
    except EOFError:
        return None
    if key.isdigit() and 1 <= int(key) <= len(_REASONS):
        return _REASONS[int(key) - 1]
    return None


def _edit_description(
    review: Review, console: Console, keys: Keys, edit: Callable[[str, str], str | None]
) -> str | None:
    current = review.claim.get("description") or ""
    heading = f"{review.checked.label}: what happened, for Amazon's investigator"
    if _editor():
        try:
            return edit(current, heading)
        except click.ClickException as exc:
            _say(console, f"{exc.format_message()} Type it here instead.", "red")
    if current:
        _say(console, f"Now: {current}")
    try:
        typed = keys.line("Description (Enter keeps it as it is): ", console).strip()
    except EOFError:
        return None
    return typed or None


def _editor() -> str | None:
    return os.environ.get("VISUAL") or os.environ.get("EDITOR")


def edit_in_editor(text: str, heading: str) -> str | None:
    """The description edited in $VISUAL or $EDITOR; lines starting with # are left out. None: unchanged."""
    comment = f"# {heading}.\n# Lines starting with # are left out; save and close the editor when done.\n"
    edited = click.edit(comment + text + "\n", editor=_editor(), extension=".txt", require_save=True)
    if edited is None:
        return None
    kept = " ".join(line.strip() for line in edited.splitlines() if not line.lstrip().startswith("#")).strip()
    return kept if kept and kept != text else None


def print_outcome(review: Review, finished: bool, written: bool, console: Console) -> None:
    """What was decided, what was written and what to do next."""
    counts = review.counts()
    left = len(review.queue) - review.position
    parts = [f"{counts[d]} {d.value}" for d in Decision if counts[d]]
    if left and not finished:
        parts.append(f"{left} not reached")
    said = ", ".join(parts) or "nothing decided"
    path = review.path
    if written:
        _say(console, f"Reviewed {path}: {said}. Wrote {path}.")
    else:
        _say(console, f"Reviewed {path}: {said}. Nothing changed; {path} was left as it was.")
    waiting = len(review.check.awaiting_review) - sum(
        1 for c in review.check.awaiting_review if review.decisions.get(c.index) is Decision.dropped
    )
    if waiting:
        _say(
            console,
            f"{waiting} draft{'' if waiting == 1 else 's'} still await{'s' if waiting == 1 else ''} your review; "
            f"`safet-filer run` files the list once none is left: safet-filer review {path}",
            "yellow",
        )
    else:
        _say(console, f"Next: safet-filer check {path}, then safet-filer run {path}", "bold")


def print_interrupted(path: Path, console: Console) -> None:
    _say(console, f"\nInterrupted: nothing was written to {path} (q saves what you decided).", "yellow")


def _label(review: Review, offset: int) -> str:
    index = review.queue[review.position + offset]
    return next(c.label for c in review.check.claims if c.index == index)


def _field(field: str, checked: CheckedClaim) -> str:
    prefix = f"claims[{checked.index}]."
    return field[len(prefix) :] if field.startswith(prefix) else field


def nothing_to_review(review: Review, console: Console, path: Path) -> None:
    again = f" (--all revisits the {review.approved_before} approved)" if review.approved_before else ""
    _say(console, f"No drafts await review in {path}{again}.")


def _say(console: Console, text: str, style: str = "") -> None:
    """A line as it is (no markup), left whole for the terminal to wrap, so a path or command copies in one piece."""
    console.print(text, style=style, markup=False, highlight=False, soft_wrap=True)
