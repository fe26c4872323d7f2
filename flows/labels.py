"""Every word the flows look for on Seller Central, per language, so another marketplace is a table, not a rewrite.

Names come from ../shared/reference/seller-central-safet.md and docs/site-interface.md.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any


@dataclass(frozen=True)
class SiteLabels:
    # any page
    close: str = "Close"
    restricted_heading: str = "Automated access restricted"
    # sign-in pages: their URL paths, and the boxes that only they show
    signin_paths: tuple[str, ...] = ("/ap/signin", "/ap/mfa", "/ap/cvf", "/ap/challenge")
    signin_boxes: tuple[str, ...] = ("Password", "Enter OTP", "Type characters")
    # dashboard
    new_claim: str = "File a new SAFE-T claim"
    search_box: str = "Search by Order ID, ASIN or SAFE-T claim ID"
    claims_table: str = "SAFE-T claims"
    col_claim_id: str = "SAFE-T claim ID"
    col_order_id: str = "Order ID"
    col_claim_date: str = "Claim date"
    col_status: str = "Status"
    col_reimbursement: str = "Reimbursement"
    no_claims: str = "No claims found"
    next_page: str = "Next page"
    # wizard, every step
    next: str = "Next"
    # step "Fulfillment channel" (some marketplaces): the chooser, and words of the option a SAFE-T claim takes
    # (the mock's "Seller fulfilled (Easy Ship, …)", the India capture's "Easy Ship/ Self Ship/ Seller Flex")
    channel: str = "Fulfillment channel"
    channel_options: tuple[str, ...] = ("Seller fulfilled", "Easy Ship")
    # step "Order"
    identifier: str = "Identifier"
    order_id_radio: str = "Order ID"
    order_id_box: str = "Order ID"
    check_eligibility: str = "Check eligibility"
    eligible_status: str = "This order is eligible for a SAFE-T claim"  # a positive answer shown as a status
    # step "Items"
    items_table: str = "Refunded items"
    col_asin: str = "ASIN"
    col_title: str = "Title"
    col_refunded: str = "Refunded"
    col_already_claimed: str = "Already claimed"
    up_to: str = "up to"  # a "Claimable" cell reading "up to 3"
    include_item: str = "Include item"
    quantity: str = "Quantity"
    # step "Reason"
    reasons_table: str = "Claim reasons"
    claim_reason: str = "Claim reason"
    claim_sub_reason: str = "Claim sub-reason"
    # step "Evidence"
    upload: str = "Upload supporting documents"
    uploaded_files: str = "Uploaded files"
    description: str = "Description"
    tracking_id: str = "Tracking ID"
    # step "Review"
    summary_table: str = "Claim summary"
    summary_order_id: str = "Order ID"
    summary_description: str = "Description"
    summary_tracking_id: str = "Tracking ID"
    summary_documents: str = "Supporting documents"
    review_items_table: str = "Claim items"
    col_quantity: str = "Quantity"
    col_claim_reason: str = "Claim reason"
    col_claim_sub_reason: str = "Claim sub-reason"
    policy: str = "I have read and agree to the SAFE-T claim policy"
    submit: str = "Submit SAFE-T claim"
    none_shown: str = "—"
    # result and claim pages
    submitted_heading: str = "SAFE-T claim submitted"
    result_claim_id: str = "SAFE-T claim ID"  # the result's own message: "SAFE-T claim ID: 12345-67890-1234567"
    claim_details_table: str = "Claim details"
    # claim page: its details (row headers), its message thread, and the Reply and Appeal forms
    detail_claim_id: str = "SAFE-T claim ID"
    detail_order_id: str = "Order ID"
    detail_status: str = "Claim status"
    detail_amount: str = "Reimbursement amount"
    detail_comment: str = "Amazon comment"
    detail_reply_by: str = "Reply by"
    detail_appeal_by: str = "Appeal by"
    messages_list: str = "Messages"
    message_type: str = "Type"
    message_date: str = "Date"
    message_text: str = "Message"
    message_documents: str = "Supporting documents"
    reply: str = "Reply"
    appeal: str = "Appeal"
    message_box: str = "Message"
    send: str = "Send"
    remove_file_prefix: str = "Remove "
    # eligibility answers, matched at the start of the alert text
    claim_exists: str = "A SAFE-T claim already exists for this order"
    not_eligible: str = "This order is not eligible for a SAFE-T claim"
    window_closed: str = "The SAFE-T claim window for this order closed"
    too_early: str = "This order cannot be claimed yet"
    not_found: str = "We could not find this order ID"
    # the site's visible text for each reason and sub-reason code (the codes come from safet_filer.claims.reasons)
    reasons: dict[str, str] = field(
        default_factory=lambda: {
            "ADMGD": "Item returned damaged or used",
            "MSNG": "Item returned with missing parts",
            "NOCOT": "Different item returned",
            "RNOTR": "Refunded, item not returned",
            "LBLOT": "Return label charged to seller",
            "RTOW": "Return accepted outside the return window",
            "REPRF": "Refunded after a replacement was sent",
            "DNOTR": "Buyer says not received, carrier shows delivered",
            "RSTK": "Restocking fee not applied",
        }
    )
    sub_reasons: dict[str, str] = field(default_factory=lambda: {"RNOTR-a": "No carrier scan of the return"})

    def reason_texts(self, reason_code: str, sub_reason_code: str | None) -> tuple[str, str | None]:
        """The options a claim chooses, as the site shows them: its reason's text and its sub-reason's (or None)."""
        return self.reasons[reason_code], self.sub_reasons[sub_reason_code] if sub_reason_code else None


LABELS: dict[str, SiteLabels] = {"en": SiteLabels()}
LABEL_NAMES: tuple[str, ...] = tuple(f.name for f in fields(SiteLabels))


def same_words(a: str, b: str) -> bool:
    """Whether two of the site's words are the same word, as the flows match names: regardless of case and of
    surrounding whitespace."""
    return a.strip().casefold() == b.strip().casefold()


def label_of(labels: SiteLabels, word: str) -> str | None:
    """The name of the first label whose word is `word` (the field a person may teach a new word for), if any."""
    words = ((name, getattr(labels, name)) for name in LABEL_NAMES)
    return next((name for name, value in words if isinstance(value, str) and same_words(value, word)), None)


def labels_for(language: str, overrides: Mapping[str, Any] | None = None) -> SiteLabels:
    """The labels of a site language (its table must exist: see `LABELS`), with the person's `overrides` over it:
    {label name: word}, a list of words for the tuple labels, {code: text} for `reasons` and `sub_reasons`
    (merged over the table's). ValueError, with a sentence, for an unknown name or a value of the wrong kind."""
    if language not in LABELS:
        raise ValueError(f"there is no labels table for the language {language!r} (known: {', '.join(LABELS)})")
    base = LABELS[language]
    checked = check_overrides(overrides or {}, base)
    merged: dict[str, Any] = {
        name: {**getattr(base, name), **value} if isinstance(value, dict) else value for name, value in checked.items()
    }
    return replace(base, **merged)


def check_overrides(overrides: Mapping[str, Any], base: SiteLabels = LABELS["en"]) -> dict[str, Any]:
    """The overrides as `SiteLabels` takes them: names (and reason codes) matched regardless of case and surrounding
    whitespace, words stripped. ValueError, with a sentence naming the label, when a name is unknown or a value is
    not of the label's kind."""
    checked: dict[str, Any] = {}
    for raw_name, value in overrides.items():
        name = _known(str(raw_name), LABEL_NAMES, "label")
        default = getattr(base, name)
        if isinstance(default, dict):
            checked[name] = _check_table(name, value, default)
        elif isinstance(default, tuple):
            words = [value] if isinstance(value, str) else value
            if not isinstance(words, list | tuple) or not words:
                raise ValueError(f"the label {name} takes a list of words, like {list(default)!r}")
            checked[name] = tuple(_word(f"{name}[{n}]", w) for n, w in enumerate(words))
        else:
            checked[name] = _word(name, value)
    return checked


def _check_table(name: str, value: Any, default: dict[str, str]) -> dict[str, str]:
    if not isinstance(value, Mapping):
        raise ValueError(f"the label {name} takes a table of codes and their texts, like [labels.{name}]")
    return {_known(str(code), tuple(default), f"{name} code"): _word(f"{name}.{code}", w) for code, w in value.items()}


def _word(where: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"the label {where} must be the page's word for it, not {value!r}")
    return value.strip()


def _known(given: str, names: tuple[str, ...], kind: str) -> str:
    """The one of `names` that `given` is, regardless of case and surrounding whitespace (a dash for an underscore:
    environment variables and hand-typed names differ there); ValueError with the close matches otherwise."""
    wanted = given.strip().casefold().replace("-", "_")
    for name in names:
        if name.casefold().replace("-", "_") == wanted:
            return name
    close = difflib.get_close_matches(wanted, [n.casefold() for n in names], n=3, cutoff=0.6)
    close_names = [n for n in names if n.casefold() in close]
    hint = f"did you mean {' or '.join(close_names)}? " if close_names else ""
    raise ValueError(f"there is no {kind} {given.strip()!r}; {hint}the known ones are: {', '.join(names)}")
