"""What a run leaves on disk is for the seller alone: its folders 0700, its files 0600, whatever the umask."""

import io
import os
import stat
import sys

import pytest
from loguru import logger
from rich.console import Console

from safet_filer.logs import start_run_log
from safet_filer.private import create_private_file, make_private_dir, write_private_file
from safet_filer.report import ClaimRecord, RunFolder

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX modes")


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def open_umask():
    previous = os.umask(0o022)  # a common default: without care, files would be readable by everyone
    yield
    os.umask(previous)


def test_a_private_folder_and_every_parent_it_creates_are_0700_and_an_existing_one_is_kept_unless_asked(tmp_path):
    made = make_private_dir(tmp_path / "a" / "b" / "c")
    assert made == tmp_path / "a" / "b" / "c"
    assert [mode(tmp_path / p) for p in ("a", "a/b", "a/b/c")] == [0o700, 0o700, 0o700]

    shared = tmp_path / "shared"
    shared.mkdir(mode=0o755)
    loose = shared / "made-by-hand"
    loose.mkdir(mode=0o755)
    make_private_dir(loose)
    assert (mode(loose), mode(shared)) == (0o755, 0o755)  # folders that existed are not the tool's to change
    make_private_dir(loose, tighten_existing=True)  # the browser profile: it holds the sign-in
    assert (mode(loose), mode(shared)) == (0o700, 0o755)


def test_private_files_are_0600_a_write_replaces_and_a_create_keeps_what_is_there(tmp_path):
    target = tmp_path / "summary.json"
    write_private_file(target, "first, and longer")
    write_private_file(target, "second")
    assert (target.read_text(), mode(target)) == ("second", 0o600)

    write_private_file(tmp_path / "shot.png", b"\x89PNG")
    assert (tmp_path / "shot.png").read_bytes() == b"\x89PNG"

    create_private_file(target)
    assert target.read_text() == "second"
    create_private_file(tmp_path / "log.jsonl")
    assert ((tmp_path / "log.jsonl").read_text(), mode(tmp_path / "log.jsonl")) == ("", 0o600)


def test_a_run_folder_its_claim_folders_report_summary_and_log_are_private(tmp_path):
    folder = RunFolder(tmp_path / "runs")
    record = ClaimRecord(0, "113-1234567-1234567", "damaged", state="filed")
    report = folder.write([record], {"run_id": folder.run_id})
    start_run_log(folder.log_file, Console(file=io.StringIO()))
    logger.remove()  # the run's sinks, which the run itself removes when it ends

    assert mode(tmp_path / "runs") == 0o700 and mode(folder.path) == 0o700
    assert mode(folder.claim_dir(record)) == 0o700
    assert {p.name: mode(p) for p in folder.path.iterdir() if p.is_file()} == {
        "report.html": 0o600,
        "summary.json": 0o600,
        "log.jsonl": 0o600,
    }
    assert report == folder.path / "report.html"
