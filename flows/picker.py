"""The person shows the tool an element: their next click in the page is caught before the page acts on it, and
the role and accessible name of the control clicked are read from its ARIA snapshot."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from playwright.sync_api import Page
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from safet_filer.flows.aria import nodes

MARK = "data-safet-picked"

# One click, caught in the capture phase on the window (before any of the page's own listeners) and swallowed
# with the presses around it, so that a button clicked to show it to the tool does nothing. The control is the
# innermost element on the click's composed path (through open shadow roots) that has a role of its own; a
# label stands for the control it labels.
_LISTEN = """mark => {
  const interactive = 'button, a[href], input, select, textarea, summary, option, [role], [contenteditable=""]';
  const presses = ['pointerdown', 'mousedown', 'pointerup', 'mouseup', 'touchstart', 'touchend'];
  const swallow = event => { event.preventDefault(); event.stopImmediatePropagation(); };
  const stop = () => {
    for (const kind of presses) window.removeEventListener(kind, swallow, true);
    window.removeEventListener('click', onClick, true);
  };
  const onClick = event => {
    swallow(event);
    stop();
    const path = event.composedPath().filter(node => node instanceof Element);
    const label = path.find(element => element.localName === 'label' && element.control);
    const control = label ? label.control : path.find(element => element.matches(interactive)) || path[0];
    control.setAttribute(mark, '');
    window.__safetPicked = true;
  };
  window.__safetStopPicking = stop;
  window.__safetPicked = false;
  for (const kind of presses) window.addEventListener(kind, swallow, true);
  window.addEventListener('click', onClick, true);
}"""
_STOP = "() => window.__safetStopPicking && window.__safetStopPicking()"


@dataclass(frozen=True)
class PickedElement:
    role: str  # "" when the element clicked has no role
    name: str  # its accessible name, "" when it has none


def pick_element(page: Page, timeout_ms: float, armed: Callable[[], None]) -> PickedElement | None:
    """Wait for the person's next click in `page` and return what they clicked; None when no click came in time.
    `armed` is called once the click would be caught (the moment to ask the person for it)."""
    page.evaluate(_LISTEN, MARK)
    armed()
    try:
        page.wait_for_function("() => window.__safetPicked === true", timeout=timeout_ms, polling=200)
    except PlaywrightTimeout:
        page.evaluate(_STOP)
        return None
    picked = page.locator(f"[{MARK}]").first  # CSS reaches into open shadow roots
    snapshot = picked.aria_snapshot(timeout=timeout_ms)
    picked.evaluate("(element, mark) => element.removeAttribute(mark)", MARK)
    found = nodes(snapshot)
    return PickedElement(*found[0]) if found else PickedElement("", "")
