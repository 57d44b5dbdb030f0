"""QRTrace settings: one module, driven by environment variables.

Every value comes through a small typed helper that fails loudly on a bad value, so a typo in a
deployment's environment stops the process at start-up instead of silently running with a default.
Secrets that are not given are generated once and kept in the data directory, which lets
`make run` work on a fresh machine while production sets them explicitly.
"""

import base64
import ipaddress
import os
import secrets
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off", ""):
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use 1/0, true/false, yes/no).")


def env_int(name: str, default: int, *, minimum: int | None = None, maximum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from None
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        raise ImproperlyConfigured(f"{name}={value} is outside {minimum}..{maximum}.")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_secret(name: str, default: str | None = None) -> str | None:
    """Return env var `name`, or the contents of the file `name_FILE` names (as healthchecks does).

    The file variant keeps a secret out of the process environment, which `ps e`, crash reports and
    child processes can show: systemd credentials, Docker or Kubernetes secrets mount it as a file.
    """
    path = os.environ.get(f"{name}_FILE")
    if path is None:
        return os.environ.get(name, default)
    if name in os.environ:
        raise ImproperlyConfigured(f"Set {name} or {name}_FILE, not both.")
    try:
        # One trailing newline is how editors and `echo` end a file, never part of the secret.
        return Path(path).read_text(encoding="utf-8").removesuffix("\n")
    except (OSError, UnicodeDecodeError) as error:
        raise ImproperlyConfigured(f"{name}_FILE={path!r} cannot be read: {error}") from None


def data_secret(name: str, make: Callable[[], str]) -> str:
    """Return env var `name` (or `name_FILE`), or a value generated once and kept in DATA_DIR.

    Keeping generated secrets in files outside the database means a database dump alone never
    holds the keys that protect the personal data inside it.
    """
    given = env_secret(name)
    if given is not None:
        return given
    path = DATA_DIR / name.lower()
    if not path.exists():
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(make())
    return path.read_text().strip()


# The checkout's var/ by default, wherever a command runs from (a relative default made key files
# under whichever folder compilemessages or a test was started in).
DATA_DIR = Path(env_str("QRTRACE_DATA_DIR", str(BASE_DIR.parent.parent / "var"))).resolve()
PRODUCTION = env_bool("QRTRACE_PRODUCTION", False)
# Off unless asked for (DEBUG=1 for development): even the demo runs on the production server, and
# DEBUG keeps every SQL query in memory and shows tracebacks to whoever triggers an error.
DEBUG = env_bool("DEBUG", False)
if DEBUG and PRODUCTION:
    raise ImproperlyConfigured("DEBUG=1 cannot be used with QRTRACE_PRODUCTION=1.")
SECRET_KEY = data_secret("SECRET_KEY", lambda: secrets.token_urlsafe(50))
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
# Where printed QR codes point: https://<your deployment>. Links on posters must not depend on the
# host a request happened to arrive on.
PUBLIC_BASE_URL = env_str("QRTRACE_PUBLIC_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
if PRODUCTION and not PUBLIC_BASE_URL.startswith("https://"):
    raise ImproperlyConfigured("QRTRACE_PUBLIC_BASE_URL must be an https:// URL in production.")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # Django's Tasks API (backported) and its database backend: see qrtrace.lib.background.
    "django_tasks",
    "django_tasks_db",
    "qrtrace.lib",
    "qrtrace.geo",
    "qrtrace.accounts",
    "qrtrace.audit",
    "qrtrace.people",
    "qrtrace.venues",
    "qrtrace.checkins",
    "qrtrace.tracing",
    "qrtrace.notifications",
    "qrtrace.quarantine",
    "qrtrace.dashboard",
    "qrtrace.api",
    "qrtrace.demo",
    # Serves Swagger UI from its own static files, so /api/v1/docs needs no CDN and no inline script.
    "ninja",
    "qrtrace.privacy",
    "qrtrace.public",
]

MIDDLEWARE = [
    # First: everything below reads the client's address from REMOTE_ADDR (limits, audit, sign-in).
    "qrtrace.lib.proxy.ClientAddressMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "qrtrace.lib.security.SecurityHeadersMiddleware",
    # Before anything reads a body (sessions, CSRF, forms, the API): oversized ones get 413.
    "qrtrace.lib.bodysize.BodySizeLimitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "qrtrace.lib.language.VietnameseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "qrtrace.urls"
CSRF_FAILURE_VIEW = "qrtrace.views.csrf_failure"
WSGI_APPLICATION = "qrtrace.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
# Officials' passwords guard whole communes' personal data: long, not common, not the username.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            # lib.display's date, time and phone filters, in every template without a {% load %}.
            "builtins": ["qrtrace.lib.templatetags.display"],
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "qrtrace.accounts.context_processors.console",
            ],
        },
    }
]

# --- Database -------------------------------------------------------------------------------------
DATABASE_URL = env_secret("DATABASE_URL", f"sqlite:///{DATA_DIR / 'qrtrace.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=600, conn_health_checks=True)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    # Django's backend plus fair turns for writers and checkpoints outside the write lock (see there).
    DATABASES["default"]["ENGINE"] = "qrtrace.lib.sqlite"
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers run beside the one writer; IMMEDIATE takes the write lock at BEGIN, so two
        # workers never deadlock upgrading a read lock (the usual "database is locked" under load);
        # the busy timeout makes a writer wait its turn instead of failing.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    # Tests run in memory, as Django's own SQLite backend does by default. Named, because pytest-xdist's
    # per-worker suffix is only skipped for Django's engine by name or for ":memory:", and this engine
    # is neither by name: it would make a file name of the database's path.
    DATABASES["default"]["TEST"] = {"NAME": ":memory:"}
else:
    # No JIT: a tracing query over a day-partitioned table is estimated above jit_above_cost, and
    # compiling it took most of a query that then ran short index scans (docs/benchmarks.md,
    # "Tracing"). This app's queries are all short; none gains from JIT.
    options = DATABASES["default"].setdefault("OPTIONS", {})
    options["options"] = f"{options.get('options', '')} -c jit=off".strip()
    # Prepared statements: the busiest statements (the check-in's, the scan's) are constant texts with
    # parameters, and on the day-partitioned check-in table planning each one again was a large part
    # of what the server spent on it (docs/benchmarks.md, "The citizen's check-in"). psycopg prepares
    # a statement on its connection after its fifth use; that needs the values sent apart from the
    # text (server-side binding). Django turns both off so that a pooler in transaction mode works: a
    # deployment behind one (PgBouncer before 1.21, or without max_prepared_statements) sets
    # QRTRACE_DB_PREPARED=0.
    if env_bool("QRTRACE_DB_PREPARED", True):
        options |= {"server_side_binding": True, "prepare_threshold": 5}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Internationalisation ------------------------------------------------------------------------
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = env_str("TIME_ZONE", "Asia/Ho_Chi_Minh")

# --- Static files --------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
# Front-end packages are installed from npm (package-lock.json) into node_modules, never committed.
NODE_MODULES_DIR = Path(env_str("QRTRACE_NODE_MODULES", str(BASE_DIR.parent.parent / "node_modules")))
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("jsqr", NODE_MODULES_DIR / "jsqr" / "dist"),
    ("leaflet", NODE_MODULES_DIR / "leaflet" / "dist"),
    ("uplot", NODE_MODULES_DIR / "uplot" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # Hashed names in production so browsers may cache static files for a long time.
        "BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# --- QRTrace domain settings ---------------------------------------------------------------------
QRTRACE_PROVINCE = env_int("QRTRACE_PROVINCE", 38, minimum=1, maximum=99)  # 38 = Thanh Hóa
QRTRACE_RETENTION_DAYS = env_int("QRTRACE_RETENTION_DAYS", 21, minimum=1, maximum=365)
# A closed case's tracing data (its contacts, their evidence, timeline, alerts, messages) is deleted this
# many days after the case closed, unless a legal hold keeps it (docs/security.md "Retention"): 90 is the
# time a contact has to complain about a decision taken on it (Luật Khiếu nại 2011, art. 9).
QRTRACE_TRACING_RETENTION_DAYS = env_int("QRTRACE_TRACING_RETENTION_DAYS", 90, minimum=1, maximum=730)
# A legal hold lasts at most this long; a longer need is a new hold, placed and reviewed again.
QRTRACE_LEGAL_HOLD_MAX_DAYS = env_int("QRTRACE_LEGAL_HOLD_MAX_DAYS", 365, minimum=1, maximum=3650)
# After a venue's QR is rotated, its old posters keep working this many days (time to reprint).
QRTRACE_QR_GRACE_DAYS = env_int("QRTRACE_QR_GRACE_DAYS", 7, minimum=0, maximum=90)
# Tracing rules (ARCHITECTURE.md "Tracing rules"); qrtrace.tracing.rules derives the rule version from
# them, so changing any one changes the version stamped on every exposure computed afterwards.
QRTRACE_TRACING_BEFORE_ONSET_HOURS = env_int("QRTRACE_TRACING_BEFORE_ONSET_HOURS", 48, minimum=0, maximum=720)
QRTRACE_TRACING_BUFFER_MINUTES = env_int("QRTRACE_TRACING_BUFFER_MINUTES", 30, minimum=0, maximum=1440)
QRTRACE_TRACING_MAX_STAY_HOURS = env_int("QRTRACE_TRACING_MAX_STAY_HOURS", 12, minimum=1, maximum=72)
# An overlap counts when it lasts at least this long: "more than 0 minutes" on the case page, never
# a contact listed as "0 phút" because it lasted seconds at the edge of the buffer.
QRTRACE_TRACING_MIN_OVERLAP_MINUTES = env_int("QRTRACE_TRACING_MIN_OVERLAP_MINUTES", 1, minimum=1, maximum=60)
# Check-ins kept but flagged for review (qrtrace.checkins.flags): entered this far outside a venue's
# opening hours, or at venues of two communes this close together.
QRTRACE_REVIEW_HOURS_MARGIN_MINUTES = env_int(
    "QRTRACE_REVIEW_HOURS_MARGIN_MINUTES", 120, minimum=0, maximum=720
)
QRTRACE_REVIEW_SEQUENCE_SECONDS = env_int("QRTRACE_REVIEW_SEQUENCE_SECONDS", 120, minimum=0, maximum=300)
# Rate limits of the public pages. Check-ins: generous, since a market's or school's visitors may share
# one Wi-Fi address (NAT). "My data" codes: each one is an SMS we pay for and a chance to guess.
QRTRACE_RATELIMIT_CHECKIN_DEVICE_PER_MINUTE = env_int(
    "QRTRACE_RATELIMIT_CHECKIN_DEVICE_PER_MINUTE", 30, minimum=1
)
QRTRACE_RATELIMIT_CHECKIN_IP_PER_MINUTE = env_int("QRTRACE_RATELIMIT_CHECKIN_IP_PER_MINUTE", 600, minimum=1)
QRTRACE_RATELIMIT_OTP_PHONE_PER_HOUR = env_int("QRTRACE_RATELIMIT_OTP_PHONE_PER_HOUR", 5, minimum=1)
QRTRACE_RATELIMIT_OTP_IP_PER_HOUR = env_int("QRTRACE_RATELIMIT_OTP_IP_PER_HOUR", 60, minimum=1)
# Wrong API tokens from one address: a gate device with a revoked token retries a few times a minute,
# someone guessing tokens sends thousands.
QRTRACE_RATELIMIT_BAD_TOKEN_IP_PER_HOUR = env_int("QRTRACE_RATELIMIT_BAD_TOKEN_IP_PER_HOUR", 120, minimum=1)
# The reverse proxies in front of the app servers (addresses or networks, comma-separated): only from
# them is X-Forwarded-For believed (qrtrace.lib.proxy). Empty: the app servers face clients directly.
QRTRACE_TRUSTED_PROXIES = env_list("QRTRACE_TRUSTED_PROXIES", [])
for _proxy in QRTRACE_TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError:
        raise ImproperlyConfigured(
            f"QRTRACE_TRUSTED_PROXIES: {_proxy!r} is not an IP address or network."
        ) from None
# Public pages: a count of people under this is shown as "< N", so no one is singled out. Citizens'
# reports from one address per hour; SMS rounds of urgent announcements per official per day.
QRTRACE_PUBLIC_MIN_COUNT = env_int("QRTRACE_PUBLIC_MIN_COUNT", 5, minimum=1, maximum=100)
QRTRACE_RATELIMIT_FEEDBACK_IP_PER_HOUR = env_int("QRTRACE_RATELIMIT_FEEDBACK_IP_PER_HOUR", 10, minimum=1)
# Citizens' reports (with the phone they may leave) are deleted this many days after they came.
QRTRACE_FEEDBACK_RETENTION_DAYS = env_int("QRTRACE_FEEDBACK_RETENTION_DAYS", 90, minimum=1, maximum=730)
QRTRACE_ANNOUNCEMENT_SMS_PER_DAY = env_int("QRTRACE_ANNOUNCEMENT_SMS_PER_DAY", 3, minimum=1, maximum=100)
# Outbound messages: "console" and "file" for development, "smtp" (Django's mail settings), "http"
# (an SMS gateway at QRTRACE_SMS_GATEWAY_URL with basic-auth credentials), "fake" (an in-process
# gateway that keeps what it sends, for tests and demos: notifications.fake_gateway).
QRTRACE_NOTIFY_BACKEND = env_str("QRTRACE_NOTIFY_BACKEND", "console")
QRTRACE_NOTIFY_FILE = Path(env_str("QRTRACE_NOTIFY_FILE", str(DATA_DIR / "notifications.log")))
QRTRACE_SMS_GATEWAY_URL = env_str("QRTRACE_SMS_GATEWAY_URL", "")
QRTRACE_SMS_GATEWAY_USER = env_secret("QRTRACE_SMS_GATEWAY_USER", "")
QRTRACE_SMS_GATEWAY_PASSWORD = env_secret("QRTRACE_SMS_GATEWAY_PASSWORD", "")
QRTRACE_SMS_GATEWAY_TIMEOUT = env_int("QRTRACE_SMS_GATEWAY_TIMEOUT", 10, minimum=1, maximum=120)
QRTRACE_NOTIFY_MAX_ATTEMPTS = env_int("QRTRACE_NOTIFY_MAX_ATTEMPTS", 5, minimum=1, maximum=50)
if QRTRACE_NOTIFY_BACKEND not in ("console", "file", "smtp", "http", "fake"):
    raise ImproperlyConfigured(
        f"QRTRACE_NOTIFY_BACKEND={QRTRACE_NOTIFY_BACKEND!r}: console/file/smtp/http/fake"
    )
if QRTRACE_NOTIFY_BACKEND == "http" and not QRTRACE_SMS_GATEWAY_URL.startswith(("https://", "http://")):
    raise ImproperlyConfigured("QRTRACE_SMS_GATEWAY_URL must be an http(s):// URL for the http backend.")

# Check-in by SMS (a feature phone texts "QR <venue code>" to the province's number): the gateway
# calls POST /sms/inbound, signed with this shared secret (HMAC-SHA256 of the body, docs/operations.md).
# Without a secret the webhook refuses every call. The number is printed on posters when set.
QRTRACE_SMS_INBOUND_SECRET = env_secret("QRTRACE_SMS_INBOUND_SECRET", "")
QRTRACE_SMS_NUMBER = env_str("QRTRACE_SMS_NUMBER", "")
# Texts one number may send in an hour before QRTrace stops answering it (a flood, or a loop between
# two automatic senders).
QRTRACE_RATELIMIT_SMS_PHONE_PER_HOUR = env_int("QRTRACE_RATELIMIT_SMS_PHONE_PER_HOUR", 20, minimum=1)


# --- Background work (qrtrace.lib.background, run by `qrtrace worker`) ---------------------------
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# A task that keeps failing is tried this many times (with back-off) and then shown as failed on the
# ops page (/ops/background).
QRTRACE_TASK_MAX_ATTEMPTS = env_int("QRTRACE_TASK_MAX_ATTEMPTS", 5, minimum=1, maximum=50)
# A worker beats every quarter of this; a RUNNING task whose worker has been silent this long (killed,
# machine gone) is queued again. Longer than any pause a busy database can cause a heartbeat.
QRTRACE_WORKER_LOST_AFTER = env_int("QRTRACE_WORKER_LOST_AFTER", 60, minimum=2, maximum=3600)
# Every schedule, in one place. "every" is the period; "at" the offset of each period from local
# midnight (so "every day at 00:30" is 00:30 in Vietnam). Each fires once per period however many
# workers run. The next apps add theirs here (quarantine: daily worklists and reminders; dashboard:
# aggregates and reports).
QRTRACE_SCHEDULES = {
    # Day partitions for the week ahead (PostgreSQL), before midnight needs tomorrow's.
    "partitions-ahead": {
        "task": "qrtrace.checkins.tasks.partitions_ahead",
        "every": timedelta(days=1),
        "at": timedelta(minutes=15),
    },
    # Check-ins past QRTRACE_RETENTION_DAYS: whole days dropped soon after midnight.
    "purge": {"task": "qrtrace.privacy.tasks.purge", "every": timedelta(days=1), "at": timedelta(minutes=30)},
    # Visits never checked out, closed at their venue's usual stay.
    "checkout-expired": {"task": "qrtrace.checkins.tasks.checkout_expired", "every": timedelta(minutes=5)},
    # Messages waiting for a retry after a failed send (new ones are sent as soon as they are queued).
    "deliver-messages": {
        "task": "qrtrace.notifications.tasks.deliver_due_messages",
        "every": timedelta(minutes=1),
    },
    # A re-trace whose task never got queued (the web process died between commit and enqueue).
    "retrace-stranded": {"task": "qrtrace.tracing.tasks.trace_stranded", "every": timedelta(minutes=10)},
    # Quarantine: self-report reminders at 07:00 and 19:00; missed-report SMS each morning at 08:30.
    "quarantine-report-reminders": {
        "task": "qrtrace.quarantine.tasks.report_reminders",
        "every": timedelta(hours=12),
        "at": timedelta(hours=7),
    },
    "quarantine-missed-reports": {
        "task": "qrtrace.quarantine.tasks.missed_report_alerts",
        "every": timedelta(days=1),
        "at": timedelta(hours=8, minutes=30),
    },
    # Housekeeping: idle rate-limit buckets, old task results and schedule runs.
    "ratelimit-prune": {
        "task": "qrtrace.lib.tasks.ratelimit_prune",
        "every": timedelta(days=1),
        "at": timedelta(hours=3),
    },
    # Citizens' reports past QRTRACE_FEEDBACK_RETENTION_DAYS, with their phones.
    "feedback-purge": {
        "task": "qrtrace.public.tasks.feedback_purge",
        "every": timedelta(days=1),
        "at": timedelta(minutes=40),
    },
    "background-prune": {
        "task": "qrtrace.lib.tasks.background_prune",
        "every": timedelta(days=1),
        "at": timedelta(hours=3, minutes=10),
    },
    # Dashboard: the daily figures of the last QRTRACE_DASHBOARD_REFRESH_DAYS days, rebuilt; then the
    # risk levels (rolling day, and the week); the province's daily report once each morning.
    "dashboard-refresh": {
        "task": "qrtrace.dashboard.tasks.refresh_aggregates",
        "every": timedelta(minutes=15),
    },
    "dashboard-report": {
        "task": "qrtrace.dashboard.tasks.daily_report",
        "every": timedelta(days=1),
        "at": timedelta(hours=6),
    },
}

# --- Dashboard -------------------------------------------------------------------------------------
# Days of figures each refresh rebuilds (late check-ins, re-traces and closed cases change recent days).
QRTRACE_DASHBOARD_REFRESH_DAYS = env_int("QRTRACE_DASHBOARD_REFRESH_DAYS", 3, minimum=1, maximum=60)
# Map tiles: a URL template ({z}/{x}/{y}); empty draws the map on a plain background (offline offices).
QRTRACE_MAP_TILE_URL = env_str("QRTRACE_MAP_TILE_URL", "")
QRTRACE_MAP_TILE_ATTRIBUTION = env_str("QRTRACE_MAP_TILE_ATTRIBUTION", "")
# At most this many features in one map layer response (the map says when it is capped).
QRTRACE_MAP_LAYER_CAP = env_int("QRTRACE_MAP_LAYER_CAP", 1000, minimum=10, maximum=20000)
# An official's risk-level decision lasts at most this long; a longer one is decided again.
QRTRACE_RISK_OVERRIDE_MAX_DAYS = env_int("QRTRACE_RISK_OVERRIDE_MAX_DAYS", 28, minimum=1, maximum=365)


def _fernet_key() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()


# Field encryption keys for phone and citizen ID: the first encrypts, all decrypt (key rotation).
QRTRACE_FIELD_KEYS = data_secret("QRTRACE_FIELD_KEYS", _fernet_key).split(",")
QRTRACE_LOOKUP_KEY = data_secret("QRTRACE_LOOKUP_KEY", lambda: secrets.token_hex(32)).encode()
# Signing keys for QR codes by version ("1:hex,2:hex"); retiring a version invalidates its codes.
QRTRACE_SIGNING_KEYS = {
    int(version): secret.encode()
    for version, _sep, secret in (
        item.partition(":")
        for item in data_secret("QRTRACE_SIGNING_KEYS", lambda: f"1:{secrets.token_hex(32)}").split(",")
    )
}
QRTRACE_SIGNING_KEY_VERSION = env_int("QRTRACE_SIGNING_KEY_VERSION", max(QRTRACE_SIGNING_KEYS), minimum=1)
if QRTRACE_SIGNING_KEY_VERSION not in QRTRACE_SIGNING_KEYS:
    raise ImproperlyConfigured(f"QRTRACE_SIGNING_KEY_VERSION={QRTRACE_SIGNING_KEY_VERSION} has no key.")

# --- Security ------------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("QRTRACE_MAX_BODY_BYTES", 256 * 1024, minimum=1024)
# Sign-in: this many failures in a row lock an account for QRTRACE_LOGIN_LOCKOUT_MINUTES; a second
# factor (TOTP) is optional for officials and required for the province office in production.
QRTRACE_LOGIN_MAX_FAILURES = env_int("QRTRACE_LOGIN_MAX_FAILURES", 5, minimum=1, maximum=100)
QRTRACE_LOGIN_LOCKOUT_MINUTES = env_int("QRTRACE_LOGIN_LOCKOUT_MINUTES", 15, minimum=1, maximum=1440)
QRTRACE_REQUIRE_TOTP_FOR_PROVINCE = env_bool("QRTRACE_REQUIRE_TOTP_FOR_PROVINCE", PRODUCTION)
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    CSRF_TRUSTED_ORIGINS = [PUBLIC_BASE_URL]
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [PUBLIC_BASE_URL.split("://", 1)[1].split("/")[0]])

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}
