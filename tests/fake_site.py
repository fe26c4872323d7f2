"""An in-process Seller Central behind the course's `ClaimSite` interface, and a run of the real `FilingRun` on it.

The fake keeps what a real site would: the claims stored on it (what "reached the site"), the dashboard listing them,
the wizard's review page for the claim being filled. Faults are scripted by the moment they strike:

    "dashboard"  the dashboard look-up                 "fill"    in the middle of filling (after eligibility)
    "policy"     on the review page, before Submit     "press"   Submit pressed, nothing stored
    "result"     the claim stored, its answer lost     "shot"    the result's screenshot, after it was filed

with the error the real site's flows raise there (`signs_in`, `restricted`, `crash`, `tab_crash`, `times_out`,
`step_fails`). The fake has two tabs, as a browser has (`other_tab()`): they share everything but the claim each
shows on its review page.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from rich.console import Console
from runs import png_bytes

from safet_filer.errors import ExitStatus
from safet_filer.flows.claim_wizard import BrowserStopped, FilledClaim, ReviewGone, StepReport, WizardClaim
from safet_filer.flows.dashboard import FiledClaim
from safet_filer.flows.labels import SiteLabels, labels_for
from safet_filer.flows.picker import PickedElement
from safet_filer.flows.site import AutomationRestricted, ElementMissing, SignInRequired, SiteError, StepFailed
from safet_filer.flows.wizard import Eligibility, EligibilityAnswer, RefundedItem, Review, ReviewedItem
from safet_filer.ledger import Entry, Ledger
from safet_filer.report import FailureEvidence
from safet_filer.run import FilingRun, RunOptions
from safet_filer.settings import load_settings

SITE_URL = "http://127.0.0.1:8999"  # loopback: --yes is honoured and no pacing, as against the mock
MOMENTS = ("dashboard", "fill", "policy", "press", "result", "shot")
LABELS = labels_for("en")


# -- the errors the real flows raise at each moment ------------------------------------------------------------------
def signs_in() -> SiteError:
    return SignInRequired(SITE_URL + "/ap/signin?openid.return_to=%2Fsafet-claims")


def restricted() -> SiteError:
    return AutomationRestricted(f"Seller Central shows '{LABELS.restricted_heading}' at /safet-claims/create-v2.")


def crash() -> SiteError:
    return BrowserStopped("Target page, context or browser has been closed")


class TabCrashed(BrowserStopped):
    """The page of one tab crashed; the browser and its other tab go on."""


def tab_crash() -> SiteError:
    return TabCrashed("Target crashed")


def times_out() -> SiteError:
    return StepFailed("read the result", "the page did not get there in time")


def step_fails(step: str = "check eligibility") -> SiteError:
    return StepFailed(step, "the site answered: We're sorry, something went wrong (HTTP 500)")


@dataclass
class FakeOrder:
    """An order as the fake's Check eligibility answers it: claimable units per ASIN, or a refusal."""

    claimable: dict[str, int]
    answer: EligibilityAnswer = EligibilityAnswer.ELIGIBLE
    existing_claim_id: str | None = None


REFUSALS = {
    EligibilityAnswer.CLAIM_EXISTS: LABELS.claim_exists,
    EligibilityAnswer.NOT_ELIGIBLE: LABELS.not_eligible,
    EligibilityAnswer.WINDOW_CLOSED: LABELS.window_closed,
    EligibilityAnswer.TOO_EARLY: LABELS.too_early,
    EligibilityAnswer.NOT_FOUND: LABELS.not_found,
}


@dataclass
class Fault:
    moment: str
    error: Callable[[], SiteError]
    order_id: str | None  # None: whichever claim gets there first
    times: int


@dataclass
class FakeBrowser:
    """What the tabs of the fake site share, as a browser's tabs share it: the words learned (the course puts them
    here), whether the browser is up, its restarts and sign-ins, and which claim each tab shows on review."""

    labels: SiteLabels
    alive: bool = True
    restarts: int = 0
    sign_in_waits: int = 0
    on_review: dict[int, tuple[WizardClaim, dict[str, int]]] = field(default_factory=dict)
    crashed_tabs: set[int] = field(default_factory=set)
    shown: list[int] = field(default_factory=list)  # the tab brought to the front before each question


@dataclass
class FakeSite:
    """The fake Seller Central. `orders` answer Check eligibility; an order not in it is not found."""

    orders: dict[str, FakeOrder] = field(default_factory=dict)
    headed: bool = False
    person_signs_in: bool = True  # in a headed run, the person finishes signing in in the window
    tamper_review: bool = False  # the review page shows a description other than the one typed
    renamed: dict[str, str] = field(default_factory=dict)  # label -> the site's own word for that button
    clicks: list[PickedElement | None] = field(default_factory=list)  # the person's clicks when shown, in order

    submissions: list[dict] = field(default_factory=list)  # every claim stored, in order
    dashboard: dict[str, list[FiledClaim]] = field(default_factory=dict)
    asked: list[str] = field(default_factory=list)  # every request: "fill 113-…", "submit …", "dashboard …"
    faults: list[Fault] = field(default_factory=list)
    on_fill: Callable[[str], None] | None = None  # called with the order ID as each fill begins
    browser: FakeBrowser = field(default_factory=lambda: FakeBrowser(LABELS))
    tab: int = 0  # the site on tab 0; other_tab() gives the same site on tab 1

    @classmethod
    def for_claims(cls, claims: list[dict], **options: object) -> FakeSite:
        """A site on which each claim's order is eligible with exactly the claim's items (2 units without items)."""
        orders = {
            c["order_id"]: FakeOrder(
                {i["asin"]: i["quantity"] for i in c["items"]} if c.get("items") else {"B0FAKE0001": 2}
            )
            for c in claims
        }
        return cls(orders=orders, **options)  # type: ignore[arg-type]

    def fail(self, moment: str, error: Callable[[], SiteError], *, order_id: str | None = None, times: int = 1) -> None:
        """Strike with `error()` at `moment` (see the module's docstring), `times` times (0: every time)."""
        assert moment in MOMENTS, moment
        self.faults.append(Fault(moment, error, order_id, times))

    def orders_stored(self) -> list[str]:
        return [s["order_id"] for s in self.submissions]

    @property
    def labels(self) -> SiteLabels:
        return self.browser.labels

    @labels.setter
    def labels(self, labels: SiteLabels) -> None:
        self.browser.labels = labels

    @property
    def restarts(self) -> int:
        return self.browser.restarts

    @property
    def sign_in_waits(self) -> int:
        return self.browser.sign_in_waits

    @property
    def opened(self) -> int:
        return self.browser.restarts + self.browser.sign_in_waits

    def other_tab(self) -> FakeSite:
        """The same site (orders, claims stored, faults, browser) on the browser's other tab."""
        return replace(self, tab=1 - self.tab)

    def crash_tab(self) -> None:
        """This tab's page crashes (the browser and the other tab stay up)."""
        self.browser.crashed_tabs.add(self.tab)
        self.browser.on_review.pop(self.tab, None)

    # -- the ClaimSite interface ---------------------------------------------------------------------------------
    def __enter__(self) -> FakeSite:
        return self

    def __exit__(self, *exc: object) -> None:
        pass

    def claims_for(self, order_id: str) -> list[FiledClaim]:
        self._request(f"dashboard {order_id}", "dashboard", order_id)
        return list(self.dashboard.get(order_id, []))

    def fill_to_review(self, claim: WizardClaim, report: StepReport) -> FilledClaim:
        self._request(f"fill {claim.order_id}", None, claim.order_id)
        self.browser.on_review.pop(self.tab, None)
        if self.on_fill is not None:
            self.on_fill(claim.order_id)
        report.begin("entering the order")
        report.shot("order", png_bytes(1))
        for label, word in self.renamed.items():
            if getattr(self.labels, label) != word:
                raise ElementMissing("enter the order", "button", getattr(self.labels, label), label, [word, "Cancel"])
        order = self.orders.get(claim.order_id, FakeOrder({}, EligibilityAnswer.NOT_FOUND))
        if order.answer is not EligibilityAnswer.ELIGIBLE:
            report.shot("eligibility", png_bytes(2))
            message = f"{REFUSALS[order.answer]}" + (
                f" (SAFE-T claim {order.existing_claim_id})." if order.existing_claim_id else "."
            )
            return FilledClaim(Eligibility(order.answer, message, (), order.existing_claim_id), {}, None)
        offered = tuple(RefundedItem(asin, f"Item {asin}", n) for asin, n in order.claimable.items())
        report.shot("eligibility", png_bytes(2))
        self._strike("fill", claim.order_id)
        quantities = claim.choose_items(offered)
        for step in ("selecting items", "choosing reasons", "uploading evidence"):
            report.begin(step)
            report.shot(step.split()[-1], png_bytes(3))
        documents = [p.name for p in claim.attachments()]
        review = Review(
            order_id=claim.order_id,
            description=claim.description + (" (edited)" if self.tamper_review else ""),
            tracking_id=claim.tracking_id or LABELS.none_shown,
            documents=documents,
            items=[
                ReviewedItem(
                    asin,
                    str(n),
                    LABELS.reasons[claim.reason],
                    LABELS.sub_reasons[claim.sub_reason] if claim.sub_reason else LABELS.none_shown,
                )
                for asin, n in quantities.items()
            ],
        )
        report.shot("review", png_bytes(4))
        self.browser.on_review[self.tab] = (claim, quantities)
        return FilledClaim(Eligibility(EligibilityAnswer.ELIGIBLE, items=offered), quantities, review)

    def submit(self, order_id: str, just_before_press: Callable[[], None], timeout_s: float) -> str:
        self._request(f"submit {order_id}", "policy", order_id)
        on_review = self.browser.on_review.pop(self.tab, None)
        if on_review is None or on_review[0].order_id != order_id:
            raise ReviewGone(f"the page no longer shows the review of order {order_id}")
        claim, quantities = on_review
        just_before_press()
        self._strike("press", claim.order_id)
        claim_id = f"{70000 + len(self.submissions):05d}-00000-{len(self.submissions) + 1:07d}"
        self.submissions.append(
            {
                "order_id": claim.order_id,
                "claim_id": claim_id,
                "items": [
                    {"asin": a, "quantity": n, "reason": claim.reason, "sub_reason": claim.sub_reason}
                    for a, n in quantities.items()
                ],
                "description": claim.description,
                "tracking_id": claim.tracking_id,
                "attachments": [p.name for p in claim.attachments()],
            }
        )
        self.dashboard.setdefault(claim.order_id, []).append(
            FiledClaim(claim_id, claim.order_id, "2026-01-01", "Pending", "—")
        )
        self.orders[claim.order_id] = FakeOrder({}, EligibilityAnswer.CLAIM_EXISTS, claim_id)
        self._strike("result", claim.order_id)
        return claim_id

    def keep_awake(self) -> None:
        pass

    def front(self) -> None:
        self.browser.shown.append(self.tab)

    def wait_until_signed_in(self) -> bool:
        self.browser.sign_in_waits += 1
        return self.person_signs_in

    def pick(self, timeout_s: float, armed: Callable[[], None]) -> PickedElement | None:
        self._check_alive()
        self.asked.append("pick")
        armed()
        return self.clicks.pop(0) if self.clicks else None  # no click: the wait ran out

    def screenshot(self) -> bytes:
        self._check_alive()
        self._strike("shot", self.submissions[-1]["order_id"] if self.submissions else "")  # the result's shot
        return png_bytes(5)

    def failure_evidence(self) -> FailureEvidence:
        if not self.alive():
            return FailureEvidence()
        return FailureEvidence(png_bytes(6), "<html><body>the failed page</body></html>", '- button "Cancel"\n')

    def alive(self) -> bool:
        return self.browser.alive and self.tab not in self.browser.crashed_tabs

    def restart(self) -> None:
        self.browser.restarts += 1
        self.browser.alive = True
        self.browser.on_review.clear()
        self.browser.crashed_tabs.clear()

    def trace_start(self, title: str) -> None:
        pass

    def trace_stop(self, keep_at: Path | None) -> None:
        if keep_at is not None:
            keep_at.write_bytes(b"PK fake trace")

    # -- faults ------------------------------------------------------------------------------------------------
    def _request(self, what: str, moment: str | None, order_id: str) -> None:
        self._check_alive()
        self.asked.append(what)
        if moment:
            self._strike(moment, order_id)

    def _check_alive(self) -> None:
        if not self.alive():
            raise BrowserStopped("Target page, context or browser has been closed")

    def _strike(self, moment: str, order_id: str) -> None:
        for fault in self.faults:
            if fault.moment == moment and fault.order_id in (None, order_id) and fault.times >= 0:
                if fault.times == 1:
                    fault.times = -1  # spent
                elif fault.times > 1:
                    fault.times -= 1
                error = fault.error()
                if isinstance(error, SignInRequired):
                    self.browser.on_review.pop(self.tab, None)
                if isinstance(error, TabCrashed):
                    self.crash_tab()
                elif isinstance(error, BrowserStopped):
                    self.browser.alive = False
                    self.browser.on_review.clear()
                raise error


# -- a whole run of the real FilingRun on a fake site ------------------------------------------------------------
class Terminal(io.StringIO):
    """The person's answers at a terminal (stdin that says it is one)."""

    def isatty(self) -> bool:
        return True


@dataclass
class Ran:
    status: ExitStatus
    output: str
    folder: Path


def run_on(
    site: FakeSite,
    claims_file: Path,
    *,
    answers: str | None = None,
    monkeypatch=None,
    rehearse: bool = False,
    only: tuple[str, ...] = (),
    yes: bool | None = None,
    config_file: Path | None = None,
) -> Ran:
    """`safet-filer run CLAIMS --base-url <loopback> --yes` in-process on `site`; with `answers` ("y\\ns\\n"), the
    person answers at a terminal instead of --yes (`monkeypatch` stands in for stdin), or beside it with `yes=True`;
    `config_file` is --config."""
    if answers is not None:
        monkeypatch.setattr(sys, "stdin", Terminal(answers))
    output = io.StringIO()
    console = Console(file=output, width=160)
    if yes is None:
        yes = answers is None and not rehearse
    options = RunOptions(claims_file, base_url=SITE_URL, yes=yes, rehearse=rehearse, only=only, config_file=config_file)
    status = FilingRun(load_settings(config_file), options, console, open_site=lambda url: site).execute()
    text = output.getvalue()
    folder = next(Path(line.split(":", 1)[1].strip()) for line in text.splitlines() if line.startswith("Run folder:"))
    return Ran(status, text, folder)


def ledger_entries() -> dict[str, Entry]:
    """order ID -> its ledger entry, from the ledger the settings name."""
    with Ledger(load_settings().ledger_path) as ledger:
        return {e.order_id: e for e in ledger.entries()}


def history(order_id: str) -> list[str]:
    """The states an order went through, in order."""
    with Ledger(load_settings().ledger_path) as ledger:
        return [to for _, to, _, _ in ledger.history("US", order_id)]
