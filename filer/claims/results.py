"""What checking a claim list gives back: each claim with its filing window and problems, and the list as a whole."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

from safet_filer.claims.model import Claim
from safet_filer.claims.reasons import Reason
from safet_filer.claims.sentences import Problem
from safet_filer.claims.window import FilingWindow
from safet_filer.money import Money


@dataclass(slots=True)
class CheckedClaim:
    """One claim of the list with what the checks found."""

    index: int
    order_id: str
    claim: Claim | None
    attachment_paths: list[Path]
    window: FilingWindow | None  # None while the refund date or the marketplace is unknown
    problems: list[Problem]
    reason: Reason | None = None  # known even when another field of the claim is wrong
    refunded_amount: Decimal | None = None  # likewise
    currency: str | None = None
    awaiting_review: bool = False  # a draft the person has not approved: `run` refuses it
    draft_missing: tuple[str, ...] = ()  # the fields such a draft still lacks (see model.DRAFT_MAY_LACK)

    @property
    def draft_field(self) -> str:
        """Where the problem saying that this claim awaits review points."""
        return f"claims[{self.index}].draft"

    @property
    def deadline(self) -> date | None:
        """The last day Seller Central takes this claim."""
        return self.window.closes if self.window else None

    @property
    def claimed(self) -> Money | None:
        """The amount this claim asks back (what the buyer was refunded), when the list says it."""
        if self.refunded_amount is None or not self.currency:
            return None
        return Money(self.refunded_amount, self.currency)

    @property
    def ok(self) -> bool:
        return self.claim is not None and not any(p.severity == "error" for p in self.problems)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def label(self) -> str:
        return f"claims[{self.index}] (order {self.order_id})" if self.order_id else f"claims[{self.index}]"


@dataclass
class ClaimCheck:
    """A checked claim list: its claims sorted by deadline (soonest first) and the problems of the file itself."""

    path: Path
    marketplace: str
    claims: list[CheckedClaim]
    problems: list[Problem]
    today: date = field(default_factory=date.today)

    @property
    def ok(self) -> bool:
        return not any(p.severity == "error" for p in self.problems) and all(c.ok for c in self.claims)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self._all_problems() if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self._all_problems() if p.severity == "warning"]

    @property
    def awaiting_review(self) -> list[CheckedClaim]:
        """The drafts nobody has approved yet, in deadline order."""
        return [c for c in self.claims if c.awaiting_review]

    def _all_problems(self) -> list[Problem]:
        return [*self.problems, *(p for c in self.claims for p in c.problems)]


def refunded_totals(claims: Iterable[CheckedClaim]) -> dict[str, Decimal]:
    """The refunded amounts per currency, of the claims that name both; currencies in alphabetical order."""
    totals: dict[str, Decimal] = {}
    for claim in claims:
        if claim.refunded_amount is not None and claim.currency:
            totals[claim.currency] = totals.get(claim.currency, Decimal(0)) + claim.refunded_amount
    return dict(sorted(totals.items()))


def describe(problem: Problem, claim: CheckedClaim | None = None) -> str:
    """One line naming the claim, the field and what to do: `claims[3] (order 113-…) description: is empty — …`."""
    if claim is None:
        return f"{problem.field}: {problem.message}" if problem.field else problem.message
    prefix = f"claims[{claim.index}]"
    rest = problem.field[len(prefix) :].lstrip(".") if problem.field.startswith(prefix) else problem.field
    return f"{claim.label} {rest}: {problem.message}" if rest else f"{claim.label}: {problem.message}"
