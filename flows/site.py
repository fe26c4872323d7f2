"""What every Seller Central page object shares: staying on the right site, noticing stops, waiting on page state."""

from __future__ import annotations

import json
import re
from urllib.parse import urlsplit

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Locator, Page, expect

from safet_filer.errors import first_line
from safet_filer.flows.aria import names_of
from safet_filer.flows.labels import SiteLabels, label_of


class SiteError(Exception):
    """The page did not reach the state the flow expected."""


class StepFailed(SiteError):
    """A step timed out or the site showed an error; repeating the step from the start is safe."""

    def __init__(self, step: str, message: str):
        super().__init__(f"{step}: {message}")
        self.step = step
        self.message = message


class ElementMissing(StepFailed):
    """The page shows no element of `role` named `name`. `label` is the SiteLabels field the name came from (so a
    person can teach the tool the page's own word for it); `offered` are the names the page shows of that role."""

    def __init__(self, step: str, role: str, name: str, label: str | None, offered: list[str]):
        shown = ", ".join(offered) if offered else "none"
        roles = f"{role}es" if role.endswith(("x", "s")) else f"{role}s"  # textboxes, checkboxes, buttons
        super().__init__(step, f"the page shows no {role} named '{name}' ({roles} on the page: {shown})")
        self.role = role
        self.name = name
        self.label = label
        self.offered = offered


class SignInRequired(SiteError):
    """Seller Central asks the person to sign in, enter a code or solve a puzzle."""

    def __init__(self, url: str):
        super().__init__(f"Seller Central is asking to sign in ({urlsplit(url).path}).")
        self.url = url


class AutomationRestricted(SiteError):
    """Seller Central restricts automated access; the Agent Policy says to stop at once."""


class LeftSite(SiteError):
    """The browser is on a host other than the Seller Central being filed to."""

    def __init__(self, host: str, expected: str):
        super().__init__(f"The browser went to {host!r} instead of {expected!r}.")
        self.host = host


def host_of(url: str) -> str:
    return urlsplit(url).hostname or ""


class SitePage:
    """Base of the page objects: the page, the site's labels, its base URL and the step timeout."""

    def __init__(self, page: Page, labels: SiteLabels, base_url: str, timeout_ms: float):
        self.page = page
        self.labels = labels
        self.base_url = base_url.rstrip("/")
        self.timeout_ms = timeout_ms
        self.host = host_of(base_url)

    # -- where we are -------------------------------------------------------------------------------------
    def check_site(self) -> None:
        """Raise unless the main frame is on the Seller Central host and on a page the flows may act on."""
        if self.check_address() and self._restricted.count():
            raise self.restricted()

    def check_address(self) -> bool:
        """Raise unless the main frame's address is on the Seller Central host and not a sign-in page (no round trip
        to the page); False while no page is loaded yet."""
        url = self.page.url
        if url.startswith("about:"):
            return False
        host = host_of(url)
        if host != self.host:
            raise LeftSite(host, self.host)
        if any(urlsplit(url).path.startswith(p) for p in self.labels.signin_paths):
            raise SignInRequired(url)
        return True

    def restricted(self) -> AutomationRestricted:
        """The stop for a page that restricts automated access (the page shows the restriction's heading)."""
        shown = f"Seller Central shows '{self.labels.restricted_heading}' at {urlsplit(self.page.url).path}."
        return AutomationRestricted(shown)

    @property
    def _restricted(self) -> Locator:
        return self.page.get_by_role("heading", name=self.labels.restricted_heading)

    @property
    def _stop_signs(self) -> Locator:
        """Whatever a page shows instead of the wizard when the flow must stop: restriction, sign-in boxes."""
        signs = self._restricted
        for name in self.labels.signin_boxes:
            signs = signs.or_(self.page.get_by_role("textbox", name=name, exact=True))
        return signs

    def goto(self, path: str) -> None:
        self.load(path)
        self.check_site()

    def load(self, path: str) -> None:
        """Open `path`, checking where the browser landed by its address only: for a caller whose next look at the
        page sees a restriction (one round trip fewer than `goto`)."""
        try:
            response = self.page.goto(self.base_url + path, wait_until="domcontentloaded")
        except PlaywrightError as exc:
            raise StepFailed("open page", f"{path} did not load ({first_line(exc)})") from None
        self.check_address()
        if response is not None and response.status >= 500:
            raise StepFailed("open page", f"{path} answered with a server error (HTTP {response.status})")

    # -- waiting on page state ----------------------------------------------------------------------------
    def wait_for(self, target: Locator, step: str, timeout_ms: float | None = None) -> None:
        """Wait until `target` shows; stop early, with the reason, if the site asks to sign in or restricts access."""
        try:
            expect(target.or_(self._stop_signs).first).to_be_visible(timeout=timeout_ms or self.timeout_ms)
        except AssertionError:
            self.check_site()
            raise StepFailed(step, "the page did not get there in time") from None
        except PlaywrightError as exc:
            raise StepFailed(step, first_line(exc)) from None
        self.check_site()

    def alert_text(self) -> str | None:
        """The text of a visible alert (the site's way of saying no), if any."""
        alerts = self.page.get_by_role("alert").filter(visible=True)
        texts = [t.strip() for t in alerts.all_inner_texts() if t.strip()]
        return " ".join(texts) or None

    def button(self, name: str) -> Locator:
        # The description names what was looked for, in traces and in `ElementMissing` when it is not there.
        return self.page.get_by_role("button", name=name, exact=True).describe(f"button {json.dumps(name)}")

    def click(self, target: Locator, step: str) -> None:
        self.check_site()
        try:
            target.click(timeout=self.timeout_ms)
        except PlaywrightError as exc:
            self.check_site()
            raise self._missing(target, step) or StepFailed(step, f"could not click it ({first_line(exc)})") from None

    def _missing(self, target: Locator, step: str) -> ElementMissing | None:
        """`ElementMissing` when the page shows nothing that `target` (described by `button`) names, else None."""
        described = _DESCRIBED.fullmatch(target.description or "")
        if described is None or target.count():
            return None
        role, name = described.group("role"), json.loads(described.group("name"))
        try:
            offered = names_of(self.page.aria_snapshot(timeout=self.timeout_ms), role)
        except PlaywrightError:
            offered = []
        return ElementMissing(step, role, name, label_of(self.labels, name), offered)


def close_announcements(page: Page, labels: SiteLabels) -> None:
    """Close Seller Central's announcement dialogs whenever one covers the page (before any action or wait)."""
    dialog = page.get_by_role("dialog").filter(has=page.get_by_role("button", name=labels.close, exact=True))
    page.add_locator_handler(dialog, lambda d: d.get_by_role("button", name=labels.close, exact=True).first.click())


def table_rows(table: Locator) -> list[dict[str, str]]:
    """The data rows of a table as {column header: cell text}."""
    headers = [h.strip() for h in table.get_by_role("columnheader").all_inner_texts()]
    rows = []
    for row in table.get_by_role("row").all():
        cells = row.get_by_role("cell").all_inner_texts()
        if not cells:
            continue  # the header row
        header_cells = row.get_by_role("rowheader").all_inner_texts()
        values = [c.strip() for c in header_cells + cells]
        rows.append(dict(zip(headers, values, strict=False)))  # a short row leaves columns out
    return rows


def key_value_rows(table: Locator) -> dict[str, str]:
    """A two-column table of (row header, value) as a dict."""
    result = {}
    for row in table.get_by_role("row").all():
        keys = row.get_by_role("rowheader").all_inner_texts()
        values = row.get_by_role("cell").all_inner_texts()
        if keys and values:
            result[keys[0].strip()] = values[0].strip()
    return result


_DESCRIBED = re.compile(r'(?P<role>[a-z]+) (?P<name>"(?:[^"\\]|\\.)*")')
