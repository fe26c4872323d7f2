"""Reading the wizard's state from an ARIA snapshot, without a browser: snapshots written by hand, as Playwright's
`aria_snapshot()` renders pages of other shapes than the mock's."""

from __future__ import annotations

from safet_filer.flows.aria import parse_snapshot
from safet_filer.flows.labels import labels_for
from safet_filer.flows.wizard_read import read_review, result_ids
from safet_filer.flows.wizard_state import recognise

LABELS = labels_for("en")


def state_of(yaml: str, notices: tuple[str, ...] = ()):
    return recognise(parse_snapshot(yaml), LABELS, notices)


def test_a_site_wide_notice_is_never_the_steps_answer():
    page = """
- banner:
  - alert: "Scheduled maintenance on Sunday: some pages may be slow."
- main:
  - alert: Policy update for sellers
  - textbox "Order ID": 113-1000003-0000003
  - button "Check Eligibility"
  - alert: We could not find this order ID.
"""
    state = state_of(page, notices=("Policy update for sellers",))  # shown before anything was typed
    assert state.alerts == ("We could not find this order ID.",)
    assert state.refusal == "We could not find this order ID."
    assert state.check is not None and state.check.name == "Check Eligibility"  # any case


def test_rows_of_a_list_with_labelled_numbers_and_unnamed_controls():
    page = """
- main:
  - list "Refunded items":
    - listitem:
      - text: "ASIN: B0SAFET031"
      - text: Bamboo board
      - text: "Refunded: 3"
      - text: "Already claimed: 1"
      - checkbox [checked]
      - spinbutton: "2"
    - listitem:
      - text: "ASIN: B0SAFET032"
      - text: "up to 4"
      - checkbox
      - spinbutton [disabled]: "1"
  - button "Next" [disabled]
"""
    rows = state_of(page).rows
    assert [(r.asin, r.claimable) for r in rows] == [("B0SAFET031", 2), ("B0SAFET032", 4)]
    assert rows[0].include is not None and rows[0].include.checked and rows[0].include.name == ""
    assert rows[0].quantity is not None and rows[0].quantity.value == "2"
    assert rows[1].quantity is not None and rows[1].quantity.disabled


def test_native_and_custom_reason_boxes_in_rows_and_their_choice():
    page = """
- main:
  - table "Claim reasons":
    - row "ASIN Title Claim reason":
      - columnheader "ASIN"
      - columnheader "Title"
      - columnheader "Claim reason"
    - row "B0SAFET031 Board":
      - cell "B0SAFET031"
      - cell "Board"
      - cell:
        - combobox "Claim reason":
          - option "Select a claim reason"
          - option "Item returned damaged or used" [selected]
    - row "B0SAFET033 Stone":
      - cell "B0SAFET033"
      - cell "Stone"
      - cell:
        - combobox "claim reason": Select a claim reason
  - status: Uploading…
"""
    state = state_of(page)
    first, second = state.rows
    assert first.reason is not None and first.reason.value == "Item returned damaged or used"
    assert first.reason.options == ("Select a claim reason", "Item returned damaged or used")
    assert second.reason is not None and (second.reason.value, second.reason.options) == ("Select a claim reason", ())
    assert (first.include, first.quantity) == (None, None)
    assert state.busy == "Uploading…" and state.step == "reasons"


def test_a_review_of_terms_and_definitions():
    page = """
- main:
  - region "Claim summary":
    - heading "Claim summary" [level=3]
    - term: Order ID
    - definition: 113-1000003-0000003
    - term: Description
    - definition: "Split in two: see photos."
    - term: Tracking ID
    - definition: —
    - term: Supporting documents
    - definition: front.jpg, label.png
  - region "Claim items":
    - list:
      - listitem:
        - term: ASIN
        - definition: B0SAFET031
        - term: Quantity
        - definition: "2"
        - term: Claim reason
        - definition: Item returned damaged or used
        - term: Claim sub-reason
        - definition: —
  - checkbox "I have read and agree to the SAFE-T claim policy"
  - button "Submit SAFE-T claim" [disabled]
"""
    tree = parse_snapshot(page)
    review = read_review(tree, LABELS)
    assert review is not None
    assert (review.order_id, review.description, review.documents) == (
        "113-1000003-0000003",
        "Split in two: see photos.",
        ["front.jpg", "label.png"],
    )
    assert [(i.asin, i.quantity, i.reason) for i in review.items] == [
        ("B0SAFET031", "2", "Item returned damaged or used")
    ]
    assert recognise(tree, LABELS).step == "review"


def test_the_result_id_is_the_one_beside_the_heading_and_the_one_in_the_address():
    page = """
- main:
  - list "Recent claims":
    - listitem: "SAFE-T claim ID: 99999-11111-2222222"
  - heading "SAFE-T claim submitted" [level=1]
  - paragraph: "SAFE-T claim ID: 12345-67890-1234567"
  - heading "Messages" [level=2]
  - paragraph: "Earlier: SAFE-T claim ID: 88888-11111-2222222"
"""
    tree = parse_snapshot(page)
    assert result_ids(tree, "/safet-claims/claim/12345-67890-1234567", LABELS) == (
        "12345-67890-1234567",
        "12345-67890-1234567",
    )
    assert result_ids(tree, "/safet-claims/create-v2", LABELS) == ("12345-67890-1234567", None)


def test_names_quoted_in_every_way_the_snapshot_writes_them():
    page = """
- main:
  - 'cell "Claim 9: it''s \\"fine\\""'
  - "button \\"Remove a: b.png\\""
  - textbox "Description": "Line one: two"
"""
    tree = parse_snapshot(page)
    assert [(n.role, n.name, n.value) for n in tree.walk()][2:] == [
        ("cell", 'Claim 9: it\'s "fine"', None),
        ("button", "Remove a: b.png", None),
        ("textbox", "Description", "Line one: two"),
    ]
