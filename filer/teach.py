"""One click teaches the tool a word: when a step cannot find the element a label names, the person clicks it in the
browser window; the tool shows the role and name it read and, on yes, saves the name as a label override in the
person's settings file and uses it at once (the claim's fill is repeated: nothing had been submitted)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Protocol

from loguru import logger
from rich.markup import escape

from safet_filer.confirm import Confirmer
from safet_filer.errors import InvalidInput
from safet_filer.flows.labels import SiteLabels
from safet_filer.flows.picker import PickedElement
from safet_filer.flows.site import ElementMissing
from safet_filer.settings import Settings, label_sources, writable_config_file
from safet_filer.settings_file import label_line, save_label

PICK_WAIT_S = 5 * 60  # how long the tool waits for the person's click
TRIES = 2  # a click on the wrong kind of element is explained and asked again once


class PickingSite(Protocol):
    headed: bool

    def pick(self, timeout_s: float, armed: Callable[[], None]) -> PickedElement | None: ...


def how_to_teach(missing: ElementMissing, config_file: Path | None) -> str:
    """What the person can do when the page's word for a label changed: the settings line, or the headed click."""
    where = writable_config_file(config_file)
    example = missing.offered[0] if len(missing.offered) == 1 else "the page's word"
    return (
        f"If the page now calls it something else, put {label_line(str(missing.label), example)} under [labels] "
        f"in {where}, or run with --headed and click it in the window when asked."
    )


class Teacher:
    """Learns the page's words from the person's clicks during one run; `learned` holds them, over the settings."""

    def __init__(
        self,
        site: PickingSite,
        settings: Settings,
        marketplace: str,
        config_file: Path | None,
        confirmer: Confirmer,
        with_person: Callable[[], AbstractContextManager[None]],
        tell: Callable[[str], None],
    ):
        self.site = site
        self.settings = settings
        self.marketplace = marketplace
        self.config_file = writable_config_file(config_file)
        self.given_config = config_file
        self.confirmer = confirmer
        self.with_person = with_person
        self._tell = tell
        self.learned: dict[str, str] = {}

    def learn(self, missing: ElementMissing, who: str) -> SiteLabels | None:
        """Ask the person to click what `missing` names; the labels with the word learned, or None when they
        declined, clicked nothing in time, clicked the wrong kind of element twice, or kept the word unsaved."""
        assert missing.label is not None, "only a labelled element can be taught"
        if not isinstance(getattr(self.settings.site_labels(self.marketplace), missing.label, None), str):
            return None  # a list or table of words (sign-in boxes, reason texts) is set in [labels] by hand
        with self.with_person():
            offered = ", ".join(missing.offered) or "none"
            self.tell(
                f"{who}: the page shows no {missing.role} named '{missing.name}' "
                f"({missing.role}s on the page: {offered})."
            )
            if not self.confirmer.agrees(f"Show the tool the {missing.role} for '{missing.name}' in the browser?"):
                return None
            picked = self._pick(missing)
            if picked is None:
                return None
            learned = f"{picked.role} '{picked.name}' for '{missing.name}'"
            if not self.confirmer.agrees(f"Learned: {learned}. Save it as the label {missing.label} and go on?"):
                return None
            self._save(missing.label, picked.name)
            self.learned[missing.label] = picked.name
            logger.debug("{}: learned the page's word for the label {}", who, missing.label)
            self.tell("Going on with the same claim; its steps are filled again from the start.")
        return self.settings.site_labels(self.marketplace, self.learned)

    def _pick(self, missing: ElementMissing) -> PickedElement | None:
        for attempt in range(1, TRIES + 1):
            ask = (
                f"Click the {missing.role} that does '{missing.name}' in the browser window (the page will not act "
                f"on that click; it only shows the tool what to look for). Waiting up to {PICK_WAIT_S // 60} minutes…"
            )
            picked = self.site.pick(PICK_WAIT_S, functools.partial(self.tell, ask))
            if picked is None:
                self.tell(f"No click came within {PICK_WAIT_S // 60} minutes.")
                return None
            if picked.role == missing.role and picked.name.strip():
                if picked.name.strip() == missing.name.strip():
                    self.tell(f"That {picked.role} is named '{picked.name}', the word the tool already looks for.")
                    return None
                return picked
            what = f"a {picked.role} named '{picked.name}'" if picked.role else "something without a role"
            if not picked.name.strip() and picked.role:
                what = f"a {picked.role} without a name"
            again = " Try once more." if attempt < TRIES else ""
            self.tell(f"That is {what}, not a {missing.role} with a name the tool can look for.{again}")
        return None

    def tell(self, text: str) -> None:
        self._tell(escape(text))  # the page's words and [labels] are text, not console markup

    def _save(self, label: str, word: str) -> None:
        try:
            save_label(self.config_file, label, word)
        except InvalidInput as cannot:
            self.tell(f"{cannot.message} {cannot.hint} It is used for the rest of this run.")
            return
        self.tell(f"Saved in {self.config_file}: {label_line(label, word)} under [labels].")
        shadowing = label_sources(self.given_config).get(label, "")
        if shadowing in ("environment", ".env"):
            self.tell(
                f"The {shadowing} also sets this label (SAFET_LABELS__{label.upper()}) and wins over the file: "
                "remove it there, or later runs keep the old word."
            )
