"""The environment is parsed strictly."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from dyadcare.conf import DEMO_SECRET_KEY, Env, database_pool, parse_database_url


def test_booleans_accept_the_usual_words_and_refuse_typos() -> None:
    env = Env({"A": "yes", "B": "0", "C": "ture"})
    assert env.boolean("A") is True
    assert env.boolean("B") is False
    assert env.boolean("MISSING", True) is True
    with pytest.raises(ImproperlyConfigured, match="C must be"):
        env.boolean("C")


def test_integers_are_checked() -> None:
    env = Env({"N": "15", "BAD": "fifteen", "LOW": "0"})
    assert env.integer("N", 1) == 15
    with pytest.raises(ImproperlyConfigured):
        env.integer("BAD", 1)
    with pytest.raises(ImproperlyConfigured, match="at least 1"):
        env.integer("LOW", 5, minimum=1)


def test_secret_key_comes_from_the_environment_or_a_file(tmp_path: Path) -> None:
    key = "kR7-q" * 11
    assert Env({"DYADCARE_SECRET_KEY": key}).secret_key(demo=False) == key
    path = tmp_path / "secret"
    path.write_text(key + "\n")
    assert Env({"DYADCARE_SECRET_KEY_FILE": str(path)}).secret_key(demo=False) == key
    with pytest.raises(ImproperlyConfigured, match="not both"):
        Env({"DYADCARE_SECRET_KEY": key, "DYADCARE_SECRET_KEY_FILE": str(path)}).secret_key(demo=False)
    with pytest.raises(ImproperlyConfigured, match="cannot be read"):
        Env({"DYADCARE_SECRET_KEY_FILE": str(tmp_path / "missing")}).secret_key(demo=False)
    # What Django's deployment check asks of a key: 50 characters, 5 of them different.
    for weak in ("short", "kR7-" * 12, "k" * 60, "abcd" * 20):
        with pytest.raises(ImproperlyConfigured, match="at least 50 characters"):
            Env({"DYADCARE_SECRET_KEY": weak}).secret_key(demo=False)


def test_the_fixed_key_is_allowed_only_in_demo_mode() -> None:
    assert Env({}).secret_key(demo=True) == DEMO_SECRET_KEY
    with pytest.raises(ImproperlyConfigured, match="No secret key"):
        Env({}).secret_key(demo=False)


def test_database_urls(tmp_path: Path) -> None:
    sqlite = parse_database_url("sqlite:///var/db.sqlite3", base_dir=tmp_path)
    assert sqlite["ENGINE"] == "django.db.backends.sqlite3"
    assert sqlite["NAME"] == str(tmp_path / "var" / "db.sqlite3")
    assert "journal_mode=WAL" in sqlite["OPTIONS"]["init_command"]
    assert parse_database_url("sqlite:////srv/db.sqlite3", base_dir=tmp_path)["NAME"] == "/srv/db.sqlite3"
    pg = parse_database_url("postgres://postgres@127.0.0.1:5432/dyadcare", base_dir=tmp_path)
    assert (pg["ENGINE"], pg["NAME"], pg["HOST"], pg["USER"]) == (
        "django.db.backends.postgresql",
        "dyadcare",
        "127.0.0.1",
        "postgres",
    )
    for bad in ("mysql://root@localhost/x", "dyadcare.sqlite3", "postgres://host/", "sqlite://"):
        with pytest.raises(ImproperlyConfigured):
            parse_database_url(bad, base_dir=tmp_path)


def test_production_settings_hash_passwords_with_argon2_and_keep_debug_off() -> None:
    import dyadcare.settings as production

    assert production.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    assert production.DEBUG is False
    assert production.SESSION_COOKIE_AGE == 15 * 60
    assert production.SESSION_MAX_SECONDS == 12 * 3600
    # The staff session middleware renews a session on every request but a page's polling
    # (tests/web/test_sessions.py); Django's own save-every-request would renew on polls too.
    assert production.SESSION_SAVE_EVERY_REQUEST is False
    middleware = production.MIDDLEWARE
    assert (
        middleware.index("django.contrib.sessions.middleware.SessionMiddleware")
        < middleware.index("django.contrib.auth.middleware.AuthenticationMiddleware")
        < middleware.index("dyadcare.web.middleware.StaffSessionMiddleware")
    )
    assert middleware.index("dyadcare.web.middleware.RequestSizeLimitMiddleware") < middleware.index(
        "django.middleware.csrf.CsrfViewMiddleware"
    ), "the size is checked before anything reads the body"


def test_trusted_proxies_are_addresses_or_networks() -> None:
    env = Env({"P": "10.0.0.5, 192.168.0.0/16 ,::1", "BAD": "10.0.0.0/33", "NAME": "proxy.local"})
    assert [str(n) for n in env.networks("P")] == ["10.0.0.5/32", "192.168.0.0/16", "::1/128"]
    assert env.networks("MISSING") == ()
    for bad in ("BAD", "NAME"):
        with pytest.raises(ImproperlyConfigured, match="IP addresses or networks"):
            env.networks(bad)


def test_gestational_age_settings() -> None:
    assert Env({"T": "39+0"}).gestational_age_days("T", 280) == 273
    assert Env({}).gestational_age_days("T", 280) == 280
    for bad in ("36+6", "43+0", "39+7", "x"):
        with pytest.raises(ImproperlyConfigured):
            Env({"T": bad}).gestational_age_days("T", 280)


def test_postgresql_connections_are_pooled_from_the_environment(tmp_path: Path) -> None:
    url = "postgres://postgres@127.0.0.1:5432/dyadcare"
    default = database_pool(Env({}))
    assert default == {"min_size": 2, "max_size": 8, "timeout": 10}
    pg = parse_database_url(url, base_dir=tmp_path, pool=default)
    assert pg["OPTIONS"]["pool"] == default
    # Django's pool refuses persistent connections: each request hands its connection back.
    assert (pg["CONN_MAX_AGE"], pg["CONN_HEALTH_CHECKS"]) == (0, True)
    sized = Env({"DYADCARE_DB_POOL_MIN": "4", "DYADCARE_DB_POOL_MAX": "20", "DYADCARE_DB_POOL_TIMEOUT": "3"})
    assert database_pool(sized) == {"min_size": 4, "max_size": 20, "timeout": 3}
    # SQLite has no pool, whatever the environment says.
    assert (
        "pool"
        not in parse_database_url("sqlite:///var/db.sqlite3", base_dir=tmp_path, pool=default)["OPTIONS"]
    )


def test_pooling_can_be_turned_off_and_refuses_impossible_sizes(tmp_path: Path) -> None:
    off = database_pool(Env({"DYADCARE_DB_POOL_MAX": "0"}))
    assert off is None
    pg = parse_database_url("postgres://postgres@127.0.0.1:5432/dyadcare", base_dir=tmp_path, pool=off)
    assert "pool" not in pg.get("OPTIONS", {})
    assert (pg["CONN_MAX_AGE"], pg["CONN_HEALTH_CHECKS"]) == (60, True)
    assert database_pool(Env({"DYADCARE_DB_POOL_MAX": "1"})) == {"min_size": 1, "max_size": 1, "timeout": 10}
    with pytest.raises(ImproperlyConfigured, match="must not be more than"):
        database_pool(Env({"DYADCARE_DB_POOL_MIN": "9", "DYADCARE_DB_POOL_MAX": "4"}))
    for bad in (
        {"DYADCARE_DB_POOL_MAX": "-1"},
        {"DYADCARE_DB_POOL_MIN": "two"},
        {"DYADCARE_DB_POOL_TIMEOUT": "0"},
    ):
        with pytest.raises(ImproperlyConfigured):
            database_pool(Env(bad))


@pytest.mark.database
def test_the_running_settings_pool_postgresql_connections() -> None:
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"] != "django.db.backends.postgresql":
        pytest.skip("this run uses SQLite (DATABASE_URL=postgres://… runs it)")
    assert database["OPTIONS"]["pool"]["max_size"] >= 1
    assert database["CONN_MAX_AGE"] == 0
