"""Private files and folders: folders this user alone may enter (0700), files this user alone may read (0600).

The ledger, the run folders, the run log and the browser profile hold what a seller files and their sign-in.
"""

from __future__ import annotations

import os
from pathlib import Path

DIR_MODE = 0o700
FILE_MODE = 0o600


def make_private_dir(path: Path, *, tighten_existing: bool = False) -> Path:
    """Create `path` readable by this user only, and likewise every parent folder it has to create.

    Folders that already exist are left as they are (the person chose their permissions), unless
    `tighten_existing`: for a folder that is the tool's own and holds secrets, such as the browser profile.
    """
    missing = []
    folder = path
    while not folder.exists() and folder != folder.parent:
        missing.append(folder)
        folder = folder.parent
    for created in reversed(missing):
        created.mkdir(mode=DIR_MODE, exist_ok=True)
        os.chmod(created, DIR_MODE)  # mkdir's mode is narrowed by the umask, never widened
    if tighten_existing:
        os.chmod(path, DIR_MODE)
    return path


def create_private_file(path: Path) -> None:
    """Create `path` empty and private unless it exists; an existing file is left as it is."""
    try:
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, FILE_MODE))
    except FileExistsError:
        pass


def write_private_file(path: Path, content: str | bytes) -> None:
    """Write `content` to `path` (UTF-8 for text), created private; an existing file is replaced."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    fd = os.open(path, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, FILE_MODE)
    with os.fdopen(fd, "wb") as f:
        f.write(data)


def make_file_private(path: Path) -> None:
    """Narrow a file that something else wrote (a Playwright trace) to this user."""
    os.chmod(path, FILE_MODE)


def create_private_file_with(path: Path, content: str) -> None:
    """Create `path` private (0600) holding `content` (UTF-8); FileExistsError when it exists, which stays untouched."""
    fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, FILE_MODE)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(content)


def replace_private_file(path: Path, content: str) -> None:
    """Write `content` (UTF-8) to `path`, private (0600) and whole: into a temporary file beside it, then renamed
    over it, so that a reader, or a crash, meets the old file or the new one and never half of one."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        fd = os.open(temporary, os.O_CREAT | os.O_TRUNC | os.O_WRONLY, FILE_MODE)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(content)
            f.flush()
            os.fsync(f.fileno())
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
