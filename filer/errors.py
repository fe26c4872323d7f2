"""The tool's exit statuses, the exceptions that carry a message and a next step for the person, and `first_line`."""

from __future__ import annotations

from enum import IntEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console


class ExitStatus(IntEnum):
    OK = 0  # every claim reached an outcome
    CLAIM_FAILED = 1  # some claim failed
    INVALID = 2  # invalid input or usage
    NEEDS_PERSON = 3  # stopped: quit, sign-in needed while headless, automation restricted
    INTERRUPTED = 130  # Ctrl-C


class FilerError(Exception):
    """An error the person can act on: `message` says what went wrong, `hint` what to do next."""

    exit_status = ExitStatus.INVALID

    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message}\n{self.hint}" if self.hint else self.message

    def tell_stopped(self, console: Console) -> None:
        """A run of claims or messages stopped on this error: what went wrong, then what to do next."""
        console.print(f"[red]Stopped:[/red] {self.message}")
        if self.hint:
            console.print(self.hint)


class InvalidInput(FilerError):
    """The claim list, a setting or an option is wrong; nothing was done."""


class BrowserNotFound(FilerError):
    """No usable Chrome or Chromium on this machine."""


class NeedsPerson(FilerError):
    """The run stopped because only the person can go on (sign in, quit, automation restricted)."""

    exit_status = ExitStatus.NEEDS_PERSON


class LedgerBusy(FilerError):
    """Another safet-filer process holds the ledger."""


def first_line(exc: BaseException) -> str:
    """The first line of an exception's message (Playwright's go on with a call log), or its type when it has none."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
