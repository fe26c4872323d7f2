"""The ledger shown to the person: a table, JSON or CSV."""

from __future__ import annotations

import csv
import dataclasses
import json
from datetime import datetime
from pathlib import Path
from typing import TextIO

from safet_filer.ledger import Entry


def write_json(entries: list[Entry], out: TextIO) -> None:
    json.dump([dataclasses.asdict(e) for e in entries], out, indent=2, default=str)
    out.write("\n")


def write_csv(entries: list[Entry], out: TextIO) -> None:
    fields = [f.name for f in dataclasses.fields(Entry)]
    writer = csv.DictWriter(out, fieldnames=fields)
    writer.writeheader()
    writer.writerows(dataclasses.asdict(e) for e in entries)


def print_table(entries: list[Entry], path: Path) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    if not entries:
        console.print(f"The ledger {path} holds no claims yet.")
        return
    # On a narrow terminal the market, confirmer and time give way so that IDs stay whole.
    wide = console.width >= 120
    columns = [
        ("Market", lambda e: e.marketplace, wide),
        ("Order ID", lambda e: e.order_id, True),
        ("State", lambda e: e.state.value.replace("_", " "), True),
        ("SAFE-T claim ID", lambda e: e.claim_id or "—", True),
        ("Confirmed", lambda e: e.confirmed_by or "—", wide),
        ("Updated", lambda e: _local_minute(e.updated_at), wide),
    ]
    shown = [(name, value) for name, value, show in columns if show]
    table = Table(title=f"Ledger {path}", title_justify="left")
    for name, _ in shown:
        table.add_column(name, no_wrap=True, min_width=len(name))
    table.add_column("Message", overflow="fold", ratio=1)
    for e in entries:
        table.add_row(*(value(e) for _, value in shown), e.message or "")
    console.print(table)


def _local_minute(iso: str) -> str:
    try:
        return datetime.fromisoformat(iso).astimezone().strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return iso
