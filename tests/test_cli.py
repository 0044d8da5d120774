"""The console script, run as an operator runs it: a separate process on its own database."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest

DYADCARE = str(Path(sys.executable).with_name("dyadcare"))


@pytest.fixture
def env(tmp_path: Path, migrated_sqlite: Callable[[Path], str]) -> dict[str, str]:
    environ = {
        **os.environ,
        "DYADCARE_DEMO": "1",
        "DATABASE_URL": migrated_sqlite(tmp_path / "cli.sqlite3"),
        "DYADCARE_HOME": str(tmp_path),
    }
    environ.pop("DYADCARE_SECRET_KEY", None)
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
            assert response.headers["Server"] is None, "no banner naming the server software"
            assert response.headers["Content-Security-Policy"].startswith("default-src 'self'")
        stylesheet = page.split('rel="stylesheet" href="')[1].split('"')[0]
        assert stylesheet.startswith("/static/web/app.") and stylesheet.endswith(".css"), "hashed static name"
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{stylesheet}", timeout=5) as response:
            assert response.headers["Content-Type"].startswith("text/css")
            assert "immutable" in response.headers.get("Cache-Control", "")
    finally:
        server.terminate()
        server.wait(timeout=15)


def _bare_environment(tmp_path: Path, **extra: str) -> dict[str, str]:
    """The environment of a newcomer who has configured nothing."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("DYADCARE_", "DATABASE_URL"))}
    return {**environ, "DYADCARE_HOME": str(tmp_path), **extra}


@pytest.mark.parametrize(
    ("extra", "says"),
    [
        ({}, "No secret key"),
        (
            {"DYADCARE_DEMO": "1", "DATABASE_URL": "sqlite:///{tmp}/never-migrated.sqlite3"},
            "dyadcare migrate",
        ),
        (  # the pool gives up after DYADCARE_DB_POOL_TIMEOUT seconds (10 unless set)
            {
                "DYADCARE_DEMO": "1",
                "DATABASE_URL": "postgres://nobody@127.0.0.1:1/none",
                "DYADCARE_DB_POOL_TIMEOUT": "1",
            },
            "cannot be reached",
        ),
        ({"DYADCARE_DEMO": "1", "DYADCARE_SESSION_IDLE_MINUTES": "soon"}, "DYADCARE_SESSION_IDLE_MINUTES"),
        ({"DYADCARE_DEMO": "1", "DATABASE_URL": "mysql://x@y/z"}, "DATABASE_URL"),
    ],
    ids=["no secret key", "not migrated", "unreachable", "malformed setting", "unknown database"],
)
def test_a_configuration_error_is_one_line_and_status_2(
    tmp_path: Path, extra: dict[str, str], says: str
) -> None:
    environ = _bare_environment(tmp_path, **{k: v.format(tmp=tmp_path) for k, v in extra.items()})
    result = subprocess.run([DYADCARE, "stats"], env=environ, capture_output=True, text=True)
    assert result.returncode == 2, result.stderr
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
    assert says in result.stderr


def test_commands_without_a_database_need_no_secret_key(tmp_path: Path) -> None:
    environ = _bare_environment(tmp_path)
    schedule = subprocess.run(
        [DYADCARE, "schedule", "--dob", "2025-01-31", "--as-of", "2025-06-01"],
        env=environ,
        capture_output=True,
        text=True,
    )
    assert schedule.returncode == 0, schedule.stderr
    assert json.loads(schedule.stdout)["dob"] == "2025-01-31"
    score = subprocess.run(
        [DYADCARE, "score", "phq2", "--answers", "[1, 2]"], env=environ, capture_output=True, text=True
    )
    assert score.returncode == 0 and json.loads(score.stdout)["total"] == 3


def test_help_lists_the_project_s_commands_before_any_configuration(tmp_path: Path) -> None:
    for args in ([], ["--help"], ["help"]):
        result = subprocess.run(
            [DYADCARE, *args], env=_bare_environment(tmp_path), capture_output=True, text=True
        )
        assert result.returncode == 0, result.stderr
        for command in ("demo", "serve", "stats", "worker", "schedule", "score", "instruments"):
            assert command in result.stdout
        assert "Traceback" not in result.stderr
