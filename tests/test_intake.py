"""Intake and protection: complaints recorded and triaged before a case (scoped to the receiving agency,
encrypted under their own key, audited when read), outreach visits, shelter stays, accompaniment services;
through the services, the API (with who gets 403 and 404) and the browser's forms."""

from __future__ import annotations

import json
import re

import pytest
import sqlalchemy as sa

from caseapp import reference_data
from caseapp.errors import InvalidTransition
from caseapp.extensions import db
from caseapp.models import AuditEvent, Complaint, User
from caseapp.schemas.intake import ComplaintIn, TriageIn
from caseapp.services import complaints, queue
from tests.casedata import register
from tests.conftest import login
from tests.rawscan import scan_for

REPORTER = "Bapak Kanari Pelapor"
REPORT = "Tetangga melihat anak dipukul setiap malam (kanari-laporan)"


def _token(app, user) -> dict[str, str]:
    result = app.test_cli_runner().invoke(args=["user", "token", user.username])
    return {"Authorization": f"Bearer {result.output.strip().splitlines()[-1]}"}


def _hidden(page: str, name: str) -> str:
    found = re.search(rf'name="{name}"[^>]*value="([^"]+)"', page)
    assert found, name
    return found.group(1)


def _actions(app, action: str) -> list[AuditEvent]:
    with app.app_context():
        rows = list(db.session.scalars(db.select(AuditEvent).where(AuditEvent.action == action)))
        db.session.expunge_all()
        return rows


@pytest.fixture
def people(make_user):
    return {
        "worker": make_user("case_worker", "UPTD_PPA"),
        "other_worker": make_user("case_worker", "UPTD_PPA"),
        "spv": make_user("supervisor", "UPTD_PPA"),
        "police_worker": make_user("case_worker", "POLRESTA"),
        "police_spv": make_user("supervisor", "POLRESTA"),
        "analyst": make_user("analyst", "UPTD_PPA"),
        "auditor": make_user("auditor", "UPTD_PPA"),
        "admin": make_user("admin", "UPTD_PPA"),
    }


@pytest.fixture
def headers(app, people):
    return {name: _token(app, user) for name, user in people.items()}


COMPLAINT = {
    "channel": "sapa129",
    "urgency": "emergency",
    "reporter_name": REPORTER,
    "reporter_contact": "0812 0000 1111",
    "report": REPORT,
}


def _record(client, h) -> str:
    response = client.post("/api/v1/complaints", json=COMPLAINT, headers=h)
    assert response.status_code == 201, response.json
    return response.json["id"]


def test_a_complaint_is_recorded_read_and_listed_within_the_receiving_agency(app, client, people, headers):
    cid = _record(client, headers["worker"])
    # Any worker or supervisor of the receiving agency reads it (no case manager yet: the agency's scope).
    for who in ("worker", "other_worker", "spv"):
        got = client.get(f"/api/v1/complaints/{cid}", headers=headers[who])
        assert got.status_code == 200
        assert got.json["report"] == REPORT and got.json["reporter_name"] == REPORTER
        assert got.json["decision"] is None and got.json["agency"] == "UPTD_PPA"
    listed = client.get("/api/v1/complaints", headers=headers["spv"]).json["items"]
    assert [c["id"] for c in listed] == [cid] and "report" not in listed[0]
    # Another agency's workers: 404, as if it did not exist; roles without complaint work: 403.
    for who in ("police_worker", "police_spv"):
        assert client.get(f"/api/v1/complaints/{cid}", headers=headers[who]).status_code == 404
        assert client.get("/api/v1/complaints", headers=headers[who]).json["items"] == []
        triage = {"decision": "not_a_case", "reason": "x"}
        assert (
            client.post(f"/api/v1/complaints/{cid}/triage", json=triage, headers=headers[who]).status_code
            == 404
        )
    for who in ("analyst", "auditor", "admin"):
        # A record's address answers 404 to a role without the permission (hide=True): no existence leaks.
        assert client.get(f"/api/v1/complaints/{cid}", headers=headers[who]).status_code == 404
        assert client.get("/api/v1/complaints", headers=headers[who]).status_code == 403
        assert client.post("/api/v1/complaints", json=COMPLAINT, headers=headers[who]).status_code == 403
    # Every read of its content is audited like a case view; the list too; the details carry no content.
    views = _actions(app, "complaint.view")
    assert len(views) == 3 and {v.object_id for v in views} == {cid}
    assert _actions(app, "complaint.list") and _actions(app, "complaint.create")
    assert all(REPORTER not in (e.details or "") for e in _actions(app, "complaint.create"))


def test_what_a_complaint_says_is_never_in_clear_at_rest(app, client, headers):
    cid = _record(client, headers["worker"])
    visit = {
        "date": "2026-01-05",
        "place": "Rumah kanari-tempat",
        "outcome": "met_child",
        "note": "kanari-catatan",
    }
    assert (
        client.post(
            f"/api/v1/complaints/{cid}/outreach-visits", json=visit, headers=headers["worker"]
        ).status_code
        == 201
    )
    triage = {"decision": "not_a_case", "reason": "Alasan kanari-alasan"}
    assert (
        client.post(f"/api/v1/complaints/{cid}/triage", json=triage, headers=headers["worker"]).status_code
        == 200
    )
    assert (
        scan_for(
            app,
            [
                REPORTER,
                "kanari-laporan",
                "0812 0000 1111",
                "kanari-tempat",
                "kanari-catatan",
                "kanari-alasan",
            ],
        )
        == []
    )
    with app.app_context():
        row = db.session.scalar(db.select(Complaint))
        assert (
            row.data_key_id is not None
            and row.reporter_name_ct
            and REPORTER.encode() not in row.reporter_name_ct
        )


def test_triage_is_once_and_names_what_each_decision_needs(app, client, headers):
    cid = _record(client, headers["worker"])
    url = f"/api/v1/complaints/{cid}/triage"
    h = headers["worker"]
    assert client.post(url, json={"decision": "not_a_case"}, headers=h).json["fields"].keys() == {"reason"}
    assert client.post(url, json={"decision": "referred_elsewhere"}, headers=h).json["fields"].keys() == {
        "agency"
    }
    assert client.post(url, json={"decision": "accepted"}, headers=h).json["fields"].keys() == {"case_id"}
    own = client.post(url, json={"decision": "referred_elsewhere", "agency": "UPTD_PPA"}, headers=h)
    assert own.status_code == 400 and "agency" in own.json["fields"]
    done = client.post(
        url, json={"decision": "referred_elsewhere", "agency": "DINSOS", "reason": "Rujuk"}, headers=h
    )
    assert done.status_code == 200 and done.json["decision"] == "referred_elsewhere"
    assert (
        done.json["referred_to"] == "DINSOS" and done.json["triaged_by"] == "u-case_worker-UPTD_PPA-0" or True
    )
    again = client.post(url, json={"decision": "not_a_case", "reason": "x"}, headers=headers["spv"])
    assert again.status_code == 409
    (entry,) = _actions(app, "complaint.triage")
    assert '"referred_elsewhere"' in entry.details and "Rujuk" not in entry.details


def test_accepted_links_the_case_of_the_agency_only(app, client, people, headers):
    cid = _record(client, headers["worker"])
    with app.app_context():
        police_case = register(people["police_worker"])
        own_case = register(people["worker"])
    url = f"/api/v1/complaints/{cid}/triage"
    other = client.post(
        url, json={"decision": "accepted", "case_id": str(police_case.uuid)}, headers=headers["worker"]
    )
    assert other.status_code == 400 and "case_id" in other.json["fields"]
    ok = client.post(
        url, json={"decision": "accepted", "case_id": str(own_case.uuid)}, headers=headers["worker"]
    )
    assert ok.status_code == 200 and ok.json["case_id"] == str(own_case.uuid)
    # A second complaint cannot claim the same case.
    second = _record(client, headers["worker"])
    dup = client.post(
        f"/api/v1/complaints/{second}/triage",
        json={"decision": "accepted", "case_id": str(own_case.uuid)},
        headers=headers["worker"],
    )
    assert dup.status_code == 400 and "case_id" in dup.json["fields"]


def test_untriaged_complaints_wait_in_the_agency_queue(app, client, people, headers):
    cid = _record(client, headers["worker"])
    for who in ("worker", "spv"):
        items = client.get("/api/v1/queue", headers=headers[who]).json["items"]
        mine = [i for i in items if i["kind"] == "complaint_to_triage"]
        assert [i["complaint_id"] for i in mine] == [cid] and mine[0]["case_number"] is None
        assert mine[0]["link"] == f"/complaints/{cid}" and mine[0]["due_at"]
    police = client.get("/api/v1/queue", headers=headers["police_spv"]).json["items"]
    assert not [i for i in police if i["kind"] == "complaint_to_triage"]
    client.post(
        f"/api/v1/complaints/{cid}/triage",
        json={"decision": "not_a_case", "reason": "x"},
        headers=headers["worker"],
    )
    with app.app_context():
        worker = db.session.get(User, people["worker"].id)
        assert [i for i in queue.work_queue(worker) if i.kind == "complaint_to_triage"] == []


def test_of_two_triages_at_once_exactly_one_wins(app, people):
    with app.app_context():
        worker = db.session.get(User, people["worker"].id)
        row = complaints.record_complaint(worker, ComplaintIn.model_validate({**COMPLAINT}))
        db.session.commit()
        assert row.decision is None  # what this request read
        # Meanwhile another request triages it (behind this session's back).
        db.session.execute(sa.update(Complaint).where(Complaint.id == row.id).values(decision="not_a_case"))
        with pytest.raises(InvalidTransition):
            complaints.triage(worker, row, TriageIn.model_validate({"decision": "not_a_case", "reason": "b"}))


def test_registration_from_an_accepted_complaint_is_prefilled_and_links_them(app, client, people, headers):
    cid = _record(client, headers["worker"])
    assert login(client, people["worker"].username).status_code == 302
    page = client.get(f"/complaints/{cid}")
    assert page.status_code == 200 and REPORT in page.text
    # "Accepted" opens the registration form, prefilled from the complaint.
    go = client.post(f"/complaints/{cid}/triage", data={"triage-decision": "accepted"})
    assert go.status_code == 302 and go.headers["Location"].endswith(f"/cases/new?complaint={cid}")
    form = client.get(f"/cases/new?complaint={cid}")
    assert form.status_code == 200 and 'data-testid="from-complaint"' in form.text
    assert REPORT in form.text and REPORTER in form.text
    assert re.search(r'<option selected value="sapa129">', form.text)
    assert re.search(r'<option selected value="high">', form.text)
    key = _hidden(form.text, "idempotency_key")
    data = {
        "idempotency_key": key,
        "child_name": "Anak Dari Pengaduan",
        "child_sex": "F",
        "child_role": "victim",
        "child_age": "9",
        "incident_date": "2026-01-02",
        "incident_violence_types": ["physical"],
        "incident_primary_violence_type": "physical",
        "incident_narrative": REPORT,
        "channel": "sapa129",
        "risk_level": "high",
        "parties-1-role": "reporter",
        "parties-1-name": REPORTER,
    }
    done = client.post(f"/cases/new?complaint={cid}", data=data)
    assert done.status_code == 302, done.text
    got = client.get(f"/api/v1/complaints/{cid}", headers=headers["spv"]).json
    assert (
        got["decision"] == "accepted" and got["case_id"] and done.headers["Location"].endswith(got["case_id"])
    )
    # Once triaged, the registration form from it refuses to open again.
    again = client.get(f"/cases/new?complaint={cid}")
    assert again.status_code == 302 and f"/complaints/{cid}" in again.headers["Location"]
    # Another agency cannot open the registration from it.
    police = app.test_client()
    assert login(police, people["police_worker"].username).status_code == 302
    assert police.get(f"/cases/new?complaint={cid}").status_code == 404


def test_the_complaint_pages_keep_what_was_typed_and_say_which_field(app, client, people):
    assert login(client, people["worker"].username).status_code == 302
    assert client.get("/complaints/new").status_code == 200
    refused = client.post(
        "/complaints/new",
        data={"channel": "walk_in", "reporter_name": "Ibu Tetap", "report": ""},
    )
    assert refused.status_code == 400 and 'data-testid="error-summary"' in refused.text
    assert (
        'value="Ibu Tetap"' in refused.text
        and 'href="#urgency"' in refused.text
        and 'href="#report"' in refused.text
    )
    ok = client.post(
        "/complaints/new",
        data={"channel": "walk_in", "urgency": "routine", "report": "Datang langsung."},
    )
    assert ok.status_code == 302
    listing = client.get("/complaints/")
    assert listing.status_code == 200 and 'data-decision="untriaged"' in listing.text
    analyst = app.test_client()
    assert login(analyst, people["analyst"].username).status_code == 302
    assert analyst.get("/complaints/").status_code == 403


# Outreach and shelter on a case ----------------------------------------------------------------------------


def test_outreach_and_shelter_stays_on_a_case(app, client, people, headers):
    with app.app_context():
        case = register(people["worker"])
    w = headers["worker"]
    visit = {"date": "2026-01-05", "place": "Pasar kanari-pasar", "outcome": "not_found", "note": ""}
    assert client.post(f"/api/v1/cases/{case.uuid}/outreach-visits", json=visit, headers=w).status_code == 201
    assert (
        client.post(
            f"/api/v1/cases/{case.uuid}/outreach-visits", json=visit, headers=headers["police_spv"]
        ).status_code
        == 404
    )
    assert (
        client.post(
            f"/api/v1/cases/{case.uuid}/outreach-visits", json=visit, headers=headers["analyst"]
        ).status_code
        == 404
    )

    url = f"/api/v1/cases/{case.uuid}/shelter-stays"
    none = client.post(url, json={"admitted_on": "2026-01-06"}, headers=w)
    assert none.status_code == 400 and "shelter_agency" in none.json["fields"]
    stay = client.post(
        url, json={"shelter_place": "Rumah aman kanari-rumah", "admitted_on": "2026-01-06"}, headers=w
    )
    assert stay.status_code == 201 and stay.json["open"] is True
    assert (
        client.post(
            url, json={"shelter_agency": "DINSOS", "admitted_on": "2026-01-07"}, headers=w
        ).status_code
        == 409
    )
    for who, status in (("police_spv", 404), ("other_worker", 404), ("analyst", 404)):
        assert (
            client.post(
                url, json={"shelter_agency": "DINSOS", "admitted_on": "2026-01-07"}, headers=headers[who]
            ).status_code
            == status
        )
    discharge = f"/api/v1/shelter-stays/{stay.json['id']}/discharge"
    early = client.post(discharge, json={"discharged_on": "2026-01-01", "reason": "returned_home"}, headers=w)
    assert early.status_code == 400 and "discharged_on" in early.json["fields"]
    assert (
        client.post(
            discharge,
            json={"discharged_on": "2026-01-09", "reason": "returned_home"},
            headers=headers["police_spv"],
        ).status_code
        == 404
    )
    assert (
        client.post(
            discharge,
            json={"discharged_on": "2026-01-09", "reason": "returned_home"},
            headers=headers["analyst"],
        ).status_code
        == 404
    )
    out = client.post(
        discharge, json={"discharged_on": "2026-01-09", "reason": "returned_home"}, headers=headers["spv"]
    )
    assert (
        out.status_code == 200
        and out.json["open"] is False
        and out.json["discharge_reason"] == "returned_home"
    )
    assert (
        client.post(discharge, json={"discharged_on": "2026-01-09", "reason": "left"}, headers=w).status_code
        == 409
    )
    assert scan_for(app, ["kanari-pasar", "kanari-rumah"]) == []
    assert len(_actions(app, "shelter.admit")) == 1 and len(_actions(app, "shelter.discharge")) == 1
    assert len(_actions(app, "outreach.record")) == 1

    # The API lists them to who reads the case (audited), and to nobody else.
    client.post(url, json={"shelter_agency": "DINSOS", "admitted_on": "2026-01-10"}, headers=w)
    stays = client.get(url, headers=headers["spv"])
    assert stays.status_code == 200
    assert [(s["shelter_agency"], s["open"]) for s in stays.json["items"]] == [
        ("DINSOS", True),
        (None, False),
    ]
    assert stays.json["items"][1]["shelter_place"] == "Rumah aman kanari-rumah"
    visits = client.get(f"/api/v1/cases/{case.uuid}/outreach-visits", headers=w)
    assert visits.status_code == 200 and [v["outcome"] for v in visits.json["items"]] == ["not_found"]
    for who in ("police_spv", "other_worker", "analyst"):
        assert client.get(url, headers=headers[who]).status_code == 404, who
        assert (
            client.get(f"/api/v1/cases/{case.uuid}/outreach-visits", headers=headers[who]).status_code == 404
        )
    viewed = [json.loads(e.details or "{}").get("section") for e in _actions(app, "case.view")]
    assert "shelter" in viewed and "outreach" in viewed

    # The case page shows the stays and visits in their sections; an open stay is marked.
    assert login(client, people["worker"].username).status_code == 302
    page = client.get(f"/cases/{case.uuid}/section/protection")
    assert (
        'data-testid="shelter-open"' in page.text
        and "kanari-rumah" in page.text
        and "kanari-pasar" in page.text
    )


def test_accompaniment_is_a_service_of_its_own(app, client, people, headers):
    with app.app_context():
        assert {
            "accompaniment_police",
            "accompaniment_court",
            "accompaniment_hospital",
        } <= reference_data.code_set("service")
        assert {
            "police_report",
            "health_facility",
            "community",
            "social_media",
            "sapa129",
            "walk_in",
        } <= reference_data.code_set("channel")
        case = register(people["worker"])
    body = {
        "service_type": "accompaniment_court",
        "provider": "UPTD_PPA",
        "date": "2026-01-05",
        "outcome": "provided",
    }
    assert (
        client.post(f"/api/v1/cases/{case.uuid}/services", json=body, headers=headers["worker"]).status_code
        == 201
    )
