"""A pytest plugin (``-p dyadcare.testenv`` in pyproject.toml) that gives the test suite a
secret key and a database before Django reads its settings. Values already set in the
environment win, so CI can point the same suite at PostgreSQL with DATABASE_URL."""

import os

os.environ.setdefault("DYADCARE_SECRET_KEY", "test-only-secret-key-for-the-dyadcare-test-suite-0123")
os.environ.setdefault("DATABASE_URL", "sqlite:///var/test.sqlite3")
# The test client and the live server for the browser speak plain HTTP.
os.environ.setdefault("DYADCARE_HTTPS_REDIRECT", "off")
# Playwright's synchronous API runs an event loop in the test thread; the ORM calls the
# tests make between browser steps are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_configure(config: object) -> None:
    """Tests that use the live server end by emptying every table (Django's flush). The
    audit log's triggers refuse that, as they should anywhere else, so the flush lifts them for
    its own statements and puts them back in the same transaction."""
    from django.core.management.commands import flush

    from dyadcare.tenancy.audit_triggers import TABLE, create_statements, drop_statements

    original = flush.sql_flush  # type: ignore[attr-defined]

    def sql_flush(style: object, connection: object, **kwargs: object) -> list[str]:
        statements: list[str] = original(style, connection, **kwargs)
        if not any(TABLE in statement for statement in statements):
            return statements
        vendor = connection.vendor  # type: ignore[attr-defined]
        return [*drop_statements(vendor), *statements, *create_statements(vendor)]

    flush.sql_flush = sql_flush  # type: ignore[attr-defined]
