"""report.html: what each step of the wizard found, per claim, for a maintainer meeting a new site (`--rehearse`)."""

from __future__ import annotations

from dataclasses import asdict
from html.parser import HTMLParser

from safet_filer.flows.claim_wizard import Match, StepSeen
from safet_filer.ledger import State
from safet_filer.report import ClaimRecord, render_report

REHEARSAL = {"run_id": "20260101-000000-rehearse", "mode": "rehearsal, no submit", "site": "https://example.test"}
# As the course records them: the wizard's own StepSeen, as a dict (so a change of its shape shows here).
STEPS = [
    asdict(
        StepSeen(
            "order",
            heading="Identify the order",
            did=["typed the order ID", "pressed Check eligibility"],
            matched=[
                Match("textbox", "order_id_box", "Order ID", "Order ID"),
                Match("button", "check_eligibility", "Check eligibility", "Check Eligibility"),
            ],
            said=["This order is eligible for a SAFE-T claim."],
        )
    ),
    asdict(StepSeen("items", matched=[Match("checkbox", "include_item", "Include item", "")])),
]


class Steps(HTMLParser):
    """The rows of the "What each step found" table, as cell texts, and whether its details start open."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self.open = False
        self._in_steps = False
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "details" and ("class", "steps") in attrs:
            self._in_steps, self.open = True, any(name == "open" for name, _ in attrs)
        elif self._in_steps and tag == "tr":
            self.rows.append([])
        elif self._in_steps and tag == "td":
            self._cell = []
        elif tag == "li" and self._cell:
            self._cell.append("; ")  # one element looked for per item

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self._cell is not None:
            self.rows[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "details":
            self._in_steps = False

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def steps_table(page: str) -> Steps:
    parser = Steps()
    parser.feed(page)
    return parser


def test_a_rehearsal_shows_each_step_with_what_the_flow_did_and_each_element_it_found():
    record = ClaimRecord(0, "113-4000001-1000001", "damaged", state=State.READY, steps_seen=STEPS)
    table = steps_table(render_report([record], REHEARSAL))
    assert table.open  # a rehearsal is the first contact with a site: the findings are shown, not folded
    assert [row for row in table.rows if row] == [
        [
            "order",
            "Identify the order",
            "typed the order ID; pressed Check eligibility",
            "textbox 'Order ID' order_id_box → 'Order ID'; "
            "button 'Check eligibility' check_eligibility → 'Check Eligibility'",
            "This order is eligible for a SAFE-T claim.",
        ],
        ["items", "—", "—", "checkbox 'Include item' include_item → (no name of its own: found in its row)", "—"],
    ]


def test_a_filing_run_folds_the_findings_of_a_filed_claim_and_opens_those_of_a_failed_one():
    filed = ClaimRecord(0, "113-4000001-1000001", "damaged", state=State.FILED, steps_seen=STEPS)
    failed = ClaimRecord(1, "113-4000002-1000002", "damaged", state=State.FAILED, steps_seen=STEPS)
    meta = {**REHEARSAL, "mode": "filing"}
    assert not steps_table(render_report([filed], meta)).open
    assert steps_table(render_report([failed], meta)).open


def test_a_claim_without_findings_shows_no_steps_table():
    page = render_report([ClaimRecord(0, "113-4000001-1000001", "damaged")], REHEARSAL)
    assert "What each step found" not in page
    assert steps_table(page).rows == []
