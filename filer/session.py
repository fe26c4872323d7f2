"""The browser for one run: opened once, reopened after a crash, tracing kept only for claims that fail.

It is also the real site that one claim's course works on (`filing.ClaimSite`): the dashboard look-up, the wizard
as a whole, the sign-in wait and the evidence of a failed step, with the browser's own errors turned into
`BrowserStopped`.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from loguru import logger

from safet_filer.errors import first_line
from safet_filer.flows.claim_wizard import BrowserStopped, ClaimWizard, FilledClaim, StepReport, WizardClaim
from safet_filer.flows.dashboard import Dashboard, FiledClaim
from safet_filer.flows.labels import SiteLabels
from safet_filer.flows.picker import PickedElement, pick_element
from safet_filer.flows.site import close_announcements
from safet_filer.report import FailureEvidence
from safet_filer.settings import Settings, minutes

T = TypeVar("T")

EVIDENCE_TIMEOUT_MS = 5000  # evidence of a failed step is taken as the page is, without waiting for it


@dataclass
class _Browser:
    """What the tabs of one browser share: Playwright, the browser and its context, the pages by tab, the words of
    the site (the course puts words learned during the run in here) and how often the session was opened anew."""

    labels: SiteLabels
    playwright: Any = None
    browser: Any = None
    context: Any = None
    pages: dict[int, Any] = field(default_factory=dict)  # tab -> its page, opened when first used
    crashed: set[int] = field(default_factory=set)  # tabs whose page crashed
    opened: int = 0  # (re)starts of the browser and sign-ins since the first start


class BrowserSession:
    """The browser of a run, and the site on one of its tabs (tab 0; `other_tab()` gives the site on tab 1)."""

    def __init__(
        self, settings: Settings, base_url: str, *, headed: bool, ephemeral: bool, marketplace: str | None = None
    ):
        self.settings = settings
        self.base_url = base_url
        self.headed = headed or settings.headed
        self.ephemeral = ephemeral  # a fresh throw-away profile (dry runs), else the signed-in profile
        self._shared = _Browser(settings.site_labels(marketplace))
        self.tab = 0

    def __enter__(self) -> BrowserSession:
        from playwright.sync_api import sync_playwright

        self._shared.playwright = sync_playwright().start()
        try:
            self._open()
        except BaseException:
            self._shared.playwright.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self._close()
        self._shared.playwright.stop()

    def other_tab(self) -> BrowserSession:
        """The site on a second tab of the same browser (the same sign-in and words), its page opened when used."""
        other = copy.copy(self)
        other.tab = 1 - self.tab
        return other

    @property
    def labels(self) -> SiteLabels:
        return self._shared.labels

    @labels.setter
    def labels(self, labels: SiteLabels) -> None:
        self._shared.labels = labels

    @property
    def context(self) -> Any:
        return self._shared.context

    @property
    def page(self) -> Any:
        """This tab's page, opened in the browser the first time it is used (and again after a restart)."""
        shared = self._shared
        if self.tab not in shared.pages and shared.context is not None:
            page = self._new_window()
            page.on("crash", lambda _: shared.crashed.add(self.tab))
            shared.pages[self.tab] = page
        return shared.pages.get(self.tab)

    def _new_window(self) -> Any:
        """A page in a window of its own beside the first, not a tab behind it: a tab in the background gets no
        frames drawn, so each of its screenshots waited seconds, and a person could not see both claims at once."""
        from playwright.sync_api import Error as PlaywrightError

        try:
            with self.context.expect_page(timeout=EVIDENCE_TIMEOUT_MS) as opened:  # noopener: a process of its own
                self._shared.pages[0].evaluate("window.open('about:blank', '_blank', 'popup,noopener')")
            return opened.value
        except PlaywrightError:  # the first page cannot open one now (crashed, between documents): a tab, then
            return self.context.new_page()

    @property
    def opened(self) -> int:
        """How often the browser was started again or signed in to again: a page filled under an earlier count
        may belong to a session that is gone."""
        return self._shared.opened

    def _open(self) -> None:
        from safet_filer.browser import find_browser, open_ephemeral, open_profile

        shared = self._shared
        info = find_browser(self.settings, playwright=shared.playwright)
        if self.ephemeral:
            shared.browser, shared.context = open_ephemeral(shared.playwright, self.settings, info, headed=self.headed)
        else:
            shared.context = open_profile(shared.playwright, self.settings, info, headed=self.headed)
        shared.context.set_default_timeout(self.settings.step_timeout_s * 1000)
        shared.context.set_default_navigation_timeout(self.settings.navigation_timeout_s * 1000)
        # Actions only (each call, its locator, call log, error and timing): enough to see what a failed claim did.
        # DOM snapshots and the screencast roughly doubled the CPU spent per claim; the step screenshots and the
        # failure evidence (screenshot, page HTML) show the page itself (benchmarks/filing_speed.py).
        shared.context.tracing.start()
        shared.crashed.clear()
        first = shared.context.pages[0] if shared.context.pages else shared.context.new_page()
        first.on("crash", lambda _: shared.crashed.add(0))
        shared.pages = {0: first}
        close_announcements(first, self.labels)

    def _close(self) -> None:
        shared = self._shared
        for close in (
            lambda: shared.context and shared.context.close(),
            lambda: shared.browser and shared.browser.close(),
        ):
            try:
                close()
            except Exception:  # already gone after a crash
                pass
        shared.context = shared.browser = None
        shared.pages = {}

    def alive(self) -> bool:
        """Whether this tab's browser still answers (False after it crashed, was killed or this tab's page crashed)."""
        page = self.page
        if page is None or page.is_closed() or self.tab in self._shared.crashed:
            return False
        try:
            self.context.cookies()  # a round trip to the browser process, whatever the page is doing
        except Exception:  # noqa: BLE001  any failure here means the browser is gone
            return False
        return True

    def restart(self) -> None:
        """After a browser or page crash: a new browser on the same profile, every tab's page a new one."""
        logger.warning("The browser stopped responding; starting it again.")
        self._close()
        self._open()
        self._shared.opened += 1

    def keep_awake(self) -> None:
        """A light touch on this tab while the person reads its claim: the first call to a browser idle for a few
        seconds took 80-200 ms here, and the submit after the person's answer should not pay for it. A browser
        gone is not noticed here: the submit finds it."""
        page = self._shared.pages.get(self.tab)
        if page is not None:
            try:
                page.evaluate("0")
            except Exception:  # noqa: BLE001  the submit that follows reports what went wrong
                pass

    def front(self) -> None:
        """Show this tab in the window (headed), as the person is asked about the claim on it."""
        if self.headed and self._shared.pages.get(self.tab) is not None:
            self._answering(self.page.bring_to_front)

    # -- the site, as one claim's course uses it ----------------------------------------------------------------
    def claims_for(self, order_id: str) -> list[FiledClaim]:
        return self._answering(lambda: Dashboard(*self._page_args()).claims_for(order_id))

    def fill_to_review(self, claim: WizardClaim, report: StepReport) -> FilledClaim:
        return self._answering(lambda: ClaimWizard(*self._page_args()).fill_to_review(claim, report))

    def submit(self, order_id: str, just_before_press: Callable[[], None], timeout_s: float) -> str:
        return self._answering(
            lambda: ClaimWizard(*self._page_args()).submit(order_id, just_before_press, timeout_s * 1000)
        )

    def wait_until_signed_in(self) -> bool:
        """Wait while the person signs in in the window; False when nobody finished within sign_in_timeout_s."""
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import TimeoutError as PlaywrightTimeout

        signin_paths = self.labels.signin_paths
        try:
            self.page.wait_for_url(
                lambda url: not any(p in url for p in signin_paths), timeout=self.settings.sign_in_timeout_s * 1000
            )
        except PlaywrightTimeout:
            return False
        except PlaywrightError as exc:
            raise BrowserStopped(first_line(exc)) from None
        self._shared.opened += 1
        return True

    def pick(self, timeout_s: float, armed: Callable[[], None]) -> PickedElement | None:
        """The element of the person's next click in the window (the page does not act on it), or None when none
        came within `timeout_s`; `armed` is called once the click would be caught."""
        self._answering(self.page.bring_to_front)
        return self._answering(lambda: pick_element(self.page, timeout_s * 1000, armed))

    def screenshot(self) -> bytes:
        return self._answering(lambda: self.page.screenshot(full_page=True))

    def failure_evidence(self) -> FailureEvidence:
        """A full-page screenshot, the HTML and the ARIA snapshot of the page as it is now (what a flow could have
        found there by role and name), each None when it cannot be taken."""
        if self.page is None:
            return FailureEvidence()
        page = self.page
        return FailureEvidence(
            screenshot=_or_none(lambda: page.screenshot(full_page=True)),
            html=_or_none(page.content),
            aria=_or_none(lambda: page.aria_snapshot(timeout=EVIDENCE_TIMEOUT_MS)),
        )

    def _page_args(self) -> tuple[Any, Any, str, float]:
        return (self.page, self.labels, self.base_url, self.settings.step_timeout_s * 1000)

    def _answering(self, action: Callable[[], T]) -> T:
        """Run a flow; a Playwright error that no page object expected means the browser or page is gone."""
        from playwright.sync_api import Error as PlaywrightError

        try:
            return action()
        except PlaywrightError as exc:
            raise BrowserStopped(first_line(exc)) from None

    # -- a trace per claim, kept only when the claim fails -----------------------------------------------------
    def trace_start(self, title: str) -> None:
        try:
            self.context.tracing.start_chunk(title=title)
        except Exception as exc:  # tracing is evidence, never a reason to fail a claim
            logger.debug("Could not start a trace chunk: {}", exc)

    def trace_stop(self, keep_at: Path | None) -> None:
        try:
            if keep_at is not None:
                self.context.tracing.stop_chunk(path=str(keep_at))
            else:
                self.context.tracing.stop_chunk()
        except Exception as exc:
            logger.debug("Could not stop the trace chunk: {}", exc)


def _or_none(take: Callable[[], T]) -> T | None:
    try:
        return take()
    except Exception:  # noqa: BLE001  the page may be gone (a crash): keep what can be kept
        return None


def sign_in(settings: Settings, base_url: str, console: Any) -> None:
    """Open the signed-in profile headed on the dashboard and wait while the person signs in. Every way this can
    end short of the dashboard is a `NeedsPerson` with what to do next."""
    from playwright.sync_api import Error as PlaywrightError

    from safet_filer.errors import NeedsPerson
    from safet_filer.flows.dashboard import DASHBOARD_PATH, Dashboard
    from safet_filer.flows.site import AutomationRestricted, LeftSite, SignInRequired, StepFailed

    wait = minutes(settings.sign_in_timeout_s)
    with BrowserSession(settings, base_url, headed=True, ephemeral=False) as session:
        dashboard = Dashboard(session.page, session.labels, base_url, settings.step_timeout_s * 1000)
        loaded = False
        try:
            try:
                dashboard.goto(DASHBOARD_PATH)
                loaded = True
            except SignInRequired:
                console.print(
                    "Sign in to Seller Central in the browser window that opened (including any code or puzzle), "
                    "and tick 'Keep me signed in' so that later runs can use the session. "
                    f"safet-filer waits up to {wait} and never sees your password."
                )
                loaded = True
            dashboard.wait_until_signed_in(settings.sign_in_timeout_s * 1000)
            dashboard.check_site()
        except PlaywrightError:
            raise NeedsPerson(
                "The browser window was closed before the SAFE-T dashboard appeared.",
                "Run `safet-filer login` again and finish signing in before closing the window.",
            ) from None
        except LeftSite as exc:
            raise NeedsPerson(
                f"{exc} Nothing was signed in to there.",
                f"Check that {base_url} (--base-url or the marketplace's host setting) is your Seller Central, "
                "then run `safet-filer login` again.",
            ) from None
        except AutomationRestricted as exc:
            raise NeedsPerson(
                f"{exc}", "Sign in to Seller Central in your own browser and contact Seller Support."
            ) from None
        except StepFailed as exc:
            if not loaded:
                raise NeedsPerson(
                    f"Seller Central did not load at {base_url}: {exc.message}.",
                    "Check the address (--base-url or the marketplace's host setting) and your connection, then "
                    "run `safet-filer login` again.",
                ) from None
            raise NeedsPerson(
                f"Nobody finished signing in within {wait}: the SAFE-T dashboard did not appear at {base_url}.",
                "Run `safet-filer login` again and finish signing in in the window, including any code or puzzle.",
            ) from None
    console.print(f"Signed in. The session is kept in {settings.profile_dir} for later runs.")
