"""Settings, read from the environment.

Defaults suit a laptop: an SQLite file under var/, French, Europe/Paris, DEBUG off.
Production sets at least SECRET_KEY, ALLOWED_HOSTS and DATABASE_URL (see README.md).
"""

import datetime as dt
import os
import secrets
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent
VAR_DIR = Path(os.environ.get("TREMPLIN_VAR_DIR", PROJECT_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on", "oui"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def _secret_key() -> str:
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    # No key given: keep one per installation under var/ so sessions survive a restart.
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(64))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

# HTTPS hardening is on unless explicitly turned off (the local run script turns it off).
HTTPS = env_bool("TREMPLIN_HTTPS", True)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS and env_bool("TREMPLIN_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("TREMPLIN_BEHIND_PROXY", False) else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# Sessions end after 30 minutes without activity.
SESSION_COOKIE_AGE = int(os.environ.get("TREMPLIN_SESSION_SECONDS", 30 * 60))
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "tremplin",
    "tremplin.access",
    "tremplin.audit",
    "tremplin.organisations",
    "tremplin.people",
    "tremplin.pathways",
    "tremplin.employment",
    "tremplin.activity",
    "tremplin.steering",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    "tremplin.audit.middleware.RequestContextMiddleware",
    "tremplin.access.middleware.LoginRequiredMiddleware",
    "tremplin.audit.middleware.RefusalLogMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "tremplin.urls"
WSGI_APPLICATION = "tremplin.wsgi.application"

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
                "tremplin.access.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'tremplin.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", 60)),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        }
    )
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "access.User"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "tremplin.access.backends.LockoutBackend",  # django-axes: lockout after repeated failures
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_ROOT = VAR_DIR / "media"
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

# Content Security Policy: no inline script, no inline style, nothing from elsewhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# Two-factor authentication (TOTP, django-otp) and lockout (django-axes). See docs/permissions.md.
OTP_TOTP_ISSUER = "Tremplin"
OTP_TOTP_THROTTLE_FACTOR = 1
AXES_FAILURE_LIMIT = int(os.environ.get("TREMPLIN_LOCKOUT_FAILURES", 5))
AXES_COOLOFF_TIME = dt.timedelta(minutes=int(os.environ.get("TREMPLIN_LOCKOUT_MINUTES", 15)))
# Lock the pair (login, client address) after 5 failures: knowing a login is not enough to lock
# its owner out from elsewhere. The login itself is locked, from every address, after 20 failures
# from any addresses together (tremplin.access.lockout), so a guess spread over many addresses is
# still stopped. Failures while locked are not counted (they would let one address reach 20).
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_HANDLER = "tremplin.access.lockout.LockoutHandler"
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
TREMPLIN_LOCKOUT_LOGIN_FAILURES = int(os.environ.get("TREMPLIN_LOCKOUT_LOGIN_FAILURES", 20))
AXES_RESET_ON_SUCCESS = True
# Forgotten password: e-mails per address and requests per client address, per hour.
TREMPLIN_RESET_PER_ADDRESS = int(os.environ.get("TREMPLIN_RESET_PER_ADDRESS", 3))
TREMPLIN_RESET_PER_IP = int(os.environ.get("TREMPLIN_RESET_PER_IP", 10))
AXES_LOCKOUT_CALLABLE = "tremplin.access.views.locked_out"
AXES_VERBOSE = False
AXES_IPWARE_PROXY_COUNT = 1 if env_bool("TREMPLIN_BEHIND_PROXY", False) else None
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if env_bool("TREMPLIN_BEHIND_PROXY", False) else ["REMOTE_ADDR"]
)

# E-mail (password reset). Development: printed on the console. Production: set EMAIL_HOST (SMTP).
if os.environ.get("EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = os.environ["EMAIL_HOST"]
    EMAIL_PORT = int(os.environ.get("EMAIL_PORT", 587))
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "tremplin@localhost")
PASSWORD_RESET_TIMEOUT = 60 * 60  # a reset link works for one hour

# Domain settings.
TREMPLIN_CASELOAD_CEILING = 20  # persons (veille excluded) per counsellor FTE, cahier des charges V.B.2
TREMPLIN_RETENTION_YEARS = int(os.environ.get("TREMPLIN_RETENTION_YEARS", 2))
# Bundle uploads (page "Importer un lot"): JSON only, at most this size (a national bundle of
# 50,000 persons and 5 million interventions is about 500 MB).
TREMPLIN_IMPORT_MAX_BYTES = int(os.environ.get("TREMPLIN_IMPORT_MAX_BYTES", 1_000_000_000))
# Imports from the page run as jobs (steering.jobs, `tremplin worker`): a file up to this size is
# imported during the request; a worker marks a job failed when its heartbeat (written every few
# seconds) is older than TREMPLIN_WORKER_STALE_SECONDS.
TREMPLIN_IMPORT_INLINE_MAX_BYTES = int(os.environ.get("TREMPLIN_IMPORT_INLINE_MAX_BYTES", 2_000_000))
TREMPLIN_WORKER_HEARTBEAT_SECONDS = 5
TREMPLIN_WORKER_STALE_SECONDS = int(os.environ.get("TREMPLIN_WORKER_STALE_SECONDS", 120))
