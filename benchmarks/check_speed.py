"""How fast `check` is on a large claim list, against a baseline measured in the same run.

Builds a list of N claims (10,000 by default) from the shipped example, every claim with its own
order ID and all sharing the example's evidence files, in a temporary folder. Then times:

  baseline   json.load + pydantic validation of every claim (Claim.model_validate): the least any check can do
  check      check_claim_list: every rule, the files looked at, deadlines, sorting
  cli        `safet-filer check FILE` (the table) and `safet-filer check --json FILE`, as subprocesses,
             against the baseline `python -c "import safet_filer.cli"` (interpreter and import time)

Usage: python benchmarks/check_speed.py [--claims N] [--repeat R]
Prints seconds (best of R) and ratios; asserts nothing (speed is read, not tested).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

from _common import best_of, defaults_only_env, import_seconds

from safet_filer.claims import Claim, check_claim_list
from safet_filer.examples import write_example
from safet_filer.settings import Settings


def build_list(folder: Path, count: int) -> Path:
    """A claim list of `count` valid claims sharing the example's evidence files."""
    example = json.loads(write_example(folder / "example").read_text(encoding="utf-8"))
    claims = []
    for i in range(count):
        claim = dict(example["claims"][i % len(example["claims"])])
        claim["order_id"] = f"{100 + i % 900:03d}-{i:07d}-{(i * 7919) % 10_000_000:07d}"
        claim["attachments"] = [f"example/{name}" for name in claim["attachments"]]
        claims.append(claim)
    path = folder / "claims.json"
    path.write_text(json.dumps({"marketplace": "US", "claims": claims}, indent=2), encoding="utf-8")
    return path


def baseline(path: Path) -> None:
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    for claim in data["claims"]:
        Claim.model_validate(claim)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        env = defaults_only_env(tmp)
        path = build_list(Path(tmp), args.claims)
        size = path.stat().st_size
        settings = Settings(_env_file=None)
        today = date.today()

        result = check_claim_list(path, settings, today)
        if not result.ok:
            sys.exit(f"the generated list does not pass check: {result.errors[:3]}")

        base = best_of(args.repeat, lambda: baseline(path))
        checked = best_of(args.repeat, lambda: check_claim_list(path, settings, today))

        exe = [sys.executable, "-m", "safet_filer"]

        def cli(*extra: str) -> None:
            subprocess.run([*exe, "check", *extra, str(path)], env=env, cwd=tmp, stdout=subprocess.DEVNULL, check=True)

        startup = import_seconds(args.repeat, env, tmp)
        table = best_of(args.repeat, cli)
        as_json = best_of(args.repeat, lambda: cli("--json"))

    print(f"{args.claims:,} claims ({size / 1e6:.1f} MB of JSON), best of {args.repeat}")
    print(f"  baseline  json.load + Claim.model_validate   {base:6.3f} s")
    print(f"  check     check_claim_list                   {checked:6.3f} s   {checked / base:4.2f}x baseline")
    print(f"  startup   python -c 'import safet_filer.cli' {startup:6.3f} s")
    print(f"  cli       safet-filer check (table)          {table:6.3f} s   {table - startup:6.3f} s after start-up")
    print(
        f"  cli       safet-filer check --json           {as_json:6.3f} s   {as_json - startup:6.3f} s after start-up"
    )


if __name__ == "__main__":
    main()
