"""The run folder: screenshots per claim and step, failure evidence, summary.json and report.html."""

from __future__ import annotations

import html
import json
import re
from dataclasses import asdict, dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from safet_filer.ledger import State
from safet_filer.money import money_text
from safet_filer.private import make_file_private, make_private_dir, write_private_file


@dataclass
class ClaimRecord:
    """What happened to one claim in this run, for summary.json and report.html."""

    index: int
    order_id: str
    reason: str
    state: str = State.PENDING  # a claim's ledger State; a reply's or appeal's outcome (sent, refused, …)
    message: str = ""
    claim_id: str | None = None
    confirmed_by: str | None = None
    deadline: str | None = None
    screenshots: list[str] = field(default_factory=list)  # paths relative to the run folder
    evidence: list[str] = field(default_factory=list)  # failure.png, failure.html, failure.aria.yml, trace.zip
    reviewed: dict[str, Any] | None = None  # what the review page said would be filed
    refunded_amount: str | None = None  # what the buyer was refunded, from the claim list ("119.98"), and its currency
    currency: str | None = None
    # what the wizard saw at each step, in order (flows.claim_wizard.StepSeen as a dict): {"step", "heading",
    # "did": [actions], "matched": [{"role", "label" (the SiteLabels field), "name", "matched"}], "said": [texts]}
    steps_seen: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class FailureEvidence:
    """What is kept of the page where a claim failed; each part is None when it could not be taken."""

    screenshot: bytes | None = None  # the full page
    html: str | None = None
    aria: str | None = None  # Playwright's ARIA snapshot: every role and accessible name the page offers


class RunFolder:
    """One run's folder (mode 0700): `claims/<nn>-<order>/<step>.png`, `summary.json`, `log.jsonl`, `report.html`."""

    def __init__(self, runs_dir: Path, label: str = "run"):
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        self.run_id = f"{stamp}-{label}"
        path = runs_dir / self.run_id
        suffix = 1
        while path.exists():
            suffix += 1
            path = runs_dir / f"{self.run_id}-{suffix}"
        self.run_id = path.name
        make_private_dir(runs_dir)
        self.path = make_private_dir(path)
        self.log_file = self.path / "log.jsonl"

    def claim_dir(self, record: ClaimRecord) -> Path:
        safe_order = re.sub(r"[^0-9A-Za-z-]", "_", record.order_id)
        return make_private_dir(self.path / "claims" / f"{record.index + 1:03d}-{safe_order}")

    def screenshot(self, record: ClaimRecord, step: str, png: bytes) -> Path:
        """Keep the screenshot `png` taken after `step`, listed on the claim's record."""
        number = len(record.screenshots) + 1
        target = self.claim_dir(record) / f"{number:02d}-{re.sub(r'[^a-z0-9]+', '-', step.lower()).strip('-')}.png"
        write_private_file(target, png)
        record.screenshots.append(str(target.relative_to(self.path)))
        return target

    def keep_failure(self, record: ClaimRecord, evidence: FailureEvidence) -> None:
        """The screenshot, HTML and ARIA snapshot of the page where a claim failed, whichever could be taken."""
        kept = (
            ("failure.png", evidence.screenshot),
            ("failure.html", evidence.html),
            ("failure.aria.yml", evidence.aria),
        )
        for name, content in kept:
            if content is not None:
                target = self.claim_dir(record) / name
                write_private_file(target, content)
                record.evidence.append(str(target.relative_to(self.path)))

    def trace_path(self, record: ClaimRecord) -> Path:
        return self.claim_dir(record) / "trace.zip"

    def add_trace(self, record: ClaimRecord, *, filled_ahead: bytes | None = None) -> None:
        """List the claim's trace (written at trace_path) with its evidence, and `filled_ahead`, the trace of its
        fill ahead that failed, beside it."""
        ahead_path = self.claim_dir(record) / "trace-filled-ahead.zip"
        if filled_ahead is not None:
            write_private_file(ahead_path, filled_ahead)
        for path in (self.trace_path(record), ahead_path):
            if path.exists():
                make_file_private(path)
                record.evidence.append(str(path.relative_to(self.path)))

    def write(self, records: list[ClaimRecord], meta: dict[str, Any]) -> Path:
        """Write summary.json and report.html; returns the report's path."""
        summary = {**meta, "claims": [asdict(r) for r in records]}
        write_private_file(self.path / "summary.json", json.dumps(summary, indent=2))
        report = self.path / "report.html"
        write_private_file(report, render_report(records, meta))
        return report


_STATE_COLOURS: dict[str, str] = {
    State.FILED: "#1e7e34",
    State.ALREADY_FILED: "#2b6cb0",
    State.INELIGIBLE: "#6b7280",
    State.SKIPPED: "#92400e",
    State.READY: "#92400e",
    State.FAILED: "#b91c1c",
    State.UNKNOWN: "#b91c1c",
    State.SUBMITTING: "#b91c1c",
    State.PENDING: "#6b7280",
}


def _reviewed_html(reviewed: dict[str, Any] | None) -> str:
    """What the review page showed: the items table, the description and the documents."""
    if not reviewed:
        return ""
    esc = html.escape
    rows = "".join(
        "<tr>" + "".join(f"<td>{esc(str(i[k]))}</td>" for k in ("asin", "quantity", "reason", "sub_reason")) + "</tr>"
        for i in reviewed["items"]
    )
    documents = ", ".join(reviewed["documents"]) or "—"
    return f"""<details class="reviewed"><summary>As the review page showed it</summary>
  <table><tr><th>ASIN</th><th>Quantity</th><th>Claim reason</th><th>Sub-reason</th></tr>{rows}</table>
  <p><b>Description:</b> {esc(reviewed["description"])}</p>
  <p><b>Tracking ID:</b> {esc(reviewed["tracking_id"] or "—")} · <b>Documents:</b> {esc(documents)}</p>
</details>"""


def _money(amount: str | None, currency: str | None) -> str:
    return money_text(None if amount is None else Decimal(amount), currency)


def _totals_html(records: list[ClaimRecord]) -> str:
    """Refunded per currency: of every claim of the run, and of those filed in it."""
    every: dict[str, Decimal] = {}
    filed: dict[str, Decimal] = {}
    for r in records:
        if r.refunded_amount is None or not r.currency:
            continue
        every[r.currency] = every.get(r.currency, Decimal(0)) + Decimal(r.refunded_amount)
        if r.state == State.FILED:
            filed[r.currency] = filed.get(r.currency, Decimal(0)) + Decimal(r.refunded_amount)
    if not every:
        return ""

    def shown(totals: dict[str, Decimal]) -> str:
        return ", ".join(money_text(amount, code) for code, amount in sorted(totals.items())) or "nothing"

    return (
        f'<p class="money">Refunded to buyers: {html.escape(shown(every))} in these claims; '
        f"{html.escape(shown(filed))} in the claims filed in this run.</p>"
    )


def _steps_seen_html(steps: list[dict[str, Any]], *, open_: bool) -> str:
    """Per step: the page's heading, what the flow did, each element it looked for with what matched, what the site
    said. After a rehearsal on a site the tool has not met, this is what a maintainer reads first."""
    if not steps:
        return ""
    esc = html.escape

    def found(match: dict[str, Any]) -> str:
        label = f' <span class="label">{esc(str(match["label"]))}</span>' if match.get("label") else ""
        matched = match.get("matched")
        shown = f" → '{esc(str(matched))}'" if matched else " → (no name of its own: found in its row)"
        return f"<li>{esc(str(match.get('role', '')))} '{esc(str(match.get('name', '')))}'{label}{shown}</li>"

    rows = []
    for seen in steps:
        matches = "".join(found(m) for m in seen.get("matched") or [])
        rows.append(
            f"<tr><td>{esc(str(seen.get('step', '')))}</td><td>{esc(str(seen.get('heading') or '—'))}</td>"
            f"<td>{esc('; '.join(seen.get('did') or [])) or '—'}</td>"
            f"<td><ul>{matches or '<li>nothing looked for</li>'}</ul></td>"
            f"<td>{esc(' '.join(seen.get('said') or [])) or '—'}</td></tr>"
        )
    return f"""<details class="steps"{" open" if open_ else ""}><summary>What each step found</summary>
  <table><tr><th>Step</th><th>Heading</th><th>Did</th><th>Looked for → found</th><th>The site said</th></tr>{"".join(rows)}</table>
</details>"""


def render_report(records: list[ClaimRecord], meta: dict[str, Any]) -> str:
    esc = html.escape
    counts: dict[str, int] = {}
    for r in records:
        counts[r.state] = counts.get(r.state, 0) + 1
    tally = " · ".join(f"{n} {state.replace('_', ' ')}" for state, n in sorted(counts.items()))
    rehearsal = str(meta.get("mode", "")).startswith("rehearsal")  # first contact with a site: show what was found
    rows = []
    for r in records:
        shots = "".join(
            f'<a href="{esc(s)}" title="{esc(Path(s).stem)}"><img src="{esc(s)}" alt="{esc(Path(s).stem)}" loading="lazy">'
            f"<span>{esc(Path(s).stem[3:].replace('-', ' '))}</span></a>"
            for s in r.screenshots
        )
        evidence = "".join(f'<a class="ev" href="{esc(e)}">{esc(Path(e).name)}</a>' for e in r.evidence)
        colour = _STATE_COLOURS.get(r.state, "#374151")
        rows.append(
            f"""<section class="claim" id="claim-{r.index}">
  <header><span class="state" style="background:{colour}">{esc(r.state.replace("_", " "))}</span>
  <h2>Order {esc(r.order_id)}</h2><span class="reason">claims[{r.index}]</span><span class="reason">{esc(r.reason.replace("_", " "))}</span></header>
  <dl>
    <dt>SAFE-T claim ID</dt><dd>{esc(r.claim_id or "—")}</dd>
    <dt>Deadline</dt><dd>{esc(r.deadline or "—")}</dd>
    <dt>Refunded</dt><dd>{esc(_money(r.refunded_amount, r.currency))}</dd>
    <dt>Confirmed by</dt><dd>{esc(r.confirmed_by or "—")}</dd>
    <dt>Message</dt><dd>{esc(r.message or "—")}</dd>
  </dl>
  {_reviewed_html(r.reviewed)}
  {_steps_seen_html(r.steps_seen, open_=rehearsal or r.state in (State.FAILED, State.UNKNOWN))}
  {f'<p class="evidence">Failure evidence: {evidence}</p>' if evidence else ""}
  <div class="shots">{shots or '<p class="none">No screenshots.</p>'}</div>
</section>"""
        )
    title = f"safet-filer run {meta.get('run_id', '')}"
    facts = " · ".join(
        esc(str(v)) for v in (meta.get("mode"), meta.get("site"), meta.get("claims_file"), meta.get("finished_at")) if v
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{esc(title)}</title>
<style>
body{{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;background:#f3f4f6;color:#111827}}
main{{max-width:1100px;margin:0 auto;padding:24px}}
h1{{font-size:22px;margin:0 0 4px}} .facts{{color:#4b5563;margin:0 0 4px}} .tally{{font-weight:600;margin:0 0 20px}}
.money{{margin:-14px 0 20px;color:#374151}}
.claim{{background:#fff;border:1px solid #e5e7eb;border-radius:8px;padding:16px 20px;margin:0 0 16px}}
.claim header{{display:flex;gap:12px;align-items:center}} .claim h2{{font-size:17px;margin:0}}
.state{{color:#fff;border-radius:999px;padding:2px 10px;font-size:12px;text-transform:uppercase;letter-spacing:.03em}}
.reason{{color:#4b5563}}
dl{{display:grid;grid-template-columns:140px 1fr;gap:2px 12px;margin:12px 0}} dt{{color:#6b7280}} dd{{margin:0}}
.shots{{display:flex;flex-wrap:wrap;gap:10px}} .shots a{{display:flex;flex-direction:column;align-items:center;
text-decoration:none;color:#374151;font-size:12px}}
.shots img{{width:180px;height:120px;object-fit:cover;object-position:top;border:1px solid #d1d5db;border-radius:4px}}
.evidence .ev{{margin-right:10px}} .none{{color:#9ca3af}}
.reviewed{{margin:0 0 12px}} .reviewed summary{{cursor:pointer;color:#374151}}
.reviewed table{{border-collapse:collapse;margin:8px 0}}
.reviewed td,.reviewed th{{border:1px solid #e5e7eb;padding:3px 8px;text-align:left}}
.steps{{margin:0 0 12px}} .steps summary{{cursor:pointer;color:#374151}} .steps table{{border-collapse:collapse;margin:8px 0}}
.steps td,.steps th{{border:1px solid #e5e7eb;padding:3px 8px;text-align:left;vertical-align:top}}
.steps ul{{margin:0;padding-left:16px}} .steps .missing{{color:#b91c1c}} .steps .label{{color:#6b7280;font-size:12px}}
</style></head>
<body><main>
<h1>{esc(title)}</h1>
<p class="facts">{facts}</p>
<p class="tally">{len(records)} claim{"" if len(records) == 1 else "s"}: {esc(tally) or "none"}</p>
{_totals_html(records)}
{"".join(rows)}
</main></body></html>
"""
