"""Filing one claim: reconcile if a submit may have happened, fill the wizard, read it back, ask, submit once."""

from __future__ import annotations

import stat
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

from loguru import logger
from playwright.sync_api import Error as PlaywrightError
from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt, wait_random_exponential

from safet_filer.claims import CheckedClaim, fingerprint
from safet_filer.confirm import Decision, Proposal
from safet_filer.errors import NeedsPerson
from safet_filer.flows.dashboard import Dashboard
from safet_filer.flows.labels import SiteLabels
from safet_filer.flows.site import AutomationRestricted, LeftSite, SignInRequired, SiteError, StepFailed, first_line
from safet_filer.flows.wizard import (
    Eligibility,
    EvidenceStep,
    ItemsStep,
    OrderStep,
    ReasonStep,
    ResultPage,
    Review,
    ReviewStep,
)
from safet_filer.ledger import NEEDS_RECONCILING, Entry, Ledger, State
from safet_filer.report import ClaimRecord
from safet_filer.session import SIGN_IN_WAIT_S, BrowserSession

if TYPE_CHECKING:
    from safet_filer.run import FilingRun

# How long the wait between two attempts at a step may grow (tests switch waits off).
RETRY_WAIT = wait_random_exponential(multiplier=0.5, max=8)


class ClaimProblem(Exception):
    """The claim cannot be filed as written (the site's items disagree with it); retrying will not help."""


class ClaimFiler:
    def __init__(self, run: FilingRun, checked: CheckedClaim, record: ClaimRecord):
        self.run = run
        self.checked = checked
        self.claim = checked.claim
        self.record = record
        self.ledger = run.ledger
        self.session = run.browser
        self.labels: SiteLabels = run.browser.labels
        self.key = (run.marketplace, checked.order_id)
        self.log = logger.bind(order_id=checked.order_id, claim=checked.index)

    # -- the claim's whole course ------------------------------------------------------------------------------
    def file(self) -> None:
        self.session.trace_start(self.checked.order_id)
        failed = True
        try:
            self._file()
            failed = self.record.state in ("failed", "unknown")
        finally:
            self.session.trace_stop(self.run.folder.trace_path(self.record) if failed else None)
            if failed:
                self.run.folder.add_trace(self.record)

    def _file(self) -> None:
        try:
            if self._until_signed_in(self._settled_by_reconciling):
                return
            eligibility, quantities, review = self._until_signed_in(lambda: self._retrying(self._fill_once))
            if not eligibility.eligible:
                self._record_refusal(eligibility)
                return
            assert review is not None
            differences = compare(self.checked, quantities, review, self.labels)
            if differences:
                self._fail(
                    "The review page does not show what the claim says, so it was not submitted: "
                    + "; ".join(differences)
                    + ". Check the screenshot, then run again."
                )
                return
            self._move(State.READY, message="Filled up to the review step.")
            if self.run.options.rehearse:
                self.record.message = "Rehearsed: every step filled; not submitted (--rehearse)."
                self.log.info("{}: {}", self.checked.label, self.record.message)
                return
            self._ask_and_submit(review)
        except ClaimProblem as problem:
            self._fail(str(problem))
        except StepFailed as exc:
            if not self.session.alive():  # the step failed because the browser died under it
                self._browser_crashed(exc.message)
                return
            self._fail(f"Could not {exc.step}: {exc.message}. The claim was not submitted; run again to retry it.")
        except LeftSite as exc:
            self._fail(f"{exc} Nothing more was typed; the claim was not submitted.")
        except AutomationRestricted as exc:
            self._fail(f"{exc} Stopped at once, as Amazon's Agent Policy asks.")
            raise NeedsPerson(
                f"Seller Central restricts automated access ({self.checked.label}).",
                "Amazon's Agent Policy asks automated tools to stop when told to: file the rest by hand, "
                "or contact Seller Support before running safet-filer again.",
            ) from None
        except PlaywrightError as exc:  # the browser or page crashed
            self._browser_crashed(first_line(exc))

    def _browser_crashed(self, why: str) -> None:
        """Record the claim as failed (nothing was submitted) and start a new browser for the claims after it."""
        self._fail(f"The browser stopped responding ({why}); it was restarted. The claim was not submitted.")
        self.session.restart()

    # -- reconciliation: did an earlier submit go through? -------------------------------------------------------
    def _settled_by_reconciling(self) -> bool:
        entry = self.ledger.get(*self.key)
        if entry is None or not (entry.state in NEEDS_RECONCILING or entry.submit_attempts > 0):
            return False
        self.run.step(f"{self.checked.order_id}: checking the dashboard for an earlier submit")
        entry = self._retrying(
            lambda: reconcile(self.ledger, self._dashboard(), *self.key, run_id=self.run.folder.run_id)
        )
        self._show(entry)
        self.log.info("{}: {}", self.checked.label, entry.message)
        return entry.state == State.FILED

    def _dashboard(self) -> Dashboard:
        return Dashboard(*self._site_args())

    # -- filling the wizard up to the review step (safe to repeat) ----------------------------------------------
    def _until_signed_in(self, action):
        """Run `action`; when Seller Central asks to sign in, wait for the person (headed) and run it again."""
        while True:
            try:
                return action()
            except SignInRequired as exc:
                self._wait_for_sign_in(exc)

    def _fill_once(self) -> tuple[Eligibility, dict[str, int], Review | None]:
        self.record.screenshots.clear()
        args = self._site_args()
        order = OrderStep(*args)
        self.run.step(f"{self.checked.order_id}: entering the order")
        order.open()
        order.enter(self.checked.order_id)
        self._shot("order")
        eligibility = order.check_eligibility()
        self._shot("eligibility")
        if not eligibility.eligible:
            return eligibility, {}, None
        quantities = self._quantities(eligibility)
        self.run.step(f"{self.checked.order_id}: selecting items")
        items = ItemsStep(*args)
        items.select(quantities)
        self._shot("items")
        items.next()
        self.run.step(f"{self.checked.order_id}: choosing reasons")
        reasons = ReasonStep(*args)
        reason_text, sub_text = self._reason_texts()
        for asin in quantities:
            reasons.choose(asin, reason_text, sub_text)
        self._shot("reasons")
        reasons.next()
        self.run.step(f"{self.checked.order_id}: uploading evidence")
        evidence = EvidenceStep(*args)
        evidence.upload(self._attachments_still_files())
        evidence.describe(self.claim.description, self.claim.tracking_id)
        self._shot("evidence")
        evidence.next()
        review = ReviewStep(*args).read()
        self.record.reviewed = asdict(review)
        self.review_shot = self._shot("review")
        return eligibility, quantities, review

    def _quantities(self, eligibility: Eligibility) -> dict[str, int]:
        """What to claim per ASIN: the claim's items, or every unit still claimable when it lists none."""
        offered = {item.asin: item.claimable for item in eligibility.items}
        if self.claim.items is None:
            wanted = {asin: n for asin, n in offered.items() if n > 0}
            if not wanted:
                raise ClaimProblem("Seller Central lists nothing left to claim on this order (every unit is claimed).")
            return wanted
        wanted = {item.asin: item.quantity for item in self.claim.items}
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

    def _attachments_still_files(self) -> list[Path]:
        """The attachments, checked again just before upload: each must still be a regular file."""
        for where, path in enumerate(self.checked.attachment_paths):
            try:
                regular = stat.S_ISREG(path.stat().st_mode)
            except OSError as exc:
                raise ClaimProblem(f"attachments[{where}]: {path} cannot be read any more ({exc.strerror}).") from None
            if not regular:
                raise ClaimProblem(f"attachments[{where}]: {path} is no longer a regular file; nothing was uploaded.")
        return self.checked.attachment_paths

    def _reason_texts(self) -> tuple[str, str | None]:
        return self.labels.reason_texts(self.claim.reason.code, self.claim.sub_reason_to_file)

    def _retrying(self, action):
        return repeat_step(action, self.session, self.run.settings.retries, self.checked.label)

    def _wait_for_sign_in(self, exc: SignInRequired, *, after_submit: bool = False) -> None:
        if not self.session.headed:
            raise NeedsPerson(
                f"Seller Central asked you to sign in just as {self.checked.label} was submitted; the next run "
                "checks the dashboard for it before filing anything."
                if after_submit
                else f"Seller Central asks you to sign in ({self.checked.label} was not submitted).",
                "Run `safet-filer login`, sign in in the window that opens (tick 'Keep me signed in'), then run "
                "the same command again, or run with --headed and sign in when asked. Claims already filed are "
                "not filed again.",
            )
        from playwright.sync_api import TimeoutError as PlaywrightTimeout

        signin_paths = self.labels.signin_paths
        # Waiting on the person, like a prompt: Ctrl-C stops at once.
        with self.run.paused(), self.run.interruption.at_prompt():
            self.run.console.print(
                f"[bold yellow]Seller Central asks you to sign in[/bold yellow] ({exc.url.split('?')[0]}). "
                "Finish signing in (and any code or puzzle) in the browser window; the run goes on by itself."
            )
            try:
                self.session.page.wait_for_url(
                    lambda url: not any(p in url for p in signin_paths), timeout=SIGN_IN_WAIT_S * 1000
                )
            except PlaywrightTimeout:
                raise NeedsPerson(
                    "Nobody finished signing in within 15 minutes.",
                    "Run `safet-filer login` to sign in, then run the same command again.",
                ) from None
            self.run.console.print("Signed in; going on with the same claim.")

    # -- asking, then the one submit ------------------------------------------------------------------------------
    def _ask_and_submit(self, review: Review) -> None:
        proposal = Proposal(
            label=self.checked.label,
            deadline=str(self.checked.deadline) if self.checked.deadline else None,
            order_id=review.order_id,
            items=[(i.asin, i.quantity, i.reason, i.sub_reason) for i in review.items],
            description=review.description,
            tracking_id=review.tracking_id,
            documents=review.documents,
            screenshot=self.review_shot,
            site=self.run.base_url,
        )
        decision = self.run.ask(proposal)
        if decision is Decision.SKIP:
            self._move(State.SKIPPED, message="Skipped by the person at the review step.")
            return
        if decision is Decision.QUIT:
            self._move(State.SKIPPED, message="Not submitted: the person stopped the run here.")
            raise NeedsPerson("You stopped the run.", "Run the same command again to go on where you left off.")
        review_step = ReviewStep(*self._site_args())
        review_step.accept_policy()
        confirmed_by = self.run.confirmer.confirmed_by
        self._move(
            State.SUBMITTING,
            confirmed_by=confirmed_by,
            fingerprint=fingerprint(self.checked),
            message="Submit pressed; waiting for the result.",
        )
        try:
            review_step.press_submit()
            claim_id = ResultPage(*self._site_args()).claim_id(self.run.settings.submit_timeout_s * 1000)
        except KeyboardInterrupt:
            self._unknown("Interrupted after Submit was pressed")
            raise
        except SignInRequired as exc:  # the session ended as the claim went in: it may or may not have got there
            self._unknown("Seller Central asked to sign in instead of showing the result of Submit")
            self._wait_for_sign_in(exc, after_submit=True)  # headless, the run stops here
            self._file()  # signed in again: the same claim, starting with the dashboard look-up
            return
        except (SiteError, PlaywrightError) as exc:
            self._unknown(f"No result after Submit ({first_line(exc)})")
            if isinstance(exc, PlaywrightError) or not self.session.alive():
                self.session.restart()
            return
        self._move(State.FILED, claim_id=claim_id, message=f"Filed as SAFE-T claim {claim_id}.")
        self._shot("result")

    def _unknown(self, why: str) -> None:
        self._keep_failure()
        self._move(
            State.UNKNOWN,
            message=f"{why}. Whether the claim reached Seller Central is not known; "
            "the next run (or `safet-filer reconcile`) checks the dashboard before filing anything.",
        )

    # -- recording ---------------------------------------------------------------------------------------------
    def _record_refusal(self, eligibility: Eligibility) -> None:
        entry = self.ledger.get(*self.key)
        if eligibility.outcome == "claim_exists":
            ours = entry is not None and entry.submit_attempts > 0
            self._move(
                State.FILED if ours else State.ALREADY_FILED,
                claim_id=eligibility.existing_claim_id,
                message=eligibility.message,
            )
        else:
            self._move(State.INELIGIBLE, outcome=eligibility.outcome, message=eligibility.message)

    def _fail(self, message: str) -> None:
        self._keep_failure()
        self._move(State.FAILED, message=message)

    def _keep_failure(self) -> None:
        if self.session.page is not None:
            self.run.folder.keep_failure(self.session.page, self.record)

    def _show(self, entry: Entry) -> None:
        """The claim's record in the report, as the ledger now has it."""
        self.record.state = entry.state.value
        self.record.message = entry.message or ""
        self.record.claim_id = entry.claim_id
        self.record.confirmed_by = entry.confirmed_by

    def _move(self, state: State, **details) -> None:
        entry = self.ledger.move(*self.key, state, run_id=self.run.folder.run_id, **details)
        self._show(entry)
        # The console hears outcomes; the steps in between go to the run's log file only.
        level = {State.FAILED: "WARNING", State.UNKNOWN: "WARNING", State.READY: "DEBUG", State.SUBMITTING: "DEBUG"}
        self.log.log(
            level.get(state, "INFO"),
            "{}: {}: {}",
            self.checked.label,
            state.value.replace("_", " "),
            entry.message or "",
        )

    def _shot(self, step: str):
        return self.run.folder.screenshot(self.session.page, self.record, step)

    def _site_args(self) -> tuple:
        return (self.session.page, self.labels, self.run.base_url, self.run.settings.step_timeout_s * 1000)


def repeat_step(action, session: BrowserSession, attempts: int, label: str):
    """Run `action`, repeating it when a step fails: only for steps that are safe to repeat (nothing is submitted
    by them), and not once the browser itself is gone (a crash: repeating cannot help)."""

    def worth_repeating(exc: BaseException) -> bool:
        return isinstance(exc, StepFailed) and session.alive()

    def log_retry(state: RetryCallState) -> None:
        exc = state.outcome.exception() if state.outcome else None
        step = exc.step if isinstance(exc, StepFailed) else "step"
        logger.warning(
            "{}: {} failed ({}); trying again (attempt {} of {})",
            label,
            step,
            getattr(exc, "message", exc),
            state.attempt_number + 1,
            attempts,
        )

    retrying = Retrying(
        retry=retry_if_exception(worth_repeating),
        stop=stop_after_attempt(attempts),
        wait=RETRY_WAIT,
        before_sleep=log_retry,
        reraise=True,
    )
    return retrying(action)


def reconcile(ledger: Ledger, dashboard: Dashboard, marketplace: str, order_id: str, *, run_id: str | None) -> Entry:
    """Look the order up on the dashboard: a claim there is recorded as filed; none means it may be filed again."""
    entry = ledger.get(marketplace, order_id)
    assert entry is not None
    found = dashboard.claims_for(order_id)
    if found:
        claim = found[0]
        return ledger.move(
            marketplace,
            order_id,
            State.FILED,
            run_id=run_id,
            claim_id=claim.claim_id,
            message=f"Found on the dashboard as {claim.claim_id} ({claim.status}): an earlier submit went through.",
        )
    if entry.state in NEEDS_RECONCILING:
        return ledger.found_absent(
            marketplace,
            order_id,
            run_id=run_id,
            message="Not on the dashboard: the earlier submit did not go through; it will be filed again.",
        )
    return entry


def where_texts_differ(shown: str, claimed: str, context: int = 20) -> str:
    """Where two texts first part, quoted from both (texts of different length part where the shorter ends)."""
    shown, claimed = " ".join(shown.split()), " ".join(claimed.split())
    at = next(
        (i for i, (a, b) in enumerate(zip(shown, claimed, strict=False)) if a != b), min(len(shown), len(claimed))
    )
    start = max(at - context, 0)

    def quote(text: str) -> str:
        return ("…" if start else "") + text[start : at + context] + ("…" if at + context < len(text) else "")

    return f'the page shows "{quote(shown)}", the claim says "{quote(claimed)}"'


def compare(checked: CheckedClaim, quantities: dict[str, int], review: Review, labels: SiteLabels) -> list[str]:
    """Each way the review page differs from the claim, in words; empty when they agree."""
    claim = checked.claim

    def same(shown: str | None, claimed: str | None) -> bool:  # the page may wrap or trim white space
        return " ".join((shown or "").split()) == " ".join((claimed or "").split())

    def shown(value: str) -> str:  # the page's "—" stands for nothing
        return "" if value.strip() == labels.none_shown else value

    differences = []
    if not same(review.order_id, checked.order_id):
        differences.append(f"order ID shows {review.order_id!r}, the claim says {checked.order_id!r}")
    if not same(review.description, claim.description):
        differences.append(
            f"the description differs from the claim's: {where_texts_differ(review.description, claim.description)}"
        )
    if not same(shown(review.tracking_id), claim.tracking_id or ""):
        differences.append(f"tracking ID shows {review.tracking_id!r}, the claim says {claim.tracking_id or 'none'!r}")
    expected_docs = sorted(p.name for p in checked.attachment_paths)
    if sorted(review.documents) != expected_docs:
        differences.append(
            f"documents show {', '.join(review.documents) or 'none'}, the claim has "
            f"{', '.join(expected_docs) or 'none'}"
        )
    reason, sub = labels.reason_texts(claim.reason.code, claim.sub_reason_to_file)
    rows = {item.asin: item for item in review.items}
    for asin, quantity in quantities.items():
        row = rows.pop(asin, None)
        if row is None:
            differences.append(f"item {asin} is missing")
            continue
        if row.quantity.strip() != str(quantity):
            differences.append(f"quantity of {asin} shows {row.quantity!r}, the claim says {quantity}")
        if not same(row.reason, reason):
            differences.append(f"reason of {asin} shows {row.reason!r}, the claim says {reason!r}")
        if not same(shown(row.sub_reason), sub):
            differences.append(f"sub-reason of {asin} shows {row.sub_reason!r}, the claim says {sub or 'none'!r}")
    for asin in rows:
        differences.append(f"item {asin} is listed but not in the claim")
    return differences
