"""Helpers for end-to-end runs: claim lists with real evidence files, and the CLI run as a person would run it."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import sqlite3
import struct
import subprocess
import sys
import threading
import zlib
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pexpect

REPO = Path(__file__).resolve().parent.parent
EVIDENCE = REPO / "examples" / "evidence"


def png_bytes(seed: int = 0) -> bytes:
    """A real 2x2 PNG whose pixels depend on `seed` (so each file has its own hash)."""
    raw = b"".join(b"\x00" + bytes([(seed + r * 7 + c) % 256 for c in range(6)]) for r in range(2))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


PDF_BYTES = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def order_id(n: int) -> str:
    return f"113-{4000000 + n:07d}-{1000000 + n:07d}"


# Each claim-list reason and the site codes it must reach the site as: written out here, not taken from the tool's
# own table, so that a wrong entry there shows.
REASONS = {
    "damaged": ("ADMGD", None),
    "missing_parts": ("MSNG", None),
    "different_item": ("NOCOT", None),
    "not_returned": ("RNOTR", "RNOTR-a"),
    "return_label_charge": ("LBLOT", None),
    "outside_return_window": ("RTOW", None),
    "replacement_refunded": ("REPRF", None),
    "delivered_not_received": ("DNOTR", None),
    "restocking_fee": ("RSTK", None),
}


def claim(n: int, reason: str, folder: Path, **fields) -> dict:
    """A valid claim for order n with evidence files written into `folder`."""
    today = date.today()
    photo = folder / f"photo-{n}.png"
    photo.write_bytes(png_bytes(n))
    body = {
        "order_id": order_id(n),
        "reason": reason,
        "items": [{"asin": f"B0TEST{n:04d}", "quantity": 1}],
        "description": f"Claim {n}: {reason.replace('_', ' ')}; photos of the item and the label are attached.",
        "attachments": [photo.name],
        "refund_date": (today - timedelta(days=5)).isoformat(),
        "return_delivered_date": (today - timedelta(days=3)).isoformat(),
    }
    if reason in ("replacement_refunded", "delivered_not_received"):
        body["tracking_id"] = f"1Z999AA1{n:010d}"
    body.update(fields)
    return body


def assert_received_as_claimed(received: dict[str, dict], claims: list[dict], folder: Path) -> None:
    """Each claim reached the mock (`received`: its submissions by order ID) exactly as it says: items with the
    reason's site codes, description, tracking ID, and its attachment (from `folder`) byte for byte."""
    for c in claims:
        got = received[c["order_id"]]
        code, sub = REASONS[c["reason"]]
        assert got["items"] == [
            {"asin": i["asin"], "quantity": i["quantity"], "reason": code, "sub_reason": sub} for i in c["items"]
        ], c["reason"]
        assert got["description"] == c["description"]
        assert got["tracking_id"] == c.get("tracking_id")
        photo = (folder / c["attachments"][0]).read_bytes()
        assert got["attachments"] == [
            {"name": c["attachments"][0], "size": len(photo), "sha256": hashlib.sha256(photo).hexdigest()}
        ]


def write_claims(folder: Path, claims: list[dict], marketplace: str = "US") -> Path:
    path = folder / "claims.json"
    path.write_text(json.dumps({"marketplace": marketplace, "claims": claims}, indent=2))
    return path


def isolated_env(home: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of a person with a fresh safet-filer set-up under `home` (`extra`: more or other variables)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SAFET_")}
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_DATA_HOME=str(home / ".local" / "share"),
        # One cache for the whole test session (the pytest base temp folder): the browser's user agent is
        # probed once, not once per subprocess.
        XDG_CACHE_HOME=str(home.parent.parent / "shared-cache"),
        SAFET_RUNS_DIR=str(home / "runs"),
        SAFET_LEDGER_PATH=str(home / "ledger.sqlite3"),
        SAFET_PROFILE_DIR=str(home / "profile"),
        SAFET_STEP_TIMEOUT_S="15",
        SAFET_SUBMIT_TIMEOUT_S="10",
        SAFET_RETRY_WAIT_S="0",
        COLUMNS="160",
    )
    # A Playwright-managed browser found through the real home stays findable from the fake one.
    env.setdefault("PLAYWRIGHT_BROWSERS_PATH", str(Path.home() / ".cache" / "ms-playwright"))
    env.update(extra or {})
    return env


@dataclass
class Finished:
    status: int
    output: str
    run_folder: Path | None


def run_folder_of(output: str) -> Path | None:
    for line in output.splitlines():
        if line.startswith("Run folder:"):
            return Path(line.split(":", 1)[1].strip())
    return None


def safet(home: Path, *args: str, timeout: float = 240, env: dict[str, str] | None = None) -> Finished:
    """Run `safet-filer ARGS` as a subprocess with no terminal (stdin closed); `env` adds or overrides variables."""
    proc = subprocess.run(
        [sys.executable, "-m", "safet_filer", *args],
        env=isolated_env(home, env),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    output = proc.stdout + proc.stderr
    return Finished(proc.returncode, output, run_folder_of(output))


def safet_at_terminal(home: Path, *args: str, timeout: float = 60) -> pexpect.spawn:
    """Run `safet-filer ARGS` in a pseudo-terminal, for a test to answer its prompts."""
    return pexpect.spawn(
        sys.executable,
        ["-m", "safet_filer", *args],
        env=isolated_env(home),
        encoding="utf-8",
        timeout=timeout,
        dimensions=(50, 160),
    )


class Background:
    """`safet-filer ARGS` running in its own process group (as a person's terminal would start it), its output
    collected as it comes, for a test that acts while it runs (kills it, plays the person in its browser)."""

    def __init__(self, home: Path, *args: str, env: dict[str, str] | None = None):
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "safet_filer", *args],
            env=isolated_env(home, env),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        self._chunks: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self._chunks.append(line)

    @property
    def output(self) -> str:
        return "".join(self._chunks)

    def running(self) -> bool:
        return self.proc.poll() is None

    def kill(self) -> None:
        """SIGKILL the whole process group: the CLI, Playwright's driver and whatever else it started."""
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    def finish(self, timeout: float = 120) -> Finished:
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise
        finally:
            self._reader.join(timeout=10)
        return Finished(self.proc.returncode, self.output, run_folder_of(self.output))

    def __enter__(self) -> Background:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.running():
            self.kill()
            self.proc.wait(timeout=30)
        self._reader.join(timeout=10)


def ledger_rows(home: Path) -> dict[str, tuple[str, str | None, str | None]]:
    """order ID -> (state, claim ID, message), read straight from the ledger file under `home` (empty: no ledger)."""
    if not (home / "ledger.sqlite3").exists():  # never create it: the tool makes it, private, on its first run
        return {}
    db = sqlite3.connect(home / "ledger.sqlite3", timeout=30)
    try:
        return {r[0]: tuple(r[1:]) for r in db.execute("SELECT order_id, state, claim_id, message FROM claims")}
    finally:
        db.close()
