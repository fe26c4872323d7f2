"""Shared test fixtures: a test run isolated from the developer's set-up, the browser the tool itself would find,
and the mock Seller Central.

Evidence on failure: pytest-playwright keeps a trace, a screenshot and a video of each failed test that uses its
`page`/`context` fixtures when asked, e.g.
    scripts/test --tracing retain-on-failure --screenshot only-on-failure --video retain-on-failure
into test-results/<test>/ at the repository root (open a trace with `playwright show-trace trace.zip`).
The isolation below leaves the working directory alone so that this folder stays where it is. Browsers that the
tool opens itself (safet_filer.browser, e.g. in `run --dry-run`) are not those fixtures' and trace into their run folder.
"""

import functools
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from safet_filer.browser import playwright_browsers_dir

# Found through the developer's real home, before any test moves HOME: a Playwright-managed Chromium stays findable.
_REAL_PLAYWRIGHT_BROWSERS = os.environ.get("PLAYWRIGHT_BROWSERS_PATH") or str(playwright_browsers_dir() or "")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args, playwright):
    """pytest-playwright's launch options on the browser that safet-filer's own discovery finds.

    Spreading pytest-playwright's options keeps --headed, --slowmo and --browser-channel working. This session
    fixture is set up before the per-test isolation, so a developer's SAFET_BROWSER_EXECUTABLE or config file
    choice of browser is honoured here, as it would be by the tool.
    """
    from safet_filer.browser import QUIET_ARGS, find_browser
    from safet_filer.settings import load_settings

    options = {**browser_type_launch_args, "args": [*browser_type_launch_args.get("args", []), *QUIET_ARGS]}
    if "channel" in options or "executable_path" in options:  # asked for explicitly: that wins
        return options
    return {**options, "executable_path": str(find_browser(load_settings(), playwright=playwright).path)}


@pytest.fixture(scope="session")
def _session_cache_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(autouse=True)
def home(monkeypatch, tmp_path_factory, _session_cache_dir) -> Path:
    """Every test runs as a person with a fresh set-up: its own home, config, data and state folders, no SAFET_*
    variables but no wait between repeated steps, and settings whose default paths (profile, ledger, runs) point
    into that home.

    The cache folder is shared by the session so that a browser's user agent is probed once, not in every test.
    """
    from safet_filer import settings as settings_module

    home = tmp_path_factory.mktemp("home")
    for key in list(os.environ):
        if key.startswith("SAFET_") or key in ("FORCE_COLOR", "COLUMNS"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("SAFET_RETRY_WAIT_S", "0")  # a step repeated in a test is repeated at once
    folders = {
        "HOME": home,
        "XDG_CONFIG_HOME": home / ".config",
        "XDG_DATA_HOME": home / ".local" / "share",
        "XDG_STATE_HOME": home / ".local" / "state",
        "XDG_CACHE_HOME": _session_cache_dir,
    }
    if sys.platform == "win32":
        folders.update(USERPROFILE=home, APPDATA=home / "AppData" / "Roaming", LOCALAPPDATA=home / "AppData" / "Local")
    for key, folder in folders.items():
        monkeypatch.setenv(key, str(folder))
    if _REAL_PLAYWRIGHT_BROWSERS and "PLAYWRIGHT_BROWSERS_PATH" not in os.environ:
        monkeypatch.setenv("PLAYWRIGHT_BROWSERS_PATH", _REAL_PLAYWRIGHT_BROWSERS)

    # The profile, ledger and runs defaults are made from DATA_DIR each time settings are built.
    monkeypatch.setattr(settings_module, "DATA_DIR", home / ".local" / "share" / "safet-filer")
    monkeypatch.setattr(settings_module, "DEFAULT_CONFIG_FILE", home / ".config" / "safet-filer" / "config.toml")
    return home


# pytest-playwright's fixtures that start Playwright or a browser.
_BROWSER_FIXTURES = {"playwright", "browser_type", "launch_browser", "browser", "context", "new_context", "page"}
# safet-filer's commands that open a browser (`doctor` probes its user agent, unless --browser-only).
_BROWSER_COMMANDS = {"run", "login", "reconcile", "doctor", "sync", "reply", "appeal"}


def _slow_command(command: object) -> str | None:
    """What a subprocess `command` would start that only an e2e test may: pip, a browser, Playwright's driver."""
    parts = command.split() if isinstance(command, str) else command
    words = [os.fsdecode(w) if isinstance(w, bytes | os.PathLike) else str(w) for w in parts]
    names = [Path(w).name for w in words]
    if any(re.fullmatch(r"pip[\d.]*", n) for n in names) or any(
        a == "-m" and b in ("pip", "venv", "ensurepip") for a, b in zip(words, words[1:], strict=False)
    ):
        return "runs pip"
    if "run-driver" in words:
        return "starts Playwright"
    if any("chrom" in n for n in names) and "--version" not in words:
        return "starts a browser"
    tool = next((i for i, w in enumerate(words) if w == "safet_filer" or names[i] == "safet-filer"), None)
    if tool is not None and _BROWSER_COMMANDS & set(words[tool + 1 :]) and "--browser-only" not in words:
        return f"runs `safet-filer {' '.join(words[tool + 1 :])}`, which opens a browser"
    return None


_running: list[pytest.Item] = []  # the test being set up, run or torn down


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None):
    _running.append(item)
    try:
        yield
    finally:
        _running.pop()


def _cost_rank(item: pytest.Item) -> int:
    """0: an e2e test that runs the CLI or starts a browser itself (often tens of seconds); 1: an e2e test on a
    page of pytest-playwright's session browser (a second or two); 2: the rest (milliseconds)."""
    if not item.get_closest_marker("e2e"):
        return 2
    return 1 if {"page", "context", "new_context"} & set(getattr(item, "fixturenames", ())) else 0


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Longest tests first, each module's tests kept in their order: the pytest-xdist workers then end together on
    the many quick tests, not one of them on a minute-long run while the others wait. scripts/test hands the tests
    out one at a time for this (--maxschedchunk 1). A stable sort: every worker collects the same order, as xdist
    requires."""
    items.sort(key=_cost_rank)


def _refuse_unless_e2e(what: str) -> None:
    """Fail the test under way, unless it is marked e2e, for starting what only e2e tests may start.

    Checked wherever it happens, a fixture of any scope included (a module's wheel, a session's Playwright)."""
    if _running and not _running[-1].get_closest_marker("e2e"):
        pytest.fail(f"{_running[-1].nodeid} {what}: mark it e2e (pytest.mark.e2e)", pytrace=False)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item):
    """Before any fixture starts: a test not marked e2e may not ask for pytest-playwright's browser fixtures."""
    if used := sorted(_BROWSER_FIXTURES & set(item.fixturenames)):
        _refuse_unless_e2e(f"uses pytest-playwright's {', '.join(used)}")


def _guard(owner: type, name: str, slow: Callable[..., str | None]) -> None:
    """Wrap `owner.name` so that calling it refuses a test not marked e2e when `slow(*args)` says what it starts."""
    original = getattr(owner, name)

    @functools.wraps(original)
    def guarded(*args, **kwargs):
        if what := slow(*args, **kwargs):
            _refuse_unless_e2e(what)
        return original(*args, **kwargs)

    setattr(owner, name, guarded)


def pytest_configure(config: pytest.Config) -> None:
    """So that `-m "not e2e"` runs only the fast tests, as the README says, a test not marked e2e fails as soon as
    it starts Playwright, a browser or pip, in this process or as a subprocess."""
    import pexpect
    from playwright.sync_api import BrowserType
    from playwright.sync_api._context_manager import PlaywrightContextManager

    _guard(PlaywrightContextManager, "__enter__", lambda *_: "starts Playwright")
    for launch in ("launch", "launch_persistent_context", "connect", "connect_over_cdp"):
        _guard(BrowserType, launch, lambda *_, **__: "launches a browser")
    _guard(subprocess.Popen, "__init__", lambda _self, args, *_, **__: _slow_command(args))
    _guard(pexpect.spawn, "__init__", lambda _self, command, args=(), *_, **__: _slow_command([command, *args]))


@pytest.fixture
def in_empty_folder(home, monkeypatch) -> Path:
    """Work in the isolated home, so that no `.env` of the developer's working folder is read."""
    monkeypatch.chdir(home)
    return home


@pytest.fixture(scope="session")
def _mock_site_server():
    from safet_filer.fixtures.server import MockSellerCentral

    with MockSellerCentral() as site:
        yield site


@pytest.fixture
def mock_site(_mock_site_server):
    """The mock Seller Central (bundled scenario, auto sign-in) on a free loopback port, reset for each test:
    claims re-seeded, no submissions, no faults, nobody signed in."""
    _mock_site_server.reset()
    yield _mock_site_server
    _mock_site_server.reset()  # also lets go of a request held by drop_submit_response


@pytest.fixture(scope="session")
def _quick_mock_server():
    import json

    from safet_filer.fixtures.scenario import BUNDLED_SCENARIO
    from safet_filer.fixtures.server import MockSellerCentral

    scenario = json.loads(BUNDLED_SCENARIO.read_text())
    scenario["settings"]["eligibility_delay_ms"] = [0, 0]
    with MockSellerCentral(scenario=scenario) as site:
        yield site


@pytest.fixture
def quick_mock_site(_quick_mock_server):
    """The bundled scenario answering eligibility at once, for the mock's own many tests; reset for each test."""
    _quick_mock_server.reset()
    yield _quick_mock_server
    _quick_mock_server.reset()


@pytest.fixture
def ledger(tmp_path):
    """A fresh ledger in the test's folder, open for the test."""
    from safet_filer.ledger import Ledger

    with Ledger(tmp_path / "ledger.sqlite3") as led:
        yield led


@pytest.fixture
def follow(ledger):
    """What follows the claims after filing, on the test's `ledger`."""
    from safet_filer.followup import FollowUp

    return FollowUp(ledger)
