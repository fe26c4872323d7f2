"""`sync`: what Seller Central shows of every SAFE-T claim, recorded in the ledger; read-only, it never presses a button.

The dashboard is read through every page; then the page of each claim not yet closed, each at most once per run,
which also settles any reply or appeal whose Send may have gone through (by its message thread). `sync --report`
takes the same facts from the returns report's SafeT columns, with no browser. Claims the ledger does not know
(filed by hand) become known orders (`already_filed`), so that neither `run` nor `draft` files them again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, TypeVar

from playwright.sync_api import Error as PlaywrightError

from safet_filer.errors import FilerError, NeedsPerson, first_line
from safet_filer.flows.claim_page import ThreadMessage
from safet_filer.flows.dashboard import FiledClaim
from safet_filer.flows.labels import SiteLabels
from safet_filer.flows.site import LeftSite, StepFailed
from safet_filer.followup import FollowUp
from safet_filer.followup_messages import Message, MessageKind, MessageState
from safet_filer.followup_site import DECIDED, Change, SiteStatus, Source
from safet_filer.ledger import DONE, Money
from safet_filer.site_values import is_empty, parse_date, parse_money
from safet_filer.thread import settle_in_flight

if TYPE_CHECKING:
    from rich.console import Console

    from safet_filer.session import BrowserSession
    from safet_filer.settings import Settings

T = TypeVar("T")
DEFAULT_DAYS = 90  # the dashboard's own longest usual filter; more when the ledger follows an older open claim


class SiteReader(Protocol):
    """What `sync` reads from Seller Central (the browser's page objects, or a fake in tests)."""

    def dashboard(self, days: int) -> list[FiledClaim]: ...

    def claim_page(self, claim_id: str) -> tuple[dict[str, str], list[ThreadMessage]]: ...


@dataclass
class ClaimSync:
    """One SAFE-T claim in this sync: what changed, the messages its thread settled, or why it could not be read."""

    claim_id: str
    order_id: str
    changes: list[Change] = field(default_factory=list)
    settled: list[Message] = field(default_factory=list)
    page_read: bool = False
    problem: str | None = None

    @property
    def filed_by_hand(self) -> bool:
        return any(c.field == "state" and c.after == "already_filed" for c in self.changes)


@dataclass
class SyncResult:
    claims: list[ClaimSync]
    days: int | None  # the dashboard's date filter (None: the returns report)

    @property
    def problems(self) -> list[ClaimSync]:
        return [c for c in self.claims if c.problem]

    def summary(self) -> str:
        changed = sum(1 for c in self.claims if c.changes or c.settled)
        by_hand = sum(1 for c in self.claims if c.filed_by_hand)
        pages = sum(1 for c in self.claims if c.page_read)
        where = f"on the dashboard (last {self.days} days)" if self.days is not None else "in the returns report"
        parts = [
            f"{len(self.claims)} claim{'s' * (len(self.claims) != 1)} {where}",
            f"{pages} claim page{'s' * (pages != 1)} read" if self.days is not None else None,
            f"{changed} changed",
            f"{by_hand} filed by hand, now known" if by_hand else None,
            f"{len(self.problems)} could not be read" if self.problems else None,
        ]
        return "Synced " + ", ".join(p for p in parts if p) + "."


class Syncer:
    """Records what a `SiteReader` shows into the ledger, for one marketplace."""

    def __init__(
        self,
        follow: FollowUp,
        marketplace: str,
        currency: str,
        labels: SiteLabels,
        *,
        today: date | None = None,
        run_id: str | None = None,
        on_claim: Callable[[str], None] | None = None,
    ):
        self.follow = follow
        self.marketplace = marketplace
        self.currency = currency
        self.labels = labels
        self.today = today or date.today()
        self.run_id = run_id
        self.on_claim = on_claim or (lambda claim_id: None)

    def days_to_cover(self) -> int:
        """The dashboard's date filter: 90 days, or back to the oldest claim the ledger still follows."""
        oldest = self.today
        for f in self.follow.followed():
            if f.entry.marketplace != self.marketplace or f.entry.state not in DONE:
                continue
            if f.site is None or not self._closed(f.site.claim_id, status_changed=False):
                oldest = min(oldest, datetime.fromisoformat(f.entry.created_at).date())
        return max(DEFAULT_DAYS, (self.today - oldest).days + 1)

    def sync(self, reader: SiteReader, days: int | None = None) -> SyncResult:
        days = days or self.days_to_cover()
        results = []
        for row in reader.dashboard(days):
            result = ClaimSync(row.claim_id, row.order_id)
            results.append(result)
            try:
                result.changes += self._record_row(row)
            except (FilerError, ValueError) as exc:
                result.problem = _problem_text(exc)
                continue
            status_changed = any(c.field == "status" and c.before is not None for c in result.changes)
            if self._closed(row.claim_id, status_changed=status_changed):
                continue
            self.on_claim(row.claim_id)
            try:
                details, thread = reader.claim_page(row.claim_id)  # each claim's page once per run
                result.page_read = True
                result.changes += self._record_page(row, details)
                result.settled = settle_in_flight(self.follow, self.marketplace, row.claim_id, thread, self.labels)
            except NeedsPerson:  # sign-in while headless, restricted access: the whole sync stops
                raise
            except (FilerError, ValueError) as exc:
                result.problem = _problem_text(exc)
            except (StepFailed, LeftSite, PlaywrightError) as exc:
                result.problem = f"its page could not be read: {first_line(exc)}"
        return SyncResult(results, days)

    def _record_row(self, row: FiledClaim) -> list[Change]:
        return self.follow.record_site_view(
            self.marketplace,
            row.order_id,
            row.claim_id,
            source=Source.DASHBOARD,
            status=SiteStatus.from_text(row.status),
            reimbursed=self._money(row.reimbursement, "Reimbursement"),
            run_id=self.run_id,
        )

    def _record_page(self, row: FiledClaim, details: dict[str, str]) -> list[Change]:
        lab = self.labels
        shown_id = details.get(lab.detail_claim_id, row.claim_id)
        if shown_id != row.claim_id:
            raise ValueError(f"its page shows SAFE-T claim ID {shown_id!r}; nothing was recorded from it")
        comment = details.get(lab.detail_comment)
        return self.follow.record_site_view(
            self.marketplace,
            details.get(lab.detail_order_id) or row.order_id,
            row.claim_id,
            source=Source.CLAIM_PAGE,
            status=SiteStatus.from_text(details.get(lab.detail_status, row.status)),
            reimbursed=self._money(details.get(lab.detail_amount), lab.detail_amount),
            comment=None if is_empty(comment) else comment,
            reply_by=self._date(details.get(lab.detail_reply_by), lab.detail_reply_by),
            appeal_by=self._date(details.get(lab.detail_appeal_by), lab.detail_appeal_by),
            run_id=self.run_id,
        )

    def _closed(self, claim_id: str, *, status_changed: bool) -> bool:
        """Nothing more can happen on the claim that its page would show: decided, with no appeal possible any
        more (its Appeal by date has passed, or its one appeal was sent), no message in flight, and its status not
        changed just now (a new decision brings a new Appeal by date)."""
        site = self.follow.site_claim(self.marketplace, claim_id)
        if site is None or status_changed or site.status not in DECIDED:
            return False
        messages = self.follow.messages(self.marketplace, claim_id)
        if any(m.state in (MessageState.SENDING, MessageState.UNKNOWN) for m in messages):
            return False
        appealed = any(m.kind == MessageKind.APPEAL and m.state == MessageState.SENT for m in messages)
        return appealed or (site.appeal_by is not None and site.appeal_by < self.today)

    def _money(self, text: str | None, what: str) -> Money | None:
        try:
            return parse_money(text, self.currency)
        except ValueError as exc:
            raise ValueError(f"{what}: {exc}") from None

    def _date(self, text: str | None, what: str) -> date | None:
        try:
            return parse_date(text)
        except ValueError as exc:
            raise ValueError(f"{what}: {exc}") from None


# -- the returns report ----------------------------------------------------------------------------------------
def sync_report(
    follow: FollowUp, path: Path, marketplace: str, currency: str, *, run_id: str | None = None
) -> SyncResult:
    """Record the SafeT columns of the returns report at `path` (Source.REPORT); ReportError when it is unreadable.

    A claim spans one row per returned item; its facts are read once, from its first row.
    """
    from safet_filer.returns_report import read_returns_report

    report = read_returns_report(path)
    if not report.has("SafeT claim id"):
        raise FilerError(
            f"{path} has no SafeT claim id column, so it says nothing about SAFE-T claims.",
            "Download Amazon's returns report (Reports > Return reports), which has the SafeT columns.",
        )
    results: dict[str, ClaimSync] = {}
    for row in report.rows:
        claim_id = (row.safet_claim_id or "").strip()
        if not claim_id or claim_id in results:
            continue
        result = results[claim_id] = ClaimSync(claim_id, row.order_id)
        try:
            if not row.safet_claim_state:
                raise ValueError("the SafeT claim state is empty")
            status = SiteStatus.from_text(row.safet_claim_state.replace("_", " "))
            amount = row.safet_reimbursement
            result.changes = follow.record_site_view(
                marketplace,
                row.order_id,
                claim_id,
                source=Source.REPORT,
                status=status,
                reimbursed=Money(amount, row.currency or currency) if amount is not None else None,
                run_id=run_id,
            )
        except (FilerError, ValueError) as exc:
            result.problem = f"line {row.line}: {_problem_text(exc)}"
    return SyncResult(list(results.values()), None)


def _problem_text(exc: Exception) -> str:
    return exc.message if isinstance(exc, FilerError) else str(exc)


# -- the browser -------------------------------------------------------------------------------------------------
class BrowserReader:
    """`SiteReader` over the browser's page objects: each read repeated when a step fails (reading is safe to
    repeat), and a sign-in left to the person."""

    def __init__(self, session: BrowserSession, base_url: str, settings: Settings, console: Console, command: str):
        self.session = session
        self.base_url = base_url
        self.settings = settings
        self.console = console
        self.command = command

    def _args(self) -> tuple:
        return (self.session.page, self.session.labels, self.base_url, self.settings.step_timeout_s * 1000)

    def _read(self, action: Callable[[], T], label: str) -> T:
        from safet_filer.site_guard import guarded

        return guarded(action, self.session, self.settings, self.console, self.command, label)

    def dashboard(self, days: int) -> list[FiledClaim]:
        from safet_filer.flows.dashboard import Dashboard

        return self._read(lambda: Dashboard(*self._args()).every_claim(days), "the dashboard")

    def claim_page(self, claim_id: str) -> tuple[dict[str, str], list[ThreadMessage]]:
        from safet_filer.flows.claim_page import ClaimPage

        def read() -> tuple[dict[str, str], list[ThreadMessage]]:
            page = ClaimPage(*self._args())
            page.open(claim_id)
            return page.details(), page.messages()

        try:
            return self._read(read, f"SAFE-T claim {claim_id}")
        except PlaywrightError:
            if not self.session.alive():  # the browser died under this claim: the next one gets a new one
                self.session.restart()
            raise


def sync_site(
    settings: Settings, marketplace: str, base_url: str, days: int | None, headed: bool, console: Console
) -> SyncResult:
    """`safet-filer sync`: hold the ledger, open the signed-in browser, read the site, record what it shows."""
    from safet_filer.ledger import Ledger, command_line, exclusive
    from safet_filer.session import BrowserSession

    market = settings.market(marketplace)
    with exclusive(settings.ledger_path, command_line()), Ledger(settings.ledger_path) as ledger:
        follow = FollowUp(ledger)
        with BrowserSession(settings, base_url, headed=headed, ephemeral=False) as session:
            syncer = Syncer(
                follow,
                marketplace,
                market.currency,
                session.labels,
                on_claim=lambda claim_id: console.print(f"Reading SAFE-T claim {claim_id}…", style="dim"),
            )
            reader = BrowserReader(session, base_url, settings, console, command_line())
            return syncer.sync(reader, days)


def sync_returns_report(settings: Settings, marketplace: str, path: Path) -> SyncResult:
    """`safet-filer sync --report FILE`: the same facts from the returns report, with no browser."""
    from safet_filer.ledger import Ledger, command_line, exclusive

    market = settings.market(marketplace)
    with exclusive(settings.ledger_path, command_line()), Ledger(settings.ledger_path) as ledger:
        return sync_report(FollowUp(ledger), path, marketplace, market.currency)
