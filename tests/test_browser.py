"""Finding a browser, its user agent, and launching it: discovery order on fake browsers, one real browser for the rest."""

from __future__ import annotations

import re
import sqlite3
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest

from safet_filer import __version__, browser, browser_profile
from safet_filer.browser import (
    QUIET_ARGS,
    BrowserInfo,
    ProfileInUse,
    find_browser,
    open_ephemeral,
    open_profile,
    user_agent,
)
from safet_filer.errors import BrowserNotFound, InvalidInput
from safet_filer.settings import load_settings

posix_only = pytest.mark.skipif(sys.platform == "win32", reason="fake browsers are shell scripts")


def fake_browser(path: Path, version: str = "120.0.6099.109") -> Path:
    """A shell script that answers `--version` as Chrome does."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"#!/bin/sh\necho 'Fake Chromium {version} built for tests'\n")
    path.chmod(0o755)
    return path


@pytest.fixture
def no_browsers(monkeypatch, tmp_path) -> Path:
    """A Debian machine without any browser: PATH holds only the returned folder, the known locations are empty."""
    return without_browsers(monkeypatch, tmp_path)


def without_browsers(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    monkeypatch.setenv("PATH", str(bin_dir))
    monkeypatch.setenv("PLAYWRIGHT_BROWSERS_PATH", str(tmp_path / "ms-playwright"))
    monkeypatch.setattr(browser, "CHROME_PATHS", ())
    monkeypatch.setattr(browser, "CHROMIUM_PATHS", ())
    monkeypatch.setattr(browser, "SNAP_CHROMIUM", tmp_path / "snap" / "bin" / "chromium")
    os_release = tmp_path / "os-release"
    os_release.write_text('PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\n')
    monkeypatch.setattr(browser, "OS_RELEASE", os_release)
    return bin_dir


# -- discovery order -----------------------------------------------------------------------------------------------
@posix_only
def test_the_configured_executable_comes_first_and_its_version_is_read(no_browsers, tmp_path):
    fake_browser(no_browsers / "google-chrome")
    fake_browser(no_browsers / "chromium")
    mine = fake_browser(tmp_path / "my browsers" / "chrome", version="131.0.6778.85")

    info = find_browser(load_settings(browser_executable=mine))

    assert info == BrowserInfo(path=mine, kind="configured", version="131.0.6778.85")


@posix_only
def test_a_configured_command_name_is_looked_up_on_path(no_browsers):
    chrome = fake_browser(no_browsers / "google-chrome-beta")
    assert find_browser(load_settings(browser_executable=Path("google-chrome-beta"))).path == chrome


@posix_only
def test_a_configured_executable_that_is_missing_is_an_error_naming_the_setting(no_browsers, tmp_path):
    fake_browser(no_browsers / "chromium")  # present, but the person asked for another: no silent fallback

    with pytest.raises(BrowserNotFound) as caught:
        find_browser(load_settings(browser_executable=tmp_path / "nope" / "chrome"))

    assert "browser_executable" in caught.value.message
    assert str(tmp_path / "nope" / "chrome") in caught.value.message
    assert "SAFET_BROWSER_EXECUTABLE" in caught.value.hint


@posix_only
def test_a_configured_executable_that_cannot_run_is_an_error(no_browsers, tmp_path):
    not_executable = tmp_path / "chrome"
    not_executable.write_text("not a program")

    with pytest.raises(BrowserNotFound, match="not executable"):
        find_browser(load_settings(browser_executable=not_executable))
    with pytest.raises(BrowserNotFound, match="a folder"):
        find_browser(load_settings(browser_executable=tmp_path))


@posix_only
@pytest.mark.e2e
def test_a_playwright_managed_chromium_comes_before_google_chrome(no_browsers, tmp_path):
    fake_browser(no_browsers / "google-chrome")
    # Ask Playwright where its Chromium belongs under this PLAYWRIGHT_BROWSERS_PATH, and put one there.
    expected = Path(browser._in_own_thread(browser._ask_playwright_for_chromium))
    assert expected.is_relative_to(tmp_path / "ms-playwright")
    fake_browser(expected)

    info = find_browser(load_settings())

    assert (info.kind, info.path) == ("playwright", expected)


@posix_only
def test_without_downloaded_browsers_playwright_is_not_even_started(no_browsers, monkeypatch):
    chrome = fake_browser(no_browsers / "google-chrome")

    def must_not_run():
        raise AssertionError("Playwright's driver was started although nothing is downloaded")

    monkeypatch.setattr(browser, "_ask_playwright_for_chromium", must_not_run)
    assert find_browser(load_settings()).path == chrome


@posix_only
def test_google_chrome_comes_before_chromium(no_browsers, tmp_path, monkeypatch):
    fake_browser(no_browsers / "chromium")
    monkeypatch.setattr(browser, "CHROMIUM_PATHS", (fake_browser(tmp_path / "usr" / "bin" / "chromium"),))
    chrome = fake_browser(no_browsers / "google-chrome-stable")

    assert (find_browser(load_settings()).kind, find_browser(load_settings()).path) == ("chrome", chrome)


@posix_only
def test_google_chrome_is_found_at_its_install_location_when_not_on_path(no_browsers, tmp_path, monkeypatch):
    chrome = fake_browser(tmp_path / "opt" / "google" / "chrome" / "chrome")
    monkeypatch.setattr(browser, "CHROME_PATHS", (tmp_path / "elsewhere" / "chrome", chrome))
    fake_browser(no_browsers / "chromium")

    assert find_browser(load_settings()) == BrowserInfo(chrome, "chrome", "120.0.6099.109")


@posix_only
def test_debian_chromium_at_usr_bin_comes_before_chromium_commands_on_path(no_browsers, tmp_path, monkeypatch):
    usr_bin = fake_browser(tmp_path / "usr" / "bin" / "chromium")
    monkeypatch.setattr(browser, "CHROMIUM_PATHS", (usr_bin,))
    fake_browser(no_browsers / "chromium-browser")

    assert find_browser(load_settings()) == BrowserInfo(usr_bin, "chromium", "120.0.6099.109")


@posix_only
@pytest.mark.parametrize("command", ["chromium", "chromium-browser"])
def test_chromium_on_path_is_found(no_browsers, command):
    found = fake_browser(no_browsers / command)
    assert find_browser(load_settings()) == BrowserInfo(found, "chromium", "120.0.6099.109")


@posix_only
def test_candidates_that_are_not_executable_are_passed_over(no_browsers, tmp_path, monkeypatch):
    plain_file = tmp_path / "usr" / "bin" / "chromium"
    plain_file.parent.mkdir(parents=True)
    plain_file.write_text("")
    monkeypatch.setattr(browser, "CHROMIUM_PATHS", (plain_file,))
    found = fake_browser(no_browsers / "chromium-browser")

    assert find_browser(load_settings()).path == found


UBUNTU_SNAP_STUB = """#!/bin/sh
if ! [ -x /snap/bin/chromium ]; then
    echo "Command '$0' requires the chromium snap to be installed." >&2
    exit 1
fi
exec /snap/bin/chromium "$@"
"""


@posix_only
def test_ubuntus_snap_stub_is_not_taken_for_a_browser(no_browsers):
    stub = no_browsers / "chromium-browser"
    stub.write_text(UBUNTU_SNAP_STUB)
    stub.chmod(0o755)

    with pytest.raises(BrowserNotFound):
        find_browser(load_settings())

    fake_browser(browser.SNAP_CHROMIUM)  # once the snap is installed the stub is a way to it
    assert find_browser(load_settings()).path == stub


@posix_only
def test_when_nothing_is_found_the_message_says_what_to_install_on_debian(no_browsers):
    with pytest.raises(BrowserNotFound) as caught:
        find_browser(load_settings())

    text = str(caught.value)
    assert "No Chrome or Chromium was found" in text
    assert "sudo apt-get install -y chromium" in text
    assert "SAFET_BROWSER_EXECUTABLE" in text and "browser_executable" in text


@pytest.mark.parametrize(
    ("platform", "os_release", "advice"),
    [
        ("linux", "ID=debian\n", "sudo apt-get install -y chromium"),
        ("linux", 'ID=raspbian\nID_LIKE="debian"\n', "sudo apt-get install -y chromium"),
        ("linux", "ID=ubuntu\nID_LIKE=debian\n", "google-chrome-stable_current_amd64.deb"),
        ("linux", 'ID=linuxmint\nID_LIKE="ubuntu debian"\n', "google-chrome-stable_current_amd64.deb"),
        ("linux", "ID=fedora\n", "your system's package manager"),
        ("darwin", "", "https://www.google.com/chrome/"),
        ("win32", "", "https://www.google.com/chrome/"),
    ],
)
def test_install_advice_fits_the_operating_system(tmp_path, platform, os_release, advice):
    release = tmp_path / "os-release"
    release.write_text(os_release)
    assert advice in browser.install_advice(platform, release)


# -- the user agent ------------------------------------------------------------------------------------------------
@posix_only
def test_the_user_agent_appends_safet_filer_and_the_suffix_on_one_line(monkeypatch, tmp_path):
    monkeypatch.setattr(browser, "native_user_agent", lambda info, playwright=None: "Mozilla/5.0 Chrome/120.0.0.0")
    info = BrowserInfo(fake_browser(tmp_path / "chrome"), "chrome", "120.0.6099.109")

    assert user_agent(info, load_settings()) == f"Mozilla/5.0 Chrome/120.0.0.0 safet-filer/{__version__}"
    suffixed = user_agent(info, load_settings(user_agent_suffix="  (ops@example.com;\n seller A1B2) "))
    assert suffixed == f"Mozilla/5.0 Chrome/120.0.0.0 safet-filer/{__version__} (ops@example.com; seller A1B2)"


@posix_only
def test_the_native_user_agent_is_probed_once_per_browser_build(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    probes = []

    def probe(info, playwright):
        probes.append(info)
        return "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/120.0.0.0 Safari/537.36"

    monkeypatch.setattr(browser, "_probe_user_agent", probe)
    exe = fake_browser(tmp_path / "chrome")
    info = BrowserInfo(exe, "chrome", "120.0.6099.109")

    first = browser.native_user_agent(info)
    assert browser.native_user_agent(info) == first
    assert len(probes) == 1
    assert "HeadlessChrome" not in first and "Chrome/120.0.0.0" in first  # the same identity headed or not

    browser.native_user_agent(BrowserInfo(exe, "chrome", "121.0.6167.85"))  # updated in place
    exe.write_text(exe.read_text() + "# rebuilt\n")
    browser.native_user_agent(BrowserInfo(exe, "chrome", "121.0.6167.85"))
    assert len(probes) == 3


class _HeaderRecorder(BaseHTTPRequestHandler):
    seen: ClassVar[list[str]] = []

    def do_GET(self):
        type(self).seen.append(self.headers.get("User-Agent", ""))
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.end_headers()
        self.wfile.write(b"<title>ok</title>")

    def log_message(self, *args):
        pass


@pytest.fixture
def header_site():
    _HeaderRecorder.seen = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _HeaderRecorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/", _HeaderRecorder.seen
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def real_browser() -> BrowserInfo:
    """The browser this machine really has, found as the tool finds it."""
    return find_browser(load_settings())


@pytest.mark.e2e
def test_a_throwaway_browser_announces_safet_filer_to_the_site(playwright, real_browser, header_site):
    url, seen = header_site
    settings = load_settings()
    agent = user_agent(real_browser, settings, playwright=playwright)

    chrome_version = re.search(r" Chrome/(\d+)\.", agent)
    assert agent.startswith("Mozilla/5.0 ") and agent.endswith(f" safet-filer/{__version__}")
    assert chrome_version, agent
    if real_browser.version:
        assert chrome_version.group(1) == real_browser.version.split(".")[0]

    browser_, context = open_ephemeral(playwright, settings, real_browser, headed=False)
    try:
        page = context.new_page()
        page.goto(url)
        assert page.evaluate("navigator.userAgent") == agent
        assert page.viewport_size == browser.VIEWPORT
    finally:
        context.close()
        browser_.close()
    assert seen and set(seen) == {agent}  # the page and its favicon


@pytest.mark.e2e
def test_the_profile_is_made_owner_only_and_carries_the_user_agent(playwright, real_browser, tmp_path, header_site):
    url, seen = header_site
    profile = tmp_path / "data" / "profile"
    profile.mkdir(parents=True, mode=0o755)
    settings = load_settings(profile_dir=profile)

    context = open_profile(playwright, settings, real_browser, headed=False)
    try:
        if sys.platform != "win32":
            assert profile.stat().st_mode & 0o777 == 0o700
        page = context.pages[0] if context.pages else context.new_page()
        page.goto(url)
        assert page.viewport_size == browser.VIEWPORT
    finally:
        context.close()
    assert seen and set(seen) == {user_agent(real_browser, settings)}
    assert (profile / "Default").is_dir()  # the browser really used it


@pytest.mark.e2e
def test_a_profile_already_open_in_another_browser_is_reported_as_such(playwright, real_browser, tmp_path, monkeypatch):
    settings = load_settings(profile_dir=tmp_path / "profile")
    waits = []

    def wait_briefly(profile):  # the tool's own wait, for 1 s rather than 15: the other browser stays open anyway
        waits.append(browser_profile.wait_for_profile_holder(profile, timeout_s=1))
        return waits[-1]

    monkeypatch.setattr(browser, "wait_for_profile_holder", wait_briefly)
    first = open_profile(playwright, settings, real_browser, headed=False)
    try:
        with pytest.raises(ProfileInUse) as caught:
            open_profile(playwright, settings, real_browser, headed=False)
    finally:
        first.close()
    assert waits == [False]  # it waited for the browser holding the profile, which was still running
    assert str(tmp_path / "profile") in caught.value.message
    assert "Close that browser window" in caught.value.hint


@pytest.mark.e2e
def test_pytest_playwrights_browser_is_the_one_the_tool_finds(browser_type_launch_args, browser, real_browser):
    assert browser_type_launch_args["executable_path"] == str(real_browser.path)
    assert set(QUIET_ARGS) <= set(browser_type_launch_args["args"])
    if real_browser.version:
        assert browser.version == real_browser.version


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux folder names")
@pytest.mark.parametrize(
    "everyday", [".config/google-chrome", ".config/chromium/Default", ".config/google-chrome-beta/Profile 1"]
)
def test_the_everyday_browser_profile_is_refused_before_anything_starts(tmp_path, everyday):
    profile = Path.home() / everyday

    class NoPlaywright:
        def __getattr__(self, name):
            raise AssertionError("a browser was started")

    with pytest.raises(InvalidInput) as caught:
        open_profile(NoPlaywright(), load_settings(profile_dir=profile), BrowserInfo(tmp_path, "chrome"), headed=False)
    assert "everyday profile" in caught.value.message
    assert "SAFET_PROFILE_DIR" in caught.value.hint
    assert not profile.exists()


def test_a_visible_window_without_a_display_says_so(monkeypatch, tmp_path):
    if not sys.platform.startswith("linux"):
        pytest.skip("Linux only")
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    with pytest.raises(browser.BrowserLaunchFailed, match="no display"):
        open_ephemeral(object(), load_settings(), BrowserInfo(tmp_path, "chrome"), headed=True)


# -- is there a sign-in? -------------------------------------------------------------------------------------------
def chrome_time(seconds_from_now: float) -> int:
    return int((time.time() + seconds_from_now + 11_644_473_600) * 1_000_000)


def cookie_db(profile: Path, rows: list[tuple[str, str, int]]) -> Path:
    path = profile / "Default" / "Network" / "Cookies"
    path.parent.mkdir(parents=True)
    with sqlite3.connect(path) as db:
        db.execute(
            "CREATE TABLE cookies (host_key TEXT, name TEXT, value TEXT, encrypted_value BLOB, expires_utc INTEGER)"
        )
        db.executemany("INSERT INTO cookies VALUES (?, ?, '', x'00', ?)", rows)
    return path


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        ([(".amazon.com", "at-main", chrome_time(3600))], True),
        ([("sellercentral.amazon.com", "sess-at-main", 0)], True),  # a session cookie
        ([(".amazon.com", "at-main", chrome_time(-3600))], False),  # expired
        ([(".amazon.com", "session-id", chrome_time(3600))], False),  # set before any sign-in
        ([(".amazon.de", "at-acbde", chrome_time(3600))], False),  # another marketplace
        ([], False),
    ],
)
def test_a_sign_in_session_is_judged_from_cookie_names_for_the_marketplace(tmp_path, rows, expected):
    cookie_db(tmp_path / "profile", rows)
    assert browser_profile.has_signin_session(load_settings(profile_dir=tmp_path / "profile")) is expected


def test_sign_in_session_without_a_profile_or_with_an_unreadable_database(tmp_path):
    settings = load_settings(profile_dir=tmp_path / "profile")
    assert browser_profile.has_signin_session(settings) is False
    database = tmp_path / "profile" / "Default" / "Cookies"
    database.parent.mkdir(parents=True)
    database.write_bytes(b"this is not sqlite" * 100)
    assert browser_profile.has_signin_session(settings) is None


def test_on_a_loopback_site_any_cookie_counts_as_a_session(tmp_path):
    cookie_db(tmp_path / "profile", [("127.0.0.1", "mock-session", chrome_time(3600))])
    settings = load_settings(profile_dir=tmp_path / "profile")
    assert browser_profile.has_signin_session(settings, host="127.0.0.1:8765") is True
