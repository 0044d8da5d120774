"""Test-wide settings that must be in place before Django reads its settings."""

import os

os.environ.setdefault("DYADCARE_SECRET_KEY", "test-only-secret-key-for-the-dyadcare-test-suite-0123")
os.environ.setdefault("DYADCARE_DEMO", "0")
os.environ.setdefault("DATABASE_URL", "sqlite:///var/test.sqlite3")
