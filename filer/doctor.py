"""`safet-filer doctor`: whether this machine is ready to file, a line for each thing a run needs, with what to do
about whatever is missing.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from safet_filer import browser, browser_profile
from safet_filer.errors import FilerError
from safet_filer.settings import DEFAULT_CONFIG_FILE, Settings, config_file_path


def browser_line(settings: Settings) -> str:
    """The browser a run would use, as `doctor --browser-only` prints it; BrowserNotFound when there is none."""
    return f"Browser:     {browser.find_browser(settings).describe()}"


def examine(settings: Settings, config_file: Path | None, write: Callable[[str], None]) -> bool:
    """Write a line each for the browser, user agent, profile, config file, ledger, runs folder and sign-in.

    `config_file` is the --config option, if given. True when a browser was found, starts and its profile is allowed.
    """

    def line(label: str, text: str, advice: str | None = None) -> None:
        write(f"{label + ':':<13}{text}")
        for advice_line in (advice or "").splitlines():
            write(f"{'':<13}{advice_line}")

    ready = True
    try:
        info = browser.find_browser(settings)
        line("Browser", info.describe())
    except FilerError as exc:
        ready, info = False, None
        line("Browser", "none found", f"{exc.message}\n{exc.hint or ''}")
    if info is not None:
        try:
            line("User agent", browser.user_agent(info, settings))
        except FilerError as exc:
            ready = False
            line("User agent", "unknown: the browser would not start", f"{exc.message}\n{exc.hint or ''}")

    profile, profile_ok = settings.profile_dir, True
    try:
        browser_profile.refuse_everyday_profile(profile)
    except FilerError as exc:
        ready = profile_ok = False
        line("Profile", f"{profile} (refused)", f"{exc.message}\n{exc.hint or ''}")
    else:
        if profile.is_dir():
            mode = profile.stat().st_mode & 0o777
            loose = sys.platform != "win32" and mode & 0o077
            advice = f"Others can read it, and it holds your Seller Central sign-in: run chmod 700 '{profile}'."
            line("Profile", f"{profile} (exists, mode {mode:04o})", advice if loose else None)
        else:
            line("Profile", f"{profile} (not created yet)", "`safet-filer login` creates it when you sign in.")

    config_path = config_file_path(config_file)
    if config_path:
        line("Config file", str(config_path))
    else:
        line(
            "Config file",
            "none (built-in defaults, .env and SAFET_* environment variables)",
            f"To change settings, create {DEFAULT_CONFIG_FILE}; `safet-filer config` shows every value and its source.",
        )
    for label, path, made_by in (
        ("Ledger", settings.ledger_path, "the first `safet-filer run` creates it"),
        ("Runs dir", settings.runs_dir, "each `safet-filer run` adds a folder to it"),
    ):
        line(label, f"{path} ({'exists' if path.exists() else 'not created yet; ' + made_by})")

    market = settings.market()
    line("Marketplace", f"{settings.marketplace} ({market.host})")
    session = browser_profile.has_signin_session(settings) if profile_ok else None
    if not profile_ok:
        line("Sign-in", "not checked: the profile above is refused")
    elif session:
        line("Sign-in", f"a session seems to exist (sign-in cookies for {market.host} in the profile)")
    elif session is None:
        line("Sign-in", "cannot tell", "The profile's cookie database could not be read; close any browser using it.")
    else:
        line("Sign-in", "no session found", "Run `safet-filer login` and sign in once in the window that opens.")
    return ready
