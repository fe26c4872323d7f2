"""A learned label is written into the person's settings file, which otherwise stays exactly as it was."""

from __future__ import annotations

import stat
import tomllib

import pytest

from safet_filer.errors import InvalidInput
from safet_filer.settings import load_settings
from safet_filer.settings_file import save_label


def test_a_missing_file_is_created_private_with_the_label(tmp_path):
    path = tmp_path / "config" / "safet-filer" / "config.toml"
    save_label(path, "check_eligibility", 'Verify "order"')
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert load_settings(path).site_labels().check_eligibility == 'Verify "order"'


def test_a_file_without_labels_gets_a_labels_table_and_keeps_everything_else(tmp_path):
    path = tmp_path / "config.toml"
    original = '# my settings\nmarketplace = "UK"\n\n[marketplaces.US]\nfiling_window_days = 45 # why\n'
    path.write_text(original)
    path.chmod(0o640)
    save_label(path, "next", "Continue")
    text = path.read_text()
    assert text.startswith(original)  # comments and order kept
    assert tomllib.loads(text)["labels"] == {"next": "Continue"}
    assert stat.S_IMODE(path.stat().st_mode) == 0o640  # the person's own permissions
    settings = load_settings(path)
    assert (settings.marketplace, settings.market("US").filing_window_days) == ("UK", 45)


def test_an_existing_label_is_replaced_whatever_its_case_and_the_others_stay(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text(
        '[labels]\nCheck_Eligibility = "Old word"\nnext = "Continue"\n\n[labels.reasons]\nADMGD = "Damaged"\n'
    )
    save_label(path, "check_eligibility", "Verify order")
    data = tomllib.loads(path.read_text())
    assert data["labels"] == {"check_eligibility": "Verify order", "next": "Continue", "reasons": {"ADMGD": "Damaged"}}

    save_label(path, "submit", "Send claim")
    labels = load_settings(path).site_labels()
    assert (labels.check_eligibility, labels.next, labels.submit, labels.reasons["ADMGD"]) == (
        "Verify order",
        "Continue",
        "Send claim",
        "Damaged",
    )


def test_labels_written_as_an_inline_table_are_left_alone_and_the_line_to_add_is_given(tmp_path):
    path = tmp_path / "config.toml"
    original = 'labels = { next = "Continue" }\n'
    path.write_text(original)
    with pytest.raises(InvalidInput) as refused:
        save_label(path, "check_eligibility", "Verify order")
    assert 'check_eligibility = "Verify order"' in refused.value.hint
    assert path.read_text() == original


def test_a_file_with_only_a_labels_sub_table_gets_the_labels_table_after_it(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('[labels.reasons]\nADMGD = "Damaged"\n')
    save_label(path, "next", "Continue")
    assert tomllib.loads(path.read_text())["labels"] == {"next": "Continue", "reasons": {"ADMGD": "Damaged"}}
