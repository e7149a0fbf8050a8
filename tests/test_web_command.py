"""`awsinv-mcp web`: flags, the refusal to listen publicly without a token, and a real start-up."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import urllib.request

import pytest

from awsinv_mcp.clients.web import command
from awsinv_mcp.config import Settings


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    command.configure(parser)
    return parser.parse_args(list(argv))


def test_defaults_bind_loopback() -> None:
    args = parse()
    assert (args.host, args.port, args.url, args.token, args.open) == ("127.0.0.1", 8080, None, None, False)
    args = parse("--host", "0.0.0.0", "--port", "9000", "--url", "http://h:5001/mcp", "--token", "t", "--open")
    assert (args.host, args.port, args.url, args.token, args.open) == ("0.0.0.0", 9000, "http://h:5001/mcp", "t", True)


def test_refuses_public_host_without_token(capsys: pytest.CaptureFixture[str]) -> None:
    assert command.run(parse("--host", "0.0.0.0"), Settings(source="synthetic")) == 2
    assert "AWSINV_AUTH_TOKEN" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("host", "expected"),
    [("127.0.0.1", True), ("localhost", True), ("::1", True), ("0.0.0.0", False), ("10.1.2.3", False)],
)
def test_is_loopback(host: str, expected: bool) -> None:
    assert command.is_loopback(host) is expected


def test_allowed_hosts() -> None:
    assert command.allowed_hosts("127.0.0.1") == ["127.0.0.1", "localhost", "::1"]
    assert command.allowed_hosts("0.0.0.0") == ["*"]
    assert "web.internal" in command.allowed_hosts("web.internal")


def test_cli_serves_the_page_and_prints_its_url() -> None:
    env = {**os.environ, "AWSINV_SOURCE": "synthetic", "AWSINV_SCALE": "40", "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "awsinv_mcp", "web", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        deadline = time.monotonic() + 60
        line = ""
        while time.monotonic() < deadline and proc.poll() is None:
            line = proc.stdout.readline()
            if line.startswith("awsinv-mcp web: http://127.0.0.1:"):
                break
        assert line.startswith("awsinv-mcp web: http://127.0.0.1:"), (line, proc.stderr.read() if proc.poll() else "")
        url = line.split(": ", 1)[1].strip()
        with urllib.request.urlopen(url + "healthz", timeout=10) as r:
            assert json.loads(r.read()) == {"status": "ok"}
        with urllib.request.urlopen(url + "api/v1/inventory/summary", timeout=60) as r:
            body = json.loads(r.read())
        assert body["source"] == "synthetic" and body["db_instances"] == 40
        with urllib.request.urlopen(url, timeout=10) as r:
            assert "default-src 'self'" in r.headers["content-security-policy"]
    finally:
        proc.terminate()
        proc.wait(timeout=20)
