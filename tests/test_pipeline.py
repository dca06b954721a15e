"""The request pipeline: one unit of work per request, committed once or rolled back in one place."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Blueprint

from caseapp.extensions import db
from caseapp.http.policy import require
from caseapp.models import AuditEvent, Case
from caseapp.security.permissions import Permission
from caseapp.services import cases
from tests.casedata import nik, register
from tests.conftest import login
from tests.test_cases import _form_data

ROOT = Path(__file__).resolve().parent.parent


def _actions(app) -> list[tuple[str, str | None]]:
    with app.app_context():
        rows = db.session.execute(db.select(AuditEvent.action, AuditEvent.details).order_by(AuditEvent.seq))
        return [(r.action, r.details) for r in rows]


def test_views_and_endpoints_never_commit_or_roll_back():
    pattern = re.compile(r"\b(commit|rollback)\(\)")
    offenders = [
        f"{path.relative_to(ROOT)}:{n}"
        for area in ("web", "api")
        for path in (ROOT / "caseapp" / area).rglob("*.py")
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if pattern.search(line)
    ]
    assert offenders == []


def test_a_view_that_writes_is_committed_by_the_pipeline(app, make_user):
    """A view that only calls a service (no commit of its own) still has its change and audit entry kept."""
    bp = Blueprint("probe", __name__)

    @bp.route("/probe/<case_uuid>/view", methods=["POST"])
    @require(Permission.CASE_READ, hide=True)
    def probe(case_uuid: str):  # type: ignore[no-untyped-def]
        from caseapp.http.context import acting_user

        cases.view_case(acting_user(), case_uuid)
        return "seen"

    app.register_blueprint(bp)
    worker = make_user()
    with app.app_context():
        case = register(worker)
    client = app.test_client()
    login(client, worker.username)
    before = [a for a, _d in _actions(app)].count("case.view")
    assert client.post(f"/probe/{case.uuid}/view").status_code == 200
    assert [a for a, _d in _actions(app)].count("case.view") == before + 1


def test_a_failing_request_keeps_nothing(app, make_user):
    """A view that changed data and then failed leaves no trace of the change (one rollback, in one place)."""
    bp = Blueprint("probe", __name__)

    @bp.route("/probe/<case_uuid>/break", methods=["POST"])
    @require(Permission.CASE_UPDATE, hide=True)
    def probe(case_uuid: str):  # type: ignore[no-untyped-def]
        from caseapp.errors import ValidationFailed
        from caseapp.http.context import acting_user

        case = cases.view_case(acting_user(), case_uuid)
        case.risk_level = "high"
        db.session.flush()
        raise ValidationFailed("refused after a write")

    app.register_blueprint(bp)
    worker = make_user()
    with app.app_context():
        case = register(worker, risk_level="low")
    client = app.test_client()
    login(client, worker.username)
    before = len(_actions(app))
    assert client.post(f"/probe/{case.uuid}/break").status_code == 400
    with app.app_context():
        assert db.session.get(Case, case.id).risk_level == "low"
    assert len(_actions(app)) == before


def test_the_duplicate_nik_warning_keeps_the_audit_entry_of_its_look_up(app, client, make_user):
    """The warning page (409) rolls the registration back; the cross-agency NIK look-up stays on record."""
    worker = make_user()
    police = make_user("case_worker", "POLRESTA")
    with app.app_context():
        register(police, child__nik=nik(777), child__name="Someone Else")
    login(client, worker.username)
    before = _actions(app)
    form = client.get("/cases/new").get_data(as_text=True)
    key = re.search(r'name="idempotency_key"[^>]*value="([0-9a-f]+)"', form)
    assert key is not None
    warned = client.post("/cases/new", data=_form_data(child_nik=nik(777), idempotency_key=key.group(1)))
    assert warned.status_code == 409
    new = _actions(app)[len(before) :]
    assert ("case.search", '{"by": "nik_duplicate_check", "count": 1}') in new
    assert not [a for a, _d in new if a == "case.create"]


def test_a_refused_step_answered_with_a_redirect_keeps_nothing(app, client, make_user):
    worker = make_user()
    with app.app_context():
        case = register(worker)
    login(client, worker.username)
    before = len(_actions(app))
    # new -> intervention is not a step: refused, shown as a message on the case page after a redirect
    response = client.post(
        f"/cases/{case.uuid}/transition", data={"action": "start_intervention", "version": "1"}
    )
    assert response.status_code == 302
    assert len(_actions(app)) == before
    with app.app_context():
        assert db.session.get(Case, case.id).status == "new"


def test_method_not_allowed_says_which_methods_are(client, login_as):
    login_as()
    api = client.delete("/api/v1/cases")
    assert api.status_code == 405
    assert set(api.headers["Allow"].replace(" ", "").split(",")) >= {"GET", "POST"}
    assert api.json["error"] == "method_not_allowed"
    page = client.put("/cases/")
    assert page.status_code == 405 and "GET" in page.headers["Allow"]


def test_a_registration_looks_for_the_same_nik_once(app, client, make_user):
    """The form's duplicate look-up is the registration's: one look-up, one audit entry."""
    worker = make_user()
    login(client, worker.username)
    form = client.get("/cases/new").get_data(as_text=True)
    key = re.search(r'name="idempotency_key"[^>]*value="([0-9a-f]+)"', form)
    assert key is not None
    saved = client.post("/cases/new", data=_form_data(child_nik=nik(778), idempotency_key=key.group(1)))
    assert saved.status_code == 302
    checks = [a for a, d in _actions(app) if a == "case.search" and "nik_duplicate_check" in (d or "")]
    assert len(checks) == 1


def test_a_nik_typed_into_the_search_is_never_echoed(app, client, make_user):
    worker = make_user()
    login(client, worker.username)
    typed = nik(779)
    for by, query in (
        ("nik", typed[:12]),
        ("nik", typed),
        ("name", typed),
        ("number", f"{typed[:4]} {typed[4:]}"),
    ):
        page = client.post("/cases/search", data={"by": by, "query": query}).get_data(as_text=True)
        assert typed[:12] not in page.replace(" ", ""), (by, query)


def test_the_sqlite_database_and_its_journal_files_are_private(tmp_path):
    """A stolen copy is still encrypted, but nobody else on the machine should read even that."""
    import stat

    from caseapp.models import Region
    from tests.conftest import make_app

    path = tmp_path / "private.db"
    app = make_app(f"sqlite:///{path}")
    with app.app_context():
        Region.__table__.create(db.engine)
        db.session.add(Region(code="74", name="Sultra", level="provinsi"))
        db.session.commit()
        files = [p for p in tmp_path.iterdir() if p.name.startswith("private.db")]
        assert {p.name for p in files} >= {"private.db", "private.db-wal", "private.db-shm"}
        modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in files}
        db.engine.dispose()
    assert set(modes.values()) == {0o600}, modes


@pytest.mark.parametrize(
    "url,data",
    [
        ("/cases/?case_manager=99999999999999999999", None),
        (
            "/cases/{case}/transition",
            {"action": "record_first_contact", "version": "1", "at_local": "0001-01-01T00:00"},
        ),
    ],
)
def test_edge_of_the_calendar_and_huge_numbers_are_refused_not_crashed(app, client, make_user, url, data):
    worker = make_user()
    with app.app_context():
        case = register(worker)
    login(client, worker.username)
    target = url.format(case=case.uuid)
    response = client.post(target, data=data) if data else client.get(target)
    assert response.status_code < 500
    with app.app_context():
        assert db.session.get(Case, case.id).first_contact_at is None


def test_a_refused_note_form_shows_the_case_and_that_is_on_record(app, client, make_user):
    worker = make_user()
    with app.app_context():
        case = register(worker)
    login(client, worker.username)
    before = [a for a, _d in _actions(app)]
    refused = client.post(f"/cases/{case.uuid}/notes", data={"note-kind": "call", "note-body": ""})
    assert refused.status_code == 400 and "Siti Canary Aminah" in refused.get_data(as_text=True)
    after = [a for a, _d in _actions(app)]
    assert after.count("case.view") == before.count("case.view") + 1
    assert after.count("note.create") == before.count("note.create")


@pytest.mark.parametrize(
    "query",
    [
        "registered_to=9999-12-31",
        "after=2026-01-01T00:00:00~99999999999999999999",
        "after=2026-01-01T00:00:00~-1",
    ],
)
def test_list_filters_at_the_edges_answer_without_a_server_error(app, client, make_user, query):
    worker = make_user()
    with app.app_context():
        register(worker)
    result = app.test_cli_runner().invoke(args=["user", "token", worker.username])
    token = {"Authorization": f"Bearer {result.output.strip().splitlines()[-1]}"}
    api = client.get(f"/api/v1/cases?{query}", headers=token)
    assert api.status_code in (200, 400), api.get_data(as_text=True)
    if query.startswith("registered_to"):
        assert api.status_code == 200 and len(api.json["items"]) == 1
