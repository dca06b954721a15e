"""One incident, several children: registration as part of an incident, linking later, the case page, and
what the recap counts (incidents, victims and perpetrators apart)."""

from __future__ import annotations

import json

import pytest
import time_machine

from caseapp.extensions import db
from caseapp.models import AuditEvent, Case, CaseParty, User
from caseapp.reports import recap as recap_report
from caseapp.reports.periods import parse_period
from caseapp.services import cases
from tests.casedata import body, case_input, register
from tests.conftest import login

Q4 = parse_period("2026-Q4")
TEACHER = {
    "role": "perpetrator",
    "name": "Pak Canary Teacher",
    "phone": "0812-7777-0001",
    "address": "",
    "relationship": "teacher",
    "sex": "M",
    "age_group": "25-44",
    "is_child": False,
}


def _token(app, user) -> dict[str, str]:
    result = app.test_cli_runner().invoke(args=["user", "token", user.username])
    return {"Authorization": f"Bearer {result.output.strip().splitlines()[-1]}"}


def _events(app, action):
    with app.app_context():
        rows = list(db.session.scalars(db.select(AuditEvent).where(AuditEvent.action == action)))
        db.session.expunge_all()
        return rows


def _summary(data) -> dict[str, int]:
    table = data.tables["summary"]
    return {row: cells[0].n for row, cells in zip(table.rows, table.counts, strict=True)}


@pytest.fixture
def people(app, make_user):
    return {
        "worker": make_user("case_worker", "UPTD_PPA"),
        "worker_b": make_user("case_worker", "UPTD_PPA"),
        "uptd_spv": make_user("supervisor", "UPTD_PPA"),
        "police_spv": make_user("supervisor", "POLRESTA"),
        "analyst": make_user("analyst", "BAPPEDA"),
        "admin": make_user("admin", "DP3A"),
    }


def test_a_second_child_shares_the_incidents_date_place_and_perpetrators(app, people):
    with app.app_context(), time_machine.travel("2026-11-10 02:00:00", tick=False):
        first = register(
            people["worker"],
            incident__date="2026-10-03",
            incident__place="school",
            incident__kelurahan="74.71.01.1005",
            parties=[TEACHER],
        )
        # The second child's own body says another date and place: the incident's win.
        worker = db.session.get(User, people["worker"].id)
        value = case_input(
            child__name="Rina Canary Dua",
            child__date_of_birth="2014-02-02",
            incident__date="2026-11-01",
            incident__place="household",
            incident__kelurahan=None,
            parties=[],
            incident_of=first.case_number.lower(),
        )
        second = cases.register_case(worker, value).case
        db.session.commit()
        one = db.session.get(Case, first.id)
        assert second.incident_id is not None and second.incident_id == one.incident_id
        assert (second.incident_date.isoformat(), second.place, second.incident_kelurahan) == (
            "2026-10-03",
            "school",
            "74.71.01.1005",
        )
        assert second.child_age == 12  # at the incident's date, not the date sent
        copied = [p for p in second.parties if p.role == "perpetrator"]
        assert [(p.name, p.relationship_code, p.age_group) for p in copied] == [
            ("Pak Canary Teacher", "teacher", "25-44")
        ]
        original = next(p for p in one.parties if p.role == "perpetrator")
        assert copied[0].incident_person == original.incident_person is not None
        assert copied[0].name_ct != original.name_ct  # re-encrypted under the second case's own key
        assert second.data_key_id != one.data_key_id
        # An edit of the second case's parties keeps the shared person.
        assert cases.incident_cases(worker, second) == [one]
    links = _events(app, "case.incident_link")
    assert len(links) == 2 and {json.loads(e.details)["at_registration"] for e in links} == {True}
    created = _events(app, "case.create")
    assert json.loads(created[-1].details)["incident"] is not None


def test_the_recap_counts_incidents_victims_and_perpetrators_apart(app, people):
    with app.app_context(), time_machine.travel("2026-11-10 02:00:00", tick=False):
        # One teacher, three pupils: three cases, one incident, one perpetrator.
        first = register(people["worker"], incident__date="2026-10-03", parties=[TEACHER])
        for n in range(2):
            register(
                people["worker"],
                child__name=f"Pupil Canary {n}",
                parties=[],
                incident_of=first.case_number,
            )
        # Another incident: one child in conflict with the law (not a victim) and two perpetrators.
        register(
            people["worker"],
            child__role="in_conflict_with_law",
            child__date_of_birth="2011-01-01",
            parties=[TEACHER, {**TEACHER, "name": "Another Canary", "age_group": "18-24"}],
        )
        data = recap_report.build(Q4)
        assert _summary(data) == {
            "incidents": 2,
            "cases": 4,
            "children": 4,
            "victims": 3,
            "perpetrators": 3,
            "child_perpetrators": 0,
        }
        assert (data.incidents.n, data.victims.n, data.perpetrators.n) == (2, 3, 3)
        assert data.tables["perpetrators"].true_total() == 3
        # The published figures are rounded like every other (a multiple of 5), from the same keys.
        assert data.incidents_shown % 5 == 0 and data.perpetrators_shown % 5 == 0
        again = recap_report.build(Q4)
        assert (again.incidents_shown, again.perpetrators_shown) == (
            data.incidents_shown,
            data.perpetrators_shown,
        )
        # The agency's own recap counts the same (every case is UPTD's).
        agency_id = db.session.get(User, people["worker"].id).agency_id
        assert _summary(recap_report.build(Q4, agency_id))["incidents"] == 2


def test_linking_later_matches_perpetrators_of_the_same_name(app, client, people):
    with app.app_context(), time_machine.travel("2026-11-10 02:00:00", tick=False):
        first = register(people["worker"], parties=[TEACHER])
        second = register(
            people["worker"],
            child__name="Rina Canary",
            parties=[{**TEACHER, "name": " pak canary  TEACHER "}],
        )
        assert _summary(recap_report.build(Q4))["perpetrators"] == 2
    w = _token(app, people["worker"])
    linked = client.post(
        f"/api/v1/cases/{second.uuid}/incident", json={"incident_of": first.case_number}, headers=w
    )
    assert linked.status_code == 200, linked.json
    assert linked.json["cases"] == [first.case_number] and linked.json["id"]
    again = client.post(
        f"/api/v1/cases/{second.uuid}/incident", json={"incident_of": first.case_number}, headers=w
    )
    assert again.status_code == 200 and again.json == linked.json
    read = client.get(f"/api/v1/cases/{first.uuid}", headers=w).json
    assert read["incident_link"] == {"id": linked.json["id"], "cases": [second.case_number]}
    with app.app_context(), time_machine.travel("2026-11-10 02:00:00", tick=False):
        data = recap_report.build(Q4)
        assert _summary(data)["incidents"] == 1 and _summary(data)["perpetrators"] == 1
    links = _events(app, "case.incident_link")
    assert len(links) == 2 and json.loads(links[0].details)["perpetrators_matched"] == 1


def test_an_edit_keeps_the_shared_perpetrator(app, client, people):
    with app.app_context(), time_machine.travel("2026-11-10 02:00:00", tick=False):
        first = register(people["worker"], parties=[TEACHER])
        second = register(
            people["worker"], child__name="Rina Canary", parties=[], incident_of=first.case_number
        )
    w = _token(app, people["worker"])
    read = client.get(f"/api/v1/cases/{second.uuid}", headers=w).json
    guardian = {**TEACHER, "role": "guardian", "name": "Ibu Canary", "relationship": "parent"}
    patched = client.patch(
        f"/api/v1/cases/{second.uuid}",
        json={"version": read["version"], "parties": [*read["parties"], guardian]},
        headers=w,
    )
    assert patched.status_code == 200, patched.json
    with app.app_context():
        shared = {
            p.incident_person
            for p in db.session.scalars(db.select(CaseParty).where(CaseParty.role == "perpetrator"))
        }
        assert len(shared) == 1 and None not in shared


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("worker", 201),  # manages the other case
        ("uptd_spv", 201),  # sees every case of the agency
        ("worker_b", 400),  # same agency, not their case: as if it did not exist
        ("police_spv", 400),  # another agency
    ],
)
def test_registering_into_an_incident_needs_a_case_the_user_can_see(app, client, people, who, status):
    with app.app_context():
        first = register(people["worker"])
    headers = _token(app, people[who])
    sent = client.post("/api/v1/cases", json=body(incident_of=first.case_number), headers=headers)
    assert sent.status_code == status, sent.json
    if status == 400:
        unknown = client.post("/api/v1/cases", json=body(incident_of="KDI-2026-99999"), headers=headers)
        # Outside the scope answers exactly as a number that does not exist: the same error, same field.
        assert unknown.status_code == 400
        assert sent.json == unknown.json and list(sent.json["fields"]) == ["incident_of"]
        assert first.case_number not in json.dumps(sent.json)
    bad = client.post("/api/v1/cases", json=body(incident_of="not a number"), headers=headers)
    assert bad.status_code == 400 and "incident_of" in bad.json["fields"]


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("worker", 200),
        ("uptd_spv", 200),
        ("worker_b", 404),  # cannot see the case
        ("police_spv", 404),
        ("analyst", 403),
        ("admin", 403),
    ],
)
def test_link_permission_matrix(app, client, people, who, status):
    with app.app_context():
        first = register(people["worker"])
        second = register(people["worker"], child__name="Rina Canary")
    headers = _token(app, people[who])
    sent = client.post(
        f"/api/v1/cases/{second.uuid}/incident", json={"incident_of": first.case_number}, headers=headers
    )
    assert sent.status_code in ((status,) if status != 403 else (403, 404)), sent.json
    if status != 200:
        assert _events(app, "authz.deny") and not _events(app, "case.incident_link")


def test_link_refusals(app, client, people):
    with app.app_context():
        a = register(people["worker"])
        b = register(people["worker"], child__name="B Canary", incident_of=a.case_number)
        c = register(people["worker"], child__name="C Canary")
        d = register(people["worker"], child__name="D Canary", incident_of=c.case_number)
    w = _token(app, people["worker"])
    url = f"/api/v1/cases/{b.uuid}/incident"
    itself = client.post(url, json={"incident_of": b.case_number}, headers=w)
    assert itself.status_code == 400 and "incident_of" in itself.json["fields"]
    merged = client.post(url, json={"incident_of": d.case_number}, headers=w)
    assert merged.status_code == 409 and "incident_of" in merged.json["fields"]


def test_case_page_lists_the_incidents_other_cases_and_links_one(app, client, people):
    with app.app_context():
        first = register(people["worker"])
        second = register(people["worker"], child__name="Rina Canary", incident_of=first.case_number)
        hidden = register(people["worker_b"], child__name="Hidden Canary")
        # A case of the incident the viewer cannot see is not listed.
        db.session.get(Case, hidden.id).incident_id = db.session.get(Case, first.id).incident_id
        db.session.commit()
        lone = register(people["worker"], child__name="Lone Canary")
    login(client, people["worker"].username)
    page = client.get(f"/cases/{first.uuid}").get_data(as_text=True)
    assert 'data-testid="incident"' in page and second.case_number in page
    assert hidden.case_number not in page
    # Link a lone case from its page; a refused number keeps what was typed and names the field.
    refused = client.post(
        f"/cases/{lone.uuid}/incident", data={"incident-incident_of": "KDI-2026-99999"}, follow_redirects=True
    )
    text = refused.get_data(as_text=True)
    assert refused.status_code == 400 and "Kasus tidak ditemukan." in text and "KDI-2026-99999" in text
    done = client.post(
        f"/cases/{lone.uuid}/incident",
        data={"incident-incident_of": first.case_number},
        follow_redirects=True,
    )
    assert done.status_code == 200
    assert second.case_number in done.get_data(as_text=True)
