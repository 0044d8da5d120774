"""Strict parsing of the environment that configures dyadcare.

Every setting that comes from the environment is read here, through one small set of
parsers that refuse anything they do not understand: a typo in a boolean or a database URL
stops the process with a clear message instead of silently falling back to a default.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from dyadcare.families.rules import term_setting_range

TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "off", ""})

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

# Django's deployment check asks for at least 50 characters, 5 of them different.
SECRET_KEY_MIN_LENGTH = 50
SECRET_KEY_MIN_DISTINCT = 5

# The only key that may be used without configuration, and only in demo mode.
DEMO_SECRET_KEY = "dyadcare-demo-only-key-never-use-with-real-patients-0123456789"


class Env:
    """Typed, strict access to a mapping of environment variables."""

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        self.environ = os.environ if environ is None else environ

    def string(self, name: str, default: str = "") -> str:
        return self.environ.get(name, default).strip()

    def boolean(self, name: str, default: bool = False) -> bool:
        raw = self.environ.get(name)
        if raw is None:
            return default
        word = raw.strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise ImproperlyConfigured(f"{name} must be one of true/false/1/0/yes/no/on/off, not {raw!r}")

    def integer(self, name: str, default: int, *, minimum: int | None = None) -> int:
        raw = self.environ.get(name)
        if raw is None or raw.strip() == "":
            return default
        try:
            value = int(raw.strip())
        except ValueError:
            raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from None
        if minimum is not None and value < minimum:
            raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {value}")
        return value

    def strings(self, name: str, default: list[str]) -> list[str]:
        raw = self.environ.get(name)
        if raw is None:
            return default
        return [part.strip() for part in raw.split(",") if part.strip()]

    def networks(self, name: str) -> tuple[IPNetwork, ...]:
        """Comma-separated addresses or networks (``10.0.0.5``, ``10.0.0.0/24``, ``::1``)."""
        found = []
        for part in self.strings(name, []):
            try:
                found.append(ipaddress.ip_network(part, strict=False))
            except ValueError:
                raise ImproperlyConfigured(
                    f"{name} must list IP addresses or networks such as 10.0.0.0/24, not {part!r}"
                ) from None
        return tuple(found)

    def gestational_age_days(self, name: str, default: int) -> int:
        """Weeks+days such as ``39+0`` within the term range of families/data/demographics.json
        (gestational_age.term_setting), as days."""
        raw = self.string(name)
        if not raw:
            return default
        weeks, _, days = raw.partition("+")
        try:
            total = int(weeks) * 7 + int(days or 0)
        except ValueError:
            raise ImproperlyConfigured(f"{name} must be weeks+days such as 40+0, not {raw!r}") from None
        low, high = term_setting_range()
        if not low.total_days <= total <= high.total_days or int(days or 0) > 6:
            raise ImproperlyConfigured(f"{name} must be between {low} and {high}, not {raw!r}")
        return total

    def secret_key(self, *, demo: bool) -> str:
        """The secret key from DYADCARE_SECRET_KEY or the file named by DYADCARE_SECRET_KEY_FILE.

        A fixed key is allowed only in demo mode (synthetic data, never real patients).
        """
        direct = self.string("DYADCARE_SECRET_KEY")
        path = self.string("DYADCARE_SECRET_KEY_FILE")
        if direct and path:
            raise ImproperlyConfigured("Set DYADCARE_SECRET_KEY or DYADCARE_SECRET_KEY_FILE, not both")
        if path:
            try:
                direct = Path(path).read_text(encoding="utf-8").strip()
            except OSError as exc:
                raise ImproperlyConfigured(f"DYADCARE_SECRET_KEY_FILE cannot be read: {exc}") from None
        if direct:
            if len(direct) < SECRET_KEY_MIN_LENGTH or len(set(direct)) < SECRET_KEY_MIN_DISTINCT:
                raise ImproperlyConfigured(
                    f"The secret key must be at least {SECRET_KEY_MIN_LENGTH} characters long, with "
                    f"{SECRET_KEY_MIN_DISTINCT} or more different characters (python3 -c "
                    "'import secrets; print(secrets.token_urlsafe(48))' makes one)"
                )
            return direct
        if demo:
            return DEMO_SECRET_KEY
        raise ImproperlyConfigured(
            "No secret key: set DYADCARE_SECRET_KEY or DYADCARE_SECRET_KEY_FILE "
            "(or DYADCARE_DEMO=1 for a demo with synthetic data only)"
        )


def database_pool(env: Env) -> dict[str, Any] | None:
    """The PostgreSQL connection pool of each server process (Django's own, on psycopg_pool).

    ``DYADCARE_DB_POOL_MIN`` connections are kept open (default 2) and at most
    ``DYADCARE_DB_POOL_MAX`` are opened (default 8: the threads of one ``dyadcare serve``
    worker, with room for the odd long request); a request waits up to
    ``DYADCARE_DB_POOL_TIMEOUT`` seconds (default 10) for a free connection. A maximum of 0
    turns pooling off (for a server behind PgBouncer): each thread then keeps its own
    connection for a minute.
    """
    high = env.integer("DYADCARE_DB_POOL_MAX", 8, minimum=0)
    if high == 0:
        return None
    low = env.integer("DYADCARE_DB_POOL_MIN", min(2, high), minimum=0)
    if low > high:
        raise ImproperlyConfigured(
            f"DYADCARE_DB_POOL_MIN ({low}) must not be more than DYADCARE_DB_POOL_MAX ({high})"
        )
    timeout = env.integer("DYADCARE_DB_POOL_TIMEOUT", 10, minimum=1)
    return {"min_size": low, "max_size": high, "timeout": timeout}


def parse_database_url(url: str, *, base_dir: Path, pool: dict[str, Any] | None = None) -> dict[str, Any]:
    """Turn ``sqlite:///path`` or ``postgres://user:pass@host:port/name`` into Django settings.

    dj-database-url does the parsing; this function refuses every engine but the two dyadcare
    supports, resolves a relative SQLite path against ``base_dir`` and adds the options each
    engine needs here. ``pool`` (see :func:`database_pool`) is used by PostgreSQL only.
    """
    scheme = url.split(":", 1)[0].lower() if ":" in url else ""
    if scheme not in {"sqlite", "postgres", "postgresql", "pgsql"}:
        raise ImproperlyConfigured(
            f"DATABASE_URL must start with sqlite:/// or postgres://, not {url[:20]!r}"
        )
    try:
        config: dict[str, Any] = dict(dj_database_url.parse(url))
    except ValueError as exc:
        raise ImproperlyConfigured(f"DATABASE_URL cannot be parsed: {exc}") from None
    if scheme == "sqlite":
        name = str(config.get("NAME") or "")
        if name in ("", ":memory:"):
            raise ImproperlyConfigured("DATABASE_URL must name a SQLite file (sqlite:///var/db.sqlite3)")
        path = Path(name)
        config["NAME"] = str(path if path.is_absolute() else base_dir / path)
        config["OPTIONS"] = {
            # WAL lets readers work while one writer writes; IMMEDIATE transactions take the
            # write lock up front, so two writers queue instead of failing on a lock upgrade.
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                "PRAGMA foreign_keys=ON; PRAGMA busy_timeout=20000;"
            ),
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
        return config
    if not config.get("NAME"):
        raise ImproperlyConfigured("DATABASE_URL names no PostgreSQL database")
    if pool:
        # Django's pool takes a connection back after each request and (with health checks)
        # tests it before lending it again; it refuses persistent connections: CONN_MAX_AGE 0.
        config["OPTIONS"] = {**config.get("OPTIONS", {}), "pool": dict(pool)}
        config["CONN_MAX_AGE"] = 0
        config["CONN_HEALTH_CHECKS"] = True
        return config
    config["CONN_MAX_AGE"] = 60
    config["CONN_HEALTH_CHECKS"] = True
    return config
