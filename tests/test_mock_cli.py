"""`safet-filer fixture serve`: starts the mock on 127.0.0.1, prints its URL, and stops cleanly on Ctrl-C."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import urllib.request

import pytest


def serve(*args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "safet_filer", "fixture", "serve", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def first_url(proc: subprocess.Popen) -> str:
    line = proc.stdout.readline()
    match = re.fullmatch(r"Mock Seller Central running at (http://127\.0\.0\.1:\d+)\n", line)
    assert match, line
    assert proc.stdout.readline() == f"Dashboard: {match.group(1)}/safet-claims\n"
    return match.group(1)


def test_serve_prints_its_url_serves_the_dashboard_and_stops_on_ctrl_c():
    proc = serve()
    try:
        url = first_url(proc)
        with urllib.request.urlopen(url + "/safet-claims", timeout=10) as resp:
            assert resp.status == 200 and b"SAFE-T claims" in resp.read()
    finally:
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=15)
    assert proc.returncode == 0
    assert "Traceback" not in err and "Stopped." in err


def test_serve_with_a_claims_file_rehearses_its_orders(tmp_path):
    claims = tmp_path / "claims.json"
    claims.write_text(
        json.dumps({"claims": [{"order_id": "114-1234567-7654321", "items": [{"asin": "B0REHEARSE", "quantity": 2}]}]})
    )
    proc = serve("--claims", str(claims))
    try:
        url = first_url(proc)
        body = json.dumps({"identifier": "order_id", "value": "114-1234567-7654321"}).encode()
        request = urllib.request.Request(
            url + "/safet-claims/api/eligibility", body, {"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=10) as resp:
            answer = json.loads(resp.read())
        assert [(i["asin"], i["refunded"]) for i in answer["order"]["items"]] == [("B0REHEARSE", 2)]
    finally:
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=15)
    assert proc.returncode == 0


@pytest.mark.parametrize(
    ("make_args", "message"),
    [
        (lambda p: ["--scenario", str(p), "--claims", str(p)], "Give --scenario or --claims, not both."),
        (lambda p: ["--scenario", str(p)], "is not valid JSON"),
    ],
)
def test_serve_refuses_bad_options_with_a_message_and_exit_2(tmp_path, make_args, message):
    bad = tmp_path / "bad.json"
    bad.write_text("{nope")
    proc = serve(*make_args(bad))
    _, err = proc.communicate(timeout=15)
    assert proc.returncode == 2
    assert message in err and "Traceback" not in err


def test_serve_on_a_port_in_use_says_so_and_exits_2():
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        proc = subprocess.Popen(
            [sys.executable, "-m", "safet_filer", "fixture", "serve", "--port", str(port)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        _, err = proc.communicate(timeout=15)
    assert proc.returncode == 2
    assert f"Cannot listen on 127.0.0.1:{port}" in err and "--port 0" in err
