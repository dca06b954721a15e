"""What a load run needs from one database, prepared in-process before anything is served: the bench
users with a known password, an API token, a sample of cases and NIKs in the worker's scope, a deep-page
cursor, the SQL statements one request of each page issues, and the time the reports take uncached."""

from __future__ import annotations

import secrets
import time
import urllib.parse
from dataclasses import dataclass, field
from typing import Any

import click


@dataclass
class Fixtures:
    """What the scenarios need from one database, prepared in-process."""

    cases: int
    dialect: str
    password: str
    worker: str
    worker_id: int
    supervisor: str
    analyst: str
    token: str
    case_ids: list[str]
    niks: list[str]
    kecamatan: str
    deep_after: str
    deep_position: int
    statements: dict[str, int] = field(default_factory=dict)
    report_ms: dict[str, float] = field(default_factory=dict)


def prepare(database_url: str, clients: int, settings: dict[str, str]) -> Fixtures:
    """Set up the bench users and sample what the scenarios request (`settings`: secret key and keys)."""
    from sqlalchemy import func, select

    from caseapp import create_app
    from caseapp.extensions import db
    from caseapp.models import Agency, Case, User
    from caseapp.services import passwords, tokens
    from caseapp.services.scoping import visible_cases

    app = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url, **settings)
    password = secrets.token_urlsafe(18)
    with app.app_context():
        digest = passwords.hash_password(password)
        users = {}
        for username, role, agency in (
            ("bench.uptd_ppa.0", "case_worker", "UPTD_PPA"),
            ("bench.uptd_ppa.spv", "supervisor", "UPTD_PPA"),
            ("bench.analyst", "analyst", "DP3A"),
        ):
            user = db.session.scalar(select(User).where(User.username == username))
            if user is None:
                agency_id = db.session.scalar(select(Agency.id).where(Agency.code == agency))
                user = User(username=username, display_name=username, agency_id=agency_id, role=role)
                db.session.add(user)
            user.password_hash = digest
            user.must_change_password = False
            user.active = True
            users[role] = user
        db.session.flush()
        worker = users["case_worker"]
        token = tokens.create_token(None, worker, "bench load", days=1).secret
        scope = visible_cases(worker)
        total = int(db.session.scalar(select(func.count()).select_from(Case)) or 0)
        sample = list(db.session.scalars(scope.order_by(func.random()).limit(max(200, clients * 4))))
        case_ids = [str(c.uuid) for c in sample]
        niks = [str(c.child_nik) for c in sample if c.child_nik][:200]
        kecamatan = db.session.scalar(
            select(Case.kecamatan)
            .where(Case.case_manager_id == worker.id)
            .group_by(Case.kecamatan)
            .order_by(func.count().desc())
            .limit(1)
        )
        in_scope = int(db.session.scalar(select(func.count()).select_from(scope.subquery())) or 0)
        position = max(0, min(5000, in_scope - 60))
        deep = db.session.execute(
            scope.with_only_columns(Case.created_at, Case.id)
            .order_by(Case.created_at.desc(), Case.id.desc())
            .offset(position)
            .limit(1)
        ).first()
        db.session.commit()
        fixtures = Fixtures(
            cases=total,
            dialect=db.engine.dialect.name,
            password=password,
            worker=worker.username,
            worker_id=worker.id,
            supervisor=users["supervisor"].username,
            analyst=users["analyst"].username,
            token=token,
            case_ids=case_ids,
            niks=niks,
            kecamatan=str(kecamatan or ""),
            deep_after=f"{deep.created_at.isoformat()}~{deep.id}" if deep else "",
            deep_position=position,
        )
        fixtures.report_ms = time_reports(users["supervisor"].agency_id)
        db.session.remove()
    fixtures.statements = count_statements(app, fixtures)
    with app.app_context():
        db.engine.dispose()
    return fixtures


def time_reports(agency_id: int) -> dict[str, float]:
    """Milliseconds to compute the dashboard and the recap of this year, uncached (the second of two runs)."""
    from caseapp.reports import caseload, recap
    from caseapp.reports.periods import parse_period

    period = parse_period(None)
    timings = {}
    for name, build in (
        ("dashboard", lambda: caseload.build(agency_id, period)),
        ("recap", lambda: recap.build(period, None)),
    ):
        build()
        started = time.perf_counter()
        build()
        timings[name] = (time.perf_counter() - started) * 1000
    return timings


def count_statements(app: Any, fx: Fixtures) -> dict[str, int]:
    """Count the SQL statements one request of each page issues, in-process (same code, same queries)."""
    from sqlalchemy import event

    from bench.bare import create_bare_app
    from caseapp.extensions import db

    counts: dict[str, int] = {}

    def measure(flask_app: Any, name: str, path: str, login: str | None = None) -> None:
        seen = [0]

        def count(*_args: Any) -> None:
            seen[0] += 1

        client = flask_app.test_client()
        if login:
            _test_login(client, login, fx.password)
        with flask_app.app_context():
            engine = db.engine
        event.listen(engine, "before_cursor_execute", count)
        try:
            response = client.get(path)
        finally:
            event.remove(engine, "before_cursor_execute", count)
        if response.status_code != 200:
            raise click.ClickException(f"{name}: {path} answered {response.status_code} in-process")
        counts[name] = seen[0]

    app.config["WTF_CSRF_ENABLED"] = False
    measure(app, "case_list", list_path(fx), fx.worker)
    measure(app, "case_page", f"/cases/{fx.case_ids[0]}", fx.worker)
    bare = create_bare_app(app.config["SQLALCHEMY_DATABASE_URI"], fx.worker_id)
    measure(bare, "bare_list", "/bare" + list_path(fx).removesuffix("/").replace("/cases/?", "/cases?"))
    measure(bare, "bare_case", f"/bare/cases/{fx.case_ids[0]}")
    with bare.app_context():
        db.engine.dispose()
    return counts


def _test_login(client: Any, username: str, password: str) -> None:
    response = client.post("/login", data={"username": username, "password": password})
    if response.status_code != 302:
        raise click.ClickException(f"in-process sign-in as {username} failed ({response.status_code})")


def list_path(fx: Fixtures) -> str:
    """Return the measured case-list page: page 1 with two filters (status and the worker's kecamatan)."""
    return "/cases/?" + urllib.parse.urlencode({"status": "intervention", "kecamatan": fx.kecamatan})
