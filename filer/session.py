"""The browser for one run: opened once, reopened after a crash, tracing kept only for claims that fail."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from loguru import logger

from safet_filer.flows.labels import labels_for
from safet_filer.flows.site import close_announcements
from safet_filer.settings import Settings

SIGN_IN_WAIT_S = 15 * 60  # how long the tool waits for the person to sign in


class BrowserSession:
    def __init__(self, settings: Settings, base_url: str, *, headed: bool, ephemeral: bool):
        self.settings = settings
        self.base_url = base_url
        self.headed = headed or settings.headed
        self.ephemeral = ephemeral  # a fresh throw-away profile (dry runs), else the signed-in profile
        self.labels = labels_for("en")
        self._playwright: Any = None
        self._browser: Any = None
        self.context: Any = None
        self.page: Any = None
        self._page_crashed = False

    def __enter__(self) -> BrowserSession:
        from playwright.sync_api import sync_playwright

        self._playwright = sync_playwright().start()
        try:
            self._open()
        except BaseException:
            self._playwright.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self._close()
        self._playwright.stop()

    def _open(self) -> None:
        from safet_filer.browser import find_browser, open_ephemeral, open_profile

        info = find_browser(self.settings, playwright=self._playwright)
        if self.ephemeral:
            self._browser, self.context = open_ephemeral(self._playwright, self.settings, info, headed=self.headed)
        else:
            self.context = open_profile(self._playwright, self.settings, info, headed=self.headed)
        self.context.set_default_timeout(self.settings.step_timeout_s * 1000)
        self.context.set_default_navigation_timeout(self.settings.navigation_timeout_s * 1000)
        self.context.tracing.start(screenshots=True, snapshots=True)
        self.page = self.context.pages[0] if self.context.pages else self.context.new_page()
        self._page_crashed = False
        self.page.on("crash", self._note_crash)
        close_announcements(self.page, self.labels)

    def _note_crash(self, page: Any) -> None:
        self._page_crashed = True

    def _close(self) -> None:
        for close in (lambda: self.context and self.context.close(), lambda: self._browser and self._browser.close()):
            try:
                close()
            except Exception:  # already gone after a crash
                pass
        self.context = self._browser = self.page = None

    def alive(self) -> bool:
        """Whether the browser still answers (False after it crashed, was killed or its page crashed)."""
        if self.page is None or self.page.is_closed() or self._page_crashed:
            return False
        try:
            self.context.cookies()  # a round trip to the browser process, whatever the page is doing
        except Exception:  # noqa: BLE001  any failure here means the browser is gone
            return False
        return True

    def restart(self) -> None:
        """After a browser or page crash: a new browser on the same profile."""
        logger.warning("The browser stopped responding; starting it again.")
        self._close()
        self._open()

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


def sign_in(settings: Settings, base_url: str, console: Any) -> None:
    """Open the signed-in profile headed on the dashboard and wait while the person signs in."""
    from playwright.sync_api import Error as PlaywrightError

    from safet_filer.errors import NeedsPerson
    from safet_filer.flows.dashboard import DASHBOARD_PATH, Dashboard
    from safet_filer.flows.site import SignInRequired

    with BrowserSession(settings, base_url, headed=True, ephemeral=False) as session:
        dashboard = Dashboard(session.page, session.labels, base_url, settings.step_timeout_s * 1000)
        try:
            dashboard.goto(DASHBOARD_PATH)
        except SignInRequired:
            console.print(
                "Sign in to Seller Central in the browser window that opened (including any code or puzzle), "
                "and tick 'Keep me signed in' so that later runs can use the session. "
                "safet-filer waits up to 15 minutes and never sees your password."
            )
        try:
            dashboard.wait_until_signed_in(SIGN_IN_WAIT_S * 1000)
        except PlaywrightError:
            raise NeedsPerson(
                "The browser window was closed before the SAFE-T dashboard appeared.",
                "Run `safet-filer login` again and finish signing in before closing the window.",
            ) from None
    console.print(f"Signed in. The session is kept in {settings.profile_dir} for later runs.")
