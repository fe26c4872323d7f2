"""How fast `safet-filer run` files claims, beside a bare Playwright script doing the same on the same mock layout.

The bare script (`BareWizard` below) is written apart from the flows, as a person scripting one known site would:
for each of the mock's layouts (fixtures/layouts.py; docs/site-interface.md, "Layouts") its own hard-coded
locators by role and accessible name, Playwright's own waits, the same browser, profile kind, viewport and
headless mode, and the same full-page screenshots as the tool (one per step, taken before the step is left:
order, eligibility, items, reasons, evidence, review, result; and the channel step and the split evidence step's
description, where the layout has them), written to disk. It reads each table once and checks no host.

Every pass gets a fresh mock state (`POST /__fixture__/reset`) on its layout, the same eligibility delays (the
mock's random generator seeded per round), a fresh home (settings isolated as tests/runs.py does) and a fresh
ledger. On each layout, bare and tool alternate ROUNDS times (who goes first alternating too). Both run as
subprocesses of this script, which only hosts the mock.

Seconds per claim are measured inside each process, from the start of the first claim's first step to the
start of the last claim's, divided by N-1: the steady state, one full claim each (for the tool, from the
timestamps of its own run log, log.jsonl). Start-up is shown apart: for the tool, process start to the
"Filing N claim(s)" line (interpreter, imports, claim-list check, ledger) and from there to the first claim's
first step (browser start, first page).

`--wait` also measures the person's wait: `safet-filer run` without --yes at a pseudo-terminal, each review
panel answered `y` after THINK seconds (longer than a fill), the wait taken from the answer to the next panel;
filling ahead (the default) beside one claim at a time (`fill_ahead = false`), the baseline.

`--calls` counts the Playwright calls each side makes per claim (every message sent to Playwright's driver,
by object type and method), to see where the tool's time goes.

Usage: python benchmarks/filing_speed.py [--claims 20] [--rounds 3] [--calls] [--wait] [--think 2]
           [--layout KEY=VALUE ...]      one layout of these switches (or --layout all)
           [--layout-set "K=V K=V" ...]  one more layout per option (its switches separated by spaces)
           [--layouts every]             each tested layout: every switch's other values, site_notice, labels, all
The default layout is always measured, first. Prints, per layout, bare and tool seconds per claim and CPU seconds
per claim, each with the ratio tool/bare. Asserts nothing (speed is read, not tested).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from _common import defaults_only_env  # the benchmarks' shared helpers, beside this script

from safet_filer.fixtures.layouts import CHOICES, Layout  # the mock's layouts: what the bare script knows

WIZARD = "/safet-claims/create-v2"
# The visible text of each claim reason the generated list uses, as the reference names them.
REASON_TEXTS = {
    "damaged": ("Item returned damaged or used", None),
    "not_returned": ("Refunded, item not returned", "No carrier scan of the return"),
    "replacement_refunded": ("Refunded after a replacement was sent", None),
    "return_label_charge": ("Return label charged to seller", None),
    "delivered_not_received": ("Buyer says not received, carrier shows delivered", None),
}
SELLER_FULFILLED = "Seller fulfilled (Easy Ship, Self Ship, Seller Flex)"
CLAIM_ID = re.compile(r"\d{5}-\d{5}-\d{7}")
# The layouts tests/test_layouts_e2e.py files on: each switch's other values, a site notice, renames, and all.
EVERY_LAYOUT: dict[str, dict[str, Any]] = {
    **{f"{key}={value}": {key: value} for key, values in CHOICES.items() for value in values[1:]},
    "site_notice": {"site_notice": True},
    "labels": {"labels": {"Check eligibility": "Check Eligibility", "Next": "  next  "}},
    "all": {"all": True},
}


# -- the claim list ----------------------------------------------------------------------------------------------
def build_claims(folder: Path, count: int) -> Path:
    """`count` claims rotating through the shipped example's five (photos, a sub-reason, tracking IDs, a PDF,
    two units, items left to the site), each with its own order ID, dated to pass today."""
    from safet_filer.examples import write_example

    example = json.loads(write_example(folder / "example").read_text(encoding="utf-8"))
    claims = []
    for i in range(count):
        claim = dict(example["claims"][i % len(example["claims"])])
        claim["order_id"] = f"{111 + i % 3}-{7000000 + i:07d}-{(i * 7919) % 10_000_000:07d}"
        claim["attachments"] = [f"example/{name}" for name in claim["attachments"]]
        claims.append(claim)
    path = folder / "claims.json"
    path.write_text(json.dumps({"marketplace": "US", "claims": claims}, indent=2), encoding="utf-8")
    return path


# -- the bare script (run in its own process: `--bare URL CLAIMS OUT BROWSER LAYOUT`) ------------------------------
def bare_file(base_url: str, claims_path: Path, out: Path, executable: str, layout: Layout) -> None:
    """File every claim of `claims_path` on the mock at `base_url` under `layout`, one claim after another; write
    timestamps to `out`."""
    from playwright.sync_api import sync_playwright

    started = time.time()
    claims = json.loads(claims_path.read_text(encoding="utf-8"))["claims"]
    shots = out.parent / "bare-shots"
    times: dict[str, Any] = {"started": started, "claims": []}
    with sync_playwright() as p, tempfile.TemporaryDirectory() as profile:
        context = p.chromium.launch_persistent_context(
            profile, executable_path=executable, headless=True, viewport={"width": 1366, "height": 900}
        )
        page = context.pages[0] if context.pages else context.new_page()
        close = layout.labels.get("Close", "Close")
        dialog = page.get_by_role("dialog").filter(has=page.get_by_role("button", name=close, exact=True))
        page.add_locator_handler(dialog, lambda d: d.get_by_role("button", name=close, exact=True).click())
        times["browser_ready"] = time.time()
        for n, claim in enumerate(claims):
            times["claims"].append(time.time())
            folder = shots / f"{n + 1:03d}"
            folder.mkdir(parents=True)
            BareWizard(page, layout, folder).file(base_url, claim, claims_path.parent)
        times["finished"] = time.time()
        context.close()
    out.write_text(json.dumps(times), encoding="utf-8")


class BareWizard:
    """The mock's wizard as a person scripting that one known site sees it under one layout: hard-coded locators by
    role and accessible name for each switch, Playwright's own waits, a table read once, no host checks."""

    def __init__(self, page: Any, layout: Layout, folder: Path):
        self.page = page
        self.layout = layout
        self.folder = folder
        self.row_role = "listitem" if layout.item_rows == "list" else "row"
        self.rows_role = {"table": "table", "grid": "grid", "list": "list"}[layout.item_rows]

    def word(self, text: str) -> str:
        """`text` as this layout spells it (the mock renames whole texts only; names are read trimmed)."""
        return " ".join(self.layout.labels.get(text, text).split())

    def named(self, role: str, name: str, scope: Any = None) -> Any:
        return (scope or self.page).get_by_role(role, name=self.word(name), exact=True)

    def in_row(self, row: Any, role: str, name: str) -> Any:
        """The row's control of `role`: by its name, or the row's one control of that role where it has none."""
        return row.get_by_role(role) if self.layout.row_names == "unnamed" else self.named(role, name, row)

    def shot(self, step: str) -> None:
        (self.folder / f"{step}.png").write_bytes(self.page.screenshot(full_page=True))

    def next(self, step: str) -> None:
        self.shot(step)
        self.named("button", "Next").click()

    def choose(self, box: Any, option: str) -> None:
        if self.layout.controls == "native":
            box.select_option(label=self.word(option))
        else:
            box.click()
            self.named("option", option).click()

    def file(self, base_url: str, claim: dict[str, Any], folder: Path) -> None:
        from playwright.sync_api import expect

        page, layout = self.page, self.layout
        page.goto(base_url + WIZARD, wait_until="domcontentloaded")
        if layout.channel_step == "radios":
            self.named("radio", SELLER_FULFILLED).check()
        elif layout.channel_step == "combobox":
            self.choose(self.named("combobox", "Fulfillment channel"), SELLER_FULFILLED)
        if layout.channel_step != "none":
            self.next("channel")
        self.named("textbox", "Order ID").fill(claim["order_id"])
        self.shot("order")
        self.named("button", "Check eligibility").click()
        items = self.named(self.rows_role, "Refunded items")
        if layout.items_step == "next":
            eligible = self.word("This order is eligible for a SAFE-T claim.")
            expect(page.get_by_role("status").filter(has_text=eligible)).to_be_visible()
            self.shot("eligibility")
            self.named("button", "Next").click()
            expect(items).to_be_visible()
        else:
            expect(items).to_be_visible()
            self.shot("eligibility")
        offered = self.offered(items)
        wanted = {i["asin"]: i["quantity"] for i in claim["items"]} if claim["items"] else offered
        assert set(wanted) <= set(offered), f"{claim['order_id']}: the site offers {offered}"
        for asin, quantity in wanted.items():
            row = items.get_by_role(self.row_role).filter(has_text=asin)
            self.in_row(row, "checkbox", "Include item").check()
            self.in_row(row, "spinbutton", "Quantity").fill(str(quantity))
            if layout.reason_step == "items":
                self.give_reason(row, claim)
        self.next("items")
        if layout.reason_step == "own":
            reasons = self.named(self.rows_role, "Claim reasons")
            for asin in wanted:
                self.give_reason(reasons.get_by_role(self.row_role).filter(has_text=asin), claim)
            self.next("reasons")
        files = [folder / a for a in claim["attachments"]]
        if files:
            page.get_by_label(self.word("Upload supporting documents"), exact=True).set_input_files(files)
            uploaded = self.named("list", "Uploaded files").get_by_role("listitem")
            expect(uploaded).to_have_count(len(files))
        if layout.evidence_step == "two":
            self.next("evidence")
        self.named("textbox", "Description").fill(claim["description"])
        if claim["tracking_id"]:
            self.named("textbox", "Tracking ID").fill(claim["tracking_id"])
        self.next("description" if layout.evidence_step == "two" else "evidence")
        self.read_back(claim["order_id"])
        self.shot("review")
        self.named("checkbox", "I have read and agree to the SAFE-T claim policy").check()
        self.named("button", "Submit SAFE-T claim").click()
        expect(self.named("heading", "SAFE-T claim submitted")).to_be_visible()
        assert CLAIM_ID.search(page.get_by_text(CLAIM_ID).first.inner_text())
        self.shot("result")

    def offered(self, items: Any) -> dict[str, int]:
        """ASIN -> units still claimable, read once from the rows (or the Quantity boxes' max, where only they say)."""
        texts = items.get_by_role(self.row_role).all_inner_texts()
        if self.row_role == "row":
            texts = texts[1:]  # the header row
        asins = [text.split()[0] for text in texts]
        if self.layout.claimable == "max_only":
            maxima = items.get_by_role("spinbutton").evaluate_all("boxes => boxes.map((box) => box.max)")
            return {asin: int(m) for asin, m in zip(asins, maxima, strict=True)}
        if self.layout.claimable == "up_to":
            return {asin: int(re.search(r"up to (\d+)", text)[1]) for asin, text in zip(asins, texts, strict=True)}
        if self.layout.item_rows == "list":
            refunded, claimed = (re.escape(self.word(w)) for w in ("Refunded", "Already claimed"))
            numbers = [(re.search(rf"{refunded}: (\d+)", t), re.search(rf"{claimed}: (\d+)", t)) for t in texts]
            return {a: int(r[1]) - int(c[1]) for a, (r, c) in zip(asins, numbers, strict=True)}
        cells = [re.split(r"[\t\n]", text) for text in texts]
        return {a: int(c[2]) - int(c[3]) for a, c in zip(asins, cells, strict=True)}

    def give_reason(self, row: Any, claim: dict[str, Any]) -> None:
        reason, sub_reason = REASON_TEXTS[claim["reason"]]
        self.choose(self.named("combobox", "Claim reason", row), reason)
        if sub_reason:
            self.choose(self.named("combobox", "Claim sub-reason", row), sub_reason)

    def read_back(self, order_id: str) -> None:
        """The review's summary, read once: it must show the order filed."""
        from playwright.sync_api import expect

        if self.layout.review_summary == "list":
            summary = self.named("region", "Claim summary")
            expect(summary).to_be_visible()
            read_back = [summary.inner_text(), self.named("region", "Claim items").inner_text()]
        else:
            summary = self.named("table", "Claim summary")
            expect(summary).to_be_visible()
            read_back = summary.get_by_role("row").all_inner_texts()
            read_back += self.named("table", "Claim items").get_by_role("row").all_inner_texts()
        assert order_id in read_back[0], f"the review shows {read_back[0]}"


# -- counting Playwright calls (`--counted WHAT ARGS…` runs the bare script or the CLI with a counter) ------------
def count_calls(counts_file: Path) -> None:
    """From now on, count every message this process sends to Playwright's driver; write the counts at exit."""
    import atexit

    from playwright._impl.connection import Connection

    counts: Counter[str] = Counter()
    seconds: Counter[str] = Counter()
    send = Connection.send_message_to_server

    def counted(self: Any, object: Any, method: str, params: Any, options: Any) -> Any:
        future = send(self, object, method, params, options)
        if not method.startswith("__"):
            name, sent = f"{object._type}.{method}", time.perf_counter()
            counts[name] += 1
            future.add_done_callback(lambda _: seconds.update({name: time.perf_counter() - sent}))
        return future

    Connection.send_message_to_server = counted  # type: ignore[method-assign]
    atexit.register(lambda: counts_file.write_text(json.dumps({"counts": counts, "seconds": seconds})))


def read_calls(counts_file: Path | None) -> dict[str, Counter[str]]:
    if counts_file is None:
        return {}
    data = json.loads(counts_file.read_text(encoding="utf-8"))
    return {"calls": Counter(data["counts"]), "call_s": Counter(data["seconds"])}


# -- one pass of each ---------------------------------------------------------------------------------------------
@dataclass
class Pass:
    """One process filing the list: its start-up and its seconds per claim, from its own timestamps."""

    who: str
    layout: str
    wall_s: float
    per_claim_s: float
    startup_s: float  # process start to the first claim's first step
    startup_parts: dict[str, float] = field(default_factory=dict)
    calls: Counter[str] = field(default_factory=Counter)
    call_s: Counter[str] = field(default_factory=Counter)  # seconds from each call's send to its answer
    filed: int = 0
    cpu_per_claim_s: float = 0.0  # CPU seconds of its whole process tree (start-up included) per claim


def children_cpu() -> float:
    """User and system CPU seconds of every child process waited for so far (with their own children)."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def isolated_env(home: Path, cache: Path) -> dict[str, str]:
    """A person with a fresh set-up under `home`, as tests/runs.py makes one (the user-agent cache shared), filing
    without pauses between claims."""
    env = defaults_only_env(home)
    env.update(
        XDG_CACHE_HOME=str(cache),
        SAFET_RUNS_DIR=str(home / "runs"),
        SAFET_LEDGER_PATH=str(home / "ledger.sqlite3"),
        SAFET_PROFILE_DIR=str(home / "profile"),
        SAFET_PACING_S="0",
        SAFET_RETRY_WAIT_S="0",
        SAFET_STEP_TIMEOUT_S="15",  # as the tests': only a step that fails waits this long
        COLUMNS="160",
    )
    env.setdefault("PLAYWRIGHT_BROWSERS_PATH", str(Path.home() / ".cache" / "ms-playwright"))
    return env


def warm_user_agent_cache(home: Path, cache: Path) -> None:
    """Probe the browser's user agent once into the shared cache, so that no measured pass pays for it."""
    probe = (
        "from safet_filer.browser import find_browser, native_user_agent\n"
        "from safet_filer.settings import load_settings\n"
        "native_user_agent(find_browser(load_settings()))"
    )
    home.mkdir(parents=True)
    subprocess.run([sys.executable, "-c", probe], env=isolated_env(home, cache), check=True)


def this_script(*args: str, counted: Path | None) -> list[str]:
    prefix = ["--counted", str(counted)] if counted else []
    return [sys.executable, str(Path(__file__).resolve()), *prefix, *args]


@dataclass(frozen=True)
class Setup:
    """What every pass of one run shares: the claim list, its work folder, the browser and the user-agent cache."""

    base_url: str
    claims: Path
    work: Path
    cache: Path
    executable: str
    count: bool  # count Playwright calls


def run_bare(setup: Setup, work: Path, name: str, layout: dict[str, Any]) -> Pass:
    work.mkdir(parents=True)
    out, counts = work / "bare.json", work / "calls.json"
    spawned, cpu = time.time(), children_cpu()
    bare = ("--bare", setup.base_url, str(setup.claims), str(out), setup.executable, json.dumps(layout))
    subprocess.run(this_script(*bare, counted=counts if setup.count else None), check=True)
    wall, cpu = time.time() - spawned, children_cpu() - cpu
    t = json.loads(out.read_text(encoding="utf-8"))
    starts = t["claims"]
    return Pass(
        who="bare",
        layout=name,
        wall_s=wall,
        per_claim_s=(starts[-1] - starts[0]) / (len(starts) - 1),
        startup_s=starts[0] - spawned,
        startup_parts={"to script start": t["started"] - spawned, "browser": t["browser_ready"] - t["started"]},
        **read_calls(counts if setup.count else None),
        filed=len(starts),
        cpu_per_claim_s=cpu / len(starts),
    )


def run_tool(setup: Setup, work: Path, name: str) -> Pass | None:
    """`safet-filer run --yes` as a person would run it; None (and its output printed) when it did not file all."""
    home = work / "home"
    home.mkdir(parents=True)
    counts = work / "calls.json"
    spawned, cpu = time.time(), children_cpu()
    command = ["run", "--yes", "--base-url", setup.base_url, str(setup.claims)]
    if setup.count:
        command = this_script("--cli", *command, counted=counts)
    else:
        command = [sys.executable, "-m", "safet_filer", *command]
    env = isolated_env(home, setup.cache)
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    wall, cpu = time.time() - spawned, children_cpu() - cpu
    if done.returncode != 0:
        print(
            f"safet-filer run on layout {name} ended with {done.returncode}:\n{done.stdout[-2000:]}{done.stderr[-2000:]}"
        )
        return None
    log = next((home / "runs").glob("*/log.jsonl"))
    records = [json.loads(line)["record"] for line in log.read_text(encoding="utf-8").splitlines()]
    at = [(r["time"]["timestamp"], r["message"]) for r in records]
    filing = next(ts for ts, m in at if m.startswith("Filing "))
    starts = [ts for ts, m in at if m.endswith(": entering the order")]
    filed = sum(1 for _, m in at if ": filed: " in m)
    return Pass(
        who="tool",
        layout=name,
        wall_s=wall,
        per_claim_s=(starts[-1] - starts[0]) / (len(starts) - 1),
        startup_s=starts[0] - spawned,
        startup_parts={"to the run log (python, imports, check)": filing - spawned, "browser": starts[0] - filing},
        **read_calls(counts if setup.count else None),
        filed=filed,
        cpu_per_claim_s=cpu / max(filed, 1),
    )


def measure_layout(site: Any, setup: Setup, name: str, layout: dict[str, Any], rounds: int) -> list[Pass]:
    """Bare and tool alternating `rounds` times on `layout` (who goes first alternating too); every pass that filed
    every claim on a fresh mock. A bare pass that does not is the benchmark's own fault: it stops the run."""
    passes: list[Pass] = []
    folder = setup.work / re.sub(r"\W+", "-", name)
    expected = len(json.loads(setup.claims.read_text(encoding="utf-8"))["claims"])
    for r in range(rounds):
        for who in ("bare", "tool") if r % 2 == 0 else ("tool", "bare"):
            fresh(site, r, layout)
            if who == "bare":
                passes.append(run_bare(setup, folder / f"bare-{r}", name, layout))
                check_filed(site, expected, f"the bare script on layout {name}")
                continue
            tool_pass = run_tool(setup, folder / f"tool-{r}", name)
            filed = len(site.submissions())
            if tool_pass is not None and filed == expected:
                passes.append(tool_pass)
            elif tool_pass is not None:
                print(f"the tool filed {filed} of {expected} claims on layout {name}")
    return passes


# -- the mock ----------------------------------------------------------------------------------------------------
@contextmanager
def mock_site(claims: Path):
    from safet_filer.fixtures.server import MockSellerCentral

    with MockSellerCentral(claims_file=claims) as site:
        yield site


def fresh(site: Any, seed: int, layout: dict[str, Any]) -> None:
    """The mock as it starts (POST /__fixture__/reset), on `layout`, with the same eligibility delays every round."""
    post(site.url + "/__fixture__/reset", {})
    if layout:
        post(site.url + "/__fixture__/layout", layout)
    site.rng.seed(seed)


def post(url: str, body: Any) -> None:
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}, method="POST"
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        answer.read()


def check_filed(site: Any, expected: int, who: str) -> None:
    filed = len(site.submissions())
    if filed != expected:
        sys.exit(f"{who} filed {filed} of {expected} claims on the mock")


# -- the person's wait -------------------------------------------------------------------------------------------
def person_wait(setup: Setup, limit: int, think_s: float, *, fill_ahead: bool) -> list[float]:
    """Seconds from each `y` to the next review panel, with the person thinking `think_s` at each panel; filling
    ahead (the tool's default) or one claim at a time (`fill_ahead = false`, the baseline)."""
    import io

    import pexpect

    home = setup.work / f"wait-run-{'ahead' if fill_ahead else 'one-by-one'}" / "home"
    home.mkdir(parents=True)
    child = pexpect.spawn(
        sys.executable,
        ["-m", "safet_filer", "run", "--limit", str(limit), "--base-url", setup.base_url, str(setup.claims)],
        env=isolated_env(home, setup.cache) | {"SAFET_FILL_AHEAD": str(fill_ahead).lower()},
        encoding="utf-8",
        timeout=120,
        dimensions=(50, 160),
    )
    child.logfile_read = transcript = io.StringIO()
    waits: list[float] = []
    answered: float | None = None
    try:
        while True:
            which = child.expect([r"About to file", pexpect.EOF])
            if which == 1:
                break
            if answered is not None:
                waits.append(time.perf_counter() - answered)
            child.expect(r"Submit this claim\?.*uit: ")
            time.sleep(think_s)
            child.sendline("y")
            answered = time.perf_counter()
    finally:
        child.close()
    if child.exitstatus != 0:
        sys.exit(f"safet-filer run at the terminal ended with {child.exitstatus}:\n{transcript.getvalue()[-3000:]}")
    return waits


# -- the report --------------------------------------------------------------------------------------------------
def print_passes(passes: list[Pass]) -> None:
    print(f"{'pass':<36}{'s/claim':>9}{'CPU s/claim':>12}{'start-up s':>12}{'wall s':>9}  start-up parts")
    for p in passes:
        parts = ", ".join(f"{k} {v:.2f}" for k, v in p.startup_parts.items())
        print(
            f"{p.who + ' ' + p.layout:<36}{p.per_claim_s:>9.3f}{p.cpu_per_claim_s:>12.3f}{p.startup_s:>12.2f}"
            f"{p.wall_s:>9.1f}  {parts}"
        )


def median_of(passes: list[Pass], who: str, layout: str, attribute: str) -> float | None:
    values = [getattr(p, attribute) for p in passes if p.who == who and p.layout == layout]
    return statistics.median(values) if values else None


def print_ratios(passes: list[Pass], names: list[str]) -> None:
    """Per layout, the medians of each side and the ratio tool/bare, in seconds and in CPU seconds per claim."""
    print(
        f"{'layout':<36}{'bare s/claim':>13}{'tool s/claim':>13}{'ratio tool/bare':>16}"
        f"{'bare CPU s':>11}{'tool CPU s':>11}{'CPU ratio':>10}"
    )
    for name in names:
        bare, tool = (median_of(passes, who, name, "per_claim_s") for who in ("bare", "tool"))
        bare_cpu, tool_cpu = (median_of(passes, who, name, "cpu_per_claim_s") for who in ("bare", "tool"))
        if bare is None or tool is None or bare_cpu is None or tool_cpu is None:
            print(f"{name:<36}  no tool pass filed every claim (see its output above)")
            continue
        print(
            f"{name:<36}{bare:>13.3f}{tool:>13.3f}{tool / bare:>16.2f}"
            f"{bare_cpu:>11.3f}{tool_cpu:>11.3f}{tool_cpu / bare_cpu:>10.2f}"
        )
    print("(medians over the rounds; CPU: the whole process tree, start-up included, steadier on a loaded machine)")


def print_calls(passes: list[Pass], claims: int) -> None:
    """Calls per claim by type and method, with the seconds from send to answer (calls overlap: not a sum of time)."""
    for who, layout in dict.fromkeys((p.who, p.layout) for p in passes):
        calls: Counter[str] = Counter()
        call_s: Counter[str] = Counter()
        runs = [p for p in passes if p.who == who and p.layout == layout]
        for p in runs:
            calls.update(p.calls)
            call_s.update(p.call_s)
        scale = 1 / len(runs) / claims
        answered = sum(n for name, n in calls.items() if not name.endswith("NoReply"))
        print(
            f"Playwright calls per claim, {who} {layout}: {answered * scale:.1f} answered "
            f"+ {(sum(calls.values()) - answered) * scale:.1f} fire-and-forget (whole run / claims)"
        )
        print(f"    {'calls':>6}  {'s':>6}  type.method")
        for name, n in sorted(calls.items(), key=lambda kv: -kv[1]):
            if n * scale >= 0.05:
                print(f"    {n * scale:6.2f}  {call_s[name] * scale:6.3f}  {name}")


# -- the run -----------------------------------------------------------------------------------------------------
def layouts_asked(parser: argparse.ArgumentParser, args: argparse.Namespace) -> dict[str, dict[str, Any]]:
    """The layouts to measure, by name, each as the switches POST /__fixture__/layout takes: the default first."""
    asked: dict[str, dict[str, Any]] = {"default": {}}
    try:
        if args.layout:
            asked[" ".join(args.layout)] = Layout.from_options(args.layout).as_dict()
        for options in args.layout_set:
            asked[options] = Layout.from_options(shlex.split(options)).as_dict()
    except ValueError as exc:
        parser.error(str(exc))
    for which in args.layouts:
        if which != "every":
            parser.error(f"--layouts takes every, not {which!r}")
        asked.update(EVERY_LAYOUT)
    return asked


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=20, help="claims in the list (default 20)")
    parser.add_argument("--rounds", type=int, default=3, help="bare/tool alternations per layout (default 3)")
    parser.add_argument("--layout", action="append", default=[], help="a switch KEY=VALUE of one layout, or all")
    parser.add_argument("--layout-set", action="append", default=[], help='one more layout: "KEY=VALUE KEY=VALUE"')
    parser.add_argument("--layouts", action="append", default=[], help="every: each tested layout")
    parser.add_argument("--wait", action="store_true", help="also measure the person's wait at the prompt")
    parser.add_argument("--think", type=float, default=2.0, help="the person's think time at each panel (s)")
    parser.add_argument("--wait-claims", type=int, default=8, help="the first N claims in the wait measurement")
    parser.add_argument("--calls", action="store_true", help="count Playwright calls per claim")
    args = parser.parse_args()
    if args.claims < 2:
        parser.error("--claims must be at least 2 (seconds per claim are taken between claim starts)")
    layouts = layouts_asked(parser, args)

    from safet_filer.browser import find_browser
    from safet_filer.settings import Settings

    load = os.getloadavg()
    print(
        f"{datetime.now():%Y-%m-%d %H:%M}  load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}, {os.cpu_count()} CPUs"
    )
    with tempfile.TemporaryDirectory(prefix="filing-speed-") as tmp:
        work = Path(tmp)
        claims = build_claims(work, args.claims)
        cache = work / "cache"
        executable = str(find_browser(Settings(_env_file=None)).path)
        warm_user_agent_cache(work / "warm-home", cache)
        passes: list[Pass] = []
        with mock_site(claims) as site:
            setup = Setup(site.url, claims, work, cache, executable, args.calls)
            for n, (name, layout) in enumerate(layouts.items(), start=1):
                passes += measure_layout(site, setup, name, layout, args.rounds)
                print(f"measured layout {n} of {len(layouts)}: {name}", file=sys.stderr, flush=True)
            waits: dict[str, list[float]] = {}
            if args.wait:
                for fill_ahead in (False, True):
                    fresh(site, 0, {})
                    way = "filling ahead" if fill_ahead else "one by one"
                    waits[way] = person_wait(setup, args.wait_claims, args.think, fill_ahead=fill_ahead)
        print(
            f"{args.claims} claims, {args.rounds} rounds per layout, bare and tool alternating on the mock ({setup.base_url})"
        )
        print_passes(passes)
        print_ratios(passes, list(layouts))
        bare_start, tool_start = (median_of(passes, who, "default", "startup_s") for who in ("bare", "tool"))
        if bare_start is not None and tool_start is not None:
            print(f"median start-up s on the default layout: bare {bare_start:.2f}, tool {tool_start:.2f}")
        if args.calls:
            print_calls(passes, args.claims)
        for way, seconds in waits.items():
            print(
                f"person's wait, {way} (answer to the next review panel, think {args.think:.1f} s, "
                f"{len(seconds)} waits): median {statistics.median(seconds):.2f} s, max {max(seconds):.2f} s"
            )
        if waits:
            ahead, one_by_one = (statistics.median(waits[w]) for w in ("filling ahead", "one by one"))
            print(f"person's wait, median filling ahead / one by one: {ahead / one_by_one:.2f}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--counted"]:
        count_calls(Path(sys.argv[2]))
        del sys.argv[1:3]
    if sys.argv[1:2] == ["--bare"]:
        url, claims_file, out_file, browser, layout_json = sys.argv[2:7]
        bare_file(url, Path(claims_file), Path(out_file), browser, Layout.parse(json.loads(layout_json)))
    elif sys.argv[1:2] == ["--cli"]:
        del sys.argv[1]
        from safet_filer.cli import main as cli_main

        cli_main()
    else:
        main()
