"""The fingerprint of a claim as it would be filed, so the ledger can tell the same claim from a changed one."""

from __future__ import annotations

import functools
import hashlib
import json
import os
from pathlib import Path

from safet_filer.claims.results import CheckedClaim


def fingerprint(checked: CheckedClaim) -> str:
    """sha256 (hex) of the claim as it would be filed: its fields as canonical JSON, each attachment by content.

    Item and attachment order do not change what is filed, so both are sorted; a tracking ID counts only
    for the reasons whose form asks for one.
    """
    claim = checked.claim
    if claim is None:
        raise ValueError(f"{checked.label} did not pass the checks; it has no fingerprint.")
    filed = {
        "order_id": claim.order_id,
        "reason": claim.reason.value,
        "sub_reason": claim.sub_reason_to_file,
        "items": sorted([item.asin, item.quantity] for item in claim.items) if claim.items is not None else None,
        "description": claim.description,
        "attachments": sorted(_file_sha256(path) for path in checked.attachment_paths),
        "tracking_id": claim.tracking_id_to_file,
        "refund_date": claim.refund_date.isoformat(),
        "return_delivered_date": claim.return_delivered_date.isoformat() if claim.return_delivered_date else None,
    }
    text = json.dumps(filed, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _file_sha256(path: Path) -> str:
    st = os.stat(path)
    return _cached_sha256(str(path), st.st_size, st.st_mtime_ns)


@functools.lru_cache(maxsize=1024)
def _cached_sha256(path: str, size: int, mtime_ns: int) -> str:
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()
