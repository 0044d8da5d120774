"""On PostgreSQL (the suite's PostgreSQL pass): the demo generator fills a new database, and
``dyadcare serve`` (gunicorn workers with threads, and the task worker beside them) answers
many requests at once through each process's connection pool, without opening more
connections than the pools allow."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tests.conftest import PgDatabases

DYADCARE = str(Path(sys.executable).with_name("dyadcare"))
WORKERS, THREADS, POOL_MAX = 2, 4, 2


def _environment(url: str, tmp_path: Path) -> dict[str, str]:
    unset = ("DYADCARE_", "DATABASE_URL")
    environ = {k: v for k, v in os.environ.items() if not k.startswith(unset)}
    return {
        **environ,
        "DATABASE_URL": url,
        "DYADCARE_DEMO": "1",
        "DYADCARE_HOME": str(tmp_path),
        "DYADCARE_DB_POOL_MIN": "1",
        "DYADCARE_DB_POOL_MAX": str(POOL_MAX),
    }


def _connections(url: str) -> int:
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as admin:
        row = admin.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = %s", [name]).fetchone()
    assert row is not None
    return int(row[0])


def _wait(port: int, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                return
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                raise
            time.sleep(0.3)


def test_demo_and_serve_on_postgresql(pg_databases: PgDatabases, tmp_path: Path) -> None:
    (url,) = pg_databases(1, migrated=1)
    environ = _environment(url, tmp_path)
    demo = subprocess.run(
        [DYADCARE, "demo", "--children", "60", "--quiet"], env=environ, capture_output=True, text=True
    )
    assert demo.returncode == 0, demo.stderr
    stats = json.loads(
        subprocess.run([DYADCARE, "stats"], env=environ, check=True, capture_output=True, text=True).stdout
    )
    assert stats["children"] == 60 and stats["caregivers"] > 0
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    server = subprocess.Popen(
        [DYADCARE, "serve", "--port", str(port), "--workers", str(WORKERS), "--threads", str(THREADS)],
        env=environ,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait(port, server)

        def fetch(number: int) -> int:
            path = "/healthz" if number % 2 else "/login/"
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=30) as response:
                return int(response.status)

        with ThreadPoolExecutor(max_workers=24) as pool:
            statuses = list(pool.map(fetch, range(120)))
        assert statuses == [200] * 120
        # Each gunicorn worker and the task worker hold at most POOL_MAX connections each.
        assert 1 <= _connections(url) <= (WORKERS + 1) * POOL_MAX
    finally:
        server.terminate()
        server.wait(timeout=90)  # gunicorn's graceful stop, then the task worker's
    assert server.returncode == 0, "gunicorn and the task worker stopped cleanly"
