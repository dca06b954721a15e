"""The UPTD PPA practice flow: honest termination (explanations, open work, supervised cancellation) and the
notifications that carry each request and its answer, through the API, the service and the browser's forms."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from caseapp.extensions import db
from caseapp.models import AuditEvent, Notification
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


def _notices(app, user) -> list[str]:
    with app.app_context():
        stmt = db.select(Notification.kind).where(Notification.user_id == user.id).order_by(Notification.id)
        return list(db.session.scalars(stmt))


@pytest.fixture
def people(make_user):
    return {
        "worker": make_user("case_worker", "UPTD_PPA"),
        "spv": make_user("supervisor", "UPTD_PPA"),
        "police_spv": make_user("supervisor", "POLRESTA"),
        "police_worker": make_user("case_worker", "POLRESTA"),
        "analyst": make_user("analyst", "UPTD_PPA"),
    }


@pytest.fixture
def working(app, client, people):
    """A case of the UPTD PPA worker, in intervention (version 3), with both sides' API headers."""
    with app.app_context():
        case = register(people["worker"])
    w, s = _token(app, people["worker"]), _token(app, people["spv"])
    assert _step(client, case.uuid, w, "start_assessment", 1).status_code == 200
    assert _step(client, case.uuid, w, "start_intervention", 2).status_code == 200
    return {"case": case, "w": w, "s": s}


def _refer(client, headers, case_id):
    body = {
        "to_agency": "POLRESTA",
        "services": ["law_enforcement"],
        "urgency": "urgent",
        "reason": "Laporan ke polisi.",
        "shared_sections": ["incident"],
        "consent": GUARDIAN_CONSENT,
    }
    response = client.post(f"/api/v1/cases/{case_id}/referrals", json=body, headers=headers)
    assert response.status_code == 201, response.json
    return response.json["id"]


def test_the_reason_other_needs_its_explanation_kept_encrypted(app, client, people, working):
    case, w = working["case"], working["w"]
    refused = _step(client, case.uuid, w, "request_closure", 3, reason="other")
    assert refused.status_code == 400 and list(refused.json["fields"]) == ["explanation"]
    blank = _step(client, case.uuid, w, "request_closure", 3, reason="other", explanation="   ")
    assert blank.status_code == 400 and "explanation" in blank.json["fields"]
    asked = _step(
        client, case.uuid, w, "request_closure", 3, reason="other", explanation="Canary keluarga pindah"
    )
    assert asked.status_code == 200, asked.json
    assert asked.json["closure_explanation"] == "Canary keluarga pindah"
    closed = _step(client, case.uuid, working["s"], "approve_closure", 4)
    assert closed.json["status"] == "closed"
    assert closed.json["closure_explanation"] == "Canary keluarga pindah"
    assert scan_for(app, ["Canary keluarga pindah"]) == []
    assert "Canary" not in json.dumps([a.details for a in _audit(app, "case.transition")])


def test_an_open_referral_blocks_closure_until_completed(app, client, people, working):
    case, w, s = working["case"], working["w"], working["s"]
    rid = _refer(client, w, case.uuid)
    assert _step(client, case.uuid, w, "request_closure", 3, reason="needs_met").status_code == 200
    refused = _step(client, case.uuid, s, "approve_closure", 4)
    assert refused.status_code == 409 and refused.json["error"] == "open_work"
    assert list(refused.json["fields"]) == ["referrals"]
    assert "POLRESTA" in refused.json["fields"]["referrals"][0]
    assert "POLRESTA" in refused.json["message"]
    # The worker may not approve at all, the police not even see the case.
    assert _step(client, case.uuid, w, "approve_closure", 4).status_code == 403
    for outsider in ("police_spv", "analyst"):
        headers = _token(app, people[outsider])
        assert _step(client, case.uuid, headers, "approve_closure", 4).status_code == 404
    # Accepted is still open; completed is done.
    police = _token(app, people["police_spv"])
    accept = {"assignee": people["police_worker"].username}
    assert client.post(f"/api/v1/referrals/{rid}/accept", json=accept, headers=police).status_code == 200
    assert _step(client, case.uuid, s, "approve_closure", 4).status_code == 409
    done = client.post(f"/api/v1/referrals/{rid}/complete", json={"outcome": "provided"}, headers=police)
    assert done.status_code == 200, done.json
    closed = _step(client, case.uuid, s, "approve_closure", 4)
    assert closed.status_code == 200 and closed.json["status"] == "closed", closed.json
    assert closed.json["closure_override"] == ""
    # Both ways: the supervisor learnt of the request, the worker of the approval.
    assert "closure_requested" in _notices(app, people["spv"])
    assert "closure_approved" in _notices(app, people["worker"])


def test_a_supervisor_overrides_open_work_with_a_reason(app, client, people, working):
    case, w, s = working["case"], working["w"], working["s"]
    _refer(client, w, case.uuid)
    _step(client, case.uuid, w, "request_closure", 3, reason="moved_away")
    why = "Canary anak pindah ke Jawa"
    overridden = _step(client, case.uuid, s, "approve_closure", 4, override_reason=why)
    assert overridden.status_code == 200, overridden.json
    assert overridden.json["status"] == "closed"
    assert overridden.json["closure_override"] == "Canary anak pindah ke Jawa"
    last = _audit(app, "case.transition")[-1]
    assert json.loads(last.details)["override"] is True and "Canary" not in last.details
    assert scan_for(app, ["Canary anak pindah ke Jawa"]) == []
    # Reopening clears the closure's texts.
    reopened = _step(client, case.uuid, s, "reopen", 5, reason="needs_not_met")
    assert reopened.json["closure_override"] == "" and reopened.json["closure_explanation"] == ""


def test_a_returned_closure_request_tells_the_worker(app, client, people, working):
    case, w, s = working["case"], working["w"], working["s"]
    _step(client, case.uuid, w, "request_closure", 3, reason="needs_met")
    returned = _step(client, case.uuid, s, "return_closure", 4)
    assert returned.status_code == 200 and returned.json["closure_requested_reason"] is None
    assert _notices(app, people["worker"]) == ["closure_returned"]
    assert _notices(app, people["spv"]) == ["closure_requested"]


def test_a_case_worker_cancellation_is_a_request_a_supervisor_approves(app, client, people):
    with app.app_context():
        case = register(people["worker"])
        other = register(people["worker"], child__name="Anak Kedua")
    w, s = _token(app, people["worker"]), _token(app, people["spv"])
    denied = _step(client, case.uuid, w, "cancel", 1, reason="duplicate")
    assert denied.status_code == 403
    assert any(json.loads(a.details)["permission"] == "case:close:approve" for a in _audit(app, "authz.deny"))
    assert _step(client, case.uuid, w, "request_cancellation", 1).status_code == 400  # a reason is needed
    asked = _step(client, case.uuid, w, "request_cancellation", 1, reason="duplicate")
    assert asked.status_code == 200 and asked.json["status"] == "new", asked.json
    assert asked.json["cancel_requested_reason"] == "duplicate"
    assert "request_cancellation" not in asked.json["actions"]
    assert _step(client, case.uuid, w, "approve_cancellation", 2).status_code == 403
    assert _notices(app, people["spv"]) == ["cancellation_requested"]
    approved = _step(client, case.uuid, s, "approve_cancellation", 2)
    assert approved.json["status"] == "cancelled" and approved.json["cancel_reason"] == "duplicate"
    assert approved.json["cancel_requested_reason"] is None
    assert _notices(app, people["worker"]) == ["cancellation_approved"]
    # Returned: the case carries on.
    _step(client, other.uuid, w, "request_cancellation", 1, reason="not_a_case")
    back = _step(client, other.uuid, s, "return_cancellation", 2)
    assert back.json["status"] == "new" and back.json["cancel_requested_reason"] is None
    assert _notices(app, people["worker"])[-1] == "cancellation_returned"
    # A supervisor cancels at once.
    assert _step(client, other.uuid, s, "cancel", 3, reason="not_a_case").json["status"] == "cancelled"


def test_the_case_page_shows_open_work_and_takes_an_override(app, client, people, working):
    case, w = working["case"], working["w"]
    _refer(client, w, case.uuid)
    _step(client, case.uuid, w, "request_closure", 3, reason="needs_met")
    login(client, people["spv"].username)
    page = client.get(f"/cases/{case.uuid}").get_data(as_text=True)
    assert 'data-testid="open-work"' in page and "POLRESTA" in page
    assert 'name="override_reason"' in page and "data-confirm=" in page
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    form = {"csrf_token": token, "action": "approve_closure", "version": "4"}
    refused = client.post(f"/cases/{case.uuid}/transition", data=form, follow_redirects=True)
    assert "POLRESTA" in refused.get_data(as_text=True)
    again = client.get(f"/api/v1/cases/{case.uuid}", headers=working["s"]).json
    assert again["status"] == "intervention"
    form["override_reason"] = "Keluarga pindah"
    done = client.post(f"/cases/{case.uuid}/transition", data=form, follow_redirects=True)
    text = done.get_data(as_text=True)
    assert 'data-testid="closed"' in text and "Keluarga pindah" in text


def test_the_worker_asks_for_closure_from_the_page(app, client, people, working):
    case = working["case"]
    login(client, people["worker"].username)
    page = client.get(f"/cases/{case.uuid}").get_data(as_text=True)
    assert 'name="explanation"' in page
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    form = {"csrf_token": token, "action": "request_closure", "version": "3", "reason": "other"}
    refused = client.post(f"/cases/{case.uuid}/transition", data=form, follow_redirects=True)
    assert "“Other”" in refused.get_data(as_text=True) or "Lainnya" in refused.get_data(as_text=True)
    form["explanation"] = "Anak sudah aman"
    asked = client.post(f"/cases/{case.uuid}/transition", data=form, follow_redirects=True)
    assert 'data-testid="closure-request"' in asked.get_data(as_text=True)
    supervisor = app.test_client()
    login(supervisor, people["spv"].username)
    bell = supervisor.get("/notifications").get_data(as_text=True)
    assert case.case_number in bell


# The work queue ---------------------------------------------------------------------------------------------


def _queue(client, headers) -> list[dict]:
    response = client.get("/api/v1/queue", headers=headers)
    assert response.status_code == 200, response.json
    return response.json["items"]


def test_the_queue_carries_requests_first_contacts_and_referrals(app, client, people, working):
    case, w, s = working["case"], working["w"], working["s"]
    police = _token(app, people["police_spv"])
    # The worker's new case waits for its first contact.
    mine = _queue(client, w)
    assert [(i["kind"], i["case_id"], i["link"]) for i in mine] == [
        ("first_contact_due", str(case.uuid), f"/cases/{case.uuid}")
    ]
    assert mine[0]["due_at"] and mine[0]["overdue"] is False
    rid = _refer(client, w, case.uuid)
    answer = [i for i in _queue(client, police) if i["kind"] == "referral_to_answer"]
    assert answer == [
        {
            "kind": "referral_to_answer",
            "case_id": None,  # the receiving agency reads the case only through the referral
            "case_number": case.case_number,
            "referral_id": rid,
            "complaint_id": None,
            "task_id": None,
            "description": None,
            "since": answer[0]["since"],
            "due_at": answer[0]["due_at"],
            "overdue": False,
            "link": f"/referrals/{rid}",
        }
    ]
    assert _queue(client, _token(app, people["police_worker"])) == []  # the supervisor answers the inbox
    _step(client, case.uuid, w, "request_closure", 3, reason="needs_met")
    waiting = [i for i in _queue(client, s) if i["kind"] == "closure_to_approve"]
    assert [i["case_id"] for i in waiting] == [str(case.uuid)] and waiting[0]["due_at"] is None
    assert not [i for i in _queue(client, w) if i["kind"] == "closure_to_approve"]
    _step(client, case.uuid, s, "return_closure", 4)
    assert not [i for i in _queue(client, s) if i["kind"] == "closure_to_approve"]
    assert _queue(client, _token(app, people["analyst"])) == []
    assert client.get("/api/v1/queue").status_code == 401


def test_an_unanswered_referral_comes_back_to_its_sender_overdue(app, client, people, working):
    case, w = working["case"], working["w"]
    rid = _refer(client, w, case.uuid)
    with time_machine.travel(datetime.now(UTC) + timedelta(days=5), tick=False):
        items = {i["kind"]: i for i in _queue(client, w)}
        assert items["referral_overdue"]["referral_id"] == rid and items["referral_overdue"]["overdue"]
        assert items["referral_overdue"]["case_id"] == str(case.uuid)
        assert list(items)[0] in ("first_contact_due", "referral_overdue")  # overdue first


def test_the_home_page_shows_the_queue_of_each_role(app, client, people):
    with app.app_context():
        case = register(people["worker"])
    w = _token(app, people["worker"])
    _step(client, case.uuid, w, "request_cancellation", 1, reason="duplicate")
    login(client, people["spv"].username)
    home = client.get("/").get_data(as_text=True)
    assert 'data-kind="cancellation_to_approve"' in home and case.case_number in home
    assert "Pembatalan menunggu persetujuan" in home  # the item's label, in the default language
    worker = app.test_client()
    login(worker, people["worker"].username)
    assert 'data-kind="first_contact_due"' in worker.get("/").get_data(as_text=True)
    analyst = app.test_client()
    login(analyst, people["analyst"].username)
    assert 'data-testid="queue-empty"' in analyst.get("/").get_data(as_text=True)


# Assessments ------------------------------------------------------------------------------------------------

ASSESSMENT = {
    "perpetrator_has_access": "yes",
    "safe_tonight": "no",
    "needs": ["health", "psychological", "health"],
    "risk_level": "high",
    "risk_reasons": "Canary pelaku tinggal serumah",
    "summary": "Canary ringkasan asesmen",
}


def test_an_assessment_is_recorded_encrypted_revised_and_reviewed(app, client, people, working):
    case, w, s = working["case"], working["w"], working["s"]
    created = client.post(f"/api/v1/cases/{case.uuid}/assessments", json=ASSESSMENT, headers=w)
    assert created.status_code == 201, created.json
    first = created.json
    assert first["needs"] == ["health", "psychological"] and first["reviewed_by"] is None
    assert first["summary"] == "Canary ringkasan asesmen"
    assert scan_for(app, ["Canary pelaku tinggal serumah", "Canary ringkasan asesmen"]) == []
    entries = _audit(app, "assessment.create")
    assert len(entries) == 1 and "Canary" not in entries[0].details
    assert json.loads(entries[0].details)["risk_level"] == "high"
    # A revision: the newest comes first.
    revised = {**ASSESSMENT, "safe_tonight": "yes", "risk_level": "medium", "summary": "Anak di rumah nenek"}
    client.post(f"/api/v1/cases/{case.uuid}/assessments", json=revised, headers=w)
    listed = client.get(f"/api/v1/cases/{case.uuid}/assessments", headers=w).json["items"]
    assert [a["risk_level"] for a in listed] == ["medium", "high"]
    # Review: a supervisor of the owning agency, once; a worker 403, another agency 404.
    newest = listed[0]["id"]
    waiting = [i for i in _queue(client, s) if i["kind"] == "assessment_to_review"]
    # The newest only, on the case's practice page.
    assert [i["link"] for i in waiting] == [f"/cases/{case.uuid}/section/practice#assessment"]
    assert client.post(f"/api/v1/assessments/{newest}/review", headers=w).status_code == 403
    police = _token(app, people["police_spv"])
    assert client.post(f"/api/v1/assessments/{newest}/review", headers=police).status_code == 404
    reviewed = client.post(f"/api/v1/assessments/{newest}/review", headers=s)
    assert reviewed.status_code == 200 and reviewed.json["reviewed_by"] == people["spv"].username
    assert client.post(f"/api/v1/assessments/{newest}/review", headers=s).status_code == 409
    assert len(_audit(app, "assessment.review")) == 1
    assert not [i for i in _queue(client, s) if i["kind"] == "assessment_to_review"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"summary": "  "}, "summary"),
        ({"risk_level": "extreme"}, "risk_level"),
        ({"safe_tonight": None}, "safe_tonight"),
        ({"needs": ["money"]}, "needs.0"),
    ],
)
def test_a_bad_assessment_is_400_naming_the_field(app, client, people, working, change, field):
    body = {**ASSESSMENT, **change}
    response = client.post(
        f"/api/v1/cases/{working['case'].uuid}/assessments", json=body, headers=working["w"]
    )
    assert response.status_code == 400 and field in response.json["fields"], response.json


def test_assessments_outside_scope_or_on_a_closed_case(app, client, people, working):
    case = working["case"]
    for who in ("police_spv", "analyst"):
        headers = _token(app, people[who])
        assert client.post(
            f"/api/v1/cases/{case.uuid}/assessments", json=ASSESSMENT, headers=headers
        ).status_code in (
            403,
            404,
        )
        assert client.get(f"/api/v1/cases/{case.uuid}/assessments", headers=headers).status_code in (403, 404)
    _step(client, case.uuid, working["w"], "request_closure", 3, reason="needs_met")
    _step(client, case.uuid, working["s"], "approve_closure", 4)
    closed = client.post(f"/api/v1/cases/{case.uuid}/assessments", json=ASSESSMENT, headers=working["w"])
    assert closed.status_code == 409


def test_the_case_page_assesses_keeps_a_refused_form_and_reviews(app, client, people, working):
    case = working["case"]
    login(client, people["worker"].username)
    page = client.get(f"/cases/{case.uuid}/section/practice").get_data(as_text=True)
    assert 'id="assessment"' in page
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    form = {
        "csrf_token": token,
        "assessment-perpetrator_has_access": "yes",
        "assessment-safe_tonight": "no",
        "assessment-needs": ["legal", "family"],
        "assessment-risk_level": "high",
        "assessment-risk_reasons": "Pelaku masih di rumah",
        "assessment-summary": "",
    }
    refused = client.post(f"/cases/{case.uuid}/assessments", data=form)
    assert refused.status_code == 400
    text = refused.get_data(as_text=True)
    assert "Pelaku masih di rumah" in text and "ringkasan" in text.lower()
    form["assessment-summary"] = "Anak perlu pendampingan hukum"
    saved = client.post(f"/cases/{case.uuid}/assessments", data=form, follow_redirects=True)
    assert 'data-testid="assessment"' in saved.get_data(as_text=True)
    assert "Anak perlu pendampingan hukum" in saved.get_data(as_text=True)
    supervisor = app.test_client()
    login(supervisor, people["spv"].username)
    page = supervisor.get(f"/cases/{case.uuid}/section/practice").get_data(as_text=True)
    action = re.search(r'action="(/cases/[^"]+/review)"', page).group(1)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    done = supervisor.post(action, data={"csrf_token": token}, follow_redirects=True)
    assert 'data-testid="assessment-reviewed"' in done.get_data(as_text=True)


# Care plans -------------------------------------------------------------------------------------------------


def _plan(**changes):
    body = {
        "goals": [
            {
                "goal": "Canary anak kembali sekolah",
                "services": ["health", "social_rehabilitation"],
                "agency": "UPTD_PPA",
                "due_date": "2027-01-15",
            },
            {
                "goal": "Laporan polisi diproses",
                "services": [],
                "agency": "POLRESTA",
                "due_date": "2027-02-01",
            },
        ],
        "review_date": "2027-01-31",
        "safety_plan": "Canary anak tinggal dengan nenek",
    }
    body.update(changes)
    return body


def test_a_care_plan_is_approved_by_a_supervisor_and_blocks_closure_until_then(app, client, people, working):
    case, w, s = working["case"], working["w"], working["s"]
    created = client.post(f"/api/v1/cases/{case.uuid}/care-plans", json=_plan(), headers=w)
    assert created.status_code == 201, created.json
    plan = created.json
    assert plan["status"] == "pending" and [g["agency"] for g in plan["goals"]] == ["UPTD_PPA", "POLRESTA"]
    assert scan_for(app, ["Canary anak kembali sekolah", "Canary anak tinggal dengan nenek"]) == []
    assert _notices(app, people["spv"]) == ["care_plan_submitted"]
    assert [i["kind"] for i in _queue(client, s)] == ["care_plan_to_approve"]
    # Not approved: the case cannot be closed.
    _step(client, case.uuid, w, "request_closure", 3, reason="needs_met")
    refused = _step(client, case.uuid, s, "approve_closure", 4)
    assert refused.status_code == 409 and list(refused.json["fields"]) == ["care_plans"]
    _step(client, case.uuid, s, "return_closure", 4)
    # A case worker may not approve; another agency does not see it.
    assert client.post(f"/api/v1/care-plans/{plan['id']}/approve", headers=w).status_code == 403
    police = _token(app, people["police_spv"])
    assert client.post(f"/api/v1/care-plans/{plan['id']}/approve", headers=police).status_code == 404
    approved = client.post(f"/api/v1/care-plans/{plan['id']}/approve", headers=s)
    assert approved.status_code == 200 and approved.json["status"] == "approved"
    assert approved.json["decided_by"] == people["spv"].username
    assert client.post(f"/api/v1/care-plans/{plan['id']}/approve", headers=s).status_code == 409
    assert _notices(app, people["worker"])[-1] == "care_plan_approved"
    assert [e.action for e in _audit(app, "care_plan.approve")] == ["care_plan.approve"]
    _step(client, case.uuid, w, "request_closure", 5, reason="needs_met")
    assert _step(client, case.uuid, s, "approve_closure", 6).json["status"] == "closed"


def test_a_returned_care_plan_carries_its_comment_and_a_review_falls_due(app, client, people, working):
    case, w, s = working["case"], working["w"], working["s"]
    plan = client.post(f"/api/v1/cases/{case.uuid}/care-plans", json=_plan(), headers=w).json
    blank = client.post(f"/api/v1/care-plans/{plan['id']}/return", json={"comment": " "}, headers=s)
    assert blank.status_code == 400 and "comment" in blank.json["fields"]
    returned = client.post(
        f"/api/v1/care-plans/{plan['id']}/return", json={"comment": "Tambah layanan"}, headers=s
    )
    assert returned.json["status"] == "returned" and returned.json["comment"] == "Tambah layanan"
    assert _notices(app, people["worker"]) == ["care_plan_returned"]
    assert "care_plan_returned" in [i["kind"] for i in _queue(client, w)]
    again = client.post(
        f"/api/v1/cases/{case.uuid}/care-plans", json=_plan(review_date="2026-12-05"), headers=w
    )
    client.post(f"/api/v1/care-plans/{again.json['id']}/approve", headers=s)
    with time_machine.travel("2026-12-10 08:00:00", tick=False):
        listed = client.get(f"/api/v1/cases/{case.uuid}/care-plans", headers=w).json["items"]
        assert [p["status"] for p in listed] == ["approved", "returned"] and listed[0]["review_overdue"]
        for headers in (w, s):
            overdue = [i for i in _queue(client, headers) if i["kind"] == "care_plan_review_overdue"]
            assert overdue and overdue[0]["overdue"], headers


def test_an_overdue_care_plan_review_is_reminded_once_a_day_by_the_job(app, client, people, working):
    from caseapp.jobs.tasks import run_job

    case, w, s = working["case"], working["w"], working["s"]
    plan = client.post(
        f"/api/v1/cases/{case.uuid}/care-plans", json=_plan(review_date="2026-12-05"), headers=w
    ).json
    client.post(f"/api/v1/care-plans/{plan['id']}/approve", headers=s)
    before = {who: len(_notices(app, people[who])) for who in ("worker", "spv")}
    with app.app_context():
        with time_machine.travel("2026-12-05 08:00:00", tick=False):
            assert run_job("care_plans.remind") == "reminded 0"  # due today (Kendari): not yet overdue
        with time_machine.travel("2026-12-06 01:00:00", tick=False):
            assert run_job("care_plans.remind") == "reminded 1"
            assert run_job("care_plans.remind") == "reminded 0"  # once a day
        with time_machine.travel("2026-12-07 01:00:00", tick=False):
            assert run_job("care_plans.remind") == "reminded 1"
    for who in ("worker", "spv"):
        assert _notices(app, people[who])[before[who] :] == ["care_plan_review_due"] * 2, who
    entries = _audit(app, "care_plan.remind")
    assert len(entries) == 2 and json.loads(entries[0].details)["review_date"] == "2026-12-05"
    # A new plan waiting for approval replaces it: no more reminders of the old one's review.
    client.post(f"/api/v1/cases/{case.uuid}/care-plans", json=_plan(), headers=w)
    with app.app_context(), time_machine.travel("2026-12-08 01:00:00", tick=False):
        assert run_job("care_plans.remind") == "reminded 0"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"goals": []}, "goals"),
        ({"review_date": "31-01-2027"}, "review_date"),
        (
            {"goals": [{"goal": "", "services": [], "agency": "UPTD_PPA", "due_date": "2027-01-01"}]},
            "goals.0.goal",
        ),
        (
            {"goals": [{"goal": "x", "services": ["nope"], "agency": "UPTD_PPA", "due_date": "2027-01-01"}]},
            "goals.0.services",
        ),
        (
            {"goals": [{"goal": "x", "services": [], "agency": "NOPE", "due_date": "2027-01-01"}]},
            "goals.0.agency",
        ),
    ],
)
def test_a_bad_care_plan_is_400_naming_the_field(app, client, working, change, field):
    response = client.post(
        f"/api/v1/cases/{working['case'].uuid}/care-plans", json=_plan(**change), headers=working["w"]
    )
    assert response.status_code == 400, response.json
    assert any(k.startswith(field) for k in response.json["fields"]), response.json


def test_the_case_page_plans_and_the_supervisor_approves(app, client, people, working):
    case = working["case"]
    login(client, people["worker"].username)
    page = client.get(f"/cases/{case.uuid}/section/practice").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    form = {
        "csrf_token": token,
        "plan-goals-0-goal": "Anak kembali sekolah",
        "plan-goals-0-services": ["health"],
        "plan-goals-0-agency": "UPTD_PPA",
        "plan-goals-0-due_date": "",
        "plan-review_date": "2027-01-31",
    }
    refused = client.post(f"/cases/{case.uuid}/care-plans", data=form)
    assert refused.status_code == 400 and "Anak kembali sekolah" in refused.get_data(as_text=True)
    form["plan-goals-0-due_date"] = "2027-01-15"
    saved = client.post(f"/cases/{case.uuid}/care-plans", data=form, follow_redirects=True)
    assert 'data-status="pending"' in saved.get_data(as_text=True)
    supervisor = app.test_client()
    login(supervisor, people["spv"].username)
    page = supervisor.get(f"/cases/{case.uuid}/section/practice").get_data(as_text=True)
    action = re.search(r'action="(/cases/[^"]+/approve)"', page).group(1)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    done = supervisor.post(action, data={"csrf_token": token}, follow_redirects=True)
    assert 'data-status="approved"' in done.get_data(as_text=True)
