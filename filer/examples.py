"""The example claim list shipped with safet-filer, written out with its evidence files and dated to pass `check` today."""

from __future__ import annotations

import json
from datetime import date, timedelta
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from safet_filer.errors import InvalidInput

DATE_FIELDS = ("refund_date", "return_delivered_date")
DAYS_BEFORE_TODAY = 2  # the example's latest date: recent enough that no filing window is near its end


def example_source() -> Traversable:
    """The folder holding the example: package `safet_filer.example_data` (the repository's examples/ folder).

    Not `safet_filer.examples`: that name is this module.
    """
    try:
        return resources.files("safet_filer.example_data")
    except ModuleNotFoundError:
        # An editable install made before examples/ was mapped into the package still finds it beside filer/.
        return Path(__file__).resolve().parent.parent / "examples"


def write_example(dest: Path, today: date | None = None) -> Path:
    """Write claims.json and evidence/ into `dest` (created if needed); return the claims file's path.

    Every date moves by the same number of days, so the latest is two days before `today` and the gaps stay.
    Refuses (InvalidInput) when claims.json or any of the evidence files is already there.
    """
    dest = Path(dest)
    today = today or date.today()
    source = example_source()
    data = json.loads(source.joinpath("claims.json").read_text(encoding="utf-8"))
    shift_dates(data, today - timedelta(days=DAYS_BEFORE_TODAY))
    evidence = [f for f in source.joinpath("evidence").iterdir() if f.is_file() and not f.name.startswith((".", "_"))]

    claims_path = dest / "claims.json"
    targets = [claims_path, *(dest / "evidence" / f.name for f in evidence)]
    existing = [t for t in targets if t.exists() or t.is_symlink()]
    if existing:
        raise InvalidInput(
            f"{existing[0]} already exists; the example never overwrites files"
            + (f" ({len(existing)} would be replaced)." if len(existing) > 1 else "."),
            "Choose an empty folder (or a new one) for the example.",
        )
    if dest.exists() and not dest.is_dir():
        raise InvalidInput(
            f"{dest} is a file, not a folder.", "Give a folder for the example; it is created if missing."
        )

    (dest / "evidence").mkdir(parents=True, exist_ok=True)
    for f in evidence:
        (dest / "evidence" / f.name).write_bytes(f.read_bytes())
    # Written last and only if absent, so a second writer racing this one cannot be overwritten silently.
    with open(claims_path, "x", encoding="utf-8") as out:
        out.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    return claims_path


def shift_dates(data: Any, latest: date) -> None:
    """Move every claim's dates by one offset so the latest becomes `latest` (in place)."""
    claims = data["claims"] if isinstance(data, dict) else data
    dates = [date.fromisoformat(c[name]) for c in claims for name in DATE_FIELDS if c.get(name)]
    if not dates:
        return
    offset = latest - max(dates)
    for claim in claims:
        for name in DATE_FIELDS:
            if claim.get(name):
                claim[name] = (date.fromisoformat(claim[name]) + offset).isoformat()
