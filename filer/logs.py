"""The run's log sinks: short lines for the person on the console, JSON lines in the run folder.

The log holds the tool's own messages only: never cookies, page text or form contents.
"""

from __future__ import annotations

from pathlib import Path

from loguru import logger
from rich.console import Console

from safet_filer.private import create_private_file


def start_run_log(log_file: Path, console: Console) -> None:
    logger.remove()
    create_private_file(log_file)  # loguru would create it with the umask's mode
    logger.add(log_file, serialize=True, diagnose=False, backtrace=False, level="DEBUG")
    logger.add(
        lambda message: console.print(message, end="", markup=False, highlight=False),
        level="INFO",
        format="{message}",
        colorize=False,
    )
