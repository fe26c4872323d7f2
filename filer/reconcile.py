"""Reconciliation: did an earlier submit go through? The dashboard decides, and steps safe to repeat are repeated.

Used by one claim's course before anything else, and by `safet-filer reconcile` for the whole ledger.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from functools import partial
from pathlib import Path
from typing import Protocol, TypeVar

from loguru import logger
from rich.console import Console
from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt, wait_none
from tenacity import wait_random_exponential as wait_growing

from safet_filer.errors import ExitStatus, InvalidInput, NeedsPerson
from safet_filer.flows.dashboard import FiledClaim
from safet_filer.flows.site import AutomationRestricted, ElementMissing, SignInRequired, SiteError, StepFailed
from safet_filer.ledger import NEEDS_RECONCILING, Entry, Ledger, State, command_line, exclusive
from safet_filer.settings import Settings

T = TypeVar("T")


class Dashboard(Protocol):
    """What reconciliation needs of a site: the claims its dashboard lists for an order."""

    def claims_for(self, order_id: str) -> list[FiledClaim]: ...


class DashboardSite(Dashboard, Protocol):
    """A site reconciliation can look claims up on, and restart when its browser stops answering."""

    def alive(self) -> bool: ...

    def restart(self) -> None: ...


def repeat_step(action: Callable[[], T], alive: Callable[[], bool], settings: Settings, label: str) -> T:
    """Run `action`, repeating it when a step fails: only for steps that are safe to repeat (nothing is submitted
    by them), not once the browser itself is gone (a crash: repeating cannot help), and not when the page, drawn
    and settled, lacks what a label names (a renamed button stays renamed: repeating only cost step timeouts).
    Between attempts the wait grows from `retry_wait_s` (with jitter) up to 16 times that."""
    attempts = settings.retries

    def worth_repeating(exc: BaseException) -> bool:
        return isinstance(exc, StepFailed) and not isinstance(exc, ElementMissing) and alive()

    def log_retry(state: RetryCallState) -> None:
        exc = state.outcome.exception() if state.outcome else None
        step = exc.step if isinstance(exc, StepFailed) else "step"
        logger.warning(
            "{}: {} failed ({}); trying again (attempt {} of {})",
            label,
            step,
            getattr(exc, "message", exc),
            state.attempt_number + 1,
            attempts,
        )

    first_wait = settings.retry_wait_s
    retrying = Retrying(
        retry=retry_if_exception(worth_repeating),
        stop=stop_after_attempt(attempts),
        wait=wait_growing(multiplier=first_wait, max=16 * first_wait) if first_wait else wait_none(),
        before_sleep=log_retry,
        reraise=True,
    )
    return retrying(action)


def reconcile(ledger: Ledger, dashboard: Dashboard, marketplace: str, order_id: str, *, run_id: str | None) -> Entry:
    """Look the order up on the dashboard: a claim there is recorded as filed; none means it may be filed again."""
    entry = ledger.get(marketplace, order_id)
    assert entry is not None
    found = dashboard.claims_for(order_id)
    if found:
        claim = found[0]
        return ledger.move(
            marketplace,
            order_id,
            State.FILED,
            run_id=run_id,
            claim_id=claim.claim_id,
            message=f"Found on the dashboard as {claim.claim_id} ({claim.status}): an earlier submit went through.",
        )
    if entry.state in NEEDS_RECONCILING:
        return ledger.found_absent(
            marketplace,
            order_id,
            run_id=run_id,
            message="Not on the dashboard: the earlier submit did not go through; it will be filed again.",
        )
    return entry


SiteOpener = Callable[[str], AbstractContextManager[DashboardSite]]


def reconcile_ledger(
    settings: Settings,
    ledger_path: Path,
    base_url: str | None,
    console: Console,
    open_site: SiteOpener | None = None,
) -> ExitStatus:
    """Settle every claim whose submit may have gone through by looking it up on the dashboard (`open_site`: the
    site of a base URL; the signed-in browser by default)."""
    if not ledger_path.exists():
        raise InvalidInput(f"There is no ledger at {ledger_path}.", "Check --ledger or the ledger_path setting.")
    status = ExitStatus.OK
    with exclusive(ledger_path, command_line()), Ledger(ledger_path) as ledger:
        entries = ledger.entries(NEEDS_RECONCILING)
        if not entries:
            console.print("Nothing to reconcile: no claim is waiting to be checked against Seller Central.")
            return status
        for marketplace in sorted({e.marketplace for e in entries}):
            url = (base_url or settings.market(marketplace).base_url).rstrip("/")
            with (open_site or partial(_browser, settings))(url) as site:
                for entry in (e for e in entries if e.marketplace == marketplace):
                    if not _reconcile_one(ledger, site, entry, settings, console):
                        status = ExitStatus.CLAIM_FAILED
    return status


def _reconcile_one(ledger: Ledger, site: DashboardSite, entry: Entry, settings: Settings, console: Console) -> bool:
    """Settle one entry and say how; False when the dashboard could not be checked (the entry keeps its state)."""
    try:
        settled = repeat_step(
            partial(reconcile, ledger, site, entry.marketplace, entry.order_id, run_id=None),
            site.alive,
            settings,
            entry.order_id,
        )
    except SignInRequired:
        raise NeedsPerson(
            "Seller Central asks you to sign in.",
            "Run `safet-filer login`, then `safet-filer reconcile` again.",
        ) from None
    except AutomationRestricted as exc:
        raise NeedsPerson(
            f"{exc} Stopped at once, as Amazon's Agent Policy asks.",
            "Check these claims on the SAFE-T dashboard by hand; nothing was changed in the ledger.",
        ) from None
    except SiteError as exc:
        console.print(f"{entry.order_id}: could not check the dashboard ({exc}); it stays {entry.state}.")
        if not site.alive():
            site.restart()
        return False
    console.print(f"{entry.order_id}: {settled.state} — {settled.message}")
    return True


def _browser(settings: Settings, base_url: str) -> AbstractContextManager[DashboardSite]:
    from safet_filer.session import BrowserSession

    return BrowserSession(settings, base_url, headed=settings.headed, ephemeral=False)
