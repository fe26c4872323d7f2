"""Every command and option says what it does, in its --help and in the README; the README's set-up commands exist."""

import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from safet_filer.cli import cli

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()
EVERY_COMMAND = "all"  # the README's name, in the options table, for the options given before any command


def commands(group: click.Group, prefix: str = "") -> dict[str, click.Command]:
    found: dict[str, click.Command] = {}
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            found |= commands(command, f"{prefix}{name} ")
        else:
            found[f"{prefix}{name}"] = command
    return found


COMMANDS = commands(cli)


def options(command: click.Command) -> list[click.Option]:
    return [p for p in command.params if isinstance(p, click.Option) and not p.hidden and "--help" not in p.opts]


def flat(text: str) -> str:
    """Text with its line breaks and runs of spaces made single spaces, as --help wraps it."""
    return " ".join(text.split())


def readme_table(*header: str) -> list[list[str]]:
    """The rows (as cells) of the README table whose header row is `header`."""
    lines = README.splitlines()
    start = lines.index("| " + " | ".join(header) + " |")
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in re.split(r"(?<!\\)\|", line.strip())[1:-1]])
    return rows


def option_names(cell: str) -> set[str]:
    """The options a table cell names: `-o`, `--only ORDER_ID`, `--limit N` gives {"-o", "--only", "--limit"}."""
    return set(re.findall(r"`(--?[a-z][a-z-]*)", cell))


def documented_options() -> dict[tuple[str, str], str]:
    """{(command, option): what the README says it does}, from its options table."""
    found = {}
    for names, where, effect in readme_table("option", "commands", "effect"):
        for command in re.findall(r"`([a-z ]+)`", where) or [EVERY_COMMAND] * (EVERY_COMMAND in where):
            for option in option_names(names):
                found[(command, option)] = effect
    return found


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_says_what_it_does_and_what_each_option_does_in_its_help(name):
    command = COMMANDS[name]
    result = CliRunner().invoke(cli, [*name.split(), "--help"], terminal_width=100)
    assert result.exit_code == 0, result.output
    shown = flat(result.output)
    assert command.help, f"{name} has no help text"
    assert flat(command.help.split("\n\n")[0]) in shown
    for option in options(command):
        assert option.help, f"{name} {option.opts[0]} has no help text"
        assert f"{', '.join(option.opts)} " in shown and flat(option.help) in shown, option.opts[0]


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_is_in_the_readmes_commands_table_with_what_it_does(name):
    rows = [row for row in readme_table("command", "what it does") if row[0].startswith(f"`safet-filer {name}")]
    assert rows, f"safet-filer {name} is not in the README's commands table"
    assert all(len(row[1]) > 10 for row in rows)


def test_every_option_is_in_the_readmes_options_table_with_what_it_does():
    documented = documented_options()
    wanted = {(name, o) for name, command in COMMANDS.items() for option in options(command) for o in option.opts}
    wanted |= {(EVERY_COMMAND, o) for option in options(cli) for o in option.opts}
    missing = sorted(f"{command} {option}" for command, option in wanted - documented.keys())
    assert not missing, f"not in the README's options table: {missing}"
    assert all(len(documented[key]) > 10 for key in wanted)


def test_the_readme_documents_only_commands_and_options_that_exist():
    documented_commands = {
        re.match(r"`safet-filer ([a-z]+(?: [a-z]+)?)", row[0]).group(1)
        for row in readme_table("command", "what it does")
    }
    assert documented_commands == set(COMMANDS)
    for command, option in documented_options():
        target = cli if command == EVERY_COMMAND else COMMANDS[command]
        assert any(option in o.opts for o in options(target)), f"{command} has no {option}"


def test_the_readme_starts_with_the_two_set_up_commands_and_they_exist():
    first_block = re.search(r"```sh\n(.*?)```", README, re.S).group(1)
    scripts = [line.split()[0] for line in first_block.splitlines() if line.strip()]
    assert scripts == ["scripts/dry-run", "scripts/test"]
    for script in scripts:
        assert (ROOT / script).stat().st_mode & 0o111, f"{script} is not executable"
    assert "scripts/test" in (ROOT / ".ci" / "run").read_text()
