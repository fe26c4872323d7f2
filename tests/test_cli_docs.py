"""Every command has help and is documented in the README, and the README's set-up commands exist."""

import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from safet_filer.cli import cli

README = (Path(__file__).resolve().parent.parent / "README.md").read_text()


def commands(group: click.Group, prefix: str = "") -> list[str]:
    found = []
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            found += commands(command, f"{prefix}{name} ")
        else:
            found.append(f"{prefix}{name}")
    return found


@pytest.mark.parametrize("name", commands(cli))
def test_every_command_has_help_and_is_in_the_readme(name):
    result = CliRunner().invoke(cli, [*name.split(), "--help"])
    assert result.exit_code == 0, result.output
    assert len(result.output.splitlines()) > 3
    assert f"safet-filer {name}" in README


def test_the_readme_starts_with_the_two_set_up_commands_and_they_exist():
    first_block = re.search(r"```sh\n(.*?)```", README, re.S).group(1)
    scripts = [line.split()[0] for line in first_block.splitlines() if line.strip()]
    assert scripts == ["scripts/dry-run", "scripts/test"]
    root = Path(__file__).resolve().parent.parent
    for script in scripts:
        assert (root / script).stat().st_mode & 0o111, f"{script} is not executable"
    assert "scripts/test" in (root / ".ci" / "run").read_text()
