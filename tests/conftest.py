"""Fixtures: an app on a fresh database per test, on SQLite and on PostgreSQL.

Each backend gets a template database once per run (migrations applied, reference data seeded); each
test then gets its own copy (a file copy on SQLite, CREATE DATABASE ... TEMPLATE on PostgreSQL), so tests
never see each other's rows and the audit table's triggers never need to be bypassed.

PostgreSQL comes from TEST_DATABASE_URL (default: the local trust-auth server). Where it or Chromium is
missing, those tests skip with the reason; with CI=true they fail instead.
"""

from __future__ import annotations

import itertools
import os
import re
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pyotp
import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from caseapp import create_app
from caseapp.extensions import db
from caseapp.instance import new_key_material, new_signing_key
from caseapp.models import User
from caseapp.services import reference, users

CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
PG_URL = os.environ.get("TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
PASSWORD = "kuda-lari-di-pantai-nambo"
KEYS = {**new_key_material(), "CASEAPP_AUDIT_SIGNING_KEY": new_signing_key()}
_counter = itertools.count()


def skip_or_fail(reason: str) -> None:
    """Skip with the reason on a developer's machine; fail under CI, where nothing may skip."""
    if CI:
        pytest.fail(f"CI=true and {reason}", pytrace=False)
    pytest.skip(reason)


def make_app(database_url: str, **overrides: object) -> Flask:
    """Build a testing app on the given database."""
    settings: dict[str, object] = {
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SECRET_KEY": "test-secret-key-" + "x" * 32,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_STORAGE_URI": "memory://",
        # Each app its own attachment store (created on the first upload), never the instance folder.
        "ATTACHMENT_DIR": os.path.join(tempfile.gettempdir(), f"caseapp-att-{os.getpid()}-{next(_counter)}"),
        # Nor the instance folder's audit checkpoints.
        "CASEAPP_AUDIT_CHECKPOINT_FILE": os.path.join(
            tempfile.gettempdir(), f"caseapp-cp-{os.getpid()}-{next(_counter)}.jsonl"
        ),
        **KEYS,
    }
    settings.update(overrides)
    return create_app("testing", **settings)


def _migrate_and_seed(url: str) -> None:
    from flask_migrate import upgrade

    app = make_app(url)
    with app.app_context():
        upgrade(directory=str(Path(__file__).resolve().parent.parent / "migrations"))
        reference.seed_reference_data()
        db.session.commit()
        db.session.remove()
        db.engine.dispose()


def _pg_admin_engine() -> sa.Engine:
    return sa.create_engine(PG_URL, isolation_level="AUTOCOMMIT", hide_parameters=True)


def _pg_url_for(name: str) -> str:
    return sa.make_url(PG_URL).set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[sa.Engine]:
    """An admin connection to the PostgreSQL server, or a skip (a failure under CI)."""
    engine = _pg_admin_engine()
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001 - any failure means "not available here"
        engine.dispose()
        reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
        skip_or_fail(f"PostgreSQL not reachable at TEST_DATABASE_URL ({reason})")
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated, seeded SQLite file to copy for each test."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    _migrate_and_seed(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def pg_template(pg_server: sa.Engine) -> Iterator[str]:
    """A migrated, seeded PostgreSQL database to clone for each test."""
    name = f"caseapp_tpl_{os.getpid()}"
    with pg_server.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    _migrate_and_seed(_pg_url_for(name))
    yield name
    with pg_server.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def _pg_copy(request: pytest.FixtureRequest) -> Iterator[str]:
    template = request.getfixturevalue("pg_template")
    server: sa.Engine = request.getfixturevalue("pg_server")
    name = f"caseapp_t_{os.getpid()}_{next(_counter)}"
    with server.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    yield _pg_url_for(name)
    with server.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, migrated, seeded database for one test, on each backend."""
    if request.param == "sqlite":
        template = request.getfixturevalue("sqlite_template")
        path = tmp_path / "test.db"
        shutil.copyfile(template, path)
        yield f"sqlite:///{path}"
        return
    yield from _pg_copy(request)


@pytest.fixture
def pg_app(request: pytest.FixtureRequest) -> Iterator[Flask]:
    """An app on a fresh PostgreSQL database, for what only PostgreSQL has (TRUNCATE, many writers)."""
    for url in _pg_copy(request):
        application = make_app(url)
        yield application
        with application.app_context():
            db.engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database (no tables), on each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/empty.db"
        return
    server: sa.Engine = request.getfixturevalue("pg_server")
    name = f"caseapp_e_{os.getpid()}_{next(_counter)}"
    with server.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    yield _pg_url_for(name)
    with server.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
def app_factory(database_url: str) -> Iterator:
    """Factory: more apps on this test's database (other settings); their engines close afterwards."""
    made: list[Flask] = []

    def _factory(**overrides: object) -> Flask:
        application = make_app(database_url, **overrides)
        made.append(application)
        return application

    yield _factory
    for application in made:
        with application.app_context():
            db.engine.dispose()
        shutil.rmtree(application.config["ATTACHMENT_DIR"], ignore_errors=True)


@pytest.fixture
def app(request: pytest.FixtureRequest, database_url: str) -> Iterator[Flask]:
    """The application on this test's database; `@pytest.mark.csrf` keeps CSRF protection on.

    No application context stays pushed: each request gets its own, as in production (a shared one
    would carry `g`, and so the signed-in user, from one request to the next). Tests that touch the
    database directly open `with app.app_context():`.
    """
    overrides = {}
    if request.node.get_closest_marker("csrf"):
        overrides["WTF_CSRF_ENABLED"] = True
    application = make_app(database_url, **overrides)
    yield application
    with application.app_context():
        db.engine.dispose()
    shutil.rmtree(application.config["ATTACHMENT_DIR"], ignore_errors=True)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client for the app."""
    return app.test_client()


def _user_factory(app: Flask):  # type: ignore[no-untyped-def]

    def _make(
        role: str = "case_worker", agency: str = "UPTD_PPA", username: str | None = None, **kwargs: object
    ) -> User:
        name = username or f"{role}.{agency}.{next(_counter)}".lower()
        with app.app_context():
            user = users.create_user(
                None,
                name,
                kwargs.pop("display_name", name.title()),
                role,  # type: ignore[arg-type]
                users.agency_by_code(agency),
                PASSWORD,
                **kwargs,
            )  # type: ignore[arg-type]
            db.session.commit()
            db.session.refresh(user)
            db.session.expunge(user)  # usable after the context closes (attributes loaded)
        return user

    return _make


@pytest.fixture
def make_user(app: Flask):  # type: ignore[no-untyped-def]
    """Factory: create a user with a role and agency (password PASSWORD)."""
    return _user_factory(app)


@pytest.fixture
def make_user_pg(pg_app: Flask):  # type: ignore[no-untyped-def]
    """The same factory, on the PostgreSQL-only app."""
    return _user_factory(pg_app)


def login(client: FlaskClient, username: str, password: str = PASSWORD, **kwargs: object):  # type: ignore[no-untyped-def]
    """Sign in through the form; return the response."""
    return client.post("/login", data={"username": username, "password": password, **kwargs})


def step_up(client: FlaskClient, password: str = PASSWORD, code: str | None = None):  # type: ignore[no-untyped-def]
    """Confirm the signed-in user's password (and code) again, as before a sensitive step."""
    response = client.post("/account/confirm", data={"password": password, "code": code or ""})
    assert response.status_code == 302, response.get_data(as_text=True)
    return response


_TOTP_STEPS: dict[str, int] = {}


def totp_code(secret: str, replay: bool = False) -> str:
    """Return a code the app accepts now and that this test has not used yet (or, with `replay`, the last
    one again).

    The app accepts one step either side of now and each step once, so the next code is for now or, when
    this step is used already, the next step; never an earlier step, which a clock tick could push out of
    the window.
    """
    if replay:
        step = _TOTP_STEPS[secret]
    else:
        step = max(int(time.time()) // 30, _TOTP_STEPS.get(secret, 0) + 1)
        _TOTP_STEPS[secret] = step
    return pyotp.TOTP(secret).at(step * 30)


def enrol_mfa(client: FlaskClient) -> str:
    """Set up two-factor sign-in for the signed-in user through the page; return the secret.

    Enrolment uses `totp_code`, which then hands out later codes only (each code works once).
    """
    page = client.get("/account/two-factor").get_data(as_text=True)
    match = re.search(r'data-testid="mfa-secret">([^<]+)<', page)
    assert match, page
    secret = match.group(1).replace(" ", "")
    response = client.post("/account/two-factor", data={"code": totp_code(secret)})
    assert response.status_code == 200 and 'data-testid="recovery-codes"' in response.get_data(as_text=True)
    return secret


@pytest.fixture
def login_as(client: FlaskClient, make_user):  # type: ignore[no-untyped-def]
    """Factory: create a user of the role and sign the test client in as them."""

    def _login_as(role: str = "case_worker", agency: str = "UPTD_PPA", **kwargs: object) -> User:
        user = make_user(role, agency, **kwargs)
        response = login(client, user.username)
        assert response.status_code == 302, response.get_data(as_text=True)
        return user

    return _login_as
