"""safet-filer's own browser profile: a private folder that is never the person's everyday browser profile, whether
it holds a Seller Central sign-in (cookie names and expiry only), and waiting for a crashed browser to let go of it."""

from __future__ import annotations

import os
import re
import sqlite3
import sys
import time
from contextlib import closing
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.request import pathname2url

from safet_filer.errors import InvalidInput
from safet_filer.private import make_private_dir

if TYPE_CHECKING:
    from safet_filer.settings import Settings


def everyday_profile_dirs() -> dict[Path, str]:
    """The default user-data folders of the browsers people use every day, with the browser's name."""
    home = Path.home()
    if sys.platform == "darwin":
        support = home / "Library" / "Application Support"
        names = {
            "Google/Chrome": "Google Chrome",
            "Google/Chrome Beta": "Google Chrome Beta",
            "Google/Chrome Canary": "Google Chrome Canary",
            "Chromium": "Chromium",
            "BraveSoftware/Brave-Browser": "Brave",
            "Microsoft Edge": "Microsoft Edge",
        }
        return {support / rel: name for rel, name in names.items()}
    if sys.platform == "win32":
        local = Path(os.environ.get("LOCALAPPDATA", home / "AppData" / "Local"))
        names = {
            "Google/Chrome/User Data": "Google Chrome",
            "Google/Chrome Beta/User Data": "Google Chrome Beta",
            "Chromium/User Data": "Chromium",
            "BraveSoftware/Brave-Browser/User Data": "Brave",
            "Microsoft/Edge/User Data": "Microsoft Edge",
        }
        return {local / rel: name for rel, name in names.items()}
    config = Path(os.environ.get("XDG_CONFIG_HOME") or home / ".config")
    names = {
        "google-chrome": "Google Chrome",
        "google-chrome-beta": "Google Chrome Beta",
        "google-chrome-unstable": "Google Chrome Dev",
        "chromium": "Chromium",
        "BraveSoftware/Brave-Browser": "Brave",
        "microsoft-edge": "Microsoft Edge",
    }
    dirs = {config / rel: name for rel, name in names.items()}
    dirs[home / "snap" / "chromium" / "common" / "chromium"] = "Chromium (snap)"
    return dirs


def prepare_profile_dir(profile_dir: Path) -> Path:
    """`profile_dir`, created readable by its owner only (it holds the sign-in); never an everyday browser profile."""
    profile = refuse_everyday_profile(profile_dir)
    return make_private_dir(profile, tighten_existing=True)  # it holds the sign-in, even in a folder made by hand


def refuse_everyday_profile(profile_dir: Path) -> Path:
    """`profile_dir` made absolute; an error when it is (or is inside) the person's everyday browser profile."""
    profile = Path(os.path.realpath(profile_dir.expanduser()))
    for everyday, name in everyday_profile_dirs().items():
        everyday = Path(os.path.realpath(everyday))
        if profile == everyday or everyday in profile.parents:
            raise InvalidInput(
                f"The setting profile_dir is {profile_dir}, which is {name}'s everyday profile.",
                "safet-filer keeps its own profile so that it never touches your own browsing: set profile_dir "
                "(config file or SAFET_PROFILE_DIR) to a folder of its own, or remove it to use the default.",
            )
    return profile


# Amazon's sign-in cookies are at-main / sess-at-main (at-acbuk, at-acbde, … on other marketplaces).
_SIGNIN_COOKIE_NAMES = ("at-%", "sess-at-%")
_CHROME_EPOCH_OFFSET_S = 11_644_473_600  # seconds from 1601-01-01 (Chrome's cookie clock) to 1970-01-01


def has_signin_session(settings: Settings, host: str | None = None) -> bool | None:
    """Whether the profile seems to hold a sign-in for the marketplace's host (None: cannot tell).

    Looks only at cookie host names, names and expiry in the profile's cookie database; never at values.
    """
    profile = settings.profile_dir.expanduser()
    database = next(
        (p for p in (profile / "Default" / "Network" / "Cookies", profile / "Default" / "Cookies") if p.is_file()), None
    )
    if database is None:
        return False
    host = (host or settings.market().host).split(":")[0].lower()
    is_name = bool(re.search(r"[a-z]", host)) and host != "localhost"
    domain = host.split(".", 1)[1] if is_name and host.startswith("sellercentral") and host.count(".") >= 2 else host
    query = "SELECT COUNT(*) FROM cookies WHERE (host_key IN (?, ?) OR host_key LIKE ?) AND (expires_utc = 0 OR expires_utc > ?)"
    params: list[Any] = [domain, f".{domain}", f"%.{domain}", int((time.time() + _CHROME_EPOCH_OFFSET_S) * 1_000_000)]
    if is_name:  # on a real Amazon host, only the sign-in cookies count; on a loopback mock, any cookie does
        query += " AND (" + " OR ".join("name LIKE ?" for _ in _SIGNIN_COOKIE_NAMES) + ")"
        params += list(_SIGNIN_COOKIE_NAMES)
    try:
        # immutable: read without taking a lock, so a running browser is neither blocked nor blocking.
        with closing(sqlite3.connect(f"file:{pathname2url(str(database))}?mode=ro&immutable=1", uri=True)) as db:
            (count,) = db.execute(query, params).fetchone()
    except sqlite3.Error:
        return None
    return count > 0


def wait_for_profile_holder(profile: Path, timeout_s: float = 15) -> bool:
    """Wait for the browser process that holds `profile` (Chromium's SingletonLock names it) to exit.

    True when it exited, or is gone already; False when it is still running (a browser the person has open).
    """
    try:
        holder = os.readlink(profile / "SingletonLock")  # "<hostname>-<pid>"
        pid = int(holder.rsplit("-", 1)[1])
    except (OSError, ValueError, IndexError):
        return True
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        except PermissionError:
            return False
        time.sleep(0.2)
    return False
