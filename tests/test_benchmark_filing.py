"""benchmarks/filing_speed.py runs end to end: the bare script and the tool each file a short list on the mock.

Nothing here is timed; the benchmark itself exits non-zero when either side did not file every claim.
"""

import subprocess
import sys

import pytest
from runs import REPO


@pytest.mark.e2e
def test_the_filing_benchmark_files_two_claims_each_way_and_prints_the_ratio():
    done = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "filing_speed.py"), "--claims", "2", "--rounds", "1", "--calls"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "bare default" in done.stdout and "tool default" in done.stdout
    assert "ratio tool/bare" in done.stdout
    assert "Page.screenshot" in done.stdout  # calls were counted on both sides
