"""What the wizard's review and result pages say, read off the page's accessibility tree: the summary and items
about to be filed (tables of rows, or terms and their definitions), and the new claim's own SAFE-T claim ID.

Pure: it reads a tree (flows.aria); it never touches a browser.
"""

from __future__ import annotations

import re

from safet_filer.flows.aria import Node, contains_name, lookup, same_name, spaced
from safet_filer.flows.labels import SiteLabels
from safet_filer.flows.wizard import CLAIM_ID, CLAIM_PATH, Review, ReviewedItem
from safet_filer.flows.wizard_state import AROUND, CELL_ROLES


def read_review(tree: Node, labels: SiteLabels) -> Review | None:
    """What the review step says will be filed (summary as table rows or as terms and definitions), or None when
    the page shows no summary named as the labels say."""
    lab = labels
    summary_node = _named_part(tree, lab.summary_table)
    if summary_node is None:
        return None
    summary = _pairs(summary_node)
    items_node = _named_part(tree, lab.review_items_table)
    records = _records(items_node) if items_node else []
    documents = lookup(summary, lab.summary_documents)
    return Review(
        order_id=lookup(summary, lab.summary_order_id),
        description=lookup(summary, lab.summary_description),
        tracking_id=lookup(summary, lab.summary_tracking_id),
        documents=[d.strip() for d in documents.split(",") if d.strip() and d.strip() != lab.none_shown],
        items=[
            ReviewedItem(
                asin=lookup(r, lab.col_asin),
                quantity=lookup(r, lab.col_quantity),
                reason=lookup(r, lab.col_claim_reason),
                sub_reason=lookup(r, lab.col_claim_sub_reason),
            )
            for r in records
        ],
    )


def result_ids(tree: Node, path: str, labels: SiteLabels) -> tuple[str | None, str | None]:
    """The new claim's ID as the result's own heading or message says it ("SAFE-T claim ID: …" next to the heading
    "SAFE-T claim submitted"), and as the address says it (/safet-claims/claim/<id>); each None when not shown.
    Never any other ID on the page: a list of recent claims shows other claims' IDs."""
    from_message = None
    for parent in tree.walk():
        for i, child in enumerate(parent.children):
            if child.role == "heading" and contains_name(child.name, labels.submitted_heading):
                near = [child.name]
                for sibling in parent.children[i + 1 :]:
                    if sibling.role == "heading":
                        break
                    near.append(sibling.text())
                for text in near:
                    found = re.search(rf"{re.escape(labels.result_claim_id)}\W*({CLAIM_ID.pattern})", text, re.I)
                    if found and from_message is None:
                        from_message = found.group(1)
    at = re.search(rf"{re.escape(CLAIM_PATH)}({CLAIM_ID.pattern})", path)
    return from_message, at.group(1) if at else None


def _named_part(tree: Node, name: str) -> Node | None:
    return next(
        (
            n
            for n in tree.walk(skip=AROUND)
            if n.role in ("table", "grid", "region", "list") and same_name(n.name, name)
        ),
        None,
    )


def _pairs(node: Node) -> dict[str, str]:
    """Label -> value: rows of (row header, cell), or terms each followed by its definition."""
    pairs: dict[str, str] = {}
    for row in node.all("row"):
        keys = [c for c in row.children if c.role == "rowheader"]
        values = [c for c in row.children if c.role in ("cell", "gridcell")]
        if keys and values:
            pairs[spaced(keys[0].text())] = spaced(values[0].text())
    term = None
    for n in node.walk():
        if n.role == "term":
            term = spaced(n.text())
        elif n.role == "definition" and term is not None:
            pairs[term] = spaced(n.text())
            term = None
    return pairs


def _records(node: Node) -> list[dict[str, str]]:
    """One {column: value} per item: table or grid rows under column headers, or list items of terms."""
    headers = [spaced(h.text()) for h in node.all("columnheader")]
    records = []
    for row in node.all("row"):
        cells = [spaced(c.text()) for c in row.children if c.role in CELL_ROLES]
        if cells and headers:
            records.append(dict(zip(headers, cells, strict=False)))
    if not records:
        records = [pairs for item in node.all("listitem") if (pairs := _pairs(item))]
    return records
