"""``dyadcare serve [--host 127.0.0.1] [--port 8000]``: the app under gunicorn.

What gunicorn is told, beside the workers: limits on the request line and headers (the body is
limited by the application, ``DYADCARE_MAX_REQUEST_MB``), which proxies may say the request
came over HTTPS (``DYADCARE_TRUSTED_PROXIES``, else this machine only), no ``Server`` header
naming the software, and its control socket (``gunicornc``) inside this instance's own
``var/`` folder, readable by its owner only (``--no-control-socket`` turns it off).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import connections
from gunicorn.app.base import BaseApplication
from gunicorn.http import wsgi as gunicorn_wsgi

# A Unix socket's path must fit in 108 bytes (sun_path), with room to spare.
SOCKET_PATH_LIMIT = 100


def without_server_header() -> None:
    """Gunicorn always sends ``Server: gunicorn``; the software behind the site is not the
    visitor's business. Its responses leave the header out (idempotent)."""
    response = gunicorn_wsgi.Response
    if getattr(response, "_dyadcare_no_server", False):
        return
    default_headers = response.default_headers

    def headers(self: Any) -> list[str]:
        return [line for line in default_headers(self) if not line.lower().startswith("server:")]

    response.default_headers = headers
    response._dyadcare_no_server = True


def gunicorn_options(
    *, host: str, port: int, workers: int, threads: int, control_socket: bool
) -> dict[str, Any]:
    """The gunicorn settings ``serve`` runs with."""
    proxies = ",".join(str(network) for network in settings.TRUSTED_PROXIES) or "127.0.0.1,::1"
    options: dict[str, Any] = {
        "bind": f"{host}:{port}",
        "workers": workers,
        "threads": threads,
        "worker_class": "gthread",
        "accesslog": "-",
        "timeout": 60,
        "graceful_timeout": 10,
        "limit_request_line": 4094,
        "limit_request_fields": 50,
        "limit_request_field_size": 8190,
        "forwarded_allow_ips": proxies,
    }
    socket = Path(settings.VAR_DIR) / "gunicorn.ctl"
    if control_socket and len(str(socket).encode()) <= SOCKET_PATH_LIMIT:
        options.update(control_socket=str(socket), control_socket_mode=0o600)
    else:
        options["control_socket_disable"] = True
    return options


def close_database_pools() -> None:
    """Close this process's connections and PostgreSQL pool before gunicorn forks its workers:
    a pool's threads do not survive a fork and its sockets must not be shared, so each worker
    opens a pool of its own on its first request."""
    for connection in connections.all(initialized_only=True):
        connection.close()
        close_pool = getattr(connection, "close_pool", None)
        if close_pool is not None:
            close_pool()


class _Gunicorn(BaseApplication):  # type: ignore[misc]
    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        from dyadcare.wsgi import application

        return application


class Command(BaseCommand):
    help = "Serve dyadcare with gunicorn (a production WSGI server) and its static files."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=2)
        parser.add_argument("--threads", type=int, default=4)
        parser.add_argument(
            "--no-worker", action="store_true", help="do not start the background queue (alert escalations)"
        )
        parser.add_argument(
            "--no-control-socket", action="store_true", help="no gunicornc control socket (var/gunicorn.ctl)"
        )

    def handle(self, *args: Any, no_worker: bool, no_control_socket: bool, **options: Any) -> None:
        call_command("collectstatic", interactive=False, verbosity=0)
        Path(settings.VAR_DIR).mkdir(parents=True, exist_ok=True)
        worker = None
        if not no_worker:
            # The queue that escalates unacknowledged safety alerts runs beside the web server.
            worker = subprocess.Popen(
                [sys.executable, "-c", "from dyadcare.cli import main; main(['worker'])"]
            )
        self.stdout.write(f"dyadcare is at http://{options['host']}:{options['port']}/ (Ctrl+C stops it)")
        if settings.DEMO_MODE:
            self.stdout.write("Demo mode: synthetic data only; never enter a real family here.")
        try:
            without_server_header()
            close_database_pools()
            gunicorn = gunicorn_options(
                host=options["host"],
                port=options["port"],
                workers=options["workers"],
                threads=options["threads"],
                control_socket=not no_control_socket,
            )
            _Gunicorn(gunicorn).run()
        finally:
            if worker is not None:
                worker.terminate()
                worker.wait(timeout=10)
