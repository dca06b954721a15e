"""The justice track: the child's role, legal milestones and access while proceedings are open."""

from __future__ import annotations

import io
import json
import uuid
from datetime import date, timedelta

import pytest
import time_machine

from caseapp.extensions import db
from caseapp.models import AuditEvent, Case, LegalEvent
from tests.casedata import body, nik, register
from tests.conftest import login
from tests.rawscan import scan_for

GUARDIAN_CONSENT = {"given_by": "guardian", "name": "Ibu Canary", "obtained_at": "2026-11-20"}
LP_CANARY = "LP/B/Canary-417/XI/2026/SPKT"
INVESTIGATOR_CANARY = "Bripka Canary Investigator"
OUTCOME_CANARY = "Canary sentence: 6 years"


def _token(app, user) -> dict[str, str]:
    result = app.test_cli_runner().invoke(args=["user", "token", user.username])
    return {"Authorization": f"Bearer {result.output.strip().splitlines()[-1]}"}


def _events(app, action):
    with app.app_context():
        rows = list(db.session.scalars(db.select(AuditEvent).where(AuditEvent.action == action)))
        db.session.expunge_all()
        return rows


@pytest.fixture
def people(app, make_user):
    return {
        "worker": make_user("case_worker", "UPTD_PPA"),
        "uptd_spv": make_user("supervisor", "UPTD_PPA"),
        "police_spv": make_user("supervisor", "POLRESTA"),
        "police_a": make_user("case_worker", "POLRESTA"),
        "police_b": make_user("case_worker", "POLRESTA"),
        "dinsos_spv": make_user("supervisor", "DINSOS"),
        "analyst": make_user("analyst", "BAPPEDA"),
        "admin": make_user("admin", "DP3A"),
    }


@pytest.fixture
def referred(app, client, people):
    """A victim case referred to POLRESTA, accepted and assigned to police_a; and one to DINSOS."""
    with app.app_context():
        case = register(people["worker"], child__nik=nik(21))
    w = _token(app, people["worker"])
    sent = client.post(
        f"/api/v1/cases/{case.uuid}/referrals",
        json={
            "to_agency": "POLRESTA",
            "services": ["law_enforcement"],
            "urgency": "urgent",
            "reason": "Report to the police.",
            "shared_sections": ["identity", "incident", "perpetrator"],
            "consent": GUARDIAN_CONSENT,
        },
        headers=w,
    )
    assert sent.status_code == 201, sent.json
    rid = sent.json["id"]
    spv = _token(app, people["police_spv"])
    accepted = client.post(
        f"/api/v1/referrals/{rid}/accept", json={"assignee": people["police_a"].username}, headers=spv
    )
    assert accepted.status_code == 200, accepted.json
    dinsos = client.post(
        f"/api/v1/cases/{case.uuid}/referrals",
        json={
            "to_agency": "DINSOS",
            "services": ["social_rehabilitation"],
            "urgency": "routine",
            "reason": "Social support.",
            "shared_sections": ["identity"],
            "consent": GUARDIAN_CONSENT,
        },
        headers=w,
    )
    assert dinsos.status_code == 201, dinsos.json
    return {"case": case, "rid": rid, "w": w, "spv": spv}


# The child's role -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "restricted"),
    [(None, False), ("victim", False), ("witness", True), ("in_conflict_with_law", True)],
)
def test_child_role_and_restricted_by_default(app, client, people, role, restricted):
    w = _token(app, people["worker"])
    data = body()
    if role is not None:
        data["child"]["role"] = role
    created = client.post("/api/v1/cases", json=data, headers=w)
    assert created.status_code == 201, created.json
    case_id = created.json["id"]
    read = client.get(f"/api/v1/cases/{case_id}", headers=w).json
    assert read["child"]["role"] == (role or "victim")
    assert read["confidentiality"] == ("restricted" if restricted else "normal")
    listed = client.get("/api/v1/cases", headers=w).json["items"]
    label = next(item["child_label"] for item in listed if item["id"] == case_id)
    assert label == ("S.C.A." if restricted else "Siti Canary Aminah")


def test_child_role_changed_to_witness_restricts_and_is_audited(app, client, people):
    w = _token(app, people["worker"])
    case_id = client.post("/api/v1/cases", json=body(), headers=w).json["id"]
    patched = client.patch(
        f"/api/v1/cases/{case_id}", json={"version": 1, "child": {"role": "witness"}}, headers=w
    )
    assert patched.status_code == 200, patched.json
    read = client.get(f"/api/v1/cases/{case_id}", headers=w).json
    assert read["child"]["role"] == "witness" and read["confidentiality"] == "restricted"
    changes = _events(app, "case.update")
    assert changes and "child.role" in changes[-1].changed_fields
    refused = client.patch(
        f"/api/v1/cases/{case_id}", json={"version": read["version"], "child": {"role": "suspect"}}, headers=w
    )
    assert refused.status_code == 400 and "child.role" in refused.json["fields"]


# Legal milestones -----------------------------------------------------------------------------------------


def test_police_record_milestones_on_a_case_referred_to_them(app, client, people, referred):
    case_id = referred["case"].uuid
    police = _token(app, people["police_a"])
    url = f"/api/v1/cases/{case_id}/legal-events"
    lp = client.post(
        url, json={"kind": "police_report", "date": "2026-11-21", "reference": LP_CANARY}, headers=police
    )
    assert lp.status_code == 201, lp.json
    assert lp.json["agency"] == "POLRESTA" and lp.json["reference"] == LP_CANARY
    missing = client.post(url, json={"kind": "visum_request", "date": "2026-11-21"}, headers=police)
    assert missing.status_code == 400 and "investigator" in missing.json["fields"]
    visum = client.post(
        url,
        json={"kind": "visum_request", "date": "2026-11-21", "investigator": INVESTIGATOR_CANARY},
        headers=police,
    )
    assert visum.status_code == 201, visum.json
    future = client.post(url, json={"kind": "victim_statement", "date": "2999-01-01"}, headers=police)
    assert future.status_code == 400 and "date" in future.json["fields"]
    # The owning agency's worker sees them on the case's legal track, in date order.
    listed = client.get(url, headers=referred["w"])
    assert listed.status_code == 200
    assert [e["kind"] for e in listed.json["items"]] == ["police_report", "visum_request"]
    assert listed.json["items"][1]["investigator"] == INVESTIGATOR_CANARY
    assert listed.json["proceedings_open"] is True
    recorded = _events(app, "legal_event.record")
    details = json.loads(recorded[0].details)
    assert len(recorded) == 2 and details["agency"] == "POLRESTA" and details["referral"] == referred["rid"]
    assert len(_events(app, "legal_event.list")) == 1
    assert scan_for(app, [LP_CANARY, INVESTIGATOR_CANARY]) == []


def test_verdict_needs_its_outcome_and_the_owner_records_too(app, client, people, referred):
    url = f"/api/v1/cases/{referred['case'].uuid}/legal-events"
    w = referred["w"]
    assert client.post(url, json={"kind": "verdict", "date": "2026-11-25"}, headers=w).status_code == 400
    verdict = client.post(
        url, json={"kind": "verdict", "date": "2026-11-25", "outcome": OUTCOME_CANARY}, headers=w
    )
    assert verdict.status_code == 201 and verdict.json["agency"] == "UPTD_PPA"
    unknown = client.post(url, json={"kind": "appeal", "date": "2026-11-25"}, headers=w)
    assert unknown.status_code == 400 and "kind" in unknown.json["fields"]
    assert scan_for(app, [OUTCOME_CANARY]) == []


@pytest.mark.parametrize(
    ("who", "post", "get"),
    [
        ("worker", 201, 200),  # the case's own manager
        ("uptd_spv", 201, 200),  # the owning agency's supervisor
        ("police_spv", 201, 200),  # the receiving police supervisor
        ("police_a", 201, 200),  # the police assignee
        ("police_b", 404, 404),  # another police worker: not shared with them
        ("dinsos_spv", 404, 404),  # a referral receiver outside the justice chain
        ("analyst", 404, 404),
        ("admin", 404, 404),
    ],
)
def test_legal_event_permission_matrix(app, client, people, referred, who, post, get):
    headers = _token(app, people[who])
    url = f"/api/v1/cases/{referred['case'].uuid}/legal-events"
    sent = client.post(url, json={"kind": "suspect_named", "date": "2026-11-22"}, headers=headers)
    assert sent.status_code == post, sent.json
    assert client.get(url, headers=headers).status_code == get
    if post == 404:
        assert _events(app, "authz.deny")
        with app.app_context():
            assert db.session.scalar(db.select(db.func.count(LegalEvent.id))) == 0


def test_milestone_links_an_attachment_of_the_same_case_only(app, client, people, referred):
    w = referred["w"]
    out = io.BytesIO()
    from PIL import Image

    Image.new("RGB", (8, 8), (10, 20, 30)).save(out, format="PNG")
    uploaded = client.post(
        f"/api/v1/cases/{referred['case'].uuid}/attachments",
        data={"file": (io.BytesIO(out.getvalue()), "visum.png"), "kind": "visum"},
        headers=w,
        content_type="multipart/form-data",
    )
    assert uploaded.status_code == 201, uploaded.json
    url = f"/api/v1/cases/{referred['case'].uuid}/legal-events"
    linked = client.post(
        url, json={"kind": "visum_result", "date": "2026-11-23", "attachment": uploaded.json["id"]}, headers=w
    )
    assert linked.status_code == 201 and linked.json["attachment"] == uploaded.json["id"]
    with app.app_context():
        other = register(people["worker"], child__nik=nik(22))
    elsewhere = client.post(
        f"/api/v1/cases/{other.uuid}/legal-events",
        json={"kind": "visum_result", "date": "2026-11-23", "attachment": uploaded.json["id"]},
        headers=w,
    )
    assert elsewhere.status_code == 400 and "attachment" in elsewhere.json["fields"]


# Access while proceedings are open -------------------------------------------------------------------------


def test_police_keep_reading_while_proceedings_are_open(app, client, people, referred):
    rid, spv = referred["rid"], referred["spv"]
    url = f"/api/v1/cases/{referred['case'].uuid}/legal-events"
    with time_machine.travel("2026-11-27 08:00:00", tick=False) as clock:
        client.post(url, json={"kind": "police_report", "date": "2026-11-27"}, headers=spv)
        done = client.post(f"/api/v1/referrals/{rid}/complete", json={"outcome": "provided"}, headers=spv)
        assert done.status_code == 200, done.json
        clock.shift(timedelta(days=60))  # past the 30 days after completion: no verdict yet
        assert "case" in client.get(f"/api/v1/referrals/{rid}", headers=spv).json
        verdict = client.post(
            url, json={"kind": "verdict", "date": "2027-01-26", "outcome": "Canary acquitted"}, headers=spv
        )
        assert verdict.status_code == 201, verdict.json
        clock.shift(timedelta(days=89))
        spv = _token(app, people["police_spv"])  # API tokens expire meanwhile
        assert "case" in client.get(f"/api/v1/referrals/{rid}", headers=spv).json
        clock.shift(timedelta(days=2))  # 90 days after the verdict: access ends
        assert "case" not in client.get(f"/api/v1/referrals/{rid}", headers=spv).json
        assert client.get(url, headers=spv).status_code == 404
        owner = _token(app, people["worker"])
        assert client.get(url, headers=owner).json["proceedings_open"] is False


def test_cancelled_case_takes_no_milestone(app, client, people):
    w = _token(app, people["worker"])
    case_id = client.post("/api/v1/cases", json=body(), headers=w).json["id"]
    cancel = client.post(  # a supervisor cancels (a worker only asks)
        f"/api/v1/cases/{case_id}/transition",
        json={"action": "cancel", "reason": "duplicate", "version": 1},
        headers=_token(app, people["uptd_spv"]),
    )
    assert cancel.status_code == 200, cancel.json
    refused = client.post(
        f"/api/v1/cases/{case_id}/legal-events", json={"kind": "trial", "date": "2026-11-22"}, headers=w
    )
    assert refused.status_code == 409
    with app.app_context():
        assert db.session.scalar(db.select(Case.status).where(Case.uuid == uuid.UUID(case_id))) == "cancelled"


# Pages ----------------------------------------------------------------------------------------------------


def test_case_page_records_a_milestone_and_keeps_a_refused_form(app, client, people, referred):
    from tests.conftest import login

    login(client, people["worker"].username)
    case_id = referred["case"].uuid
    page = client.get(f"/cases/{case_id}/section/legal").get_data(as_text=True)
    assert 'data-testid="legal-form"' in page and "legal-events" in page
    refused = client.post(
        f"/cases/{case_id}/legal-events",
        data={
            "legal-kind": "visum_request",
            "legal-date": "2026-11-21",
            "legal-reference": "Canary-typed-ref",
        },
    )
    assert refused.status_code == 400
    text = refused.get_data(as_text=True)
    assert "Canary-typed-ref" in text and 'id="legal-investigator-error"' in text
    done = client.post(
        f"/cases/{case_id}/legal-events",
        data={"legal-kind": "police_report", "legal-date": "2026-11-21", "legal-reference": LP_CANARY},
    )
    assert done.status_code == 302
    assert done.headers["Location"].endswith(f"/cases/{case_id}/section/legal#legal")
    page = client.get(f"/cases/{case_id}/section/legal").get_data(as_text=True)
    assert LP_CANARY in page
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(LegalEvent.id))) == 1


def test_police_record_from_the_referral_page_and_others_do_not_see_the_form(app, client, people, referred):
    from tests.conftest import login

    login(client, people["police_a"].username)
    page = client.get(f"/referrals/{referred['rid']}").get_data(as_text=True)
    assert 'data-testid="legal-form"' in page
    done = client.post(
        f"/cases/{referred['case'].uuid}/legal-events",
        data={"legal-kind": "victim_statement", "legal-date": "2026-11-22", "legal-reference": "BAP/1"},
    )
    assert done.status_code == 302 and f"/referrals/{referred['rid']}" in done.headers["Location"]
    client.post("/logout")
    login(client, people["police_b"].username)  # not the assignee: no shared details, no legal track
    page = client.get(f"/referrals/{referred['rid']}").get_data(as_text=True)
    assert 'data-testid="legal-events"' not in page
    refused = client.post(
        f"/cases/{referred['case'].uuid}/legal-events",
        data={"legal-kind": "trial", "legal-date": "2026-11-22"},
    )
    assert refused.status_code == 404


# SPPA diversion -------------------------------------------------------------------------------------------


def _abh_case(client, headers, dob="2011-03-04"):
    data = body(child__date_of_birth=dob)
    data["child"]["role"] = "in_conflict_with_law"
    created = client.post("/api/v1/cases", json=data, headers=headers)
    assert created.status_code == 201, created.json
    return created.json["id"]


SETTLED = {
    "stage": "investigation",
    "outcome": "settled",
    "started_on": "2026-11-02",
    "victim_agreed": True,
    "agreement_on": "2026-11-20",
    "court_approved_on": "2026-11-25",
}


def test_diversion_only_for_a_child_in_conflict_with_the_law(app, client, people, referred):
    w = referred["w"]
    victim = client.post(
        f"/api/v1/cases/{referred['case'].uuid}/diversions",
        json={"stage": "investigation", "started_on": "2026-11-02"},
        headers=w,
    )
    assert victim.status_code == 409 and "stage" in victim.json["fields"]
    case_id = _abh_case(client, w)
    url = f"/api/v1/cases/{case_id}/diversions"
    ongoing = client.post(url, json={"stage": "investigation", "started_on": "2026-11-02"}, headers=w)
    assert ongoing.status_code == 201 and ongoing.json["outcome"] == "ongoing"
    no_agreement = client.post(url, json={**SETTLED, "victim_agreed": False}, headers=w)
    assert no_agreement.status_code == 400 and "victim_agreed" in no_agreement.json["fields"]
    too_long = client.post(url, json={**SETTLED, "agreement_on": "2026-12-31"}, headers=w)
    assert too_long.status_code == 400 and "agreement_on" in too_long.json["fields"]
    no_court = client.post(url, json={**SETTLED, "court_approved_on": None}, headers=w)
    assert no_court.status_code == 400 and "court_approved_on" in no_court.json["fields"]
    wrong_stage = client.post(
        url, json={"stage": "under_12", "started_on": "2026-11-02", "decision": "social_program"}, headers=w
    )
    assert wrong_stage.status_code == 409 and "stage" in wrong_stage.json["fields"]
    settled = client.post(url, json=SETTLED, headers=w)
    assert settled.status_code == 201, settled.json
    listed = client.get(f"/api/v1/cases/{case_id}/legal-events", headers=w).json
    assert [d["outcome"] for d in listed["diversions"]] == ["ongoing", "settled"]
    events = _events(app, "diversion.record")
    assert len(events) == 2 and json.loads(events[-1].details)["outcome"] == "settled"


def test_a_child_under_12_gets_the_pasal_21_decision_not_a_criminal_process(app, client, people):
    w = _token(app, people["worker"])
    case_id = _abh_case(client, w, dob="2016-01-10")
    url = f"/api/v1/cases/{case_id}/diversions"
    criminal = client.post(url, json={"stage": "investigation", "started_on": "2026-11-02"}, headers=w)
    assert criminal.status_code == 409 and "Pasal 21" in criminal.json["fields"]["stage"][0]
    missing = client.post(url, json={"stage": "under_12", "started_on": "2026-11-02"}, headers=w)
    assert missing.status_code == 400 and "decision" in missing.json["fields"]
    decided = client.post(
        url,
        json={"stage": "under_12", "started_on": "2026-11-02", "decision": "return_to_parents"},
        headers=w,
    )
    assert decided.status_code == 201 and decided.json["decision"] == "return_to_parents"


@pytest.mark.parametrize(("who", "status"), [("police_a", 201), ("police_b", 404), ("dinsos_spv", 404)])
def test_diversion_permission_matrix(app, client, people, who, status):
    w = _token(app, people["worker"])
    case_id = _abh_case(client, w)
    sent = client.post(
        f"/api/v1/cases/{case_id}/referrals",
        json={
            "to_agency": "POLRESTA",
            "services": ["law_enforcement"],
            "urgency": "urgent",
            "reason": "ABH.",
            "shared_sections": ["incident"],
            "consent": GUARDIAN_CONSENT,
        },
        headers=w,
    )
    assert sent.status_code == 201, sent.json
    spv = _token(app, people["police_spv"])
    client.post(
        f"/api/v1/referrals/{sent.json['id']}/accept",
        json={"assignee": people["police_a"].username},
        headers=spv,
    )
    answer = client.post(
        f"/api/v1/cases/{case_id}/diversions",
        json={"stage": "investigation", "started_on": "2026-11-02"},
        headers=_token(app, people[who]),
    )
    assert answer.status_code == status, answer.json


def test_the_kla_diversion_indicator_counts_abh_cases(app, client, people):
    w = _token(app, people["worker"])
    for _ in range(6):
        case_id = _abh_case(client, w)
        assert client.post(f"/api/v1/cases/{case_id}/diversions", json=SETTLED, headers=w).status_code == 201
    _abh_case(client, w)  # not diverted
    client.post("/api/v1/cases", json=body(), headers=w)  # a victim case: not counted
    from tests.conftest import login

    login(client, people["analyst"].username)
    recap = client.get("/api/v1/reports/recap?period=2026-Q4").json
    indicator = next(i for i in recap["indicators"] if i["key"] == "abh_diversion")
    assert indicator["numerator"] in (5, 10) and indicator["denominator"] in (5, 10)
    assert indicator["numerator"] % 5 == 0 and indicator["denominator"] % 5 == 0
    assert "settled" in indicator["definition"] or "diversi" in indicator["definition"]


# The mediation warning ------------------------------------------------------------------------------------

CHILD_PERPETRATOR = {
    "role": "perpetrator",
    "name": "",
    "phone": "",
    "address": "",
    "relationship": None,
    "sex": "M",
    "age_group": "13-17",
    "is_child": True,
}


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"incident__violence_types": ["physical"]}, None),
        ({"incident__violence_types": ["sexual"], "incident__primary_violence_type": "sexual"}, "forbids"),
        ({"incident__ampk": ["pornography_victim"]}, "forbids"),  # every TPKS form, not only "sexual"
        ({"incident__ampk": ["economic_sexual_exploitation"]}, "forbids"),
        (
            {"incident__violence_types": ["trafficking"], "incident__primary_violence_type": "trafficking"},
            "forbids",
        ),
        (
            {
                "incident__violence_types": ["sexual"],
                "incident__primary_violence_type": "sexual",
                "parties": [CHILD_PERPETRATOR],
            },
            "excepts child perpetrators",
        ),
    ],
)
def test_mediation_warning_depends_on_the_form_and_the_perpetrators_age(
    app, client, people, changes, expected
):
    w = _token(app, people["worker"])
    created = client.post("/api/v1/cases", json=body(**changes), headers=w)
    assert created.status_code == 201, created.json
    note = client.post(
        f"/api/v1/cases/{created.json['id']}/notes", json={"kind": "mediation", "body": "damai"}, headers=w
    )
    assert note.status_code == 201
    warning = note.json["warning"]
    if expected is None:
        assert warning is None
    else:  # both name UU TPKS; only the child perpetrator's points to SPPA diversion
        assert "UU TPKS" in warning and ("SPPA" in warning) == (expected == "excepts child perpetrators")


# Agencies and codes ---------------------------------------------------------------------------------------


def test_court_and_lpsk_are_agencies_with_default_sections_and_the_justice_services_exist(app):
    from caseapp import reference_data
    from caseapp.models import Agency
    from caseapp.services.referrals.workflow import default_sections

    with app.test_request_context():
        agencies = {a.code: a for a in db.session.scalars(db.select(Agency))}
        assert agencies["PN_KENDARI"].kind == "court" and agencies["LPSK"].kind == "victim_protection"
        assert {"PN_KENDARI", "LPSK", "BAPAS", "KEJARI"} <= set(reference_data.referral_agencies())
        assert default_sections(agencies["PN_KENDARI"]) == ["identity", "incident", "perpetrator"]
        assert default_sections(agencies["LPSK"]) == ["identity", "contact", "incident"]
        assert {"litmas", "legal_accompaniment"} <= reference_data.code_set("service")


def test_the_case_page_lists_diversions(app, client, people):
    from tests.conftest import login

    w = _token(app, people["worker"])
    case_id = _abh_case(client, w)
    client.post(f"/api/v1/cases/{case_id}/diversions", json=SETTLED, headers=w)
    login(client, people["worker"].username)
    page = client.get(f"/cases/{case_id}/section/legal").get_data(as_text=True)
    assert 'data-testid="diversions"' in page and "2026-11-25" in page


def test_both_sides_see_until_when_a_completed_referral_stays_readable(app, client, people, referred):
    from tests.conftest import login

    rid, spv = referred["rid"], referred["spv"]
    url = f"/api/v1/cases/{referred['case'].uuid}/legal-events"
    client.post(url, json={"kind": "police_report", "date": "2026-11-21"}, headers=spv)
    assert (
        client.post(
            f"/api/v1/referrals/{rid}/complete", json={"outcome": "provided"}, headers=spv
        ).status_code
        == 200
    )
    for who in ("police_spv", "worker"):
        login(client, people[who].username)
        page = client.get(f"/referrals/{rid}").get_data(as_text=True)
        assert 'data-testid="read-ends"' in page and "WITA" in page
        client.post("/logout")


# Litmas: the 3x24-hour deadline ----------------------------------------------------------------------------


def _litmas_items(client, headers):
    items = client.get("/api/v1/queue", headers=headers).json["items"]
    return [i for i in items if i["kind"] == "litmas_due"]


def test_a_litmas_request_is_due_in_3x24_hours_and_waits_in_the_requesters_queue(app, client, people):
    from tests.conftest import login

    police = _token(app, people["police_a"])
    spv = _token(app, people["police_spv"])
    other = _token(app, people["police_b"])
    with time_machine.travel("2026-11-10 02:00:00", tick=False) as clock:
        case_id = _abh_case(client, police)
        url = f"/api/v1/cases/{case_id}/legal-events"
        future = client.post(
            url,
            json={"kind": "litmas_request", "date": "2026-11-10", "requested_at": "2026-11-10T03:00:00"},
            headers=police,
        )
        assert future.status_code == 400 and "requested_at" in future.json["fields"]
        asked = client.post(
            url,
            json={"kind": "litmas_request", "date": "2026-11-10", "requested_at": "2026-11-10T01:00:00"},
            headers=police,
        )
        assert asked.status_code == 201, asked.json
        assert asked.json["due_at"] == "2026-11-13T01:00:00Z" and asked.json["overdue"] is False
        # Another milestone has no request time or deadline, whatever is sent.
        other_kind = client.post(
            url,
            json={"kind": "suspect_named", "date": "2026-11-10", "requested_at": "2026-11-10T01:00:00"},
            headers=police,
        )
        assert other_kind.json["requested_at"] is None and other_kind.json["due_at"] is None
        mine = _litmas_items(client, police)
        assert len(mine) == 1 and mine[0]["overdue"] is False and mine[0]["due_at"] == "2026-11-13T01:00:00Z"
        assert mine[0]["link"].endswith("/section/legal#legal")
        assert len(_litmas_items(client, spv)) == 1  # the supervisor watches the agency's requests
        assert _litmas_items(client, other) == []  # another worker: not theirs
        assert _litmas_items(client, referred_free_token(app, people)) == []
        clock.move_to("2026-11-13 02:00:00")  # 10:00 WITA, an hour past the deadline
        assert _litmas_items(client, police)[0]["overdue"] is True
        listed = client.get(url, headers=police).json["items"]
        assert next(e for e in listed if e["kind"] == "litmas_request")["overdue"] is True
        login(client, people["police_a"].username)
        page = client.get(f"/cases/{case_id}/section/legal").get_data(as_text=True)
        assert 'data-testid="litmas-due"' in page and "13 November 2026 09.00 WITA" in page
        assert 'data-testid="litmas-overdue"' in page
        received = client.post(url, json={"kind": "litmas_received", "date": "2026-11-13"}, headers=police)
        assert received.status_code == 201
        assert _litmas_items(client, police) == []
        listed = client.get(url, headers=police).json["items"]
        assert next(e for e in listed if e["kind"] == "litmas_request")["overdue"] is False


def referred_free_token(app, people):
    """A worker of another agency (no case, no referral)."""
    return _token(app, people["worker"])


def test_the_web_form_takes_the_litmas_request_time_in_wita(app, client, people):
    from tests.conftest import login

    with time_machine.travel("2026-11-10 02:00:00", tick=False):
        case_id = _abh_case(client, _token(app, people["police_a"]))
        login(client, people["police_a"].username)
        sent = client.post(
            f"/cases/{case_id}/legal-events",
            data={
                "legal-kind": "litmas_request",
                "legal-date": "2026-11-10",
                "legal-requested_at": "2026-11-10T09:30",
            },
        )
        assert sent.status_code == 302
        with app.app_context():
            event = db.session.scalar(db.select(LegalEvent).where(LegalEvent.kind == "litmas_request"))
            assert event.requested_at.isoformat() == "2026-11-10T01:30:00"  # 09:30 WITA is 01:30 UTC


# Proceedings that end without a verdict ------------------------------------------------------------------


def _open_until_both_ways(app, case_uuid):
    """The case page derives the end of proceedings from the rows it has read; the access checks ask the
    database: both must say the same."""
    from caseapp.services import legal, proceedings

    with app.app_context():
        case = db.session.scalar(db.select(Case).where(Case.uuid == uuid.UUID(str(case_uuid))))
        loaded = (legal.case_events(case), legal.case_diversions(case))
        asked, derived = proceedings.open_until(case), proceedings.open_until(case, loaded)
        db.session.remove()
    assert asked == derived
    return asked


@pytest.mark.parametrize("ending", ["investigation_stopped", "prosecution_stopped", "complaint_withdrawn"])
def test_proceedings_end_without_a_verdict(app, client, people, referred, ending):
    url = f"/api/v1/cases/{referred['case'].uuid}/legal-events"
    spv = referred["spv"]
    with time_machine.travel("2026-11-27 08:00:00", tick=False) as clock:
        client.post(url, json={"kind": "police_report", "date": "2026-11-21"}, headers=spv)
        clock.move_to("2027-06-01 08:00:00")
        # Tokens expire: fresh ones after months.
        spv, owner = _token(app, people["police_spv"]), _token(app, people["worker"])
        assert client.get(url, headers=owner).json["proceedings_open"] is True  # no end: open for months
        ended = client.post(
            url, json={"kind": ending, "date": "2027-06-01", "reference": "S.Tap/Canary"}, headers=spv
        )
        assert ended.status_code == 201, ended.json
        assert client.get(url, headers=owner).json["proceedings_open"] is True  # within 90 days of it
        assert _open_until_both_ways(app, str(referred["case"].uuid)) == date(2027, 8, 30)
        clock.move_to("2027-09-01 08:00:00")
        owner = _token(app, people["worker"])
        assert client.get(url, headers=owner).json["proceedings_open"] is False


@pytest.mark.parametrize("stop", ["investigation_stopped", "prosecution_stopped"])
def test_the_investigators_access_ends_after_an_sp3_or_an_skp2(app, client, people, referred, stop):
    """Without an end, a completed referral stays readable to the police while proceedings are open, which
    is for ever; an SP3 (the police stop the investigation) or an SKP2 (the prosecutor stops the
    prosecution) ends them as a verdict does, and the assignee's access ends 90 days after it."""
    rid, case_id = referred["rid"], referred["case"].uuid
    url = f"/api/v1/cases/{case_id}/legal-events"
    with time_machine.travel("2026-11-27 08:00:00", tick=False) as clock:
        police = _token(app, people["police_a"])  # the investigator the referral is assigned to
        assert (
            client.post(url, json={"kind": "police_report", "date": "2026-11-27"}, headers=police).status_code
            == 201
        )
        done = client.post(f"/api/v1/referrals/{rid}/complete", json={"outcome": "provided"}, headers=police)
        assert done.status_code == 200, done.json
        clock.move_to("2027-11-27 08:00:00")  # a year on, no end recorded: still reading
        police = _token(app, people["police_a"])
        assert client.get(url, headers=police).status_code == 200
        stopped = client.post(
            url, json={"kind": stop, "date": "2027-11-26", "reference": "S.Tap/Canary"}, headers=police
        )
        assert stopped.status_code == 201, stopped.json
        clock.move_to("2028-02-23 08:00:00")  # the 89th day after it
        police = _token(app, people["police_a"])
        assert client.get(url, headers=police).status_code == 200
        assert "case" in client.get(f"/api/v1/referrals/{rid}", headers=police).json
        login(client, people["police_a"].username)
        assert 'id="legal-h"' in client.get(f"/referrals/{rid}").get_data(as_text=True)
        clock.move_to("2028-02-26 08:00:00")  # past the 90 days
        police = _token(app, people["police_a"])
        assert client.get(url, headers=police).status_code == 404
        assert "case" not in client.get(f"/api/v1/referrals/{rid}", headers=police).json
        login(client, people["police_a"].username)
        assert 'id="legal-h"' not in client.get(f"/referrals/{rid}").get_data(as_text=True)


def test_an_end_of_proceedings_is_final_a_resumed_investigation_is_referred_again(
    app, client, people, referred
):
    """Proceedings do not reopen: a milestone after an SP3 (an investigation resumed because a pretrial
    ruling, praperadilan, annulled the SP3), or one recorded every few weeks to keep reading, moves nothing:
    the 90 days count from the end. For longer, the owning agency refers the case to the police again: an
    open referral is read whatever the proceedings."""
    rid, case_id = referred["rid"], str(referred["case"].uuid)
    url = f"/api/v1/cases/{case_id}/legal-events"
    with time_machine.travel("2026-11-27 08:00:00", tick=False) as clock:
        police = _token(app, people["police_a"])
        client.post(url, json={"kind": "police_report", "date": "2026-11-21"}, headers=police)
        client.post(url, json={"kind": "investigation_stopped", "date": "2026-11-27"}, headers=police)
        done = client.post(f"/api/v1/referrals/{rid}/complete", json={"outcome": "provided"}, headers=police)
        assert done.status_code == 200, done.json
        for day in ("2027-01-01", "2027-02-20"):  # within the 90 days: recorded, and it extends nothing
            clock.move_to(f"{day} 08:00:00")
            police = _token(app, people["police_a"])
            later = client.post(url, json={"kind": "suspect_named", "date": day}, headers=police)
            assert later.status_code == 201, later.json
            assert _open_until_both_ways(app, case_id) == date(2026, 11, 27) + timedelta(days=90)
        clock.move_to("2027-02-26 08:00:00")  # 91 days after the SP3, 6 after the latest milestone
        police = _token(app, people["police_a"])
        gone = client.post(url, json={"kind": "suspect_named", "date": "2027-02-26"}, headers=police)
        assert gone.status_code == 404
        clock.move_to("2027-04-27 08:00:00")
        assert client.get(url, headers=police).status_code == 404
        owner = _token(app, people["worker"])
        assert client.get(url, headers=owner).json["proceedings_open"] is False
        again = client.post(
            f"/api/v1/cases/{case_id}/referrals",
            json={
                "to_agency": "POLRESTA",
                "services": ["law_enforcement"],
                "urgency": "urgent",
                "reason": "Penyidikan dilanjutkan setelah putusan praperadilan.",
                "shared_sections": ["identity", "incident"],
                "consent": {**GUARDIAN_CONSENT, "obtained_at": "2027-04-27"},
            },
            headers=owner,
        )
        assert again.status_code == 201, again.json
        spv = _token(app, people["police_spv"])
        accepted = client.post(
            f"/api/v1/referrals/{again.json['id']}/accept",
            json={"assignee": people["police_a"].username},
            headers=spv,
        )
        assert accepted.status_code == 200, accepted.json
        assert client.get(url, headers=police).status_code == 200


def test_a_diversion_approved_by_the_court_ends_the_proceedings(app, client, people):
    w = _token(app, people["worker"])
    with time_machine.travel("2026-11-27 08:00:00", tick=False) as clock:
        case_id = _abh_case(client, w)
        url = f"/api/v1/cases/{case_id}/legal-events"
        client.post(url, json={"kind": "police_report", "date": "2026-11-01"}, headers=w)
        assert _open_until_both_ways(app, case_id) == date.max  # no end yet
        assert client.post(f"/api/v1/cases/{case_id}/diversions", json=SETTLED, headers=w).status_code == 201
        assert _open_until_both_ways(app, case_id) == date(2026, 11, 25) + timedelta(days=90)
        assert client.get(url, headers=w).json["proceedings_open"] is True
        clock.move_to("2027-03-01 08:00:00")  # more than 90 days after the approval (2026-11-25)
        w = _token(app, people["worker"])
        assert client.get(url, headers=w).json["proceedings_open"] is False


# The diversion form on the case page ---------------------------------------------------------------------


def test_the_diversion_form_is_on_the_page_of_a_child_in_conflict_with_the_law_only(
    app, client, people, referred
):
    from tests.conftest import login

    w = _token(app, people["worker"])
    case_id = _abh_case(client, w)
    login(client, people["worker"].username)
    page = client.get(f"/cases/{case_id}/section/legal").get_data(as_text=True)
    assert 'data-testid="diversion-form"' in page
    victim_page = client.get(f"/cases/{referred['case'].uuid}/section/legal").get_data(as_text=True)
    assert 'data-testid="diversion-form"' not in victim_page
    refused = client.post(
        f"/cases/{case_id}/diversions",
        data={
            "diversion-stage": "investigation",
            "diversion-outcome": "settled",
            "diversion-started_on": "2026-11-02",
            "diversion-agreement_on": "2026-11-20",
            "diversion-court_approved_on": "2026-11-25",
        },
    )
    text = refused.get_data(as_text=True)
    assert refused.status_code == 400 and 'id="diversion-victim_agreed-error"' in text
    assert 'value="2026-11-25"' in text  # what was typed is kept
    done = client.post(
        f"/cases/{case_id}/diversions",
        data={
            "diversion-stage": "investigation",
            "diversion-outcome": "settled",
            "diversion-started_on": "2026-11-02",
            "diversion-victim_agreed": "y",
            "diversion-agreement_on": "2026-11-20",
            "diversion-court_approved_on": "2026-11-25",
        },
    )
    assert done.status_code == 302
    page = client.get(f"/cases/{case_id}/section/legal").get_data(as_text=True)
    assert 'data-testid="diversions"' in page and "2026-11-25" in page
    assert json.loads(_events(app, "diversion.record")[-1].details)["outcome"] == "settled"
    # The victim's case refuses it (409), and another worker cannot reach it (404).
    client.post("/logout")
    login(client, people["police_b"].username)
    assert (
        client.post(f"/cases/{case_id}/diversions", data={"diversion-stage": "investigation"}).status_code
        == 404
    )


def test_detention_of_a_child_has_the_sppa_limits_and_a_late_diversion_is_flagged(app, client, people):
    """UU SPPA Pasal 32-35: only a child of 14 or more in conflict with the law is detained, within the
    stage's days; Pasal 29: diversion is tried within 7 days of the investigation's start."""
    w = _token(app, people["worker"])

    def milestone(case_id, kind, day):
        return client.post(
            f"/api/v1/cases/{case_id}/legal-events",
            json={"kind": kind, "date": day, "reference": "", "investigator": "", "outcome": ""},
            headers=w,
        )

    victim = client.post("/api/v1/cases", json=body(), headers=w).json["id"]
    refused = milestone(victim, "detention_started", "2026-11-03")
    assert refused.status_code == 409 and "kind" in refused.json["fields"]
    young = _abh_case(client, w, dob="2013-02-01")  # 13 at the incident
    too_young = milestone(young, "detention_started", "2026-11-03")
    assert too_young.status_code == 409 and "Pasal 32" in too_young.json["fields"]["kind"][0]

    case_id = _abh_case(client, w)  # 15 at the incident
    assert milestone(case_id, "police_report", "2026-11-01").status_code == 201
    with time_machine.travel("2026-11-10 02:00:00", tick=False):
        assert milestone(case_id, "detention_started", "2026-11-03").status_code == 201
        events = client.get(f"/api/v1/cases/{case_id}/legal-events", headers=w).json
        assert events["detention"] == {
            "since": "2026-11-03",
            "stage": "investigation",
            "release_by": "2026-11-17",
            "overdue": False,
        }
        late = client.post(
            f"/api/v1/cases/{case_id}/diversions",
            json={"stage": "investigation", "started_on": "2026-11-09"},
            headers=w,
        )
        assert late.status_code == 201 and late.json["started_late"] is True
        on_time = client.post(
            f"/api/v1/cases/{case_id}/diversions",
            json={"stage": "investigation", "started_on": "2026-11-08"},
            headers=w,
        )
        assert on_time.json["started_late"] is False
    with time_machine.travel("2026-11-18 02:00:00", tick=False):
        events = client.get(f"/api/v1/cases/{case_id}/legal-events", headers=w).json
        assert events["detention"]["overdue"] is True
        login(client, people["worker"].username)
        page = client.get(f"/cases/{case_id}/section/legal").get_data(as_text=True)
        assert 'data-testid="detention"' in page and 'data-testid="diversion-late"' in page
        assert milestone(case_id, "detention_ended", "2026-11-17").status_code == 201
        assert client.get(f"/api/v1/cases/{case_id}/legal-events", headers=w).json["detention"] is None
    # At prosecution (after P21) the limit is 10 days.
    assert milestone(case_id, "case_file_complete", "2026-11-20").status_code == 201
    with time_machine.travel("2026-11-22 02:00:00", tick=False):
        assert milestone(case_id, "detention_started", "2026-11-21").status_code == 201
        detained = client.get(f"/api/v1/cases/{case_id}/legal-events", headers=w).json["detention"]
        assert (detained["stage"], detained["release_by"]) == ("prosecution", "2026-11-30")


def test_detention_counts_each_stage_from_its_start_and_the_age_on_its_day(app, client, people):
    """The prosecutor's detention counts from P21 (not from the arrest); the age that matters is the one on
    the day of the detention; no detention before the incident."""
    w = _token(app, people["worker"])

    def milestone(case_id, kind, day):
        return client.post(
            f"/api/v1/cases/{case_id}/legal-events",
            json={"kind": kind, "date": day, "reference": "", "investigator": "", "outcome": ""},
            headers=w,
        )

    turned_14 = _abh_case(client, w, dob="2012-10-15")  # 13 at the incident (2026-10-01), 14 since 10-15
    assert milestone(turned_14, "detention_started", "2026-10-10").status_code == 409
    assert milestone(turned_14, "detention_started", "2026-11-25").status_code == 201
    case_id = _abh_case(client, w)
    before = milestone(case_id, "detention_started", "2020-01-01")
    assert before.status_code == 409 and "date" in before.json["fields"]
    assert milestone(case_id, "police_report", "2026-11-20").status_code == 201
    assert milestone(case_id, "detention_started", "2026-11-25").status_code == 201
    assert milestone(case_id, "case_file_complete", "2026-11-28").status_code == 201
    with time_machine.travel("2026-12-01 02:00:00", tick=False):
        detained = client.get(f"/api/v1/cases/{case_id}/legal-events", headers=w).json["detention"]
    assert (detained["stage"], detained["release_by"]) == ("prosecution", "2026-12-07")
