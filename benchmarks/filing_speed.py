"""How fast `safet-filer run` files claims, beside a bare Playwright script doing the same on the same mock.

The bare script (`bare_file` below) is written apart from the flows: its own locators by role and accessible
name against the mock's default interface (docs/site-interface.md), the same browser, profile kind, viewport and
headless mode, and the same seven full-page screenshots per claim as the tool (order, eligibility, items,
reasons, evidence, review, result), written to disk. It reads each table once and checks no host.

Every pass gets a fresh mock state (`POST /__fixture__/reset`), the same eligibility delays (the mock's random
generator seeded per round), a fresh home (settings isolated as tests/runs.py does) and a fresh ledger; bare and
tool alternate, ROUNDS times. Both run as subprocesses of this script, which only hosts the mock.

Seconds per claim are measured inside each process, from the start of the first claim's first step to the
start of the last claim's, divided by N-1: the steady state, one full claim each (for the tool, from the
timestamps of its own run log, log.jsonl). Start-up is shown apart: for the tool, process start to the
"Filing N claim(s)" line (interpreter, imports, claim-list check, ledger) and from there to the first claim's
first step (browser start, first page).

`--wait` also measures the person's wait: `safet-filer run` without --yes at a pseudo-terminal, each review
panel answered `y` after THINK seconds (longer than a fill), the wait taken from the answer to the next panel.

`--calls` counts the Playwright calls each side makes per claim (every message sent to Playwright's driver,
by object type and method), to see where the tool's time goes.

Usage: python benchmarks/filing_speed.py [--claims 20] [--rounds 3] [--layout KEY=VALUE | --layout all]
                                         [--wait] [--think 2] [--calls]
The bare script knows the default layout only; with --layout the tool is also timed on that layout and its
seconds printed beside its default-layout seconds. Asserts nothing (speed is read, not tested).
"""

from __future__ import annotations

import argparse
import json
import os
import re
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

REPO = Path(__file__).resolve().parent.parent
SCREENSHOT_STEPS = ("order", "eligibility", "items", "reasons", "evidence", "review", "result")
WIZARD = "/safet-claims/create-v2"
# The visible text of each claim reason the generated list uses, as the reference names them.
REASON_TEXTS = {
    "damaged": ("Item returned damaged or used", None),
    "not_returned": ("Refunded, item not returned", "No carrier scan of the return"),
    "replacement_refunded": ("Refunded after a replacement was sent", None),
    "return_label_charge": ("Return label charged to seller", None),
    "delivered_not_received": ("Buyer says not received, carrier shows delivered", None),
}
CLAIM_ID = re.compile(r"\d{5}-\d{5}-\d{7}")


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


# -- the bare script (run in its own process: `--bare URL CLAIMS OUT`) --------------------------------------------
def bare_file(base_url: str, claims_path: Path, out: Path, executable: str) -> None:
    """File every claim of `claims_path` on the mock at `base_url`, one claim after another; write timestamps to `out`."""
    from playwright.sync_api import expect, sync_playwright

    started = time.time()
    claims = json.loads(claims_path.read_text(encoding="utf-8"))["claims"]
    shots = out.parent / "bare-shots"
    times: dict[str, Any] = {"started": started, "claims": []}
    with sync_playwright() as p, tempfile.TemporaryDirectory() as profile:
        context = p.chromium.launch_persistent_context(
            profile, executable_path=executable, headless=True, viewport={"width": 1366, "height": 900}
        )
        page = context.pages[0] if context.pages else context.new_page()
        dialog = page.get_by_role("dialog").filter(has=page.get_by_role("button", name="Close", exact=True))
        page.add_locator_handler(dialog, lambda d: d.get_by_role("button", name="Close", exact=True).click())
        times["browser_ready"] = time.time()
        for n, claim in enumerate(claims):
            times["claims"].append(time.time())
            folder = shots / f"{n + 1:03d}"
            folder.mkdir(parents=True)

            def shot(step: str, folder: Path = folder) -> None:
                (folder / f"{step}.png").write_bytes(page.screenshot(full_page=True))

            page.goto(base_url + WIZARD, wait_until="domcontentloaded")
            page.get_by_role("textbox", name="Order ID", exact=True).fill(claim["order_id"])
            shot("order")
            page.get_by_role("button", name="Check eligibility", exact=True).click()
            items = page.get_by_role("table", name="Refunded items")
            expect(items).to_be_visible()
            shot("eligibility")
            rows = [r.split("\t") for r in items.get_by_role("row").all_inner_texts()[1:]]
            offered = {cells[0].strip(): int(cells[2]) - int(cells[3]) for cells in rows}
            wanted = {i["asin"]: i["quantity"] for i in claim["items"]} if claim["items"] else offered
            assert set(wanted) <= set(offered), f"{claim['order_id']}: the site offers {offered}"
            for asin, quantity in wanted.items():
                row = items.get_by_role("row").filter(has_text=asin)
                row.get_by_role("checkbox", name="Include item").check()
                row.get_by_role("spinbutton", name="Quantity").fill(str(quantity))
            shot("items")
            page.get_by_role("button", name="Next", exact=True).click()
            reason, sub_reason = REASON_TEXTS[claim["reason"]]
            reasons = page.get_by_role("table", name="Claim reasons")
            for asin in wanted:
                row = reasons.get_by_role("row").filter(has_text=asin)
                row.get_by_role("combobox", name="Claim reason", exact=True).click()
                page.get_by_role("option", name=reason, exact=True).click()
                if sub_reason:
                    row.get_by_role("combobox", name="Claim sub-reason", exact=True).click()
                    page.get_by_role("option", name=sub_reason, exact=True).click()
            shot("reasons")
            page.get_by_role("button", name="Next", exact=True).click()
            files = [claims_path.parent / a for a in claim["attachments"]]
            if files:
                page.get_by_label("Upload supporting documents", exact=True).set_input_files(files)
                uploaded = page.get_by_role("list", name="Uploaded files").get_by_role("listitem")
                expect(uploaded).to_have_count(len(files))
            page.get_by_role("textbox", name="Description", exact=True).fill(claim["description"])
            if claim["tracking_id"]:
                page.get_by_role("textbox", name="Tracking ID", exact=True).fill(claim["tracking_id"])
            shot("evidence")
            page.get_by_role("button", name="Next", exact=True).click()
            summary = page.get_by_role("table", name="Claim summary")
            expect(summary).to_be_visible()
            read_back = summary.get_by_role("row").all_inner_texts()
            read_back += page.get_by_role("table", name="Claim items").get_by_role("row").all_inner_texts()
            assert claim["order_id"] in read_back[0], f"the review shows {read_back[0]}"
            shot("review")
            page.get_by_role("checkbox", name="I have read and agree to the SAFE-T claim policy").check()
            page.get_by_role("button", name="Submit SAFE-T claim", exact=True).click()
            expect(page.get_by_role("heading", name="SAFE-T claim submitted")).to_be_visible()
            assert CLAIM_ID.search(page.get_by_text(CLAIM_ID).first.inner_text())
            shot("result")
        times["finished"] = time.time()
        context.close()
    out.write_text(json.dumps(times), encoding="utf-8")


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
    """A person with a fresh set-up under `home`, as tests/runs.py makes one (the user-agent cache shared)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SAFET_")}
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_DATA_HOME=str(home / ".local" / "share"),
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


def run_bare(base_url: str, claims: Path, work: Path, executable: str, count: bool) -> Pass:
    work.mkdir(parents=True)
    out, counts = work / "bare.json", work / "calls.json"
    spawned, cpu = time.time(), children_cpu()
    subprocess.run(
        this_script("--bare", base_url, str(claims), str(out), executable, counted=counts if count else None),
        check=True,
    )
    wall, cpu = time.time() - spawned, children_cpu() - cpu
    t = json.loads(out.read_text(encoding="utf-8"))
    starts = t["claims"]
    return Pass(
        who="bare",
        layout="default",
        wall_s=wall,
        per_claim_s=(starts[-1] - starts[0]) / (len(starts) - 1),
        startup_s=starts[0] - spawned,
        startup_parts={"to script start": t["started"] - spawned, "browser": t["browser_ready"] - t["started"]},
        **read_calls(counts if count else None),
        filed=len(starts),
        cpu_per_claim_s=cpu / len(starts),
    )


def run_tool(base_url: str, claims: Path, work: Path, cache: Path, layout: str, count: bool) -> Pass | None:
    """`safet-filer run --yes` as a person would run it; None (and its output printed) when it did not file all."""
    home = work / "home"
    home.mkdir(parents=True)
    counts = work / "calls.json"
    spawned, cpu = time.time(), children_cpu()
    command = ["run", "--yes", "--base-url", base_url, str(claims)]
    if count:
        command = this_script("--cli", *command, counted=counts)
    else:
        command = [sys.executable, "-m", "safet_filer", *command]
    done = subprocess.run(command, env=isolated_env(home, cache), capture_output=True, text=True, check=False)
    wall, cpu = time.time() - spawned, children_cpu() - cpu
    if done.returncode != 0:
        print(
            f"safet-filer run on layout {layout} ended with {done.returncode}:\n{done.stdout[-2000:]}{done.stderr[-2000:]}"
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
        layout=layout,
        wall_s=wall,
        per_claim_s=(starts[-1] - starts[0]) / (len(starts) - 1),
        startup_s=starts[0] - spawned,
        startup_parts={"to the run log (python, imports, check)": filing - spawned, "browser": starts[0] - filing},
        **read_calls(counts if count else None),
        filed=filed,
        cpu_per_claim_s=cpu / max(filed, 1),
    )


# -- the mock ----------------------------------------------------------------------------------------------------
@contextmanager
def mock_site(claims: Path):
    from safet_filer.fixtures.server import MockSellerCentral

    with MockSellerCentral(claims_file=claims) as site:
        yield site


def fresh(site: Any, seed: int, layout: dict[str, Any] | None) -> None:
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


# -- the person's wait -------------------------------------------------------------------------------------------
def person_wait(base_url: str, claims: Path, limit: int, work: Path, cache: Path, think_s: float) -> list[float]:
    """Seconds from each `y` to the next review panel, with the person thinking `think_s` at each panel."""
    import pexpect

    home = work / "home"
    home.mkdir(parents=True)
    child = pexpect.spawn(
        sys.executable,
        ["-m", "safet_filer", "run", "--limit", str(limit), "--base-url", base_url, str(claims)],
        env=isolated_env(home, cache),
        encoding="utf-8",
        timeout=120,
        dimensions=(50, 160),
    )
    import io

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
    print(f"{'pass':<28}{'s/claim':>9}{'CPU s/claim':>12}{'start-up s':>12}{'wall s':>9}  start-up parts")
    for p in passes:
        parts = ", ".join(f"{k} {v:.2f}" for k, v in p.startup_parts.items())
        print(
            f"{p.who + ' ' + p.layout:<28}{p.per_claim_s:>9.3f}{p.cpu_per_claim_s:>12.3f}{p.startup_s:>12.2f}"
            f"{p.wall_s:>9.1f}  {parts}"
        )


def median_of(passes: list[Pass], who: str, layout: str, attribute: str) -> float:
    return statistics.median(getattr(p, attribute) for p in passes if p.who == who and p.layout == layout)


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=20, help="claims in the list (default 20)")
    parser.add_argument("--rounds", type=int, default=3, help="bare/tool alternations (default 3)")
    parser.add_argument("--layout", action="append", default=[], help="a mock layout switch KEY=VALUE, or all")
    parser.add_argument("--wait", action="store_true", help="also measure the person's wait at the prompt")
    parser.add_argument("--think", type=float, default=2.0, help="the person's think time at each panel (s)")
    parser.add_argument("--wait-claims", type=int, default=8, help="the first N claims in the wait measurement")
    parser.add_argument("--calls", action="store_true", help="count Playwright calls per claim")
    args = parser.parse_args()
    if args.claims < 2:
        parser.error("--claims must be at least 2 (seconds per claim are taken between claim starts)")

    from safet_filer.browser import find_browser
    from safet_filer.fixtures.layouts import Layout
    from safet_filer.settings import Settings

    layout = Layout.from_options(args.layout).as_dict() if args.layout else None
    layout_name = " ".join(args.layout) if args.layout else ""
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
            url = site.url
            for r in range(args.rounds):
                fresh(site, r, None)
                passes.append(run_bare(site.url, claims, work / f"bare-{r}", executable, args.calls))
                check_filed(site, args.claims, "bare")
                fresh(site, r, None)
                tool_pass = run_tool(site.url, claims, work / f"tool-{r}", cache, "default", args.calls)
                if tool_pass is None:
                    sys.exit("the tool did not file the claim list on the default layout")
                passes.append(tool_pass)
                check_filed(site, args.claims, "tool")
                if layout:
                    fresh(site, r, layout)
                    on_layout = run_tool(site.url, claims, work / f"layout-{r}", cache, layout_name, args.calls)
                    if on_layout is not None and filed_all(site, args.claims):
                        passes.append(on_layout)
            waits = []
            if args.wait:
                fresh(site, 0, None)
                waits = person_wait(site.url, claims, args.wait_claims, work / "wait-run", cache, args.think)
        print(f"{args.claims} claims, {args.rounds} rounds, bare and tool alternating on the mock ({url})")
        print_passes(passes)
        bare = median_of(passes, "bare", "default", "per_claim_s")
        tool = median_of(passes, "tool", "default", "per_claim_s")
        print(f"median s/claim: bare {bare:.3f}, tool {tool:.3f}; ratio tool/bare {tool / bare:.2f}")
        print(
            f"median start-up s: bare {median_of(passes, 'bare', 'default', 'startup_s'):.2f}, "
            f"tool {median_of(passes, 'tool', 'default', 'startup_s'):.2f}"
        )
        bare_cpu = median_of(passes, "bare", "default", "cpu_per_claim_s")
        tool_cpu = median_of(passes, "tool", "default", "cpu_per_claim_s")
        print(
            f"median CPU s/claim (whole process tree, start-up included; steadier than seconds on a loaded machine): "
            f"bare {bare_cpu:.3f}, tool {tool_cpu:.3f}; ratio tool/bare {tool_cpu / bare_cpu:.2f}"
        )
        if layout and not any(p.layout == layout_name for p in passes):
            print(f"tool only, layout {layout_name}: no pass filed every claim (see its output above)")
        elif layout:
            on_layout = median_of(passes, "tool", layout_name, "per_claim_s")
            print(
                f"tool only, layout {layout_name}: median {on_layout:.3f} s/claim, against the tool's "
                f"{tool:.3f} on the default layout ({on_layout / tool:.2f}x) and bare's {bare:.3f} on the default "
                f"layout ({on_layout / bare:.2f}x; the bare script knows the default layout only)"
            )
        if args.calls:
            print_calls(passes, args.claims)
        if waits:
            print(
                f"person's wait (answer to next review panel, think {args.think:.1f} s, {len(waits)} waits): "
                f"median {statistics.median(waits):.2f} s, max {max(waits):.2f} s"
            )


def filed_all(site: Any, expected: int) -> bool:
    return len(site.submissions()) == expected


def check_filed(site: Any, expected: int, who: str) -> None:
    filed = len(site.submissions())
    if filed != expected:
        sys.exit(f"{who} filed {filed} of {expected} claims on the mock")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--counted"]:
        count_calls(Path(sys.argv[2]))
        del sys.argv[1:3]
    if sys.argv[1:2] == ["--bare"]:
        url, claims_file, out_file, browser = sys.argv[2:6]
        bare_file(url, Path(claims_file), Path(out_file), browser)
    elif sys.argv[1:2] == ["--cli"]:
        del sys.argv[1]
        from safet_filer.cli import main as cli_main

        cli_main()
    else:
        main()
