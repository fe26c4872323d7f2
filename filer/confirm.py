"""Asking the person before each submit or send: a panel of what the page is about to file or send, then yes / skip /
quit; and whether a command may ask nobody (--yes) or has a terminal to ask on."""

from __future__ import annotations

import queue
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from urllib.parse import urlsplit

from rich.console import Console, Group, RenderableType
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from safet_filer.errors import InvalidInput
from safet_filer.money import money_text

LOOPBACK = {"127.0.0.1", "localhost", "::1"}


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


@dataclass(frozen=True)
class Question:
    """The words of one yes / skip / quit question: what is asked, said with --yes, when input closes, and again."""

    prompt: str  # markup, e.g. "[bold]Submit this claim?[/bold]"
    unasked: str  # with --yes, said instead of asking
    closed: str  # when input closes before an answer
    again: str  # after an answer that is none of the choices


SUBMIT_CLAIM = Question(
    prompt="[bold]Submit this claim?[/bold]",
    unasked="Submitting without asking (--yes).",
    closed="No answer (input closed): not submitting, stopping here.",
    again="Please answer y (submit), s (skip this claim) or q (stop the run).",
)


def send_question(kind: str) -> Question:
    """The question before a reply or an appeal is sent."""
    return Question(
        prompt=f"[bold]Send this {kind}?[/bold]",
        unasked="Sending without asking (--yes).",
        closed="No answer (input closed): not sending, stopping here.",
        again=f"Please answer y (send), s (skip this {kind}) or q (stop).",
    )


class Confirmer:
    """Shows each proposal; asks the person, or with `auto` (--yes) records the submit as auto-confirmed."""

    def __init__(self, console: Console, *, auto: bool):
        self.console = console
        self.auto = auto

    @property
    def confirmed_by(self) -> str:
        return "auto" if self.auto else "person"

    def ask(
        self, proposal: Proposal, meanwhile: Meanwhile | None = None, idle: Callable[[], None] | None = None
    ) -> Decision:
        """A claim as the review page shows it, put to the person before its submit."""
        return self.decide(render(proposal), SUBMIT_CLAIM, meanwhile, idle)

    def decide(
        self,
        panel: RenderableType,
        question: Question,
        meanwhile: Meanwhile | None = None,
        idle: Callable[[], None] | None = None,
    ) -> Decision:
        """Show `panel`, then ask `question` until it is answered yes, skip or quit (with --yes: yes, unasked).
        With `meanwhile`, the answer is read on a thread of its own while `meanwhile` works on this one (it is given
        a look at the answer so far: None until there is one), then `idle` is called every IDLE_S until the
        answer comes."""
        self.console.print(panel)
        if self.auto:
            self.console.print(f"[bold]{question.unasked}[/bold]")
            return Decision.SUBMIT
        if meanwhile is None:
            return self._answer(question)
        answer = AnswerReadAside(lambda: self._answer(question))
        meanwhile(answer.so_far)
        return answer.wait(idle)

    def _answer(self, question: Question) -> Decision:
        while True:
            try:
                answer = self.console.input(
                    f"{question.prompt} [green]y[/green]es / [yellow]s[/yellow]kip / [red]q[/red]uit: "
                )
            except EOFError:
                self.console.print(question.closed)
                return Decision.QUIT
            decision = _ANSWERS.get(answer.strip().lower())
            if decision:
                return decision
            self.console.print(question.again)

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


# Work done while the person answers, given a look at the answer so far (None until there is one).
Meanwhile = Callable[[Callable[[], "Decision | None"]], None]
IDLE_S = 0.25  # how often the caller's `idle` is called while it waits for the answer


class AnswerReadAside:
    """The person's answer, read at the terminal on a thread of its own (a daemon: a run that stops before the
    answer does not wait for it), so that the caller's thread, the one that drives the browser, can go on."""

    def __init__(self, read: Callable[[], Decision]):
        self._arrived: queue.Queue[tuple[Decision | None, BaseException | None]] = queue.Queue(maxsize=1)
        self._answer: tuple[Decision | None, BaseException | None] | None = None
        threading.Thread(target=self._read, args=(read,), name="answer", daemon=True).start()

    def _read(self, read: Callable[[], Decision]) -> None:
        try:
            self._arrived.put((read(), None))
        except BaseException as exc:  # noqa: BLE001  handed to the caller's thread, raised there
            self._arrived.put((None, exc))

    def so_far(self) -> Decision | None:
        if self._answer is None:
            try:
                self._answer = self._arrived.get_nowait()
            except queue.Empty:
                return None
        return self._answer[0]

    def wait(self, idle: Callable[[], None] | None = None) -> Decision:
        """The answer, once given, calling `idle` every IDLE_S meanwhile; Ctrl-C while waiting stops the caller
        (the signal reaches its thread only)."""
        while self._answer is None:
            try:
                self._answer = self._arrived.get(timeout=IDLE_S if idle else None)
            except queue.Empty:
                assert idle is not None
                idle()
        decision, error = self._answer
        if error is not None:
            raise error
        assert decision is not None
        return decision


def is_loopback(url: str) -> bool:
    """Whether `url` is on this machine (the mock), where --yes needs no allow_unattended and no pacing applies."""
    return (urlsplit(url).hostname or "") in LOOPBACK


def check_way_to_confirm(
    base_url: str,
    *,
    yes: bool,
    allow_unattended: bool,
    asks: bool = True,
    unattended: str,
    each: str,
    each_asked: str,
    nothing: str,
    unattended_note: str = "",
) -> None:
    """Refuse a command that could not confirm as it should: --yes on a real host without allow_unattended, or
    (when it `asks`) no --yes and no terminal to ask on. The words name what is at stake: `unattended` ("submit
    claims"), `each` ("claim") and `each_asked` ("submit") confirmed, `nothing` ("filed") that would be done."""
    if yes and not is_loopback(base_url) and not allow_unattended:
        raise InvalidInput(
            f"--yes would {unattended} to {urlsplit(base_url).hostname} without asking anyone.",
            f"Leave out --yes to confirm each {each}, or set allow_unattended = true in your settings{unattended_note}.",
        )
    if not yes and asks and not sys.stdin.isatty():
        raise InvalidInput(
            f"There is no terminal to confirm each {each_asked} on, so nothing would be {nothing}.",
            "Run it from a terminal, or add --yes (allowed against the mock; on a real host it also needs "
            "allow_unattended = true).",
        )


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
