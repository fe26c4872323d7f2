"""`safet-filer review`: which drafts come up and in what order, what each decision does, how the list is written
back, and the command itself, driven by lines (no terminal) and by single keys at a real pseudo-terminal."""

from __future__ import annotations

import json
import os
import stat
import sys
from datetime import date, timedelta
from pathlib import Path

import pexpect
import pytest
from click.testing import CliRunner
from runs import isolated_env, png_bytes

from safet_filer.claims import Reason, check_claim_list
from safet_filer.claims.writing import rewritten
from safet_filer.cli import cli
from safet_filer.errors import InvalidInput
from safet_filer.review import Decision, Review
from safet_filer.settings import Settings


def today() -> date:
    """Today, asked for when a test runs (a constant made at collection would be yesterday after midnight)."""
    return date.today()


pytestmark = pytest.mark.usefixtures("in_empty_folder")


def order(n: int) -> str:
    return f"113-{5550000 + n:07d}-{1000000 + n:07d}"


def drafted(n: int, days_ago: int, reason: str | None = "not_returned", approved: bool = False, **fields) -> dict:
    """A claim as `safet-filer draft` writes it, refunded `days_ago` days ago (US window: 30 days)."""
    body = {
        "order_id": order(n),
        "reason": reason,
        "sub_reason": None,
        "items": [{"asin": f"B0REVIEW{n:02d}", "quantity": 1}],
        "description": f"Claim {n}: refunded at first scan, never came back." if reason else "",
        "attachments": [],
        "tracking_id": None,
        "refund_date": (today() - timedelta(days=days_ago)).isoformat(),
        "return_delivered_date": None,
        "refunded_amount": f"{n}9.99",
        "currency": "USD",
        "draft": {
            "version": 1,
            "approved": approved,
            "suggested_reason": reason,
            "needs_inspection": reason is None,
            "why": "The report's facts.",
            "facts": {"Resolution": "RefundAtFirstScan"},
            "unknown": ["condition: the report does not say in what state the item came back — look at it."],
            "deadline": None,
            "report": {
                "file": "returns.txt",
                "lines": [n + 1],
                "items": [{"asin": f"B0REVIEW{n:02d}", "name": None, "return_reason": None}],
            },
        },
    }
    body.update(fields)
    return body


def hand_written(n: int) -> dict:
    """A claim the person wrote: no draft note."""
    return {
        "order_id": order(n),
        "reason": "not_returned",
        "description": "Typed by hand.",
        "refund_date": (today() - timedelta(days=3)).isoformat(),
    }


def write(folder: Path, claims: list[dict], **top) -> Path:
    path = folder / "claims.json"
    path.write_text(json.dumps({"marketplace": "US", **top, "claims": claims}, indent=2, ensure_ascii=False) + "\n")
    return path


def claims_in(path: Path) -> list[dict]:
    return json.loads(path.read_text())["claims"]


def review_of(path: Path, **options) -> Review:
    return Review(path, Settings(), today(), **options)


# --- which claims, in what order -----------------------------------------------------------------------------


def test_unapproved_drafts_come_up_soonest_deadline_first_and_approved_ones_only_with_all(tmp_path):
    path = write(
        tmp_path,
        [drafted(1, 5), hand_written(2), drafted(3, 20), drafted(4, 25, approved=True), drafted(5, 10)],
    )
    assert review_of(path).queue == [2, 4, 0]  # refunded 20, 10 and 5 days ago
    assert review_of(path, include_approved=True).queue == [2, 4, 0, 3]


# --- deciding ------------------------------------------------------------------------------------------------


def test_approving_sets_approved_keeps_the_note_and_the_claim_then_passes_check(tmp_path):
    path = write(tmp_path, [drafted(1, 5), drafted(2, 6)])
    review = review_of(path)
    assert review.approve() is None
    assert review.decisions == {1: Decision.approved} and review.index == 0
    assert review.write()
    written = claims_in(path)
    assert written[1]["draft"] == {**drafted(2, 6)["draft"], "approved": True}
    assert written[0] == drafted(1, 5)
    checked = {c.index: c for c in check_claim_list(path, Settings(), today()).claims}
    assert checked[1].ok and not checked[1].awaiting_review
    assert checked[0].awaiting_review


def test_a_draft_without_a_reason_cannot_be_approved_until_one_is_named(tmp_path):
    path = write(tmp_path, [drafted(1, 5, reason=None)])
    review = review_of(path)
    refusal = review.approve()
    assert refusal.sentences == [f"claims[0] (order {order(1)}) has no reason yet — name one (r) before approving it."]
    review.set_reason(Reason.not_returned)
    refusal = review.approve()
    assert refusal.sentences[0].startswith(f"claims[0] (order {order(1)}) description: is empty")
    review.set_description("  Refunded at the first scan; nothing came back.  ")
    assert review.approve() is None
    review.write()
    (claim,) = claims_in(path)
    assert (claim["reason"], claim["description"], claim["draft"]["approved"]) == (
        "not_returned",
        "Refunded at the first scan; nothing came back.",
        True,
    )


def test_approving_a_claim_a_rule_refuses_says_the_rules_sentence_and_it_stays_a_draft(tmp_path):
    path = write(tmp_path, [drafted(1, 5, reason=None, description="The jar came back cracked.")])
    review = review_of(path)
    review.set_reason(Reason.damaged)
    refusal = review.approve()
    assert refusal.sentences == [
        f"claims[0] (order {order(1)}) attachments: is empty; damaged claims need at least one photo (JPEG, PNG or "
        "GIF) of the returned item and its packaging — add one."
    ]
    assert not review.done and review.checked.awaiting_review
    (tmp_path / "jar.png").write_bytes(png_bytes(1))
    review.claim["attachments"] = ["jar.png"]  # as if the person had added the photo to the list meanwhile
    assert review.approve() is None
    review.write()
    assert check_claim_list(path, Settings(), today()).ok


def test_a_new_reason_clears_a_sub_reason_it_does_not_take_and_an_edit_asks_for_approval_again(tmp_path):
    path = write(tmp_path, [drafted(1, 5, approved=True, sub_reason="RNOTR-a")])
    review = review_of(path, include_approved=True)
    assert not review.checked.awaiting_review
    review.set_reason(Reason.return_label_charge)
    assert review.claim["sub_reason"] is None
    assert review.checked.awaiting_review  # what was approved is not what is there now
    review.skip()
    review.write()
    (claim,) = claims_in(path)
    assert (claim["reason"], claim["draft"]["approved"]) == ("return_label_charge", False)


def test_drop_removes_the_claim_when_written_and_undo_brings_back_what_was_decided(tmp_path):
    path = write(tmp_path, [drafted(1, 5), drafted(2, 6), drafted(3, 7)])
    review = review_of(path)
    assert not review.undo()  # nothing decided yet
    review.drop()  # claims[2]
    review.approve()  # claims[1]
    assert review.undo()  # claims[1] is back, a draft again
    assert (review.index, review.checked.awaiting_review, review.decisions) == (1, True, {2: Decision.dropped})
    assert review.undo()
    assert (review.index, review.decisions) == (2, {})
    review.approve()
    review.drop()
    review.skip()
    assert review.done and review.counts() == {Decision.approved: 1, Decision.skipped: 1, Decision.dropped: 1}
    review.write()
    assert [c["order_id"] for c in claims_in(path)] == [order(1), order(3)]


# --- writing the list back -----------------------------------------------------------------------------------


def test_a_list_written_by_draft_is_written_back_in_its_own_format(tmp_path):
    claims = [drafted(1, 5), drafted(2, 6), drafted(3, 7)]
    path = write(tmp_path, claims)
    review = review_of(path)
    review.approve()
    review.drop()
    review.write()
    claims[2]["draft"]["approved"] = True
    expected = {"marketplace": "US", "claims": [claims[0], claims[2]]}
    assert path.read_text() == json.dumps(expected, indent=2, ensure_ascii=False) + "\n"


def test_claims_not_touched_and_the_rest_of_the_file_keep_their_bytes(tmp_path):
    path = tmp_path / "claims.json"
    untouched = json.dumps(hand_written(9), separators=(",", ":"))  # compact, as some editors save it
    text = (
        '{\n  "$schema": "./claims.schema.json",\n  "marketplace": "us",\n  "claims": [\n'
        f"    {untouched},\n"
        + "    "
        + json.dumps(drafted(1, 5), indent=4).replace("\n", "\n    ")
        + ",\n    "
        + json.dumps(drafted(2, 6))
        + "\n  ]\n}\n"
    )
    path.write_text(text)
    review = review_of(path)
    assert review.queue == [2, 1]
    review.drop()
    review.approve()
    review.write()
    after = path.read_text()
    assert after.startswith('{\n  "$schema": "./claims.schema.json",\n  "marketplace": "us",\n  "claims": [\n')
    assert f"    {untouched},\n" in after
    assert (
        json.dumps(drafted(1, 5) | {"draft": drafted(1, 5)["draft"] | {"approved": True}}, indent=4).replace(
            "\n", "\n    "
        )
        in after
    )  # in the style of the claim it replaces
    assert [c["order_id"] for c in json.loads(after)["claims"]] == [order(9), order(1)]


def test_the_splice_falls_back_to_the_whole_list_when_it_cannot_be_trusted():
    text = '{"claims": [{"a": 1}, {"a": 2}], "claims": [{"b": 1}]}'  # the last "claims" counts, as in json
    assert json.loads(rewritten(text, {0: {"b": 2}})) == {"claims": [{"b": 2}]}
    assert rewritten("[]", {}) == "[]"


def test_the_list_is_written_private_in_one_piece_and_not_at_all_when_nothing_changed(tmp_path):
    path = write(tmp_path, [drafted(1, 5), drafted(2, 6)])
    os.chmod(path, 0o644)
    review = review_of(path)
    review.skip()
    assert not review.write()
    assert stat.S_IMODE(path.stat().st_mode) == 0o644  # untouched
    review.approve()
    assert review.write()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["claims.json"]  # no temporary file left behind


def test_a_list_changed_by_someone_else_during_review_is_not_overwritten(tmp_path):
    path = write(tmp_path, [drafted(1, 5)])
    review = review_of(path)
    review.approve()
    path.write_text(path.read_text().replace("Claim 1", "Claim one"))
    with pytest.raises(InvalidInput, match="changed while you reviewed it"):
        review.write()
    assert "Claim one" in path.read_text()


def test_a_list_that_cannot_be_read_is_refused_with_what_to_do(tmp_path):
    path = tmp_path / "claims.json"
    path.write_text('{"claims": [')
    with pytest.raises(InvalidInput, match="is not valid JSON") as raised:
        review_of(path)
    assert raised.value.hint == "Fix the file, then review it again."


# --- the command ---------------------------------------------------------------------------------------------


def invoke(path: Path, keys: str, *options: str):
    return CliRunner().invoke(cli, ["review", str(path), *options], input=keys)


def test_without_a_terminal_each_line_is_a_key_and_the_outcome_says_what_is_next(tmp_path):
    path = write(tmp_path, [drafted(1, 5), drafted(2, 6, reason=None), drafted(3, 7)])
    result = invoke(path, "\nd\nq\n")  # Enter approves claims[2]; claims[1] is dropped; then quit
    assert result.exit_code == 0, result.output
    assert f"✓ Approved claims[2] (order {order(3)})." in result.output
    assert f"Reviewed {path}: 1 approved, 1 dropped, 1 not reached. Wrote {path}." in result.output
    assert "1 draft still awaits your review; `safet-filer run` files the list once none is left" in result.output
    assert [(c["order_id"], c["draft"]["approved"]) for c in claims_in(path)] == [(order(1), False), (order(3), True)]


def test_reason_and_description_typed_in_without_an_editor(tmp_path, monkeypatch):
    monkeypatch.delenv("EDITOR", raising=False)
    monkeypatch.delenv("VISUAL", raising=False)
    path = write(tmp_path, [drafted(1, 5, reason=None)])
    result = invoke(path, "r\n6\ne\nAccepted 40 days after delivery.\na\n")
    assert result.exit_code == 0, result.output
    menu = [line.split() for line in result.output.splitlines() if line.startswith(("Reason: ", "        "))]
    assert menu[:3] == [
        ["Reason:", "1", "damaged", "2", "missing_parts", "3", "different_item"],
        ["4", "not_returned", "5", "return_label_charge", "6", "outside_return_window"],
        ["7", "replacement_refunded", "8", "delivered_not_received", "9", "restocking_fee"],
    ]
    (claim,) = claims_in(path)
    assert (claim["reason"], claim["description"], claim["draft"]["approved"]) == (
        "outside_return_window",
        "Accepted 40 days after delivery.",
        True,
    )
    assert "Next: safet-filer check" in result.output


def test_nothing_to_review_says_so_and_how_to_revisit(tmp_path):
    path = write(tmp_path, [drafted(1, 5, approved=True), hand_written(2)])
    result = invoke(path, "")
    assert (result.exit_code, result.output.strip()) == (
        0,
        f"No drafts await review in {path} (--all revisits the 1 approved).",
    )


def test_input_ending_saves_what_was_decided(tmp_path):
    path = write(tmp_path, [drafted(1, 5), drafted(2, 6)])
    result = invoke(path, "a\n")
    assert result.exit_code == 0
    assert f"1 approved, 1 not reached. Wrote {path}." in result.output


# --- at a real terminal --------------------------------------------------------------------------------------


def at_terminal(home: Path, path: Path, env: dict[str, str] | None = None) -> pexpect.spawn:
    return pexpect.spawn(
        sys.executable,
        ["-m", "safet_filer", "review", str(path)],
        env=isolated_env(home, env),
        encoding="utf-8",
        timeout=30,
        dimensions=(60, 140),
    )


def test_at_a_terminal_one_keypress_decides_and_the_editor_writes_the_description(tmp_path, home):
    editor = tmp_path / "editor.py"
    editor.write_text(
        "import sys\n"
        "path = sys.argv[1]\n"
        "kept = [l for l in open(path) if l.startswith('#')]\n"
        "open(path, 'w').write(''.join(kept) + 'The lamp came back without its shade.\\n')\n"
    )
    (tmp_path / "shade.png").write_bytes(png_bytes(3))
    path = write(
        tmp_path,
        [drafted(1, 5), drafted(2, 6, reason=None, attachments=["shade.png"]), drafted(3, 7), drafted(4, 8)],
    )
    child = at_terminal(home, path, {"EDITOR": f"{sys.executable} {editor}"})
    child.expect_exact(f"claims[3] (order {order(4)}) · 1 of 4")
    child.expect_exact("[q] save and quit")
    child.send("d")  # no Enter: the key acts at once
    child.expect_exact(f"Dropped claims[3] (order {order(4)})")
    child.expect_exact(f"claims[2] (order {order(3)}) · 2 of 4")
    child.expect_exact("[q] save and quit")
    child.send("a")
    child.expect_exact(f"✓ Approved claims[2] (order {order(3)}).")
    child.expect_exact(f"claims[1] (order {order(2)}) · 3 of 4")
    child.expect_exact("shade.png (PNG, ")
    child.expect_exact("[q] save and quit")
    child.send("r")
    child.expect_exact("Press 1–9")
    child.send("2")
    child.expect_exact("missing_parts")
    child.expect_exact("[q] save and quit")
    child.send("e")
    child.expect_exact("The lamp came back without its shade.")
    child.expect_exact("[q] save and quit")
    child.send("\r")
    child.expect_exact(f"✓ Approved claims[1] (order {order(2)}).")
    child.expect_exact("[q] save and quit")
    child.send("q")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    claims = {c["order_id"]: c for c in claims_in(path)}
    assert set(claims) == {order(1), order(2), order(3)}
    assert (claims[order(2)]["reason"], claims[order(2)]["description"]) == (
        "missing_parts",
        "The lamp came back without its shade.",
    )
    assert [claims[order(n)]["draft"]["approved"] for n in (1, 2, 3)] == [False, True, True]


def test_ctrl_c_at_a_terminal_writes_nothing(tmp_path, home):
    path = write(tmp_path, [drafted(1, 5), drafted(2, 6)])
    before = path.read_bytes()
    child = at_terminal(home, path)
    child.expect_exact("[q] save and quit")
    child.send("a")
    child.expect_exact("✓ Approved")
    child.expect_exact("[q] save and quit")
    child.sendcontrol("c")
    child.expect_exact(f"Interrupted: nothing was written to {path} (q saves what you decided).")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    assert path.read_bytes() == before
