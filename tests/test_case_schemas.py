"""The case schemas: one rule set for the API and the web forms, errors by dotted path, the documented
action list equal to the lifecycle table, and the access rule the case page and the services share."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
import time_machine

from caseapp.api.endpoint import operation_of
from caseapp.errors import InvalidTransition, PermissionDenied, StaleVersion
from caseapp.extensions import db
from caseapp.models import AuditEvent, Case, CaseNote, User
from caseapp.models.case import CaseStatus
from caseapp.schemas.cases import CaseAction, TransitionIn, step_reasons
from caseapp.services import cases
from tests.casedata import body, nik, register
from tests.conftest import login
from tests.rawscan import scan_for
from tests.test_api import _bearer, _token
from tests.test_cases import _form_data

ERROR = re.compile(r'id="([\w-]+)-error">([^<]*)<')


def _english(app, *users: User) -> None:
    with app.app_context():
        for user in users:
            db.session.get(User, user.id).locale = "en"
        db.session.commit()


def _api(app, user) -> dict[str, str]:
    return {**_bearer(_token(app, user.username)), "Accept-Language": "en"}


def _page_errors(response) -> dict[str, str]:
    """Return the messages a page shows beside its fields, by field id."""
    return {field: html.unescape(text) for field, text in ERROR.findall(response.get_data(as_text=True))}


def _case_count(app) -> int:
    with app.app_context():
        return int(db.session.scalar(db.select(db.func.count()).select_from(Case)) or 0)


# The API ---------------------------------------------------------------------------------------------------


def test_the_api_list_filters_quiet_cases(app, client, make_user):
    worker = make_user()
    with time_machine.travel("2026-11-01 08:00:00", tick=False) as clock:
        with app.app_context():
            old = register(worker, child__name="Lama Sepi")
            noted = register(worker, child__name="Ada Catatan")
            closed = register(worker, child__name="Sudah Batal")
        headers = _api(app, worker)
        client.post(
            f"/api/v1/cases/{closed.uuid}/transition",
            json={"action": "cancel", "reason": "duplicate", "version": 1},
            headers=_api(app, make_user("supervisor", "UPTD_PPA")),  # a supervisor cancels
        )
        clock.shift(timedelta(days=40))
        client.post(
            f"/api/v1/cases/{noted.uuid}/notes", json={"kind": "call", "body": "Telepon"}, headers=headers
        )
        quiet = client.get("/api/v1/cases?quiet=true", headers=headers)
        everyone = client.get("/api/v1/cases", headers=headers)
    assert quiet.status_code == 200, quiet.json
    assert [i["id"] for i in quiet.json["items"]] == [str(old.uuid)]
    assert len(everyone.json["items"]) == 3
    listing = [e for e in _audit(app, "case.list")]
    assert '"filters": ["quiet"]' in listing[0].details


def test_a_case_manager_filter_by_an_unknown_username_finds_nothing_like_a_stranger(app, client, make_user):
    """A username no one has answers like a colleague of another agency: 200, no cases (no 400 telling
    which usernames exist)."""
    worker = make_user()
    stranger = make_user("case_worker", "POLRESTA")
    with app.app_context():
        register(worker)
    headers = _api(app, worker)
    unknown = client.get("/api/v1/cases?case_manager=nobody.at.all", headers=headers)
    other = client.get(f"/api/v1/cases?case_manager={stranger.username}", headers=headers)
    own = client.get(f"/api/v1/cases?case_manager={worker.username}", headers=headers)
    assert unknown.status_code == other.status_code == own.status_code == 200, unknown.json
    assert unknown.json == other.json == {"items": [], "next": None}
    assert len(own.json["items"]) == 1
    listed = _audit(app, "case.list")
    assert len(listed) == 3 and all('"case_manager"' in e.details for e in listed)


def test_a_damaged_page_link_is_refused_whatever_its_shape(app, client, make_user):
    worker = make_user()
    _english(app, worker)
    headers = _api(app, worker)
    for after in ("garbage", "2026-02-30T08:00:00~7", "2026-11-01T08:00:00~7~8", "2026-11-01T08:00:00~x"):
        response = client.get("/api/v1/cases", query_string={"after": after}, headers=headers)
        assert response.status_code == 400, after
        assert response.json["fields"] == {
            "after": ["The page link is damaged; start again from the first page."]
        }
    fine = client.get(
        "/api/v1/cases", query_string={"after": "2026-11-01T08:00:00.123456~7"}, headers=headers
    )
    assert fine.status_code == 200 and fine.json["items"] == []


def test_a_query_parameter_given_twice_is_refused_by_name(app, client, make_user):
    worker = make_user()
    _english(app, worker)
    response = client.get("/api/v1/cases?status=open&status=new", headers=_api(app, worker))
    assert response.status_code == 400 and list(response.json["fields"]) == ["status"]


def _audit(app, action: str) -> list[AuditEvent]:
    with app.app_context():
        rows = list(db.session.scalars(db.select(AuditEvent).where(AuditEvent.action == action)))
        db.session.expunge_all()
        return rows


def test_a_patch_with_only_the_version_changes_nothing(app, client, make_user):
    worker = make_user()
    with app.app_context():
        case = register(worker, child__nik=nik(301))
    response = client.patch(f"/api/v1/cases/{case.uuid}", json={"version": 1}, headers=_api(app, worker))
    assert response.status_code == 200, response.json
    assert response.json["changed"] == [] and response.json["version"] == 1
    assert _audit(app, "case.update") == []
    with app.app_context():
        assert db.session.get(Case, case.id).child_nik == nik(301)  # the recorded NIK is kept


def test_a_patch_is_applied_onto_the_current_values_and_checked_as_a_whole(app, client, make_user):
    worker = make_user()
    _english(app, worker)
    with app.app_context():
        case = register(worker)  # born 2015-12-05, incident 2026-10-01
    headers = _api(app, worker)
    late = client.patch(
        f"/api/v1/cases/{case.uuid}", json={"version": 1, "incident": {"date": "2014-01-01"}}, headers=headers
    )
    assert late.status_code == 400
    assert late.json["fields"] == {"child.date_of_birth": ["The child was born after the incident date."]}
    school = client.patch(
        f"/api/v1/cases/{case.uuid}", json={"version": 1, "child": {"school": "SMP Baru"}}, headers=headers
    )
    assert school.json["changed"] == ["child.school"]
    assert (
        school.json["child"]["school"] == "SMP Baru" and school.json["child"]["name"] == "Siti Canary Aminah"
    )


def test_bad_input_in_a_nested_party_names_its_path(app, client, make_user):
    worker = make_user()
    _english(app, worker)
    parties = [
        {"role": "guardian", "name": "Wali"},
        {"role": "witness", "phone": "0" * 41, "relationship": "neighbour_from_mars"},
    ]
    response = client.post("/api/v1/cases", json=body(parties=parties), headers=_api(app, worker))
    assert response.status_code == 400
    assert response.json["fields"] == {
        "parties.1.phone": ["Use at most 40 characters."],
        "parties.1.relationship": ["Unknown value: choose one of the listed codes."],
    }
    assert _case_count(app) == 0


@pytest.mark.parametrize(
    "url,payload,path",
    [
        ("/api/v1/cases", body(confidentiality="normal"), "confidentiality"),
        ("/api/v1/cases", body(child__nickname="Ani"), "child.nickname"),
        ("/api/v1/cases/search", {"by": "name", "query": "x", "page": 2}, "page"),
    ],
)
def test_an_unknown_field_is_refused_by_name(app, client, make_user, url, payload, path):
    worker = make_user()
    _english(app, worker)
    response = client.post(url, json=payload, headers=_api(app, worker))
    assert response.status_code == 400
    assert response.json["fields"] == {path: ["Unknown field."]}


def test_unknown_fields_of_a_patch_and_a_step_are_refused(app, client, make_user):
    worker = make_user()
    _english(app, worker)
    with app.app_context():
        case = register(worker)
    headers = _api(app, worker)
    patch = client.patch(
        f"/api/v1/cases/{case.uuid}", json={"version": 1, "status": "closed"}, headers=headers
    )
    step = client.post(
        f"/api/v1/cases/{case.uuid}/transition",
        json={"action": "start_assessment", "version": 1, "note": "x"},
        headers=headers,
    )
    assert patch.status_code == step.status_code == 400
    assert patch.json["fields"] == {"status": ["Unknown field."]}
    assert step.json["fields"] == {"note": ["Unknown field."]}
    assert (
        _case_count(app) == 1
        and client.get(f"/api/v1/cases/{case.uuid}", headers=headers).json["version"] == 1
    )


def test_the_documented_actions_are_the_lifecycle_table(app, client, make_user):
    doc = client.get("/api/v1/openapi.json", headers=_api(app, make_user())).json
    schemas = doc["components"]["schemas"]
    action = schemas["TransitionIn"]["properties"]["action"]
    enum = schemas[action["$ref"].split("/")[-1]]["enum"] if "$ref" in action else action["enum"]
    assert enum == [str(a) for a in cases.STEPS]
    assert set(cases.STEPS) == set(CaseAction)
    read = schemas["CaseOut"]["properties"]["actions"]["items"]
    assert read == action or read.get("$ref") == action.get("$ref")
    mine = {
        r.endpoint
        for r in app.url_map.iter_rules()
        if app.view_functions[r.endpoint].__module__ == "caseapp.api.cases"
    }
    assert len(mine) == 12 and all(operation_of(app.view_functions[e]) is not None for e in mine)


def test_the_documented_reasons_of_a_step_are_the_lifecycle_table(app, client, make_user):
    """The document says which reason codes a step takes; the lifecycle table is what checks them."""
    doc = client.get("/api/v1/openapi.json", headers=_api(app, make_user())).json
    rules = doc["components"]["schemas"]["TransitionIn"]["allOf"][0]["allOf"]
    documented = {
        r["if"]["properties"]["action"]["const"]: set(r["then"]["properties"]["reason"]["enum"])
        for r in rules
    }
    with app.test_request_context():
        table = {str(action): set(step.reasons()) for action, step in cases.STEPS.items() if step.reasons}
        assert documented == table == {str(a): set(codes) for a, codes in step_reasons().items()}


# One rule set for the web and the API -----------------------------------------------------------------------

SAME_BAD_INPUT = [
    # (changes to the API body, the same in the web form's fields, the API path, the page's field id)
    ({"child__nik": "12345"}, {"child_nik": "12345"}, "child.nik", "child_nik"),
    ({"incident__date": "2099-01-01"}, {"incident_date": "2099-01-01"}, "incident.date", "incident_date"),
    (
        {"child__date_of_birth": "2005-01-01"},
        {"child_date_of_birth": "2005-01-01"},
        "child.date_of_birth",
        "child_date_of_birth",
    ),
    (
        {"child__date_of_birth": "2026-11-01", "incident__date": "2026-10-01"},
        {"child_date_of_birth": "2026-11-01", "incident_date": "2026-10-01"},
        "child.date_of_birth",
        "child_date_of_birth",
    ),
    (
        {"child__date_of_birth": None, "child__age": "19"},
        {"child_date_of_birth": "", "child_age": "19"},
        "child.age",
        None,
    ),
    ({"child__sex": "X"}, {"child_sex": "X"}, "child.sex", "child_sex"),
    ({"channel": None}, {"channel": ""}, "channel", "channel"),
    ({"risk_level": "extreme"}, {"risk_level": "extreme"}, "risk_level", "risk_level"),
    (
        {"incident__violence_types": [], "incident__primary_violence_type": None},
        {"incident_violence_types": [], "incident_primary_violence_type": ""},
        "incident.violence_types",
        "incident_violence_types",
    ),
    (
        {"incident__violence_types": ["physical", "neglect"], "incident__primary_violence_type": None},
        {"incident_violence_types": ["physical", "neglect"], "incident_primary_violence_type": ""},
        "incident.primary_violence_type",
        "incident_primary_violence_type",
    ),
    (
        {"parties": [{"role": "guardian", "name": "Wali", "phone": "0" * 41, "relationship": "parent"}]},
        {"parties-0-phone": "0" * 41, "parties-0-name": "Wali"},
        "parties.0.phone",
        "parties-0-phone",
    ),
]


@pytest.mark.parametrize("api_changes,web_fields,path,field_id", SAME_BAD_INPUT)
def test_the_web_form_and_the_api_refuse_the_same_input_alike(
    app, client, make_user, api_changes, web_fields, path, field_id
):
    worker = make_user()
    _english(app, worker)
    if path == "child.age":
        api_changes = {**api_changes, "child__age": 19}  # JSON carries a number, the form text
    api = client.post("/api/v1/cases", json=body(**api_changes), headers=_api(app, worker))
    login(client, worker.username)
    web = client.post("/cases/new", data=_form_data(**web_fields), headers={"Accept-Language": "en"})
    assert api.status_code == web.status_code == 400
    assert path in api.json["fields"], api.json
    shown = _page_errors(web)
    assert shown[field_id or path.replace(".", "_")] == " ".join(api.json["fields"][path])
    assert _case_count(app) == 0


def test_notes_and_services_refuse_alike_on_the_web_and_in_the_api(app, client, make_user):
    worker = make_user()
    _english(app, worker)
    with app.app_context():
        case = register(worker)
    headers = _api(app, worker)
    api_note = client.post(
        f"/api/v1/cases/{case.uuid}/notes", json={"kind": "gossip", "body": "  "}, headers=headers
    )
    api_service = client.post(
        f"/api/v1/cases/{case.uuid}/services",
        json={"service_type": "spa", "provider": "NOWHERE", "date": "2099-01-01", "outcome": "maybe"},
        headers=headers,
    )
    login(client, worker.username)
    web_note = client.post(
        f"/cases/{case.uuid}/notes",
        data={"note-kind": "gossip", "note-body": "  ", "note-visibility": "case_team"},
    )
    web_service = client.post(
        f"/cases/{case.uuid}/services",
        data={
            "service-service_type": "spa",
            "service-provider": "NOWHERE",
            "service-service_date": "2099-01-01",
            "service-outcome": "maybe",
        },
    )
    assert {r.status_code for r in (api_note, api_service, web_note, web_service)} == {400}
    note_fields = {k: " ".join(v) for k, v in api_note.json["fields"].items()}
    assert note_fields == {"kind": "Choose the kind of note.", "body": "Write the note."}
    assert _page_errors(web_note) == {f"note-{k}": v for k, v in note_fields.items()}
    service_fields = {k: " ".join(v) for k, v in api_service.json["fields"].items()}
    assert set(service_fields) == {"service_type", "provider", "date", "outcome"}
    web_names = {"date": "service_date"}
    assert _page_errors(web_service) == {
        f"service-{web_names.get(k, k)}": v for k, v in service_fields.items()
    }
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(CaseNote)) == 0


def test_a_step_refused_by_the_schema_says_the_same_on_the_web(app, client, make_user):
    worker = make_user()
    _english(app, worker)
    with app.app_context():
        case = register(worker)
    api = client.post(
        f"/api/v1/cases/{case.uuid}/transition",
        json={"action": "fly_away", "version": 1},
        headers=_api(app, worker),
    )
    login(client, worker.username)
    web = client.post(
        f"/cases/{case.uuid}/transition", data={"action": "fly_away", "version": "1"}, follow_redirects=True
    )
    assert api.status_code == 400 and api.json["fields"] == {"action": ["Unknown action."]}
    assert "Unknown action." in web.get_data(as_text=True)


# One access rule and one step table ------------------------------------------------------------------------


def _buttons(page: str) -> set[str]:
    found = set()
    for step, marker in {
        "edit": '/edit"',
        "refer": '/refer"',
        "assign": '/assign"',
        "access_log": '/access-log"',
        "note": '/notes"',
        "service": '/services"',
        "attach": '/attachments"',
    }.items():
        if marker in page:
            found.add(step)
    return found


@pytest.mark.parametrize("who", ["manager", "supervisor"])
@pytest.mark.parametrize("closed", [False, True])
def test_the_case_page_offers_what_the_rules_allow(app, make_user, who, closed):
    worker = make_user("case_worker", "UPTD_PPA")
    supervisor = make_user("supervisor", "UPTD_PPA")
    actor = worker if who == "manager" else supervisor
    with app.app_context():
        ref = register(worker)
        if closed:
            case = ref.load()
            case.status = CaseStatus.CLOSED.value
            db.session.commit()
    client = app.test_client()
    login(client, actor.username)
    page = client.get(f"/cases/{ref.uuid}").get_data(as_text=True)
    with app.app_context():
        user, case = db.session.get(User, actor.id), ref.load()
        allowed = {str(s) for s in cases.allowed_steps(user, case)}
        actions = [str(a) for a in cases.available_actions(user, case)]
    # Deleting an attachment is offered on each attachment; this case has none.
    assert _buttons(page) == allowed - {"delete_attachment"}
    assert re.findall(r'name="action" value="(\w+)"', page) == actions
    if who == "manager":
        assert not {"assign", "access_log"} & allowed and "reopen" not in actions
    else:
        assert {"assign", "access_log"} <= allowed
    assert ("edit" in allowed) == (not closed) and ("reopen" in actions) == (closed and who == "supervisor")


STATES = [  # (status, a closure request waits, a cancellation request waits)
    (CaseStatus.NEW, False, False),
    (CaseStatus.NEW, False, True),
    (CaseStatus.ASSESSMENT, False, False),
    (CaseStatus.ASSESSMENT, False, True),
    (CaseStatus.INTERVENTION, False, False),
    (CaseStatus.INTERVENTION, True, False),
    (CaseStatus.MONITORING, False, False),
    (CaseStatus.MONITORING, True, False),
    (CaseStatus.CLOSED, False, False),
    (CaseStatus.CANCELLED, False, False),
]
REASONS = {
    CaseAction.REQUEST_CLOSURE: "needs_met",
    CaseAction.CANCEL: "duplicate",
    CaseAction.REQUEST_CANCELLATION: "duplicate",
    CaseAction.REOPEN: "new_incident",
}


@pytest.mark.parametrize("role", ["case_worker", "supervisor"])
def test_available_actions_are_exactly_the_steps_transition_takes(app, make_user, role):
    """For every state and role, a step is offered if and only if `transition` takes it."""
    worker = make_user("case_worker", "UPTD_PPA")
    actor = worker if role == "case_worker" else make_user("supervisor", "UPTD_PPA")
    with app.app_context():
        ref = register(worker)
        for status, pending, cancel_pending in STATES:
            for first_contact in (False, True):
                for action in CaseAction:
                    case = ref.load()
                    case.status = status.value
                    case.closure_requested_at = case.created_at if pending else None
                    case.closure_requested_reason = "needs_met" if pending else None
                    case.cancel_requested_at = case.created_at if cancel_pending else None
                    case.cancel_requested_reason = "duplicate" if cancel_pending else None
                    case.first_contact_at = case.created_at if first_contact else None
                    db.session.commit()  # a refusal is audited in its own transaction: nothing may wait
                    user = db.session.get(User, actor.id)
                    offered = action in cases.available_actions(user, case)
                    step = TransitionIn(action=action, reason=REASONS.get(action), version=case.version)
                    try:
                        cases.transition(user, case, step)
                        taken = True
                    except (InvalidTransition, PermissionDenied):
                        taken = False
                    except StaleVersion:  # pragma: no cover - the version is the current one
                        raise
                    assert offered == taken, (role, status, pending, cancel_pending, first_contact, action)
                    db.session.rollback()


# The public names other code builds on --------------------------------------------------------------------

PUBLIC = """get_case view_case list_cases count_cases search_cases CaseFilter SORTS filtered_cases
overdue_first_contacts register_case registered_with update_case find_duplicates snapshot differences
transition available_actions assign assignable_users add_note visible_notes add_service case_services timeline
reveal_nik access_log list_label initials nik_index FIRST_CONTACT_DUE next_case_number reserve_case_numbers
visible_cases age_group
restricted_by_default RESTRICTED_VIOLENCE RESTRICTED_AMPK first_contact_due""".split()


def test_the_case_services_export_the_names_other_code_uses():
    assert [name for name in PUBLIC if not hasattr(cases, name)] == []
    assert set(PUBLIC) <= set(cases.__all__)


def test_the_domain_helpers_a_generator_shares(app):
    assert cases.initials("Siti Rahma Dewi Lestari") == "S.R.D." and cases.initials("  ") == "?"
    assert [cases.age_group(a) for a in (None, 0, 5, 6, 12, 13, 17, 18)] == [
        None,
        "0-5",
        "0-5",
        "6-12",
        "6-12",
        "13-17",
        "13-17",
        "18+",
    ]
    assert cases.restricted_by_default(["physical", "sexual"], [])
    assert cases.restricted_by_default(["physical"], ["in_conflict_with_law"])
    assert not cases.restricted_by_default(["physical", "neglect"], ["disability"])
    with app.app_context():
        first, second = cases.next_case_number(2031), cases.next_case_number(2031)
        block, after = cases.reserve_case_numbers(2031, 3), cases.next_case_number(2031)
        empty = cases.reserve_case_numbers(2031, 0)
        db.session.rollback()
    assert (first, second) == ("KDI-2031-00001", "KDI-2031-00002")
    assert block == ["KDI-2031-00003", "KDI-2031-00004", "KDI-2031-00005"] and after == "KDI-2031-00006"
    assert empty == []


def test_the_list_filters_refuse_alike_on_the_web_and_in_the_api(app, client, make_user):
    worker = make_user()
    _english(app, worker)
    query = "registered_from=yesterday&status=lost&quiet=y"
    api = client.get(f"/api/v1/cases?{query}", headers=_api(app, worker))
    login(client, worker.username)
    web = client.get(f"/cases/?{query}")
    assert api.status_code == web.status_code == 400
    fields = {k: " ".join(v) for k, v in api.json["fields"].items()}
    assert fields == {
        "registered_from": "Enter a date as YYYY-MM-DD.",
        "status": "Unknown value: choose one of the listed codes.",
    }
    assert _page_errors(web) == fields
    assert 'value="yesterday"' in web.get_data(as_text=True)  # what was typed stays


def test_a_code_error_does_not_echo_what_was_typed(app, client, make_user):
    """A NIK typed into a code field must not come back in the answer (it would land in logs and screens)."""
    worker = make_user()
    _english(app, worker)
    typed = nik(7)
    payload = body()
    payload["incident"]["place"] = typed
    payload["parties"] = [{"role": "witness", "relationship": typed}]
    response = client.post("/api/v1/cases", json=payload, headers=_api(app, worker))
    assert response.status_code == 400
    assert set(response.json["fields"]) == {"incident.place", "parties.0.relationship"}
    assert typed not in response.get_data(as_text=True)
    listed = client.get(f"/api/v1/cases?status={typed}", headers=_api(app, worker))
    assert listed.status_code == 400 and typed not in listed.get_data(as_text=True)
    assert _case_count(app) == 0


def test_not_in_the_future_means_kendari_s_today(app, client, make_user):
    """At 07:00 WITA (23:00 UTC the day before) an incident of today in Kendari is not in the future."""
    worker = make_user()
    _english(app, worker)
    with time_machine.travel("2026-06-14 23:00:00+00:00", tick=False):
        payload = body()
        payload["incident"]["date"] = "2026-06-15"
        accepted = client.post("/api/v1/cases", json=payload, headers=_api(app, worker))
        assert accepted.status_code == 201, accepted.json
        payload = body()
        payload["incident"]["date"] = "2026-06-16"
        refused = client.post("/api/v1/cases", json=payload, headers=_api(app, worker))
        assert refused.status_code == 400
        assert refused.json["fields"] == {"incident.date": ["The incident date cannot be in the future."]}


def test_simfoni_fields_of_the_child_and_the_perpetrator_round_trip(app, client, make_user):
    """Education, school status, disability types, occupation, marital status, a regency outside Kendari,
    and the alleged perpetrator's NIK (encrypted at rest), education, occupation and age band."""
    worker = make_user()
    _english(app, worker)
    perpetrator_nik = nik(9, day=12, month=3, year=85)
    payload = body(
        child__kelurahan=None,
        child__regency="74.05",
        child__education="junior_secondary",
        child__school_status="dropped_out",
        child__disability_types=["sensory", "physical"],
        child__occupation="student",
        child__marital_status="married",
        parties=[
            {
                "role": "perpetrator",
                "name": "Pelaku",
                "relationship": "spouse",
                "sex": "M",
                "age_group": "25-44",
                "nik": perpetrator_nik,
                "education": "senior_secondary",
                "occupation": "farmer_fisher",
                "marital_status": "married",
            }
        ],
    )
    created = client.post("/api/v1/cases", json=payload, headers=_api(app, worker))
    assert created.status_code == 201, created.json
    read = client.get(f"/api/v1/cases/{created.json['id']}", headers=_api(app, worker)).json
    child = read["child"]
    assert (child["regency"], child["kelurahan"], child["disability"]) == ("74.05", None, True)
    assert child["disability_types"] == ["physical", "sensory"]
    assert (child["education"], child["school_status"], child["occupation"], child["marital_status"]) == (
        "junior_secondary",
        "dropped_out",
        "student",
        "married",
    )
    party = read["parties"][0]
    assert (party["nik"], party["education"], party["occupation"], party["age_group"]) == (
        perpetrator_nik,
        "senior_secondary",
        "farmer_fisher",
        "25-44",
    )
    assert scan_for(app, [perpetrator_nik]) == []
    # A kelurahan is in Kendari: another regency with one is refused by name; none given means Kendari.
    clash = body(child__regency="74.05")
    refused = client.post("/api/v1/cases", json=clash, headers=_api(app, worker))
    assert refused.status_code == 400 and set(refused.json["fields"]) == {"child.kelurahan"}
    kendari = client.post("/api/v1/cases", json=body(), headers=_api(app, worker))
    assert kendari.json["child"]["regency"] == "74.71"
    patched = client.patch(
        f"/api/v1/cases/{created.json['id']}",
        json={"version": read["version"], "child": {"marital_status": "", "disability_types": []}},
        headers=_api(app, worker),
    )
    assert patched.status_code == 200, patched.json
    assert set(patched.json["changed"]) == {"child.marital_status", "child.disability_types"}
    assert patched.json["child"]["disability"] is True  # the flag itself stays until it is unset
