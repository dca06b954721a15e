"""Case conferences and their follow-up tasks: recorded by the case's workers, tasks owned across agencies
only by referral partners (who see the task, never the conference), completed by the owner or the owning
agency's supervisor, in the owners' queues, and keeping the case from being closed while open."""

from __future__ import annotations

import json
import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from caseapp.errors import InvalidTransition
from caseapp.extensions import db
from caseapp.models import AuditEvent, Notification, Task, User
from caseapp.schemas.base import parse_data
from caseapp.schemas.practice import ConferenceIn, TaskCompleteIn
from caseapp.services import cases, conferences
from tests.casedata import register
from tests.conftest import login
from tests.rawscan import scan_for

GUARDIAN_CONSENT = {"given_by": "guardian", "name": "Ibu Wali", "obtained_at": "2026-11-20"}


def _token(app, user) -> dict[str, str]:
    result = app.test_cli_runner().invoke(args=["user", "token", user.username])
    return {"Authorization": f"Bearer {result.output.strip().splitlines()[-1]}"}


def _step(client, case_id, headers, action, version, **extra):
    return client.post(
        f"/api/v1/cases/{case_id}/transition",
        json={"action": action, "version": version, **extra},
        headers=headers,
    )


def _audit(app, action: str) -> list[AuditEvent]:
    with app.app_context():
        rows = list(db.session.scalars(db.select(AuditEvent).where(AuditEvent.action == action)))
        db.session.expunge_all()
        return rows


def _queue(client, headers) -> list[dict]:
    response = client.get("/api/v1/queue", headers=headers)
    assert response.status_code == 200, response.json
    return response.json["items"]


@pytest.fixture
def people(make_user):
    return {
        "worker": make_user("case_worker", "UPTD_PPA"),
        "colleague": make_user("case_worker", "UPTD_PPA"),
        "spv": make_user("supervisor", "UPTD_PPA"),
        "police_spv": make_user("supervisor", "POLRESTA"),
        "police_worker": make_user("case_worker", "POLRESTA"),
        "dinsos_worker": make_user("case_worker", "DINSOS"),
        "analyst": make_user("analyst", "UPTD_PPA"),
    }


@pytest.fixture
def working(app, client, people):
    """A case of the UPTD PPA worker in intervention (version 3), referred to the police (accepted)."""
    with app.app_context():
        case = register(people["worker"])
    w, s = _token(app, people["worker"]), _token(app, people["spv"])
    assert _step(client, case.uuid, w, "start_assessment", 1).status_code == 200
    assert _step(client, case.uuid, w, "start_intervention", 2).status_code == 200
    body = {
        "to_agency": "POLRESTA",
        "services": ["law_enforcement"],
        "urgency": "urgent",
        "reason": "Laporan ke polisi.",
        "shared_sections": ["incident"],
        "consent": GUARDIAN_CONSENT,
    }
    sent = client.post(f"/api/v1/cases/{case.uuid}/referrals", json=body, headers=w)
    assert sent.status_code == 201, sent.json
    police = _token(app, people["police_spv"])
    accept = {"assignee": people["police_worker"].username}
    rid = sent.json["id"]
    assert client.post(f"/api/v1/referrals/{rid}/accept", json=accept, headers=police).status_code == 200
    return {"case": case, "w": w, "s": s, "police": police, "referral": rid}


def _conference(people, **changes):
    body = {
        "held_on": "2026-12-01",
        "agencies": ["UPTD_PPA", "POLRESTA", "UPTD_PPA"],
        "people": "Canary Ibu Wali, Bripka Sari",
        "decisions": "Canary anak dirujuk ke psikolog",
        "tasks": [
            {
                "description": "Canary jadwalkan konseling",
                "owner": people["worker"].username,
                "due_date": "2026-12-10",
            },
            {
                "description": "Canary periksa saksi",
                "owner": people["police_worker"].username,
                "due_date": "2026-12-15",
            },
        ],
    }
    body.update(changes)
    return body


def _record(client, working, people, **changes) -> dict:
    response = client.post(
        f"/api/v1/cases/{working['case'].uuid}/conferences",
        json=_conference(people, **changes),
        headers=working["w"],
    )
    assert response.status_code == 201, response.json
    return response.json


def test_a_conference_is_recorded_encrypted_and_audited_with_codes_only(app, client, people, working):
    case = working["case"]
    created = _record(client, working, people)
    assert created["agencies"] == ["UPTD_PPA", "POLRESTA"]
    assert created["decisions"] == "Canary anak dirujuk ke psikolog"
    assert [(t["owner"], t["owner_agency"], t["status"]) for t in created["tasks"]] == [
        (people["worker"].username, "UPTD_PPA", "open"),
        (people["police_worker"].username, "POLRESTA", "open"),
    ]
    canaries = [
        "Canary Ibu Wali",
        "Canary anak dirujuk",
        "Canary jadwalkan konseling",
        "Canary periksa saksi",
    ]
    assert scan_for(app, canaries) == []
    recorded = _audit(app, "conference.record")
    assert len(recorded) == 1 and recorded[0].object_id == str(case.uuid)
    assert "Canary" not in json.dumps([a.details for a in recorded])
    # The case's readers list it (audited); a supervisor of the owning agency too.
    listed = client.get(f"/api/v1/cases/{case.uuid}/conferences", headers=working["s"])
    assert listed.status_code == 200 and [c["id"] for c in listed.json["items"]] == [created["id"]]
    views = [json.loads(a.details or "{}") for a in _audit(app, "case.view")]
    assert {"section": "conferences"} in views


def test_who_may_record_and_read_a_conference(app, client, people, working):
    case = working["case"]
    url = f"/api/v1/cases/{case.uuid}/conferences"
    body = _conference(people, tasks=[])
    assert client.post(url, json=body, headers=working["s"]).status_code == 201
    # Other agencies, the partner included, neither record nor read it; an analyst neither.
    for outsider in ("police_spv", "police_worker", "dinsos_worker", "analyst"):
        headers = _token(app, people[outsider])
        assert client.post(url, json=body, headers=headers).status_code == 404, outsider
        assert client.get(url, headers=headers).status_code == 404, outsider
    # A worker of the owning agency outside the case's team does not see the case.
    assert client.get(url, headers=_token(app, people["colleague"])).status_code == 404
    assert client.post(url, json=body).status_code == 401


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"held_on": "01-12-2026"}, "held_on"),
        ({"decisions": "  "}, "decisions"),
        ({"agencies": ["NOPE"]}, "agencies"),
        ({"tasks": [{"description": "", "owner": "x", "due_date": "2026-12-10"}]}, "tasks.0.description"),
        ({"tasks": [{"description": "x", "owner": "x", "due_date": ""}]}, "tasks.0.due_date"),
    ],
)
def test_a_bad_conference_is_400_naming_the_field(app, client, people, working, change, field):
    response = client.post(
        f"/api/v1/cases/{working['case'].uuid}/conferences",
        json=_conference(people, **change),
        headers=working["w"],
    )
    assert response.status_code == 400, response.json
    assert any(k.startswith(field) for k in response.json["fields"]), response.json


def test_a_task_owner_is_of_the_owning_agency_or_a_referral_partner(app, client, people, working):
    url = f"/api/v1/cases/{working['case'].uuid}/conferences"
    task = {"description": "Canary rahasia tugas", "due_date": "2026-12-10"}
    # Dinas Sosial has no referral on this case; an analyst never owns a task; nor does an unknown name.
    for owner in (people["dinsos_worker"].username, people["analyst"].username, "nobody-here"):
        body = _conference(people, tasks=[{**task, "owner": owner}])
        refused = client.post(url, json=body, headers=working["w"])
        assert refused.status_code == 400 and list(refused.json["fields"]) == ["tasks.0.owner"], owner
        assert owner not in refused.json["message"] and "Canary" not in json.dumps(refused.json)
    # A partner's task keeps the referral it came through.
    created = _record(client, working, people, tasks=[{**task, "owner": people["police_spv"].username}])
    with app.app_context():
        row = db.session.scalar(db.select(Task).where(Task.uuid == uuid.UUID(created["tasks"][0]["id"])))
        assert row.referral_id == working["referral"]
    # Once the referral is completed the police are no longer partners for new tasks.
    done = client.post(
        f"/api/v1/referrals/{working['referral']}/complete",
        json={"outcome": "provided"},
        headers=working["police"],
    )
    assert done.status_code == 200, done.json
    body = _conference(people, tasks=[{**task, "owner": people["police_worker"].username}])
    assert client.post(url, json=body, headers=working["w"]).status_code == 400


def test_the_queue_shows_a_task_to_its_owner_only_and_a_partner_sees_only_the_task(
    app, client, people, working
):
    case = working["case"]
    created = _record(client, working, people)
    mine, theirs = created["tasks"]
    worker_items = [i for i in _queue(client, working["w"]) if i["kind"] == "task"]
    assert worker_items == [
        {
            "kind": "task",
            "case_id": str(case.uuid),
            "case_number": case.case_number,
            "referral_id": None,
            "complaint_id": None,
            "task_id": mine["id"],
            "description": "Canary jadwalkan konseling",
            "since": worker_items[0]["since"],
            "due_at": "2026-12-10T15:59:59Z",  # the end of 10 December in Kendari (UTC+8)
            "overdue": worker_items[0]["overdue"],
            "link": f"/cases/{case.uuid}/section/practice#conferences",
        }
    ]
    police_items = [i for i in _queue(client, _token(app, people["police_worker"])) if i["kind"] == "task"]
    assert police_items == [
        {
            "kind": "task",
            "case_id": None,  # the partner reads the case only through the referral
            "case_number": case.case_number,
            "referral_id": working["referral"],
            "complaint_id": None,
            "task_id": theirs["id"],
            "description": "Canary periksa saksi",
            "since": police_items[0]["since"],
            "due_at": "2026-12-15T15:59:59Z",
            "overdue": police_items[0]["overdue"],
            "link": f"/referrals/{working['referral']}",
        }
    ]
    assert "Canary anak dirujuk" not in json.dumps(police_items)
    for other in ("spv", "colleague", "police_spv", "dinsos_worker", "analyst"):
        assert not [i for i in _queue(client, _token(app, people[other])) if i["kind"] == "task"], other
    # Overdue once the Kendari day has passed.
    with time_machine.travel(datetime(2026, 12, 10, 15, 59, 30, tzinfo=UTC), tick=False):
        assert not [i for i in _queue(client, working["w"]) if i["kind"] == "task"][0]["overdue"]
    with time_machine.travel(datetime(2026, 12, 10, 16, 0, tzinfo=UTC), tick=False):
        assert [i for i in _queue(client, working["w"]) if i["kind"] == "task"][0]["overdue"]


def test_who_may_complete_a_task(app, client, people, working):
    created = _record(client, working, people)
    mine, theirs = created["tasks"]
    url = "/api/v1/tasks/{}/complete"
    # The case's worker sees the partner's task but does not own it: 403; other agencies: 404.
    assert client.post(url.format(theirs["id"]), json={}, headers=working["w"]).status_code == 403
    for outsider in ("dinsos_worker", "police_spv", "analyst", "colleague"):
        headers = _token(app, people[outsider])
        assert client.post(url.format(mine["id"]), json={}, headers=headers).status_code == 404, outsider
    assert client.post(url.format("not-a-uuid"), json={}, headers=working["w"]).status_code == 404
    # The police supervisor is not the owner, nor a supervisor of the owning agency.
    assert client.post(url.format(theirs["id"]), json={}, headers=working["police"]).status_code == 404
    # The partner's worker completes their own task, with a note.
    police = _token(app, people["police_worker"])
    done = client.post(url.format(theirs["id"]), json={"note": "Canary saksi diperiksa"}, headers=police)
    assert done.status_code == 200, done.json
    assert done.json["status"] == "done" and done.json["completed_by"] == people["police_worker"].username
    assert client.post(url.format(theirs["id"]), json={}, headers=police).status_code == 409
    # ... but still cannot read the conference.
    assert client.get(f"/api/v1/cases/{working['case'].uuid}/conferences", headers=police).status_code == 404
    # The owning agency's supervisor completes the worker's task.
    by_spv = client.post(url.format(mine["id"]), json={}, headers=working["s"])
    assert by_spv.status_code == 200 and by_spv.json["completed_by"] == people["spv"].username
    assert scan_for(app, ["Canary saksi diperiksa"]) == []
    completed = _audit(app, "task.complete")
    assert [a.object_id for a in completed] == [str(working["case"].uuid)] * 2
    assert "Canary" not in json.dumps([a.details for a in completed])
    assert not [i for i in _queue(client, police) if i["kind"] == "task"]


def test_an_open_task_blocks_closure_until_completed(app, client, people, working):
    case, w, s = working["case"], working["w"], working["s"]
    # The referral is done; only the task keeps the case open.
    client.post(
        f"/api/v1/referrals/{working['referral']}/complete",
        json={"outcome": "provided"},
        headers=working["police"],
    )
    task = {
        "description": "Canary kunjungan rumah",
        "owner": people["worker"].username,
        "due_date": "2026-12-10",
    }
    created = _record(client, working, people, tasks=[task])
    assert _step(client, case.uuid, w, "request_closure", 3, reason="needs_met").status_code == 200
    refused = _step(client, case.uuid, s, "approve_closure", 4)
    assert refused.status_code == 409 and refused.json["error"] == "open_work"
    assert list(refused.json["fields"]) == ["tasks"]
    assert (
        "UPTD_PPA" in refused.json["fields"]["tasks"][0]
        and "2026-12-10" in refused.json["fields"]["tasks"][0]
    )
    assert "Canary" not in json.dumps(refused.json)
    done = client.post(f"/api/v1/tasks/{created['tasks'][0]['id']}/complete", json={}, headers=w)
    assert done.status_code == 200, done.json
    closed = _step(client, case.uuid, s, "approve_closure", 4)
    assert closed.status_code == 200 and closed.json["status"] == "closed", closed.json
    # A closed case's conferences are read-only.
    url = f"/api/v1/cases/{case.uuid}/conferences"
    assert client.post(url, json=_conference(people, tasks=[]), headers=w).status_code == 409


def test_the_service_refuses_a_second_completion_and_lists_open_tasks(app, people, working):
    with app.test_request_context():
        worker = db.session.get(User, people["worker"].id)
        case = cases.get_case(worker, working["case"].uuid)
        value = parse_data(ConferenceIn, _conference(people), strict=False)
        conference = conferences.add_conference(worker, case, value)
        own, partners = conference.tasks
        assert conferences.may_complete(worker, own) and not conferences.may_complete(worker, partners)
        conferences.complete(worker, own, TaskCompleteIn(note=""))
        with pytest.raises(InvalidTransition):
            conferences.complete(worker, own, TaskCompleteIn(note=""))
        assert [t.uuid for t in conferences.open_tasks(case)] == [partners.uuid]
        db.session.rollback()


def test_the_case_page_records_a_conference_and_the_owner_completes_the_task(app, client, people, working):
    case = working["case"]
    login(client, people["worker"].username)
    page = client.get(f"/cases/{case.uuid}/section/practice").get_data(as_text=True)
    assert 'id="conferences"' in page and people["police_worker"].display_name in page
    assert people["dinsos_worker"].display_name not in page  # not a partner: not offered as an owner
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    form = {
        "csrf_token": token,
        "conference-held_on": "2026-12-01",
        "conference-agencies": ["UPTD_PPA", "POLRESTA"],
        "conference-people": "Ibu Wali",
        "conference-decisions": "",
        "conference-tasks-0-description": "Jadwalkan konseling",
        "conference-tasks-0-owner": people["police_worker"].username,
        "conference-tasks-0-due_date": "2026-12-10",
    }
    refused = client.post(f"/cases/{case.uuid}/conferences", data=form)
    text = refused.get_data(as_text=True)
    assert refused.status_code == 400 and "Jadwalkan konseling" in text and "Ibu Wali" in text
    form["conference-decisions"] = "Anak dirujuk ke psikolog"
    # An owner who is not a partner: the refusal stands beside the second task's owner, the first row empty.
    wrong = {
        **form,
        "conference-tasks-0-description": "",
        "conference-tasks-0-owner": "",
        "conference-tasks-0-due_date": "",
        "conference-tasks-1-description": "Jadwalkan konseling",
        "conference-tasks-1-owner": people["dinsos_worker"].username,
        "conference-tasks-1-due_date": "2026-12-10",
    }
    refused = client.post(f"/cases/{case.uuid}/conferences", data=wrong)
    text = refused.get_data(as_text=True)
    assert refused.status_code == 400 and 'id="conference-tasks-1-owner-error"' in text
    assert 'href="#conference-tasks-1-owner"' in text
    saved = client.post(f"/cases/{case.uuid}/conferences", data=form, follow_redirects=True)
    text = saved.get_data(as_text=True)
    assert 'data-testid="conference"' in text and "Anak dirujuk ke psikolog" in text
    assert 'data-task-status="open"' in text
    # The police worker finds it on the home page and completes it on the task's page.
    police = app.test_client()
    login(police, people["police_worker"].username)
    home = police.get("/").get_data(as_text=True)
    assert 'data-kind="task"' in home and "Jadwalkan konseling" in home and case.case_number in home
    assert "Anak dirujuk ke psikolog" not in home
    task_link = re.search(r'href="(/cases/tasks/[^"]+)"', home).group(1)
    task_page = police.get(task_link).get_data(as_text=True)
    assert "Jadwalkan konseling" in task_page and "Anak dirujuk ke psikolog" not in task_page
    token = re.search(r'name="csrf_token" value="([^"]+)"', task_page).group(1)
    done = police.post(
        task_link + "/complete", data={"csrf_token": token, "note": "Sudah"}, follow_redirects=True
    )
    assert done.status_code == 200 and 'data-task-status="done"' in done.get_data(as_text=True)
    again = client.get(f"/cases/{case.uuid}/section/practice").get_data(as_text=True)
    assert 'data-task-status="done"' in again and "Sudah" in again
    # Someone else's task page is out of reach.
    stranger = app.test_client()
    login(stranger, people["dinsos_worker"].username)
    assert stranger.get(task_link).status_code == 404


def test_the_owners_queue_item_is_overdue_after_the_due_day(app, client, people, working):
    task = {"description": "Kunjungan", "owner": people["worker"].username, "due_date": "2026-12-10"}
    _record(client, working, people, tasks=[task])
    later = datetime(2026, 12, 10, 16, 0, tzinfo=UTC) + timedelta(minutes=1)
    with time_machine.travel(later, tick=False):
        listed = client.get(f"/api/v1/cases/{working['case'].uuid}/conferences", headers=working["w"])
        assert listed.json["items"][0]["tasks"][0]["overdue"] is True


def test_each_task_owner_is_told_a_partner_through_the_referral(app, client, people, working):
    task = {"description": "Canary kunjungan rumah", "due_date": "2026-12-10"}
    _record(
        client,
        working,
        people,
        tasks=[
            {**task, "owner": people["worker"].username},  # the recorder: not told of their own task
            {**task, "owner": people["colleague"].username},
            {**task, "owner": people["police_worker"].username},
            {**task, "owner": people["police_worker"].username},  # told once
        ],
    )
    with app.app_context():
        rows = db.session.scalars(db.select(Notification).where(Notification.kind == "task_assigned")).all()
        told = sorted((n.user_id, n.case_id, n.referral_id) for n in rows)
    assert told == sorted(
        [
            (people["colleague"].id, working["case"].id, None),
            (people["police_worker"].id, None, working["referral"]),
        ]
    )


def test_a_partner_s_task_leaves_them_when_the_referral_ends(app, client, people, working):
    """Once the referral is completed (or withdrawn, declined), the partner's worker no longer reads or
    completes the task, nor sees it in the queue; the owning agency's supervisor still can."""
    created = _record(client, working, people)
    theirs = created["tasks"][1]["id"]
    police_worker = _token(app, people["police_worker"])
    done = client.post(
        f"/api/v1/referrals/{working['referral']}/complete",
        json={"outcome": "provided"},
        headers=working["police"],
    )
    assert done.status_code == 200, done.json
    assert not [i for i in _queue(client, police_worker) if i["kind"] == "task"]
    late = client.post(f"/api/v1/tasks/{theirs}/complete", json={"note": "sudah"}, headers=police_worker)
    assert late.status_code == 404
    login(client, people["police_worker"].username)
    assert client.get(f"/cases/tasks/{theirs}").status_code == 404
    closed = client.post(f"/api/v1/tasks/{theirs}/complete", json={}, headers=working["s"])
    assert closed.status_code == 200 and closed.json["status"] == "done"
