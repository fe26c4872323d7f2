"""One click teaches the tool: a step cannot find a renamed button, the person shows it in the window, the word is
saved in their settings file and the same claim goes on (on an in-process fake site; the headed run in real Chromium
is test_teach_e2e.py)."""

from __future__ import annotations

import stat
import tomllib

from fake_site import FakeSite, ledger_entries, run_on
from runs import claim, order_id, write_claims

from safet_filer.errors import ExitStatus
from safet_filer.flows.picker import PickedElement
from safet_filer.flows.site import ElementMissing
from safet_filer.ledger import State
from safet_filer.settings import DEFAULT_CONFIG_FILE, load_settings

VERIFY = PickedElement("button", "Verify order")
MISSING = "the page shows no button named 'Check eligibility' (buttons on the page: Verify order, Cancel)"


def two_claims(tmp_path):
    claims = [claim(n, "damaged", tmp_path) for n in (1, 2)]
    return write_claims(tmp_path, claims), FakeSite.for_claims(
        claims, headed=True, renamed={"check_eligibility": "Verify order"}
    )


def test_the_person_shows_the_renamed_button_and_the_saved_word_files_this_claim_and_the_next(tmp_path, monkeypatch):
    path, site = two_claims(tmp_path)
    site.clicks = [VERIFY]
    config = tmp_path / "settings.toml"
    config.write_text("retries = 3\n")
    done = run_on(site, path, answers="y\ny\n", yes=True, monkeypatch=monkeypatch, config_file=config)

    assert done.status == ExitStatus.OK, done.output
    assert site.orders_stored() == [order_id(1), order_id(2)]
    assert site.asked.count("pick") == 1  # the next claim uses the word learned
    assert "Learned: button 'Verify order' for 'Check eligibility'" in done.output
    assert tomllib.loads(config.read_text()) == {"retries": 3, "labels": {"check_eligibility": "Verify order"}}
    assert load_settings(config).site_labels().check_eligibility == "Verify order"  # and the next run's too


def test_without_a_config_file_the_default_one_is_created_private(tmp_path, monkeypatch):
    path, site = two_claims(tmp_path)
    site.clicks = [VERIFY]
    done = run_on(site, path, answers="y\ny\n", yes=True, monkeypatch=monkeypatch)
    assert done.status == ExitStatus.OK, done.output
    from safet_filer import settings

    written = settings.DEFAULT_CONFIG_FILE
    assert written != DEFAULT_CONFIG_FILE  # the test's own home, never the developer's
    assert tomllib.loads(written.read_text()) == {"labels": {"check_eligibility": "Verify order"}}
    assert stat.S_IMODE(written.stat().st_mode) == 0o600


def test_a_person_who_declines_leaves_the_claim_failed_with_what_was_missing_and_is_asked_once(tmp_path, monkeypatch):
    path, site = two_claims(tmp_path)
    config = tmp_path / "settings.toml"
    config.write_text("")
    done = run_on(
        site, path, answers="n\nn\n", yes=True, monkeypatch=monkeypatch, config_file=config, only=(order_id(1),)
    )
    assert done.status == ExitStatus.CLAIM_FAILED, done.output
    assert site.submissions == [] and "pick" not in site.asked
    assert done.output.count("Show the tool the button for 'Check eligibility'") == 1  # not again on each retry
    entry = ledger_entries()[order_id(1)]
    assert entry.state == State.FAILED
    assert MISSING in entry.message
    assert config.read_text() == ""


def test_headless_nobody_is_asked_and_the_message_says_how_to_fix_it(tmp_path, monkeypatch):
    path, site = two_claims(tmp_path)
    site.headed = False
    done = run_on(site, path, answers="", yes=True, monkeypatch=monkeypatch)
    assert done.status == ExitStatus.CLAIM_FAILED, done.output
    assert "Show the tool" not in done.output and "pick" not in site.asked
    message = ledger_entries()[order_id(1)].message
    assert MISSING in message
    assert 'put check_eligibility = "the page\'s word" under [labels]' in message
    assert "or run with --headed and click it in the window when asked" in message


def test_a_click_on_the_wrong_kind_of_element_is_explained_and_asked_again_once(tmp_path, monkeypatch):
    path, site = two_claims(tmp_path)
    site.clicks = [PickedElement("link", "Verify order"), VERIFY]
    config = tmp_path / "settings.toml"
    config.write_text("")
    done = run_on(site, path, answers="y\ny\n", yes=True, monkeypatch=monkeypatch, config_file=config)
    assert done.status == ExitStatus.OK, done.output
    assert "That is a link named 'Verify order', not a button with a name the tool can look for. Try once more." in (
        done.output
    )
    assert site.asked.count("pick") == 2
    assert site.orders_stored() == [order_id(1), order_id(2)]

    twice = FakeSite.for_claims([claim(3, "damaged", tmp_path)], headed=True, renamed={"submit": "Send"})
    twice.clicks = [PickedElement("link", "Send"), PickedElement("link", "Send")]
    again = run_on(
        twice,
        write_claims(tmp_path, [claim(3, "damaged", tmp_path)]),
        answers="y\n",
        yes=True,
        monkeypatch=monkeypatch,
        config_file=config,
    )
    assert again.status == ExitStatus.CLAIM_FAILED, again.output
    assert twice.asked.count("pick") == 2 and twice.submissions == []
    assert "Send" not in config.read_text()


def test_no_click_in_time_leaves_the_claim_failed(tmp_path, monkeypatch):
    path, site = two_claims(tmp_path)
    done = run_on(site, path, answers="y\n", yes=True, monkeypatch=monkeypatch, only=(order_id(1),))
    assert done.status == ExitStatus.CLAIM_FAILED, done.output
    assert "No click came within 5 minutes." in done.output
    assert MISSING in ledger_entries()[order_id(1)].message


def test_a_table_label_such_as_a_reason_text_is_not_taught_by_a_click(tmp_path, monkeypatch):
    path, site = two_claims(tmp_path)
    site.renamed = {}
    missing = ElementMissing("choose reasons", "option", "Item returned damaged or used", "reasons", [])
    site.fail("fill", lambda: missing, times=0)
    done = run_on(site, path, answers="y\ny\n", yes=True, monkeypatch=monkeypatch, only=(order_id(1),))
    assert done.status == ExitStatus.CLAIM_FAILED, done.output
    assert "Show the tool" not in done.output and "pick" not in site.asked
