"""Production settings as an operator runs them: Django's deployment check has nothing to say
outside demo mode, gunicorn serves without naming itself, with request limits and its control
socket in the instance's own folder, a request too large is refused before it is read, and a
refused or unknown address is one line in the log."""

from __future__ import annotations

import io
import logging
import os
import socket
import stat
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from tests.factories import ClinicWorld

DYADCARE = str(Path(sys.executable).with_name("dyadcare"))
STRONG_KEY = "p6Qx-" + "Zr8vK2mWc9sLt4yHn7bJ3dFg5hXq1aE0uRiO" * 2


def _production(tmp_path: Path, **extra: str) -> dict[str, str]:
    """An environment as on a clinic's server: no demo, no debug, a real key and host name."""
    unset = ("DYADCARE_", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")
    environ = {k: v for k, v in os.environ.items() if not k.startswith(unset)}
    return {
        **environ,
        "DYADCARE_HOME": str(tmp_path),
        "DYADCARE_SECRET_KEY": STRONG_KEY,
        "DYADCARE_ALLOWED_HOSTS": "dyadcare.clinic.example,127.0.0.1",
        "DATABASE_URL": f"sqlite:///{tmp_path}/production.sqlite3",
        **extra,
    }


def test_the_deployment_check_has_nothing_to_say_outside_demo_mode(tmp_path: Path) -> None:
    check = [DYADCARE, "check", "--deploy", "--fail-level", "WARNING"]
    result = subprocess.run(check, env=_production(tmp_path), capture_output=True, text=True)
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues (0 silenced)" in result.stdout
    # The same check does warn when it should: the demo's cookies go over plain HTTP.
    demo = subprocess.run(check, env=_production(tmp_path, DYADCARE_DEMO="1"), capture_output=True, text=True)
    assert demo.returncode != 0 and "SESSION_COOKIE_SECURE" in demo.stderr


def test_production_defaults(tmp_path: Path) -> None:
    script = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, "
        "s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.MAX_REQUEST_BYTES, s.DATA_UPLOAD_MAX_MEMORY_SIZE)"
    )
    environ = {**_production(tmp_path), "DJANGO_SETTINGS_MODULE": "dyadcare.settings"}
    out = subprocess.run(
        [sys.executable, "-c", script], env=environ, capture_output=True, text=True, check=True
    )
    assert out.stdout.split() == ["True", "31536000", "True", "True", "True", "3145728", "3145728"]


def test_a_request_too_large_is_refused_before_it_is_read(db: None) -> None:
    client = Client()
    # The body is never read: the claimed length alone decides (the test client would fail
    # reading past the few bytes actually sent).
    response = client.generic(
        "POST",
        "/login/",
        b"username=a&password=b",
        content_type="application/x-www-form-urlencoded",
        CONTENT_LENGTH=str(100 * 1024 * 1024),
    )
    page = response.content.decode()
    assert response.status_code == 413
    assert "larger than 3 MB" in page and "ocupa más de 3 MB" in page
    assert "default-src 'self'" in response["Content-Security-Policy"]
    family = client.generic("POST", "/f/" + "a" * 43 + "/", b"x", CONTENT_LENGTH=str(4 * 1024 * 1024))
    assert family.status_code == 413
    assert client.generic("POST", "/login/", b"x", CONTENT_LENGTH="-1").status_code == 413
    small = client.post("/login/", {"username": "nobody", "password": "wrong"})
    assert small.status_code == 200, "an ordinary form is read as before"


def _serve(tmp_path: Path, migrated_sqlite: Callable[[Path], str]) -> tuple[subprocess.Popen[bytes], int]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    migrated_sqlite(tmp_path / "production.sqlite3")  # the database _production names
    server = subprocess.Popen(
        [DYADCARE, "serve", "--port", str(port), "--workers", "1", "--no-worker"],
        env=_production(tmp_path),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                return server, port
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                raise
            time.sleep(0.3)


def _raw(port: int, request: bytes) -> str:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
        conn.sendall(request)
        return conn.recv(4096).decode("latin-1")


def test_gunicorn_in_production(tmp_path: Path, migrated_sqlite: Callable[[Path], str]) -> None:
    server, port = _serve(tmp_path, migrated_sqlite)
    base = f"http://127.0.0.1:{port}"
    try:
        # Plain HTTP is sent to HTTPS; the health check is not (a load balancer's probe).
        request = urllib.request.Request(f"{base}/login/")
        opener = urllib.request.build_opener(_NoRedirect())
        with pytest.raises(urllib.error.HTTPError) as redirect:
            opener.open(request, timeout=5)
        redirect.value.close()
        assert redirect.value.code == 301 and redirect.value.headers["Location"].startswith("https://")
        # Through the TLS proxy on this machine: HSTS, secure cookies, and no Server header.
        secure = urllib.request.Request(f"{base}/login/", headers={"X-Forwarded-Proto": "https"})
        with urllib.request.urlopen(secure, timeout=5) as response:
            headers: Any = response.headers
        assert headers["Server"] is None, "no banner naming the server software"
        assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
        assert "Secure" in headers["Set-Cookie"] and "HttpOnly" in headers["Set-Cookie"]
        # A body too large is refused before it is read; gunicorn refuses an overlong request line.
        big = _raw(
            port,
            b"POST /login/ HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Forwarded-Proto: https\r\n"
            b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 104857600\r\n\r\nusername=a",
        )
        assert big.startswith("HTTP/1.1 413")
        assert "\r\nserver:" not in big.lower()
        long_line = _raw(port, b"GET /" + b"a" * 5000 + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        assert long_line.startswith("HTTP/1.1 400") or long_line.startswith("HTTP/1.1 414"), long_line[:80]
        # The control socket lives in this instance's own folder, for its owner only.
        control = tmp_path / "var" / "gunicorn.ctl"
        assert stat.S_ISSOCK(control.stat().st_mode)
        assert stat.S_IMODE(control.stat().st_mode) == 0o600
    finally:
        server.terminate()
        server.wait(timeout=15)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def _console(caplog_stream: io.StringIO) -> logging.Handler:
    """The console handler of the logging configuration, writing into a string."""
    handler = next(
        h
        for h in logging.getLogger().handlers
        if any(type(f).__name__ == "OneLineClientErrors" for f in h.filters)
    )
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(caplog_stream)
    return handler


def test_refused_and_unknown_addresses_are_one_line(world: ClinicWorld, client: Client) -> None:
    out = io.StringIO()
    handler = _console(out)
    try:
        client.force_login(world.staff_a["billing"])
        assert client.get(f"/c/{world.a.slug}/audit/").status_code == 403
        assert (
            client.get(f"/c/{world.a.slug}/children/00000000-0000-0000-0000-000000000000/").status_code == 404
        )
        assert Client().get("/f/" + "s" * 43 + "/q/phq9/1/").status_code == 404
    finally:
        handler.setStream(sys.stderr)
    lines = out.getvalue().splitlines()
    assert lines == [
        f"Forbidden (Permission denied): /c/{world.a.slug}/audit/",
        f"Not Found: /c/{world.a.slug}/children/00000000-0000-0000-0000-000000000000/",
        "Not Found: /f/…/q/phq9/1/",
    ], lines


def test_a_server_error_keeps_its_traceback() -> None:
    out = io.StringIO()
    handler = _console(out)
    try:
        try:
            raise RuntimeError("a fault")
        except RuntimeError:
            logging.getLogger("django.request").error(
                "Internal Server Error: %s", "/f/secret-token/", exc_info=True, extra={"status_code": 500}
            )
    finally:
        handler.setStream(sys.stderr)
    text = out.getvalue()
    assert "Traceback" in text and "RuntimeError: a fault" in text
    assert "secret-token" not in text and "/f/…/" in text
