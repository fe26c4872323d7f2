"""The run's log sinks: short lines for the person on the console, JSON lines in the run folder.

The log holds the tool's own messages only: never cookies, page text or form contents.
"""

from __future__ import annotations

import os
from pathlib import Path

from loguru import logger
from rich.console import Console


def start_run_log(log_file: Path, console: Console) -> None:
    logger.remove()
    os.close(os.open(log_file, os.O_CREAT | os.O_WRONLY, 0o600))
    logger.add(log_file, serialize=True, diagnose=False, backtrace=False, level="DEBUG")
    logger.add(
        lambda message: console.print(message, end="", markup=False, highlight=False),
        level="INFO",
        format="{message}",
        colorize=False,
    )
