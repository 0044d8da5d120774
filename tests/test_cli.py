"""The console script, run as an operator runs it: a separate process on its own database."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

DYADCARE = str(Path(sys.executable).with_name("dyadcare"))


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    environ = {
        **os.environ,
        "DYADCARE_DEMO": "1",
        "DATABASE_URL": f"sqlite:///{tmp_path}/cli.sqlite3",
        "DYADCARE_HOME": str(tmp_path),
    }
    environ.pop("DYADCARE_SECRET_KEY", None)
    subprocess.run([DYADCARE, "migrate", "-v", "0"], env=environ, check=True)
    return environ


def test_stats_and_demo_through_the_console_script(env: dict[str, str]) -> None:
    demo = subprocess.run(
        [DYADCARE, "demo", "--children", "25", "--seed", "4", "--quiet"],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    assert "admin.fruitvale" in demo.stdout
    stats = json.loads(
        subprocess.run([DYADCARE, "stats"], env=env, check=True, capture_output=True, text=True).stdout
    )
    assert stats["children"] == 25 and stats["clinics"] == 3 and stats["networks"] == 1


def test_without_a_secret_key_outside_demo_mode_it_refuses_to_start(env: dict[str, str]) -> None:
    environ = {**env, "DYADCARE_DEMO": "0"}
    result = subprocess.run([DYADCARE, "stats"], env=environ, capture_output=True, text=True)
    assert result.returncode != 0
    assert "No secret key" in result.stderr


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_serve_runs_gunicorn_with_static_files(env: dict[str, str]) -> None:
    port = _free_port()
    server = subprocess.Popen(
        [DYADCARE, "serve", "--port", str(port), "--workers", "1"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                    assert json.loads(response.read())["ok"] is True
                    break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.3)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=5) as response:
            page = response.read().decode()
            assert response.headers["Server"].startswith("gunicorn")
        stylesheet = page.split('rel="stylesheet" href="')[1].split('"')[0]
        assert stylesheet.startswith("/static/web/app.") and stylesheet.endswith(".css"), "hashed static name"
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{stylesheet}", timeout=5) as response:
            assert response.headers["Content-Type"].startswith("text/css")
            assert "immutable" in response.headers.get("Cache-Control", "")
    finally:
        server.terminate()
        server.wait(timeout=15)
