"""Click commands only: parse options, build settings, call the core, turn its errors into messages and exit codes.

Heavy modules (Playwright, the run, the mock) are imported inside the commands that need them,
so `--help` and `check` start fast.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from safet_filer import __version__
from safet_filer.errors import ExitStatus, FilerError


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
    """What every command shares: the --config path, and the settings built from it on first use."""

    def __init__(self, config_file: Path | None):
        self.config_file = config_file

    def settings(self, **overrides: Any):
        from safet_filer.settings import load_settings

        return load_settings(self.config_file, **overrides)


pass_app = click.make_pass_decorator(AppContext)


@click.group(cls=FilerGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="safet-filer")
@click.option(
    "--config",
    "config_file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="TOML settings file (default: the platform's config directory, safet-filer/config.toml).",
)
@click.pass_context
def cli(ctx: click.Context, config_file: Path | None) -> None:
    """File Amazon SAFE-T reimbursement claims in your own browser, one confirmed claim at a time.

    Start with `safet-filer check claims.json`, rehearse with `safet-filer run --dry-run claims.json`,
    sign in once with `safet-filer login`, then file with `safet-filer run --headed claims.json`.
    """
    ctx.obj = AppContext(config_file)


def main() -> None:
    cli(prog_name="safet-filer")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
