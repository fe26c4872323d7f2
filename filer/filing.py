"""One claim's course: settled from the ledger or reconciled when a submit may have happened, then the wizard filled
to its review step, read back, put to the person and submitted once, every state committed to the ledger.

The course gets a small `CourseContext` from the run and works on a `ClaimSite` (course_context.py); what it puts
into the wizard is wizard_claim.py's, what it holds of a claim filled ahead fill_ahead.py's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import TypeVar

from loguru import logger

from safet_filer.claims import CheckedClaim, Claim, fingerprint
from safet_filer.confirm import Decision, Proposal
from safet_filer.course_context import CourseContext, may_have_been_submitted, refused_for_good
from safet_filer.errors import NeedsPerson
from safet_filer.fill_ahead import FilledAhead, fill_ahead
from safet_filer.flows.claim_wizard import BrowserStopped, FilledClaim, ReviewGone, StepReport, StepSeen
from safet_filer.flows.site import AutomationRestricted, ElementMissing, LeftSite, SignInRequired, SiteError, StepFailed
from safet_filer.flows.wizard import Eligibility, EligibilityAnswer, Review
from safet_filer.ledger import DONE, Entry, State
from safet_filer.read_back import compare
from safet_filer.reconcile import reconcile, repeat_step
from safet_filer.report import ClaimRecord, FailureEvidence
from safet_filer.settings import minutes
from safet_filer.teach import how_to_teach
from safet_filer.wizard_claim import ClaimProblem, wizard_claim

T = TypeVar("T")


class ClaimCourse(StepReport):
    """One claim from its ledger entry to its outcome; it hears the wizard's steps and keeps their screenshots."""

    def __init__(self, context: CourseContext, checked: CheckedClaim, record: ClaimRecord):
        assert checked.claim is not None, "only a valid claim is filed"
        self.ctx = context
        self.site = context.site
        self.ledger = context.ledger
        self.checked = checked
        self.claim: Claim = checked.claim
        self.record = record
        self.key = (context.marketplace, checked.order_id)
        self.log = logger.bind(order_id=checked.order_id, claim=checked.index)
        self.shots: dict[str, Path] = {}
        self.asked_to_show: set[str] = set()  # labels the person was asked to show, once each per claim
        self.ahead: FilledAhead | None = None  # filled while the person was asked about the claim before
        self.held_evidence: FailureEvidence | None = None  # of the page where the fill ahead failed
        self.held_trace: bytes | None = None
        self.confirmed: Review | None = None  # the review the person said yes to

    # -- the claim's whole course ------------------------------------------------------------------------------
    def run(self) -> None:
        """Settle the claim from the ledger when an earlier run did; otherwise file it, with a trace kept if it fails."""
        entry = self.ledger.get(*self.key)
        if entry and entry.state in DONE:
            self.record.state, self.record.claim_id = entry.state, entry.claim_id
            self.record.message = "Already filed in an earlier run; not filed again."
            if entry.fingerprint and entry.fingerprint != fingerprint(self.checked):
                self.record.message = (
                    "This claim changed since it was filed (claim ID "
                    f"{entry.claim_id}); it is not refiled. Reply on the claim's page if Amazon needs the new details."
                )
            self.log.info("{}: {}", self.checked.label, self.record.message)
            return
        if entry and refused_for_good(entry):
            self.record.state, self.record.message = entry.state, f"Seller Central said earlier: {entry.message}"
            self.log.info("{}: ineligible in an earlier run; not tried again", self.checked.label)
            return
        self.site.trace_start(self.checked.order_id)
        failed = True
        try:
            self._file()
            failed = self.record.state in (State.FAILED, State.UNKNOWN)
        finally:
            self.site.trace_stop(self.ctx.folder.trace_path(self.record) if failed else None)
            if failed:
                self.ctx.folder.add_trace(self.record, filled_ahead=self.held_trace)

    def _file(self) -> None:
        try:
            if self._until_signed_in(self._settled_by_reconciling):
                return
            filled = self._until_signed_in(lambda: self._retrying(self._fill_taught))
            if filled.review is None:
                self._record_refusal(filled.eligibility)
                return
            differences = compare(self.checked, filled.quantities, filled.review, self.site.labels)
            if differences:
                self._fail(
                    "The review page does not show what the claim says, so it was not submitted: "
                    + "; ".join(differences)
                    + ". Check the screenshot, then run again."
                )
                return
            if self.record.state is not State.READY:  # (filled again after a restart, it is READY already)
                self._move(State.READY, message="Filled up to the review step.")
            if self.ctx.rehearse:
                self.record.message = "Rehearsed: every step filled; not submitted (--rehearse)."
                self.log.info("{}: {}", self.checked.label, self.record.message)
                return
            self._ask_and_submit(filled.review)
        except ClaimProblem as problem:
            self._fail(str(problem))
        except StepFailed as exc:
            if not self.site.alive():  # the step failed because the browser died under it
                self._browser_crashed(exc.message)
                return
            taught = (
                f" {how_to_teach(exc, self.ctx.config_file)}" if isinstance(exc, ElementMissing) and exc.label else ""
            )
            self._fail(
                f"Could not {exc.step}: {exc.message}. The claim was not submitted; run again to retry it.{taught}"
            )
        except LeftSite as exc:
            self._fail(f"{exc} Nothing more was typed; the claim was not submitted.")
        except AutomationRestricted as exc:
            self._fail(f"{exc} Stopped at once, as Amazon's Agent Policy asks.")
            raise self._stop_restricted() from None
        except BrowserStopped as exc:
            self._browser_crashed(str(exc))

    def _stop_restricted(self) -> NeedsPerson:
        return NeedsPerson(
            f"Seller Central restricts automated access ({self.checked.label}).",
            "Amazon's Agent Policy asks automated tools to stop when told to: file the rest by hand, "
            "or contact Seller Support before running safet-filer again.",
        )

    def _browser_crashed(self, why: str) -> None:
        """Record the claim as failed (nothing was submitted) and start a new browser for the claims after it
        (unless one was started since, as when the claim was filled ahead)."""
        self._fail(f"The browser stopped responding ({why}); it was restarted. The claim was not submitted.")
        if not self.site.alive():
            self.site.restart()

    # -- reconciliation: did an earlier submit go through? -------------------------------------------------------
    def _settled_by_reconciling(self) -> bool:
        entry = self.ledger.get(*self.key)
        if entry is None or not may_have_been_submitted(entry):
            return False
        self.ctx.step(f"{self.checked.order_id}: checking the dashboard for an earlier submit")
        entry = self._retrying(lambda: reconcile(self.ledger, self.site, *self.key, run_id=self.ctx.folder.run_id))
        self._show(entry)
        self.log.info("{}: {}", self.checked.label, entry.message)
        return entry.state == State.FILED

    # -- filling ahead, while the person is asked about the claim before this one -------------------------------
    def fill_ahead(self, answered: Callable[[], Decision | None]) -> None:
        """Fill this claim up to its review on its own tab while the person is asked about the claim before it
        (`answered`: their answer so far). What the fill meets is held for the claim's turn (see fill_ahead.py),
        except a page restricting automated access: that stops the run at once, before anything else is submitted."""
        self.ahead = None
        entry = self.ledger.get(*self.key)
        if entry is not None and (entry.state in DONE or refused_for_good(entry) or may_have_been_submitted(entry)):
            return  # its turn settles it from the ledger or the dashboard: nothing to fill
        aside = self.ctx.folder.path / f".trace-{self.record.index + 1:03d}.zip"
        ahead = fill_ahead(self.site, self.checked, self.ctx.step, answered, aside)
        if ahead is not None and isinstance(ahead.error, AutomationRestricted):
            self._record_steps(ahead.shots, ahead.steps)
            self.held_evidence = ahead.evidence  # the restricted page, as it was met
            self._fail(
                f"{ahead.error} Stopped at once, as Amazon's Agent Policy asks; the claim before it was not submitted."
            )
            self.ctx.folder.add_trace(self.record, filled_ahead=ahead.trace)
            raise self._stop_restricted()
        self.ahead = ahead
        if ahead is not None and ahead.error is not None:
            self.log.debug("{}: filling ahead stopped ({}); taken up in its turn", self.checked.label, ahead.error)
        elif ahead is not None:
            self.log.debug("{}: filled ahead up to its review", self.checked.label)

    def _from_ahead(self) -> FilledClaim | None:
        """The outcome of the fill ahead, recorded now as this fill's (its error raised as this fill's), when there
        is one and, for a review, the browser is the one it was filled in; None when the wizard must be filled. (Its
        submit checks that the page still shows that review.)"""
        ahead, self.ahead = self.ahead, None
        if ahead is None:
            return None
        if ahead.filled is not None and ahead.filled.review is not None and ahead.opened != self.site.opened:
            self.log.debug(
                "{}: the browser was started anew since it was filled ahead; filling again", self.checked.label
            )
            return None
        self.log.info("{}: filled ahead while the claim before it was reviewed", self.checked.label)
        return self._take(ahead)

    def _take(self, ahead: FilledAhead) -> FilledClaim:
        self._record_steps(ahead.shots, ahead.steps)
        if ahead.error is not None:
            self.held_evidence, self.held_trace = ahead.evidence, ahead.trace
            raise ahead.error
        assert ahead.filled is not None
        return ahead.filled

    def _record_steps(self, shots: list[tuple[str, bytes]], steps: list[StepSeen]) -> None:
        for step, png in shots:
            self.shot(step, png)
        self.record.steps_seen.extend(asdict(step) for step in steps)

    # -- filling the wizard up to the review step (safe to repeat) ----------------------------------------------
    def _until_signed_in(self, action: Callable[[], T]) -> T:
        """Run `action`; when Seller Central asks to sign in, wait for the person (headed) and run it again."""
        while True:
            try:
                return action()
            except SignInRequired as exc:
                self._wait_for_sign_in(exc)

    def _fill_taught(self) -> FilledClaim:
        """Fill once; when a step cannot find what a label names and the person can show it, fill again with the
        word learned from their click (nothing had been submitted). Each label is asked for once per claim."""
        while True:
            try:
                return self._fill_once()
            except ElementMissing as missing:
                if self.ctx.learn is None or missing.label is None or missing.label in self.asked_to_show:
                    raise
                self.asked_to_show.add(missing.label)
                labels = self.ctx.learn(missing, self.checked.label)
                if labels is None:
                    raise
                self.site.labels = labels

    def _fill_once(self) -> FilledClaim:
        self.record.screenshots.clear()
        self.record.steps_seen.clear()
        self.shots.clear()
        self.held_evidence = self.held_trace = None
        filled = self._from_ahead() or self.site.fill_to_review(wizard_claim(self.checked), self)
        if filled.review is not None:
            self.record.reviewed = asdict(filled.review)
        return filled

    def _retrying(self, action: Callable[[], T]) -> T:
        return repeat_step(action, self.site.alive, self.ctx.settings, self.checked.label)

    def _wait_for_sign_in(self, exc: SignInRequired, *, after_submit: bool = False) -> None:
        if not self.site.headed:
            raise NeedsPerson(
                f"Seller Central asked you to sign in just as {self.checked.label} was submitted; the next run "
                "checks the dashboard for it before filing anything."
                if after_submit
                else f"Seller Central asks you to sign in ({self.checked.label} was not submitted).",
                "Run `safet-filer login`, sign in in the window that opens (tick 'Keep me signed in'), then run "
                "the same command again, or run with --headed and sign in when asked. Claims already filed are "
                "not filed again.",
            )
        with self.ctx.with_person():  # waiting on the person, like a prompt: Ctrl-C stops at once
            self.ctx.tell(
                f"[bold yellow]Seller Central asks you to sign in[/bold yellow] ({exc.url.split('?')[0]}). "
                "Finish signing in (and any code or puzzle) in the browser window; the run goes on by itself."
            )
            if not self.site.wait_until_signed_in():
                raise NeedsPerson(
                    f"Nobody finished signing in within {minutes(self.ctx.settings.sign_in_timeout_s)}.",
                    "Run `safet-filer login` to sign in, then run the same command again.",
                )
            self.ctx.tell("Signed in; going on with the same claim.")

    # -- what the wizard reports (StepReport) ------------------------------------------------------------------
    def begin(self, step: str) -> None:
        self.ctx.step(f"{self.checked.order_id}: {step}")

    def shot(self, step: str, png: bytes) -> None:
        self.shots[step] = self.ctx.folder.screenshot(self.record, step, png)

    def seen(self, step: StepSeen) -> None:
        self.record.steps_seen.append(asdict(step))

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
            refunded_amount=self.checked.refunded_amount,
            currency=self.checked.currency,
            screenshot=self.shots["review"],
            site=self.ctx.base_url,
        )
        self.site.front()
        if review == self.confirmed:  # filled again after the browser was started anew: confirmed already
            decision = Decision.SUBMIT
            self.log.info("{}: the review reads as you confirmed it; submitting", self.checked.label)
        else:
            decision = self.ctx.ask(proposal)
        if decision is Decision.SKIP:
            self._move(State.SKIPPED, message="Skipped by the person at the review step.")
            return
        if decision is Decision.QUIT:
            self._move(State.SKIPPED, message="Not submitted: the person stopped the run here.")
            raise NeedsPerson("You stopped the run.", "Run the same command again to go on where you left off.")
        try:
            claim_id = self._submit_once()
        except (ReviewGone, BrowserStopped) as exc:  # before the press: nothing was submitted
            if self.confirmed is not None:  # filled again already: fail as any step would
                raise
            # The review page went while the person read (the browser stopped, the site moved on): what they
            # confirmed is filled again, and submitted unasked if its review reads the same.
            self.log.warning("{}: {} before the submit; filling the claim again", self.checked.label, exc)
            self.confirmed = review
            if not self.site.alive():
                self.site.restart()
            self._file()
            return
        if claim_id is None:  # unknown whether it went through, and recorded so; or filed by a second course
            return
        self._move(State.FILED, claim_id=claim_id, message=f"Filed as SAFE-T claim {claim_id}.")
        opened = self.site.opened
        self.ctx.later(lambda: self._shoot_result(opened))

    def _shoot_result(self, opened: int) -> None:
        """The result's screenshot is evidence only: one that cannot be taken is noted, never the claim's outcome.
        It may be taken later, while the person reads the next claim: not once the browser was started anew."""
        if self.site.opened != opened:
            self._note_no_result_shot("the browser was started again before it was taken")
            return
        try:
            self.shot("result", self.site.screenshot())
        except (SiteError, OSError) as exc:
            self._note_no_result_shot(str(exc))
            if not self.site.alive():  # the browser went with it: the next claim gets a new one
                self.site.restart()

    def _note_no_result_shot(self, why: str) -> None:
        note = f"The result's screenshot could not be taken ({why}); the claim is filed all the same."
        self.record.message = f"{self.record.message} {note}"
        self.log.warning("{}: {}", self.checked.label, note)

    def _submit_once(self) -> str | None:
        """Press Submit once, committing `submitting` just before; the claim ID, or None when the result is unknown.
        Before the press an error is the claim's failure as anywhere else; after it the claim is `unknown` and the
        dashboard is checked before anything else is done with it."""
        pressed = False

        def commit_submitting() -> None:
            nonlocal pressed
            self._move(
                State.SUBMITTING,
                confirmed_by=self.ctx.confirmed_by,
                fingerprint=fingerprint(self.checked),
                message="Submit pressed; waiting for the result.",
            )
            pressed = True

        self.ctx.pace()
        try:
            return self.site.submit(self.checked.order_id, commit_submitting, self.ctx.settings.submit_timeout_s)
        except KeyboardInterrupt:
            if pressed:
                self._unknown("Interrupted after Submit was pressed")
            raise
        except SignInRequired as exc:
            if pressed:  # the session ended as the claim went in: it may or may not have got there
                self._unknown("Seller Central asked to sign in instead of showing the result of Submit")
            self._wait_for_sign_in(exc, after_submit=pressed)  # headless, the run stops here
            self._file()  # signed in again: the same claim, starting with the dashboard look-up
            return None
        except SiteError as exc:
            if not pressed:
                raise
            self._unknown(f"No result after Submit ({exc})")
            if isinstance(exc, AutomationRestricted):  # it may have gone through; the run stops all the same
                raise self._stop_restricted() from None
            if isinstance(exc, BrowserStopped) or not self.site.alive():
                self.site.restart()
            return None

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
        if eligibility.outcome is EligibilityAnswer.CLAIM_EXISTS:
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
        evidence, self.held_evidence = self.held_evidence or self.site.failure_evidence(), None
        self.ctx.folder.keep_failure(self.record, evidence)

    def _show(self, entry: Entry) -> None:
        """The claim's record in the report, as the ledger now has it."""
        self.record.state = entry.state
        self.record.message = entry.message or ""
        self.record.claim_id = entry.claim_id
        self.record.confirmed_by = entry.confirmed_by

    def _move(
        self,
        state: State,
        *,
        message: str,
        claim_id: str | None = None,
        outcome: str | None = None,
        fingerprint: str | None = None,
        confirmed_by: str | None = None,
    ) -> None:
        entry = self.ledger.move(
            *self.key,
            state,
            run_id=self.ctx.folder.run_id,
            message=message,
            claim_id=claim_id,
            outcome=outcome,
            fingerprint=fingerprint,
            confirmed_by=confirmed_by,
        )
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
