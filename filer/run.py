"""One filing run over many claims: the list checked and narrowed, the site and the ledger opened, the claims
taken one by one (pacing, Ctrl-C, the progress display, the person's prompt), then the report and the summary.

Each claim's own course (ledger, wizard, read-back, the one submit) is `filing.ClaimCourse`'s.
"""

from __future__ import annotations

import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from loguru import logger
from rich.console import Console

from safet_filer import __version__
from safet_filer.claims import CheckedClaim, fingerprint, load_claims_for_run
from safet_filer.confirm import Confirmer, Decision, Proposal, check_way_to_confirm, is_loopback
from safet_filer.course_context import ClaimSite, CourseContext
from safet_filer.errors import ExitStatus, FilerError, InvalidInput
from safet_filer.filing import ClaimCourse
from safet_filer.flows.labels import SiteLabels
from safet_filer.flows.site import ElementMissing
from safet_filer.ledger import Ledger, State, command_line, exclusive
from safet_filer.logs import start_run_log
from safet_filer.report import ClaimRecord, RunFolder
from safet_filer.settings import Settings

# The site a run files on, opened for its base URL (the browser session; an in-process fake in tests).
SiteOpener = Callable[[str], AbstractContextManager[ClaimSite]]


@dataclass
class RunOptions:
    claims_file: Path | None
    dry_run: bool = False
    rehearse: bool = False
    base_url: str | None = None
    only: tuple[str, ...] = ()
    limit: int | None = None
    yes: bool = False
    headed: bool = False
    ledger_path: Path | None = None
    config_file: Path | None = None  # --config: where a word the person teaches the tool is saved


class Interruption:
    """Ctrl-C during a run: the first asks to stop at the next safe point (a step's start, the next claim) so that the
    step under way, a submit above all, ends and is recorded; a second one, or one at a prompt, stops at once."""

    def __init__(self, console: Console):
        self.console = console
        self.requested = False
        self._prompting = False
        self._previous: Any = None

    def __enter__(self) -> Interruption:
        if threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGINT, self._handle)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)
            self._previous = None

    def _handle(self, signum: int, frame: Any) -> None:
        if self.requested or self._prompting:
            raise KeyboardInterrupt
        self.requested = True
        self.console.print("\n[yellow]Stopping after the current step[/yellow] (press Ctrl-C again to stop at once)…")

    def checkpoint(self) -> None:
        if self.requested:
            raise KeyboardInterrupt

    @contextmanager
    def at_prompt(self) -> Iterator[None]:
        self.checkpoint()
        self._prompting = True
        try:
            yield
        finally:
            self._prompting = False

    @contextmanager
    def busy(self) -> Iterator[None]:
        """At a prompt, while this thread drives the browser meanwhile: Ctrl-C waits for the next safe point (a
        Playwright call cut off in the middle leaves its connection hung), then stops as at the prompt."""
        prompting, self._prompting = self._prompting, False
        try:
            yield
        finally:
            self._prompting = prompting
        self.checkpoint()


class FilingRun:
    def __init__(self, settings: Settings, options: RunOptions, console: Console, open_site: SiteOpener | None = None):
        self.settings = settings
        self.options = options
        self.console = console
        self.open_site = open_site or self._browser
        self.records: list[ClaimRecord] = []
        self.interruption = Interruption(console)
        self.base_url: str | None = None
        self.next_course: ClaimCourse | None = None  # filled ahead while the person is asked about the one before
        self.last_submit: float | None = None  # time.monotonic() of the run's last submit
        self.left_for_later: list[tuple[int, Callable[[], None]]] = []  # (whose, work): done as the next one is read
        self.current = 0  # the position of the claim under way

    # -- the run as a whole ------------------------------------------------------------------------------------
    def execute(self) -> ExitStatus:
        """File the claims; the exit status says how the run ended (the report says how each claim did)."""
        opts = self.options
        claims_file = opts.claims_file
        if claims_file is None and not opts.dry_run:
            raise InvalidInput("No claim list given.", "Run `safet-filer run CLAIMS.json` (see `safet-filer check`).")
        if claims_file is not None:  # checked before anything is made: a list with errors leaves nothing behind
            check = load_claims_for_run(claims_file, self.settings)
        folder = RunFolder(
            self.settings.runs_dir, "dry-run" if opts.dry_run else "rehearse" if opts.rehearse else "run"
        )
        self.folder = folder
        if claims_file is None:
            from safet_filer.examples import write_example

            claims_file = write_example(folder.path / "example")
            self.console.print(f"No claim list given: rehearsing the bundled example, written to {claims_file}")
            check = load_claims_for_run(claims_file, self.settings)
        claims = self._select(check.claims)
        self.marketplace = check.marketplace
        self.console.print(f"Run folder: {folder.path}")

        with ExitStack() as stack:
            base_url = self.base_url = self._site(stack, claims_file)
            self.confirmer = self._confirmer(base_url)
            ledger_path = (
                folder.path / "ledger.sqlite3" if opts.dry_run else opts.ledger_path or self.settings.ledger_path
            )
            stack.enter_context(exclusive(ledger_path, command_line()))
            self.ledger = stack.enter_context(Ledger(ledger_path))
            start_run_log(folder.log_file, self.console)
            stack.callback(logger.remove)
            logger.info("Filing {} claim(s) from {} on {} ({})", len(claims), claims_file, base_url, self._mode())
            self.records = [
                ClaimRecord(
                    c.index,
                    c.order_id,
                    str(c.reason),
                    deadline=str(c.deadline) if c.deadline else None,
                    refunded_amount=None if c.refunded_amount is None else str(c.refunded_amount),
                    currency=c.currency,
                )
                for c in claims
            ]
            self._list_in_ledger(claims)
            status = ExitStatus.OK
            try:
                with self.interruption:
                    self._file_all(stack, claims, base_url)
            except FilerError as error:  # quit, a sign-in while headless, restricted access, a browser that won't start
                self._catch_up()  # (a filed claim's result screenshot, if it was still to be taken)
                status = error.exit_status
                error.tell_stopped(self.console)
            except KeyboardInterrupt:
                status = ExitStatus.INTERRUPTED
                self.console.print(
                    "\n[yellow]Interrupted.[/yellow] The ledger is consistent: every claim keeps its state."
                )
            if status == ExitStatus.OK and any(r.state in (State.FAILED, State.UNKNOWN) for r in self.records):
                status = ExitStatus.CLAIM_FAILED
            report = folder.write(self.records, self._meta(claims_file, status))
            self._print_summary(status, report, claims_file)
        return status

    def _select(self, claims: list[CheckedClaim]) -> list[CheckedClaim]:
        chosen = [c for c in claims if not self.options.only or c.order_id in self.options.only]
        missing = set(self.options.only) - {c.order_id for c in claims}
        if missing:
            raise InvalidInput(
                f"--only names order(s) not in the claim list: {', '.join(sorted(missing))}.",
                "Check the order IDs against the claims file.",
            )
        return chosen[: self.options.limit] if self.options.limit is not None else chosen

    def _site(self, stack: ExitStack, claims_file: Path) -> str:
        if self.options.dry_run:
            from safet_filer.fixtures.server import MockSellerCentral

            site = stack.enter_context(MockSellerCentral(claims_file=claims_file))
            self.console.print(f"Dry run: filing against the bundled mock Seller Central at {site.url}")
            return site.url
        return (self.options.base_url or self.settings.market(self.marketplace).base_url).rstrip("/")

    def _confirmer(self, base_url: str) -> Confirmer:
        opts = self.options
        check_way_to_confirm(
            base_url,
            yes=opts.yes,
            allow_unattended=self.settings.allow_unattended,
            asks=not opts.rehearse,
            unattended="submit claims",
            each="claim",
            each_asked="submit",
            nothing="filed",
            unattended_note=" if you really mean to file unattended (every such submit is marked 'auto' in the ledger)",
        )
        return Confirmer(self.console, auto=opts.yes)

    def _mode(self) -> str:
        return "dry run" if self.options.dry_run else "rehearsal, no submit" if self.options.rehearse else "filing"

    # -- the claims, one by one --------------------------------------------------------------------------------
    def _browser(self, base_url: str) -> AbstractContextManager[ClaimSite]:
        from safet_filer.session import BrowserSession

        return BrowserSession(
            self.settings,
            base_url,
            headed=self.options.headed,
            ephemeral=self.options.dry_run,
            marketplace=self.marketplace,
        )

    def _file_all(self, stack: ExitStack, claims: list[CheckedClaim], base_url: str) -> None:
        site = stack.enter_context(self.open_site(base_url))
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        self.progress = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            console=self.console,
            transient=True,
        )
        # Each claim on its own tab, turn about, so that the next one can be filled while this one is reviewed.
        tabs = [site, site.other_tab()] if self._fills_ahead(len(claims)) else [site]
        contexts = [self._course_context(tab, base_url) for tab in tabs]
        courses = [
            ClaimCourse(contexts[n % len(contexts)], checked, record)
            for n, (checked, record) in enumerate(zip(claims, self.records, strict=True))
        ]
        task = self.progress.add_task("Filing", total=len(claims))
        with self.progress:
            for n, course in enumerate(courses):
                self.next_course = courses[n + 1] if len(tabs) > 1 and n + 1 < len(courses) else None
                self.interruption.checkpoint()
                self.progress.update(task, description=course.checked.order_id)
                self.current = n
                course.run()
                self._catch_up(before=n)  # (when this claim was not asked about, the one before's work is done now)
                self.progress.advance(task)
            self._catch_up()

    def _fills_ahead(self, claims: int) -> bool:
        """Whether the next claim is filled while the person reviews one: only when a person is asked."""
        return self.settings.fill_ahead and claims > 1 and not self.confirmer.auto and not self.options.rehearse

    def _course_context(self, site: ClaimSite, base_url: str) -> CourseContext:
        return CourseContext(
            site=site,
            ledger=self.ledger,
            folder=self.folder,
            settings=self.settings,
            base_url=base_url,
            marketplace=self.marketplace,
            rehearse=self.options.rehearse,
            confirmed_by=self.confirmer.confirmed_by,
            ask=lambda proposal: self.ask(proposal, site),
            step=self.step,
            with_person=self.with_person,
            tell=self.console.print,
            pace=self.pace,
            later=self.later,
            learn=self._teacher(site),
            config_file=self.options.config_file,
        )

    def _teacher(self, site: ClaimSite) -> Callable[[ElementMissing, str], SiteLabels | None] | None:
        """Who learns a changed word from the person's click: only with a window to click in and a terminal."""
        if not site.headed or not sys.stdin.isatty():
            return None
        from safet_filer.teach import Teacher

        teacher = Teacher(
            site,
            self.settings,
            self.marketplace,
            self.options.config_file,
            self.confirmer,
            self.with_person,
            self.console.print,
        )
        return teacher.learn

    # -- what a claim's course asks of the run ------------------------------------------------------------------
    def step(self, text: str) -> None:
        """A step begins: a safe point to stop at after Ctrl-C, and news for the progress bar and the log."""
        self.interruption.checkpoint()
        logger.debug(text)
        for task in self.progress.tasks:
            self.progress.update(task.id, description=text)

    def ask(self, proposal: Proposal, site: ClaimSite) -> Decision:
        """Put a claim to the person, with the progress bar out of the way; Ctrl-C here stops at once. Meanwhile the
        next claim is filled ahead in the other window, so that it is ready when the person has answered, and the
        claim's own window is kept awake for its submit."""
        meanwhile = self._meanwhile if self.next_course or self.left_for_later else None
        with self.with_person():
            return self.confirmer.ask(proposal, meanwhile, site.keep_awake)

    def _meanwhile(self, answered: Callable[[], Decision | None]) -> None:
        """While the person reads a claim: what the claim before it left for later, then the next claim filled
        ahead (each on the other window)."""
        with self.interruption.busy():
            self._catch_up()
            if self.next_course is not None:
                self.next_course.fill_ahead(answered)

    def later(self, work: Callable[[], None]) -> None:
        """Work on a claim's window that can wait until the person reads the next claim (filling ahead: the next
        claim is in the other window); done at once otherwise."""
        if self.next_course is None:
            work()
        else:
            self.left_for_later.append((self.current, work))

    def _catch_up(self, before: int | None = None) -> None:
        """Do the work left for later (by the claims before position `before`)."""
        while self.left_for_later and (before is None or self.left_for_later[0][0] < before):
            self.left_for_later.pop(0)[1]()

    def pace(self) -> None:
        """Just before a submit on a real host: at least pacing_s since the run's last submit, the person's review
        counted in it; Ctrl-C during that wait stops before the submit."""
        if self.last_submit is not None and not is_loopback(self.base_url or "") and self.settings.pacing_s:
            left = self.settings.pacing_s - (time.monotonic() - self.last_submit)
            if left > 0:
                self.step(f"pausing {left:.0f}s: at least {self.settings.pacing_s:.0f}s between submits")
                time.sleep(left)
                self.interruption.checkpoint()
        self.last_submit = time.monotonic()

    @contextmanager
    def with_person(self) -> Iterator[None]:
        """While the person reads, types or signs in: the progress bar held, and Ctrl-C stops at once."""
        self.progress.stop()
        try:
            with self.interruption.at_prompt():
                yield
        finally:
            self.progress.start()

    def _list_in_ledger(self, claims: list[CheckedClaim]) -> None:
        """Every claim of the list gets a ledger row before anything is filed, so none is forgotten if the run stops."""
        for checked in claims:
            if self.ledger.get(self.marketplace, checked.order_id) is None:
                self.ledger.move(
                    self.marketplace,
                    checked.order_id,
                    State.PENDING,
                    run_id=self.folder.run_id,
                    fingerprint=fingerprint(checked),
                    message="In the claim list; not tried yet.",
                    claimed=checked.claimed,
                    filing_deadline=checked.deadline,
                )

    # -- the end -----------------------------------------------------------------------------------------------
    def _meta(self, claims_file: Path, status: ExitStatus) -> dict[str, Any]:
        return {
            "run_id": self.folder.run_id,
            "version": __version__,
            "mode": self._mode(),
            "site": self.base_url,
            "claims_file": str(claims_file),
            "exit_status": int(status),
            "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        }

    def _print_summary(self, status: ExitStatus, report: Path, claims_file: Path) -> None:
        from rich.table import Table

        # IDs are read whole or not at all; on a narrow terminal the messages go under the table.
        beside = self.console.width >= 120
        table = Table(title="Outcome", title_justify="left")
        for column in ("Claim", "Order ID", "Outcome", "SAFE-T claim ID"):
            table.add_column(column, no_wrap=True, min_width=len(column))
        if beside:
            table.add_column("Message", overflow="fold", ratio=1)
        notes = []
        for r in self.records:
            message = "" if r.state == State.FILED and r.message.startswith("Filed as") else r.message
            row = [f"claims[{r.index}]", r.order_id, r.state.replace("_", " "), r.claim_id or "—"]
            if beside:
                row.append(message)
            elif message:
                notes.append(f"claims[{r.index}] ({r.order_id}): {message}")
            table.add_row(*row)
        self.console.print(table)
        for note in notes:
            self.console.print(note)
        self.console.print(f"Report: {report}")
        self.console.print(f"Run folder: {self.folder.path}")
        if status in (ExitStatus.INTERRUPTED, ExitStatus.NEEDS_PERSON) or any(
            r.state in (State.PENDING, State.READY, State.UNKNOWN, State.SUBMITTING) for r in self.records
        ):
            again = command_line() if sys.argv[1:] else f"safet-filer run {claims_file}"
            self.console.print(
                f"To resume, run the same command again ({again}): claims already filed are not filed again, "
                "and any claim whose submit may have gone through is checked on Seller Central first."
            )
