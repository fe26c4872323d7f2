"""Evidence files: what each attachment really is (JPEG, PNG, GIF or PDF, judged by its first bytes) and whether
the marketplace's form takes it (a regular file, not empty, within the size limit, named for its type).
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass

from safet_filer.settings import Marketplace


@dataclass(slots=True)
class FileVerdict:
    """What one attachment turned out to be: its type by content, and what is wrong with it."""

    kind: str | None
    problem: str | None
    judged: bool  # False when the file could not be looked at (missing, unreadable, not a file)


IMAGE_KINDS = ("JPEG", "PNG", "GIF")
ALLOWED_EXTENSIONS = {".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG", ".gif": "GIF", ".pdf": "PDF"}
_KIND_EXTENSION = {"JPEG": ".jpg", "PNG": ".png", "GIF": ".gif", "PDF": ".pdf"}
_MAGIC = (
    (b"\xff\xd8\xff", "JPEG"),
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"),
    (b"%PDF-", "PDF"),
)
HEAD_BYTES = 512  # enough of a file to tell its type


def file_kind(head: bytes) -> str | None:
    """JPEG, PNG, GIF or PDF judged by the file's first bytes; None for anything else."""
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    return None


def _what_else(head: bytes) -> str:
    """A few words on what a file that is not an allowed type is, for the message."""
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "it is a WebP image"
    if head[4:8] == b"ftyp" and head[8:12] in (b"heic", b"heix", b"mif1", b"msf1", b"hevc"):
        return "it is a HEIC photo (the iPhone's own format)"
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return "it is a TIFF image"
    if head.startswith(b"PK\x03\x04"):
        return "it is a ZIP archive or an Office document"
    if b"\x00" not in head:
        try:
            head.decode("utf-8")
            return "it contains plain text"
        except UnicodeDecodeError as exc:
            if exc.start >= len(head) - 3:  # a character cut off by the head's end
                return "it contains plain text"
    return "its content is of a type Seller Central does not take"


def judge_file(name: str, full: str, market: Marketplace | None, code: str) -> FileVerdict:
    """What the attachment `name` (found at `full`) is: stat first (never open a FIFO or a device), then its first bytes."""
    try:
        st = os.stat(full)
    except FileNotFoundError:
        return FileVerdict(
            None,
            f"{name} was not found (looked for {full}) — paths are relative to the claims file's folder.",
            False,
        )
    except NotADirectoryError:
        return FileVerdict(None, f"{name} was not found: part of its path is a file, not a folder ({full}).", False)
    except OSError as exc:
        return FileVerdict(None, f"{name} cannot be read ({exc.strerror}) — check its permissions.", False)
    if stat.S_ISDIR(st.st_mode):
        return FileVerdict(None, f"{name} is a folder, not a file — list the files in it one by one.", False)
    if not stat.S_ISREG(st.st_mode):
        what = "a named pipe" if stat.S_ISFIFO(st.st_mode) else "a socket" if stat.S_ISSOCK(st.st_mode) else "a device"
        return FileVerdict(None, f"{name} is {what}, not a regular file — attach a saved photo or PDF.", False)
    if market is not None and st.st_size > market.max_attachment_bytes:
        return FileVerdict(
            None,
            f"{name} is {st.st_size / 1024 / 1024:.1f} MB; the {code} form takes files up to "
            f"{market.max_attachment_mb:g} MB — resize or compress it.",
            False,
        )
    if st.st_size == 0:
        return FileVerdict(None, f"{name} is empty (0 bytes) — save the photo or document again.", False)
    try:
        with open(full, "rb") as f:
            head = f.read(HEAD_BYTES)
    except OSError as exc:
        return FileVerdict(None, f"{name} cannot be read ({exc.strerror}) — check its permissions.", False)
    kind = file_kind(head)
    extension = os.path.splitext(name)[1].lower()
    named = ALLOWED_EXTENSIONS.get(extension)
    if kind is None:
        if named:
            return FileVerdict(
                None,
                f"{name} is not a {named} file as its name says: {_what_else(head)}. "
                "Attach the real photo or document (JPEG, PNG, GIF or PDF).",
                True,
            )
        return FileVerdict(
            None, f"{name}: {_what_else(head)}; Seller Central takes only JPEG, PNG, GIF and PDF files.", True
        )
    if named != kind:
        stem = os.path.splitext(os.path.basename(name))[0]
        called = f"named {extension}" if extension else "named without an extension"
        return FileVerdict(
            kind,
            f"{name} is a {kind} file but {called} — rename it to {stem}{_KIND_EXTENSION[kind]} "
            "(or attach the file you meant).",
            True,
        )
    return FileVerdict(kind, None, True)
