"""Schemathesis drives the API from its generated OpenAPI document, with every check it has.

For a case worker and for a supervisor, on SQLite and PostgreSQL: each operation gets schema-valid and
schema-invalid requests (bounded: a few examples each, derandomised so CI is repeatable). Path ids are
drawn from real records half of the time, so the requests reach the services instead of stopping at 404.
Any server error, undocumented status, answer that does not match its schema, or input the document
refuses but the API accepts (or the reverse) fails the test.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

import jsonschema_rs
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.hooks import HookContext, HookDispatcher, HookScope

from caseapp.database import utcnow
from caseapp.extensions import db
from caseapp.models import Case, Referral
from caseapp.models.referral import Section
from caseapp.schemas.cases import EARLIEST_INCIDENT
from caseapp.schemas.types import as_utc_naive
from tests.casedata import body, nik, register
from tests.test_api import _bearer, _token

EXAMPLES = 6


def _operations(schema):  # type: ignore[no-untyped-def]
    for result in schema.get_all_operations():
        yield result.ok()


# The rules a JSON Schema cannot state ----------------------------------------------------------------------
#
# The document states every rule it can: types, required, null and "", codes, patterns, bounds, and the
# choices that hang on another field (consent by `given_by`, a search by `by`, a decline by `reason`, a
# step's reason by `action`, a date of birth or an age, a main form of violence). What remains is below; it
# is written in the fields' descriptions, and positive (schema-valid) requests are kept within it here,
# so that any other refusal of schema-valid input is still a failure. Negative requests are left as drawn.
#
# 1. Dates not in the future (incident, birth, service, consent): relative to today.
# 2. A child's date of birth on or before the incident date and less than 18 years before it: a date
#    relative to another field's date (JSON Schema compares no two values).
# 3. A NIK's region code is a known regency and its DDMMYY part a real date: a lookup table and a calendar
#    inside a number.
# 4. A patch is applied onto the stored case, so rules 2, the age without a date of birth and the main form
#    of violence also involve stored values: state, not shape. Positive patches carry both dates (or an age)
#    and a form of violence wherever they touch them, so that they hold whatever is stored.
# 5. A first contact time between 30 days before the registration and now: relative to the case and now.
# 6. A case manager and team are active workers of the owning agency: data, not shape.
# 7. A referral goes to neither the case's agency nor the sender's, only a supervisor refers without consent,
#    and only a supervisor shares a restricted case's identifying sections: relative to the case and to
#    the role (and a patch may restrict the case on the way).


# 8. An attachment is a PDF, JPEG or PNG by its content: a rule on bytes that the document cannot state
#    (positive uploads send a small PDF).
# 9. A legal milestone's attachment is one of the case's own (data: positive milestones link none); its date
#    and a diversion's are not in the future (rule 1), and a diversion's agreement and approval come after
#    its start, the agreement within 30 days.
# 10. A complaint's received time, an outreach visit's date and a shelter admission or discharge are not in
#    the future (rule 1), a discharge not before its admission (positive discharges are today); an accepted
#    triage names a case of the agency registered from it, and a referral elsewhere another agency than one's
#    own (data: positive triages are "not a case" or go to another agency).
# 11. `incident_of` names another case the user can see (data: positive requests name the test's second
#    case), whose incident date then replaces the one sent (rule 2 holds against it).
# 12. A conference task's owner is an active worker of the owning agency or of a referral partner: data, not
#    shape (positive conferences give every task to the acting user).
# 13. A kelurahan is in Kendari, so a regency other than Kendari's (74.71) goes with no kelurahan: the
#    document states it for a new case, but a patch also meets the stored kelurahan (state, not shape);
#    positive requests that name another regency clear the kelurahan. A person's NIK follows rule 3.


IDENTIFYING = {Section.IDENTITY, Section.CONTACT, Section.PERPETRATOR, Section.NOTES, Section.ATTACHMENTS}


def _pick(value: Any, n: int) -> int:
    """Return a number below n that depends on the generated value (repeatably: derandomised runs)."""
    return zlib.crc32(json.dumps(value, sort_keys=True).encode()) % n


def _day_in(value: str, first: date, last: date) -> str:
    """Return a generated day moved into [first, last] (unchanged when it is already there)."""
    day = date.fromisoformat(value)
    if first <= day <= last:
        return value
    return (first + timedelta(days=day.toordinal() % ((last - first).days + 1))).isoformat()


def _born_by(incident: str, value: Any) -> str:
    """Rule 2: a date of birth at most 18 years before the incident (a little less: leap days)."""
    day = date.fromisoformat(incident)
    return _day_in(value if isinstance(value, str) and value else incident, day - timedelta(days=6570), day)


def _valid_nik(part: dict[str, Any], key: str) -> None:
    """Rule 3: a structurally valid NIK in place of a generated one (empty or null stays)."""
    if isinstance(part.get(key), str) and part[key]:
        part[key] = nik(_pick(part[key], 10000))


def _kendari_or_elsewhere(body: dict[str, Any]) -> None:
    """Rule 13: a regency other than Kendari's clears the kelurahan; every person's NIK is valid (rule 3)."""
    for section in ("child", "incident"):
        part = body.get(section)
        if isinstance(part, dict) and part.get("regency") not in (None, "", "74.71"):
            part["kelurahan"] = None
    for party in body.get("parties") or []:
        _valid_nik(party, "nik")


class PositiveRules:
    """A `map_case` hook keeping positive requests within the rules above, by operation."""

    def __init__(
        self,
        role: str,
        agency: str,
        username: str,
        registered_at: datetime,
        restricted: Callable[[], bool],
        other: tuple[str, str] = ("", ""),
    ) -> None:
        self.role, self.agency, self.username, self.registered_at = role, agency, username, registered_at
        self.restricted = restricted  # whether the test's case is restricted now
        self.other_number, self.other_incident_date = other  # rule 11

    def map_case(self, context: HookContext, case: Any) -> Any:
        """Return the case with its body moved within the rules (hook signature)."""
        fix = {
            ("POST", "/cases"): self.register,
            ("PATCH", "/cases/{case_id}"): self.patch,
            ("POST", "/cases/search"): self.search,
            ("POST", "/cases/{case_id}/services"): self.service,
            ("POST", "/cases/{case_id}/transition"): self.transition,
            ("POST", "/cases/{case_id}/assign"): self.assign,
            ("POST", "/cases/{case_id}/referrals"): self.refer,
            ("POST", "/cases/{case_id}/attachments"): self.attach,
            ("POST", "/cases/{case_id}/legal-events"): self.legal_event,
            ("POST", "/cases/{case_id}/diversions"): self.diversion,
            ("POST", "/complaints"): self.complaint,
            ("POST", "/complaints/{complaint_id}/triage"): self.triage,
            ("POST", "/complaints/{complaint_id}/outreach-visits"): self.outreach,
            ("POST", "/cases/{case_id}/outreach-visits"): self.outreach,
            ("POST", "/cases/{case_id}/shelter-stays"): self.shelter,
            ("POST", "/shelter-stays/{stay_id}/discharge"): self.discharge,
            ("POST", "/cases/{case_id}/incident"): self.incident,
            ("POST", "/cases/{case_id}/conferences"): self.conference,
        }.get((case.method.upper(), case.operation.path))
        if fix is not None and isinstance(case.body, dict):
            body = json.loads(json.dumps(case.body))
            fix(body)
            case.body = body
        return case

    def complaint(self, body: dict[str, Any]) -> None:
        body.pop("received_at", None)  # rule 10: now

    def triage(self, body: dict[str, Any]) -> None:
        if body.get("decision") == "accepted":  # rule 10
            body.update(decision="not_a_case", reason="Bukan kasus anak.")
        if body.get("decision") == "referred_elsewhere" and body.get("agency") == self.agency:
            body["agency"] = "POLRESTA"

    def outreach(self, body: dict[str, Any]) -> None:
        body["date"] = _day_in(body["date"], date.min, self.today())  # rule 10

    def shelter(self, body: dict[str, Any]) -> None:
        body["admitted_on"] = _day_in(body["admitted_on"], date.min, self.today())  # rule 10

    def discharge(self, body: dict[str, Any]) -> None:
        body["discharged_on"] = self.today().isoformat()  # rule 10

    def conference(self, body: dict[str, Any]) -> None:
        for task in body.get("tasks") or []:
            task["owner"] = self.username  # rule 12

    def attach(self, body: dict[str, Any]) -> None:
        body["file"] = "%PDF-1.4\n% schemathesis\ntrailer\n<<>>\n%%EOF\n"  # rule 8

    def legal_event(self, body: dict[str, Any]) -> None:
        body["date"] = _day_in(body["date"], date.min, self.today())  # rule 9
        body.pop("attachment", None)

    def diversion(self, body: dict[str, Any]) -> None:
        start = _day_in(body["started_on"], date.min + timedelta(days=31), self.today())  # rule 9
        body["started_on"] = start
        first = date.fromisoformat(start)
        for key, last in (("agreement_on", first + timedelta(days=30)), ("court_approved_on", date.max)):
            if body.get(key):
                body[key] = _day_in(body[key], first, last)

    def today(self) -> date:
        """Return the API's today (UTC)."""
        return utcnow().date()

    def incident(self, body: dict[str, Any]) -> None:
        body["incident_of"] = self.other_number  # rule 11

    def register(self, body: dict[str, Any]) -> None:
        incident, child = body["incident"], body["child"]
        incident["date"] = _day_in(incident["date"], EARLIEST_INCIDENT, self.today())  # rule 1
        if body.get("incident_of"):  # rule 11
            body["incident_of"] = self.other_number
            incident["date"] = self.other_incident_date
        if child.get("date_of_birth"):
            child["date_of_birth"] = _born_by(incident["date"], child["date_of_birth"])  # rules 1, 2
        _valid_nik(child, "nik")
        _kendari_or_elsewhere(body)  # rule 13

    def patch(self, body: dict[str, Any]) -> None:
        child, incident = body.get("child"), body.get("incident")
        child, incident = child or {}, incident or {}
        _valid_nik(child, "nik")
        _kendari_or_elsewhere(body)  # rule 13
        born = child.get("date_of_birth")
        if born or "date" in incident:  # rule 4: both dates, consistent with each other
            incident["date"] = _day_in(incident.get("date") or born, EARLIEST_INCIDENT, self.today())
            if born or "date_of_birth" not in child:
                child["date_of_birth"] = _born_by(incident["date"], born)
        if not child.get("date_of_birth") and ("date_of_birth" in child or "age" in child):
            child["age"] = _pick(child.get("age"), 18)  # rule 4: an age wherever there is no birth date
        if incident.get("primary_violence_type") in ("", None) and "primary_violence_type" in incident:
            incident.setdefault("violence_types", ["physical"])  # rule 4: the main form, not the stored ones
        for key, part in (("child", child), ("incident", incident)):
            if part:
                body[key] = part

    def search(self, body: dict[str, Any]) -> None:
        if body.get("by") == "nik":
            _valid_nik(body, "query")  # rule 3

    def service(self, body: dict[str, Any]) -> None:
        body["date"] = _day_in(body["date"], date.min, self.today())  # rule 1

    def transition(self, body: dict[str, Any]) -> None:
        if body.get("action") == "record_first_contact" and body.get("at"):  # rule 5
            latest = self.registered_at
            span = int(timedelta(days=29).total_seconds())
            at = as_utc_naive(datetime.fromisoformat(body["at"]))
            if not latest - timedelta(seconds=span) <= at <= latest:
                at = latest - timedelta(seconds=int((at - datetime.min).total_seconds()) % span)
            body["at"] = at.isoformat(timespec="seconds") + "Z"

    def assign(self, body: dict[str, Any]) -> None:
        body["case_manager"] = self.username  # rule 6
        if body.get("team"):
            body["team"] = [self.username]

    def refer(self, body: dict[str, Any]) -> None:
        if body["to_agency"] == self.agency:  # rule 7
            body["to_agency"] = "POLRESTA"
        if self.role != "supervisor" and self.restricted():  # rule 7
            body["shared_sections"] = [s for s in body.get("shared_sections", []) if s not in IDENTIFYING]
        consent = body["consent"]
        if consent["given_by"] == "not_required" and self.role != "supervisor":  # rule 7
            body["consent"] = {
                "given_by": "guardian",
                "name": "Wali",
                "obtained_at": self.today().isoformat(),
            }
        elif consent["given_by"] != "not_required":
            consent["obtained_at"] = _day_in(consent["obtained_at"], date.min, self.today())  # rule 1


# Edges a few drawn examples may miss: each is schema-valid exactly when the API takes it.
G = {"given_by": "guardian", "name": "Wali", "obtained_at": "2026-11-01"}
NR = {"given_by": "not_required", "legal_basis_code": "vital_interest", "legal_basis": "UU 35/2014"}
EDGES: list[tuple[str, str, dict[str, Any], bool]] = [
    # (operation, schema, body changes or body, accepted)
    ("register", "CaseIn", {"child__name": " \u3000"}, False),
    ("register", "CaseIn", {"child__nik": " 7471 0545-1215.0001\t"}, True),
    ("register", "CaseIn", {"child__nik": "7471054512150001x"}, False),
    ("register", "CaseIn", {"child__regency": "74.05"}, False),
    ("register", "CaseIn", {"child__regency": "74.05", "child__kelurahan": None}, True),
    ("register", "CaseIn", {"child__regency": "74.71"}, True),
    ("register", "CaseIn", {"parties": [{"role": "perpetrator", "nik": "7471054512150001x"}]}, False),
    ("register", "CaseIn", {"child__nik": "", "child__kelurahan": "", "incident__place": ""}, True),
    ("register", "CaseIn", {"child__address": None, "parties": None}, True),
    ("register", "CaseIn", {"child__date_of_birth": None, "child__age": 5.0}, True),
    ("register", "CaseIn", {"child__date_of_birth": "", "child__age": 18}, False),
    ("register", "CaseIn", {"child__date_of_birth": None, "child__age": None}, False),
    ("register", "CaseIn", {"incident__date": "20261001"}, False),
    ("register", "CaseIn", {"incident__date": "1999-12-31"}, False),
    ("register", "CaseIn", {"incident__date": "2026-02-30"}, False),
    (
        "register",
        "CaseIn",
        {"incident__violence_types": ["neglect", "neglect"], "incident__primary_violence_type": ""},
        True,
    ),
    (
        "register",
        "CaseIn",
        {"incident__violence_types": ["neglect", "physical"], "incident__primary_violence_type": None},
        False,
    ),
    ("patch", "CasePatch", {"version": 9, "incident": None}, False),
    ("patch", "CasePatch", {"version": 9, "channel": None}, False),
    ("patch", "CasePatch", {"version": 9, "child": {"sex": None}}, False),
    ("patch", "CasePatch", {"version": 9, "child": {"date_of_birth": None, "age": 30}}, False),
    ("patch", "CasePatch", {"version": 9.0, "parties": None, "child": {"school": None}}, True),
    (
        "patch",
        "CasePatch",
        {"version": 9, "incident": {"primary_violence_type": "", "violence_types": []}},
        False,
    ),
    ("search", "SearchIn", {"by": "nik", "query": "7471-0545-1215-0001"}, True),
    ("search", "SearchIn", {"by": "nik", "query": "Siti"}, False),
    ("search", "SearchIn", {"by": "name", "query": "  "}, False),
    ("refer", "ReferralIn", {"consent": {**G, "name": "  "}}, False),
    ("refer", "ReferralIn", {"consent": {**G, "obtained_at": 20261101}}, False),
    (
        "refer",
        "ReferralIn",
        {"consent": {**NR, "legal_basis": "UU", "obtained_at": 0}},
        False,
    ),
    ("refer", "ReferralIn", {"consent": NR}, True),
    ("refer", "ReferralIn", {"consent": {**NR, "legal_basis_code": None}}, False),
    ("refer", "ReferralIn", {"consent": {**NR, "legal_basis_code": "consent"}}, False),
    ("refer", "ReferralIn", {"consent": {**G, "given_by": "child"}}, False),
    ("refer", "ReferralIn", {"consent": {**G, "assent": "not_asked"}}, True),
    ("refer", "ReferralIn", {"consent": {**G, "assent": "maybe"}}, False),
    (
        "refer",
        "ReferralIn",
        {"consent": {**NR, "obtained_at": "1 Nov"}},
        False,
    ),
    ("refer", "ReferralIn", {"services": []}, False),
    ("refer", "ReferralIn", {"reason": "\n"}, False),
    ("step", "TransitionIn", {"action": "start_assessment", "version": 9, "at": "2026-11-01T08:00:00"}, True),
    ("step", "TransitionIn", {"action": "start_assessment", "version": 9, "at": "2026-11-01T08:00"}, False),
    ("step", "TransitionIn", {"action": "cancel", "version": 9, "at": "0001-01-01T00:00:00+01:00"}, False),
    ("decline", "DeclineIn", {"reason": "other", "note": " "}, False),
    ("decline", "DeclineIn", {"reason": "no_capacity"}, True),
]


def test_the_document_and_the_validation_agree_at_the_edges(app, client, make_user):
    supervisor = make_user("supervisor", "UPTD_PPA")
    with app.app_context():
        case = register(supervisor)
    headers = _bearer(_token(app, supervisor.username))
    doc = client.get("/api/v1/openapi.json", headers=headers).json
    referral = {
        "to_agency": "POLRESTA",
        "services": ["legal_aid"],
        "urgency": "urgent",
        "reason": "Rujukan",
        "shared_sections": ["incident"],
        "consent": G,
    }
    sent = client.post(f"/api/v1/cases/{case.uuid}/referrals", json=referral, headers=headers)
    requests = {
        "register": ("POST", "/api/v1/cases"),
        "patch": ("PATCH", f"/api/v1/cases/{case.uuid}"),
        "search": ("POST", "/api/v1/cases/search"),
        "step": ("POST", f"/api/v1/cases/{case.uuid}/transition"),
        "refer": ("POST", f"/api/v1/cases/{case.uuid}/referrals"),
        "decline": ("POST", f"/api/v1/referrals/{sent.json['id']}/decline"),
    }
    disagree = []
    for operation, name, changes, accepted in EDGES:
        payload = changes
        if operation == "register":
            payload = body(**changes)
        elif operation == "refer":
            payload = {**referral, **changes}
        schema = {"$ref": f"#/components/schemas/{name}", "components": doc["components"]}
        valid = jsonschema_rs.validator_for(schema, validate_formats=True).is_valid(payload)
        method, url = requests[operation]
        response = client.open(url, method=method, json=payload, headers=headers)
        took = response.status_code != 400
        if not valid == took == accepted:
            disagree.append((operation, changes, f"document {valid}, API {response.status_code}"))
    assert disagree == []


@pytest.mark.parametrize("role", ["case_worker", "supervisor"])
def test_the_api_keeps_its_document(app_factory, make_user, role):
    app = app_factory(API_RATE_LIMIT="100000 per hour")
    user = make_user(role, "UPTD_PPA")
    police = make_user("supervisor", "POLRESTA")
    with app.app_context():
        case = register(user)
        other = register(user, child__name="Other Child")
        mine = str(case.uuid)
        registered_at = case.load().created_at
        db.session.commit()
    police_token = _token(app, police.username)
    sent = app.test_client().post(
        f"/api/v1/cases/{mine}/referrals",
        headers=_bearer(_token(app, user.username)),
        json={
            "to_agency": "POLRESTA",
            "services": ["legal_aid"],
            "urgency": "urgent",
            "reason": "Schemathesis referral",
            "shared_sections": ["incident"],
            "consent": {"given_by": "guardian", "name": "Wali", "obtained_at": "2026-11-01"},
        },
    )
    with app.app_context():
        referral_id = db.session.scalar(db.select(Referral.id))
    conference = app.test_client().post(
        f"/api/v1/cases/{mine}/conferences",
        headers=_bearer(_token(app, user.username)),
        json={
            "held_on": "2026-11-02",
            "decisions": "Schemathesis conference",
            "tasks": [{"description": "Schemathesis task", "owner": user.username, "due_date": "2026-12-01"}],
        },
    )
    assert conference.status_code == 201, conference.json
    headers = _bearer(_token(app, user.username))
    complaint = app.test_client().post(
        "/api/v1/complaints",
        headers=headers,
        json={"channel": "sapa129", "urgency": "urgent", "report": "Schemathesis complaint"},
    )
    stay = app.test_client().post(
        f"/api/v1/cases/{mine}/shelter-stays",
        headers=headers,
        json={"shelter_agency": "DINSOS", "admitted_on": "2026-11-01"},
    )
    assert complaint.status_code == 201 and stay.status_code == 201
    ids = {
        "case_id": mine,
        "referral_id": referral_id,
        "complaint_id": complaint.json["id"],
        "stay_id": stay.json["id"],
        "task_id": conference.json["tasks"][0]["id"],
    }
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app, headers=headers)
    assert sent.status_code == 201 and police_token

    def restricted() -> bool:
        with app.app_context():
            return bool(db.session.get(Case, case.id).is_restricted)

    rules = HookDispatcher(scope=HookScope.TEST)
    rules.register_hook_with_name(
        PositiveRules(
            role,
            "UPTD_PPA",
            user.username,
            registered_at,
            restricted,
            (other.case_number, other.incident_date.isoformat()),
        ).map_case,
        "map_case",
    )

    failures: list[str] = []
    for operation in _operations(schema):
        names = {p.name for p in operation.path_parameters}
        fixed = {name: ids[name] for name in names if name in ids}
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            hooks = rules if mode is GenerationMode.POSITIVE else None
            strategies = [operation.as_strategy(generation_mode=mode, hooks=hooks)]
            if fixed:
                strategies.append(
                    operation.as_strategy(generation_mode=mode, hooks=hooks, path_parameters=fixed)
                )

            @settings(
                max_examples=EXAMPLES,
                derandomize=True,
                database=None,
                deadline=None,
                suppress_health_check=list(HealthCheck),
            )
            @given(case=st.one_of(strategies))
            def run(case):  # type: ignore[no-untyped-def]
                case.call_and_validate(headers=headers)

            try:
                run()
            except BaseException as exc:  # noqa: BLE001 - every operation's failure, reported together
                failures.append(f"{operation.label} [{mode}]: {str(exc)[:2000]}")
    assert not failures, "\n\n".join(failures)
