"""A renamed button in real Chromium against the mock: the failure names what the page offers and keeps its ARIA
snapshot; a `[labels]` override fixes the run; and headed, the person's click in the run's own window teaches the
tool the new word, which files that claim and the next (checked through /__fixture__/submissions).

The test plays the person: it answers at the run's pseudo-terminal and clicks in the run's browser window, reached
over the debugging port that the browser_args setting opens.
"""

from __future__ import annotations

import json
import os
import sys
import tomllib

import pexpect
import pytest
from runs import claim, isolated_env, ledger_rows, order_id, safet, write_claims

from safet_filer.fixtures.server import MockSellerCentral

pytestmark = pytest.mark.e2e
RENAMED = {"labels": {"Check eligibility": "Verify order"}}
QUICK = {"SAFET_STEP_TIMEOUT_S": "5", "SAFET_RETRIES": "1"}  # the missing button is given up on after 5 s


def test_a_renamed_button_fails_with_the_names_found_and_a_labels_override_fixes_the_run(tmp_path):
    home = tmp_path / "home"
    claims_file = write_claims(tmp_path, [claim(1, "damaged", tmp_path)])
    with MockSellerCentral(claims_file=claims_file, layout=RENAMED) as site:
        failed = safet(home, "run", str(claims_file), "--base-url", site.url, "--yes", env=QUICK)
        assert failed.status == 1, failed.output
        message = ledger_rows(home)[order_id(1)][2]
        assert "the page shows no button named 'Check eligibility' (buttons on the page: Verify order, Cancel)" in (
            message
        )
        claim_dir = next((failed.run_folder / "claims").iterdir())
        aria = (claim_dir / "failure.aria.yml").read_text()
        assert '- button "Verify order"' in aria and '- textbox "Order ID"' in aria
        assert 'href="claims/' in (report := (failed.run_folder / "report.html").read_text())
        assert "failure.aria.yml" in report
        assert site.submissions() == []

        config = tmp_path / "settings.toml"
        config.write_text('[labels]\ncheck_eligibility = "Verify order"\n')
        fixed = safet(home, "--config", str(config), "run", str(claims_file), "--base-url", site.url, "--yes")
        assert fixed.status == 0, fixed.output
        (stored,) = site.submissions()
        assert stored["order_id"] == order_id(1)
        assert [(i["asin"], i["quantity"]) for i in stored["items"]] == [("B0TEST0001", 1)]


@pytest.mark.skipif(not os.environ.get("DISPLAY"), reason="needs a display (run the suite under xvfb-run -a)")
def test_headed_the_person_clicks_the_renamed_button_and_the_saved_word_files_this_claim_and_the_next(
    tmp_path, playwright
):
    home = tmp_path / "home"
    orders = [order_id(1), order_id(2)]
    claims_file = write_claims(tmp_path, [claim(1, "damaged", tmp_path), claim(2, "damaged", tmp_path)])
    env = isolated_env(home, {**QUICK, "SAFET_BROWSER_ARGS": json.dumps(["--remote-debugging-port=0"])})
    with MockSellerCentral(claims_file=claims_file, layout=RENAMED) as site:
        run = pexpect.spawn(
            sys.executable,
            ["-m", "safet_filer", "run", str(claims_file), "--base-url", site.url, "--yes", "--headed"],
            env=env,
            encoding="utf-8",
            timeout=90,
            dimensions=(50, 160),
        )
        try:
            run.expect("in the browser\\?")  # "Show the tool the button for 'Check eligibility' …" (quotes coloured)
            run.sendline("y")
            run.expect("in the browser window")  # "Click the button that does 'Check eligibility' …"
            port = (home / "profile" / "DevToolsActivePort").read_text().splitlines()[0]
            browser = playwright.chromium.connect_over_cdp(f"http://127.0.0.1:{port}")
            (window,) = browser.contexts[0].pages
            box = window.get_by_role("button", name="Verify order").bounding_box()
            assert box is not None
            window.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)  # as the person would
            run.expect("Save it as the label check_eligibility and go on\\?")
            run.sendline("y")
            run.expect(pexpect.EOF, timeout=120)
            browser.close()  # detaches; the run owns its browser
        finally:
            run.close(force=True)
        assert run.exitstatus == 0, run.before
        assert [s["order_id"] for s in site.submissions()] == orders  # this claim and the next, each once
    assert "Show the tool" not in run.before  # the next claim was not asked about: it used the saved word
    assert "Saved in" in run.before
    config = home / ".config" / "safet-filer" / "config.toml"
    assert tomllib.loads(config.read_text()) == {"labels": {"check_eligibility": "Verify order"}}
    assert oct(config.stat().st_mode & 0o777) == "0o600"
