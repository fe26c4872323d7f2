"""How fast `safet-filer --help` answers, beside baselines measured in the same run.

Times, as subprocesses of the same interpreter, each RUNS times after one warm-up:

  python -c pass          the interpreter alone: the floor for any Python command
  python -c "import click" the interpreter and the CLI library: the floor for a click command
  safet-filer --help      the installed entry point (the console script beside this interpreter)

Usage: python benchmarks/startup.py [--runs N]
Prints the median and best time of each and the ratio to the baselines; the target for `--help` is well
under half a second. It asserts nothing (speed is read, not tested).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

TARGET_S = 0.5


def entry_point() -> list[str]:
    """The `safet-filer` console script of this interpreter's environment, else `python -m safet_filer`."""
    scripts = Path(sys.executable).parent
    for name in ("safet-filer", "safet-filer.exe"):
        if (scripts / name).is_file():
            return [str(scripts / name)]
    found = shutil.which("safet-filer")
    return [found] if found else [sys.executable, "-m", "safet_filer"]


def timings(command: list[str], runs: int) -> list[float]:
    subprocess.run(command, stdout=subprocess.DEVNULL, check=True)  # warm-up: fills the OS file cache
    seconds = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, stdout=subprocess.DEVNULL, check=True)
        seconds.append(time.perf_counter() - start)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10, help="timed runs of each command (default 10)")
    runs = parser.parse_args().runs

    commands = {
        "python -c pass": [sys.executable, "-c", "pass"],
        'python -c "import click"': [sys.executable, "-c", "import click"],
        "safet-filer --help": [*entry_point(), "--help"],
    }
    results = {label: timings(command, runs) for label, command in commands.items()}

    print(f"{'command':<26}{'median s':>10}{'best s':>10}")
    for label, seconds in results.items():
        print(f"{label:<26}{statistics.median(seconds):>10.3f}{min(seconds):>10.3f}")
    help_runs = results["safet-filer --help"]
    help_s = statistics.median(help_runs)
    for label in ("python -c pass", 'python -c "import click"'):
        median_ratio = help_s / statistics.median(results[label])
        best_ratio = min(help_runs) / min(results[label])
        print(f"--help / {label}: {median_ratio:.1f}x median, {best_ratio:.1f}x best")
    verdict = "within" if help_s < TARGET_S else "OVER"
    print(
        f"--help median {help_s:.3f} s: {verdict} the {TARGET_S} s target ({runs} runs, {' '.join(commands['safet-filer --help'])})"
    )


if __name__ == "__main__":
    main()
