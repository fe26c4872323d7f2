"""The wizard's next move: from the page's state, the claim and what was done so far, one action (or a failure that
says what the page lacks). Pure, so that every decision is tested without a browser: page states in, actions out.

The page asks, the claim answers: a chooser of the fulfillment channel is answered with the SAFE-T channel, an order
box with the order ID, rows of items with the claim's quantities and reasons, an upload with the files, a
description box with the description; when the page asks for nothing more, Next. The order of the steps, a step
split in two or two steps in one do not matter, since each decision reads only what the page shows now.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from safet_filer.flows.aria import contains_name, same_name
from safet_filer.flows.labels import SiteLabels
from safet_filer.flows.wizard import RefundedItem
from safet_filer.flows.wizard_state import ItemRow, PageState


@dataclass(frozen=True)
class Plan:
    """What the claim puts into the wizard, in the site's words."""

    order_id: str
    reason: str  # the reason's option text
    sub_reason: str | None  # the sub-reason's option text, where the reason has them
    description: str
    tracking_id: str | None


@dataclass
class Progress:
    """What this fill has done that the page may not show: the check pressed, the items chosen, the files sent."""

    checked: bool = False  # Check eligibility was pressed for the claim's order
    quantities: dict[str, int] | None = None  # ASIN -> units, chosen once the page offered its items
    uploaded: tuple[str, ...] | None = None  # the file names chosen for upload
    acted_on: list[PageState] = field(default_factory=list)  # every state an action was taken on


# -- actions -----------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ChooseChannel:
    words: tuple[str, ...]  # an option containing any of these


@dataclass(frozen=True)
class EnterOrder:
    order_id: str


@dataclass(frozen=True)
class CheckEligibility:
    pass


@dataclass(frozen=True)
class ReportRefusal:
    text: str


@dataclass(frozen=True)
class ReadItems:
    """The page offers these items: the claim decides which to claim (no page action)."""

    items: tuple[RefundedItem, ...]
    unknown_claimable: tuple[str, ...]  # ASINs whose claimable units only the Quantity box's maximum tells


@dataclass(frozen=True)
class SelectItems:
    quantities: dict[str, int]  # include exactly these rows, each with its quantity; leave the others out


@dataclass(frozen=True)
class ChooseReason:
    asin: str
    label: str  # "claim_reason" or "claim_sub_reason": which of the row's boxes
    option: str


@dataclass(frozen=True)
class Upload:
    pass


@dataclass(frozen=True)
class Describe:
    description: str | None  # None: the box already holds it, or the page shows none
    tracking_id: str | None


@dataclass(frozen=True)
class PressNext:
    pass


@dataclass(frozen=True)
class ReachedReview:
    pass


@dataclass(frozen=True)
class Fail:
    """The page does not offer what the claim needs. With `role`, the element looked for and not found."""

    step: str
    why: str
    role: str | None = None
    name: str = ""
    label: str | None = None  # the SiteLabels field of `name`


Action = (
    ChooseChannel
    | EnterOrder
    | CheckEligibility
    | ReportRefusal
    | ReadItems
    | SelectItems
    | ChooseReason
    | Upload
    | Describe
    | PressNext
    | ReachedReview
    | Fail
)


def decide(state: PageState, plan: Plan, progress: Progress, labels: SiteLabels) -> Action:
    """The one thing to do next on a page that has settled (not busy)."""
    lab = labels
    if state.submit or state.policy:
        return ReachedReview()
    if state in progress.acted_on:
        return Fail(
            state.step, "the page came back to a state it showed before, so the wizard is going round in a loop"
        )
    if state.channel and not any(contains_name(state.channel.value, w) for w in lab.channel_options):
        return ChooseChannel(lab.channel_options)
    if state.order_box and not progress.checked:
        if " ".join(state.order_box.value.split()) != plan.order_id:
            return EnterOrder(plan.order_id)
        if state.check:
            return CheckEligibility()
        if not (state.next and not state.next.disabled):
            return Fail("check eligibility", "", "button", lab.check_eligibility, "check_eligibility")
    if state.refusal and progress.checked:
        return ReportRefusal(state.refusal)
    if state.rows:
        work = _rows_work(state.rows, plan, progress)
        if work:
            return work
    if state.upload and progress.uploaded is None:
        return Upload()
    if state.upload and progress.uploaded:
        missing = [f for f in progress.uploaded if not any(f in shown for shown in state.files_shown)]
        if missing:
            why = f"the site refused {missing[0]}: {' '.join(state.alerts)}" if state.alerts else ""
            return Fail("add evidence", why or f"the page does not list {', '.join(missing)} after uploading it")
    describe = _describe(state, plan)
    if describe:
        return describe
    if state.alerts:  # the site says something is wrong here: never press on past it
        step = "check eligibility" if progress.checked and progress.quantities is None else state.doing
        return Fail(step, f"the site answered: {' '.join(state.alerts)}")
    if state.next and not state.next.disabled:
        return PressNext()
    return _stuck(state, progress, lab)


def _rows_work(rows: tuple[ItemRow, ...], plan: Plan, progress: Progress) -> Action | None:
    if progress.quantities is None:
        if not any(r.include or r.quantity for r in rows):
            return None  # rows of another step (reasons) before any items: nothing to choose from
        offered = tuple(RefundedItem(r.asin, r.title, r.claimable or 0) for r in rows if r.include or r.quantity)
        unknown = tuple(r.asin for r in rows if r.claimable is None and (r.include or r.quantity))
        return ReadItems(offered, unknown)
    wanted = progress.quantities
    for row in rows:
        if row.include and row.include.checked != (row.asin in wanted) and not row.include.disabled:
            return SelectItems(wanted)
        if row.asin in wanted and row.quantity and row.quantity.value.strip() != str(wanted[row.asin]):
            return SelectItems(wanted)
    for row in rows:
        if row.asin not in wanted and row.role != "page":
            continue
        if row.reason and not same_name(row.reason.value, plan.reason):
            return ChooseReason(row.asin, "claim_reason", plan.reason)
        if row.sub_reason and plan.sub_reason and not same_name(row.sub_reason.value, plan.sub_reason):
            return ChooseReason(row.asin, "claim_sub_reason", plan.sub_reason)
    return None


def _describe(state: PageState, plan: Plan) -> Describe | None:
    def differs(shown: str, wanted: str) -> bool:
        return " ".join(shown.split()) != " ".join(wanted.split())

    description = plan.description if state.description and differs(state.description.value, plan.description) else None
    tracking = (
        plan.tracking_id
        if state.tracking and plan.tracking_id and differs(state.tracking.value, plan.tracking_id)
        else None
    )
    return Describe(description, tracking) if description is not None or tracking is not None else None


def _stuck(state: PageState, progress: Progress, lab: SiteLabels) -> Fail:
    """Nothing left that the claim can give, and no enabled Next: say what the page lacks."""
    step = state.doing
    if state.blank:
        return Fail("open the wizard", "", "textbox", lab.order_id_box, "order_id_box")
    if not state.next:
        if not progress.checked and not state.order_box:
            return Fail("enter the order", "", "textbox", lab.order_id_box, "order_id_box")
        return Fail(step, "", "button", lab.next, "next")
    plural = {"textbox": "text boxes", "combobox": "drop-downs", "checkbox": "checkboxes"}
    shown = "; ".join(f"{words}: {', '.join(state.names_of(r))}" for r, words in plural.items() if state.names_of(r))
    return Fail(step, f"{lab.next} stays disabled and the page asks for nothing the claim gives ({shown or 'nothing'})")
