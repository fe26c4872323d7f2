"""The house's shape, checked: imports run one way (cli → run → a claim's course → flows, ledger, confirm, report →
claims, settings), with no cycle, not even through an import inside a function; and the README's Layout section
names every module of filer/ and flows/, and none that is gone.

The import graph is read from the source (every `import`, at any depth), so nothing hidden in a function or behind
`TYPE_CHECKING` escapes it.
"""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = {"filer": "safet_filer", "flows": "safet_filer.flows", "fixtures": "safet_filer.fixtures"}


def module_files() -> dict[str, Path]:
    found = {}
    for folder, package in PACKAGES.items():
        for path in (ROOT / folder).rglob("*.py"):
            parts = [p for p in path.relative_to(ROOT / folder).with_suffix("").parts if p != "__init__"]
            found[".".join([package, *parts])] = path
    return found


MODULES = module_files()


def imports_of(name: str, path: Path) -> set[str]:
    """The project's modules that `name` imports, anywhere in its source."""
    targets: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".")[: -node.level] if path.name != "__init__.py" else name.split(".")
                if path.name == "__init__.py" and node.level > 1:
                    base = base[: -(node.level - 1)]
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            candidates = [module, *(f"{module}.{alias.name}" for alias in node.names)]
        elif isinstance(node, ast.Import):
            candidates = [alias.name for alias in node.names]
        else:
            continue
        targets |= {c for c in candidates if c in MODULES and c != name and not name.startswith(c + ".")}
    return targets


GRAPH = {name: imports_of(name, path) for name, path in MODULES.items()}


def short(name: str) -> str:
    return name.removeprefix("safet_filer.")


def test_there_is_no_import_cycle():
    done: set[str] = set()

    def visit(name: str, trail: list[str]) -> None:
        if name in trail:
            cycle = [*trail[trail.index(name) :], name]
            pytest.fail("import cycle: " + " → ".join(short(n) for n in cycle))
        if name in done:
            return
        for target in sorted(GRAPH[name]):
            visit(target, [*trail, name])
        done.add(name)

    for name in sorted(GRAPH):
        visit(name, [])


# Who may import whom: a module in the first group imports only modules that the second group names.
BELOW = {
    # The site's words (flows/labels.py) are data that imports nothing, so settings may check a person's [labels]
    # overrides against them.
    "the claim model and settings": (
        (
            "safet_filer.claims",
            "safet_filer.settings",
            "safet_filer.errors",
            "safet_filer.private",
            "safet_filer.money",
        ),
        (
            "safet_filer.claims",
            "safet_filer.settings",
            "safet_filer.errors",
            "safet_filer.private",
            "safet_filer.money",
            "safet_filer.flows.labels",
        ),
    ),
    "the site's words": (("safet_filer.flows.labels",), ()),
    "the flows (page objects)": (
        ("safet_filer.flows",),
        ("safet_filer.flows", "safet_filer.claims", "safet_filer.settings", "safet_filer.errors"),
    ),
    "the mock Seller Central": (("safet_filer.fixtures",), ("safet_filer.fixtures",)),
    "the ledger": (
        (
            "safet_filer.ledger",
            "safet_filer.ledger_schema",
            "safet_filer.followup",
            "safet_filer.followup_site",
            "safet_filer.followup_messages",
            "safet_filer.standing",
        ),
        (
            "safet_filer.ledger",
            "safet_filer.ledger_schema",
            "safet_filer.followup",
            "safet_filer.followup_site",
            "safet_filer.followup_messages",
            "safet_filer.errors",
            "safet_filer.private",
            "safet_filer.money",
        ),
    ),
}


def within(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


@pytest.mark.parametrize("group", BELOW)
def test_each_layer_imports_only_what_lies_below_it(group):
    members, allowed = BELOW[group]
    wrong = sorted(
        f"{short(name)} imports {short(target)}"
        for name in GRAPH
        if within(name, members)
        for target in GRAPH[name]
        if not within(target, allowed) and target != "safet_filer"
    )
    assert not wrong, f"{group}: " + "; ".join(wrong)


def test_only_the_command_line_imports_the_run_and_only_the_run_imports_a_claims_course():
    importers = {t: sorted(short(n) for n in GRAPH if t in GRAPH[n]) for t in ("safet_filer.run", "safet_filer.filing")}
    assert importers["safet_filer.run"] == ["cli"]
    assert importers["safet_filer.filing"] == ["run"]
    assert not [short(n) for n in GRAPH if "safet_filer.cli" in GRAPH[n] and n != "safet_filer.__main__"]


# -- the README's layout names every module, and only modules that exist ---------------------------------------------
def layout_section() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index("\n## Layout\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else len(text)]


def modules_the_layout_names() -> set[str]:
    """Every `name.py` of the Layout section as a path from the repository's root: a table row's names belong to its
    folder (the first cell, kept for the rows under it), those after `claims/` in a filer row to filer/claims/;
    a name with a slash is a path already."""
    named: set[str] = set()
    folder = ""
    for line in layout_section().splitlines():
        if line.startswith("|"):
            first, _, rest = line.strip("|").partition("|")
            first = first.strip().strip("`")
            if first.endswith("/"):
                folder = first
            elif first:
                folder = ""  # a file's row (docs/site-interface.md): its names are paths
            for cell in rest.split(";"):
                subfolder = "claims/" if folder == "filer/" and cell.strip().startswith("`claims/`") else ""
                for name in re.findall(r"`([\w/]+\.py)`", cell):
                    named.add(name if "/" in name else f"{folder}{subfolder}{name}")
        else:
            named |= set(re.findall(r"`([\w/]+/[\w]+\.py)`", line))
    return named


def test_the_readme_layout_names_every_module_of_the_tool_and_none_that_is_gone():
    named = modules_the_layout_names()
    modules = {
        path.relative_to(ROOT).as_posix()
        for folder in ("filer", "flows")
        for path in (ROOT / folder).rglob("*.py")
        if not path.name.startswith("__")
    }
    assert sorted(modules - named) == [], "modules the README's Layout section does not name"
    assert sorted(p for p in named if not (ROOT / p).is_file()) == [], "the README's Layout names these, not on disk"
