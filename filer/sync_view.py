"""What `sync` tells the person: a table of what changed on each claim (from → to), its problems, a summary line."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from safet_filer.followup_site import Change
from safet_filer.sync import SyncResult

_FIELDS = {
    "state": "ledger state",
    "claim_id": "SAFE-T claim ID",
    "status": "status",
    "reimbursed": "reimbursed",
    "comment": "Amazon's comment",
    "reply_by": "reply by",
    "appeal_by": "appeal by",
}


def change_text(change: Change) -> str:
    """'status: Under investigation → Granted'; an empty value shows as —."""
    before = (change.before or "—").replace("_", " ") if change.field == "state" else change.before or "—"
    after = (change.after or "—").replace("_", " ") if change.field == "state" else change.after or "—"
    return f"{_FIELDS.get(change.field, change.field)}: {before} → {after}"


def print_sync(result: SyncResult, console: Console) -> None:
    changed = [c for c in result.claims if c.changes or c.settled or c.problem]
    if changed:
        table = Table(title="What changed", title_justify="left")
        for name in ("SAFE-T claim ID", "Order ID"):
            table.add_column(name, no_wrap=True, min_width=len(name))
        table.add_column("Change", overflow="fold", ratio=1)
        for claim in changed:
            lines = [change_text(c) for c in claim.changes]
            lines += [f"{m.kind} {m.state.replace('_', ' ')}: {m.note}" for m in claim.settled]
            if claim.problem:
                lines.append(f"[red]not read:[/red] {claim.problem}")
            table.add_row(claim.claim_id, claim.order_id, "\n".join(lines))
        console.print(table)
    console.print(result.summary(), highlight=False)
    if result.problems:
        console.print("Run `safet-filer sync` again later to read the claims that could not be read.")
