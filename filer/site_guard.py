"""The filing run's safeguards, for the commands that follow claims on Seller Central (`sync`, `reply`, `appeal`).

One process per ledger (`exclusive`), the host check (every page object's `check_site`), sign-in left to the
person (headless: stop with exit 3 and the `login` hint; headed: wait while they sign in in the window), and a
stop at once when Seller Central restricts automated access (exit 3).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from rich.console import Console

from safet_filer.errors import NeedsPerson
from safet_filer.flows.site import AutomationRestricted, SignInRequired
from safet_filer.reconcile import repeat_step
from safet_filer.session import BrowserSession
from safet_filer.settings import Settings, minutes

T = TypeVar("T")


def guarded(
    action: Callable[[], T], session: BrowserSession, settings: Settings, console: Console, command: str, label: str
) -> T:
    """A step that is safe to repeat (it sends nothing): repeated when it fails, a sign-in left to the person,
    restricted access a stop at once."""
    return until_signed_in(lambda: repeat_step(action, session.alive, settings, label), session, console, command)


def until_signed_in(action: Callable[[], T], session: BrowserSession, console: Console, command: str) -> T:
    """Run `action`; when Seller Central asks to sign in, wait for the person (headed) and run it again.

    `command` is what the person runs again after `safet-filer login` (headless). Restricted access stops at once.
    """
    while True:
        try:
            return action()
        except SignInRequired as exc:
            wait_for_sign_in(session, console, exc, command)
        except AutomationRestricted as exc:
            raise NeedsPerson(
                f"{exc} Stopped at once, as Amazon's Agent Policy asks.",
                "Follow your claims by hand on the SAFE-T dashboard, or contact Seller Support before running "
                "safet-filer again.",
            ) from None


def wait_for_sign_in(session: BrowserSession, console: Console, exc: SignInRequired, command: str) -> None:
    """Headless: stop (exit 3) saying how to sign in. Headed: wait until the window leaves the sign-in pages."""
    if not session.headed:
        raise NeedsPerson(
            "Seller Central asks you to sign in.",
            f"Run `safet-filer login`, sign in in the window that opens (tick 'Keep me signed in'), then run "
            f"`{command}` again, or add --headed and sign in when asked.",
        )
    console.print(
        f"[bold yellow]Seller Central asks you to sign in[/bold yellow] ({exc.url.split('?')[0]}). "
        "Finish signing in (and any code or puzzle) in the browser window; safet-filer goes on by itself."
    )
    if not session.wait_until_signed_in():
        raise NeedsPerson(
            f"Nobody finished signing in within {minutes(session.settings.sign_in_timeout_s)}.",
            f"Run `safet-filer login` to sign in, then `{command}` again.",
        )
    console.print("Signed in; going on.")
