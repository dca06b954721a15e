"""The case page: an overview and section pages under one header, navigated by plain links.

Each page shows its own sections only, answers 404 outside the user's scope like the case page, is audited
as a view of the case (naming the section), and takes back a refused form of its own with the errors
beside the fields and what the user typed.
"""

from __future__ import annotations

import io
import json
import re

import pytest

from caseapp.extensions import db
from caseapp.models import AuditEvent
from tests.casedata import register
from tests.conftest import login

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<<>>\n%%EOF\n"
SECTIONS = ("practice", "protection", "legal", "attachments")

# What each page shows (and no other page does).
MARKERS = {
    "overview": ('id="notes"', 'id="services"', 'data-testid="timeline"', 'id="referrals"', 'id="child-h"'),
    "practice": ('id="assessment"', 'id="care-plan"', 'id="conferences"'),
    "protection": ('id="shelter"', 'id="outreach"'),
    "legal": ('id="legal"',),
    "attachments": ('id="attachments"',),
}


def page_url(case, page: str = "overview") -> str:
    base = f"/cases/{case.uuid}"
    return base if page == "overview" else f"{base}/section/{page}"


def _views(app) -> list[dict]:
    with app.app_context():
        rows = db.session.scalars(
            db.select(AuditEvent).where(AuditEvent.action == "case.view").order_by(AuditEvent.seq)
        )
        return [json.loads(e.details or "{}") | {"outcome": e.outcome} for e in rows]


def _form(data: dict) -> dict:
    """Return the form data to send, a file (its bytes and name) as an upload."""
    return {k: (io.BytesIO(v[0]), v[1]) if isinstance(v, tuple) else v for k, v in data.items()}


def _current(text: str) -> list[str]:
    """Return the links of the case's navigation marked as the current page."""
    nav = re.search(r'<nav aria-label="Bagian kasus".*?</nav>', text, re.S)
    assert nav, "no case navigation"
    return re.findall(r'<a [^>]*href="([^"]+)"[^>]*aria-current="page"', nav.group(0))


def _conference_with_a_task(client, people, case) -> None:
    """Sign in as the worker and hold a conference with one open task on the case."""
    login(client, people["worker"].username)
    conference = {
        "conference-held_on": "2026-11-25",
        "conference-decisions": "Konseling mingguan",
        "conference-tasks-0-description": "Jadwalkan konseling",
        "conference-tasks-0-owner": people["worker"].username,
        "conference-tasks-0-due_date": "2026-12-20",
    }
    assert client.post(f"/cases/{case.uuid}/conferences", data=conference).status_code == 302


@pytest.fixture
def people(make_user):
    return {
        "worker": make_user("case_worker", "UPTD_PPA"),
        "spv": make_user("supervisor", "UPTD_PPA"),
        "other": make_user("case_worker", "DINSOS"),
        "other_spv": make_user("supervisor", "POLRESTA"),
    }


@pytest.fixture
def case(app, people):
    with app.app_context():
        return register(people["worker"])


@pytest.mark.parametrize("page", ["overview", *SECTIONS])
def test_each_page_shows_its_own_sections_under_the_case_header(app, client, people, case, page):
    login(client, people["worker"].username)
    response = client.get(page_url(case, page))
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert case.case_number in text  # the header
    assert _current(text) == [page_url(case, page)]
    for link in ("overview", *SECTIONS):  # every page links every page
        assert f'href="{page_url(case, link)}"' in text, link
    for name, markers in MARKERS.items():
        for marker in markers:
            assert (marker in text) == (name == page), (page, marker)
    # The steps of the lifecycle stay where a supervisor closes a case: on the overview.
    assert ('data-testid="step-' in text) == (page == "overview")


@pytest.mark.parametrize("page", ["overview", *SECTIONS])
def test_each_page_is_an_audited_view_naming_its_section(app, client, people, case, page):
    login(client, people["worker"].username)
    assert client.get(page_url(case, page)).status_code == 200
    views = _views(app)
    assert len(views) == 1
    assert views[0].get("section") == (None if page == "overview" else page)


@pytest.mark.parametrize("page", ["overview", *SECTIONS])
def test_each_page_is_404_outside_the_scope_and_the_attempt_is_audited(app, client, people, case, page):
    for who in ("other", "other_spv"):
        other = app.test_client()
        login(other, people[who].username)
        assert other.get(page_url(case, page)).status_code == 404, who
    assert _views(app) == []
    with app.app_context():
        denied = db.session.scalars(db.select(AuditEvent).where(AuditEvent.action == "authz.deny")).all()
        assert len(denied) == 2 and {e.object_id for e in denied} == {str(case.uuid)}


def test_an_unknown_section_is_404(client, people, case):
    login(client, people["worker"].username)
    assert client.get(f"/cases/{case.uuid}/section/secrets").status_code == 404
    assert client.get(f"/cases/{case.uuid}/section/").status_code == 404


# A refused form of each page: (page, endpoint, form data, what was typed, the error beside its field).
REFUSALS = {
    "note": (
        "overview",
        "notes",
        {"note-kind": "visit", "note-visibility": "case_team", "note-body": ""},
        None,
        'id="note-body-error"',
    ),
    "incident": (
        "overview",
        "incident",
        {"incident-incident_of": "KDI-1999-99999"},
        "KDI-1999-99999",
        'id="incident-incident_of-error"',
    ),
    "assessment": (
        "practice",
        "assessments",
        {
            "assessment-perpetrator_has_access": "yes",
            "assessment-safe_tonight": "no",
            "assessment-risk_level": "high",
            "assessment-risk_reasons": "Canary alasan risiko",
            "assessment-summary": "",
        },
        "Canary alasan risiko",
        'id="assessment-summary-error"',
    ),
    "care_plan": (
        "practice",
        "care-plans",
        {
            "plan-goals-0-goal": "Canary tujuan pertama",
            "plan-goals-0-agency": "UPTD_PPA",
            "plan-goals-0-due_date": "",
            "plan-review_date": "2027-01-31",
        },
        "Canary tujuan pertama",
        'id="plan-goals-0-due_date-error"',
    ),
    "conference": (
        "practice",
        "conferences",
        {"conference-held_on": "2026-11-25", "conference-people": "Canary hadir", "conference-decisions": ""},
        "Canary hadir",
        'id="conference-decisions-error"',
    ),
    "shelter": (
        "protection",
        "shelter-stays",
        {"shelter-shelter_place": "Canary rumah aman", "shelter-admitted_on": "2099-01-01"},
        "Canary rumah aman",
        'id="shelter-admitted_on-error"',
    ),
    "outreach": (
        "protection",
        "outreach-visits",
        {"outreach-visit_date": "2026-11-20", "outreach-place": "Canary tempat", "outreach-outcome": ""},
        "Canary tempat",
        'id="outreach-outcome-error"',
    ),
    "legal": (
        "legal",
        "legal-events",
        {"legal-kind": "visum_request", "legal-date": "2026-11-21", "legal-reference": "Canary-typed-ref"},
        "Canary-typed-ref",
        'id="legal-investigator-error"',
    ),
    "attachment": (
        "attachments",
        "attachments",
        {
            "attachment-file": (b"MZ" + b"\x00" * 300, "visum.pdf"),
            "attachment-kind": "visum",
            "attachment-description": "Canary typed description",
        },
        "Canary typed description",
        'id="attachment-file-error"',
    ),
}


@pytest.mark.parametrize("form", sorted(REFUSALS))
def test_a_refused_form_comes_back_on_its_own_page_with_what_was_typed(app, client, people, case, form):
    page, endpoint, data, typed, error = REFUSALS[form]
    login(client, people["worker"].username)
    refused = client.post(
        f"/cases/{case.uuid}/{endpoint}", data=_form(data), content_type="multipart/form-data"
    )
    assert refused.status_code == 400
    text = refused.get_data(as_text=True)
    assert _current(text) == [page_url(case, page)]
    assert error in text and 'data-testid="error-summary"' in text
    if typed:
        assert typed in text
    for marker in MARKERS[page]:
        assert marker in text
    # The refused request rolled back; the page it showed is on record, naming its section.
    views = _views(app)
    assert len(views) == 1 and views[0].get("section") == (None if page == "overview" else page)


def test_a_refused_return_of_a_care_plan_comes_back_on_the_practice_page(app, client, people, case):
    worker = app.test_client()
    login(worker, people["worker"].username)
    plan = {
        "plan-goals-0-goal": "Anak kembali sekolah",
        "plan-goals-0-agency": "UPTD_PPA",
        "plan-goals-0-due_date": "2027-01-15",
        "plan-review_date": "2027-01-31",
    }
    assert worker.post(f"/cases/{case.uuid}/care-plans", data=plan).status_code == 302
    login(client, people["spv"].username)
    page = client.get(page_url(case, "practice")).get_data(as_text=True)
    action = re.search(r'action="(/cases/[^"]+/return)"', page).group(1)
    refused = client.post(action, data={"return-comment": ""})
    assert refused.status_code == 400
    text = refused.get_data(as_text=True)
    assert _current(text) == [page_url(case, "practice")] and 'id="return-comment-error"' in text
    done = client.post(action.replace("/return", "/approve"))
    assert done.status_code == 302
    assert done.headers["Location"].endswith(page_url(case, "practice") + "#care-plan")


# A saved form of each section: back to that section's page, at the section.
SAVES = {
    "assessment": (
        "assessments",
        {
            "assessment-perpetrator_has_access": "yes",
            "assessment-safe_tonight": "no",
            "assessment-risk_level": "high",
            "assessment-summary": "Ringkasan",
        },
        "practice#assessment",
    ),
    "care_plan": (
        "care-plans",
        {
            "plan-goals-0-goal": "Aman",
            "plan-goals-0-agency": "UPTD_PPA",
            "plan-goals-0-due_date": "2027-01-15",
            "plan-review_date": "2027-01-31",
        },
        "practice#care-plan",
    ),
    "conference": (
        "conferences",
        {"conference-held_on": "2026-11-25", "conference-decisions": "Konseling mingguan"},
        "practice#conferences",
    ),
    "shelter": (
        "shelter-stays",
        {"shelter-shelter_place": "Rumah aman", "shelter-admitted_on": "2026-11-20"},
        "protection#shelter",
    ),
    "outreach": (
        "outreach-visits",
        {"outreach-visit_date": "2026-11-20", "outreach-outcome": "met_child"},
        "protection#outreach",
    ),
    "legal": (
        "legal-events",
        {"legal-kind": "police_report", "legal-date": "2026-11-21", "legal-reference": "LP/1"},
        "legal#legal",
    ),
    "attachment": (
        "attachments",
        {
            "attachment-file": (PDF, "visum.pdf"),
            "attachment-kind": "visum",
        },
        "attachments#attachments",
    ),
    "note": (
        "notes",
        {"note-kind": "visit", "note-visibility": "case_team", "note-body": "Kunjungan"},
        "#notes",
    ),
}


@pytest.mark.parametrize("form", sorted(SAVES))
def test_a_saved_form_goes_back_to_its_section(app, client, people, case, form):
    endpoint, data, target = SAVES[form]
    login(client, people["worker"].username)
    done = client.post(f"/cases/{case.uuid}/{endpoint}", data=_form(data), content_type="multipart/form-data")
    assert done.status_code == 302, done.get_data(as_text=True)
    expected = f"/cases/{case.uuid}" + ("" if target.startswith("#") else "/section/") + target
    assert done.headers["Location"].endswith(expected)


def test_a_refused_discharge_comes_back_on_the_protection_page(app, client, people, case):
    login(client, people["worker"].username)
    admit = {"shelter-shelter_place": "Rumah aman", "shelter-admitted_on": "2026-11-20"}
    assert client.post(f"/cases/{case.uuid}/shelter-stays", data=admit).status_code == 302
    page = client.get(page_url(case, "protection")).get_data(as_text=True)
    action = re.search(r'action="(/cases/[^"]+/discharge)"', page).group(1)
    refused = client.post(action, data={"discharge-discharged_on": "2099-01-01", "discharge-reason": ""})
    assert refused.status_code == 400
    text = refused.get_data(as_text=True)
    assert _current(text) == [page_url(case, "protection")] and 'value="2099-01-01"' in text
    done = client.post(
        action, data={"discharge-discharged_on": "2026-11-25", "discharge-reason": "returned_home"}
    )
    assert done.status_code == 302
    assert done.headers["Location"].endswith(page_url(case, "protection") + "#shelter")


def test_a_record_of_another_case_under_this_cases_url_is_a_404_and_an_audited_denial(
    app, client, people, case
):
    """Found by review: a supervisor of both cases who named a record of one case under the other's URL (an
    assessment to review, a care plan to approve or return, a stay to discharge) got a 404 with nothing on
    record. The record is untouched; the same URL with the record's own case works."""
    from datetime import date

    from caseapp.models import Assessment, CarePlan, ShelterStay, User

    with app.app_context():
        other = register(people["worker"])
        worker = db.session.get(User, people["worker"].id)
        rows = {
            "assessment": Assessment(
                case_id=other.id,
                perpetrator_has_access="no",
                safe_tonight="yes",
                risk_level="low",
                author_id=worker.id,
            ),
            "care_plan": CarePlan(
                case_id=other.id, status="pending", review_date=date(2027, 1, 31), author_id=worker.id
            ),
            "shelter_stay": ShelterStay(
                case_id=other.id,
                shelter_agency_id=worker.agency_id,
                admitted_on=date(2026, 11, 20),
                recorded_by_id=worker.id,
            ),
        }
        db.session.add_all(rows.values())
        db.session.commit()
        ids = {kind: str(row.uuid) for kind, row in rows.items()}
    login(client, people["spv"].username)
    discharge = {"discharge-discharged_on": "2026-11-25", "discharge-reason": "returned_home"}
    posts = [
        (f"assessments/{ids['assessment']}/review", {}, "assessment", "case:review"),
        (f"care-plans/{ids['care_plan']}/approve", {}, "care_plan", "case:review"),
        (f"care-plans/{ids['care_plan']}/return", {"return-comment": "x"}, "care_plan", "case:review"),
        (f"shelter-stays/{ids['shelter_stay']}/discharge", discharge, "shelter_stay", "case:update"),
    ]
    for path, data, _kind, _permission in posts:
        assert client.post(f"/cases/{case.uuid}/{path}", data=data).status_code == 404, path
    with app.app_context():
        denied = db.session.scalars(
            db.select(AuditEvent).where(AuditEvent.action == "authz.deny").order_by(AuditEvent.seq)
        ).all()
        assert [(e.object_type, e.object_id, e.outcome, e.actor_id) for e in denied] == [
            (kind, ids[kind], "denied", people["spv"].id) for _path, _data, kind, _permission in posts
        ]
        assert [json.loads(e.details)["permission"] for e in denied] == [p[3] for p in posts]
        assert db.session.get(Assessment, rows["assessment"].id).reviewed_at is None
        assert db.session.get(CarePlan, rows["care_plan"].id).status == "pending"
        assert db.session.get(ShelterStay, rows["shelter_stay"].id).discharged_on is None
    # Under its own case's URL, the same step is taken (and nothing more is denied).
    for path, data in ((posts[0][0], {}), (posts[3][0], discharge)):
        assert client.post(f"/cases/{other.uuid}/{path}", data=data).status_code == 302, path
    with app.app_context():
        assert db.session.scalar(
            db.select(db.func.count()).select_from(AuditEvent).where(AuditEvent.action == "authz.deny")
        ) == len(posts)


def test_a_task_done_on_the_practice_page_goes_back_there(app, client, people, case):
    _conference_with_a_task(client, people, case)
    page = client.get(page_url(case, "practice")).get_data(as_text=True)
    action = re.search(r'action="(/cases/tasks/[^"]+/complete)"', page).group(1)
    done = client.post(action, data={"back": "case", "note": "Sudah"})
    assert done.status_code == 302
    assert done.headers["Location"].endswith(page_url(case, "practice") + "#conferences")


@pytest.mark.parametrize("page", ["overview", *SECTIONS])
def test_every_page_of_a_shredded_case_shows_only_its_statistics(app, client, people, case, page):
    from caseapp.models import Case
    from caseapp.services import retention

    with app.app_context():
        retention.shred_case(db.session.get(Case, case.id))  # the policy (closed years ago) is its tests'
        db.session.commit()
    login(client, people["spv"].username)
    response = client.get(page_url(case, page))
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert 'data-testid="shredded"' in text and "Siti Canary" not in text
    assert f'action="/cases/{case.uuid}' not in text  # no form of any page


def test_the_open_work_on_the_overview_links_to_where_each_item_lives(app, client, people, case):
    _conference_with_a_task(client, people, case)
    page = client.get(page_url(case)).get_data(as_text=True)
    notice = re.search(r'data-testid="open-work".*?</section>', page, re.S)
    assert notice, "no open work shown"
    assert f'href="{page_url(case, "practice")}#conferences"' in notice.group(0)
