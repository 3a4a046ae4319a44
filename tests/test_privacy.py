"""No telemetry leaves the machine: the app, its models and its scorer connect to loopback only."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from fixtures.bench_modules import bench_load

from simulator.storage import Store

REPO = Path(__file__).resolve().parent.parent
PRIVACY_ENV = {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "HF_HUB_DISABLE_TELEMETRY": "1",
               "GRADIO_ANALYTICS_ENABLED": "False"}
# An audit hook that logs (to the file in argv[1]) every name lookup or connection that is not to this
# machine. Audit hooks see sockets opened by any library, C extensions included.
WATCH = """
import ipaddress, sys
log = open(sys.argv[1], "a", buffering=1)

def local(host):
    if isinstance(host, bytes):
        host = host.decode()
    if host is None or host in ("", "localhost"):
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False

def hook(event, args):
    if event == "socket.getaddrinfo":
        host = args[0]
    elif event == "socket.connect" and isinstance(args[1], tuple):
        host = args[1][0]
    else:
        return
    if not local(host):
        log.write(f"{event} {host!r}\\n")

sys.addaudithook(hook)
"""
WATCHED_CLI = WATCH + "from simulator.cli import main\nsys.exit(main(sys.argv[2:]))\n"


def test_the_watch_sees_an_outside_lookup(tmp_path):
    log = tmp_path / "connections.log"
    lookup = "import socket\ntry:\n socket.getaddrinfo('telemetry.example', 443)\nexcept OSError:\n pass\n"
    code = WATCH + lookup
    subprocess.run([sys.executable, "-c", code, str(log)], check=True, timeout=60)
    assert "telemetry.example" in log.read_text()


def test_the_package_turns_telemetry_off_and_hubs_offline_before_anything_loads():
    env = {key: value for key, value in os.environ.items() if key not in PRIVACY_ENV}
    names = list(PRIVACY_ENV)
    code = f"import json, os, simulator; print(json.dumps({{k: os.environ.get(k) for k in {names}}}))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    assert json.loads(result.stdout) == PRIVACY_ENV


@pytest.mark.real_model
def test_serving_interviews_with_the_embedded_models_opens_no_outside_connection(tmp_path):
    load = bench_load()
    connections = tmp_path / "connections.log"
    connections.touch()
    server = load.Server(tmp_path, model="smollm2-135m-instruct",
                         launcher=[sys.executable, "-c", WATCHED_CLI, str(connections)])
    server.start(environ={key: value for key, value in os.environ.items() if key not in PRIVACY_ENV})
    try:
        browser = load.Browser(server.url)
        browser.open_page()
        browser.call(browser.dependency("start"), ["lan-nail-salon", "practice"])
        browser.call(browser.dependency("send"), [None, "Hello, I am Sam, a police officer. How are you?"])
    finally:
        server.stop()
    with Store(server.database_url) as store:
        assert store.list_sessions()[0].turn_count == 1, "the interview ran, so the models were loaded"
    assert connections.read_text() == ""
