"""The claim list: its model (what a seller writes in claims.json) and every rule that decides whether it can be filed.

Which file holds what: `reasons` the site's reason table; `model` the pydantic models and JSON Schema; `reading`
the file as JSON; `evidence` the attachments' types; `window` the filing window; `rules` the checker;
`sentences` the problems and their wording; `results` what a check gives back; `fingerprint` a claim's identity.
Nothing here imports Playwright or the run: `check` and `--help` must start fast.
"""

from safet_filer.claims.evidence import ALLOWED_EXTENSIONS, IMAGE_KINDS, file_kind
from safet_filer.claims.fingerprint import fingerprint
from safet_filer.claims.model import (
    ASIN_RE,
    CURRENCY_RE,
    DRAFT_VERSION,
    ORDER_ID_RE,
    Claim,
    ClaimItem,
    ClaimList,
    DraftNote,
    claim_list_schema,
)
from safet_filer.claims.reasons import SUB_REASON_CODES, Reason, default_sub_reason
from safet_filer.claims.results import CheckedClaim, ClaimCheck, describe, refunded_totals
from safet_filer.claims.rules import check_claim_data, check_claim_list, load_claims_for_run
from safet_filer.claims.sentences import Problem, Severity, json_kind
from safet_filer.claims.window import CLOSING_SOON_DAYS, CountsFrom, FilingWindow, filing_window

__all__ = [
    "ALLOWED_EXTENSIONS",
    "ASIN_RE",
    "CLOSING_SOON_DAYS",
    "CURRENCY_RE",
    "DRAFT_VERSION",
    "IMAGE_KINDS",
    "ORDER_ID_RE",
    "SUB_REASON_CODES",
    "CheckedClaim",
    "Claim",
    "ClaimCheck",
    "ClaimItem",
    "ClaimList",
    "CountsFrom",
    "DraftNote",
    "FilingWindow",
    "Problem",
    "Reason",
    "Severity",
    "check_claim_data",
    "check_claim_list",
    "claim_list_schema",
    "default_sub_reason",
    "describe",
    "file_kind",
    "filing_window",
    "fingerprint",
    "json_kind",
    "load_claims_for_run",
    "refunded_totals",
]
