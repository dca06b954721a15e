"""Pages cost a bounded number of SQL statements, whatever the data (counted, never timed)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event

from caseapp.extensions import db
from caseapp.models import Notification, User
from caseapp.services import notify
from tests.casedata import register
from tests.conftest import login


@contextmanager
def counted(app) -> Iterator[list[str]]:
    """Collect the statements sent to the database meanwhile."""
    with app.app_context():
        engine = db.engine
    seen: list[str] = []

    def count(conn, cursor, statement, params, context, executemany):
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


@pytest.fixture
def supervisor_with_cases(app, client, make_user):
    worker = make_user("case_worker", "UPTD_PPA")
    supervisor = make_user("supervisor", "UPTD_PPA")
    with app.app_context():
        refs = [register(worker) for _ in range(5)]
    assert login(client, supervisor.username).status_code == 302
    # Warm-ups that a live process has done long ago (the reference vocabularies are cached per process).
    client.get("/cases/")
    client.get(f"/cases/{refs[-1].uuid}")
    return refs


def test_case_page_statements(app, client, supervisor_with_cases):
    with counted(app) as statements:
        assert client.get(f"/cases/{supervisor_with_cases[0].uuid}").status_code == 200
    # session, case with its data key, notes, services, timeline, referrals, the navigation badges (one),
    # four sections, and the audit append (three on SQLite): 14; then the practice and justice sections
    # (assessments, care plans, open work, legal milestones, diversions) and attachments: 23. Batching the
    # sections into fewer statements is issue 18's open work; this bound keeps them from growing unseen.
    # Then shelter stays and outreach visits, one statement each: 25; then case conferences (one statement
    # with their tasks), the users a new task may go to (one, for the form) and the open tasks that keep
    # the case from closing (one): 28. Then each section read once (issue 18): what is open on the case
    # comes from the referrals, care plans and conference tasks already read, the legal form's files from
    # the attachments, the end of proceedings from the milestones and diversions: 23.
    assert len(statements) <= 23, "\n".join(s.splitlines()[0] for s in statements)


def test_case_list_statements_do_not_grow_with_the_page(app, client, supervisor_with_cases, make_user):
    with counted(app) as few:
        assert client.get("/cases/").status_code == 200
    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.role == "case_worker"))
        for _ in range(10):
            register(user)
    with counted(app) as more:
        assert client.get("/cases/").status_code == 200
    assert len(few) <= 8 and len(more) == len(few), "\n".join(s.splitlines()[0] for s in more)


def test_navigation_badges_are_one_statement(app, make_user):
    supervisor = make_user("supervisor", "POLRESTA")
    with app.app_context():
        db.session.add(Notification(user_id=supervisor.id, kind="referral_new"))
        db.session.commit()
        user = db.session.get(User, supervisor.id)
        with counted(app) as statements:
            assert notify.nav_counts(user) == {"incoming": 0, "unread": 1}
    assert len(statements) == 1
