"""Asking the person before each submit: a panel of what the page is about to file, then submit / skip / quit."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from pathlib import Path

from rich.console import Console, Group
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from safet_filer.money import money_text


class Decision(StrEnum):
    SUBMIT = "submit"
    SKIP = "skip"
    QUIT = "quit"


@dataclass(frozen=True)
class Proposal:
    """One claim as the review page shows it, ready to be put to the person."""

    label: str  # "claims[2] (order 113-…)"
    deadline: str | None
    order_id: str
    items: list[tuple[str, str, str, str]]  # ASIN, quantity, reason, sub-reason as the page shows them
    description: str
    tracking_id: str
    documents: list[str]
    screenshot: Path
    site: str
    refunded_amount: Decimal | None = None  # what the buyer was refunded, as the claim list says
    currency: str | None = None


_ANSWERS = {
    "y": Decision.SUBMIT,
    "yes": Decision.SUBMIT,
    "s": Decision.SKIP,
    "skip": Decision.SKIP,
    "n": Decision.SKIP,
    "no": Decision.SKIP,
    "q": Decision.QUIT,
    "quit": Decision.QUIT,
}


class Confirmer:
    """Shows each proposal; asks the person, or with `auto` (--yes) records the submit as auto-confirmed."""

    def __init__(self, console: Console, *, auto: bool):
        self.console = console
        self.auto = auto

    @property
    def confirmed_by(self) -> str:
        return "auto" if self.auto else "person"

    def ask(self, proposal: Proposal) -> Decision:
        self.console.print(render(proposal))
        if self.auto:
            self.console.print("[bold]Submitting without asking (--yes).[/bold]")
            return Decision.SUBMIT
        while True:
            try:
                answer = self.console.input(
                    "[bold]Submit this claim?[/bold] [green]y[/green]es / [yellow]s[/yellow]kip / [red]q[/red]uit: "
                )
            except EOFError:
                self.console.print("No answer (input closed): not submitting, stopping here.")
                return Decision.QUIT
            decision = _ANSWERS.get(answer.strip().lower())
            if decision:
                return decision
            self.console.print("Please answer y (submit), s (skip this claim) or q (stop the run).")

    def agrees(self, question: str) -> bool:
        """A yes/no question at the terminal (never answered by --yes, which is for submits); no input is no."""
        while True:
            try:
                answer = self.console.input(f"[bold]{escape(question)}[/bold] [green]y[/green]es / [red]n[/red]o: ")
            except EOFError:
                return False
            if answer.strip().lower() in ("y", "yes"):
                return True
            if answer.strip().lower() in ("n", "no"):
                return False
            self.console.print("Please answer y or n.")


def render(p: Proposal) -> Panel:
    facts = Table.grid(padding=(0, 2))
    facts.add_column(style="bold")
    facts.add_column()
    facts.add_row("Order ID", p.order_id)
    facts.add_row("Deadline", p.deadline or "—")
    if p.refunded_amount is not None:
        facts.add_row("Refunded", money_text(p.refunded_amount, p.currency))
    facts.add_row("Description", p.description)
    facts.add_row("Tracking ID", p.tracking_id or "—")
    facts.add_row("Documents", ", ".join(p.documents) or "—")
    items = Table(title="Items", title_justify="left", expand=False)
    for column in ("ASIN", "Quantity", "Claim reason", "Sub-reason"):
        items.add_column(column)
    for row in p.items:
        items.add_row(*row)
    shot = Text(f"Screenshot of the review page: {p.screenshot}", style="dim")
    return Panel(
        Group(facts, items, shot),
        title=f"About to file {p.label} on {p.site}",
        subtitle="as the review page shows it",
        border_style="cyan",
    )
