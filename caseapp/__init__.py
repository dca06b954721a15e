"""caseapp: child-protection case management for a city's child-friendly-city task force."""

from __future__ import annotations

import logging
import os
import secrets
from typing import Any

from flask import Flask, Response, g, request
from sqlalchemy import event
from sqlalchemy.engine import Engine

from config import ConfigError, load_config


def create_app(config_name: str | None = None, **overrides: Any) -> Flask:
    """Build the application; no I/O, no tables, no seeding."""
    app = Flask(__name__, template_folder="../templates", instance_relative_config=False)
    app.config.update(load_config(config_name))
    app.config.update(overrides)
    register_keys(app)
    register_proxy(app)
    register_extensions(app)
    register_blueprints(app)
    register_request_pipeline(app)
    register_errorhandlers(app)
    register_security_headers(app)
    register_jobs(app)
    register_commands(app)
    register_template_globals(app)
    return app


def register_keys(app: Flask) -> None:
    """Load the key material into memory (never into the config dump, a log or a page)."""
    from caseapp.security.keys import (
        KEY_SETTINGS,
        KeyConfigError,
        keyring_from_config,
        signing_key_from_config,
    )

    signing = app.config.get("CASEAPP_AUDIT_SIGNING_KEY")
    try:
        app.extensions["caseapp.audit_signing_key"] = signing_key_from_config(signing) if signing else None
    except KeyConfigError as exc:
        raise ConfigError(str(exc)) from None
    if signing:
        app.config["CASEAPP_AUDIT_SIGNING_KEY"] = "(loaded)"
    if not any(app.config.get(name) for name in KEY_SETTINGS):
        # Only development/testing get here (production refuses earlier): fail at first use, so that
        # commands that need no keys (`keys generate`) still run.
        app.extensions["caseapp.keyring"] = None
        return
    try:
        app.extensions["caseapp.keyring"] = keyring_from_config(app.config)
    except KeyConfigError as exc:
        raise ConfigError(str(exc)) from None
    for name in KEY_SETTINGS:
        app.config[name] = "(loaded)"


def register_proxy(app: Flask) -> None:
    """Trust X-Forwarded-For/-Proto from exactly PROXY_HOPS reverse proxies (none by default)."""
    hops = int(app.config.get("PROXY_HOPS") or 0)
    if hops:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]


def register_extensions(app: Flask) -> None:
    """Bind the extensions and the SQLite connection settings."""
    from caseapp.extensions import babel, csrf, db, limiter, login_manager, migrate
    from caseapp.web.i18n import select_locale

    db.init_app(app)
    migrate.init_app(app, db, render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale, default_translation_directories="translations")
    app.config.setdefault("RATELIMIT_STORAGE_URI", "memory://")
    limiter.init_app(app)
    login_manager.init_app(app)
    from caseapp.http.auth import configure_login_manager

    configure_login_manager(login_manager)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection: Any, connection_record: Any) -> None:
    """Turn on foreign keys, WAL and a busy timeout on every SQLite connection; keep the files private.

    The database file is made readable by its owner only before WAL is turned on: SQLite creates its
    -wal and -shm files with the database file's permissions.
    """
    import sqlite3

    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        for _seq, name, path in cursor.execute("PRAGMA database_list").fetchall():
            if name == "main" and path and os.path.exists(path):
                os.chmod(path, 0o600)
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()


@event.listens_for(Engine, "savepoint")
def _sqlite_savepoint_in_transaction(conn: Any, name: str) -> None:
    """Begin SQLite's transaction before a savepoint that would otherwise open it.

    Python's sqlite3 begins a transaction only before a data change, and a SAVEPOINT that opens one makes
    its RELEASE a COMMIT: a write in `begin_nested()` as the first of a unit of work would be committed
    there, whatever the unit of work does afterwards.
    """
    import sqlite3

    raw = conn.connection.dbapi_connection
    if isinstance(raw, sqlite3.Connection) and not raw.in_transaction:
        raw.execute("BEGIN")


def register_blueprints(app: Flask) -> None:
    """Attach the web areas."""
    import caseapp.api.attachments  # noqa: F401  (adds the attachment resources)
    import caseapp.api.cases  # noqa: F401  (adds the case resources to the API blueprint)
    import caseapp.api.exports  # noqa: F401  (adds the export jobs)
    import caseapp.api.intake  # noqa: F401  (adds complaints, outreach and shelter stays)
    import caseapp.api.legal  # noqa: F401  (adds the legal milestones)
    import caseapp.api.practice  # noqa: F401  (adds assessments)
    import caseapp.api.queue  # noqa: F401  (adds the work queue)
    import caseapp.api.referrals  # noqa: F401  (adds the referral resources)
    import caseapp.api.reports  # noqa: F401  (adds the report resources)
    import caseapp.api.retention  # noqa: F401  (adds the legal hold)
    import caseapp.web.auth.mfa  # noqa: F401  (adds its routes to the auth blueprint)
    import caseapp.web.auth.tokens  # noqa: F401  (adds its routes to the auth blueprint)
    import caseapp.web.cases.intake  # noqa: F401  (adds shelter stays and outreach to the case pages)
    import caseapp.web.cases.retention  # noqa: F401  (adds the legal hold to the case pages)
    from caseapp.api.views import bp as api_bp
    from caseapp.web.admin.views import bp as admin_bp
    from caseapp.web.attachments.views import bp as attachments_bp
    from caseapp.web.audit.views import bp as audit_bp
    from caseapp.web.auth.views import bp as auth_bp
    from caseapp.web.cases.views import bp as cases_bp
    from caseapp.web.complaints.views import bp as complaints_bp
    from caseapp.web.legal.views import bp as legal_bp
    from caseapp.web.main.views import bp as main_bp
    from caseapp.web.referrals.views import bp as referrals_bp
    from caseapp.web.reports.views import bp as reports_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(audit_bp, url_prefix="/audit")
    app.register_blueprint(cases_bp, url_prefix="/cases")
    app.register_blueprint(complaints_bp, url_prefix="/complaints")
    app.register_blueprint(referrals_bp)
    app.register_blueprint(attachments_bp)
    app.register_blueprint(legal_bp)
    app.register_blueprint(reports_bp)
    app.register_blueprint(api_bp, url_prefix="/api/v1")


def register_request_pipeline(app: Flask) -> None:
    """Refuse anonymous users except on public views (fail closed); one unit of work per request."""
    from caseapp.http import transaction, uploads
    from caseapp.http.auth import enforce_login

    uploads.install(app)

    app.before_request(enforce_login)
    transaction.install(app)


def register_errorhandlers(app: Flask) -> None:
    """Map typed errors and HTTP errors to JSON bodies (API) and pages (browser)."""
    from caseapp.http import errors
    from caseapp.web import errors as pages

    errors.register(app)
    pages.register(app)


def register_security_headers(app: Flask) -> None:
    """Set a strict CSP with a per-request nonce and the other security headers on every response."""

    @app.before_request
    def _nonce() -> None:
        g.csp_nonce = secrets.token_urlsafe(16)
        g.request_id = secrets.token_hex(8)

    @app.after_request
    def _headers(response: Response) -> Response:
        nonce = getattr(g, "csp_nonce", None) or secrets.token_urlsafe(16)
        # A file answer brings its own, stricter one (caseapp.http.files): keep it.
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; "
            f"script-src 'self' 'nonce-{nonce}'; "
            "style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; "
            "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
        )
        response.headers["X-Content-Type-Options"] = "nosniff"
        if g.get("request_id"):
            response.headers["X-Request-Id"] = g.request_id
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
        if request.endpoint != "static":
            response.headers["Cache-Control"] = "no-store"
        if app.config.get("NODE_NAME"):
            response.headers["X-Caseapp-Node"] = str(app.config["NODE_NAME"])
        if app.config.get("HSTS"):
            response.headers["Strict-Transport-Security"] = "max-age=63072000; includeSubDomains"
        return response


def register_jobs(app: Flask) -> None:
    """Attach the job runner: Celery when a broker is configured, else the embedded thread."""
    import caseapp.jobqueue  # noqa: F401  (listens for commits to dispatch the jobs they asked for)
    from caseapp import jobs

    jobs.init_app(app)


def register_commands(app: Flask) -> None:
    """Attach the command-line interface."""
    from caseapp.cli import register

    register(app)


def register_template_globals(app: Flask) -> None:
    """Expose helpers that every template uses."""
    from flask_babel import format_decimal, get_locale

    from caseapp.labels import role_label
    from caseapp.security.permissions import Permission

    app.jinja_env.globals["Permission"] = Permission
    app.jinja_env.globals["get_locale"] = get_locale
    app.jinja_env.globals["role_label"] = role_label
    from caseapp import labels, localtime
    from caseapp import reference_data as reference
    from caseapp.audit import labels as audit_labels
    from caseapp.services.cases import list_label
    from caseapp.web.forms import field_html

    app.jinja_env.globals["L"] = labels
    app.jinja_env.globals["field_html"] = field_html
    app.jinja_env.globals["AL"] = audit_labels
    app.jinja_env.globals["zip"] = zip
    app.jinja_env.filters["zip"] = lambda first, *others: zip(first, *others, strict=False)
    app.jinja_env.filters["wita"] = localtime.show
    app.jinja_env.filters["format_decimal"] = format_decimal
    app.jinja_env.filters["when"] = localtime.when
    app.jinja_env.filters["day"] = localtime.day
    app.jinja_env.filters["duration"] = localtime.duration
    app.jinja_env.globals["case_label"] = list_label
    app.jinja_env.globals["badge"] = _badge

    @app.context_processor
    def _nav_counts() -> dict:
        from flask_login import current_user

        from caseapp.services import notify

        if not current_user or not current_user.is_authenticated:
            return {"nav_counts": {}}
        if "caseapp_nav_counts" not in g:  # once per request, however many templates it renders
            g.caseapp_nav_counts = notify.nav_counts(current_user._get_current_object())
        return {"nav_counts": g.caseapp_nav_counts}

    app.jinja_env.globals["ref"] = reference
    app.jinja_env.globals["csp_nonce"] = lambda: getattr(g, "csp_nonce", "")
    if not app.debug and not app.testing:
        logging.getLogger("caseapp").setLevel(logging.INFO)


def _badge(count: int) -> str:
    """A navigation badge's text: the count, or "99+" past what is counted (`notify.NAV_BADGE_MAX`)."""
    from caseapp.services.notify import NAV_BADGE_MAX

    return f"{NAV_BADGE_MAX}+" if count > NAV_BADGE_MAX else str(count)
