"""How long the flows take per claim on each layout of the mock's wizard, beside the default layout in the same run.

For each layout (the default first: the baseline), files the same claims through `ClaimWizard` in one Chromium
against the mock: the bundled scenario's order 3 (three items), once with a photo reason, once with a sub-reason,
once with a tracking ID; the site answers Check eligibility after a fixed 300 ms under every layout. Prints, per
layout, the seconds per claim (best of R runs), the ratio to the default layout's, and the longest single wait
for the page to change: a step that waited out its timeout would show as a wait near `--timeout`, and a claim
that takes several times the default's would show in the ratio.

Usage: python benchmarks/layouts_speed.py [--repeat R] [--timeout S] [--only NAME]
It asserts nothing (speed is read, not tested).
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path
from typing import Any

from playwright.sync_api import sync_playwright

from safet_filer.browser import find_browser
from safet_filer.fixtures.layouts import CHOICES
from safet_filer.fixtures.scenario import BUNDLED_SCENARIO
from safet_filer.fixtures.server import MockSellerCentral
from safet_filer.flows.claim_wizard import ClaimWizard, StepSeen, WizardClaim
from safet_filer.flows.labels import labels_for
from safet_filer.flows.site import close_announcements
from safet_filer.flows.wizard_page import WizardPage
from safet_filer.settings import load_settings

ORDER = "113-1000003-0000003"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF" + b"\x11" * 300
LAYOUTS: dict[str, dict[str, Any]] = {
    "default": {},
    **{f"{key}={value}": {key: value} for key, values in CHOICES.items() for value in values[1:]},
    "site_notice": {"site_notice": True},
    "all": {"all": True},
}
CLAIMS = [("ADMGD", None, None), ("RNOTR", "RNOTR-a", None), ("REPRF", None, "9400111899223344556677")]


class Quiet:
    def begin(self, step: str) -> None:
        pass

    def shot(self, step: str, png: bytes) -> None:
        pass

    def seen(self, step: StepSeen) -> None:
        pass


class Waits:
    """The longest single wait for the page to change, over the calls of WizardPage.settle."""

    def __init__(self) -> None:
        self.longest = 0.0
        original = WizardPage.settle

        def timed(page: WizardPage, *args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return original(page, *args, **kwargs)
            finally:
                self.longest = max(self.longest, time.perf_counter() - start)

        WizardPage.settle = timed  # type: ignore[method-assign]


def file_claims(site: MockSellerCentral, layout: dict[str, Any], wizard: ClaimWizard, photo: Path) -> float:
    """Seconds per claim for CLAIMS on `layout` (the site reset before each, so that order 3 is eligible again)."""
    elapsed = 0.0
    for reason, sub_reason, tracking in CLAIMS:
        site.reset()
        site.set_layout(**layout)
        claim = WizardClaim(
            order_id=ORDER,
            reason=reason,
            sub_reason=sub_reason,
            description="Returned in pieces; photos of the item and its label are attached.",
            tracking_id=tracking,
            choose_items=lambda items: {i.asin: 1 for i in items},
            attachments=lambda: [photo],
        )
        start = time.perf_counter()
        filled = wizard.fill_to_review(claim, Quiet())
        assert filled.review is not None, filled.eligibility
        wizard.submit(lambda: None, 30_000)
        elapsed += time.perf_counter() - start
    assert len(site.submissions()) == 1
    return elapsed / len(CLAIMS)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=15.0, help="the step timeout, in seconds")
    parser.add_argument("--only", action="append", default=[], help="a layout's name (repeatable)")
    options = parser.parse_args()
    names = ["default", *[n for n in LAYOUTS if n != "default" and (not options.only or n in options.only)]]
    scenario = json.loads(BUNDLED_SCENARIO.read_text())
    scenario["settings"]["eligibility_delay_ms"] = [300, 300]
    labels = labels_for("en")
    waits = Waits()
    with tempfile.TemporaryDirectory() as tmp, MockSellerCentral(scenario=scenario) as site, sync_playwright() as p:
        photo = Path(tmp) / "front.jpg"
        photo.write_bytes(JPEG)
        browser = p.chromium.launch(executable_path=str(find_browser(load_settings(), playwright=p).path))
        page = browser.new_page()
        close_announcements(page, labels)
        wizard = ClaimWizard(page, labels, site.url, options.timeout * 1000)
        file_claims(site, {}, wizard, photo)  # warm-up: the browser's first pages are slower
        print(f"{'layout':<24} {'s/claim':>8} {'ratio':>7} {'longest wait (s)':>17}")
        baseline = None
        for name in names:
            waits.longest = 0.0
            seconds = min(file_claims(site, LAYOUTS[name], wizard, photo) for _ in range(options.repeat))
            baseline = baseline or seconds
            print(f"{name:<24} {seconds:>8.2f} {seconds / baseline:>7.2f} {waits.longest:>17.2f}")
        browser.close()
    print(f"(step timeout {options.timeout:.0f} s; the site answers Check eligibility after 0.3 s)")


if __name__ == "__main__":
    main()
