"""The one settings module. Everything deployment-specific comes from the environment,
parsed strictly by :mod:`dyadcare.conf`.

Environment variables (all optional unless stated):

- ``DATABASE_URL``: ``sqlite:///var/dyadcare.sqlite3`` (default) or ``postgres://…``.
- ``DYADCARE_DB_POOL_MIN`` / ``DYADCARE_DB_POOL_MAX`` / ``DYADCARE_DB_POOL_TIMEOUT``: the
  PostgreSQL connection pool of each server process (defaults 2 / 8 / 10 seconds; a maximum
  of 0 turns pooling off).
- ``DYADCARE_SECRET_KEY`` or ``DYADCARE_SECRET_KEY_FILE``: required unless ``DYADCARE_DEMO``.
- ``DYADCARE_DEMO``: demo mode (synthetic data only; allows the fixed secret key).
- ``DYADCARE_DEBUG``: debug pages; off by default.
- ``DYADCARE_ALLOWED_HOSTS``: comma-separated host names (default 127.0.0.1,localhost).
- ``DYADCARE_SESSION_IDLE_MINUTES``: idle minutes before a staff session ends (default 15).
- ``DYADCARE_SESSION_MAX_HOURS``: a staff session ends this long after login, busy or not
  (default 12).
- ``DYADCARE_SESSION_WARNING_SECONDS``: the page warns this long before the idle logoff (60).
- ``DYADCARE_LOGIN_FAILURE_LIMIT``: failed logins of one name from one address before a
  lockout (default 5); ``DYADCARE_LOGIN_ADDRESS_FAILURE_LIMIT`` from one address whatever the
  name (20); ``DYADCARE_LOGIN_ACCOUNT_FAILURE_LIMIT`` of one name from addresses it never
  logged in from (20).
- ``DYADCARE_LOGIN_COOLOFF_MINUTES``: lockout length (default 15).
- ``DYADCARE_TRUSTED_PROXIES``: addresses or networks of the reverse proxies in front; only
  a request from one of them has its X-Forwarded-For read (default none).
- ``DYADCARE_SECURE_COOKIES``: send cookies over HTTPS only (default on unless debug or demo).
- ``DYADCARE_HTTPS_REDIRECT``: send plain-HTTP requests to HTTPS (default on unless debug or
  demo); ``DYADCARE_HSTS_SECONDS``: Strict-Transport-Security max-age (default one year when
  cookies are secure, else 0).
- ``DYADCARE_INVITE_DAYS``: how long a staff invitation link works (default 7).
- ``DYADCARE_PASSWORD_RESET_MINUTES``: how long a password-reset link works (default 60).
- ``DYADCARE_MFA_REQUIRED``: staff with a clinic role must use a second factor (default on
  unless demo mode).
- ``DYADCARE_MAX_REQUEST_MB``: the largest request body accepted (default 3).
- ``DYADCARE_TERM``: the gestational age counted as term for corrected age (default 40+0).
- ``DYADCARE_PRETERM_THRESHOLD_DAYS``: born at least this many days before term is screened
  by corrected age (default 21). Sources in touchpoints/data/periodicity.json.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from dyadcare.clinicaldata import load as load_data_file
from dyadcare.conf import Env, database_pool, parse_database_url

env = Env()

PACKAGE_DIR = Path(__file__).resolve().parent
# The project root: where var/ (the SQLite file, collected static files) lives.
BASE_DIR = Path(env.string("DYADCARE_HOME") or Path.cwd())
VAR_DIR = BASE_DIR / "var"

DEMO_MODE = env.boolean("DYADCARE_DEMO", False)
DEBUG = env.boolean("DYADCARE_DEBUG", False)
SECRET_KEY = env.secret_key(demo=DEMO_MODE)
ALLOWED_HOSTS = env.strings("DYADCARE_ALLOWED_HOSTS", ["127.0.0.1", "localhost"])

DATABASES = {
    "default": parse_database_url(
        env.string("DATABASE_URL") or "sqlite:///var/dyadcare.sqlite3",
        base_dir=BASE_DIR,
        pool=database_pool(env),
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The cache is a table of the database (made by the migration tenancy 0008, and by Django's test
# database set-up), so every process of the site reads and drops the same entries: a clinic's
# counts dropped by one worker are counted again by all (families/aggregates.py). No other
# service to run, on SQLite and PostgreSQL alike.
CACHE_TABLE = "dyadcare_cache"
CACHES = {
    "default": {
        "BACKEND": "dyadcare.sharedcache.SharedCache",
        "LOCATION": CACHE_TABLE,
    }
}

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_tasks",
    "django_tasks_db",
    "dyadcare.tenancy",
    "dyadcare.publiclinks",
    "dyadcare.families",
    "dyadcare.instruments",
    "dyadcare.touchpoints",
    "dyadcare.screening",
    "dyadcare.adherence",
    "dyadcare.care",
    "dyadcare.billing",
    "dyadcare.referrals",
    "dyadcare.web",
    "dyadcare.family_pages",
    "dyadcare.partner_pages",
    "dyadcare.api",
    "dyadcare.ops",
    "dyadcare.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "dyadcare.web.middleware.SecurityHeadersMiddleware",
    "dyadcare.web.middleware.RequestSizeLimitMiddleware",
    "dyadcare.web.middleware.UnusableCharactersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "dyadcare.web.middleware.SecondFactorMiddleware",
    "dyadcare.web.middleware.StaffSessionMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "dyadcare.urls"
WSGI_APPLICATION = "dyadcare.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "dyadcare.web.context.staff_context",
            ],
            "string_if_invalid": "",
        },
    }
]

# Staff accounts ------------------------------------------------------------------------------
AUTH_USER_MODEL = "tenancy.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Staff accounts run in the app (tenancy/staff.py, passwords.py, mfa.py): an invitation link
# works once for this many days; a password-reset link once for this many minutes.
STAFF_INVITE_DAYS = env.integer("DYADCARE_INVITE_DAYS", 7, minimum=1)
PASSWORD_RESET_MINUTES = env.integer("DYADCARE_PASSWORD_RESET_MINUTES", 60, minimum=5)
# A second factor (an authenticator app's code, or a recovery code) is required of everyone
# who holds a role in a clinic (every clinic role reads records about families); off by
# default in demo mode, where the printed demo logins never need one.
MFA_REQUIRED = env.boolean("DYADCARE_MFA_REQUIRED", not DEMO_MODE)
OTP_TOTP_ISSUER = "dyadcare"

LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:login"

# A staff session ends after this many idle minutes (each request renews it, except a page's
# own polling: web/middleware.py, StaffSessionMiddleware), and at the latest this many hours
# after login. The page warns a little before the idle logoff, with "Stay signed in".
SESSION_IDLE_MINUTES = env.integer("DYADCARE_SESSION_IDLE_MINUTES", 15, minimum=1)
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60
SESSION_MAX_HOURS = env.integer("DYADCARE_SESSION_MAX_HOURS", 12, minimum=1)
SESSION_MAX_SECONDS = SESSION_MAX_HOURS * 3600
SESSION_WARNING_SECONDS = env.integer("DYADCARE_SESSION_WARNING_SECONDS", 60, minimum=10)
if SESSION_WARNING_SECONDS >= SESSION_COOKIE_AGE:
    raise ImproperlyConfigured("DYADCARE_SESSION_WARNING_SECONDS must be shorter than the idle time")
SESSION_SAVE_EVERY_REQUEST = False  # the staff session middleware decides what renews
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_COOKIES = env.boolean("DYADCARE_SECURE_COOKIES", not (DEBUG or DEMO_MODE))
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_HTTPONLY = True

# The reverse proxies in front (a TLS terminator, a load balancer): only a request that comes
# from one of them has its X-Forwarded-For read (tenancy/addresses.py), for the audit log,
# the login throttle and the family-link throttle alike.
TRUSTED_PROXIES = env.networks("DYADCARE_TRUSTED_PROXIES")

# Login throttling (django-axes, counted by tenancy/login_throttle.py): a name from one address
# (a person mistyping), an address whatever the name (one password sprayed over many
# accounts), and a name from addresses it never logged in from (one account guessed from
# many addresses), so failures elsewhere cannot lock a person out at their own clinic.
AXES_HANDLER = "dyadcare.tenancy.login_throttle.LoginThrottle"
AXES_CLIENT_IP_CALLABLE = "dyadcare.tenancy.addresses.client_address"
AXES_FAILURE_LIMIT = env.integer("DYADCARE_LOGIN_FAILURE_LIMIT", 5, minimum=1)
LOGIN_ADDRESS_FAILURE_LIMIT = env.integer("DYADCARE_LOGIN_ADDRESS_FAILURE_LIMIT", 20, minimum=1)
LOGIN_ACCOUNT_FAILURE_LIMIT = env.integer("DYADCARE_LOGIN_ACCOUNT_FAILURE_LIMIT", 20, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env.integer("DYADCARE_LOGIN_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]  # what a success resets: that pair only
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "web/locked_out.html"
AXES_VERBOSE = False

# Headers and transport -----------------------------------------------------------------------
# Outside demo and debug, dyadcare is reached over HTTPS only: a TLS proxy in front (listed in
# DYADCARE_TRUSTED_PROXIES when not on this machine) tells gunicorn the scheme it served.
SECURE_SSL_REDIRECT = env.boolean("DYADCARE_HTTPS_REDIRECT", not (DEBUG or DEMO_MODE))
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # a load balancer's health check may use plain HTTP
SECURE_HSTS_SECONDS = env.integer(
    "DYADCARE_HSTS_SECONDS", 365 * 24 * 3600 if SECURE_COOKIES else 0, minimum=0
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env.boolean("DYADCARE_HSTS_PRELOAD", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Everything the pages load comes from this server: no CDN, no remote asset.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'self'"
)

# Request size: a body larger than this is refused (413) before anything reads it
# (web/middleware.py); uploads (an appointments CSV, a licensed text) are far smaller.
MAX_REQUEST_BYTES = env.integer("DYADCARE_MAX_REQUEST_MB", 3, minimum=1) * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = MAX_REQUEST_BYTES
FILE_UPLOAD_MAX_MEMORY_SIZE = MAX_REQUEST_BYTES  # an accepted upload never goes to a temporary file
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
DATA_UPLOAD_MAX_NUMBER_FILES = 5

# Languages -----------------------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("es", _("Spanish"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "America/Los_Angeles"

# Static files --------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# Corrected age (touchpoints): term and threshold; the defaults and their sources are in
# touchpoints/data/periodicity.json (corrected_age).
_corrected_age = load_data_file("periodicity")["corrected_age"]
CORRECTED_AGE_TERM_DAYS = env.gestational_age_days("DYADCARE_TERM", _corrected_age["term_days"])
PRETERM_THRESHOLD_DAYS = env.integer(
    "DYADCARE_PRETERM_THRESHOLD_DAYS", _corrected_age["threshold_days"], minimum=0
)

# Screening sessions and alerts.
SCREENING_LINK_HOURS = env.integer("DYADCARE_SCREENING_LINK_HOURS", 48, minimum=1)
# A clinic tablet's link ends with the visit's day, and at most this long after it is opened.
TABLET_LINK_HOURS = env.integer("DYADCARE_TABLET_LINK_HOURS", 12, minimum=1)
ALERT_ESCALATION_MINUTES = env.integer("DYADCARE_ALERT_ESCALATION_MINUTES", 15, minimum=1)
# How long a clinic administrator can undo the merge of two records of one child.
FAMILY_MERGE_UNDO_DAYS = env.integer("DYADCARE_MERGE_UNDO_DAYS", 30, minimum=1)
# Where family links point (the public address of this server); default: the request's host.
PUBLIC_URL = env.string("DYADCARE_PUBLIC_URL").rstrip("/")
# How texts are sent: a dotted path to an SmsProvider (see dyadcare/publiclinks/senders.py;
# the older dyadcare.screening.senders names still work).
SMS_PROVIDER = env.string("DYADCARE_SMS_PROVIDER") or "dyadcare.publiclinks.senders.ConsoleSms"
EMAIL_BACKEND = env.string("DYADCARE_EMAIL_BACKEND") or (
    "django.core.mail.backends.smtp.EmailBackend"
    if env.string("DYADCARE_EMAIL_HOST")
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = env.string("DYADCARE_EMAIL_HOST")
EMAIL_PORT = env.integer("DYADCARE_EMAIL_PORT", 587, minimum=1)
EMAIL_HOST_USER = env.string("DYADCARE_EMAIL_USER")
EMAIL_HOST_PASSWORD = env.string("DYADCARE_EMAIL_PASSWORD")
EMAIL_USE_TLS = env.boolean("DYADCARE_EMAIL_TLS", True)
DEFAULT_FROM_EMAIL = env.string("DYADCARE_EMAIL_FROM") or "dyadcare <no-reply@localhost>"

# Background tasks ----------------------------------------------------------------------------
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # A refused or unknown address (403, 404, 410, 429) is one line, without a traceback and
    # without a family link's token; a server error keeps its traceback.
    "filters": {"client_errors": {"()": "dyadcare.logfilters.OneLineClientErrors"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["client_errors"]}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "dyadcare": {"handlers": ["console"], "level": "INFO", "propagate": False},
        # The connection pool warns on every failed attempt while it retries; what reaches a
        # person is the one error when no connection came within its timeout.
        "psycopg.pool": {"level": "ERROR"},
    },
}
