"""A pytest plugin (``-p dyadcare.testenv`` in pyproject.toml) that gives the test suite a
secret key and a database before Django reads its settings. Values already set in the
environment win, so CI can point the same suite at PostgreSQL with DATABASE_URL."""

import os

os.environ.setdefault("DYADCARE_SECRET_KEY", "test-only-secret-key-for-the-dyadcare-test-suite-0123")
os.environ.setdefault("DATABASE_URL", "sqlite:///var/test.sqlite3")
# The test client and the live server for the browser speak plain HTTP.
os.environ.setdefault("DYADCARE_HTTPS_REDIRECT", "off")
# Most tests sign in with force_login and no second factor; tests/web/test_mfa.py turns the
# requirement on (the default outside demo mode is proved in tests/test_conf.py).
os.environ.setdefault("DYADCARE_MFA_REQUIRED", "off")
# Playwright's synchronous API runs an event loop in the test thread; the ORM calls the
# tests make between browser steps are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
