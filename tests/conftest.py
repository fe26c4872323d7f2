"""Shared test fixtures: the browser the tool itself would find, and the mock Seller Central."""

import shutil

import pytest


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    # Spread pytest-playwright's own arguments so --headed and --slowmo keep working.
    # TEMPORARY: replaced by safet_filer.browser discovery (browser helper owns this fixture).
    return {**browser_type_launch_args, "executable_path": shutil.which("chromium")}


@pytest.fixture
def mock_site():
    """A fresh mock Seller Central on a free loopback port (mock helper owns this fixture)."""
    from safet_filer.fixtures.server import MockSellerCentral

    with MockSellerCentral() as site:
        yield site
