"""How fast `draft` is on a large returns report, against a baseline measured in the same run.

Builds a returns report of N rows (5,000 by default) in Amazon's tab-separated format, two returned items per
order, every cell filled as a real report fills it, in a temporary folder. Then times:

  baseline   csv.reader over the report, and json.dump of the claim list draft writes (as many claims, the same
             size): reading the cells and writing the result, the least any draft can do
  draft      read_returns_report + draft_claims + write_draft: every cell typed, orders grouped, the left-out rules,
             deadlines, suggestions, the JSON written
  cli        `safet-filer draft REPORT --force` as a subprocess, against `python -c "import safet_filer.cli"` and
             the same with the modules draft imports (the claim model's pydantic set-up is most of it)

Usage: python benchmarks/draft_speed.py [--rows N] [--repeat R]
Prints seconds (best of R) and ratios; asserts nothing (speed is read, not tested).
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
import tempfile
from datetime import date, timedelta
from pathlib import Path

from _common import best_of, defaults_only_env, import_seconds

from safet_filer.draft import draft_claims
from safet_filer.draft_writing import write_draft
from safet_filer.returns_report import REPORT_COLUMNS, read_returns_report
from safet_filer.settings import Settings

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
REASONS = ("CR-UNWANTED_ITEM", "CR-DEFECTIVE", "CR-ORDERED_WRONG_ITEM", "CR-SWITCHEROO", "AMZ-PG-BAD-DESC")


def amazon_date(day: date) -> str:
    return f"{day.day:02d}-{MONTHS[day.month - 1]}-{day.year}"


def build_report(folder: Path, rows: int, today: date) -> Path:
    """`rows` returned items, two per order, with the cases a real report mixes (claims, A-to-z, old returns)."""
    lines = ["\t".join(column.name for column in REPORT_COLUMNS)]
    for i in range(rows):
        order = i // 2
        requested = today - timedelta(days=3 + order % 40)
        first_scan = order % 5 == 0
        cells = {
            "Order ID": f"{100 + order % 900:03d}-{order:07d}-{(order * 7919) % 10_000_000:07d}",
            "Order date": amazon_date(requested - timedelta(days=10)),
            "Return request date": amazon_date(requested),
            "Return request status": "Approved",
            "Amazon RMA ID": f"D{order:09d}RMA",
            "Label type": "AmazonUnPaidLabel",
            "Label cost": "7.50",
            "Currency code": "USD",
            "Return carrier": "UPS",
            "Tracking ID": f"1Z{order:016d}",
            "Label to be paid by": "Seller" if order % 3 == 0 else "Customer",
            "A-to-Z Claim": "Y" if order % 97 == 0 else "N",
            "Is prime": "N",
            "ASIN": f"B{i:09d}",
            "Merchant SKU": f"SKU-{i}",
            "Item Name": f"Item number {i}, in a box",
            "Return quantity": str(1 + i % 3),
            "Return Reason": REASONS[order % len(REASONS)],
            "In policy": "N" if order % 11 == 0 else "Y",
            "Return type": "C-Returns",
            "Resolution": "RefundAtFirstScan" if first_scan else "StandardRefund",
            "Return delivery date": " " if first_scan else amazon_date(requested + timedelta(days=4)),
            "Order Amount": f"{10 + i % 90}.99",
            "Order quantity": str(1 + i % 3),
            "SafeT claim id": f"31415-{order % 100_000:05d}-{order:07d}" if order % 53 == 0 else " ",
            "Refunded Amount": f"{10 + i % 90}.99",
        }
        lines.append("\t".join(cells.get(column.name, " ") for column in REPORT_COLUMNS))
    path = folder / "returns.txt"
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        env = defaults_only_env(tmp)
        today = date.today()
        report_path = build_report(folder, args.rows, today)
        settings = Settings(_env_file=None)
        market = settings.marketplaces["US"]
        out = folder / "claims.json"

        def draft() -> None:
            report = read_returns_report(report_path)
            drafted = draft_claims(report, marketplace="US", market=market, today=today, output_dir=folder)
            write_draft(drafted.to_json(), out, force=True)

        draft()
        written = json.loads(out.read_text(encoding="utf-8"))
        claims, size = len(written["claims"]), out.stat().st_size

        def baseline() -> None:
            with open(report_path, encoding="utf-8", newline="") as f:
                for _ in csv.reader(f, delimiter="\t"):
                    pass
            with open(folder / "baseline.json", "w", encoding="utf-8") as f:
                json.dump(written, f, indent=2, ensure_ascii=False)

        base = best_of(args.repeat, baseline)
        drafted = best_of(args.repeat, draft)

        startup = import_seconds(args.repeat, env, tmp)
        imports = import_seconds(args.repeat, env, tmp, "safet_filer.cli, safet_filer.draft_view, safet_filer.settings")
        cli = best_of(
            args.repeat,
            lambda: subprocess.run(
                [sys.executable, "-m", "safet_filer", "draft", str(report_path), "-o", str(out), "--force"],
                env=env,
                cwd=tmp,
                stdout=subprocess.DEVNULL,
                check=True,
            ),
        )

    print(f"{args.rows:,} rows -> {claims:,} draft claims ({size / 1e6:.1f} MB of JSON), best of {args.repeat}")
    print(f"  baseline  csv.reader + json.dump             {base:6.3f} s")
    print(f"  draft     read, draft_claims, write_draft    {drafted:6.3f} s   {drafted / base:4.2f}x baseline")
    print(f"  startup   python -c 'import safet_filer.cli' {startup:6.3f} s")
    print(f"  imports   + draft_view, claims, settings     {imports:6.3f} s")
    print(f"  cli       safet-filer draft                  {cli:6.3f} s   {cli - imports:6.3f} s after the imports")


if __name__ == "__main__":
    main()
