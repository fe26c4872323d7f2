"""One SAFE-T claim's page (`/safet-claims/claim/<id>`): its details, its message thread, and the Reply and Appeal forms.

Page objects only: they say what the page shows (texts, as the page writes them) and do what is asked; whether a
message may be sent, and what its answer means, is decided above them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Locator, expect

from safet_filer.errors import first_line
from safet_filer.flows.site import SitePage, StepFailed, key_value_rows

CLAIM_PATH = "/safet-claims/claim/{}"


@dataclass(frozen=True)
class ThreadMessage:
    """One message of a claim's thread as the page writes it: its type (Reply, Appeal, Amazon's), date and text."""

    type: str
    date: str
    text: str
    documents: str


@dataclass(frozen=True)
class FormContent:
    """What a Reply or Appeal form holds, read back from the page before Send."""

    message: str
    documents: list[str]


class ClaimPage(SitePage):
    STEP = "read the claim's page"

    @property
    def details_table(self) -> Locator:
        return self.page.get_by_role("table", name=self.labels.claim_details_table)

    @property
    def thread(self) -> Locator:
        return self.page.get_by_role("list", name=self.labels.messages_list, exact=True)

    def open(self, claim_id: str) -> None:
        self.goto(CLAIM_PATH.format(claim_id))
        self.wait_for(self.details_table, self.STEP)

    def details(self) -> dict[str, str]:
        """The claim's details as the page labels them (SAFE-T claim ID, Claim status, Reimbursement amount …)."""
        try:
            return key_value_rows(self.details_table)
        except PlaywrightError as exc:
            self.check_site()
            raise StepFailed(self.STEP, f"could not read the claim's details ({first_line(exc)})") from None

    def messages(self) -> list[ThreadMessage]:
        """Every message in the claim's thread, oldest first (none when the page shows no thread)."""
        lab = self.labels
        found = []
        try:
            for item in self.thread.get_by_role("listitem").all():
                facts = _definitions(item)
                found.append(
                    ThreadMessage(
                        type=facts.get(lab.message_type, ""),
                        date=facts.get(lab.message_date, ""),
                        text=facts.get(lab.message_text, ""),
                        documents=facts.get(lab.message_documents, ""),
                    )
                )
        except PlaywrightError as exc:
            self.check_site()
            raise StepFailed(self.STEP, f"could not read the claim's messages ({first_line(exc)})") from None
        return found

    def in_thread(self, type_name: str, text: str) -> Locator:
        """The thread's messages of this type (Reply, Appeal) with exactly this text (white space aside)."""
        items = self.thread.get_by_role("listitem")
        return items.filter(has=self.page.get_by_text(type_name, exact=True)).filter(
            has=self.page.get_by_text(text, exact=True)
        )

    def wait_for_message(
        self, type_name: str, text: str, seen_before: int, form: MessageForm, timeout_ms: float
    ) -> str | None:
        """After Send: wait until the thread shows one more such message (None), or the form's alert (its text).

        StepFailed when neither shows in time: whether the message reached the site is then not known.
        """
        arrived = self.in_thread(type_name, text).nth(seen_before)
        try:
            expect(arrived.or_(form.form_alerts).or_(self._stop_signs).first).to_be_visible(timeout=timeout_ms)
        except AssertionError:
            self.check_site()
            raise StepFailed("send", "neither the message nor an answer showed in time") from None
        except PlaywrightError as exc:
            raise StepFailed("send", first_line(exc)) from None
        self.check_site()
        return None if arrived.count() else form.refusal()

    def open_form(self, button_name: str) -> MessageForm:
        """Press Reply or Appeal; the form it opens, once its Message box shows."""
        step = f"open the {button_name} form"
        button = self.button(button_name)
        self.wait_for(button, step)
        self.click(button, step)
        form = MessageForm(self.page, self.labels, self.base_url, self.timeout_ms)
        self.wait_for(form.message_box, step)
        return form


class MessageForm(SitePage):
    """The form Reply or Appeal opens: textbox Message, file input Upload supporting documents, button Send."""

    STEP = "fill the message"

    @property
    def scope(self) -> Locator:
        """The form itself when the page marks it as a region or dialog; its alerts are its answers."""
        box = self.page.get_by_role("textbox", name=self.labels.message_box, exact=True)
        return self.page.get_by_role("region").or_(self.page.get_by_role("dialog")).filter(has=box).last

    @property
    def message_box(self) -> Locator:
        return self.page.get_by_role("textbox", name=self.labels.message_box, exact=True)

    @property
    def uploaded(self) -> Locator:
        return self.page.get_by_role("list", name=self.labels.uploaded_files)

    @property
    def send_button(self) -> Locator:
        return self.button(self.labels.send)

    def fill(self, message: str, files: list[Path]) -> None:
        self.check_site()
        try:
            self.message_box.fill(message, timeout=self.timeout_ms)
        except PlaywrightError as exc:
            raise StepFailed(self.STEP, f"could not type the message ({first_line(exc)})") from None
        if not files:
            return
        try:
            self.page.get_by_label(self.labels.upload, exact=True).set_input_files(
                [str(f) for f in files], timeout=self.timeout_ms
            )
        except PlaywrightError as exc:
            raise StepFailed(self.STEP, f"could not choose the files ({first_line(exc)})") from None
        for f in files:
            listed = self.uploaded.get_by_role("listitem").filter(has_text=f.name)
            self.wait_for(listed.or_(self.form_alerts), self.STEP)
            refused = self.refusal()
            if refused:
                raise StepFailed(self.STEP, f"the site refused {f.name}: {refused}")

    def read_back(self) -> FormContent:
        """The message as the box holds it and the names of the files the form lists."""
        prefix = self.labels.remove_file_prefix
        try:
            message = self.message_box.input_value(timeout=self.timeout_ms)
            names = [
                text.strip().removeprefix(prefix)
                for text in self.uploaded.get_by_role("button").all_inner_texts()
                if text.strip().startswith(prefix)
            ]
        except PlaywrightError as exc:
            self.check_site()
            raise StepFailed(self.STEP, f"could not read the form back ({first_line(exc)})") from None
        return FormContent(message, names)

    def press_send(self) -> None:
        """Press Send once. Never repeated: a second press could send the message twice."""
        try:
            expect(self.send_button).to_be_enabled(timeout=self.timeout_ms)
        except AssertionError:
            raise StepFailed("send", "Send stayed disabled (the form is incomplete or still uploading)") from None
        self.click(self.send_button, "send")

    @property
    def form_alerts(self) -> Locator:
        return self.scope.get_by_role("alert").filter(visible=True)

    def refusal(self) -> str | None:
        """The form's own alert (the site's answer to it), if any; a site-wide notice elsewhere is not an answer."""
        texts = [t.strip() for t in self.form_alerts.all_inner_texts() if t.strip()]
        return " ".join(texts) or None


def _definitions(item: Locator) -> dict[str, str]:
    """A description list's terms and their definitions, in order, as {term: definition}."""
    terms = [t.strip() for t in item.get_by_role("term").all_inner_texts()]
    values = [d.strip() for d in item.get_by_role("definition").all_inner_texts()]
    return dict(zip(terms, values, strict=False))


def same_text(a: str, b: str) -> bool:
    """Two texts as a page shows them: white space runs and the ends do not count."""
    return re.sub(r"\s+", " ", a).strip() == re.sub(r"\s+", " ", b).strip()
