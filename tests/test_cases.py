"""Cases through the HTTP interface and the services: register, find, view, update, lifecycle, assign."""

from __future__ import annotations

import re
import threading
import uuid
from datetime import timedelta

import pytest
import time_machine

from caseapp.extensions import db
from caseapp.models import AuditEvent, Case, User
from caseapp.schemas.cases import AssignIn, NoteIn, ServiceIn
from caseapp.services import cases
from tests.casedata import CANARIES, body, case_input, nik, register
from tests.conftest import login
from tests.rawscan import scan_for


def _token(app, user) -> dict[str, str]:
    result = app.test_cli_runner().invoke(args=["user", "token", user.username])
    return {"Authorization": f"Bearer {result.output.strip().splitlines()[-1]}"}


def _audit(app, action: str) -> list[AuditEvent]:
    with app.app_context():
        rows = list(db.session.scalars(db.select(AuditEvent).where(AuditEvent.action == action)))
        db.session.expunge_all()
        return rows


def _case(app, case_id) -> Case:
    with app.app_context():
        row = db.session.scalar(db.select(Case).where(Case.uuid == uuid.UUID(str(case_id))))
        db.session.expunge_all()
        return row


# Register --------------------------------------------------------------------------------------------------


def test_register_through_the_api(app, client, make_user):
    worker = make_user("case_worker", "UPTD_PPA")
    headers = _token(app, worker)
    response = client.post("/api/v1/cases", json=body(child__nik=nik(1)), headers=headers)
    assert response.status_code == 201, response.json
    case = response.json
    assert re.fullmatch(r"KDI-\d{4}-\d{5}", case["case_number"])
    assert case["status"] == "new" and case["version"] == 1
    assert case["owner_agency"] == "UPTD_PPA" and case["case_manager"] == worker.username
    assert case["confidentiality"] == "normal"
    assert case["child"]["nik"] is None and case["child"]["nik_recorded"] is True  # never in a read
    assert case["child"]["name"] == "Siti Canary Aminah" and case["child"]["age"] >= 10
    assert case["parties"][0]["name"] == "Canary Guardian"
    assert len(_audit(app, "case.create")) == 1


def test_sensitive_values_never_rest_in_plaintext(app, make_user):
    worker = make_user()
    with app.app_context():
        case = register(worker, child__nik=nik(4242)).load()
        note = NoteIn.model_validate({"kind": "visit", "body": "Canary note body", "visibility": "case_team"})
        cases.add_note(db.session.get(User, worker.id), case, note)
        service = ServiceIn.model_validate(
            {
                "service_type": "health",
                "provider": "DINKES",
                "date": case.incident_date,
                "outcome": "provided",
                "note": "Canary service note",
            }
        )
        cases.add_service(db.session.get(User, worker.id), case, service)
        db.session.commit()
    found = scan_for(app, [*CANARIES, "Canary note body", "Canary service note", nik(4242)])
    assert found == []


def test_sexual_violence_is_restricted_and_lists_show_initials(app, client, make_user):
    worker = make_user()
    with app.app_context():
        register(worker, incident__violence_types=["sexual"], incident__primary_violence_type="sexual")
        register(worker, child__name="Budi Terbuka Santoso", child__sex="M")
    login(client, worker.username)
    page = client.get("/cases/").get_data(as_text=True)
    assert "S.C.A." in page and "Siti Canary" not in page
    assert "Budi Terbuka Santoso" in page
    items = client.get("/api/v1/cases", headers=_token(app, worker)).json["items"]
    labels = {i["child_label"] for i in items}
    assert labels == {"S.C.A.", "Budi Terbuka Santoso"}
    found = client.post("/cases/search", data={"by": "name", "query": "siti canary"}).get_data(as_text=True)
    assert "S.C.A." in found and "Siti Canary" not in found


def test_in_conflict_with_law_is_restricted(app, make_user):
    worker = make_user()
    with app.app_context():
        case = register(worker, incident__ampk=["in_conflict_with_law"]).load()
        assert case.is_restricted


def test_idempotent_create_api(app, client, make_user):
    worker = make_user()
    headers = {**_token(app, worker), "Idempotency-Key": "retry-1"}
    first = client.post("/api/v1/cases", json=body(), headers=headers)
    second = client.post("/api/v1/cases", json=body(), headers=headers)
    assert first.status_code == 201 and second.status_code == 200
    assert first.json["id"] == second.json["id"]
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Case)) == 1


def test_double_submitted_form_creates_one_case(app, client, make_user):
    worker = make_user()
    login(client, worker.username)
    page = client.get("/cases/new").get_data(as_text=True)
    key = re.search(r'name="idempotency_key" type="hidden" value="([0-9a-f]+)"', page).group(1)
    form = _form_data(idempotency_key=key)
    first = client.post("/cases/new", data=form)
    second = client.post("/cases/new", data=form)
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Case)) == 1


def _form_data(**extra):
    data = {
        "child_name": "Wa Ode Canary",
        "child_nik": "",
        "child_sex": "F",
        "child_date_of_birth": "2014-03-02",
        "child_kelurahan": "74.71.01.1005",
        "incident_date": "2026-10-02",
        "incident_violence_types": ["physical"],
        "incident_primary_violence_type": "physical",
        "incident_narrative": "Canary web narrative",
        "channel": "walk_in",
        "risk_level": "high",
        "idempotency_key": uuid.uuid4().hex,
        "parties-0-role": "guardian",
        "parties-0-name": "La Ode Canary",
        "parties-0-relationship": "parent",
    }
    data.update(extra)
    return data


@pytest.mark.parametrize(
    "changes,path,message",
    [
        ({"child__nik": "747105451215000"}, "child.nik", "16"),
        ({"child__nik": "7471054513150001"}, "child.nik", "16"),
        ({"child__date_of_birth": "2030-01-01"}, "child.date_of_birth", "future"),
        ({"child__date_of_birth": "2005-01-01"}, "child.date_of_birth", "18"),
        ({"child__date_of_birth": None, "child__age": None}, "child.date_of_birth", "estimated age"),
        ({"child__date_of_birth": None, "child__age": 19}, "child.age", "0 to 17"),
        ({"incident__date": "2099-01-01"}, "incident.date", "future"),
        ({"child__kelurahan": "74.71.99.9999"}, "child.kelurahan", "Unknown"),
        (
            {"incident__violence_types": [], "incident__primary_violence_type": None},
            "incident.violence_types",
            "at least one",
        ),
        ({"incident__place": "moon"}, "incident.place", "Unknown"),
        ({"channel": None}, "channel", "Choose"),
        ({"risk_level": "extreme"}, "risk_level", "Unknown"),
        ({"child__sex": "X"}, "child.sex", "sex"),
    ],
)
def test_bad_input_is_400_with_fields_in_the_api(app, client, make_user, changes, path, message):
    worker = make_user()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    with app.app_context():
        db.session.get(User, worker.id).locale = "en"
        db.session.commit()
    response = client.post("/api/v1/cases", json=body(**changes), headers=_token(app, worker))
    assert response.status_code == 400
    assert path in response.json["fields"], response.json
    assert message.lower() in " ".join(response.json["fields"][path]).lower()
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Case)) == 0


def test_rejected_form_keeps_everything_typed(app, client, make_user):
    worker = make_user()
    login(client, worker.username)
    response = client.post("/cases/new", data=_form_data(child_nik="12345", incident_date="2099-01-01"))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'id="child_nik-error"' in page and 'id="incident_date-error"' in page
    for typed in ("Wa Ode Canary", "Canary web narrative", "La Ode Canary", 'value="12345"'):
        assert typed in page
    assert "tanggal kejadian tidak boleh" in page.lower()


def test_duplicate_nik_warns_with_the_agency_only(app, client, make_user):
    police = make_user("case_worker", "POLRESTA")
    worker = make_user("case_worker", "UPTD_PPA")
    with app.app_context():
        register(police, child__nik=nik(77), child__name="Other Name Entirely")
    login(client, worker.username)
    form = _form_data(child_nik=nik(77))
    warned = client.post("/cases/new", data=form)
    assert warned.status_code == 409
    page = warned.get_data(as_text=True)
    assert "Polresta Kendari" in page and "Other Name Entirely" not in page
    assert 'value="Wa Ode Canary"' in page  # nothing typed is lost
    done = client.post("/cases/new", data={**form, "confirm_duplicate": "y"})
    assert done.status_code == 302
    api = client.post("/api/v1/cases", json=body(child__nik=nik(77)), headers=_token(app, worker))
    assert (
        api.status_code == 201
        and "Polresta Kendari - Unit PPA Satreskrim" in api.json["warnings"]["nik_exists_at"]
    )


def test_same_name_and_birth_date_in_scope_links_the_case(app, client, make_user):
    worker = make_user()
    with app.app_context():
        first = register(worker)
    response = client.post("/api/v1/cases", json=body(), headers=_token(app, worker))
    assert response.json["warnings"]["possible_same_child"] == [str(first.uuid)]


# Scope ----------------------------------------------------------------------------------------------------

ACTIONS = {
    "view": lambda c, cid, h, v: c.get(f"/api/v1/cases/{cid}", headers=h),
    "edit": lambda c, cid, h, v: c.patch(
        f"/api/v1/cases/{cid}", json={"version": v, "risk_level": "high"}, headers=h
    ),
    "note": lambda c, cid, h, v: c.post(
        f"/api/v1/cases/{cid}/notes", json={"kind": "call", "body": "x"}, headers=h
    ),
    "nik": lambda c, cid, h, v: c.post(f"/api/v1/cases/{cid}/nik", headers=h),
    "transition": lambda c, cid, h, v: c.post(
        f"/api/v1/cases/{cid}/transition", json={"action": "start_assessment", "version": v}, headers=h
    ),
    "page": lambda c, cid, h, v: c.get(f"/cases/{cid}", headers=h),
}
RELATIONS = {
    # relation -> (role, agency, expected: allowed or 404)
    "manager": ("case_worker", "UPTD_PPA", True),
    "team_member": ("case_worker", "UPTD_PPA", True),
    "other_worker_same_agency": ("case_worker", "UPTD_PPA", False),
    "supervisor_same_agency": ("supervisor", "UPTD_PPA", True),
    "supervisor_other_agency": ("supervisor", "POLRESTA", False),
    "worker_other_agency": ("case_worker", "DINSOS", False),
    "analyst": ("analyst", "BAPPEDA", False),
    "auditor": ("auditor", "INSPEKTORAT", False),
    "admin": ("admin", "DP3A", False),
}


@pytest.mark.parametrize("relation", sorted(RELATIONS))
def test_access_matrix(app, make_user, relation):
    role, agency, allowed = RELATIONS[relation]
    manager = make_user("case_worker", "UPTD_PPA")
    supervisor = make_user("supervisor", "UPTD_PPA")
    actor = manager if relation == "manager" else make_user(role, agency)
    with app.app_context():
        case = register(manager, child__nik=nik(5)).load()
        if relation == "team_member":
            team = AssignIn(case_manager=manager.username, team=[actor.username], version=case.version)
            cases.assign(db.session.get(User, supervisor.id), case, team)
            db.session.commit()
        case_id = str(case.uuid)
    for name, action in ACTIONS.items():
        client = app.test_client()
        if name == "page":
            login(client, actor.username)
            headers = {}
        else:
            headers = _token(app, actor)
        response = action(client, case_id, headers, _case(app, case_id).version)
        if allowed:
            assert response.status_code in (200, 201), (relation, name, response.status_code)
        else:
            assert response.status_code == 404, (relation, name, response.status_code)
    denials = [e for e in _audit(app, "authz.deny") if e.actor_id == actor.id]
    assert bool(denials) == (not allowed)
    with app.app_context():
        listed = db.session.scalars(cases.visible_cases(db.session.get(User, actor.id))).all()
        assert (len(listed) == 1) == allowed


def test_unknown_or_malformed_case_ids_are_404(client, login_as):
    login_as("supervisor")
    assert client.get(f"/cases/{uuid.uuid4()}").status_code == 404
    assert client.get("/cases/not-a-uuid").status_code == 404


def test_reassignment_moves_access(app, make_user):
    old = make_user("case_worker", "UPTD_PPA")
    new = make_user("case_worker", "UPTD_PPA")
    supervisor = make_user("supervisor", "UPTD_PPA")
    with app.app_context():
        case = register(old)
        case_id = case.uuid
    spv_client = app.test_client()
    login(spv_client, supervisor.username)
    page = spv_client.get(f"/cases/{case_id}/assign").get_data(as_text=True)
    assert new.display_name in page
    response = spv_client.post(f"/cases/{case_id}/assign", data={"version": "1", "case_manager": str(new.id)})
    assert response.status_code == 302
    new_client, old_client = app.test_client(), app.test_client()
    login(new_client, new.username)
    login(old_client, old.username)
    assert new_client.get(f"/cases/{case_id}").status_code == 200
    assert old_client.get(f"/cases/{case_id}").status_code == 404
    # Kept on the team, the old worker keeps access.
    spv_client.post(
        f"/cases/{case_id}/assign", data={"version": "2", "case_manager": str(new.id), "team": [str(old.id)]}
    )
    assert old_client.get(f"/cases/{case_id}").status_code == 200
    assert len(_audit(app, "case.assign")) == 2


def test_workers_cannot_assign_and_other_agencies_cannot_be_assigned(app, client, make_user):
    worker = make_user("case_worker", "UPTD_PPA")
    supervisor = make_user("supervisor", "UPTD_PPA")
    outsider = make_user("case_worker", "DINSOS")
    with app.app_context():
        case = register(worker)
    response = client.post(
        f"/api/v1/cases/{case.uuid}/assign",
        json={"case_manager": worker.username, "version": 1},
        headers=_token(app, worker),
    )
    assert response.status_code == 403
    response = client.post(
        f"/api/v1/cases/{case.uuid}/assign",
        json={"case_manager": outsider.username, "version": 1},
        headers=_token(app, supervisor),
    )
    assert response.status_code == 400 and "case_manager" in response.json["fields"]


# Update and concurrency ------------------------------------------------------------------------------------


def test_patch_records_changed_field_names_only(app, client, make_user):
    worker = make_user()
    with app.app_context():
        case = register(worker)
    response = client.patch(
        f"/api/v1/cases/{case.uuid}",
        headers=_token(app, worker),
        json={"version": 1, "child": {"address": "Jl. Canary Baru"}, "risk_level": "high"},
    )
    assert response.status_code == 200, response.json
    assert response.json["changed"] == ["child.address", "risk_level"] and response.json["version"] == 2
    event = _audit(app, "case.update")[0]
    assert event.changed_fields == '["child.address", "risk_level"]'
    assert "Canary" not in (event.details or "")


def test_stale_version_is_409_and_nothing_is_overwritten(app, client, make_user):
    worker = make_user()
    with app.app_context():
        case = register(worker)
    headers = _token(app, worker)
    first = client.patch(
        f"/api/v1/cases/{case.uuid}", json={"version": 1, "risk_level": "high"}, headers=headers
    )
    second = client.patch(
        f"/api/v1/cases/{case.uuid}", json={"version": 1, "risk_level": "low"}, headers=headers
    )
    assert first.status_code == 200 and second.status_code == 409
    assert second.json["error"] == "stale_version"
    assert _case(app, case.uuid).risk_level == "high"


def test_stale_web_form_shows_what_changed_and_keeps_input(app, make_user):
    worker = make_user()
    with app.app_context():
        case = register(worker)
    mine, theirs = app.test_client(), app.test_client()
    login(mine, worker.username)
    login(theirs, worker.username)
    form_page = mine.get(f"/cases/{case.uuid}/edit").get_data(as_text=True)
    assert 'name="version" type="hidden" value="1"' in form_page
    theirs.patch(
        f"/api/v1/cases/{case.uuid}",
        json={"version": 1, "child": {"school": "SMP Canary Lain"}},
        headers=_token(app, worker),
    )
    response = mine.post(f"/cases/{case.uuid}/edit", data=_form_data(version="1", child_school="SD Mine"))
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert 'data-testid="stale"' in page and "SMP Canary Lain" in page and 'value="SD Mine"' in page
    assert _case(app, case.uuid).version == 2  # untouched by the stale submission


def test_concurrent_updates_of_one_version(pg_app, make_user_pg):
    """Two writers holding version 1 at the same moment: exactly one wins, the other gets StaleVersion."""
    app = pg_app
    worker = make_user_pg()
    with app.app_context():
        case_id = register(worker).id
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def edit(risk: str) -> None:
        with app.app_context():
            user = db.session.get(User, worker.id)
            case = db.session.get(Case, case_id)
            value = case_input(risk_level=risk)
            barrier.wait()
            try:
                cases.update_case(user, case, value, 1)
                db.session.commit()
                outcomes.append("ok")
            except Exception as exc:  # noqa: BLE001 - the assertion below names it
                db.session.rollback()
                outcomes.append(type(exc).__name__)

    threads = [threading.Thread(target=edit, args=(r,)) for r in ("high", "low")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["StaleVersion", "ok"]


def test_concurrent_registrations_get_distinct_numbers(pg_app, make_user_pg):
    app = pg_app
    worker = make_user_pg()
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def register_many() -> None:
        try:
            with app.app_context():
                barrier.wait()
                for _ in range(8):
                    register(worker)
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=register_many) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with app.app_context():
        numbers = list(db.session.scalars(db.select(Case.case_number)))
    assert len(numbers) == len(set(numbers)) == 16


# Lifecycle ---------------------------------------------------------------------------------------------


def _step(client, case_id, headers, action, version, **extra):
    return client.post(
        f"/api/v1/cases/{case_id}/transition",
        json={"action": action, "version": version, **extra},
        headers=headers,
    )


def test_lifecycle_with_supervised_closure_and_reopen(app, client, make_user):
    worker = make_user("case_worker", "UPTD_PPA")
    supervisor = make_user("supervisor", "UPTD_PPA")
    with app.app_context():
        case = register(worker)
    w, s = _token(app, worker), _token(app, supervisor)
    cid = case.uuid
    assert _step(client, cid, w, "start_intervention", 1).status_code == 409  # new -> intervention is illegal
    assert _step(client, cid, w, "record_first_contact", 1).status_code == 200
    assert _step(client, cid, w, "start_assessment", 2).status_code == 200
    assert _step(client, cid, w, "start_intervention", 3).status_code == 200
    assert _step(client, cid, w, "request_closure", 4, reason="nonsense").status_code == 400
    assert _step(client, cid, w, "request_closure", 4, reason="needs_met").status_code == 200
    assert _step(client, cid, w, "approve_closure", 5).status_code == 403  # only a supervisor decides
    closed = _step(client, cid, s, "approve_closure", 5)
    assert (
        closed.status_code == 200
        and closed.json["status"] == "closed"
        and closed.json["closure_reason"] == "needs_met"
    )
    assert (
        client.patch(f"/api/v1/cases/{cid}", json={"version": 6, "risk_level": "low"}, headers=w).status_code
        == 409
    )
    assert _step(client, cid, w, "reopen", 6, reason="new_incident").status_code == 403
    reopened = _step(client, cid, s, "reopen", 6, reason="new_incident")
    assert reopened.json["status"] == "intervention"
    kinds = [e["kind"] for e in reopened.json["timeline"]]
    assert kinds == [
        "created",
        "record_first_contact",
        "start_assessment",
        "start_intervention",
        "request_closure",
        "approve_closure",
        "reopen",
    ]
    assert len(_audit(app, "case.transition")) == 6  # every successful step, once


def test_returned_closure_request_and_cancel(app, client, make_user):
    worker = make_user("case_worker", "UPTD_PPA")
    supervisor = make_user("supervisor", "UPTD_PPA")
    with app.app_context():
        case = register(worker)
        other = register(worker, child__name="Another Child")
    w, s = _token(app, worker), _token(app, supervisor)
    _step(client, case.uuid, w, "start_assessment", 1)
    _step(client, case.uuid, w, "start_intervention", 2)
    _step(client, case.uuid, w, "request_closure", 3, reason="moved_away")
    returned = _step(client, case.uuid, s, "return_closure", 4)
    assert returned.json["status"] == "intervention" and returned.json["closure_requested_reason"] is None
    assert _step(client, other.uuid, s, "cancel", 1).status_code == 400  # a reason is required
    cancelled = _step(client, other.uuid, s, "cancel", 1, reason="duplicate")
    assert cancelled.json["status"] == "cancelled" and cancelled.json["cancel_reason"] == "duplicate"
    assert _step(client, other.uuid, w, "start_assessment", 2).status_code == 409


def test_first_contact_overdue_by_risk_is_flagged(app, make_user):
    worker = make_user("case_worker", "UPTD_PPA")
    supervisor = make_user("supervisor", "UPTD_PPA")
    with time_machine.travel("2026-11-20 08:00:00", tick=False) as clock:
        with app.app_context():
            high = register(worker, risk_level="high", child__name="High Risk Child")
            register(worker, risk_level="low", child__name="Low Risk Child")
        clock.shift(timedelta(hours=25))
        spv = app.test_client()
        login(spv, supervisor.username)
        home = spv.get("/").get_data(as_text=True)
        assert high.case_number in home and "High Risk Child" in home and "Low Risk Child" not in home
        overdue = spv.get("/cases/?overdue=y").get_data(as_text=True)
        assert "High Risk Child" in overdue and "Low Risk Child" not in overdue
        clock.shift(timedelta(days=7))
        login(spv, supervisor.username)  # the old session expired meanwhile
        assert "Low Risk Child" in spv.get("/cases/?overdue=y").get_data(as_text=True)


def test_mediation_on_sexual_violence_warns(app, client, make_user):
    worker = make_user()
    with app.app_context():
        case = register(worker, incident__violence_types=["sexual"], incident__primary_violence_type="sexual")
    login(client, worker.username)
    response = client.post(
        f"/cases/{case.uuid}/notes",
        data={"note-kind": "mediation", "note-body": "Keluarga minta damai", "note-visibility": "case_team"},
        follow_redirects=True,
    )
    assert "UU TPKS" in response.get_data(as_text=True)
    api = client.post(
        f"/api/v1/cases/{case.uuid}/notes",
        json={"kind": "mediation", "body": "x"},
        headers=_token(app, worker),
    )
    assert "UU TPKS" in api.json["warning"]


def test_notes_and_services_are_validated_and_audited(app, client, make_user):
    worker = make_user()
    with app.app_context():
        case = register(worker)
    login(client, worker.username)
    empty = client.post(
        f"/cases/{case.uuid}/notes",
        data={"note-kind": "visit", "note-body": "", "note-visibility": "case_team"},
    )
    assert empty.status_code == 400 and 'id="note-body-error"' in empty.get_data(as_text=True)
    bad = client.post(
        f"/cases/{case.uuid}/services",
        data={
            "service-service_type": "spa",
            "service-provider": "DINKES",
            "service-service_date": "2026-11-01",
            "service-outcome": "provided",
        },
    )
    assert bad.status_code == 400
    client.post(
        f"/cases/{case.uuid}/notes",
        data={"note-kind": "visit", "note-body": "Kunjungan rumah", "note-visibility": "agency"},
    )
    client.post(
        f"/cases/{case.uuid}/services",
        data={
            "service-service_type": "health",
            "service-provider": "DINKES",
            "service-service_date": "2026-11-01",
            "service-outcome": "provided",
        },
    )
    page = client.get(f"/cases/{case.uuid}").get_data(as_text=True)
    assert "Kunjungan rumah" in page and "DINKES" in page
    assert len(_audit(app, "note.create")) == 1 and len(_audit(app, "service.create")) == 1


# Find -------------------------------------------------------------------------------------------------------


def test_nik_is_masked_and_reveal_is_audited(app, client, make_user):
    worker = make_user()
    with app.app_context():
        case = register(worker, child__nik=nik(31))
    login(client, worker.username)
    page = client.get(f"/cases/{case.uuid}").get_data(as_text=True)
    assert nik(31) not in page
    revealed = client.post(f"/cases/{case.uuid}/nik")
    assert nik(31) in revealed.get_data(as_text=True)
    assert len(_audit(app, "case.nik_reveal")) == 1
    assert len(_audit(app, "case.view")) == 1


def test_search_by_number_name_and_nik_stays_in_scope(app, client, make_user):
    worker = make_user("case_worker", "UPTD_PPA")
    police = make_user("case_worker", "POLRESTA")
    with app.app_context():
        mine = register(worker, child__nik=nik(61), child__name="Nur Halimah")
        theirs = register(police, child__nik=nik(62), child__name="Nur Hidayah")
    headers = _token(app, worker)

    def search(by, query):
        return [
            i["case_number"]
            for i in client.post(
                "/api/v1/cases/search", json={"by": by, "query": query}, headers=headers
            ).json["items"]
        ]

    assert search("number", mine.case_number.lower()) == [mine.case_number]
    assert search("number", theirs.case_number) == []
    assert search("name", "nur h") == [mine.case_number]
    assert search("nik", nik(61)) == [mine.case_number]
    assert search("nik", nik(62)) == []
    bad = client.post("/api/v1/cases/search", json={"by": "nik", "query": "123"}, headers=headers)
    assert bad.status_code == 400
    searches = [e for e in _audit(app, "case.search") if "nik_duplicate_check" not in e.details]
    assert len(searches) == 5
    assert len(_audit(app, "case.search")) == 7  # and each registration's NIK look-up
    login(client, worker.username)
    web = client.post("/cases/search", data={"by": "nik", "query": nik(61)})
    assert mine.case_number in web.get_data(as_text=True)
    assert nik(61) not in web.get_data(as_text=True)  # not echoed back


def test_list_filters_and_keyset_pagination(app, client, make_user):
    worker = make_user()
    with app.app_context():
        for i in range(55):
            register(
                worker,
                child__name=f"Anak Nomor {i}",
                risk_level="high" if i % 5 == 0 else "low",
                incident__violence_types=["neglect"] if i % 2 else ["physical"],
                incident__primary_violence_type="neglect" if i % 2 else "physical",
            )
    headers = _token(app, worker)
    page1 = client.get("/api/v1/cases?limit=50", headers=headers).json
    page2 = client.get(f"/api/v1/cases?limit=50&after={page1['next']}", headers=headers).json
    ids1, ids2 = [i["id"] for i in page1["items"]], [i["id"] for i in page2["items"]]
    assert len(ids1) == 50 and len(ids2) == 5 and not set(ids1) & set(ids2) and page2["next"] is None
    high = client.get("/api/v1/cases?risk_level=high", headers=headers).json["items"]
    assert len(high) == 11 and all(i["risk_level"] == "high" for i in high)
    neglect = client.get("/api/v1/cases?violence_type=neglect&sort=oldest", headers=headers).json["items"]
    assert len(neglect) == 27 and neglect[0]["child_label"] == "Anak Nomor 1"
    assert client.get("/api/v1/cases?registered_from=yesterday", headers=headers).status_code == 400
    listing = _audit(app, "case.list")
    assert '"filters": ["risk_level"]' in listing[2].details and '"count": 11' in listing[2].details
    login(client, worker.username)
    web = client.get("/cases/?risk_level=high").get_data(as_text=True)
    assert "11 kasus" in web


def test_supervisor_access_log_of_a_case(app, client, make_user):
    worker = make_user("case_worker", "UPTD_PPA")
    supervisor = make_user("supervisor", "UPTD_PPA")
    with app.app_context():
        case = register(worker)
    w = app.test_client()
    login(w, worker.username)
    w.get(f"/cases/{case.uuid}")
    assert w.get(f"/cases/{case.uuid}/access-log").status_code == 403  # workers do not see it
    login(client, supervisor.username)
    page = client.get(f"/cases/{case.uuid}/access-log").get_data(as_text=True)
    # In words, not codes: the actions, the outcome and the details (no JSON).
    assert "Melihat kasus" in page and worker.username in page and "Mendaftarkan kasus" in page
    assert "Berhasil" in page
    assert "case.view" not in page and "success" not in page and "{&#34;" not in page and '{"' not in page


def test_every_case_audit_action_is_written_once_per_act(app, client, make_user):
    worker = make_user("case_worker", "UPTD_PPA")
    supervisor = make_user("supervisor", "UPTD_PPA")
    w = _token(app, worker)
    created = client.post("/api/v1/cases", json=body(child__nik=nik(90)), headers=w).json
    cid = created["id"]
    client.get(f"/api/v1/cases/{cid}", headers=w)
    client.get("/api/v1/cases", headers=w)
    client.patch(f"/api/v1/cases/{cid}", json={"version": 1, "risk_level": "high"}, headers=w)
    _step(client, cid, w, "start_assessment", 2)
    client.post(
        f"/api/v1/cases/{cid}/assign",
        json={"case_manager": worker.username, "team": [], "version": 3},
        headers=_token(app, supervisor),
    )
    client.post(f"/api/v1/cases/{cid}/nik", headers=w)
    client.post("/api/v1/cases/search", json={"by": "nik", "query": nik(90)}, headers=w)
    client.post(f"/api/v1/cases/{cid}/notes", json={"kind": "call", "body": "x"}, headers=w)
    client.post(
        f"/api/v1/cases/{cid}/services",
        json={"service_type": "health", "provider": "DINKES", "date": "2026-11-01", "outcome": "ongoing"},
        headers=w,
    )
    for action in (
        "case.create",
        "case.view",
        "case.list",
        "case.update",
        "case.transition",
        "case.assign",
        "case.nik_reveal",
        "case.search",
        "note.create",
        "service.create",
    ):
        events = [e for e in _audit(app, action) if "nik_duplicate_check" not in (e.details or "")]
        assert len(events) == 1, action
        assert events[0].object_type == "case"
    with app.app_context():
        from caseapp.audit import verify_chain

        assert verify_chain().ok


# Regressions from review ----------------------------------------------------------------------------------


def test_replayed_create_after_reassignment_does_not_leak(app, client, make_user):
    worker = make_user("case_worker", "UPTD_PPA")
    other = make_user("case_worker", "UPTD_PPA")
    supervisor = make_user("supervisor", "UPTD_PPA")
    headers = {**_token(app, worker), "Idempotency-Key": "k1"}
    created = client.post("/api/v1/cases", json=body(), headers=headers).json
    client.post(
        f"/api/v1/cases/{created['id']}/assign",
        json={"case_manager": other.username, "version": 1},
        headers=_token(app, supervisor),
    )
    replay = client.post("/api/v1/cases", json=body(), headers=headers)
    assert replay.status_code == 404 and "Siti" not in replay.get_data(as_text=True)


def test_a_worker_moved_to_another_agency_leaves_its_cases(app, client, make_user):
    from caseapp.services import users as user_service

    worker = make_user("case_worker", "UPTD_PPA")
    admin = make_user("admin", "DP3A")
    polresta_supervisor = make_user("supervisor", "POLRESTA")
    with app.app_context():
        case = register(worker)
        user_service.update_user(
            db.session.get(User, admin.id),
            db.session.get(User, worker.id),
            "W",
            None,
            "case_worker",
            user_service.agency_by_code("POLRESTA"),
            True,
        )
        # The move waits for the new agency's supervisor (two-person rule), then takes effect.
        user_service.approve(db.session.get(User, polresta_supervisor.id), worker.id)
        db.session.commit()
    assert client.get(f"/api/v1/cases/{case.uuid}", headers=_token(app, worker)).status_code == 404


def test_edit_page_never_shows_the_nik_and_keeps_it(app, client, make_user):
    worker = make_user()
    with app.app_context():
        case = register(worker, child__nik=nik(808))
    login(client, worker.username)
    page = client.get(f"/cases/{case.uuid}/edit").get_data(as_text=True)
    assert nik(808) not in page
    assert len(_audit(app, "case.view")) == 1  # opening the edit page is a view
    saved = client.post(f"/cases/{case.uuid}/edit", data=_form_data(version="1", child_school="SD Baru"))
    assert saved.status_code == 302
    with app.app_context():
        assert db.session.get(Case, case.id).child_nik == nik(808)


def test_free_text_reasons_never_reach_the_audit_log(app, client, make_user):
    worker = make_user()
    with app.app_context():
        case = register(worker)
    response = client.post(
        f"/api/v1/cases/{case.uuid}/transition",
        headers=_token(app, worker),
        json={"action": "start_assessment", "reason": nik(999), "version": 1},
    )
    assert response.status_code == 200
    assert all(nik(999) not in (e.details or "") for e in _audit(app, "case.transition"))
    assert scan_for(app, [nik(999)]) == []


@pytest.mark.parametrize(
    "changes",
    [
        {"incident__violence_types": [{}]},
        {"incident__violence_types": [["physical"]]},
        {"incident__primary_violence_type": ["physical"]},
        {"incident__ampk": [{"x": 1}]},
        {"child__age": True, "child__date_of_birth": None},
        {"child__age": 5.5, "child__date_of_birth": None},
        {"incident__date": "1900-01-01"},
        {"parties": [{"role": "witness"}] * 13},
    ],
)
def test_odd_json_is_a_400_not_a_500(app, client, make_user, changes):
    worker = make_user()
    response = client.post("/api/v1/cases", json=body(**changes), headers=_token(app, worker))
    assert response.status_code == 400, response.get_data(as_text=True)[:300]


def test_odd_values_in_steps_are_400(app, client, make_user):
    worker = make_user()
    supervisor = make_user("supervisor", "UPTD_PPA")
    with app.app_context():
        case = register(worker)
    w = _token(app, worker)
    for payload in (
        {"action": "cancel", "reason": ["duplicate"], "version": 1},
        {"action": "start_assessment", "version": True},
        {"action": "start_assessment"},
    ):
        assert (
            client.post(f"/api/v1/cases/{case.uuid}/transition", json=payload, headers=w).status_code == 400
        )
    tz = client.post(
        f"/api/v1/cases/{case.uuid}/transition",
        headers=w,
        json={"action": "record_first_contact", "at": "2000-01-01T01:00:00+08:00", "version": 1},
    )
    assert tz.status_code == 400
    team = client.post(
        f"/api/v1/cases/{case.uuid}/assign",
        json={"case_manager": worker.username, "team": 5, "version": 1},
        headers=_token(app, supervisor),
    )
    assert team.status_code == 400
    note = client.post(f"/api/v1/cases/{case.uuid}/notes", json={"kind": "call", "body": None}, headers=w)
    assert note.status_code == 400


def test_first_contact_time_from_the_web_is_kendari_time(app, client, make_user):
    worker = make_user()
    with time_machine.travel("2026-11-20 08:00:00", tick=False):
        with app.app_context():
            case = register(worker)
        login(client, worker.username)
        client.post(
            f"/cases/{case.uuid}/transition",
            data={"action": "record_first_contact", "version": "1", "at_local": "2026-11-20T15:30"},
        )
    with app.app_context():
        stored = db.session.get(Case, case.id).first_contact_at
    assert stored.isoformat() == "2026-11-20T07:30:00"  # 15:30 WITA is 07:30 UTC


def test_a_new_nik_on_edit_that_another_case_has_is_warned_first(app, client, make_user):
    worker = make_user()
    police = make_user("case_worker", "POLRESTA")
    with app.app_context():
        register(police, child__nik=nik(555), child__name="Someone Else")
        case = register(worker)
    login(client, worker.username)
    warned = client.post(f"/cases/{case.uuid}/edit", data=_form_data(version="1", child_nik=nik(555)))
    assert warned.status_code == 409 and "Polresta Kendari" in warned.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Case, case.id).child_nik is None  # nothing saved yet
    saved = client.post(
        f"/cases/{case.uuid}/edit", data=_form_data(version="1", child_nik=nik(555), confirm_duplicate="y")
    )
    assert saved.status_code == 302
    with app.app_context():
        assert db.session.get(Case, case.id).child_nik == nik(555)


def test_a_workers_case_manager_filter_offers_the_managers_of_the_cases_they_see(app, client, make_user):
    from caseapp.models import CaseTeamMember

    me = make_user("case_worker", "UPTD_PPA", display_name="Aku Petugas")
    colleague = make_user("case_worker", "UPTD_PPA", display_name="Rekan Tim")
    stranger = make_user("case_worker", "UPTD_PPA", display_name="Orang Lain")
    with app.app_context():
        register(db.session.get(User, me.id))
        shared = register(db.session.get(User, colleague.id))
        register(db.session.get(User, stranger.id))
        db.session.add(CaseTeamMember(case_id=shared.id, user_id=me.id))
        db.session.commit()
    login(client, me.username)
    page = client.get("/cases/").get_data(as_text=True)
    assert "Aku Petugas" in page and "Rekan Tim" in page  # mine, and the manager of a case I am on
    assert "Orang Lain" not in page  # a colleague whose cases I cannot see is not a choice


def test_a_deactivated_agency_is_no_longer_a_service_provider(app, client, make_user):
    """Deactivating an agency takes effect at once, even where the list of agencies is cached."""
    worker = make_user()
    admin = make_user("admin", "DP3A")
    with app.app_context():
        case = register(worker)
    w = _token(app, worker)
    body = {"service_type": "health", "provider": "DINKES", "date": "2026-11-01", "outcome": "ongoing"}
    first = client.post(f"/api/v1/cases/{case.uuid}/services", json=body, headers=w)
    assert first.status_code == 201  # the agency list is now cached in this process
    with app.app_context():
        from caseapp.models import Agency
        from caseapp.services import users

        dinkes = db.session.scalar(db.select(Agency).where(Agency.code == "DINKES"))
        users.update_agency(
            db.session.get(User, admin.id), dinkes, dinkes.name, dinkes.accepts_referrals, False
        )
        db.session.commit()
    refused = client.post(f"/api/v1/cases/{case.uuid}/services", json=body, headers=w)
    assert refused.status_code == 400 and "provider" in refused.json["fields"]


def test_a_patch_that_changes_nothing_is_on_record_as_a_read(app, client, make_user):
    """It answers the whole case, so the access log must show it."""
    worker = make_user()
    with app.app_context():
        case = register(worker)
    before = len(_audit(app, "case.view"))
    response = client.patch(f"/api/v1/cases/{case.uuid}", json={"version": 1}, headers=_token(app, worker))
    assert response.status_code == 200 and response.json["changed"] == []
    assert len(_audit(app, "case.view")) == before + 1
