"""``dyadcare serve [--host 127.0.0.1] [--port 8000]``: the app under gunicorn."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from gunicorn.app.base import BaseApplication


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

    def handle(
        self, *args: Any, host: str, port: int, workers: int, threads: int, no_worker: bool, **options: Any
    ) -> None:
        call_command("collectstatic", interactive=False, verbosity=0)
        worker = None
        if not no_worker:
            # The queue that escalates unacknowledged safety alerts runs beside the web server.
            worker = subprocess.Popen(
                [sys.executable, "-c", "from dyadcare.cli import main; main(['worker'])"]
            )
        self.stdout.write(f"dyadcare is at http://{host}:{port}/ (Ctrl+C stops it)")
        if settings.DEMO_MODE:
            self.stdout.write("Demo mode: synthetic data only; never enter a real family here.")
        try:
            self._run(host, port, workers, threads)
        finally:
            if worker is not None:
                worker.terminate()
                worker.wait(timeout=10)

    def _run(self, host: str, port: int, workers: int, threads: int) -> None:
        _Gunicorn(
            {
                "bind": f"{host}:{port}",
                "workers": workers,
                "threads": threads,
                "worker_class": "gthread",
                "accesslog": "-",
                "timeout": 60,
                "graceful_timeout": 10,
            }
        ).run()
