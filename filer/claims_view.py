"""How a checked claim list is shown (`check`): a table and its problems for people, JSON for machines.

rich is imported inside the functions that draw, so importing this module costs nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from safet_filer.claims import CheckedClaim, ClaimCheck, FilingWindow, Problem, refunded_totals
from safet_filer.money import money_text

if TYPE_CHECKING:
    from rich.console import Console


def check_as_dict(check: ClaimCheck) -> dict[str, Any]:
    """The result of `check --json`: claims in deadline order, each with its problems."""
    return {
        "file": str(check.path),
        "marketplace": check.marketplace,
        "today": check.today.isoformat(),
        "ok": check.ok,
        "errors": len(check.errors),
        "warnings": len(check.warnings),
        "awaiting_review": len(check.awaiting_review),
        "problems": [p.as_dict() for p in check.problems],
        "claims": [
            {
                "index": c.index,
                "order_id": c.order_id,
                "reason": c.reason.value if c.reason else None,
                "deadline": c.deadline.isoformat() if c.deadline else None,
                "days_left": c.window.days_left if c.window else None,
                "refunded_amount": None if c.refunded_amount is None else str(c.refunded_amount),
                "currency": c.currency,
                "draft": {"awaiting_review": True, "missing": list(c.draft_missing)} if c.awaiting_review else None,
                "ok": c.ok,
                "problems": [p.as_dict() for p in c.problems],
            }
            for c in check.claims
        ],
        "refunded_totals": {code: str(amount) for code, amount in refunded_totals(check.claims).items()},
    }


def print_check(check: ClaimCheck, console: Console) -> None:
    """A table of every claim (deadline, days left, problem counts), the problems claim by claim, then a verdict.

    The messages are sentences: they get the full width below the table, not a narrow column in it.
    Lines are laid out here and only coloured by rich: its Table and Text take seconds for 10,000 claims.
    """
    import textwrap

    paint = painter(console)
    width = max(console.width, 40)
    count = len(check.claims)
    if count or not check.errors:
        summary = f": {count} claim{_s(count)} for marketplace {check.marketplace}, checked on {check.today}."
    else:
        summary = ":"
    lines = [paint(str(check.path), "bold") + summary]
    lines += _problem_lines(check.problems, None, width, paint)
    if check.claims:
        lines += _table_lines(check, width, paint)
        totals = refunded_totals(check.claims)
        if totals:
            lines.append("Refunded: " + ", ".join(money_text(amount, code) for code, amount in totals.items()))
    with_problems = [c for c in check.claims if c.problems]
    if with_problems:
        lines += ["", paint("Problems, in the order of the table:", "bold")]
    for claim in with_problems:
        order = f"  order {claim.order_id}" if claim.order_id else "  (no order ID)"
        lines.append(paint(f"claims[{claim.index}]", "bold") + paint(order, "dim"))
        lines += _problem_lines(claim.problems, claim, width, paint)
    text, style = verdict(check)
    lines += [paint(part, style) for part in textwrap.wrap(text, width=width, break_on_hyphens=False)]
    console.file.write("\n".join(lines) + "\n")
    console.file.flush()


def verdict(check: ClaimCheck) -> tuple[str, str]:
    """One line and its colour: ready, ready with warnings, or how much is wrong and what to do."""
    errors, warnings = len(check.errors), len(check.warnings)
    total = len(check.claims)
    warned = f"; read the {warnings} warning{_s(warnings)} above" if warnings else ""
    if check.ok:
        if not total:
            return f"✓ The list is valid but has no claims{warned}.", "bold green"
        return f"✓ All {total} claim{_s(total)} can be filed{warned}.", "bold green"
    if not total:
        return f"✗ The claim list cannot be used until {'this is' if errors == 1 else 'these are'} fixed.", "bold red"
    drafts = len(check.awaiting_review)
    if drafts:
        errors -= drafts
        other = sum(not c.ok for c in check.claims if not (c.awaiting_review and len(c.errors) == 1))
        also = f"; {errors} other error{_s(errors)} in {other} claim{_s(other)} to fix" if errors else ""
        are = "is a draft" if drafts == 1 else "are drafts"
        text = (
            f"✗ {drafts} of {total} claim{_s(total)} {are} awaiting review{also}. Approve or drop "
            f"{'it' if drafts == 1 else 'them'} with `safet-filer review {check.path}`; nothing is filed until then."
        )
        return text, "bold red"
    bad = sum(not c.ok for c in check.claims)
    where = f" in {bad} of {total} claim{_s(total)}" if bad else ""
    if check.problems and bad:
        where += " and in the file itself"
    elif check.problems:
        where = " in the file itself"
    also = f" (and {warnings} warning{_s(warnings)})" if warnings else ""
    text = f"✗ {errors} error{_s(errors)}{where}{also}. Nothing is filed until every claim passes: fix them and check again."
    return text, "bold red"


def painter(console: Console) -> Any:
    """`paint(text, style)`: the text in ANSI style when the console shows colour, else as it is."""
    from rich.console import COLOR_SYSTEMS
    from rich.style import Style

    if console.color_system is None:
        return lambda text, style="": text
    system = COLOR_SYSTEMS[console.color_system]
    styles: dict[str, Style] = {}

    def paint(text: str, style: str = "") -> str:
        if not style or not text:
            return text
        if style not in styles:
            parsed = Style.parse(style)
            styles[style] = parsed.without_color if console.no_color else parsed
        return styles[style].render(text, color_system=system)

    return paint


_HEADERS = ("#", "Order ID", "Reason", "Deadline", "Left", "Refunded", "Problems")
_GAP = "  "
_RIGHT = (0, 4, 5)  # columns aligned right: the index, the days left and the money


def _table_lines(check: ClaimCheck, width: int, paint: Any) -> list[str]:
    """One line a claim; every column keeps its width except Reason, which gives way on a narrow terminal."""
    rows = []
    for claim in check.claims:
        errors = sum(p.severity == "error" for p in claim.problems) - claim.awaiting_review
        warnings = len(claim.problems) - errors - claim.awaiting_review
        counts = ", ".join(
            part
            for part in (
                claim.awaiting_review and "draft",
                errors and f"{errors} error{_s(errors)}",
                warnings and f"{warnings} warning{_s(warnings)}",
            )
            if part
        )
        state = "red" if errors else "cyan" if claim.awaiting_review else "yellow" if warnings else "green"
        rows.append(
            (
                (str(claim.index), ""),
                (claim.order_id or "—", "" if claim.order_id else "dim"),
                (claim.reason.value if claim.reason else "—", "" if claim.reason else "dim"),
                (str(claim.deadline) if claim.deadline else "—", "" if claim.deadline else "dim"),
                _days_cell(claim.window),
                (money_text(claim.refunded_amount, claim.currency), "" if claim.refunded_amount is not None else "dim"),
                (counts or "ready", state),
            )
        )
    widths = [max(len(_HEADERS[i]), *(len(row[i][0]) for row in rows)) for i in range(len(_HEADERS))]
    room = width - (sum(widths) - widths[2]) - len(_GAP) * (len(widths) - 1)
    widths[2] = max(6, min(widths[2], room))
    last = len(widths) - 1

    def line(cells: Any, line_style: str = "") -> str:
        parts = []
        for i, (value, style) in enumerate(cells):
            if len(value) > widths[i]:
                value = value[: widths[i] - 1] + "…"
            if i in _RIGHT:
                value = value.rjust(widths[i])
            elif i != last:
                value = value.ljust(widths[i])
            parts.append(paint(value, style or line_style))
        return _GAP.join(parts)

    rule = paint("─" * min(width, sum(widths) + len(_GAP) * last), "dim")
    return [line([(h, "") for h in _HEADERS], "bold"), rule, *(line(row) for row in rows)]


def _days_cell(window: FilingWindow | None) -> tuple[str, str]:
    if window is None:
        return "—", "dim"
    if window.closed:
        return "closed", "red"
    return str(window.days_left), "yellow" if window.closing_soon else ""


def _problem_lines(problems: list[Problem], claim: CheckedClaim | None, width: int, paint: Any) -> list[str]:
    """`  ✗ field: message`, wrapped with a hanging indent under the message."""
    import textwrap

    out = []
    for problem in problems:
        where = problem.field
        if claim is not None:
            prefix = f"claims[{claim.index}]"
            where = where[len(prefix) :].lstrip(".") if where.startswith(prefix) else where
        lead = f"{where}: " if where else ""
        wrapped = textwrap.wrap(lead + problem.message, width=width - 4, break_on_hyphens=False) or [""]
        mark, style = ("✗", "red") if problem.severity == "error" else ("!", "yellow")
        head = wrapped[0]
        bold = min(len(lead), len(head))
        out.append(f"  {paint(mark, style)} {paint(head[:bold], 'bold')}{head[bold:]}")
        out += ["    " + rest for rest in wrapped[1:]]
    return out


def _s(n: int) -> str:
    return "" if n == 1 else "s"
