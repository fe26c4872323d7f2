"""The claim list a draft writes: its JSON (version 1, shape in `DraftJson`) and the file, private, written whole,
never over another file without --force."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import TypedDict

from safet_filer.errors import InvalidInput
from safet_filer.private import create_private_file_with, replace_private_file


class ItemJson(TypedDict):
    asin: str
    quantity: int


class ReportItemJson(TypedDict):
    """An item as the report names it, for the person reviewing."""

    asin: str
    name: str | None
    return_reason: str | None


class ReportSourceJson(TypedDict):
    file: str  # the report, as given to `draft`
    lines: list[int]  # its lines behind this claim
    items: list[ReportItemJson]


class DraftNoteJson(TypedDict):
    """Per claim: what the draft knows and does not, for `review`; `run` files only claims whose `approved` is true."""

    version: int  # DRAFT_VERSION
    approved: bool  # false when drafted; the person approves in review
    suggested_reason: str | None  # a Reason value, or null when the report's facts point to none
    needs_inspection: bool  # the return reason needs the seller's own look (damaged, missing parts, different item)
    why: str  # the sentence behind the suggestion, naming the facts
    facts: dict[str, str | None]  # the report's cells behind the suggestion, by column name (null: empty cell)
    unknown: list[str]  # "field: sentence" for everything the report cannot know
    deadline: str | None  # YYYY-MM-DD, as `check` computes it on the day of drafting
    report: ReportSourceJson


class ClaimJson(TypedDict):
    """A claim of claims.json with the money fields and the draft note."""

    order_id: str
    reason: str | None  # the suggestion, or null: the person names it
    sub_reason: None
    items: list[ItemJson]
    description: str  # empty when only the person can say what happened
    attachments: list[str]  # relative to the claims file's folder
    tracking_id: str | None
    refund_date: str | None
    return_delivered_date: str | None
    refunded_amount: str | None  # a decimal as text, like "24.99": no float rounding
    currency: str | None  # ISO 4217 code, like "USD"
    draft: DraftNoteJson


class DraftJson(TypedDict):
    marketplace: str
    claims: list[ClaimJson]


def json_date(value: date | None) -> str | None:
    """A date as the claim list writes it (YYYY-MM-DD), or null."""
    return value.isoformat() if value else None


def write_draft(data: DraftJson, path: Path, *, force: bool = False) -> None:
    """Write a draft's claim list (`Draft.to_json()`) to `path`; refuses to replace an existing file unless `force`."""
    refuse_existing(path, force)
    text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    try:
        if force:
            replace_private_file(path, text)  # the old list stays whole until the new one is complete
        else:
            create_private_file_with(path, text)  # another writer's file is never overwritten silently
    except FileExistsError:
        refuse_existing(path, force)
        raise
    except OSError as exc:
        raise InvalidInput(
            f"{path} cannot be written ({exc.strerror}).",
            "Check that its folder exists and that you may write there, or give another file with -o.",
        ) from None


def refuse_existing(path: Path, force: bool) -> None:
    """InvalidInput when `path` exists and `force` is not given (checked before drafting, and again when writing)."""
    if force:
        if path.is_dir():
            raise InvalidInput(f"{path} is a folder.", "Give a file name for the claim list, like claims.json.")
        return
    if path.exists() or path.is_symlink():
        raise InvalidInput(
            f"{path} already exists; draft never overwrites a claim list.",
            "Give another file with -o, or add --force to replace it.",
        )
