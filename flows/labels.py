"""Every word the flows look for on Seller Central, per language, so another marketplace is a table, not a rewrite.

Names come from ../shared/reference/seller-central-safet.md and docs/site-interface.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field


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


def labels_for(language: str) -> SiteLabels:
    """The labels of a site language; English until another table is added here."""
    return LABELS.get(language, LABELS["en"])
