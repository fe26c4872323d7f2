"""The ledger shown to the person: each claim with its site status, money and next deadline, and the totals.

The table, `--json` and `--csv` carry the same rows; JSON adds the totals per currency (a CSV holds one kind of
row, so a spreadsheet sums its amount columns itself).
"""

from __future__ import annotations

import csv
import dataclasses
import json
from datetime import date
from decimal import Decimal
from typing import Any, TextIO

from rich.table import Table

from safet_filer.followup import Followed
from safet_filer.money import Money
from safet_filer.standing import Next, Totals

Step = tuple[Followed, Next | None]


def record(f: Followed, step: Next | None, today: date) -> dict[str, Any]:
    """One claim as a flat record: the ledger's fields, then what the site shows, then the next deadline."""
    site = f.site
    return {
        **dataclasses.asdict(f.entry),
        "state": f.entry.state.value,
        "claim_id": f.claim_id,
        "site_status": site.status.value if site and site.status else None,
        **_money("claimed", f.claimed),
        **_money("reimbursed", site.reimbursed if site else None),
        "comment": site.comment if site else None,
        "filing_deadline": _day(f.filing_deadline),
        "reply_by": _day(site.reply_by if site else None),
        "appeal_by": _day(site.appeal_by if site else None),
        "next_action": step.action if step else None,
        "next_by": _day(step.by if step else None),
        "days_left": step.days_left(today) if step else None,
    }


def write_json(steps: list[Step], money: dict[str, Totals], today: date, out: TextIO) -> None:
    totals = {currency: {k: _amount(v) for k, v in dataclasses.asdict(t).items()} for currency, t in money.items()}
    json.dump({"claims": [record(f, s, today) for f, s in steps], "totals": totals}, out, indent=2)
    out.write("\n")


def write_csv(steps: list[Step], today: date, out: TextIO) -> None:
    records = [record(f, s, today) for f, s in steps]
    writer = csv.DictWriter(out, fieldnames=list(records[0]) if records else ["order_id"])
    writer.writeheader()
    writer.writerows(records)


def print_table(steps: list[Step], money: dict[str, Totals], today: date, title: str) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    # IDs are read whole or not at all: on a narrow terminal the market, money and messages go under the table.
    wide = console.width >= 120
    table = Table(title=title, title_justify="left")
    columns = [
        ("Market", lambda f, s: f.entry.marketplace, wide),
        ("Order ID", lambda f, s: f.entry.order_id, True),
        ("SAFE-T claim ID", lambda f, s: f.claim_id or "—", True),
        ("State", _state, True),
        ("Claimed", lambda f, s: _shown(f.claimed), wide),
        ("Reimbursed", lambda f, s: _shown(f.site.reimbursed if f.site else None), wide),
        ("Next deadline", lambda f, s: s.describe(today, " " if wide else "\n") if s else "—", True),
    ]
    shown = [(name, value) for name, value, show in columns if show]
    for name, _ in shown:
        ids = name in ("Order ID", "SAFE-T claim ID")
        table.add_column(name, no_wrap=ids, min_width=len(name) if ids else None)
    if wide:
        table.add_column("Message", overflow="fold", ratio=1)
    notes = []
    for f, s in steps:
        row = [value(f, s) for _, value in shown]
        if wide:
            row.append(_message(f))
        elif _note(f):
            notes.append(f"{f.entry.order_id}: {_note(f)}")
        table.add_row(*row)
    console.print(table)
    for note in notes:
        console.print(note, highlight=False)
    if money:
        console.print(_totals_table(money))


def _totals_table(money: dict[str, Totals]) -> Table:

    table = Table(title="Totals (filed claims)", title_justify="left")
    names = [f.name for f in dataclasses.fields(Totals)]
    for name in ["Currency", *names]:
        table.add_column(name.capitalize(), justify="left" if name == "Currency" else "right")
    for currency, t in money.items():
        table.add_row(currency, *(f"{getattr(t, n):,.2f}" for n in names))
    return table


def _state(f: Followed, s: Next | None) -> str:
    state = f.entry.state.value.replace("_", " ")
    return f"{state}, {f.site.status.value}" if f.site and f.site.status else state


def _message(f: Followed) -> str:
    """Amazon's comment first (the newest word on the claim), then the ledger's message unless it only repeats the ID."""
    comment = f.site.comment if f.site else None
    message = f.entry.message if f.claim_id is None or f.claim_id not in (f.entry.message or "") else None
    return " ".join(part for part in (f"Amazon: {comment}" if comment else None, message) if part)


def _note(f: Followed) -> str:
    """What a narrow table leaves out: the money and the messages."""
    money = [f"claimed {f.claimed}" if f.claimed else None]
    if f.site and f.site.reimbursed:
        money.append(f"reimbursed {f.site.reimbursed}")
    parts = [", ".join(m for m in money if m), _message(f)]
    return ". ".join(p for p in parts if p)


def _money(name: str, money: Money | None) -> dict[str, str | None]:
    return {
        f"{name}_amount": _amount(money.amount) if money else None,
        f"{name}_currency": money.currency if money else None,
    }


def _amount(amount: Decimal) -> str:
    return f"{amount:.2f}"


def _shown(money: Money | None) -> str:
    return str(money) if money else "—"


def _day(day: date | None) -> str | None:
    return day.isoformat() if day else None
