"""Configuration classes; everything secret or deployment-specific comes from the environment."""
from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

_CHECKOUT = Path(__file__).resolve().parent.parent
# a checkout keeps its database beside the code; an installed package keeps it where it is started
INSTANCE_DIR = Path(os.environ.get("MIMI_INSTANCE_DIR") or (
    _CHECKOUT / "instance" if (_CHECKOUT / "setup.cfg").exists() else Path.cwd() / "instance"))

LANGUAGES = {
    "en": "English",
    "nb": "Norsk bokmål",
    "de": "Deutsch",
    "el": "Ελληνικά",
    "ar": "العربية",
    "uk": "Українська",
}
RTL_LANGUAGES = frozenset({"ar"})


DEFAULT_REGIONS = (
    "Agder", "Akershus", "Buskerud", "Finnmark", "Innlandet", "Møre og Romsdal", "Nordland", "Oslo",
    "Rogaland", "Troms", "Trøndelag", "Vestfold og Telemark", "Vestland", "Østfold",
)


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


class Config:
    """Settings shared by every environment."""

    ENV_NAME = "base"
    SECRET_KEY = os.environ.get("SECRET_KEY")
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'mimi_match.db'}")
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    MAX_CONTENT_LENGTH = 2 * 1024 * 1024
    WTF_CSRF_TIME_LIMIT = 8 * 3600

    LANGUAGES = LANGUAGES
    BABEL_DEFAULT_LOCALE = "en"
    # the installation's time zone: every time is stored in UTC and shown (and typed) in this zone
    TIME_ZONE = os.environ.get("TIME_ZONE", "Europe/Oslo")
    BABEL_DEFAULT_TIMEZONE = TIME_ZONE

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = True
    PERMANENT_SESSION_LIFETIME = timedelta(hours=_env_int("SESSION_MAX_HOURS", 12))
    SESSION_IDLE_MINUTES = _env_int("SESSION_IDLE_MINUTES", 30)
    SESSION_MAX_HOURS = _env_int("SESSION_MAX_HOURS", 12)

    # argon2id parameters (RFC 9106 second recommended option, lowered memory for a small server)
    ARGON2_TIME_COST = _env_int("ARGON2_TIME_COST", 3)
    ARGON2_MEMORY_COST = _env_int("ARGON2_MEMORY_COST", 65536)
    ARGON2_PARALLELISM = _env_int("ARGON2_PARALLELISM", 2)

    # e-mail for notifications: sent over SMTP when MAIL_SERVER is set, otherwise written to the log
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "")
    MAIL_PORT = _env_int("MAIL_PORT", 587)
    MAIL_USE_TLS = os.environ.get("MAIL_USE_TLS", "1") not in ("0", "false", "no")
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME", "")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD", "")
    MAIL_FROM = os.environ.get("MAIL_FROM", "MiMi Match <no-reply@localhost>")
    PUBLIC_URL = os.environ.get("PUBLIC_URL", "")
    # days a candidate may wait for the employer's answer, and an evaluation for its voices, before a reminder
    ANSWER_REMINDER_DAYS = _env_int("ANSWER_REMINDER_DAYS", 7)
    EVALUATION_REMINDER_DAYS = _env_int("EVALUATION_REMINDER_DAYS", 7)
    # conversations: the longest message, and how many one person may write
    MESSAGE_MAX_LENGTH = _env_int("MESSAGE_MAX_LENGTH", 2000)
    MESSAGE_LIMIT = os.environ.get("MESSAGE_LIMIT", "30 per hour")
    # invitations from Find talent: per position and day
    TALENT_INVITES_PER_DAY = _env_int("TALENT_INVITES_PER_DAY", 10)
    # the placement agreement's insurance and responsibility paragraphs, as this installation words them
    # (empty: our default text, translated into each reader's language)
    AGREEMENT_INSURANCE_TEXT = os.environ.get("AGREEMENT_INSURANCE_TEXT", "")
    AGREEMENT_RESPONSIBILITY_TEXT = os.environ.get("AGREEMENT_RESPONSIBILITY_TEXT", "")
    # follow-ups after a placement ended, in months
    FOLLOW_UP_MONTHS = os.environ.get("FOLLOW_UP_MONTHS", "3,6,12")
    # outcome and fairness figures: none is shown for fewer people than this (k-anonymity)
    OUTCOMES_MIN_GROUP = _env_int("OUTCOMES_MIN_GROUP", 10)
    # the daily digest e-mail, for those who chose one (hour in the installation's time zone)
    DIGEST_HOUR = _env_int("DIGEST_HOUR", 16)
    # the REST API (/api/v1): calls per organisation key, and per address for the public operations
    API_RATE_LIMIT = os.environ.get("API_RATE_LIMIT", "120 per minute")
    API_PUBLIC_RATE_LIMIT = os.environ.get("API_PUBLIC_RATE_LIMIT", "300 per minute")

    # failed logins: per account and per address; shared across workers through Redis when REDIS_URL is set
    RATELIMIT_STORAGE_URI = os.environ.get("REDIS_URL") or "memory://"
    RATELIMIT_KEY_PREFIX = "mimi"
    # Redis unreachable: count in each process meanwhile (Flask-Limiter logs a warning) rather than refuse logins
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATELIMIT_SWALLOW_ERRORS = True
    LOGIN_LIMIT_ACCOUNT = os.environ.get("LOGIN_LIMIT_ACCOUNT", "5 per minute")
    LOGIN_LIMIT_ADDRESS = os.environ.get("LOGIN_LIMIT_ADDRESS", "20 per minute")
    # links by e-mail: a password reset works for an hour, a confirmation and an invitation for a week
    PASSWORD_RESET_MINUTES = _env_int("PASSWORD_RESET_MINUTES", 60)
    EMAIL_VERIFY_DAYS = _env_int("EMAIL_VERIFY_DAYS", 7)
    INVITATION_DAYS = _env_int("INVITATION_DAYS", 7)
    # asking for reset links and confirmation mails, and registering: per address asked for and per client
    ACCOUNT_MAIL_LIMIT = os.environ.get("ACCOUNT_MAIL_LIMIT", "3 per hour")
    # roles that must use a second factor (TOTP) at login; the development demo and the tests ask none
    MFA_REQUIRED_ROLES = os.environ.get("MFA_REQUIRED_ROLES", "admin,coach,hr")
    SECOND_FACTOR_LIMIT = os.environ.get("SECOND_FACTOR_LIMIT", "5 per minute")
    REGISTER_LIMIT_ADDRESS = os.environ.get("REGISTER_LIMIT_ADDRESS", "5 per hour")

    # retention: a participant away this long gets a reminder, and is erased this long after it
    RETENTION_DAYS = _env_int("RETENTION_DAYS", 730)
    RETENTION_GRACE_DAYS = _env_int("RETENTION_GRACE_DAYS", 30)

    # the job queue (Huey): SQLite beside the database by default, Redis in production, "memory" in tests
    JOBS_URL = os.environ.get("JOBS_URL") or os.environ.get("REDIS_URL") or f"sqlite:///{INSTANCE_DIR / 'jobs.db'}"
    JOBS_PREFIX = os.environ.get("JOBS_PREFIX", "mimi")  # queue names: several installations may share a Redis
    # matching: suggestions per participant and per position; a new fit this long after a position brings a
    # skill the model does not know (erasures: at once); the writer's lease
    MATCH_TOP_K = _env_int("MATCH_TOP_K", 10)
    REFIT_DELAY_SECONDS = _env_int("REFIT_DELAY_SECONDS", 60)
    ERASURE_REFIT_DELAY_SECONDS = _env_int("ERASURE_REFIT_DELAY_SECONDS", 0)
    MATCHING_LEASE_SECONDS = _env_int("MATCHING_LEASE_SECONDS", 120)
    REFIT_RETRY_SECONDS = 300  # a fit that failed (say, the disk was full) is tried again this much later

    # how many reverse proxies in front of gunicorn set X-Forwarded-For (0: none, use the peer address)
    PROXY_HOPS = _env_int("PROXY_HOPS", 0)

    LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
    HOST_LANGUAGE = os.environ.get("HOST_LANGUAGE", "nb")
    PAGE_SIZE = 20
    PRELOAD_VOCABULARY = True
    # regions of the host country, as they are named there (semicolon-separated in the environment)
    REGIONS = tuple(r.strip() for r in os.environ.get("REGIONS", "").split(";") if r.strip()) or DEFAULT_REGIONS
    # languages a position may list as useful besides the local one
    USEFUL_LANGUAGES = ("en", "ar", "uk", "ru", "pl", "so", "ti", "fa", "prs", "ps", "ku", "tr", "fr", "es",
                        "de", "sw", "am", "ur", "vi", "th")


class DevelopmentConfig(Config):
    """Local development on the embedded SQLite database."""

    ENV_NAME = "development"
    SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-not-secret")
    SESSION_COOKIE_SECURE = False
    MFA_REQUIRED_ROLES = os.environ.get("MFA_REQUIRED_ROLES", "")


class TestingConfig(Config):
    """The test suite: a throwaway database, fast password hashing."""

    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = "testing-not-secret"
    MFA_REQUIRED_ROLES = ""  # tests of the second factor switch it on
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    SESSION_COOKIE_SECURE = False
    WTF_CSRF_ENABLED = False
    PRELOAD_VOCABULARY = False
    JOBS_URL = "memory"  # jobs run between requests, in the test's process (tests/conftest.py)
    REFIT_DELAY_SECONDS = 0
    ARGON2_TIME_COST = 1
    ARGON2_MEMORY_COST = 1024
    ARGON2_PARALLELISM = 1


class ProductionConfig(Config):
    """Production: SECRET_KEY and DATABASE_URL must come from the environment."""

    ENV_NAME = "production"
    # served over HTTPS only: the __Host- prefix makes browsers refuse the cookie from anything else (no
    # Domain, Path=/, Secure), so a sibling sub-domain cannot plant or read a session
    SESSION_COOKIE_NAME = "__Host-mimi_session"


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def load_config(name: str | None = None) -> type[Config]:
    """Pick the config class named by ``MIMI_ENV`` (default: development)."""
    name = name or os.environ.get("MIMI_ENV", "development")
    try:
        return CONFIGS[name]
    except KeyError:
        raise RuntimeError(f"MIMI_ENV must be one of {sorted(CONFIGS)}, not {name!r}") from None
