"""The browser: finding a Chrome or Chromium, its user agent, and launching it on the tool's own profile (kept by
`browser_profile`) or a throwaway one.

Playwright is imported inside the functions that need it, so that `--help` and `check` never pay for it.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from safet_filer import __version__
from safet_filer.browser_profile import prepare_profile_dir, wait_for_profile_holder
from safet_filer.errors import BrowserNotFound, FilerError, first_line

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Playwright, ViewportSize

    from safet_filer.settings import Settings

BrowserKind = Literal["configured", "playwright", "chrome", "chromium"]
T = TypeVar("T")

# Seller Central's wizard and its tables lay out without a horizontal scrollbar at this size.
VIEWPORT: ViewportSize = {"width": 1366, "height": 900}

# A dedicated profile has no reason to talk to Google: without these, Chromium keeps calling update, sync, safe-browsing
# and metrics hosts (on a locked-down network it retries them for ever). Playwright passes some of them already;
# repeating a switch is harmless, and this list does not depend on what a Playwright version happens to add.
QUIET_ARGS: tuple[str, ...] = (
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-domain-reliability",
    "--disable-client-side-phishing-detection",
    "--disable-breakpad",
    "--metrics-recording-only",
    "--no-pings",
)

# Where each kind is looked for, in order. Module-level so that tests can point them at fake browsers.
CHROME_COMMANDS: tuple[str, ...] = ("google-chrome", "google-chrome-stable")
CHROMIUM_PATHS: tuple[Path, ...] = (
    Path("/usr/bin/chromium"),
    Path("/Applications/Chromium.app/Contents/MacOS/Chromium"),
)
CHROMIUM_COMMANDS: tuple[str, ...] = ("chromium", "chromium-browser")
SNAP_CHROMIUM = Path("/snap/bin/chromium")  # what Ubuntu's chromium-browser stub runs, when the snap is installed
OS_RELEASE = Path("/etc/os-release")


def _chrome_paths() -> tuple[Path, ...]:
    if sys.platform == "darwin":
        app = "Google Chrome.app/Contents/MacOS/Google Chrome"
        return (Path("/Applications") / app, Path.home() / "Applications" / app)
    if sys.platform == "win32":
        roots = [os.environ.get(name) for name in ("PROGRAMFILES", "PROGRAMFILES(X86)", "LOCALAPPDATA")]
        return tuple(Path(root) / "Google/Chrome/Application/chrome.exe" for root in roots if root)
    return (Path("/opt/google/chrome/chrome"),)


CHROME_PATHS: tuple[Path, ...] = _chrome_paths()


@dataclass(frozen=True)
class BrowserInfo:
    """A Chrome or Chromium that safet-filer can drive: where it is, how it was found, and its version if known."""

    path: Path
    kind: BrowserKind
    version: str | None = None

    def describe(self) -> str:
        version = f"version {self.version}" if self.version else "version unknown"
        return f"{self.kind} {self.path} ({version})"


class ProfileInUse(FilerError):
    """Another browser has safet-filer's profile open."""


class BrowserLaunchFailed(FilerError):
    """The browser was found but would not start."""


# -- finding a browser ---------------------------------------------------------------------------------------------
def find_browser(settings: Settings, *, playwright: Playwright | None = None) -> BrowserInfo:
    """The browser to drive: the configured one, else a Playwright-managed Chromium, Google Chrome, then Chromium.

    `playwright`, when the caller has one running, answers where Playwright's Chromium would be without starting
    a second driver.
    """
    if settings.browser_executable is not None:
        return _info(_configured_executable(settings.browser_executable), "configured")
    found = _playwright_chromium(playwright)
    if found:
        return _info(found, "playwright")
    for kind, candidates in (
        ("chrome", _candidates(CHROME_COMMANDS, CHROME_PATHS)),
        ("chromium", _candidates((), CHROMIUM_PATHS) + _candidates(CHROMIUM_COMMANDS, ())),
    ):
        for path in candidates:
            if _is_executable(path) and not _is_snap_stub(path):
                return _info(path, kind)  # type: ignore[arg-type]
    raise BrowserNotFound(
        "No Chrome or Chromium was found. safet-filer looked for a Playwright-managed Chromium, Google Chrome "
        f"({', '.join(CHROME_COMMANDS)}) and Chromium ({', '.join(CHROMIUM_COMMANDS)}, /usr/bin/chromium).",
        install_advice()
        + " Or point safet-filer at a Chrome or Chromium you have: browser_executable in the config file,"
        " or SAFET_BROWSER_EXECUTABLE=/path/to/chrome.",
    )


def install_advice(platform: str | None = None, os_release: Path | None = None) -> str:
    """One sentence: what to install on this operating system to give safet-filer a browser."""
    platform = platform or sys.platform
    if platform == "darwin":
        return "Install Google Chrome from https://www.google.com/chrome/ (it goes into /Applications)."
    if platform == "win32":
        return "Install Google Chrome from https://www.google.com/chrome/."
    ids = _os_release_ids(os_release or OS_RELEASE)
    if "ubuntu" in ids:
        # Ubuntu's apt chromium is a stub for the snap, which Playwright cannot drive reliably (confinement).
        return (
            "Install Google Chrome: download google-chrome-stable_current_amd64.deb from https://www.google.com/chrome/ "
            "and run `sudo apt-get install -y ./google-chrome-stable_current_amd64.deb`."
        )
    if "debian" in ids:
        return "Install Chromium: `sudo apt-get install -y chromium`."
    return "Install Google Chrome (https://www.google.com/chrome/) or Chromium with your system's package manager."


def _os_release_ids(path: Path) -> set[str]:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return set()
    ids: set[str] = set()
    for line in text.splitlines():
        key, _, value = line.partition("=")
        if key in ("ID", "ID_LIKE"):
            ids.update(value.strip().strip("\"'").lower().split())
    return ids


def _configured_executable(value: Path) -> Path:
    path = value.expanduser()
    if len(path.parts) == 1 and not path.exists():  # a bare command name, e.g. "google-chrome"
        on_path = shutil.which(str(path))
        path = Path(on_path) if on_path else path
    hint = (
        "Correct browser_executable (config file, .env or SAFET_BROWSER_EXECUTABLE) to the path of a Chrome or "
        "Chromium program, or remove it to let safet-filer find one."
    )
    if not path.exists():
        raise BrowserNotFound(f"The setting browser_executable is {value}, but there is no such file.", hint)
    if not _is_executable(path):
        what = "a folder" if path.is_dir() else "not executable"
        raise BrowserNotFound(f"The setting browser_executable is {value}, but that is {what}.", hint)
    return path


def _candidates(commands: tuple[str, ...], paths: tuple[Path, ...]) -> list[Path]:
    found = [Path(p) for p in (shutil.which(c) for c in commands) if p]
    return found + list(paths)


def _is_executable(path: Path) -> bool:
    return path.is_file() and os.access(path, os.X_OK)


def _is_snap_stub(path: Path) -> bool:
    """Ubuntu's chromium-browser deb is a small script that only says "install the snap" while the snap is missing."""
    try:
        if path.stat().st_size > 16_384:
            return False
        head = path.read_bytes()
    except OSError:
        return False
    return head.startswith(b"#!") and b"/snap/bin/chromium" in head and not _is_executable(SNAP_CHROMIUM)


def _info(path: Path, kind: BrowserKind) -> BrowserInfo:
    return BrowserInfo(path=path, kind=kind, version=browser_version(path))


def browser_version(path: Path) -> str | None:
    """`147.0.7727.55` from `chrome --version` (on Windows, where that opens a window, from the version folder)."""
    if sys.platform == "win32":
        try:
            names = [p.name for p in path.parent.iterdir() if p.is_dir()]
        except OSError:
            return None
        versions = [name for name in names if re.fullmatch(r"\d+(\.\d+){3}", name)]
        return max(versions, key=lambda v: tuple(map(int, v.split("."))), default=None)
    try:
        out = subprocess.run(
            [str(path), "--version"], capture_output=True, text=True, timeout=15, stdin=subprocess.DEVNULL, check=False
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    match = re.search(r"\b(\d+\.\d+\.\d+\.\d+)\b", out)
    return match.group(1) if match else None


def _playwright_chromium(playwright: Playwright | None) -> Path | None:
    """Playwright's own Chromium, when it has been downloaded (`playwright install chromium`)."""
    if playwright is None and not _playwright_browsers_downloaded():
        return None  # nothing downloaded: skip starting Playwright's driver (about half a second)
    try:
        if playwright is not None:
            executable = playwright.chromium.executable_path
        else:
            executable = _in_own_thread(_ask_playwright_for_chromium)
    except Exception:  # noqa: BLE001  a broken Playwright install: the other kinds may still be there
        return None
    path = Path(executable)
    return path if _is_executable(path) else None


def _ask_playwright_for_chromium() -> str:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        return p.chromium.executable_path


def _playwright_browsers_downloaded() -> bool:
    """Whether Playwright's browser folder holds any Chromium build (a cheap look before asking Playwright)."""
    folder = playwright_browsers_dir()
    try:
        return folder is not None and any(folder.glob("chromium-*"))
    except OSError:
        return False


def playwright_browsers_dir() -> Path | None:
    """Where Playwright keeps the browsers it downloads: PLAYWRIGHT_BROWSERS_PATH, else the platform's cache folder."""
    configured = os.environ.get("PLAYWRIGHT_BROWSERS_PATH")
    if configured == "0":  # browsers inside the playwright package
        import importlib.util

        spec = importlib.util.find_spec("playwright")
        if not spec or not spec.submodule_search_locations:
            return None
        return Path(next(iter(spec.submodule_search_locations))) / "driver" / "package" / ".local-browsers"
    if configured:
        return Path(configured).expanduser()
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "ms-playwright"
    if sys.platform == "win32":
        return Path(os.environ.get("LOCALAPPDATA", Path.home() / "AppData" / "Local")) / "ms-playwright"
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "ms-playwright"


def _in_own_thread(function: Callable[[], T]) -> T:
    """Playwright's sync API refuses to start inside a running one (e.g. pytest-playwright's); a thread has no loop."""
    result: dict[str, Any] = {}

    def target() -> None:
        try:
            result["value"] = function()
        except BaseException as exc:  # noqa: BLE001  handed to the caller's thread below
            result["error"] = exc

    thread = threading.Thread(target=target, name="safet-filer-playwright", daemon=True)
    thread.start()
    thread.join()
    if "error" in result:
        raise result["error"]
    return result["value"]


# -- the user agent ------------------------------------------------------------------------------------------------
def user_agent(info: BrowserInfo, settings: Settings, *, playwright: Playwright | None = None) -> str:
    """The browser's own user agent with ` safet-filer/<version>` appended, then `user_agent_suffix` when set.

    Amazon's Agent Policy asks automated software to identify itself: this token is always there, and nothing
    in the settings can remove it.
    """
    agent = f"{native_user_agent(info, playwright=playwright)} safet-filer/{__version__}"
    suffix = " ".join(settings.user_agent_suffix.split())  # one line: a header cannot hold a newline
    return f"{agent} {suffix}" if suffix else agent


def native_user_agent(info: BrowserInfo, *, playwright: Playwright | None = None) -> str:
    """What this browser build calls itself, as in a visible window (`Chrome/…`, not headless mode's `HeadlessChrome/…`).

    Learnt once per build by a short headless launch (about a second) and kept in the user cache folder,
    keyed by the executable's path, size, modification time and version.
    """
    cache_file = _user_agent_cache_file()
    key, stamp = str(info.path.resolve()), _build_stamp(info)
    cache = _read_json(cache_file)
    entry = cache.get(key)
    if isinstance(entry, dict) and entry.get("stamp") == stamp and isinstance(entry.get("user_agent"), str):
        return entry["user_agent"]
    probed = _probe_user_agent(info, playwright)
    # One identity in both modes: a headless run is the same tool in the same browser, and says so with its token.
    agent = probed.replace("HeadlessChrome/", "Chrome/")
    cache[key] = {"stamp": stamp, "user_agent": agent}
    _write_json(cache_file, cache)
    return agent


def _user_agent_cache_file() -> Path:
    import platformdirs

    return Path(platformdirs.user_cache_dir("safet-filer")) / "browser-user-agents.json"


def _build_stamp(info: BrowserInfo) -> str:
    try:
        st = info.path.stat()
    except OSError:
        return f"missing|{info.version}"
    return f"{st.st_size}|{st.st_mtime_ns}|{info.version}"


def _probe_user_agent(info: BrowserInfo, playwright: Playwright | None) -> str:
    """Starts the browser headless on a throwaway profile and asks it for its user agent (no page is opened)."""

    def probe(p: Playwright) -> str:
        browser = _launch(p, info, headless=True, extra_args=[])
        try:
            return browser.new_browser_cdp_session().send("Browser.getVersion")["userAgent"]
        finally:
            browser.close()

    if playwright is not None:
        return probe(playwright)

    def own() -> str:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright

        try:
            with sync_playwright() as p:
                return probe(p)
        except PlaywrightError as exc:  # Playwright's driver itself would not start
            raise _launch_error(exc, info, None) from None

    return _in_own_thread(own)


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _write_json(path: Path, data: dict[str, Any]) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
        temporary.write_text(json.dumps(data, indent=1), encoding="utf-8")
        os.replace(temporary, path)
    except OSError:
        pass  # only a cache: the next start probes again


# -- launching -----------------------------------------------------------------------------------------------------
def open_profile(playwright: Playwright, settings: Settings, info: BrowserInfo, *, headed: bool) -> BrowserContext:
    """The browser on safet-filer's own profile (`profile_dir`), which keeps the Seller Central sign-in between runs."""
    profile = prepare_profile_dir(settings.profile_dir)
    _require_display(headed)
    agent = user_agent(info, settings, playwright=playwright)
    from playwright.sync_api import Error as PlaywrightError

    def launch() -> BrowserContext:
        return playwright.chromium.launch_persistent_context(
            str(profile),
            executable_path=str(info.path),
            headless=not headed,
            handle_sigint=False,  # Ctrl-C is the run's to handle: it lets a step under way (a submit) finish
            args=[*QUIET_ARGS, *settings.browser_args],
            user_agent=agent,
            viewport=VIEWPORT,
        )

    try:
        try:
            context = launch()
        except PlaywrightError as exc:
            # After a crash the old browser may still be shutting down on this profile: wait for it once.
            if not (isinstance(_launch_error(exc, info, profile), ProfileInUse) and wait_for_profile_holder(profile)):
                raise
            context = launch()
    except PlaywrightError as exc:
        raise _launch_error(exc, info, profile) from None
    _set_timeouts(context, settings)
    return context


def open_ephemeral(
    playwright: Playwright, settings: Settings, info: BrowserInfo, *, headed: bool
) -> tuple[Browser, BrowserContext]:
    """A browser with a fresh, throwaway profile (dry runs, tests), identified and sized as `open_profile`'s."""
    _require_display(headed)
    agent = user_agent(info, settings, playwright=playwright)
    browser = _launch(playwright, info, headless=not headed, extra_args=settings.browser_args)
    try:
        context = browser.new_context(user_agent=agent, viewport=VIEWPORT)
    except BaseException:
        browser.close()
        raise
    _set_timeouts(context, settings)
    return browser, context


def _launch(playwright: Playwright, info: BrowserInfo, *, headless: bool, extra_args: list[str]) -> Browser:
    from playwright.sync_api import Error as PlaywrightError

    try:
        return playwright.chromium.launch(
            executable_path=str(info.path),
            headless=headless,
            handle_sigint=False,  # as in open_profile
            args=[*QUIET_ARGS, *extra_args],
        )
    except PlaywrightError as exc:
        raise _launch_error(exc, info, None) from None


def _set_timeouts(context: BrowserContext, settings: Settings) -> None:
    context.set_default_navigation_timeout(settings.navigation_timeout_s * 1000)
    context.set_default_timeout(settings.step_timeout_s * 1000)


def _require_display(headed: bool) -> None:
    if (
        headed
        and sys.platform.startswith("linux")
        and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    ):
        raise BrowserLaunchFailed(
            "A visible browser window was asked for, but this session has no display (DISPLAY is not set).",
            "Run it from a desktop session, or under a virtual display: xvfb-run -a safet-filer …",
        )


_IN_USE_SIGNS = ("ProcessSingleton", "profile is already in use", "Opening in existing browser session")


def _launch_error(exc: Exception, info: BrowserInfo, profile: Path | None) -> FilerError:
    text = str(exc)
    if profile is not None and any(sign in text for sign in _IN_USE_SIGNS):
        return ProfileInUse(
            f"safet-filer's browser profile {profile} is already open in another browser.",
            "Close that browser window (another `safet-filer login` or `run` may still be open), then run again.",
        )
    return BrowserLaunchFailed(
        f"The browser {info.path} would not start: {first_line(exc)}",
        "Run `safet-filer doctor` to check the browser, or set browser_executable to another Chrome or Chromium.",
    )
