"""A claim as the wizard takes it (`WizardClaim`): its fields, and its own rules asked at the moment the wizard
needs them (which of the offered items to claim, its evidence files checked again just before upload).
"""

from __future__ import annotations

import stat
from pathlib import Path

from safet_filer.claims import CheckedClaim, Claim
from safet_filer.flows.claim_wizard import WizardClaim
from safet_filer.flows.wizard import RefundedItem


class ClaimProblem(Exception):
    """The claim cannot be filed as written (the site's items disagree with it); retrying will not help."""


def wizard_claim(checked: CheckedClaim) -> WizardClaim:
    """What `checked` (a valid claim) puts into the wizard."""
    claim = checked.claim
    assert claim is not None, "only a valid claim is filed"
    return WizardClaim(
        order_id=checked.order_id,
        reason=claim.reason.code,
        sub_reason=claim.sub_reason_to_file,
        description=claim.description,
        tracking_id=claim.tracking_id_to_file,
        choose_items=lambda offered: quantities(claim, offered),
        attachments=lambda: attachments_still_files(checked),
    )


def quantities(claim: Claim, offered_items: tuple[RefundedItem, ...]) -> dict[str, int]:
    """What to claim per ASIN: the claim's items, or every unit still claimable when it lists none."""
    offered = {item.asin: item.claimable for item in offered_items}
    if claim.items is None:
        wanted = {asin: n for asin, n in offered.items() if n > 0}
        if not wanted:
            raise ClaimProblem("Seller Central lists nothing left to claim on this order (every unit is claimed).")
        return wanted
    wanted = {item.asin: item.quantity for item in claim.items}
    for asin, quantity in wanted.items():
        if asin not in offered:
            raise ClaimProblem(
                f"items: ASIN {asin} is not among this order's refunded items on Seller Central "
                f"({', '.join(offered) or 'none'}). Correct the claim's items."
            )
        if quantity > offered[asin]:
            raise ClaimProblem(
                f"items: the claim asks for {quantity} unit(s) of {asin}, but Seller Central allows "
                f"{offered[asin]} (refunded minus already claimed). Lower the quantity."
            )
    return wanted


def attachments_still_files(checked: CheckedClaim) -> list[Path]:
    """The attachments, checked again just before upload: each must still be a regular file."""
    for where, path in enumerate(checked.attachment_paths):
        try:
            regular = stat.S_ISREG(path.stat().st_mode)
        except OSError as exc:
            raise ClaimProblem(f"attachments[{where}]: {path} cannot be read any more ({exc.strerror}).") from None
        if not regular:
            raise ClaimProblem(f"attachments[{where}]: {path} is no longer a regular file; nothing was uploaded.")
    return checked.attachment_paths
