"""Replies and appeals to send: the list (one from the command line, or several from a JSON file) and its checks.

Checked up front, like a claim list: every problem is reported at once, each naming the entry and the field, and
nothing is sent while there is one. The checks are the message's length, its attachments (the claim list's own
evidence checks: type by content, size, count) and the ledger's rules (the claim is known and in the right status,
its date has not passed, no second appeal). No browser here.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from safet_filer.claims.evidence import judge_file
from safet_filer.claims.sentences import Problem, validation_problems
from safet_filer.errors import InvalidInput
from safet_filer.followup import FollowUp
from safet_filer.followup_messages import MessageKind
from safet_filer.settings import Marketplace


class MessageEntry(BaseModel):
    """One reply or appeal as a person writes it: the SAFE-T claim, the message, the files to attach."""

    model_config = ConfigDict(extra="forbid")

    claim_id: str = Field(pattern=r"^\d{5}-\d{5}-\d{7}$")
    message: str
    attachments: list[str] = []


@dataclass(frozen=True)
class Outgoing:
    """A checked reply or appeal, ready to be sent: its label for messages, its attachments as paths."""

    index: int
    kind: MessageKind
    claim_id: str
    body: str
    attachments: list[Path]

    @property
    def label(self) -> str:
        return f"messages[{self.index}] ({self.kind} on SAFE-T claim {self.claim_id})"


def from_command_line(
    claim_id: str, message: str | None, message_file: Path | None, attach: tuple[Path, ...]
) -> list[dict]:
    """The one entry `reply CLAIM_ID --message …` describes, as the list's raw JSON would have it."""
    if (message is None) == (message_file is None):
        raise InvalidInput(
            "Give the message with --message TEXT or --message-file FILE (one of them).",
            "For several replies or appeals at once, give a JSON list with --from FILE.",
        )
    if message_file is not None:
        try:
            message = message_file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise InvalidInput(
                f"--message-file {message_file} cannot be read ({getattr(exc, 'strerror', None) or exc}).",
                "Give a UTF-8 text file holding the message.",
            ) from None
    return [{"claim_id": claim_id, "message": message, "attachments": [str(p) for p in attach]}]


def read_list(path: Path) -> list[dict]:
    """The raw entries of a `--from` file: a JSON list, or an object with a "messages" list."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InvalidInput(f"--from {path} cannot be read ({exc.strerror}).", "Check the path.") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        where = f" (line {exc.lineno}, column {exc.colno})" if isinstance(exc, json.JSONDecodeError) else ""
        raise InvalidInput(f"--from {path} is not valid JSON{where}: {exc}.", "Fix the file and run again.") from None
    entries = data.get("messages") if isinstance(data, dict) else data
    if not isinstance(entries, list) or not entries:
        raise InvalidInput(
            f"--from {path} holds no messages.",
            'Write a JSON list of {"claim_id": …, "message": …, "attachments": […]} entries.',
        )
    return entries


def check_messages(
    raw: list,
    kind: MessageKind,
    *,
    base_dir: Path,
    follow: FollowUp,
    marketplace: str,
    market: Marketplace,
    today: date | None = None,
) -> list[Outgoing]:
    """Every entry checked; InvalidInput listing every problem (entry and field) when there is any."""
    problems: list[Problem] = []
    checked: list[Outgoing] = []
    seen: dict[str, int] = {}
    for index, item in enumerate(raw):
        where = f"messages[{index}]"
        try:
            entry = MessageEntry.model_validate(item)
        except ValidationError as exc:
            problems += validation_problems(
                exc.errors(), where, claim_fields=tuple(MessageEntry.model_fields), item_fields=()
            )
            continue
        where = f"{where} (SAFE-T claim {entry.claim_id})"
        found = _entry_problems(entry, where, base_dir, market, marketplace)
        if entry.claim_id in seen:
            found.append(
                Problem(f"{where}.claim_id", f"is also messages[{seen[entry.claim_id]}]: send one {kind} per claim.")
            )
        seen.setdefault(entry.claim_id, index)
        refused = follow.refusal(marketplace, entry.claim_id, kind, today=today)
        if refused is not None:
            found.append(Problem(f"{where}.claim_id", f"{refused.message} {refused.hint or ''}".strip()))
        problems += found
        paths = [_full(base_dir, a) for a in entry.attachments]
        checked.append(Outgoing(index, kind, entry.claim_id, entry.message, paths))
    if problems:
        lines = "\n".join(f"  {p.field}: {p.message}" for p in problems)
        count = f"{len(problems)} problem{'s' * (len(problems) != 1)}"
        raise InvalidInput(
            f"The {kind} list has {count}; nothing was sent:\n{lines}",
            "Fix each one and run the same command again.",
        )
    return checked


def _entry_problems(entry: MessageEntry, where: str, base_dir: Path, market: Marketplace, code: str) -> list[Problem]:
    found = []
    length = len(entry.message)
    if not entry.message.strip():
        found.append(Problem(f"{where}.message", "is empty — write what you want Amazon to read."))
    elif length > market.description_limit:
        found.append(
            Problem(
                f"{where}.message",
                f"has {length:,} characters; the {code} form takes up to {market.description_limit:,} — shorten it.",
            )
        )
    if len(entry.attachments) > market.max_attachments:
        found.append(
            Problem(
                f"{where}.attachments",
                f"lists {len(entry.attachments)} files; the {code} form takes up to {market.max_attachments}.",
            )
        )
    names = [os.path.basename(a) for a in entry.attachments]
    for n, name in enumerate(entry.attachments):
        if names.count(names[n]) > 1 and names.index(names[n]) < n:
            found.append(Problem(f"{where}.attachments[{n}]", f"{name}: another attachment has the same file name."))
            continue
        verdict = judge_file(name, str(_full(base_dir, name)), market, code)
        if verdict.problem:
            found.append(Problem(f"{where}.attachments[{n}]", verdict.problem))
    return found


def _full(base_dir: Path, name: str) -> Path:
    path = Path(name).expanduser()
    return path if path.is_absolute() else base_dir / path
