"""Checks of a configuration's safety for production (`flask --app wsgi security-check`)."""

from __future__ import annotations

import os
import re
from typing import Any

KNOWN_BAD_SECRETS = {"dev", "secret", "changeme", "change-me", "you-will-never-guess", "test"}


def _workers_from_environment() -> int:
    """Return the gunicorn worker count the environment announces (WEB_CONCURRENCY or GUNICORN_CMD_ARGS)."""
    count = 1
    if os.environ.get("WEB_CONCURRENCY", "").isdigit():
        count = int(os.environ["WEB_CONCURRENCY"])
    match = re.search(r"(?:-w|--workers)[= ](\d+)", os.environ.get("GUNICORN_CMD_ARGS", ""))
    if match:
        count = int(match.group(1))
    return count


def configuration_problems(app: Any) -> list[str]:
    """Return every reason this application's configuration is unsafe for production."""
    cfg = app.config
    problems: list[str] = []
    # Several processes (workers here, or other nodes: a node name says there are) must share what one
    # process would keep to itself: rate limits, the job queue, the report cache.
    nodes = bool(cfg.get("NODE_NAME"))
    several = nodes or _workers_from_environment() > 1
    where = "with several nodes" if nodes else "with several workers"
    if app.debug or cfg.get("DEBUG"):
        problems.append("debug mode is on")
    if cfg.get("TESTING"):
        problems.append("TESTING is on")
    secret = str(cfg.get("SECRET_KEY") or "")
    if not secret or secret.lower() in KNOWN_BAD_SECRETS or "never-guess" in secret:
        problems.append("SECRET_KEY is missing or a well-known default")
    elif len(secret) < 32:
        problems.append("SECRET_KEY is shorter than 32 characters")
    if app.extensions.get("caseapp.keyring") is None:
        problems.append("key material (CASEAPP_KEK, CASEAPP_BIDX_KEY, CASEAPP_AUDIT_KEY) is missing")
    if app.extensions.get("caseapp.audit_signing_key") is None:
        problems.append("CASEAPP_AUDIT_SIGNING_KEY is missing: audit checkpoints cannot be signed")
    if not cfg.get("SESSION_COOKIE_SECURE"):
        problems.append("SESSION_COOKIE_SECURE is off: session cookies would travel over plain HTTP")
    if not cfg.get("SESSION_COOKIE_HTTPONLY"):
        problems.append("SESSION_COOKIE_HTTPONLY is off")
    if not cfg.get("WTF_CSRF_ENABLED", True):
        problems.append("CSRF protection is off")
    if cfg.get("SQLALCHEMY_ECHO"):
        problems.append("SQLALCHEMY_ECHO is on: SQL would be logged")
    if not cfg.get("SQLALCHEMY_ENGINE_OPTIONS", {}).get("hide_parameters"):
        problems.append("engine hide_parameters is off: bound values could reach logs and errors")
    if not cfg.get("MFA_REQUIRED_ROLES"):
        problems.append("MFA_REQUIRED_ROLES is empty: nobody signs in with a second factor")
    if not cfg.get("HSTS"):
        problems.append("HSTS is off")
    if str(cfg.get("SQLALCHEMY_DATABASE_URI", "")).startswith("sqlite") and several:
        problems.append(f"SQLite {where}: use PostgreSQL")
    storage = str(cfg.get("RATELIMIT_STORAGE_URI", "memory://"))
    if storage.startswith("memory") and several:
        problems.append(f"rate-limit storage is in memory {where}: set RATELIMIT_STORAGE_URI to Redis")
    if not cfg.get("CELERY_BROKER_URL") and several:
        problems.append(
            f"no job broker {where}: every web worker would run the jobs; set "
            "CELERY_BROKER_URL and run `celery -A make_celery worker` and `beat`"
        )
    return problems
