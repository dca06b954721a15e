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


# Each page of a case: the session, the case with its data key, the navigation badges (one) and the audit
# append (three on SQLite) are common to all: 6. History of the whole case page (one page then): 14 with
# notes, services, timeline, referrals and four sections; 23 with the practice and justice sections and the
# attachments; 28 with shelter, outreach and conferences; 23 again once each section was read once (issue
# 18). Then the page was split into an overview and section pages, each reading only what it shows:
CASE_PAGES = {
    # + referrals, notes, services, timeline, parties, team, and what keeps the case open besides its
    # referrals (care plans, open tasks): 14 (the forms of violence and AMPK codes come with the case).
    "": 14,
    # + assessments, care plans, conferences with their tasks, the users a new task may go to: 10.
    "/section/practice": 10,
    # + shelter stays, outreach visits: 8.
    "/section/protection": 8,
    # + milestones, diversions, the attachments a milestone may cite: 9.
    "/section/legal": 9,
    # + attachments: 7.
    "/section/attachments": 7,
}


@pytest.mark.parametrize("page", sorted(CASE_PAGES))
def test_case_page_statements(app, client, supervisor_with_cases, page):
    url = f"/cases/{supervisor_with_cases[0].uuid}{page}"
    client.get(url)  # warm-up: the page's reference vocabularies are cached per process
    with counted(app) as statements:
        assert client.get(url).status_code == 200
    assert len(statements) <= CASE_PAGES[page], "\n".join(s.splitlines()[0] for s in statements)


def test_case_list_statements_do_not_grow_with_the_page(app, client, supervisor_with_cases, make_user):
    # The session, the rows, their count, the navigation badges and the audit append (three on SQLite); the
    # filter's case managers are kept a minute, so a first visit asks for them once more.
    app.config["CASE_MANAGER_CHOICES_SECONDS"] = 60
    with counted(app) as first:
        assert client.get("/cases/").status_code == 200
    assert any("user_account.display_name" in s for s in first)
    with counted(app) as few:
        assert client.get("/cases/").status_code == 200
    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.role == "case_worker"))
        for _ in range(10):
            register(user)
    with counted(app) as more:
        assert client.get("/cases/").status_code == 200
    shown = "\n".join(s.splitlines()[0] for s in more)
    assert len(few) <= 7 and len(few) == len(first) - 1 and len(more) == len(few), shown


def test_navigation_badges_are_one_statement(app, make_user):
    supervisor = make_user("supervisor", "POLRESTA")
    with app.app_context():
        db.session.add(Notification(user_id=supervisor.id, kind="referral_new"))
        db.session.commit()
        user = db.session.get(User, supervisor.id)
        with counted(app) as statements:
            assert notify.nav_counts(user) == {"incoming": 0, "unread": 1}
    assert len(statements) == 1


def test_navigation_badges_count_up_to_a_bound_and_say_99_plus(app, client, make_user):
    supervisor = make_user("supervisor", "POLRESTA")
    with app.app_context():
        db.session.add_all(Notification(user_id=supervisor.id, kind="referral_new") for _ in range(120))
        db.session.commit()
        user = db.session.get(User, supervisor.id)
        assert notify.nav_counts(user)["unread"] == notify.NAV_BADGE_MAX + 1  # not 120: counting stops
        db.session.execute(
            db.delete(Notification).where(Notification.id.in_(db.select(Notification.id).limit(21)))
        )
        db.session.commit()
        assert notify.nav_counts(user)["unread"] == 99
    login(client, supervisor.username)
    page = client.get("/").get_data(as_text=True)
    assert '<span class="badge text-bg-danger">99<span' in page
    with app.app_context():
        db.session.add(Notification(user_id=supervisor.id, kind="referral_new"))
        db.session.commit()
    page = client.get("/").get_data(as_text=True)
    assert '<span class="badge text-bg-danger">99+<span' in page
