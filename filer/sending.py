"""`reply` and `appeal`: each checked message filled into its claim's form, read back, put to the person, sent once.

For each message: open the claim's page and settle, by its message thread, any earlier message whose Send may
have gone through; check the ledger's rules again; press Reply or Appeal, type the message, upload the files,
take a screenshot and read the form back (any difference: not sent); ask yes / skip / quit; then commit
`sending`, press Send once (never again), and record `sent` when the thread shows it, `unknown` when no answer
came. The next `reply`, `appeal` or `sync` reads the thread before anything else is sent on that claim.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from playwright.sync_api import Error as PlaywrightError
from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from safet_filer import __version__
from safet_filer.confirm import Confirmer, Decision, check_way_to_confirm, send_question
from safet_filer.errors import ExitStatus, FilerError, InvalidInput, NeedsPerson, first_line
from safet_filer.flows.claim_page import ClaimPage, FormContent, MessageForm, ThreadMessage, same_text
from safet_filer.flows.site import LeftSite, SignInRequired, StepFailed
from safet_filer.followup import FollowUp
from safet_filer.followup_messages import MessageKind, MessageState
from safet_filer.messages import Outgoing
from safet_filer.report import ClaimRecord, RunFolder
from safet_filer.settings import Settings
from safet_filer.site_guard import guarded
from safet_filer.thread import settle_in_flight, times_in_thread, type_name

T = TypeVar("T")


@dataclass
class SendOptions:
    kind: MessageKind
    marketplace: str
    base_url: str
    yes: bool = False
    headed: bool = False


def render(outgoing: Outgoing, shown: FormContent, screenshot: Path, site: str) -> Panel:
    facts = Table.grid(padding=(0, 2))
    facts.add_column(style="bold")
    facts.add_column()
    facts.add_row("SAFE-T claim", outgoing.claim_id)
    facts.add_row("Message", shown.message)
    facts.add_row("Documents", ", ".join(shown.documents) or "—")
    shot = Text(f"Screenshot of the form: {screenshot}", style="dim")
    return Panel(
        Group(facts, shot),
        title=f"About to send {outgoing.label} on {site}",
        subtitle="as the form shows it",
        border_style="cyan",
    )


def confirmer_for(settings: Settings, options: SendOptions, console: Console) -> Confirmer:
    """--yes only against the mock (loopback) unless allow_unattended; without it, a terminal to ask on."""
    check_way_to_confirm(
        options.base_url,
        yes=options.yes,
        allow_unattended=settings.allow_unattended,
        unattended="send",
        each="message",
        each_asked=options.kind,
        nothing="sent",
    )
    return Confirmer(console, auto=options.yes)


class MessageCourse:
    """One message's course, on a browser and ledger shared by the whole command."""

    def __init__(self, sender: Sender, outgoing: Outgoing, record: ClaimRecord):
        self.sender = sender
        self.outgoing = outgoing
        self.record = record
        self.follow = sender.follow
        self.labels = sender.session.labels
        self.kind_name = type_name(outgoing.kind, self.labels)
        self.marketplace = sender.options.marketplace

    def run(self) -> None:
        try:
            self._run()
        except (StepFailed, LeftSite) as exc:
            self._done("failed", f"{exc}. Nothing was sent; run the same command again to retry it.")
            self.sender.keep_failure(self.record)
        except PlaywrightError as exc:
            self._done("failed", f"The browser stopped responding ({first_line(exc)}). Nothing was sent.")
            self.sender.session.restart()

    def _run(self) -> None:
        out = self.outgoing
        page = self.sender.claim_page()
        thread = self.sender.guarded(lambda: self._open(page), f"SAFE-T claim {out.claim_id}")
        for settled in settle_in_flight(self.follow, self.marketplace, out.claim_id, thread, self.labels):
            self.sender.console.print(f"{out.label}: an earlier {settled.kind} is {settled.state}: {settled.note}")
            if settled.state == MessageState.SENT and settled.kind == out.kind and same_text(settled.body, out.body):
                self._done("sent", "Sent earlier: found in the claim's message thread; not sent again.")
                return
        refused = self.follow.refusal(self.marketplace, out.claim_id, out.kind)
        if refused is not None:
            self._done("refused", refused.message)
            return
        form, shown = self.sender.guarded(lambda: self._fill(page), f"the {out.kind} form")
        screenshot = self.sender.folder.screenshot(self.record, f"{out.kind}-form", self.sender.session.screenshot())
        differences = compare(out, shown)
        if differences:
            self._done("failed", "The form does not show what was given, so it was not sent: " + "; ".join(differences))
            return
        decision = self.sender.ask(out, shown, screenshot)
        if decision is Decision.SKIP:
            self._done("skipped", "Skipped by the person; nothing was sent.")
            return
        if decision is Decision.QUIT:
            self._done("skipped", "Not sent: the person stopped here.")
            raise NeedsPerson("You stopped.", "Run the same command again to go on where you left off.")
        self._send(page, form, seen_before=times_in_thread(thread, out.kind, out.body, self.labels))

    def _open(self, page: ClaimPage) -> list[ThreadMessage]:
        page.open(self.outgoing.claim_id)
        return page.messages()

    def _fill(self, page: ClaimPage) -> tuple[MessageForm, FormContent]:
        page.open(self.outgoing.claim_id)  # a repeated attempt starts from a fresh page
        form = page.open_form(self.kind_name)
        form.fill(self.outgoing.body, self.outgoing.attachments)
        return form, form.read_back()

    def _send(self, page: ClaimPage, form: MessageForm, seen_before: int) -> None:
        out = self.outgoing
        message = self.follow.begin_message(
            self.marketplace,
            out.claim_id,
            out.kind,
            body=out.body,
            attachments=[p.name for p in out.attachments],
            run_id=self.sender.folder.run_id,
        )
        timeout_ms = self.sender.settings.submit_timeout_s * 1000
        try:
            form.press_send()
            refused = page.wait_for_message(self.kind_name, out.body, seen_before, form, timeout_ms)
        except KeyboardInterrupt:
            self.follow.message_unknown(message.id, note="Interrupted after Send was pressed.")
            raise
        except SignInRequired:
            self.follow.message_unknown(message.id, note="Seller Central asked to sign in instead of answering Send.")
            self._done("unknown", "Seller Central asked to sign in just after Send; the next run reads the thread.")
            raise NeedsPerson(
                f"Seller Central asked you to sign in just as {out.label} was sent.",
                "Run `safet-filer login`, then the same command again: it reads the claim's thread before sending.",
            ) from None
        except (StepFailed, LeftSite, PlaywrightError) as exc:
            note = f"No answer after Send ({first_line(exc)}); whether it reached Seller Central is not known."
            self.follow.message_unknown(message.id, note=note)
            self.sender.keep_failure(self.record)
            self._done("unknown", note + " The next run reads the claim's thread before sending anything.")
            if isinstance(exc, PlaywrightError) and not self.sender.session.alive():
                self.sender.session.restart()
            return
        if refused is None:
            self.follow.message_sent(message.id, note="The claim's message thread shows it.")
            self.sender.folder.screenshot(self.record, "sent", self.sender.session.screenshot())
            self._done("sent", f"Sent: the claim's message thread shows the {out.kind}.")
            return
        # The site answered no; look at the thread itself before believing that nothing went through.
        thread = page.messages()
        found = times_in_thread(thread, out.kind, out.body, self.labels) > seen_before
        self.follow.message_reconciled(message.id, in_thread=found, note=f"Seller Central answered: {refused}")
        self._done("sent" if found else "refused", f"Seller Central answered: {refused}")

    def _done(self, state: str, message: str) -> None:
        self.record.state, self.record.message = state, message
        style = {"sent": "green", "failed": "red", "unknown": "red", "refused": "yellow"}.get(state, "")
        self.sender.console.print(f"{self.outgoing.label}: [{style or 'default'}]{state}[/]: {message}")


def compare(outgoing: Outgoing, shown: FormContent) -> list[str]:
    """Each way the form differs from the message to send, in words; empty when they agree."""
    differences = []
    if not same_text(shown.message, outgoing.body):
        differences.append("the Message box does not hold the message as given")
    wanted = sorted(p.name for p in outgoing.attachments)
    if sorted(shown.documents) != wanted:
        differences.append(
            f"the form lists {', '.join(shown.documents) or 'no files'}, the message has {', '.join(wanted) or 'none'}"
        )
    return differences


class Sender:
    """`reply` or `appeal` over a checked list: the ledger held, one browser, a run folder with the screenshots."""

    def __init__(self, settings: Settings, options: SendOptions, console: Console):
        self.settings = settings
        self.options = options
        self.console = console

    def send_all(self, outgoing: list[Outgoing], follow: FollowUp, stack: ExitStack) -> ExitStatus:
        from safet_filer.ledger import command_line
        from safet_filer.session import BrowserSession

        self.follow = follow
        self.command = command_line()
        self.confirmer = confirmer_for(self.settings, self.options, self.console)
        self.folder = RunFolder(self.settings.runs_dir, self.options.kind.value)
        self.console.print(f"Run folder: {self.folder.path}")
        records = [ClaimRecord(o.index, o.claim_id, o.kind.value) for o in outgoing]
        status = ExitStatus.OK
        try:
            self.session = stack.enter_context(
                BrowserSession(self.settings, self.options.base_url, headed=self.options.headed, ephemeral=False)
            )
            for out, record in zip(outgoing, records, strict=True):
                MessageCourse(self, out, record).run()
        except FilerError as error:
            status = error.exit_status
            error.tell_stopped(self.console)
        except KeyboardInterrupt:
            status = ExitStatus.INTERRUPTED
            self.console.print("\n[yellow]Interrupted.[/yellow] The ledger is consistent.")
        if status == ExitStatus.OK and any(r.state in ("failed", "unknown", "pending") for r in records):
            status = ExitStatus.CLAIM_FAILED
        report = self.folder.write(records, self._meta(status))
        self.console.print(f"Report: {report}")
        return status

    def claim_page(self) -> ClaimPage:
        s = self.session
        return ClaimPage(s.page, s.labels, self.options.base_url, self.settings.step_timeout_s * 1000)

    def guarded(self, action: Callable[[], T], label: str) -> T:
        """A step that is safe to repeat (nothing is sent by it): repeated when it fails, a sign-in left to the person."""
        return guarded(action, self.session, self.settings, self.console, self.command, label)

    def ask(self, outgoing: Outgoing, shown: FormContent, screenshot: Path) -> Decision:
        panel = render(outgoing, shown, screenshot, self.options.base_url)
        return self.confirmer.decide(panel, send_question(outgoing.kind))

    def keep_failure(self, record: ClaimRecord) -> None:
        self.folder.keep_failure(record, self.session.failure_evidence())

    def _meta(self, status: ExitStatus) -> dict[str, Any]:
        return {
            "run_id": self.folder.run_id,
            "version": __version__,
            "mode": self.options.kind.value,
            "site": self.options.base_url,
            "exit_status": int(status),
            "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        }


def send_messages(settings: Settings, options: SendOptions, raw: list, base_dir: Path, console: Console) -> ExitStatus:
    """`safet-filer reply|appeal`: hold the ledger, check every message up front, then send each in turn."""
    from safet_filer.ledger import Ledger, command_line, exclusive
    from safet_filer.messages import check_messages

    market = settings.market(options.marketplace)
    if not settings.ledger_path.exists():
        raise InvalidInput(
            f"There is no ledger at {settings.ledger_path} yet.",
            "Run `safet-filer sync` first, so that the ledger knows your claims' status and dates.",
        )
    with ExitStack() as stack:
        stack.enter_context(exclusive(settings.ledger_path, command_line()))
        ledger = stack.enter_context(Ledger(settings.ledger_path))
        follow = FollowUp(ledger)
        outgoing = check_messages(
            raw, options.kind, base_dir=base_dir, follow=follow, marketplace=options.marketplace, market=market
        )
        return Sender(settings, options, console).send_all(outgoing, follow, stack)
