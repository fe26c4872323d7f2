"""What the benchmarks share: the best of several timings, and a subprocess environment of default settings only."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path


def best_of(repeat: int, run: Callable[[], object]) -> float:
    """The fastest of `repeat` runs, in seconds (the least disturbed by the rest of the machine)."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def defaults_only_env(home: Path | str) -> dict[str, str]:
    """The environment for a timed `safet-filer`: no SAFET_* variables and a fresh home inside `home`, so that a
    developer's config does not change what is measured."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SAFET_")}
    env.update(HOME=str(home), XDG_CONFIG_HOME=f"{home}/config", XDG_DATA_HOME=f"{home}/data", COLUMNS="100")
    return env


def import_seconds(repeat: int, env: dict[str, str], cwd: Path | str, modules: str = "safet_filer.cli") -> float:
    """Best time of `python -c "import <modules>"`: the interpreter's start and the imports, the floor of a command."""
    command = [sys.executable, "-c", f"import {modules}"]
    return best_of(repeat, lambda: subprocess.run(command, env=env, cwd=cwd, check=True))
