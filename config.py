"""Configuration classes, chosen by CASEAPP_CONFIG (development, testing, production).

A variable that is set in the environment always wins over the instance files, so one checkout can serve
several databases side by side. Development reads its secret key and key material from `instance/`
(created by `make run` / `flask --app wsgi instance init`); production reads only the environment and
refuses to start with anything missing or unsafe.
"""

from __future__ import annotations

import json
import os
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("CASEAPP_INSTANCE", BASE_DIR / "instance"))
SECRET_KEY_FILE = INSTANCE_DIR / "secret_key"
KEYS_FILE = INSTANCE_DIR / "keys.json"
AUDIT_SIGNING_KEY_FILE = INSTANCE_DIR / "audit_signing_key"


class ConfigError(RuntimeError):
    """The configuration cannot be used; the message says what to set."""


def _instance_secret() -> str | None:
    if SECRET_KEY_FILE.exists():
        return SECRET_KEY_FILE.read_text().strip() or None
    return None


def _instance_keys() -> dict[str, str]:
    if KEYS_FILE.exists():
        return dict(json.loads(KEYS_FILE.read_text()))
    return {}


class Config:
    """Settings every configuration shares."""

    NAME = "base"
    SQLALCHEMY_DATABASE_URI = "sqlite:///" + str(INSTANCE_DIR / "caseapp.db")
    # hide_parameters keeps bound values (possibly sensitive) out of errors and logs.
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"hide_parameters": True, "pool_pre_ping": True}
    SQLALCHEMY_ECHO = False
    SQLITE_BUSY_TIMEOUT_MS = 5000

    SESSION_COOKIE_NAME = "caseapp_session"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    # The signed cookie only carries the server-side session id; these bound the server-side session.
    SESSION_IDLE_TIMEOUT = timedelta(minutes=30)
    SESSION_ABSOLUTE_TIMEOUT = timedelta(hours=12)
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)
    LOCALE_COOKIE_NAME = "caseapp_lang"

    MAX_CONTENT_LENGTH = 2 * 1024 * 1024  # no form or JSON body of ours comes near this
    WTF_CSRF_ENABLED = True
    WTF_CSRF_TIME_LIMIT = 3600 * 12

    BABEL_DEFAULT_LOCALE = "id"
    BABEL_DEFAULT_TIMEZONE = "Asia/Makassar"  # WITA, Kendari's time zone
    LANGUAGES = ("id", "en")

    RATELIMIT_STORAGE_URI = "memory://"
    # A moving window: no burst of twice the limit across a window boundary.
    RATELIMIT_STRATEGY = "moving-window"
    # Our 429 handler sets Retry-After itself (also for the per-account delay, which the limiter does
    # not know about); the limiter's own headers would overwrite it.
    RATELIMIT_HEADERS_ENABLED = False
    LOGIN_RATE_LIMIT = "20 per minute;200 per hour"
    API_RATE_LIMIT = "300 per minute"
    # Per-account delay: after this many consecutive failures each further failure doubles the wait.
    LOGIN_FAILURES_BEFORE_DELAY = 5
    LOGIN_DELAY_BASE_SECONDS = 2
    LOGIN_DELAY_MAX_SECONDS = 15 * 60

    # argon2id parameters (argon2-cffi's RFC 9106 low-memory profile).
    ARGON2_TIME_COST = 3
    ARGON2_MEMORY_COST = 65536
    ARGON2_PARALLELISM = 4

    PASSWORD_MIN_LENGTH = 12
    PASSWORD_MAX_LENGTH = 128

    HSTS = False
    # Roles that must sign in with a second factor (TOTP); other users may set it up. Empty: nobody
    # (`security-check` refuses that in production). Environment: MFA_REQUIRED_ROLES="supervisor,admin".
    MFA_REQUIRED_ROLES: tuple[str, ...] = ("supervisor", "admin", "auditor", "analyst", "reporting_officer")
    MFA_ISSUER = "caseapp Kendari"
    # How long a step-up (password and code asked again) covers sensitive steps.
    REAUTH_MINUTES = 5
    # How long the dashboard's and the recap's counts are shared before being computed again (0: never).
    REPORT_CACHE_SECONDS = 60
    # How long the case list's filter keeps a user's case-manager options, per process (0: never).
    CASE_MANAGER_CHOICES_SECONDS = 60
    # Where the dashboard's and the recap's counts are shared by every worker and node (caseapp.cache):
    # a redis:// URL; unset: the rate limiter's Redis if it has one; "memory://": each process its own.
    REPORT_CACHE_REDIS_URL: str | None = None
    # This node's name, sent as X-Caseapp-Node on every answer when set (several nodes behind one proxy).
    NODE_NAME: str | None = None
    # How many reverse proxies in front set X-Forwarded-For/-Proto (0: none, the peer is the client).
    PROXY_HOPS = 0
    DEMO_CREDENTIALS_FILE = str(INSTANCE_DIR / "demo-credentials.txt")
    # A name search decrypts at most this many candidates, newest first (services/cases/names.py): a name
    # so common that more cases hold its pieces lists the newest matches and asks for more of the name.
    NAME_SEARCH_MAX_CANDIDATES = 2000
    # Attachments: the largest file accepted (413 above it), where the encrypted files are kept
    # ("filesystem" under ATTACHMENT_DIR, or "s3" in ATTACHMENT_S3_BUCKET at ATTACHMENT_S3_ENDPOINT with the
    # usual AWS_* credentials) and the ClamAV daemon that scans them ("/run/clamav/clamd.ctl" or
    # "tcp://host:3310"; unset: no scan).
    ATTACHMENT_MAX_BYTES = 20 * 1024 * 1024
    ATTACHMENT_CHUNK_BYTES = 64 * 1024
    ATTACHMENT_STORAGE = "filesystem"
    ATTACHMENT_DIR = str(INSTANCE_DIR / "attachments")
    ATTACHMENT_S3_BUCKET: str | None = None
    ATTACHMENT_S3_ENDPOINT: str | None = None
    ATTACHMENT_S3_REGION = "us-east-1"
    CLAMD_SOCKET: str | None = None
    CLAMD_TIMEOUT_SECONDS = 30
    # Background jobs (caseapp.jobs): with a broker, Celery workers and beat run them; without one, a thread
    # of the web process does (and runs the schedule when JOBS_EMBEDDED_SCHEDULE is on).
    CELERY_BROKER_URL: str | None = None
    JOBS_QUEUE = "caseapp"
    JOBS_EMBEDDED_SCHEDULE = True
    # Period in seconds per job, overriding caseapp.jobs.tasks.SCHEDULE (e.g. {"outbox.send": 60}).
    JOBS_SCHEDULE: dict[str, int] = {}
    # Exports built in the background (the SIMFONI-PPA file): how long a finished file can be downloaded
    # before its encrypted content is deleted and its data key shredded; a build that has run this many
    # minutes without finishing (its worker lost) is taken up again, at most EXPORT_MAX_ATTEMPTS times.
    EXPORT_RETENTION_HOURS = 24
    EXPORT_STALE_MINUTES = 30
    EXPORT_MAX_ATTEMPTS = 3
    # Retention (services/retention.py): this many years after a case was closed or cancelled, unless a legal
    # hold or open legal proceedings keep it, the daily job `retention.shred_due` removes the child's identity
    # for good (its statistics stay). 0 turns retention off.
    CASE_RETENTION_YEARS = 5
    SECRET_KEY: str | None = None
    # Key material for the security core: KEK ring "id:base64,..." (first current), blind-index root key
    # and audit MAC key (base64 of 32 random bytes each).
    CASEAPP_KEK: str | None = None
    CASEAPP_BIDX_KEY: str | None = None
    CASEAPP_AUDIT_KEY: str | None = None
    # The audit log's anchor: an Ed25519 private key (base64 of its 32-byte seed) that signs checkpoints of
    # the chain's head, and the file outside the database where they are appended (`audit checkpoint`).
    CASEAPP_AUDIT_SIGNING_KEY: str | None = None
    CASEAPP_AUDIT_CHECKPOINT_FILE = str(INSTANCE_DIR / "audit-checkpoints.jsonl")

    @classmethod
    def load(cls) -> dict:
        """Return this configuration as a dict, with the environment applied."""
        values = {k: getattr(cls, k) for k in dir(cls) if k.isupper()}
        env = os.environ
        if env.get("DATABASE_URL"):
            values["SQLALCHEMY_DATABASE_URI"] = env["DATABASE_URL"]
        for name in (
            "SECRET_KEY",
            "CASEAPP_KEK",
            "CASEAPP_BIDX_KEY",
            "CASEAPP_AUDIT_KEY",
            "CASEAPP_AUDIT_SIGNING_KEY",
            "CASEAPP_AUDIT_CHECKPOINT_FILE",
        ):
            if env.get(name):
                values[name] = env[name]
        for name in ("RATELIMIT_STORAGE_URI", "LOGIN_RATE_LIMIT", "API_RATE_LIMIT", "REPORT_CACHE_REDIS_URL"):
            if env.get(name):
                values[name] = env[name]
        if env.get("REFERRAL_DUE_HOURS"):
            # e.g. "emergency=24,urgent=72,routine=168"
            values["REFERRAL_DUE_HOURS"] = {
                k.strip(): int(v)
                for k, _, v in (p.partition("=") for p in env["REFERRAL_DUE_HOURS"].split(","))
                if v.strip().isdigit()
            }
        if "MFA_REQUIRED_ROLES" in env:
            values["MFA_REQUIRED_ROLES"] = tuple(
                r.strip() for r in env["MFA_REQUIRED_ROLES"].split(",") if r.strip()
            )
        if env.get("EXPORT_RETENTION_HOURS", "").isdigit():
            values["EXPORT_RETENTION_HOURS"] = int(env["EXPORT_RETENTION_HOURS"])
        if env.get("CASE_RETENTION_YEARS", "").isdigit():
            values["CASE_RETENTION_YEARS"] = int(env["CASE_RETENTION_YEARS"])
        if env.get("ATTACHMENT_MAX_MB", "").isdigit():
            values["ATTACHMENT_MAX_BYTES"] = int(env["ATTACHMENT_MAX_MB"]) * 1024 * 1024
        for name in (
            "ATTACHMENT_STORAGE",
            "ATTACHMENT_DIR",
            "ATTACHMENT_S3_BUCKET",
            "ATTACHMENT_S3_ENDPOINT",
            "ATTACHMENT_S3_REGION",
            "CLAMD_SOCKET",
        ):
            if env.get(name):
                values[name] = env[name]
        for name in ("CELERY_BROKER_URL", "JOBS_QUEUE"):
            if env.get(name):
                values[name] = env[name]
        if env.get("JOBS_SCHEDULE"):
            # e.g. "outbox.send=60,referrals.remind=3600"
            values["JOBS_SCHEDULE"] = {
                k.strip(): int(v)
                for k, _, v in (p.partition("=") for p in env["JOBS_SCHEDULE"].split(","))
                if v.strip().isdigit()
            }
        if env.get("CASEAPP_NODE_NAME"):
            values["NODE_NAME"] = env["CASEAPP_NODE_NAME"]
        if env.get("CASEAPP_PROXY_HOPS", "").isdigit():
            values["PROXY_HOPS"] = int(env["CASEAPP_PROXY_HOPS"])
        for name in (
            "MAIL_SERVER",
            "MAIL_PORT",
            "MAIL_USERNAME",
            "MAIL_PASSWORD",
            "MAIL_USE_TLS",
            "MAIL_DEFAULT_SENDER",
        ):
            if env.get(name):
                values[name] = env[name]
        return values


class DevelopmentConfig(Config):
    """Local use on SQLite; secrets come from instance/ unless the environment sets them."""

    NAME = "development"

    @classmethod
    def load(cls) -> dict:
        values = super().load()
        if not values.get("SECRET_KEY"):
            values["SECRET_KEY"] = _instance_secret()
        keys = _instance_keys()
        for name in ("CASEAPP_KEK", "CASEAPP_BIDX_KEY", "CASEAPP_AUDIT_KEY"):
            if not values.get(name) and keys.get(name):
                values[name] = keys[name]
        if not values.get("CASEAPP_AUDIT_SIGNING_KEY") and AUDIT_SIGNING_KEY_FILE.exists():
            values["CASEAPP_AUDIT_SIGNING_KEY"] = AUDIT_SIGNING_KEY_FILE.read_text().strip()
        if not values.get("SECRET_KEY"):
            raise ConfigError(
                "No secret key: run `make run` once (or `flask --app wsgi instance init`) to create "
                f"{SECRET_KEY_FILE}, or set SECRET_KEY."
            )
        return values


class TestingConfig(Config):
    """The test suite: cheap password hashing; the tests supply the database and keys."""

    NAME = "testing"
    TESTING = True
    REPORT_CACHE_SECONDS = 0  # each test sees its own changes at once; tests/test_reports.py turns it on
    CASE_MANAGER_CHOICES_SECONDS = 0  # likewise; tests/test_statements.py turns it on
    JOBS_EMBEDDED_SCHEDULE = False  # jobs run when dispatched; tests wait for them with drain()
    # Nobody needs a second factor unless a test asks for it (tests/test_mfa.py), so `login()` stays one step.
    MFA_REQUIRED_ROLES: tuple[str, ...] = ()
    ARGON2_TIME_COST = 1
    ARGON2_MEMORY_COST = 1024
    ARGON2_PARALLELISM = 1


class ProductionConfig(Config):
    """Production: everything from the environment, refuses unsafe or missing settings."""

    NAME = "production"
    SESSION_COOKIE_SECURE = True
    HSTS = True

    @classmethod
    def load(cls) -> dict:
        values = super().load()
        missing = [
            name
            for name in ("SECRET_KEY", "CASEAPP_KEK", "CASEAPP_BIDX_KEY", "CASEAPP_AUDIT_KEY")
            if not values.get(name)
        ]
        if not os.environ.get("DATABASE_URL"):
            missing.append("DATABASE_URL")
        if not os.environ.get("RATELIMIT_STORAGE_URI"):
            # Workers must share the sign-in counters (DESIGN.md section 11): Redis, not process memory.
            missing.append("RATELIMIT_STORAGE_URI")
        if missing:
            raise ConfigError("Production configuration is missing: " + ", ".join(missing))
        if len(values["SECRET_KEY"]) < 32:
            raise ConfigError("SECRET_KEY is too short: use at least 32 random characters.")
        return values


CONFIGS: dict[str, type[Config]] = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def load_config(name: str | None = None) -> dict:
    """Return the settings of the named configuration (default: CASEAPP_CONFIG or development)."""
    name = name or os.environ.get("CASEAPP_CONFIG", "development")
    try:
        cls = CONFIGS[name]
    except KeyError:
        raise ConfigError(f"Unknown CASEAPP_CONFIG {name!r}; use one of: {', '.join(CONFIGS)}") from None
    return cls.load()
