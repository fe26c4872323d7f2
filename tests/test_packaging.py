"""The wheel: what it holds, that it runs from any folder once installed, and that `--help` stays light.

Building and installing take about ten seconds; the wheel is built once for the module.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
# Each folder of the repository that ships, and where it lands inside the wheel.
SHIPPED = {"filer": "safet_filer", "flows": "safet_filer/flows", "fixtures": "safet_filer/fixtures"}


def run(*command: str | Path, cwd: Path | None = None, env: dict[str, str] | None = None):
    return subprocess.run(
        [str(c) for c in command], cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False
    )


def plain_env() -> dict[str, str]:
    """The test's (already isolated) environment without anything that would make Python find the checkout."""
    return {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP")}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The wheel built from a copy of the checkout (building in place would leave build/ in the working tree)."""
    source = tmp_path_factory.mktemp("source") / "safet-filer"
    shutil.copytree(
        REPO,
        source,
        ignore=shutil.ignore_patterns(
            ".git",
            ".venv",
            "build",
            "dist",
            "*.egg-info",
            "__pycache__",
            ".pytest_cache",
            ".ruff_cache",
            "test-results",
        ),
    )
    out = tmp_path_factory.mktemp("wheel")
    attempts = []
    # With build isolation pip fetches the build backend from the configured index (a local mirror works offline);
    # without it, the setuptools already installed must be new enough for pyproject.toml.
    for extra in ([], ["--no-build-isolation"]):
        built = run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", *extra, "-w", out, source)
        attempts.append(built.stdout + built.stderr)
        wheels = list(out.glob("safet_filer-*.whl"))
        if built.returncode == 0 and wheels:
            return wheels[0]
    pytest.fail("pip could not build the wheel:\n" + "\n---\n".join(attempts))


@pytest.mark.e2e
def test_the_wheel_ships_flows_and_fixture_assets_under_the_package_and_nothing_top_level(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())

    top_level = {name.split("/")[0] for name in names}
    assert top_level == {"safet_filer", f"{wheel.name.split('-')[0]}-{wheel.name.split('-')[1]}.dist-info"}
    for folder, package in SHIPPED.items():
        for path in (REPO / folder).rglob("*"):
            # Everything but notes for developers (*.md): modules, the mock's pages, scenario data.
            if path.is_file() and "__pycache__" not in path.parts and path.suffix not in (".pyc", ".md"):
                assert f"{package}/{path.relative_to(REPO / folder).as_posix()}" in names, f"{path} is not shipped"
    assert any(name.startswith("safet_filer/fixtures/static/") for name in names), "the mock's pages are missing"
    assert any(name.startswith("safet_filer/flows/") and name.endswith(".py") for name in names)
    entry_points = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
    assert "safet-filer = safet_filer.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()


@pytest.mark.e2e
def test_the_installed_wheel_runs_from_any_folder(wheel, tmp_path):
    target = tmp_path / "venv"
    # A fresh venv that borrows the dependencies installed beside the running interpreter (a .pth line, not
    # --system-site-packages: that would reach the base interpreter, not the environment this test runs in).
    # A .pth line adds the folder but does not run the .pth files inside it, so an editable install there stays off.
    venv.EnvBuilder(with_pip=False).create(target)
    python = target / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python")
    site_packages = Path(run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])").stdout.strip())
    borrowed = [p for p in sys.path if p.endswith(("site-packages", "dist-packages")) and Path(p).is_dir()]
    (site_packages / "zz_borrowed_dependencies.pth").write_text("\n".join(borrowed) + "\n")
    installed = run(
        sys.executable, "-m", "pip", "--python", python, "install", "--quiet", "--no-deps", "--no-index", wheel
    )
    assert installed.returncode == 0, installed.stderr

    own = {p.name for p in site_packages.iterdir()} - {"zz_borrowed_dependencies.pth", "__pycache__"}
    assert {name for name in own if not name.endswith(".dist-info")} == {"safet_filer"}, own

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    script = target / ("Scripts/safet-filer.exe" if sys.platform == "win32" else "bin/safet-filer")
    helped = run(script, "--help", cwd=elsewhere, env=plain_env())
    assert helped.returncode == 0, helped.stderr
    assert "doctor" in helped.stdout and "check" in helped.stdout

    where = run(
        python,
        "-c",
        "import safet_filer, importlib.resources as r; print(safet_filer.__file__);"
        "print(r.files('safet_filer.fixtures').joinpath('static').is_dir());"
        "import safet_filer.flows",
        cwd=elsewhere,
        env=plain_env(),
    )
    assert where.returncode == 0, where.stderr
    module_file, has_static = where.stdout.split()
    assert Path(module_file).is_relative_to(site_packages)
    assert has_static == "True"


def test_help_does_not_import_playwright(tmp_path):
    result = run(sys.executable, "-X", "importtime", "-m", "safet_filer", "--help", cwd=tmp_path, env=plain_env())

    assert result.returncode == 0, result.stderr
    imported = {
        line.rsplit("|", 1)[-1].strip() for line in result.stderr.splitlines() if line.startswith("import time:")
    }
    assert "click" in imported  # the check itself works
    heavy = sorted(m for m in imported if m.split(".")[0] in {"playwright", "greenlet", "pyee"})
    assert not heavy, f"`safet-filer --help` imports {heavy}"
