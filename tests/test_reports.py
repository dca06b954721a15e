"""Reports: numbers against a hand-built data set, rounding, exports, and no identity for analysts."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
import time_machine
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from caseapp.database import utcnow
from caseapp.exports import safe_cell
from caseapp.extensions import db
from caseapp.models import AuditEvent, Case
from caseapp.models.case import STAT_KEY_SPACE
from caseapp.reports import recap as recap_report
from caseapp.reports.disclosure import Count, published
from caseapp.reports.periods import parse_period
from caseapp.schemas.reports import RecapTablesOut
from tests.casedata import register
from tests.conftest import login

# Rounding ------------------------------------------------------------------------------------------------


def test_rounding_by_hand():
    assert published(Count(0, 123)) == 0  # zero stays zero
    assert published(Count(10, 999)) == 10  # a multiple of 5 stays itself
    # 1 rounds up only when the cell key is below 1/5 of the key space
    assert published(Count(1, 0)) == 5 and published(Count(1, STAT_KEY_SPACE // 5 + 1)) == 0
    assert published(Count(4, STAT_KEY_SPACE - 1)) == 0 and published(Count(4, 0)) == 5
    assert published(Count(12, STAT_KEY_SPACE // 2)) == 10  # 12: up with probability 2/5


def test_rounding_is_unbiased_over_the_keys():
    keys = [i * STAT_KEY_SPACE // 1000 for i in range(1000)]
    for n in range(1, 15):
        mean = sum(published(Count(n, k)) for k in keys) / len(keys)
        assert abs(mean - n) < 0.01, n


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 10_000), st.integers(0, 2**40))
def test_a_rounded_count_is_within_four_of_the_true_one_and_fixed(n, keys):
    shown = published(Count(n, keys))
    assert shown % 5 == 0 and abs(shown - n) <= 4
    assert shown == published(Count(n, keys + STAT_KEY_SPACE))  # the cell key is the sum modulo the space
    assert (shown == 0) == (n == 0) or n < 5  # only 1-4 may look like 0


@given(st.text())
def test_formula_escaping_property(text):
    escaped = safe_cell(text)
    assert not str(escaped).startswith(("=", "+", "-", "@", "\t", "\r"))
    assert str(escaped).endswith(text) if text else escaped == text


# A hand-built data set ------------------------------------------------------------------------------


@pytest.fixture
def dataset(app, make_user):
    """Six cases at UPTD_PPA and one at POLRESTA, registered on fixed dates, in known states."""
    worker = make_user("case_worker", "UPTD_PPA", display_name="Ani")
    other = make_user("case_worker", "UPTD_PPA", display_name="Budi")
    supervisor = make_user("supervisor", "UPTD_PPA", display_name="Kepala")
    police = make_user("case_worker", "POLRESTA", display_name="Polisi")
    mandonga, kambu = "74.71.01.1005", None  # Mandonga kelurahan; a case without a kelurahan
    specs = [
        # (who, sex, dob, types, risk, kelurahan, place)
        (worker, "F", "2015-01-01", ["sexual"], "high", mandonga, "household"),
        (worker, "F", "2012-01-01", ["sexual", "physical"], "medium", mandonga, "school"),
        (worker, "M", "2020-01-01", ["physical"], "low", mandonga, "household"),
        (other, "F", "2010-06-01", ["neglect"], "high", kambu, None),
        (other, "M", "2016-01-01", ["physical"], "medium", mandonga, "household"),
        (worker, "F", "2009-05-05", ["psychological"], "low", mandonga, "online"),
        (police, "M", "2011-01-01", ["physical"], "high", mandonga, "household"),
    ]
    ids = []
    with time_machine.travel("2026-03-10 08:00:00", tick=False):
        with app.app_context():
            for who, sex, dob, types, risk, kel, place in specs:
                ref = register(
                    who,
                    child__sex=sex,
                    child__date_of_birth=dob,
                    child__kelurahan=kel,
                    incident__violence_types=types,
                    incident__primary_violence_type=types[0],
                    incident__place=place,
                    incident__date="2026-03-01",
                    risk_level=risk,
                )
                ids.append(ref.id)
            # case 0: first contact after 6 hours; case 1: closed after 20 days
            case0 = db.session.get(Case, ids[0])
            case0.first_contact_at = case0.created_at + timedelta(hours=6)
            case1 = db.session.get(Case, ids[1])
            case1.status, case1.closed_at, case1.closure_reason = (
                "closed",
                case1.created_at + timedelta(days=20),
                "needs_met",
            )
            db.session.commit()
    return {"worker": worker, "other": other, "supervisor": supervisor, "police": police, "ids": ids}


def test_caseload_numbers(app, client, dataset):
    with time_machine.travel("2026-03-20 08:00:00", tick=False):
        login(client, dataset["supervisor"].username)
        body = client.get("/api/v1/reports/caseload?period=2026-03", headers={}).json
    assert body["open_by_status"] == {"new": 5}  # six UPTD cases, one closed; police's is not ours
    assert body["open_by_risk"] == {"high": 2, "medium": 1, "low": 2}
    workers = {w["name"]: w for w in body["workers"]}
    assert workers["Ani"]["open"] == 3 and workers["Ani"]["high_risk"] == 1
    # Ani's open cases without a first contact: cases 2 and 5 (due 72 h and 7 days after 10 March).
    assert workers["Ani"]["overdue_first_contact"] == 2
    assert workers["Budi"] == {
        **workers["Budi"],
        "open": 2,
        "high_risk": 1,
        "overdue_first_contact": 2,
        "no_recent_note": 2,
    }
    assert body["ageing_days"] == {"0-7": 0, "8-30": 5, "31-90": 0, "90+": 0}
    assert body["timings_hours"]["first_contact"] == {"count": 1, "median_hours": 6.0, "p90_hours": 6.0}
    assert body["timings_hours"]["closure"]["median_hours"] == 480.0


def _true(table):
    """Return {row: [true counts with totals]} of a raw recap table."""
    full = table.full()
    rows = [*table.rows, "Total"] if table.total_row else table.rows
    return {r: [c.n for c in cells] for r, cells in zip(rows, full, strict=True)}


def test_recap_true_numbers(app, dataset):
    with app.app_context():
        data = recap_report.build(parse_period("2026-Q1"))
        assert (data.children.n, data.cases.n, data.perpetrators.n) == (7, 7, 7)
        by_type = _true(data.tables["type_sex_age"])
        # main form physical: M 6 and 10 (cases 2 and 4), M 15 (the police case): ages at the incident
        assert by_type["physical"] == [0, 0, 0, 0, 2, 1, 3]
        assert by_type["sexual"] == [0, 1, 1, 0, 0, 0, 2]  # born 2015 and 2012: 11 and 14 at the incident
        assert by_type["Total"][-1] == 7  # main forms share out the children
        every = _true(data.tables["violence_types"])
        assert every["physical"] == [4] and every["sexual"] == [2]  # a child under each of their forms
        assert _true(data.tables["place"])["unknown"] == [1]
        assert _true(data.tables["kecamatan"])["unknown"] == [1, 0, 1]
        assert _true(data.tables["relationship"])["step_parent"] == [7]
        assert _true(data.tables["perpetrators"])["unknown"] == [0, 0, 0, 0]
        assert _true(data.tables["perpetrators"])["18+"] == [0, 7, 0, 7]
        own = recap_report.build(parse_period("2026-Q1"), dataset["supervisor"].agency_id)
        assert own.children.n == 6 and own.agency_code == "UPTD_PPA"


def test_recap_answers_are_rounded_to_fives(app, client, make_user, dataset):
    analyst = make_user("analyst", "BAPPEDA")
    login(client, analyst.username)
    body = client.get("/api/v1/reports/recap?period=2026-Q1").json
    assert body["children"] in (5, 10)  # 7 children
    by_type = body["tables"]["type_sex_age"]
    assert by_type["columns"] == ["F:0-5", "F:6-12", "F:13-17", "M:0-5", "M:6-12", "M:13-17"]
    assert by_type["total_row"] and by_type["total_column"]
    assert all(int(c) % 5 == 0 for t in body["tables"].values() for r in t["cells"] for c in r)
    # The same children give the same figure wherever they are counted.
    assert by_type["cells"][-1][-1] == str(body["children"])
    assert body["tables"]["summary"]["cells"][1] == [str(body["children"])]
    place = body["tables"]["place"]
    assert not place["total_column"] and len(place["cells"][0]) == 1  # one column: no repeated total
    flows = body["tables"]["referral_flows"]
    assert (
        flows["rows"] == flows["columns"] and "POLRESTA" in flows["rows"]
    )  # every agency, whatever the data
    assert {c for row in flows["cells"] for c in row} == {"0"}
    assert "rounding to base 5" in body["disclosure"]
    assert [i["key"] for i in body["indicators"]] == ["ampk_served", "abh_diversion"]
    assert body["indicators"][1]["percent"] is None
    supervisor_view = app.test_client()
    login(supervisor_view, dataset["supervisor"].username)
    own = supervisor_view.get("/api/v1/reports/recap?period=2026-Q1").json
    assert own["agency"] == "UPTD_PPA" and own["children"] in (5, 10)


def test_recap_and_exports_never_show_identity(app, client, make_user, dataset):
    analyst = make_user("analyst", "BAPPEDA")
    login(client, analyst.username)
    pages = [
        client.get("/reports/recap?period=2026").get_data(as_text=True),
        client.get("/reports/recap?period=2026&print=1").get_data(as_text=True),
        client.get("/reports/recap?period=2026&format=csv").get_data(as_text=True),
        client.get("/api/v1/reports/recap?period=2026").get_data(as_text=True),
    ]
    with app.app_context():
        numbers = list(db.session.scalars(db.select(Case.case_number)))
        uuids = [str(u) for u in db.session.scalars(db.select(Case.uuid))]
    for page in pages:
        assert "Siti Canary" not in page and "Canary" not in page
        assert not any(n in page for n in numbers) and not any(u in page for u in uuids)
        assert "/cases/" not in page  # nothing leads from the recap to a case
    workbook = load_workbook(io.BytesIO(client.get("/reports/recap?period=2026&format=xlsx").data))
    text = " ".join(str(c.value) for ws in workbook for row in ws.iter_rows() for c in row)
    assert "Canary" not in text and not any(n in text for n in numbers)
    # And the analyst cannot open a case or a referral: 404 and a denial.
    assert client.get(f"/cases/{uuids[0]}").status_code == 404
    assert client.get("/referrals/1").status_code == 404
    assert client.get("/reports/caseload").status_code == 403
    with app.app_context():
        denials = db.session.scalars(
            db.select(AuditEvent).where(AuditEvent.action == "authz.deny", AuditEvent.actor_id == analyst.id)
        ).all()
        assert len(denials) >= 3


def test_exports_are_audited_and_empty_periods_give_a_file(app, client, make_user, dataset):
    login(client, dataset["supervisor"].username)
    response = client.get("/api/v1/reports/caseload?period=2019&format=csv")
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    # The file says what it is: agency, period, when counted, the rule; then the tables.
    assert rows[0] == ["Lembaga", "UPTD Perlindungan Perempuan dan Anak Kota Kendari"]
    assert rows[1] == ["Periode", "2019 (2019-01-01 – 2019-12-31)"]
    assert (
        rows[2][0] == "Dihitung pada" and rows[2][1].endswith("WITA") and rows[3][0] == "Aturan pengungkapan"
    )
    assert rows[5] == ["Kasus aktif menurut status"]
    xlsx = client.get("/reports/caseload?period=2026-03&format=xlsx")
    workbook = load_workbook(io.BytesIO(xlsx.data))
    assert len(workbook.sheetnames) == 7 and workbook.sheetnames[0] == "Tentang berkas ini"
    empty = make_user("analyst", "BAPPEDA")
    c2 = app.test_client()
    login(c2, empty.username)
    nothing = c2.get("/api/v1/reports/recap?period=2019&format=csv").get_data(as_text=True)
    # An empty period: the same tables (their rows do not depend on the data), every count 0.
    lines = list(csv.reader(io.StringIO(nothing.lstrip("\ufeff"))))
    assert lines[0] == ["Lembaga", "Semua lembaga"]
    numbers = [c for line in lines[5:] for c in line[1:] if c.isdigit()]
    assert numbers and set(numbers) == {"0"}
    with app.app_context():
        exports = db.session.scalars(db.select(AuditEvent).where(AuditEvent.action == "export.create")).all()
        assert len(exports) == 3
        assert '"period": "2019"' in exports[0].details and '"report": "caseload"' in exports[0].details


@pytest.mark.parametrize(
    "query",
    ["period=2026-13", "period=26", "period=2026-Q5", "period=2026&format=pdf", "period=2026&agency=NOPE"],
)
def test_bad_report_parameters_are_400(client, make_user, query):
    analyst = make_user("analyst", "BAPPEDA")
    login(client, analyst.username)
    response = client.get(f"/api/v1/reports/recap?{query}")
    assert response.status_code == 400 and response.json["fields"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("period=2026-13", "period"),
        ("period=1999", "period"),
        ("format=pdf", "format"),
        ("agency=NOPE", "agency"),
    ],
)
def test_a_bad_report_query_names_its_field_on_both_routes_and_the_pages(client, make_user, query, field):
    supervisor = make_user("supervisor", "UPTD_PPA")
    login(client, supervisor.username)
    for path in ("/api/v1/reports/caseload", "/api/v1/reports/recap"):
        if field == "agency" and path.endswith("caseload"):
            continue  # the caseload takes no agency: its own
        response = client.get(f"{path}?{query}")
        assert response.status_code == 400, (path, query)
        assert response.json["error"] == "validation_failed"
        assert list(response.json["fields"]) == [field], (path, response.json)
    page = client.get(f"/reports/recap?{query}")
    assert page.status_code == 400 and page.mimetype == "text/html"


def test_the_report_answers_carry_exactly_their_declared_keys(app, client, make_user, dataset):
    login(client, dataset["supervisor"].username)
    caseload = client.get("/api/v1/reports/caseload?period=2026").json
    assert set(caseload) == {
        "period",
        "open_by_status",
        "open_by_risk",
        "workers",
        "other_workers",
        "ageing_days",
        "referrals",
        "timings_hours",
    }
    assert list(caseload["ageing_days"]) == ["0-7", "31-90", "8-30", "90+"]  # sorted by jsonify
    assert set(caseload["timings_hours"]) == {"first_contact", "referral_acceptance", "closure"}
    recap = client.get("/api/v1/reports/recap?period=2026").json
    assert set(recap) == {
        "period",
        "agency",
        "children",
        "cases",
        "perpetrators",
        "incidents",
        "victims",
        "tables",
        "indicators",
        "computed_at",
        "disclosure",
    }
    assert set(recap["tables"]) == set(RecapTablesOut.model_fields)
    assert {"type_sex_age", "perpetrators", "disability", "referral_timeliness"} <= set(recap["tables"])
    assert all(
        set(t) == {"title", "rows", "columns", "total_row", "total_column", "cells"}
        for t in recap["tables"].values()
    )


def test_only_the_task_force_chooses_the_recap_agency(app, client, make_user, dataset):
    login(client, dataset["supervisor"].username)
    own = client.get("/api/v1/reports/recap?period=2026&agency=POLRESTA").json
    assert own["agency"] == "UPTD_PPA" and own["children"] in (5, 10)  # a supervisor sees their own agency
    page = client.get("/reports/recap?period=2026").get_data(as_text=True)
    assert 'name="agency"' not in page  # and is offered no choice
    analyst = app.test_client()
    login(analyst, make_user("analyst", "BAPPEDA").username)
    police = analyst.get("/api/v1/reports/recap?period=2026&agency=POLRESTA").json
    assert police["agency"] == "POLRESTA" and police["children"] in (0, 5)  # one child: rounded
    assert analyst.get("/api/v1/reports/recap?period=2026&agency=").json["agency"] is None
    assert 'name="agency"' in analyst.get("/reports/recap?period=2026").get_data(as_text=True)


def test_the_page_states_the_method_and_shows_the_same_rounded_headline(app, client, make_user, dataset):
    login(client, make_user("analyst", "BAPPEDA").username)
    answer = client.get("/api/v1/reports/recap?period=2026&agency=POLRESTA").json
    shown = answer["children"]
    for page in (
        client.get("/reports/recap?period=2026&agency=POLRESTA").get_data(as_text=True),
        client.get("/reports/recap?period=2026&agency=POLRESTA&print=1").get_data(as_text=True),
    ):
        assert f"Kejadian dalam periode: {answer['incidents']};" in page
        assert f"anak yang didaftarkan: {shown}, di antaranya korban: {answer['victims']};" in page
        assert 'data-testid="disclosure-method"' in page and "kelipatan 5" in page


def test_the_report_routes_are_described_with_their_query_answers_and_downloads(app, client, make_user):
    from tests.test_openapi import _document

    doc = _document(app, client, make_user)
    schemas = doc["components"]["schemas"]
    for path, answer in (("/reports/caseload", "CaseloadOut"), ("/reports/recap", "RecapOut")):
        operation = doc["paths"][path]["get"]
        params = {p["name"]: p for p in operation["parameters"]}
        assert {"period", "format"} <= set(params)
        assert params["period"]["schema"]["pattern"].startswith("^")
        assert "400" in operation["responses"] and "403" in operation["responses"]
        content = operation["responses"]["200"]["content"]
        assert set(content) == {
            "application/json",
            "text/csv",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
        assert content["application/json"]["schema"]["$ref"].endswith(answer)
        assert schemas[answer]["additionalProperties"] is False
    recap_params = {p["name"]: p for p in doc["paths"]["/reports/recap"]["get"]["parameters"]}
    assert "POLRESTA" in str(recap_params["agency"]["schema"])
    assert {"children", "tables", "indicators", "disclosure"} <= set(schemas["RecapOut"]["required"])


def test_dashboard_is_on_the_supervisor_home_page_and_numbers_link_to_lists(app, client, dataset):
    with time_machine.travel("2026-03-20 08:00:00", tick=False):
        login(client, dataset["supervisor"].username)
        page = client.get("/").get_data(as_text=True)
        assert 'data-testid="dashboard"' in page and "<svg" in page
        link = f"/cases/?status=open&amp;case_manager={dataset['worker'].id}"
        assert link in page
        listing = client.get(f"/cases/?status=open&case_manager={dataset['worker'].id}").get_data(
            as_text=True
        )
        assert "3 kasus" in listing


def test_dashboard_counts_are_shared_for_a_minute_and_say_when_they_were_counted(
    app, client, dataset, monkeypatch
):
    from caseapp import cache

    clock = [1000.0]
    monkeypatch.setattr(cache.time, "monotonic", lambda: clock[0])
    app.config["REPORT_CACHE_SECONDS"] = 60
    cache.clear()
    with time_machine.travel("2026-03-20 08:00:00", tick=False):
        login(client, dataset["supervisor"].username)
        page = client.get("/reports/caseload?period=2026-03").get_data(as_text=True)
        assert "Dihitung pada 2026-03-20 16:00 WITA" in page  # 08:00 UTC is 16:00 in Kendari
        before = client.get("/api/v1/reports/caseload?period=2026-03").json["open_by_status"]
        with app.app_context():
            case = db.session.get(Case, dataset["ids"][0])
            case.status, case.closed_at, case.closure_reason = "closed", utcnow(), "needs_met"
            db.session.commit()
        clock[0] += 59  # within the minute: the same counts, for every supervisor of the agency
        assert client.get("/api/v1/reports/caseload?period=2026-03").json["open_by_status"] == before
        clock[0] += 2  # older than a minute: counted again
        assert client.get("/api/v1/reports/caseload?period=2026-03").json["open_by_status"] == {
            "new": before["new"] - 1
        }
    with app.app_context():  # every view was audited, cached or not
        views = db.session.scalars(
            db.select(AuditEvent).where(
                AuditEvent.action == "report.view", AuditEvent.object_id == "caseload"
            )
        ).all()
        assert len(views) == 4
    cache.clear()


def test_the_indonesian_csv_uses_semicolons_and_decimal_commas(app, client, make_user, dataset):
    with time_machine.travel("2026-03-20 08:00:00", tick=False):
        login(client, dataset["supervisor"].username)
        response = client.get("/reports/caseload?period=2026-03&format=csv-id")
        standard = client.get("/reports/caseload?period=2026-03&format=csv").get_data(as_text=True)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert 'filename="caseload-2026-03-id.csv"' in response.headers["Content-Disposition"]
    raw = response.get_data(as_text=True)
    assert raw.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(raw.lstrip("\ufeff")), delimiter=";"))
    assert rows[0][0] == "Lembaga"
    timing = next(r for r in rows if r and r[0] == "Pendaftaran sampai kontak pertama")
    assert timing[1:] == ["1", "6,0", "6,0"]  # hours with a decimal comma
    assert ",6.0,6.0" in standard


def test_long_sheet_titles_stay_unique_and_short():
    from caseapp.exports import _sheet_titles

    names = _sheet_titles(["A" * 40, "A" * 40 + "b", "x/y:z", "Sheet"])
    assert all(len(n) <= 31 for n in names) and len({n.lower() for n in names}) == 4
    assert names[2] == "xyz"


def test_a_bad_period_on_the_report_pages_is_shown_on_the_form_with_what_was_typed(app, client, make_user):
    for role, agency, path in (
        ("analyst", "BAPPEDA", "/reports/recap"),
        ("supervisor", "UPTD_PPA", "/reports/caseload"),
    ):
        c = app.test_client()
        login(c, make_user(role, agency).username)
        page = c.get(f"{path}?period=2026-13")
        html = page.get_data(as_text=True)
        assert page.status_code == 400 and 'data-testid="period-error"' in html, path
        assert 'value="2026-13"' in html and "Periode 2026-13 tidak dikenal" in html
        assert "<h1" in html and 'data-testid="computed-at"' not in html
