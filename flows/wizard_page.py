"""The wizard's page in the browser: seeing it (one ARIA snapshot read as a `PageState`), waiting until it changed, and
working its controls by role and accessible name (native or custom, named or known only by their row).

It decides nothing: claim_wizard asks wizard_decide what to do and this module does it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import JSHandle, Locator, Page, expect

from safet_filer.errors import first_line
from safet_filer.flows.aria import Node, contains_name, name_pattern, parse_snapshot, same_name
from safet_filer.flows.site import ElementMissing, SitePage, StepFailed
from safet_filer.flows.wizard_state import ItemRow, PageState, alerts_around, recognise

LOOK_AGAIN_MS = 500  # the longest wait without a change seen: a change no observer sees is still found


class WizardPage(SitePage):
    """The wizard's page: what it shows now, and its controls."""

    notices: tuple[str, ...] = ()  # alerts shown before the flow acted: the site's notices, never an answer

    # -- seeing the page --------------------------------------------------------------------------------------------
    def look(self) -> tuple[Node, PageState] | None:
        """The page's tree and state now; None while it is between two documents (a navigation under way)."""
        self.check_address()
        try:
            tree = parse_snapshot(self.page.locator("body").aria_snapshot(timeout=self.timeout_ms))
        except PlaywrightError:
            if self.page.is_closed():
                raise
            return None  # the document was replaced as it was read: look again
        self.check_address()  # (the page may have moved on while it was read)
        if tree.first("heading", self.labels.restricted_heading):
            raise self.restricted()
        return tree, recognise(tree, self.labels, self.notices)

    def note_notices(self, tree: Node) -> None:
        """Remember what alerts a freshly loaded page shows before anything was done on it."""
        self.notices = alerts_around(tree)

    def settle(self, before: PageState | None, step: str, timeout_ms: float | None = None) -> tuple[Node, PageState]:
        """Wait until the page shows a state other than `before`, drawn and not busy; StepFailed, naming what it
        shows, when that does not happen in time. Looks again each time the page changes (`ChangeWatch`), not on a
        clock: most actions change the page before they return, and the rest are seen as soon as the page moves."""
        deadline = time.monotonic() + (timeout_ms or self.timeout_ms) / 1000

        def ready(looked: tuple[Node, PageState] | None) -> bool:
            return looked is not None and not looked[1].busy and not looked[1].blank and looked[1] != before

        seen = looked = self.look()
        watch = ChangeWatch(self.page)
        while not ready(looked) and time.monotonic() < deadline:
            if not watch.armed:
                watch.arm()  # armed before the page is looked at again: no change between the two goes unseen
                looked = self.look()
                seen = looked or seen
                if ready(looked):
                    break
            watch.wait((deadline - time.monotonic()) * 1000)
            looked = self.look()
            seen = looked or seen
        if ready(looked):
            return looked  # type: ignore[return-value]
        if seen is None:
            raise StepFailed(step, "the page did not finish loading in time")
        if seen[1].busy:
            raise StepFailed(step, f"the page stayed busy ('{seen[1].busy}')")
        if before is not None and seen[1] == before:
            raise StepFailed(step, "the page did not change after it")
        return seen  # blank: the caller says what it looked for

    # -- working its controls --------------------------------------------------------------------------------------
    def by_name(self, role: str, name: str, scope: Locator | None = None) -> Locator:
        return (scope or self.page.locator("body")).get_by_role(role, name=name_pattern(name))  # type: ignore[arg-type]

    def press(self, role: str, name: str, step: str) -> None:
        self._doing(step, f"could not press '{name}'", lambda: self.by_name(role, name).first.click())

    def type_into(self, name: str, text: str, step: str) -> None:
        self._doing(step, f"could not type into '{name}'", lambda: self.by_name("textbox", name).first.fill(text))

    def tick(self, name: str, step: str) -> None:
        self._doing(step, f"could not tick '{name}'", lambda: self.by_name("checkbox", name).first.check())

    def row(self, row: ItemRow) -> Locator:
        """The row showing the ASIN that holds the controls (the innermost, when rows nest); the page for "page"."""
        if row.role == "page":
            return self.page.locator("body")
        controls = self.page.get_by_role("checkbox").or_(self.page.get_by_role("spinbutton"))
        controls = controls.or_(self.page.get_by_role("combobox"))
        return self.page.get_by_role(row.role).filter(has_text=row.asin).filter(has=controls).last  # type: ignore[arg-type]

    def row_control(self, row: ItemRow, role: str, name: str, place: int) -> Locator:
        """The row's control of `role`: by its name when it has one, else by its place among the row's."""
        scope = self.row(row)
        return self.by_name(role, name, scope).first if name else scope.get_by_role(role).nth(place)  # type: ignore[arg-type]

    def select_row(self, row: ItemRow, quantity: int | None, step: str) -> None:
        """Include the row with `quantity` units, or (None) leave it out."""
        box = self.row_control(row, "checkbox", row.include.name if row.include else "", 0) if row.include else None

        def act() -> None:
            if box is not None:
                box.set_checked(quantity is not None)
            if quantity is not None and row.quantity:
                self.row_control(row, "spinbutton", row.quantity.name, 0).fill(str(quantity))

        self._doing(step, f"could not select the item {row.asin}", act)

    def maximum(self, row: ItemRow) -> int | None:
        """The Quantity box's maximum: the units still claimable, where the page shows them nowhere else."""
        if not row.quantity:
            return None
        try:
            found = self.row_control(row, "spinbutton", row.quantity.name, 0).get_attribute(
                "max", timeout=self.timeout_ms
            )
        except PlaywrightError:
            return None
        return int(found) if found and found.strip().isdigit() else None

    def choose(
        self,
        box: Locator,
        options: tuple[str, ...],
        wanted: tuple[str, ...],
        label: str | None,
        step: str,
        *,
        contains: bool = False,
    ) -> str:
        """Choose the option named `wanted` (or, with `contains`, the first holding any of its words) from a
        drop-down drawn either as a native select (its options known from the page) or as a custom listbox."""

        def fits(option: str) -> bool:
            return any(contains_name(option, w) if contains else same_name(option, w) for w in wanted)

        try:
            if options:
                match = next((o for o in options if fits(o)), None)
                if match is None:
                    raise ElementMissing(step, "option", " or ".join(wanted), label, list(options))
                box.select_option(label=match, timeout=self.timeout_ms)
                return match
            box.click(timeout=self.timeout_ms)
            shown = self.page.get_by_role("option").filter(visible=True)
            expect(shown.first).to_be_visible(timeout=self.timeout_ms)
            names = [" ".join(t.split()) for t in shown.all_inner_texts()]
            match = next((o for o in names if fits(o)), None)
            if match is None:
                box.press("Escape")
                raise ElementMissing(step, "option", " or ".join(wanted), label, names)
            shown.filter(has_text=name_pattern(match)).first.click(timeout=self.timeout_ms)
            return match
        except (PlaywrightError, AssertionError) as exc:
            raise StepFailed(step, f"could not choose '{wanted[0]}' ({first_line(exc)})") from None

    def pick_radio(
        self, group: str, wanted: tuple[str, ...], options: tuple[str, ...], label: str | None, step: str
    ) -> str:
        match = next((o for o in options if any(contains_name(o, w) for w in wanted)), None)
        if match is None:
            raise ElementMissing(step, "radio", " or ".join(wanted), label, list(options))
        radios = self.by_name("radiogroup", group).first if group else self.page.get_by_role("radiogroup").first
        self._doing(step, f"could not choose '{match}'", lambda: self.by_name("radio", match, radios).first.check())
        return match

    def upload(self, name: str, files: list[Path], step: str) -> None:
        """Give the files to the upload control: a file input set directly, or a button that opens a file chooser."""
        paths = [str(f) for f in files]
        target = self.page.get_by_label(name_pattern(name)).or_(self.by_name("button", name)).first
        try:
            target.set_input_files(paths, timeout=self.timeout_ms)
        except PlaywrightError:
            try:
                with self.page.expect_file_chooser(timeout=self.timeout_ms) as chooser:
                    target.click(timeout=self.timeout_ms)
                chooser.value.set_files(paths)
            except PlaywrightError as exc:
                raise StepFailed(step, f"could not choose the files ({first_line(exc)})") from None

    def _doing(self, step: str, what: str, act: Callable[[], object]) -> None:
        self.check_address()  # the page was looked at just before: only the address may have changed since
        try:
            act()
        except PlaywrightError as exc:
            raise StepFailed(step, f"{what} ({first_line(exc)})") from None


class ChangeWatch:
    """Waiting for the page's next change: a MutationObserver over the document and its open shadow roots, armed
    in the page before the flow looks, so that a change between the look and the wait is not missed. A change it
    cannot see (a script setting a value, a closed shadow root) is found by looking again after LOOK_AGAIN_MS."""

    def __init__(self, page: Page):
        self.page = page
        self.watch: JSHandle | None = None

    @property
    def armed(self) -> bool:
        return self.watch is not None

    def arm(self) -> None:
        try:
            self.watch = self.page.evaluate_handle(_NEXT_CHANGE, LOOK_AGAIN_MS)
        except PlaywrightError:
            if self.page.is_closed():
                raise
            self.watch = None  # the document is being replaced: the next look sees the new one

    def wait(self, timeout_ms: float) -> None:
        """Until the page changed (then armed again at once) or LOOK_AGAIN_MS passed, at most `timeout_ms`."""
        try:
            if self.watch is None:  # between two documents: until the new one is there
                self.page.wait_for_load_state("domcontentloaded", timeout=max(min(timeout_ms, LOOK_AGAIN_MS), 1))
                return
            self.watch = self.watch.evaluate_handle("(watch, ms) => watch.next(ms)", min(timeout_ms, LOOK_AGAIN_MS))
        except PlaywrightError:
            if self.page.is_closed():
                raise
            self.watch = None  # the document was replaced (a navigation): a change, and a new document to watch


# A watch on the page: `next(ms)` resolves, once the page changed or `ms` passed since it was armed, to a new
# watch armed at that moment. The observer stops at its first change, so a watch nobody waits on costs nothing.
_NEXT_CHANGE = """(ms) => {
  const arm = (ms) => {
    let changed;
    const seen = new Promise((resolve) => { changed = resolve; });
    const observer = new MutationObserver(() => stop());
    const timer = setTimeout(() => stop(), ms);
    function stop() { observer.disconnect(); clearTimeout(timer); changed(); }
    const observe = (root) => {
      observer.observe(root, { subtree: true, childList: true, attributes: true, characterData: true });
      for (const element of root.querySelectorAll('*')) if (element.shadowRoot) observe(element.shadowRoot);
    };
    observe(document);
    return { next: (ms) => seen.then(() => arm(ms)) };
  };
  return arm(ms);
}"""
