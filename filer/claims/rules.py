"""The rules: whether each claim of a list can be filed, given the marketplace, its evidence files, today's date and
the other claims. Every problem is found, none stops the others being found.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from safet_filer.claims.evidence import IMAGE_KINDS, FileVerdict, judge_file
from safet_filer.claims.model import CLAIM_FIELDS, DRAFT_MAY_LACK, ITEM_FIELDS, Claim, ClaimFields
from safet_filer.claims.reading import UNREADABLE, duplicate_key_problems, read_json, split_top_level
from safet_filer.claims.reasons import Reason
from safet_filer.claims.results import CheckedClaim, ClaimCheck, describe
from safet_filer.claims.sentences import Problem, json_kind, validation_problems
from safet_filer.claims.window import CountsFrom, FilingWindow, filing_window
from safet_filer.errors import InvalidInput
from safet_filer.settings import Marketplace, Settings

# Where a claim's problems come in the listing: the order of the fields in claims.json.
_FIELD_RANK = {name: rank for rank, name in enumerate(CLAIM_FIELDS)}


def check_claim_list(
    path: Path, settings: Settings, today: date | None = None, *, marketplace: str | None = None
) -> ClaimCheck:
    """Check every claim of the list at `path`; every problem is reported, none stops the others being found.

    `marketplace` is a code the person asked for (e.g. on the command line): used when the list names
    none, and an error when the list names another.
    """
    path = Path(path)
    problems: list[Problem] = []
    data = read_json(path, problems)
    if data is UNREADABLE:
        code = (marketplace or settings.marketplace).strip().upper()
        return ClaimCheck(path, code, [], problems, today or date.today())
    return check_claim_data(path, data, settings, today, marketplace=marketplace, problems=problems)


def check_claim_data(
    path: Path,
    data: Any,
    settings: Settings,
    today: date | None = None,
    *,
    marketplace: str | None = None,
    problems: list[Problem] | None = None,
) -> ClaimCheck:
    """Check a claim list already read from `path` (as `read_json` gives it), e.g. one being changed in review.

    `problems` are those found reading the file; attachments are relative to `path`'s folder.
    """
    today = today or date.today()
    problems = problems if problems is not None else []
    code = (marketplace or settings.marketplace).strip().upper()
    raw_claims, listed_code = split_top_level(data, problems)
    if listed_code is not None:
        if marketplace is not None and listed_code != code:
            problems.append(
                Problem(
                    "marketplace",
                    f"The claim list is for {listed_code} but {code} was asked for — make them agree, "
                    "or leave the marketplace out of one of them.",
                )
            )
        code = listed_code
    market = settings.marketplaces.get(code)
    if market is None:
        problems.append(
            Problem(
                "marketplace",
                f'"{code}" is not a marketplace safet-filer knows; use one of {", ".join(sorted(settings.marketplaces))}, '
                "or add it under [marketplaces] in the config file.",
            )
        )
    if not raw_claims and not any(p.field == "claims" for p in problems):
        problems.append(Problem("claims", "The list has no claims; there is nothing to file.", "warning"))

    checker = _ClaimChecker(path, code, market, today)
    checked = [checker.check(index, raw) for index, raw in enumerate(raw_claims)]
    checked.sort(key=lambda c: (c.deadline is None, c.deadline or date.max, c.index))
    return ClaimCheck(path, code, checked, problems, today)


def load_claims_for_run(path: Path, settings: Settings, today: date | None = None) -> ClaimCheck:
    """The checked list, ready to file; InvalidInput listing every error when any claim (or the file) has one.

    A draft nobody approved is refused by name, before anything runs: `run` files only what a person reviewed.
    """
    result = check_claim_list(path, settings, today)
    if result.ok:
        return result
    drafts = [
        f"{claim.label} is a draft you have not approved; run `safet-filer review {path}`"
        for claim in sorted(result.awaiting_review, key=lambda c: c.index)
    ]
    lines = [describe(p) for p in result.problems if p.severity == "error"]
    for claim in sorted(result.claims, key=lambda c: c.index):
        lines += [
            describe(p, claim)
            for p in claim.problems
            if p.severity == "error" and not (claim.awaiting_review and p.field == claim.draft_field)
        ]
    counts = [f"{len(drafts)} unapproved draft{_s(len(drafts))}"] if drafts else []
    counts += [f"{len(lines)} problem{_s(len(lines))}"] if lines else []
    if drafts and not lines:
        hint = f"Approve or drop them with `safet-filer review {path}`, then run again."
    else:
        hint = f"Fix them and run again; `safet-filer check {path}` shows them with each claim's deadline."
    raise InvalidInput(f"{path} has {' and '.join(counts)}; nothing was filed:\n  " + "\n  ".join(drafts + lines), hint)


def _s(n: int) -> str:
    return "" if n == 1 else "s"


class _ClaimChecker:
    """The rules for one claim at a time, with what the claims of one list share (marketplace, files, orders)."""

    def __init__(self, path: Path, code: str, market: Marketplace | None, today: date):
        self.path = path
        self.code = code
        self.market = market
        self.today = today
        self.base = os.path.dirname(os.path.abspath(path))
        self.files: dict[str, FileVerdict] = {}
        self.resolved: dict[str, tuple[str, Path]] = {}
        self.orders: dict[str, int] = {}

    def check(self, index: int, raw: Any) -> CheckedClaim:
        where = f"claims[{index}]"
        if not isinstance(raw, dict):
            problem = Problem(
                where,
                f"must be a claim: an object {{ … }} with order_id, reason, description and refund_date, "
                f"not {json_kind(raw)}.",
            )
            return CheckedClaim(index, "", None, [], None, [problem])
        order_id = raw.get("order_id")
        order_id = order_id.strip() if isinstance(order_id, str) else ""
        problems = duplicate_key_problems(raw, where)
        note = raw.get("draft")
        awaiting = isinstance(note, dict) and note.get("approved") is not True
        missing: list[str] = []
        failed: set[Any] = set()
        try:
            claim: Claim | None = Claim.model_validate(raw)
            fields: Any = claim
        except ValidationError as exc:
            claim = None
            errors = exc.errors(include_url=False)
            failed = {err["loc"][0] for err in errors if err["loc"]}
            if awaiting:
                missing = [str(err["loc"][0]) for err in errors if _draft_gap(err)]
                errors = [err for err in errors if not _draft_gap(err)]
            problems += validation_problems(errors, where, claim_fields=CLAIM_FIELDS, item_fields=ITEM_FIELDS)
            try:
                fields = ClaimFields.model_validate({k: v for k, v in raw.items() if k not in failed})
            except ValidationError:  # pragma: no cover - the fields left passed Claim's own checks
                fields = ClaimFields()
        if isinstance(raw.get("items"), list):
            for j, item in enumerate(raw["items"]):
                problems += duplicate_key_problems(item, f"{where}.items[{j}]")

        self._order(index, fields, problems)
        self._description(where, fields, problems)
        self._reason_fields(where, fields, problems, failed)
        self._items(where, fields, problems)
        paths = self._attachments(where, fields, problems, failed)
        window = self._dates(where, fields, problems)
        self._money(where, fields, problems, failed)
        if awaiting:
            lacks = f" (it still lacks {' and '.join(missing)})" if missing else ""
            problems.append(
                Problem(f"{where}.draft", f"awaits your review{lacks}: approve or drop it in `safet-filer review`.")
            )
        if len(problems) > 1:
            problems.sort(key=_problem_rank)
        return CheckedClaim(
            index,
            order_id,
            claim,
            paths,
            window,
            problems,
            fields.reason,
            refunded_amount=fields.refunded_amount,
            currency=fields.currency,
            awaiting_review=awaiting,
            draft_missing=tuple(missing),
        )

    def _order(self, index: int, fields: Any, problems: list[Problem]) -> None:
        order_id = fields.order_id
        if order_id is None:
            return
        first = self.orders.setdefault(order_id, index)
        if first != index:
            problems.append(
                Problem(
                    f"claims[{index}].order_id",
                    f"order {order_id} is already claims[{first}]; an order can be claimed only once — "
                    "merge the two into one claim (list both items) or remove one.",
                )
            )

    def _description(self, where: str, fields: Any, problems: list[Problem]) -> None:
        text = fields.description
        if text is None or self.market is None:
            return
        limit = self.market.description_limit
        if len(text) > limit:
            problems.append(
                Problem(
                    f"{where}.description",
                    f"is {len(text):,} characters; the {self.code} limit is {limit:,} — shorten it.",
                )
            )

    def _reason_fields(self, where: str, fields: Any, problems: list[Problem], failed: set[Any]) -> None:
        reason: Reason | None = fields.reason
        if reason is None:
            return
        sub = fields.sub_reason
        if sub is not None and sub not in reason.sub_reasons:
            if reason.sub_reasons:
                allowed = " or ".join(f'"{s}"' for s in reason.sub_reasons)
                message = f'"{sub}" is not a sub-reason of {reason}; use {allowed} or null.'
            else:
                message = f'{reason} claims have no sub-reason on the form — set sub_reason to null (it is "{sub}").'
            problems.append(Problem(f"{where}.sub_reason", message))
        if "tracking_id" in failed:
            return
        if reason.needs_tracking_id and not fields.tracking_id:
            what = (
                "the replacement shipment"
                if reason is Reason.replacement_refunded
                else "the delivery the carrier shows as delivered"
            )
            problems.append(
                Problem(f"{where}.tracking_id", f"is required for {reason} claims — add the tracking ID of {what}.")
            )
        elif fields.tracking_id and not reason.needs_tracking_id:
            problems.append(
                Problem(
                    f"{where}.tracking_id",
                    f"is not used for {reason} claims (the form asks for it only for replacement_refunded and "
                    "delivered_not_received); it will not be filed — put it in the description if it matters.",
                    "warning",
                )
            )

    def _items(self, where: str, fields: Any, problems: list[Problem]) -> None:
        items = fields.items
        if not items:
            return
        first_seen: dict[str, int] = {}
        for j, item in enumerate(items):
            first = first_seen.setdefault(item.asin, j)
            if first != j:
                problems.append(
                    Problem(
                        f"{where}.items[{j}].asin",
                        f"{item.asin} is already items[{first}] of this claim — list each ASIN once, "
                        "with the total quantity.",
                    )
                )

    def _attachments(self, where: str, fields: Any, problems: list[Problem], failed: set[Any]) -> list[Path]:
        names: list[str] | None = fields.attachments
        if names is None:
            return []
        market = self.market
        if market is not None and len(names) > market.max_attachments:
            problems.append(
                Problem(
                    f"{where}.attachments",
                    f"lists {len(names)} files; the {self.code} form takes at most {market.max_attachments} "
                    "— keep the strongest evidence.",
                )
            )
        paths: list[Path] = []
        seen: dict[str, int] = {}
        photos = 0
        all_judged = True
        for j, name in enumerate(names):
            field_path = f"{where}.attachments[{j}]"
            if not name.strip():
                problems.append(
                    Problem(
                        field_path,
                        "is empty — give the file's path relative to the claims file, like evidence/item.jpg.",
                    )
                )
                all_judged = False
                continue
            resolved = self.resolved.get(name)
            if resolved is None:  # lists share evidence files: resolve each name once
                full = os.path.normpath(os.path.join(self.base, name))
                resolved = self.resolved[name] = (full, Path(full))
            full = resolved[0]
            paths.append(resolved[1])
            first = seen.setdefault(full, j)
            if first != j:
                problems.append(Problem(field_path, f"{name} is already attachments[{first}] — attach each file once."))
                continue
            verdict = self.files.get(full)
            if verdict is None:
                verdict = self.files[full] = judge_file(name, full, self.market, self.code)
            if verdict.problem:
                problems.append(Problem(field_path, verdict.problem))
            all_judged = all_judged and verdict.judged
            photos += verdict.kind in IMAGE_KINDS
        reason = fields.reason
        if reason is not None and reason.needs_photos and not photos and all_judged:
            if names:
                found = ", ".join(sorted({self.files[str(p)].kind or "?" for p in paths}))
                message = (
                    f"has no photo ({found} only); {reason} claims need at least one photo (JPEG, PNG or GIF) "
                    "of the returned item — add one."
                )
            else:
                message = (
                    f"is empty; {reason} claims need at least one photo (JPEG, PNG or GIF) of the returned item "
                    "and its packaging — add one."
                )
            problems.append(Problem(f"{where}.attachments", message))
        return paths

    def _money(self, where: str, fields: Any, problems: list[Problem], failed: set[Any]) -> None:
        amount, currency = fields.refunded_amount, fields.currency
        if "refunded_amount" in failed or "currency" in failed:
            return
        expected = self.market.currency if self.market is not None else None
        if amount is not None and currency is None:
            like = f'"{expected}" (the {self.code} currency)' if expected else '"USD"'
            problems.append(
                Problem(f"{where}.currency", f"is missing while refunded_amount is {amount} — add it, like {like}.")
            )
        elif currency is not None and amount is None:
            problems.append(
                Problem(
                    f"{where}.refunded_amount",
                    f'is missing while currency is "{currency}" — add the amount refunded, like "19.99", '
                    "or remove the currency.",
                )
            )
        elif currency is not None and expected is not None and currency != expected:
            problems.append(
                Problem(
                    f"{where}.currency",
                    f"is {currency}, but {self.code} reimburses in {expected} — check that the amount is this "
                    "order's refund, in this marketplace.",
                    "warning",
                )
            )

    def _dates(self, where: str, fields: Any, problems: list[Problem]) -> FilingWindow | None:
        refunded: date | None = fields.refund_date
        delivered: date | None = fields.return_delivered_date
        today = self.today
        future = False
        for name, value in (("refund_date", refunded), ("return_delivered_date", delivered)):
            if value is not None and value > today:
                future = True
                problems.append(
                    Problem(f"{where}.{name}", f"{value} is in the future (today is {today}) — check the date.")
                )
        if refunded is None:
            return None
        if delivered is not None and delivered < refunded:
            # Unusual (Amazon refunds at the return's first scan, before delivery) but possible: the deadline
            # counts from the later date either way, so this is a warning about a likely typo, not a block.
            problems.append(
                Problem(
                    f"{where}.return_delivered_date",
                    f"{delivered} is before the refund_date {refunded} — check both dates.",
                    "warning",
                )
            )
        market = self.market
        if market is None:
            return None
        window = filing_window(refunded, delivered, market, today)
        if future:
            return window
        start_field, since = _COUNTED_FROM[window.counts_from]
        if window.closed:
            problems.append(
                Problem(
                    f"{where}.{start_field}",
                    f"The filing window closed on {window.closes} ({window.days} days after {since} on "
                    f"{window.start}); Amazon no longer takes a SAFE-T claim for this order — remove it from the list.",
                )
            )
        elif window.closing_soon:
            when = {0: "today", 1: "tomorrow"}.get(window.days_left, f"in {window.days_left} days")
            problems.append(
                Problem(
                    f"{where}.{start_field}",
                    f"The filing window closes {when} ({window.closes}) — file this claim first.",
                    "warning",
                )
            )
        if window.too_early:
            problems.append(
                Problem(
                    f"{where}.refund_date",
                    f"is too recent: {self.code} takes a claim only from {window.opens} "
                    f"({market.earliest_days_after_refund} days after the refund) — file it from then on.",
                )
            )
        return window


# The field a window problem points at, and how its sentence names the day the window counts from.
_COUNTED_FROM = {
    CountsFrom.refund: ("refund_date", "the refund"),
    CountsFrom.delivery: ("return_delivered_date", "the return was delivered"),
    CountsFrom.wait_over: ("refund_date", "the first day a claim is taken"),
}


def _draft_gap(error: Any) -> bool:
    """Whether a validation error is only a field an unapproved draft may still lack (left out, null or empty)."""
    loc = error["loc"]
    if len(loc) != 1 or loc[0] not in DRAFT_MAY_LACK:
        return False
    return error["type"] in ("missing", "description_empty") or error.get("input") in (None, "")


def _problem_rank(problem: Problem) -> tuple[int, int]:
    """Errors before warnings, then in the order the fields come in a claim."""
    parts = problem.field.split(".")
    name = parts[1].split("[")[0] if len(parts) > 1 else ""
    return (problem.severity != "error", _FIELD_RANK.get(name, len(_FIELD_RANK)))
