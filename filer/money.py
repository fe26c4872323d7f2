"""Money: an amount in one currency (a Decimal, never a float, so that totals add up to the cent) and how it is shown."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Money:
    amount: Decimal
    currency: str

    def __str__(self) -> str:
        return money_text(self.amount, self.currency)


def money_text(amount: Decimal | None, currency: str | None) -> str:
    """An amount as every view shows it: 1,234.50 USD; — when there is none."""
    if amount is None:
        return "—"
    return f"{amount:,.2f} {currency}" if currency else f"{amount:,.2f} (no currency)"
