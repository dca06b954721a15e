"""Review of issue 12 (figures safe to publish): each finding as a test that fails until it is fixed.

Findings of an outside review of the published figures, each a regression test (the one still marked
xfail(strict=True) documents a known limit: it turns the suite red
(XPASS) the day the defect is fixed, so the marker is then removed.
"""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import timedelta

import pytest
import time_machine
from openpyxl import load_workbook

from caseapp import cache
from caseapp.extensions import db
from caseapp.models import Agency, AuditEvent, Case, ExportJob, User
from caseapp.models.case import STAT_KEY_SPACE
from caseapp.models.referral import Referral
from caseapp.reports import recap as recap_report
from caseapp.reports.periods import parse_period
from caseapp.schemas.base import parse_json
from caseapp.schemas.cases import ServiceIn
from caseapp.services import cases
from tests import test_browser
from tests.casedata import register
from tests.conftest import PASSWORD, login

Q2 = parse_period("2026-Q2")
# The browser journeys' fixtures (one Chromium per module, the app served on a loopback port).
browser = test_browser.browser
live_server = test_browser.live_server


def _agency_id(code: str) -> int:
    return int(db.session.scalar(db.select(Agency.id).where(Agency.code == code)))


def _add_referral(case: Case, sender: User, to_code: str) -> None:
    """A referral sent now from the case's agency (as tests/test_recap_counts.py writes them)."""
    now = case.created_at
    db.session.add(
        Referral(
            case_id=case.id,
            from_agency_id=case.owner_agency_id,
            from_user_id=sender.id,
            to_agency_id=_agency_id(to_code),
            urgency="normal",
            services="legal_aid",
            shared_sections="incident",
            consent_given_by="guardian",
            sent_at=now,
            due_at=now + timedelta(days=3),
            status="sent",
        )
    )
    db.session.commit()


def _simfoni_rows(client, period: str) -> list[list[str]]:
    response = client.post(
        "/api/v1/reports/simfoni", json={"period": period, "password": PASSWORD, "format": "csv"}
    )
    assert response.status_code == 200
    lines = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    header_at = next(i for i, line in enumerate(lines) if line and line[0] == "Nomor registrasi")
    return [lines[header_at], *[line for line in lines[header_at + 1 :] if line]]


# (1) The analyst with a token -------------------------------------------------------------------------


def test_the_referral_tables_rows_do_not_depend_on_the_data(app, client, make_user):
    worker = make_user("case_worker", "UPTD_PPA")
    analyst = make_user("analyst", "BAPPEDA")
    login(client, analyst.username)

    def rows() -> tuple[list[str], list[str]]:
        cache.clear()
        body = client.get("/api/v1/reports/recap?period=2025").json
        return body["tables"]["referral_flows"]["rows"], body["tables"]["referral_timeliness"]["rows"]

    before = rows()  # 2025: no referral at all, before and after
    with app.app_context(), time_machine.travel("2026-06-15 02:00:00", tick=False):
        ref = register(worker, incident__date="2026-06-01")
        _add_referral(ref.load(), db.session.get(User, worker.id), "POLRESTA")
    after = rows()
    # One referral sent in 2026 changes what the 2025 recap shows: UPTD_PPA→POLRESTA and POLRESTA appear.
    assert after == before


def test_the_ampk_served_indicator_never_shows_more_served_than_children(app, make_user):
    worker = make_user("case_worker", "UPTD_PPA")
    with app.app_context(), time_machine.travel("2026-06-15 02:00:00", tick=False):
        served = register(worker, incident__date="2026-06-01", incident__ampk=["emergency"])
        other = register(worker, incident__date="2026-06-01", incident__ampk=["emergency"])
        value = parse_json(
            ServiceIn,
            json.dumps(
                {
                    "service_type": "health",
                    "provider": "UPTD_PPA",
                    "date": "2026-06-10",
                    "outcome": "provided",
                }
            ),
        )
        cases.add_service(db.session.get(User, worker.id), served.load(), value)
        # Two keys the generator may draw (any draw with key(served) < 0.2 and sum >= 0.4 of the space).
        served.load().stat_key = 0
        other.load().stat_key = STAT_KEY_SPACE // 2
        db.session.commit()
        indicator = next(i for i in recap_report.build(Q2).indicators if i.key == "ampk_served")
        assert indicator.numerator is not None and indicator.denominator is not None
        assert indicator.numerator <= indicator.denominator


# (3) The DP3A domain expert ---------------------------------------------------------------------------


def test_a_case_registered_on_the_first_of_july_in_kendari_counts_in_july(app, make_user):
    worker = make_user("case_worker", "UPTD_PPA")
    with app.app_context():
        with time_machine.travel("2026-06-30 22:00:00", tick=False):  # 2026-07-01 06:00 WITA
            register(worker, incident__date="2026-06-30")
        assert recap_report.build(parse_period("2026-07")).cases.n == 1
        assert recap_report.build(parse_period("2026-06")).cases.n == 0


def test_referrals_of_a_cancelled_case_are_not_counted(app, make_user):
    worker = make_user("case_worker", "UPTD_PPA")
    with app.app_context(), time_machine.travel("2026-06-15 02:00:00", tick=False):
        ref = register(worker, incident__date="2026-06-01")
        _add_referral(ref.load(), db.session.get(User, worker.id), "POLRESTA")
        ref.load().status = "cancelled"  # as the CANCEL step leaves it (a new case registered in error)
        db.session.commit()
        data = recap_report.build(Q2)
        assert data.cases.n == 0
        assert data.tables["referral_flows"].true_total() == 0
        assert data.tables["referral_timeliness"].true_total() == 0


def test_the_simfoni_row_says_a_child_perpetrator_is_among_the_perpetrators(app, client, make_user):
    worker = make_user("case_worker", "UPTD_PPA")
    officer = make_user("reporting_officer", "DP3A")
    with app.app_context(), time_machine.travel("2026-06-15 02:00:00", tick=False):
        adult = {
            "role": "perpetrator",
            "name": "",
            "relationship": "step_parent",
            "sex": "M",
            "age_group": "25-44",
        }
        child = {"role": "perpetrator", "name": "", "relationship": "other", "sex": "M", "age_group": "13-17"}
        register(worker, incident__date="2026-06-01", parties=[adult, child])
        summary = recap_report.build(Q2).tables["summary"]
        assert summary.counts[summary.rows.index("child_perpetrators")][0].n == 1
    login(client, officer.username)
    header, row = _simfoni_rows(client, "2026-Q2")
    assert row[header.index("Jumlah terduga pelaku")] == "2"
    assert row[header.index("Ada terduga pelaku anak")] == "Ya"


@pytest.mark.xfail(
    strict=True,
    reason="synthetic demo cases (is_demo) are counted in the recap and sent upward in the SIMFONI-PPA file",
)
def test_demo_cases_are_not_reported_upward(app, client, make_user):
    worker = make_user("case_worker", "UPTD_PPA")
    officer = make_user("reporting_officer", "DP3A")
    with app.app_context(), time_machine.travel("2026-06-15 02:00:00", tick=False):
        ref = register(worker, incident__date="2026-06-01")
        ref.load().is_demo = True  # as `flask demo` / the first `make run` marks them
        db.session.commit()
    login(client, officer.username)
    rows = _simfoni_rows(client, "2026-Q2")
    assert len(rows) == 1  # the header only


# (2) Odd input to the SIMFONI-PPA export ----------------------------------------------------------------


def test_a_period_in_other_digits_is_refused_or_audited_as_the_same_period(app, client, make_user):
    officer = make_user("reporting_officer", "DP3A")
    login(client, officer.username)
    response = client.post("/api/v1/reports/simfoni", json={"period": "２０２６", "password": PASSWORD})
    if response.status_code != 400:
        assert response.status_code == 200
        with app.app_context():
            export = db.session.scalars(
                db.select(AuditEvent).where(AuditEvent.action == "export.create")
            ).one()
            assert json.loads(export.details)["period"] == "2026"
        assert "２" not in response.headers["Content-Disposition"]


# (4) Files and pages people read ----------------------------------------------------------------------


def test_the_recap_xlsx_holds_numbers(app, client, make_user):
    analyst = make_user("analyst", "BAPPEDA")
    login(client, analyst.username)
    response = client.get("/api/v1/reports/recap?period=2026-Q2&format=xlsx")
    book = load_workbook(io.BytesIO(response.data))
    summary = book.worksheets[1]
    values = [row[1] for row in summary.iter_rows(min_row=3, values_only=True)]  # after title and header
    assert values and all(isinstance(v, int) for v in values), values


def test_each_recap_xlsx_sheet_names_its_table(app, client, make_user):
    from caseapp.reports.tables import recap_titles

    analyst = make_user("analyst", "BAPPEDA")
    login(client, analyst.username)
    response = client.get("/api/v1/reports/recap?period=2026-Q2&format=xlsx")
    book = load_workbook(io.BytesIO(response.data))
    with app.test_request_context(headers={"Accept-Language": "id"}):
        titles = list(recap_titles().values())
    for title, sheet in zip(titles, book.worksheets[1:], strict=True):
        text = [str(v) for row in sheet.iter_rows(max_row=3, values_only=True) for v in row if v]
        assert sheet.title == title or title in text, (sheet.title, title)


def test_the_print_page_states_the_last_day_and_when_it_was_counted(app, client, make_user):
    analyst = make_user("analyst", "BAPPEDA")
    login(client, analyst.username)
    html = client.get("/reports/recap?period=2026-Q2&print=1").get_data(as_text=True)
    assert "30 Juni 2026" in html
    assert "1 Juli 2026" not in html
    assert "WITA" in html  # when it was counted, as the page and every file say


# (2) Another agency's user ----------------------------------------------------------------------------


def test_only_a_dp3a_reporting_officer_gets_the_exact_export(app, client, make_user):
    from caseapp.errors import ValidationFailed

    try:
        police_officer = make_user("reporting_officer", "POLRESTA")
    except ValidationFailed:
        return  # refused when the role is given: fixed
    login(client, police_officer.username)
    response = client.post("/api/v1/reports/simfoni", json={"period": "2026", "password": PASSWORD})
    assert response.status_code == 403


# (4) A user in Chromium -------------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.csrf
def test_the_simfoni_password_is_not_left_in_the_form_after_the_export_is_asked_for(
    live_server, browser, app, make_user, tmp_path
):
    from playwright.sync_api import expect

    from caseapp.database import utcnow

    officer = make_user("reporting_officer", "DP3A")
    context = browser.new_context(accept_downloads=True)
    page = context.new_page()
    try:
        test_browser._sign_in(page, live_server, officer.username)
        expect(page.get_by_role("button", name="Keluar")).to_be_visible()
        page.goto(f"{live_server}/reports/simfoni")
        page.get_by_label("Periode").fill(str(utcnow().year))
        page.get_by_label("Kata sandi Anda").fill(PASSWORD)
        page.get_by_role("button", name="Siapkan berkas").click()
        expect(page).to_have_url(re.compile(r"/reports/exports/"))
        # The next person at the screen goes back to the form: the password is not there to send again.
        page.go_back()
        expect(page.get_by_label("Kata sandi Anda")).to_have_value("")
        page.get_by_role("button", name="Siapkan berkas").click()
        expect(page.locator("#password-error")).to_be_visible()
        with app.app_context():
            assert db.session.scalar(db.select(db.func.count()).select_from(ExportJob)) == 1
    finally:
        context.close()
