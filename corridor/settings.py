"""Corridor settings, all from the environment.

The demo and the test suite run with safe defaults; production (`CORRIDOR_ENV=production`,
the default for anything that is not the demo or the tests) refuses to start with a missing
or published demo secret, and says which one.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from whitenoise.compress import Compressor

BASE_DIR = Path(__file__).resolve().parent

# Published on purpose: the demo must start with no setup, and production must reject them.
DEMO_SECRET_KEY = "demo-insecure-corridor-secret-key-do-not-use-in-production"  # noqa: S105
DEMO_FIELD_KEY = "ZGVtby1pbnNlY3VyZS1jb3JyaWRvci1maWVsZC1rZXk="
DEMO_SEARCH_KEY = "demo-insecure-corridor-search-key-do-not-use"  # noqa: S105


def envbool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def envint(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def envsecret(name: str) -> str:
    """A secret from `NAME` or from the file named by `NAME_FILE` (Docker/K8s secrets)."""
    path = os.environ.get(f"{name}_FILE")
    if path:
        return Path(path).read_text(encoding="utf-8").strip()
    return os.environ.get(name, "").strip()


MIN_SECRET_CHARACTERS = 12  # different characters in a secret key worth the name


def _is_fernet_key(key: str) -> bool:
    from cryptography.fernet import Fernet

    try:
        Fernet(key.encode("ascii"))
    except (ValueError, UnicodeEncodeError):
        return False
    return True


def production_secret_problems(
    secret_key: str, field_keys: list[str], *, debug: bool = False, search_key: str | None = None
) -> list[str]:
    """Why these settings must not run a production instance; empty when they may."""
    problems = []
    if not secret_key:
        problems.append("CORRIDOR_SECRET_KEY is missing")
    elif secret_key == DEMO_SECRET_KEY:
        problems.append("CORRIDOR_SECRET_KEY is the published demo secret")
    elif len(secret_key) < 32:
        problems.append("CORRIDOR_SECRET_KEY is shorter than 32 characters")
    elif len(set(secret_key)) < MIN_SECRET_CHARACTERS:
        problems.append(
            f"CORRIDOR_SECRET_KEY has fewer than {MIN_SECRET_CHARACTERS} different characters: "
            "it is guessable"
        )
    if not field_keys:
        problems.append("CORRIDOR_FIELD_KEYS is missing")
    elif DEMO_FIELD_KEY in field_keys:
        problems.append("CORRIDOR_FIELD_KEYS contains the published demo key")
    elif not all(_is_fernet_key(key) for key in field_keys):
        problems.append(
            "CORRIDOR_FIELD_KEYS holds a key that is not a Fernet key "
            "(make one with `corridor generate_field_key`)"
        )
    if search_key is not None:
        if not search_key:
            problems.append("CORRIDOR_SEARCH_KEY is missing")
        elif search_key == DEMO_SEARCH_KEY:
            problems.append("CORRIDOR_SEARCH_KEY is the published demo key")
        elif len(search_key) < 32 or len(set(search_key)) < MIN_SECRET_CHARACTERS:
            problems.append("CORRIDOR_SEARCH_KEY is shorter than 32 characters or guessable")
    if debug:
        problems.append("CORRIDOR_DEBUG is on: debug pages show secrets and personal data")
    return problems


CORRIDOR_ENV = os.environ.get("CORRIDOR_ENV", "production").strip().lower()
if CORRIDOR_ENV not in {"production", "demo", "test"}:
    raise ImproperlyConfigured(
        f"CORRIDOR_ENV must be production, demo or test, not {CORRIDOR_ENV!r}"
    )
PRODUCTION = CORRIDOR_ENV == "production"
DEMO = CORRIDOR_ENV == "demo"

SECRET_KEY = envsecret("CORRIDOR_SECRET_KEY")
FIELD_ENCRYPTION_KEYS = [
    k.strip() for k in envsecret("CORRIDOR_FIELD_KEYS").split(",") if k.strip()
]
# The key of the blind index that persons are searched by (corridor.people.search): its own
# secret, so that neither the field keys nor Django's key can be used to test a guess.
CORRIDOR_SEARCH_KEY = envsecret("CORRIDOR_SEARCH_KEY")
if PRODUCTION:
    _problems = production_secret_problems(
        SECRET_KEY,
        FIELD_ENCRYPTION_KEYS,
        debug=envbool("CORRIDOR_DEBUG", False),
        search_key=CORRIDOR_SEARCH_KEY,
    )
    if _problems:
        raise ImproperlyConfigured(
            "Corridor refuses to start in production: "
            + "; ".join(_problems)
            + ". Set real secrets, or run `corridor demo` for a demonstration."
        )
else:
    SECRET_KEY = SECRET_KEY or DEMO_SECRET_KEY
    FIELD_ENCRYPTION_KEYS = FIELD_ENCRYPTION_KEYS or [DEMO_FIELD_KEY]
    CORRIDOR_SEARCH_KEY = CORRIDOR_SEARCH_KEY or DEMO_SEARCH_KEY

DEBUG = envbool("CORRIDOR_DEBUG", False) and not PRODUCTION
ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get(
        "CORRIDOR_ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,testserver"
    ).split(",")
    if h.strip()
]

# The country whose national referral mechanism this instance serves (ISO 3166-1 alpha-2).
CORRIDOR_COUNTRY = os.environ.get("CORRIDOR_COUNTRY", "IT").upper()
CORRIDOR_DATA_DIR = Path(os.environ.get("CORRIDOR_DATA_DIR", Path.cwd() / "corridor-data"))
# Two-factor authentication for privileged roles; only the demo may switch it off.
CORRIDOR_REQUIRE_MFA = True if PRODUCTION else envbool("CORRIDOR_REQUIRE_MFA", not DEMO)
CORRIDOR_BREAK_GLASS_HOURS = envint("CORRIDOR_BREAK_GLASS_HOURS", 4)

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "csp",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "corridor.core",
    "corridor.accounts",
    "corridor.audit",
    "corridor.people",
    "corridor.consent",
    "corridor.cases",
    "corridor.referrals",
    "corridor.screening",
    "corridor.incidents",
    "corridor.investigations",
    "corridor.cooperation",
    "corridor.intake",
    "corridor.notifications",
    "corridor.crossborder",
    "corridor.retention",
    "corridor.linkage",
    "corridor.jobs",
    "corridor.demo",
]

MIDDLEWARE = [
    "corridor.core.middleware.RefuseUnusedMethodsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "corridor.accounts.middleware.RequireMFAMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "corridor.accounts.middleware.IdleTimeoutMiddleware",
    "corridor.notifications.middleware.MarkOpenedNotificationsReadMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
    "corridor.core.middleware.NoStoreMiddleware",
]

ROOT_URLCONF = "corridor.urls"
WSGI_APPLICATION = "corridor.wsgi.application"

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
                "corridor.core.context_processors.corridor",
            ],
        },
    },
]

_default_db = f"sqlite:///{CORRIDOR_DATA_DIR / 'corridor.sqlite3'}"
# Persistent connections are checked before a request reuses them, so a server whose database
# went away and came back answers again at once instead of failing once per idle thread.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", _default_db), conn_max_age=60, conn_health_checks=True
    )
}
# A pool of connections per server process (psycopg_pool), for servers with more threads than
# the database should have connections; 0 keeps one persistent connection per thread.
CORRIDOR_DB_POOL_MAX = envint("CORRIDOR_DB_POOL_MAX", 0)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and CORRIDOR_DB_POOL_MAX:
    DATABASES["default"]["CONN_MAX_AGE"] = 0  # the pool keeps them; health checks stay on
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": 1,
        "max_size": CORRIDOR_DB_POOL_MAX,
        "timeout": envint("CORRIDOR_DB_POOL_TIMEOUT_SECONDS", 10),
    }
# Parallel query lets one request take several cores, which a server answering dozens of
# users at once does not have to give, and its plans hash whole tables where the queue and
# the lists need a few rows by index (the queue's unreferred count: 130 ms with two workers,
# 8 ms with none, at 100,000 victims). 0 turns it off for Corridor's connections.
CORRIDOR_DB_PARALLEL_WORKERS = envint("CORRIDOR_DB_PARALLEL_WORKERS", 0)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options["options"] = " ".join(
        filter(
            None,
            [
                _options.get("options", ""),
                f"-c max_parallel_workers_per_gather={CORRIDOR_DB_PARALLEL_WORKERS}",
            ],
        )
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE transactions serialise writers, which the audit hash chain relies on.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "corridor.accounts.backends.ActiveAgencyBackend",
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
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Login throttling: five failures for one username from one address lock it for 15 minutes.
AXES_FAILURE_LIMIT = envint("CORRIDOR_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=envint("CORRIDOR_LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

OTP_TOTP_ISSUER = "Corridor"

# Sessions and CSRF: short-lived, HTTP-only, same-site; secure cookies whenever served over TLS.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = envint("CORRIDOR_SESSION_SECONDS", 8 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# A session left without a request this long ends (accounts.middleware.IdleTimeoutMiddleware).
CORRIDOR_IDLE_SECONDS = envint("CORRIDOR_IDLE_SECONDS", 30 * 60)
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Strict"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = envbool("CORRIDOR_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = envint("CORRIDOR_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    CSRF_TRUSTED_ORIGINS = [
        o.strip() for o in os.environ.get("CORRIDOR_TRUSTED_ORIGINS", "").split(",") if o.strip()
    ]

# Nothing is loaded from another origin: no CDN, no web font, no map tile.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    },
}

LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("fr", _("French")),
    ("pt", _("Portuguese")),
    ("ar", _("Arabic")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["corridor.formats"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = os.environ.get("CORRIDOR_TIME_ZONE", "UTC")

STATIC_URL = "/static/"
STATIC_ROOT = CORRIDOR_DATA_DIR / "static"
# Production (`corridor serve`) and the demo's server (`corridor demo`) serve static files
# collected at start when they changed: names carrying a hash of the content, compressed,
# cached by browsers for a year. Tests and other commands serve them straight from the apps.
STATIC_COLLECTED = PRODUCTION or envbool("CORRIDOR_STATIC_COLLECTED", False)
WHITENOISE_USE_FINDERS = not STATIC_COLLECTED
# Source maps are for developers' tools: not worth minutes of compression at every start.
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = (*Compressor.SKIP_COMPRESS_EXTENSIONS, "map")
WHITENOISE_KEEP_ONLY_HASHED_FILES = STATIC_COLLECTED
WHITENOISE_AUTOREFRESH = not STATIC_COLLECTED
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "corridor.core.storage.CompressedStaticFiles"
        if STATIC_COLLECTED
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

EMAIL_BACKEND = os.environ.get(
    "CORRIDOR_EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    # The demo keeps its e-mails as files in the data directory, out of the terminal.
    else "django.core.mail.backends.filebased.EmailBackend"
    if DEMO
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_FILE_PATH = CORRIDOR_DATA_DIR / "mail"
DEFAULT_FROM_EMAIL = os.environ.get("CORRIDOR_FROM_EMAIL", "corridor@localhost")
# The address people reach this instance at, for links in e-mails.
CORRIDOR_BASE_URL = os.environ.get("CORRIDOR_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
# A referral not answered within this many hours comes back to the coordinator's queue.
CORRIDOR_REFERRAL_RESPONSE_HOURS = envint("CORRIDOR_REFERRAL_RESPONSE_HOURS", 48)
# Legal cooperation requests: the deadline when none is set in law or by the requested
# authority, and how many days before it the responsible prosecutor is reminded.
CORRIDOR_COOPERATION_DEFAULT_DAYS = envint("CORRIDOR_COOPERATION_DEFAULT_DAYS", 90)
CORRIDOR_COOPERATION_REMINDER_DAYS = envint("CORRIDOR_COOPERATION_REMINDER_DAYS", 7)
# Lists and queues count their rows up to this many and say "more than" past it
# (corridor.core.paging): an exact count of a national table on every page is too slow.
CORRIDOR_COUNT_LIMIT = max(1, envint("CORRIDOR_COUNT_LIMIT", 1000))
# The instance's figures (analysts) are kept this long before they are counted again; any
# change recorded through Corridor throws them away sooner. 0: always count (see
# corridor.incidents.counting.instance_counts).
# A record-linkage exchange with a partner not finished after this long is stopped and the
# partner's encodings received so far are deleted (corridor.crossborder.pprl_exchange).
CORRIDOR_PPRL_EXCHANGE_HOURS = max(1, envint("CORRIDOR_PPRL_EXCHANGE_HOURS", 24))
CORRIDOR_FIGURES_MAX_AGE_SECONDS = max(0, envint("CORRIDOR_FIGURES_MAX_AGE_SECONDS", 600))
# Transnational referral: this instance's signing key (else the one `crossborder_keys` stored),
# the clock skew tolerated on partners' messages, and the outbox's retry policy.
CORRIDOR_SIGNING_KEY_FILE = os.environ.get("CORRIDOR_SIGNING_KEY_FILE", "")
CORRIDOR_CROSSBORDER_MAX_SKEW_SECONDS = envint("CORRIDOR_CROSSBORDER_MAX_SKEW_SECONDS", 300)
CORRIDOR_CROSSBORDER_RETRY_BASE_SECONDS = envint("CORRIDOR_CROSSBORDER_RETRY_BASE_SECONDS", 2)
CORRIDOR_CROSSBORDER_RETRY_MAX_SECONDS = envint("CORRIDOR_CROSSBORDER_RETRY_MAX_SECONDS", 900)
CORRIDOR_CROSSBORDER_MAX_REJECTIONS = envint("CORRIDOR_CROSSBORDER_MAX_REJECTIONS", 5)
CORRIDOR_CROSSBORDER_TIMEOUT_SECONDS = envint("CORRIDOR_CROSSBORDER_TIMEOUT_SECONDS", 10)
# The reflection period of a presumed victim; the services refuse anything under 30 days.
CORRIDOR_REFLECTION_DAYS = envint("CORRIDOR_REFLECTION_DAYS", 30)

# Background jobs (corridor.jobs): Django's task framework. The database backend needs
# nothing more than the database; `CORRIDOR_JOBS_BACKEND=redis` queues them in Redis (RQ),
# run by `corridor rqworker default --with-scheduler`.
CORRIDOR_JOBS_BACKEND = os.environ.get("CORRIDOR_JOBS_BACKEND", "database").strip().lower()
CORRIDOR_REDIS_URL = os.environ.get("CORRIDOR_REDIS_URL", "redis://127.0.0.1:6379/0")
if CORRIDOR_JOBS_BACKEND == "redis":
    INSTALLED_APPS += ["django_rq"]
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    RQ_QUEUES = {"default": {"URL": CORRIDOR_REDIS_URL}}
elif CORRIDOR_JOBS_BACKEND == "database":
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
else:
    raise ImproperlyConfigured(
        f"CORRIDOR_JOBS_BACKEND must be database or redis, not {CORRIDOR_JOBS_BACKEND!r}"
    )
# A worker on another machine that has not been heard of for this long is taken for dead.
CORRIDOR_WORKER_TIMEOUT_SECONDS = envint("CORRIDOR_WORKER_TIMEOUT_SECONDS", 30)
CORRIDOR_JOB_RETENTION_DAYS = envint("CORRIDOR_JOB_RETENTION_DAYS", 30)
# Retention (corridor.retention): how long the records of a person are kept after the last
# thing recorded about her, per kind; 0 switches a rule off (kept until erased on request).
# A daily background job erases what is past its period, except under a legal hold.
CORRIDOR_RETAIN_UNIDENTIFIED_SCREENING_DAYS = envint(
    "CORRIDOR_RETAIN_UNIDENTIFIED_SCREENING_DAYS", 365
)
CORRIDOR_RETAIN_CLOSED_CASE_YEARS = envint("CORRIDOR_RETAIN_CLOSED_CASE_YEARS", 5)
if not (
    CORRIDOR_RETAIN_UNIDENTIFIED_SCREENING_DAYS == 0
    or CORRIDOR_RETAIN_UNIDENTIFIED_SCREENING_DAYS >= 30
):
    raise ImproperlyConfigured(
        "CORRIDOR_RETAIN_UNIDENTIFIED_SCREENING_DAYS must be 0 (never erased) or at least 30"
    )
if CORRIDOR_RETAIN_CLOSED_CASE_YEARS < 0:
    raise ImproperlyConfigured(
        "CORRIDOR_RETAIN_CLOSED_CASE_YEARS must be 0 (never erased) or a number of years"
    )
# The largest request body the server reads (a 20 MB register and its form); more is refused.
CORRIDOR_MAX_REQUEST_BYTES = envint("CORRIDOR_MAX_REQUEST_BYTES", 25 * 1024 * 1024)
# Where the audit chain's head is anchored, outside the database (see corridor.audit.anchors);
# in production put it on other storage than the database's.
CORRIDOR_AUDIT_ANCHOR_FILE = os.environ.get(
    "CORRIDOR_AUDIT_ANCHOR_FILE", str(CORRIDOR_DATA_DIR / "audit-anchors.jsonl")
)
# An audit event is sealed into the chain moments after it is written (at the latest by the
# worker's sweep every minute); one left outside longer than this is reported by verify.
CORRIDOR_AUDIT_CHAIN_GRACE_SECONDS = envint("CORRIDOR_AUDIT_CHAIN_GRACE_SECONDS", 300)
# Backups (corridor backup / restore) are encrypted with this Fernet key, kept apart from
# the field keys and from the backup files.
CORRIDOR_BACKUP_KEY = envsecret("CORRIDOR_BACKUP_KEY")
# A register longer than this is imported by a background job, with a progress bar.
CORRIDOR_BACKGROUND_IMPORT_ROWS = envint("CORRIDOR_BACKGROUND_IMPORT_ROWS", 500)
# A register is written at most this many rows per transaction (and a step stops after half
# a second), so that an import never holds the database (SQLite's write lock) for more than
# a moment; each step commits its rows and the mark of the last row written together, so an
# interrupted import resumes after it.
CORRIDOR_IMPORT_BATCH_ROWS = envint("CORRIDOR_IMPORT_BATCH_ROWS", 200)
# Progress of running jobs is shared through a cache the web server and the workers both
# reach, outside the database (a job's own transaction would hide it).
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "jobs": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": CORRIDOR_REDIS_URL,
    }
    if CORRIDOR_JOBS_BACKEND == "redis"
    else {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(CORRIDOR_DATA_DIR / "cache" / "jobs"),
    },
}

# The demo logs to a file in its data directory, so the terminal keeps the logins in view.
CORRIDOR_LOG_FILE = os.environ.get(
    "CORRIDOR_LOG_FILE", str(CORRIDOR_DATA_DIR / "corridor.log") if DEMO else ""
)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler"},
        "file": {
            "class": "logging.FileHandler",
            "filename": CORRIDOR_LOG_FILE or os.devnull,
            "delay": True,
            "formatter": "plain",
        },
    },
    "root": {
        "handlers": ["file" if CORRIDOR_LOG_FILE else "console"],
        "level": os.environ.get("CORRIDOR_LOG_LEVEL", "INFO" if CORRIDOR_LOG_FILE else "WARNING"),
    },
}
