"""Where the SAFE-T wizard is, from what the page shows: a `PageState` recognised in the page's accessibility tree
by role and accessible name, whatever the steps' order, markup or layout.

Pure: it reads a tree (flows.aria) and knows the site's words (SiteLabels); it never touches a browser.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from safet_filer.flows.aria import LANDMARKS_AROUND, Node, contains_name, lookup, same_name, spaced
from safet_filer.flows.labels import SiteLabels
from safet_filer.flows.wizard import EligibilityAnswer, number_in

AROUND = (*LANDMARKS_AROUND, "dialog")  # the site's frame and announcements: never a step's content or answer
ROW_ROLES = ("row", "listitem")
CELL_ROLES = ("cell", "gridcell", "rowheader")
ROW_CONTROLS = ("checkbox", "spinbutton", "combobox")
INPUT_ROLES = ("textbox", "combobox", "spinbutton", "searchbox")
ASIN_MIXED = re.compile(r"\b(?=[A-Z0-9]*\d)(?=[A-Z0-9]*[A-Z])[A-Z0-9]{10}\b")
ASIN_DIGITS = re.compile(r"\b\d{9}[\dX]\b")  # books: the ISBN-10 is the ASIN
DOING = {  # each kind of step, as what the flow was doing there ("Could not add evidence: …")
    "channel": "choose the fulfillment channel",
    "order": "enter the order",
    "eligibility": "check eligibility",
    "items": "select items",
    "reasons": "choose reasons",
    "evidence": "add evidence",
    "description": "describe the claim",
    "review": "review",
    "result": "read the result",
    "step": "fill the wizard",
}
FILE_NAME = re.compile(r"\.(?:jpe?g|png|gif|pdf|heic|webp|tiff?)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Control:
    """A control as the page shows it: role, accessible name ('' when it has none), value or choice, states."""

    role: str
    name: str
    value: str = ""  # a text box's text, a spin button's number, a combobox's choice
    checked: bool = False
    disabled: bool = False
    options: tuple[str, ...] = ()  # a native select's options (a custom drop-down shows them only when open)


@dataclass(frozen=True)
class ItemRow:
    """One row of an order's items (a table row, a grid row or a list item), known by the ASIN it shows."""

    role: str  # "page" for reason boxes outside any row: they speak for the whole claim
    asin: str  # "" for the page
    title: str
    claimable: int | None  # from the Refunded / Already claimed columns or an "up to N" cell; None: not shown
    include: Control | None = None
    quantity: Control | None = None
    reason: Control | None = None
    sub_reason: Control | None = None


@dataclass(frozen=True)
class PageState:
    """Everything the wizard's next move depends on, as the page shows it now (equal states: nothing changed)."""

    headings: tuple[str, ...] = ()  # the level-2 headings: a step's title, where the page shows one
    channel: Control | None = None  # the fulfillment-channel chooser (combobox or radiogroup) and its choice
    identifier: Control | None = None  # the "Order ID" radio of the Identifier group
    order_box: Control | None = None
    check: Control | None = None  # Check eligibility
    eligible: str = ""  # a status saying the order is eligible
    refusal: str = ""  # the step's alert when it is one of the site's eligibility refusals
    alerts: tuple[str, ...] = ()  # the step's alerts (never the site-wide notices around it)
    rows: tuple[ItemRow, ...] = ()
    upload: Control | None = None
    files_shown: tuple[str, ...] = ()  # texts naming uploaded files
    description: Control | None = None
    tracking: Control | None = None
    policy: Control | None = None
    submit: Control | None = None
    result: str = ""  # the result's heading, once the claim was submitted
    next: Control | None = None
    busy: str = ""  # a status saying the page is working ("Checking eligibility…")
    offered: tuple[tuple[str, tuple[str, ...]], ...] = ()  # role -> the names shown of it

    def names_of(self, role: str) -> list[str]:
        return next((list(names) for r, names in self.offered if r == role), [])

    @property
    def blank(self) -> bool:
        """Nothing to act on is shown yet (the page's script has not drawn the step)."""
        return not any(names for _, names in self.offered) and not self.rows and not self.result

    @property
    def step(self) -> str:
        """What kind of step this is, in the tool's words (for screenshots and the rehearsal's record)."""
        if self.result:
            return "result"
        if self.submit or self.policy:
            return "review"
        if self.channel:
            return "channel"
        if self.order_box:
            return "eligibility" if (self.eligible or self.refusal) else "order"
        if any(r.include or r.quantity for r in self.rows):
            return "items"
        if self.rows:
            return "reasons"
        if self.upload:
            return "evidence"
        if self.description:
            return "description"
        return "eligibility" if self.refusal else "step"

    @property
    def doing(self) -> str:
        """What the flow does on this kind of step, as words for a message ("add evidence")."""
        return DOING[self.step]


def recognise(tree: Node, labels: SiteLabels, notices: tuple[str, ...] = ()) -> PageState:
    """The state of the wizard shown in `tree`; `notices` are alert texts the page showed before the flow acted
    (site-wide banners), which are never taken as the site's answer."""
    lab = labels
    inside = [n for n in tree.walk(skip=AROUND) if n.role not in AROUND]
    alerts = tuple(t for t in (spaced(n.text()) for n in inside if n.role == "alert") if t and t not in notices)
    statuses = [spaced(n.text()) for n in inside if n.role == "status"]
    rows = tuple(_item_rows(tree, lab))
    loose = _loose_reasons(inside, rows, lab)
    return PageState(
        headings=tuple(n.name for n in inside if n.role == "heading" and "level=2" in n.states),
        channel=_chooser(inside, lab),
        identifier=_identifier(inside, lab),
        order_box=_control(inside, "textbox", lab.order_id_box),
        check=_control(inside, "button", lab.check_eligibility),
        eligible=next((s for s in statuses if contains_name(s, lab.eligible_status)), ""),
        refusal=next((a for a in alerts if refusal_of(a, lab)), ""),
        alerts=alerts,
        rows=rows + loose,
        upload=_control(inside, "button", lab.upload) or _control(inside, "textbox", lab.upload),
        files_shown=tuple(dict.fromkeys(t for t in _texts(inside) if FILE_NAME.search(t))),
        description=_control(inside, "textbox", lab.description),
        tracking=_control(inside, "textbox", lab.tracking_id),
        policy=_control(inside, "checkbox", lab.policy),
        submit=_control(inside, "button", lab.submit),
        result=next(
            (n.name for n in inside if n.role == "heading" and contains_name(n.name, lab.submitted_heading)), ""
        ),
        next=_control(inside, "button", lab.next),
        busy=next((s for s in statuses if s.endswith(("…", "..."))), "") or _progress(inside),
        offered=tuple((role, tuple(_names(inside, role))) for role in ("button", "textbox", "combobox", "checkbox")),
    )


def refusal_of(text: str, labels: SiteLabels) -> EligibilityAnswer | None:
    """Which of the site's eligibility refusals an alert's text is, if any."""
    for outcome, opening in (
        (EligibilityAnswer.CLAIM_EXISTS, labels.claim_exists),
        (EligibilityAnswer.NOT_ELIGIBLE, labels.not_eligible),
        (EligibilityAnswer.WINDOW_CLOSED, labels.window_closed),
        (EligibilityAnswer.TOO_EARLY, labels.too_early),
        (EligibilityAnswer.NOT_FOUND, labels.not_found),
    ):
        if contains_name(text, opening):
            return outcome
    return None


def alerts_around(tree: Node) -> tuple[str, ...]:
    """Every alert the page shows now, wherever it is: taken when a page loads, so that its notices are known."""
    return tuple(t for t in (spaced(n.text()) for n in tree.all("alert")) if t)


# -- recognising parts ----------------------------------------------------------------------------------------------
def _names(nodes: list[Node], role: str) -> list[str]:
    return list(dict.fromkeys(n.name for n in nodes if n.role == role and n.name))


def _texts(nodes: list[Node]) -> list[str]:
    texts = []
    for n in nodes:
        if n.role in INPUT_ROLES:
            continue
        texts += [t for t in (n.name, n.value if not n.children else None) if t]
    return texts


def _progress(nodes: list[Node]) -> str:
    return next((n.name or "working" for n in nodes if n.role == "progressbar"), "")


def _as_control(node: Node) -> Control:
    options = tuple(o.name for o in node.children if o.role == "option")
    chosen = next((o.name for o in node.children if o.role == "option" and "selected" in o.states), None)
    if node.role == "radiogroup":
        chosen = next((r.name for r in node.all("radio") if r.checked), "")
        options = tuple(r.name for r in node.all("radio"))
    return Control(
        role=node.role,
        name=node.name,
        value=spaced(chosen if chosen is not None else (node.value or "")),
        checked=node.checked,
        disabled=node.disabled,
        options=options,
    )


def _control(nodes: list[Node], role: str, name: str) -> Control | None:
    found = [n for n in nodes if n.role == role and same_name(n.name, name)]
    enabled = [n for n in found if not n.disabled]
    return _as_control((enabled or found)[-1]) if found else None


def _chooser(nodes: list[Node], lab: SiteLabels) -> Control | None:
    for role in ("combobox", "radiogroup"):
        control = _control(nodes, role, lab.channel)
        if control:
            return control
    for n in nodes:  # unnamed, yet offering the channel's option
        if n.role in ("combobox", "radiogroup"):
            control = _as_control(n)
            if any(contains_name(o, w) for o in control.options for w in lab.channel_options):
                return control
    return None


def _identifier(nodes: list[Node], lab: SiteLabels) -> Control | None:
    group = next((n for n in nodes if n.role == "radiogroup" and same_name(n.name, lab.identifier)), None)
    radio = group.first("radio", lab.order_id_radio) if group else None
    return _as_control(radio) if radio else None


def _item_rows(tree: Node, lab: SiteLabels) -> list[ItemRow]:
    rows: list[ItemRow] = []

    def visit(node: Node, headers: list[str]) -> None:
        if node.role in AROUND:
            return
        if node.role in ("table", "grid", "treegrid"):
            headers = [spaced(h.text()) for h in node.all("columnheader")]
        if node.role in ROW_ROLES and _has_controls(node) and not any(_is_row(c) for c in node.walk() if c is not node):
            row = _item_row(node, headers, lab)
            if row:
                rows.append(row)
            return
        for child in node.children:
            visit(child, headers)

    visit(tree, [])
    return rows


def _loose_reasons(nodes: list[Node], rows: tuple[ItemRow, ...], lab: SiteLabels) -> tuple[ItemRow, ...]:
    """Reason boxes outside any row (a step asking one reason for the whole claim), as a row of the page itself."""
    in_rows = sum(1 for r in rows for c in (r.reason, r.sub_reason) if c)
    boxes = [n for n in nodes if n.role == "combobox" and same_name(n.name, lab.claim_reason)]
    subs = [n for n in nodes if n.role == "combobox" and same_name(n.name, lab.claim_sub_reason)]
    if len(boxes) + len(subs) <= in_rows or not boxes:
        return ()
    return (
        ItemRow(
            "page",
            asin="",
            title="",
            claimable=None,
            reason=_as_control(boxes[-1]),
            sub_reason=_as_control(subs[-1]) if subs else None,
        ),
    )


def _has_controls(node: Node) -> bool:
    return any(n.role in ROW_CONTROLS for n in node.walk() if n is not node)


def _is_row(node: Node) -> bool:
    return node.role in ROW_ROLES and _has_controls(node)


def _item_row(node: Node, headers: list[str], lab: SiteLabels) -> ItemRow | None:
    cells = [c for c in node.children if c.role in CELL_ROLES]
    by_header = {h: spaced(c.text()) for h, c in zip(headers, cells, strict=False)} if cells else {}
    texts = [spaced(t) for t in _texts(list(node.walk()))]
    labelled = _labelled(texts)
    asin = lookup(by_header, lab.col_asin) or lookup(labelled, lab.col_asin)
    if not asin:
        joined = " ".join(texts)
        found = ASIN_MIXED.search(joined) or ASIN_DIGITS.search(joined)
        asin = found.group(0) if found else ""
    if not asin:
        return None
    return ItemRow(
        role=node.role,
        asin=asin,
        title=lookup(by_header, lab.col_title) or lookup(labelled, lab.col_title),
        claimable=_claimable({**labelled, **by_header}, " ".join(texts), lab),
        include=_row_control(node, "checkbox", lab.include_item, 0),
        quantity=_row_control(node, "spinbutton", lab.quantity, 0),
        reason=_row_control(node, "combobox", lab.claim_reason, 0),
        sub_reason=_row_control(node, "combobox", lab.claim_sub_reason, 1),
    )


def _labelled(texts: list[str]) -> dict[str, str]:
    """ "Refunded: 2" texts of a list item, as {"Refunded": "2"}."""
    return {m.group(1): m.group(2) for t in texts if (m := re.match(r"^([^:]{1,40}):\s*(.+)$", t))}


def _claimable(cells: dict[str, str], text: str, lab: SiteLabels) -> int | None:
    refunded = number_in(lookup(cells, lab.col_refunded))
    if refunded is not None:
        return max(refunded - (number_in(lookup(cells, lab.col_already_claimed)) or 0), 0)
    up_to = re.search(rf"{re.escape(lab.up_to)}\s+(\d[\d,]*)", text, re.IGNORECASE)
    return number_in(up_to.group(1)) if up_to else None


def _row_control(row: Node, role: str, name: str, place: int) -> Control | None:
    """The row's control of `role` named `name`; without names, the one at `place` among the row's unnamed ones."""
    found = row.all(role)
    named = [n for n in found if same_name(n.name, name)]
    if named:
        return _as_control(named[0])
    unnamed = [n for n in found if not n.name]
    return _as_control(unnamed[place]) if len(unnamed) > place else None
