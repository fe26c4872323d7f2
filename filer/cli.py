"""Click commands only: parse options, build settings, call the core, turn its errors into messages and exit codes.

Heavy modules (Playwright, the run, the mock) are imported inside the commands that need them,
so `--help` and `check` start fast.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from safet_filer import __version__
from safet_filer.errors import ExitStatus, FilerError

if TYPE_CHECKING:  # annotations only: --help must not load settings or rich
    from rich.console import Console

    from safet_filer.settings import Settings

F = TypeVar("F", bound=Callable[..., Any])


class FilerGroup(click.Group):
    """The one place where the tool's errors become a message on stderr and an exit status."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except FilerError as exc:
            click.secho(f"Error: {exc.message}", err=True, fg="red")
            if exc.hint:
                click.echo(exc.hint, err=True)
            ctx.exit(exc.exit_status)
        except KeyboardInterrupt:
            click.echo("\nInterrupted.", err=True)
            ctx.exit(ExitStatus.INTERRUPTED)


class AppContext:
    """What every command shares: the --config path, from which each command builds its settings."""

    def __init__(self, config_file: Path | None):
        self.config_file = config_file

    def settings(self, **overrides: Any) -> Settings:
        from safet_filer.settings import load_settings

        return load_settings(self.config_file, **overrides)


pass_app = click.make_pass_decorator(AppContext)


# -- what several commands share ------------------------------------------------------------------------------
FILE = click.Path(path_type=Path, dir_okay=False)
EXISTING_FILE = click.Path(path_type=Path, dir_okay=False, exists=True)
FOLLOWED_MARKETPLACE = "Marketplace (US, UK, DE, …) to follow (default: the setting)."


def _console() -> Console:
    from rich.console import Console

    return Console()


def _echo_json(data: Any) -> None:
    import json

    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


def json_option(help: str) -> Callable[[F], F]:
    return click.option("--json", "as_json", is_flag=True, help=help)


def marketplace_option(help: str) -> Callable[[F], F]:
    return click.option("--marketplace", metavar="CODE", help=help)


def yes_option(action: str) -> Callable[[F], F]:
    """--yes for a command that asks before each submit or send (`action`: "Submit", "Send")."""
    return click.option(
        "--yes", is_flag=True, help=f"{action} without asking (the mock; a real host also needs allow_unattended)."
    )


def marketplace_code(settings: Settings, given: str | None) -> str:
    """The marketplace a command works on: the one given, else the setting; refused when it is not known."""
    from safet_filer.errors import InvalidInput

    code = (given or settings.marketplace).strip().upper()
    if code not in settings.marketplaces:
        raise InvalidInput(
            f'"{code}" is not a marketplace safet-filer knows.',
            f"Use one of {', '.join(sorted(settings.marketplaces))}, or add it under [marketplaces] in the config file.",
        )
    return code


def ledger_option(command: F) -> F:
    return click.option(
        "--ledger",
        "ledger_path",
        type=FILE,
        help="Ledger database to use (default: the ledger_path setting).",
    )(command)


def site_options(command: F) -> F:
    command = click.option("--headed", is_flag=True, default=None, help="Show the browser window.")(command)
    return click.option(
        "--base-url",
        metavar="URL",
        help="Seller Central-like site to use instead of the marketplace's host (the mock, a staging copy).",
    )(command)


@click.group(cls=FilerGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="safet-filer")
@click.option(
    "--config",
    "config_file",
    type=FILE,
    help="TOML settings file (default: the platform's config directory, safet-filer/config.toml).",
)
@click.pass_context
def cli(ctx: click.Context, config_file: Path | None) -> None:
    """File Amazon SAFE-T reimbursement claims in your own browser, one confirmed claim at a time.

    Start with `safet-filer check claims.json`, rehearse with `safet-filer run --dry-run claims.json`,
    sign in once with `safet-filer login`, then file with `safet-filer run --headed claims.json`.
    """
    ctx.obj = AppContext(config_file)


# -- the claim list and the settings: check, schema, example, config -------------------------------------------------
@cli.command()
@click.argument("claims_file", metavar="CLAIMS", type=click.Path(path_type=Path))
@json_option("Print the result as JSON, for other programs.")
@marketplace_option("Marketplace (US, UK, DE, …) of a list that names none; must agree otherwise.")
@pass_app
def check(app: AppContext, claims_file: Path, as_json: bool, marketplace: str | None) -> None:
    """Check the claim list CLAIMS without filing anything.

    Shows every claim, soonest deadline first, with all its problems at once: order IDs, reasons,
    descriptions, evidence files (opened to see what they really are), dates and filing windows.

    Exit status: 0 when every claim can be filed (warnings allowed), 2 when any cannot.
    """
    from safet_filer import claims_view
    from safet_filer.claims import check_claim_list

    result = check_claim_list(claims_file, app.settings(), marketplace=marketplace)
    if as_json:
        _echo_json(claims_view.check_as_dict(result))
    else:
        claims_view.print_check(result, _console())
    if not result.ok:
        click.get_current_context().exit(int(ExitStatus.INVALID))


@cli.command()
def schema() -> None:
    """Print the JSON Schema of the claim list.

    Editors use it for completion and checking: save it (safet-filer schema > claims.schema.json) and point claims.json at it with
    "$schema": "./claims.schema.json".
    """
    from safet_filer.claims import claim_list_schema

    _echo_json(claim_list_schema())


@cli.command()
@click.argument("directory", metavar="DIR", type=click.Path(path_type=Path, file_okay=False))
def example(directory: Path) -> None:
    """Write an example claim list and its evidence files into DIR.

    DIR/claims.json is ready to edit; its dates are set relative to today, so it passes `safet-filer check` as written.
    Existing files are never overwritten.
    """
    from safet_filer.examples import write_example

    path = write_example(directory)
    click.echo(f"Wrote {path} and its evidence files in {path.parent / 'evidence'}.")
    click.echo(f"Edit it, then run: safet-filer check {path}")


@cli.command("config")
@json_option("Print the settings as JSON.")
@marketplace_option("Show the settings as they are with this default marketplace.")
@pass_app
def config_command(app: AppContext, as_json: bool, marketplace: str | None) -> None:
    """Show the effective settings and where each comes from.

    Sources, highest first: command line, environment (SAFET_*), .env, config file, default.
    """
    from safet_filer import config_view
    from safet_filer.settings import config_file_path, label_sources, setting_sources

    settings = app.settings(marketplace=marketplace)
    sources = setting_sources(app.config_file, marketplace=marketplace)
    labels = label_sources(app.config_file, marketplace=marketplace)
    info = config_view.settings_as_dict(settings, sources, config_file_path(app.config_file), labels)
    if as_json:
        _echo_json(info)
    else:
        config_view.print_settings(info, _console())


# -- doctor: is this machine ready? --------------------------------------------------------------------------------
@cli.command()
@click.option(
    "--browser-only", is_flag=True, help="Print only the browser that would be used; exit 2 when there is none."
)
@pass_app
def doctor(app: AppContext, browser_only: bool) -> None:
    """Check this machine: browser, user agent, profile, config file, ledger, runs folder and sign-in.

    Whatever is missing comes with what to do about it. Exit status: 0 when a browser was found and starts,
    2 when not (--browser-only: 0 when a browser was found).
    """
    from safet_filer.doctor import browser_line, examine

    settings = app.settings()
    if browser_only:
        click.echo(browser_line(settings))
    elif not examine(settings, app.config_file, click.echo):
        click.get_current_context().exit(int(ExitStatus.INVALID))


# -- filing --------------------------------------------------------------------------------------------------------
@cli.command()
@click.argument("claims_file", metavar="[CLAIMS]", required=False, type=FILE)
@click.option("--dry-run", is_flag=True, help="File against the bundled mock Seller Central; nothing reaches Amazon.")
@click.option("--rehearse", is_flag=True, help="Fill every step on the real site but never press Submit.")
@yes_option("Submit")
@click.option("--only", multiple=True, metavar="ORDER_ID", help="File only this order (repeatable).")
@click.option("--limit", type=click.IntRange(min=1), help="File at most N claims.")
@site_options
@ledger_option
@pass_app
def run(
    app: AppContext,
    claims_file: Path | None,
    dry_run: bool,
    rehearse: bool,
    yes: bool,
    only: tuple[str, ...],
    limit: int | None,
    base_url: str | None,
    headed: bool | None,
    ledger_path: Path | None,
) -> None:
    """File the claims in CLAIMS, asking before each submit.

    The list is checked first; nothing runs while it has errors. Each claim is filled step by step
    with a screenshot per step, read back from the review page and shown to you: answer y to submit,
    s to skip it, q to stop. Claims already filed (per the ledger) are never filed again.

    Exit status: 0 every claim reached an outcome; 1 some claim failed; 2 invalid input;
    3 stopped and needs you (quit, sign-in, automation restricted); 130 interrupted.
    """
    from safet_filer.run import FilingRun, RunOptions

    if dry_run and (rehearse or base_url):
        raise click.UsageError(
            "--dry-run files against the bundled mock; it cannot be combined with --rehearse or --base-url."
        )
    settings = app.settings(headed=headed)
    options = RunOptions(
        claims_file=claims_file,
        dry_run=dry_run,
        rehearse=rehearse,
        base_url=base_url,
        only=tuple(only),
        limit=limit,
        yes=yes,
        headed=settings.headed,
        ledger_path=ledger_path,
        config_file=app.config_file,
    )
    sys.exit(int(FilingRun(settings, options, _console()).execute()))


@cli.command()
@site_options
@pass_app
def login(app: AppContext, base_url: str | None, headed: bool | None) -> None:
    """Open a browser window on Seller Central and wait while you sign in.

    The sign-in is kept in safet-filer's own browser profile (never your everyday Chrome profile)
    for later runs. safet-filer never asks for, stores or types your password or codes.
    """
    from safet_filer.session import sign_in

    settings = app.settings()
    sign_in(settings, base_url or settings.market().base_url, _console())


@cli.command()
@json_option("Print JSON (the claims and the totals) instead of a table.")
@click.option("--csv", "as_csv", is_flag=True, help="Print CSV (one row per claim) instead of a table.")
@click.option(
    "--due",
    "due_days",
    type=click.IntRange(min=0),
    metavar="DAYS",
    help="Only what needs an action within DAYS days (or became overdue in the last DAYS); exit 1 if overdue.",
)
@ledger_option
@pass_app
def status(app: AppContext, as_json: bool, as_csv: bool, due_days: int | None, ledger_path: Path | None) -> None:
    """Show every claim in the ledger: its state, site status, money and next deadline, most urgent first.

    Exit status: 0, or with --due 1 when something is overdue (a filing window, a reply by date).
    """
    from datetime import date

    from safet_filer import ledger_view, standing
    from safet_filer.followup import FollowUp
    from safet_filer.ledger import Ledger

    path = ledger_path or app.settings().ledger_path
    if not path.exists():
        raise FilerError(f"There is no ledger at {path} yet.", "It is created by the first `safet-filer run`.")
    today = date.today()
    with Ledger(path) as ledger:
        rows = FollowUp(ledger).followed()
    steps = standing.most_urgent_first(rows, today)
    if due_days is not None:
        steps = standing.due_within(steps, due_days, today)
    money = standing.totals(rows)
    if as_json:
        ledger_view.write_json(steps, money, today, sys.stdout)
    elif as_csv:
        ledger_view.write_csv(steps, today, sys.stdout)
    elif not rows:
        click.echo(f"The ledger {path} holds no claims yet.")
    elif due_days is not None and not steps:
        if sys.stdout.isatty():  # silent otherwise, so that a cron line mails only when something is due
            click.echo(f"Nothing in the ledger {path} needs an action within {due_days} days.")
    else:
        due = f", what needs an action within {due_days} days" if due_days is not None else ""
        ledger_view.print_table(steps, money if due_days is None else {}, today, f"Ledger {path}{due}")
    if due_days is not None and standing.overdue(steps, today):
        sys.exit(ExitStatus.CLAIM_FAILED)  # 1: something is overdue, so that a daily cron line warns the seller


@cli.command()
@site_options
@ledger_option
@pass_app
def reconcile(app: AppContext, base_url: str | None, headed: bool | None, ledger_path: Path | None) -> None:
    """Check every claim whose submit may have gone through against the Seller Central dashboard.

    Claims found there are recorded as filed; claims not found become pending, to be filed by the next run.
    """
    from safet_filer.reconcile import reconcile_ledger

    settings = app.settings(headed=headed)
    sys.exit(int(reconcile_ledger(settings, ledger_path or settings.ledger_path, base_url, _console())))


# -- following claims after filing: sync, reply, appeal --------------------------------------------------------------
@cli.command()
@click.option(
    "--report",
    "report_file",
    metavar="FILE",
    type=EXISTING_FILE,
    help="Read the returns report's SafeT columns instead of the site (no browser).",
)
@click.option(
    "--days",
    type=click.IntRange(min=1),
    metavar="N",
    help="Read the dashboard's claims of the last N days (default: 90, or back to the oldest claim followed).",
)
@marketplace_option(FOLLOWED_MARKETPLACE)
@site_options
@ledger_option
@pass_app
def sync(
    app: AppContext,
    report_file: Path | None,
    days: int | None,
    marketplace: str | None,
    base_url: str | None,
    headed: bool | None,
    ledger_path: Path | None,
) -> None:
    """Record what Seller Central shows of every SAFE-T claim: status, money, Amazon's comment, Reply by, Appeal by.

    Reads the claims dashboard (every page), then the page of each claim not yet closed, and prints what changed.
    Read-only: it never presses a button. Claims filed by hand become known orders, never filed by `run`.

    Exit status: 0 read; 1 some claim could not be read; 3 needs you (sign-in, automation restricted).
    """
    from safet_filer import sync_view
    from safet_filer.sync import sync_returns_report, sync_site

    settings = app.settings(headed=headed, ledger_path=ledger_path)
    code = marketplace_code(settings, marketplace)
    console = _console()
    if report_file is not None:
        if base_url or days:
            raise click.UsageError("--report reads a file: it takes no --base-url or --days.")
        result = sync_returns_report(settings, code, report_file)
    else:
        site = (base_url or settings.market(code).base_url).rstrip("/")
        result = sync_site(settings, code, site, days, settings.headed, console)
    sync_view.print_sync(result, console)
    if result.problems:
        sys.exit(ExitStatus.CLAIM_FAILED)


def message_options(command: F) -> F:
    for decorate in reversed(
        [
            click.argument("claim_id", metavar="[CLAIM_ID]", required=False),
            click.option("--message", metavar="TEXT", help="The message to Amazon."),
            click.option(
                "--message-file",
                type=EXISTING_FILE,
                metavar="FILE",
                help="A UTF-8 text file holding the message.",
            ),
            click.option(
                "--attach",
                multiple=True,
                type=FILE,
                metavar="FILE",
                help="A photo or PDF to upload with it (repeatable).",
            ),
            click.option(
                "--from",
                "list_file",
                type=EXISTING_FILE,
                metavar="FILE",
                help='Several at once: a JSON list of {"claim_id", "message", "attachments"} (paths relative to FILE).',
            ),
            yes_option("Send"),
            marketplace_option(FOLLOWED_MARKETPLACE),
            site_options,
            ledger_option,
        ]
    ):
        command = decorate(command)
    return command


def _send(
    app: AppContext,
    kind: str,
    claim_id: str | None,
    message: str | None,
    message_file: Path | None,
    attach: tuple[Path, ...],
    list_file: Path | None,
    yes: bool,
    marketplace: str | None,
    base_url: str | None,
    headed: bool | None,
    ledger_path: Path | None,
) -> None:
    from safet_filer.followup_messages import MessageKind
    from safet_filer.messages import from_command_line, read_list
    from safet_filer.sending import SendOptions, send_messages

    if list_file is not None and (claim_id or message or message_file or attach):
        raise click.UsageError("--from FILE gives every message; it takes no CLAIM_ID, --message or --attach.")
    settings = app.settings(headed=headed, ledger_path=ledger_path)
    code = marketplace_code(settings, marketplace)
    if list_file is not None:
        raw, base_dir = read_list(list_file), list_file.absolute().parent
    elif not claim_id:
        raise click.UsageError(f"Name the SAFE-T claim: safet-filer {kind} CLAIM_ID --message TEXT (or --from FILE).")
    else:
        raw, base_dir = from_command_line(claim_id, message, message_file, attach), Path.cwd()
    options = SendOptions(
        kind=MessageKind(kind),
        marketplace=code,
        base_url=(base_url or settings.market(code).base_url).rstrip("/"),
        yes=yes,
        headed=settings.headed,
    )
    sys.exit(int(send_messages(settings, options, raw, base_dir, _console())))


@cli.command()
@message_options
@pass_app
def reply(app: AppContext, **given: Any) -> None:
    """Answer Amazon's request for information on an Awaiting seller response claim, before its Reply by date.

    The message and files are checked first (every problem at once), filled into the claim's Reply form,
    screenshotted and read back, then sent once after you say yes. A reply whose answer was not seen is looked up
    in the claim's message thread before anything else is sent on it.

    Exit status: 0 sent (or skipped by you); 1 some message failed or its outcome is unknown; 2 invalid input;
    3 needs you.
    """
    _send(app, "reply", **given)


@cli.command()
@message_options
@pass_app
def appeal(app: AppContext, **given: Any) -> None:
    """Appeal Amazon's decision on a claim (once per claim, before its Appeal by date), with new information.

    Checked, filled, read back and confirmed like `reply`. The ledger refuses a second appeal of a claim and an
    appeal after its Appeal by date before anything reaches Seller Central.

    Exit status: as for `reply`.
    """
    _send(app, "appeal", **given)


# -- drafting a claim list from Amazon's returns report ------------------------------------------------------------
@cli.command()
@click.argument("report_file", metavar="REPORT", type=FILE)
@click.option(
    "--evidence",
    "evidence_dir",
    metavar="DIR",
    type=click.Path(path_type=Path, file_okay=False, exists=True),
    help="Folder with one sub-folder per order ID holding its photos and PDFs (DIR/<order ID>/).",
)
@click.option(
    "-o",
    "--output",
    type=FILE,
    default=Path("claims.json"),
    show_default=True,
    help="The claim list to write.",
)
@click.option("--force", is_flag=True, help="Replace the output file if it exists.")
@click.option(
    "--columns",
    "column_map",
    metavar="MAP",
    help='For your own CSV: which of your headers holds which report column, like "Order ID=order,ASIN=asin".',
)
@marketplace_option("Marketplace (US, UK, DE, …) of the report (default: the setting).")
@ledger_option
@pass_app
def draft(
    app: AppContext,
    report_file: Path,
    evidence_dir: Path | None,
    output: Path,
    force: bool,
    column_map: str | None,
    marketplace: str | None,
    ledger_path: Path | None,
) -> None:
    """Draft a claim list from Amazon's returns report REPORT (Reports > Return reports), or your own CSV of it.

    Rows of one order become one claim. Orders with a SAFE-T claim (in the report or the ledger), A-to-z claims,
    orders without a refund and orders whose window has closed are left out, each with its reason. A claim reason
    is suggested only where the report's facts point to one, and every claim is a draft until you approve it.

    Exit status: 0 written; 2 the report or an option is wrong (nothing was written).
    """
    from datetime import date

    from safet_filer import draft_view
    from safet_filer.draft import draft_claims, ledger_entries
    from safet_filer.draft_writing import refuse_existing, write_draft
    from safet_filer.returns_report import parse_column_map, read_returns_report

    settings = app.settings()
    code = marketplace_code(settings, marketplace)
    market = settings.marketplaces[code]
    refuse_existing(output, force)
    report = read_returns_report(report_file, parse_column_map(column_map) if column_map else None)
    today = date.today()
    drafted = draft_claims(
        report,
        marketplace=code,
        market=market,
        today=today,
        output_dir=output.absolute().parent,
        ledger=ledger_entries(ledger_path or settings.ledger_path),
        evidence_dir=evidence_dir,
    )
    write_draft(drafted.to_json(), output, force=force)
    draft_view.print_draft(drafted, output, today, _console())


@cli.command()
@click.argument("claims_file", metavar="CLAIMS", type=FILE)
@click.option("--all", "include_approved", is_flag=True, help="Also revisit the drafts you approved before.")
@pass_app
def review(app: AppContext, claims_file: Path, include_approved: bool) -> None:
    """Review the drafted claims in CLAIMS one by one, soonest deadline first, and write your decisions back.

    Each claim shows its deadline, refunded amount, items, the report's facts, the suggested reason and why,
    what the report cannot know, its evidence files and description. One key decides: a or Enter approves,
    r names the reason, e edits the description ($EDITOR, or typed in), s skips, d drops it from the list,
    u undoes the last decision, q saves and quits. A claim that check would refuse is not approved.
    The list keeps everything else it holds, in its order.

    Exit status: 0 written, or nothing to change; 2 the list cannot be read or written; 130 interrupted
    (nothing written).
    """
    from safet_filer import review_view
    from safet_filer.review import Review

    console = _console()
    session = Review(claims_file, app.settings(), include_approved=include_approved)
    if session.done:
        review_view.nothing_to_review(session, console, claims_file)
        return
    try:
        finished = review_view.run_review(session, console, review_view.Keys(), review_view.edit_in_editor)
    except KeyboardInterrupt:
        review_view.print_interrupted(claims_file, console)
        sys.exit(ExitStatus.INTERRUPTED)
    written = session.write()
    review_view.print_outcome(session, finished, written, console)


# -- the mock Seller Central ---------------------------------------------------------------------------------------
@cli.group()
def fixture() -> None:
    """The mock Seller Central: a practice site on your own machine that never reaches Amazon."""


@fixture.command("serve")
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8765,
    show_default=True,
    help="Port on 127.0.0.1 (0 picks a free one).",
)
@click.option(
    "--scenario",
    "scenario_file",
    type=EXISTING_FILE,
    help="Scenario JSON with seeded orders and claims (default: the bundled one).",
)
@click.option(
    "--claims",
    "claims_file",
    type=EXISTING_FILE,
    help="A claims.json: every well-formed order ID is eligible, with the file's items.",
)
@click.option(
    "--require-signin", is_flag=True, help="Ask for /ap/signin and /ap/mfa before any page (to practise `login`)."
)
@click.option(
    "--layout",
    "layout_options",
    multiple=True,
    metavar="KEY=VALUE|all",
    help="A layout switch, e.g. items_step=next; `all` sets every one (fixtures/README.md). Repeatable.",
)
def fixture_serve(
    port: int, scenario_file: Path | None, claims_file: Path | None, require_signin: bool, layout_options: tuple[str]
) -> None:
    """Run the mock Seller Central on 127.0.0.1 until Ctrl-C, to click through by hand or point the tool at."""
    import time

    from safet_filer.errors import InvalidInput
    from safet_filer.fixtures.layouts import Layout
    from safet_filer.fixtures.scenario import ScenarioError
    from safet_filer.fixtures.server import MockSellerCentral

    if scenario_file and claims_file:
        raise InvalidInput(
            "Give --scenario or --claims, not both.",
            "--claims rehearses your own claim list; --scenario seeds fixed orders.",
        )
    try:
        layout = Layout.from_options(layout_options)
    except ValueError as exc:
        raise InvalidInput(f"--layout: {exc}.", "The layout switches are listed in fixtures/README.md.") from None
    try:
        site = MockSellerCentral(
            scenario=scenario_file, claims_file=claims_file, port=port, auto_signin=not require_signin, layout=layout
        )
        site.start()
    except ScenarioError as exc:
        raise InvalidInput(str(exc), "Fix the file, or leave the option out to use the bundled scenario.") from None
    except OSError as exc:
        raise InvalidInput(
            f"Cannot listen on 127.0.0.1:{port}: {exc.strerror or exc}.",
            "Choose another --port, or --port 0 for a free one.",
        ) from None
    try:
        click.echo(f"Mock Seller Central running at {site.url}")
        click.echo(f"Dashboard: {site.url}/safet-claims")
        click.echo(f"Test API:  {site.url}/__fixture__/ (see fixtures/README.md)")
        click.echo("Nothing here reaches Amazon. Press Ctrl-C to stop.", err=True)
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        click.echo("Stopped.", err=True)
    finally:
        site.stop()


def main() -> None:
    cli(prog_name="safet-filer")
