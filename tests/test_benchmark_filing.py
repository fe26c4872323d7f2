"""benchmarks/filing_speed.py runs end to end: the bare script and the tool each file a short list on the mock, on the
default layout and on the layout of every switch at once.

Nothing here is timed; the benchmark itself exits non-zero when either side did not file every claim.
"""

import subprocess
import sys

import pytest
from runs import REPO


@pytest.mark.e2e
def test_the_filing_benchmark_files_two_claims_each_way_on_two_layouts_and_prints_the_ratios():
    benchmark = REPO / "benchmarks" / "filing_speed.py"
    done = subprocess.run(
        [sys.executable, str(benchmark), "--claims", "2", "--rounds", "1", "--calls", "--layout", "all"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "bare default" in done.stdout and "tool default" in done.stdout
    assert "bare all" in done.stdout and "tool all" in done.stdout
    assert "ratio tool/bare" in done.stdout
    assert "no tool pass filed every claim" not in done.stdout
    assert "Page.screenshot" in done.stdout  # calls were counted on both sides
