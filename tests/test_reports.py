"""Reports: numbers against a hand-built data set, suppression, exports, and no identity for analysts."""

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
from caseapp.reports.suppression import PRIMARY, SECONDARY, shown_count, suppress
from tests.casedata import register
from tests.conftest import login

# Suppression -------------------------------------------------------------------------------------------


def test_suppression_by_hand():
    # counts: a 2x2 table; totals are added by suppress()
    shown = suppress([[3, 10], [7, 8]])
    # 3 is primary; its row and column then need a second hidden cell each; totals 13, 15, 10, 18, 28.
    assert shown[0][0] == PRIMARY
    assert sum(v in (PRIMARY, SECONDARY) for v in shown[0]) >= 2
    assert sum(row[0] in (PRIMARY, SECONDARY) for row in shown) >= 2
    assert shown[-1][-1] == "28"


def test_zero_and_large_counts_are_shown():
    assert suppress([[0, 5], [12, 0]]) == [["0", "5", "5"], ["12", "0", "12"], ["12", "5", "17"]]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.lists(st.integers(0, 12), min_size=1, max_size=5), min_size=1, max_size=6).filter(
        lambda m: len({len(r) for r in m}) == 1
    )
)
def test_no_hidden_cell_can_be_recovered_from_a_line(counts):
    shown = suppress(counts)
    full = [list(r) + [sum(r)] for r in counts]
    full.append([sum(col) for col in zip(*full, strict=True)])
    hidden = [[v in (PRIMARY, SECONDARY) for v in row] for row in shown]
    for i, row in enumerate(full):
        for j, value in enumerate(row):
            if 1 <= value <= 4:
                assert shown[i][j] == PRIMARY  # every small count hidden
            elif not hidden[i][j]:
                assert shown[i][j] == str(value)  # what is shown is true
    lines = [row for row in hidden] + [list(col) for col in zip(*hidden, strict=True)]
    for line in lines:
        assert sum(line) != 1  # a single hidden cell in a line could be worked out from its total


def test_a_headline_count_is_suppressed_like_a_cell():
    assert [shown_count(n) for n in (0, 1, 4, 5, 12)] == [0, PRIMARY, PRIMARY, 5, 12]
    assert suppress([[3]])[0][0] == PRIMARY  # the same rule as the tables'


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


def test_recap_numbers_and_suppression(app, client, make_user, dataset):
    analyst = make_user("analyst", "BAPPEDA")
    login(client, analyst.username)
    body = client.get("/api/v1/reports/recap?period=2026-Q1").json
    assert body["children"] == 7
    by_type = body["tables"]["type_sex_age"]
    rows = dict(zip(by_type["rows"], by_type["cells"], strict=False))
    # physical: F 13-17 (case 1), M 0-5 (case 2), M 6-12 (case 4), M 13-17 (the police case)
    assert by_type["columns"] == ["F:0-5", "F:6-12", "F:13-17", "M:0-5", "M:6-12", "M:13-17"]
    physical = rows["physical"]
    assert [c in (PRIMARY, SECONDARY, "0") for c in physical] == [True] * 7
    assert physical[-1] == PRIMARY  # 4 children: a small total is hidden too
    assert all(c in ("0", PRIMARY, SECONDARY) for r in by_type["cells"] for c in r[:-1])
    total_row = by_type["cells"][-1]
    assert total_row[-1] == "8"  # 8 child-type pairs: one child has two forms of violence
    place = dict(zip(body["tables"]["place"]["rows"], body["tables"]["place"]["cells"], strict=False))
    assert place["household"] == [PRIMARY, PRIMARY]
    flows = body["tables"]["referral_flows"]
    assert flows["rows"] == []
    supervisor_view = app.test_client()
    login(supervisor_view, dataset["supervisor"].username)
    own = supervisor_view.get("/api/v1/reports/recap?period=2026-Q1").json
    assert own["agency"] == "UPTD_PPA" and own["children"] == 6


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
    assert rows[0] == ["Kasus terbuka menurut status"]
    xlsx = client.get("/reports/caseload?period=2026-03&format=xlsx")
    workbook = load_workbook(io.BytesIO(xlsx.data))
    assert len(workbook.sheetnames) == 6
    empty = make_user("analyst", "BAPPEDA")
    c2 = app.test_client()
    login(c2, empty.username)
    nothing = c2.get("/api/v1/reports/recap?period=2019&format=csv").get_data(as_text=True)
    assert "Tidak ada data untuk periode ini." in nothing
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
        "ageing_days",
        "referrals",
        "timings_hours",
    }
    assert list(caseload["ageing_days"]) == ["0-7", "31-90", "8-30", "90+"]  # sorted by jsonify
    assert set(caseload["timings_hours"]) == {"first_contact", "referral_acceptance", "closure"}
    recap = client.get("/api/v1/reports/recap?period=2026").json
    assert set(recap) == {"period", "agency", "children", "tables", "suppression"}
    assert set(recap["tables"]) == {
        "type_sex_age",
        "type_sex_age_kecamatan",
        "kecamatan",
        "month_type",
        "place",
        "relationship",
        "ampk",
        "services",
        "referral_flows",
    }
    assert all(set(t) == {"title", "rows", "columns", "cells"} for t in recap["tables"].values())


def test_only_the_task_force_chooses_the_recap_agency(app, client, make_user, dataset):
    login(client, dataset["supervisor"].username)
    own = client.get("/api/v1/reports/recap?period=2026&agency=POLRESTA").json
    assert own["agency"] == "UPTD_PPA" and own["children"] == 6  # a supervisor sees their own agency
    page = client.get("/reports/recap?period=2026").get_data(as_text=True)
    assert 'name="agency"' not in page  # and is offered no choice
    analyst = app.test_client()
    login(analyst, make_user("analyst", "BAPPEDA").username)
    police = analyst.get("/api/v1/reports/recap?period=2026&agency=POLRESTA").json
    assert police["agency"] == "POLRESTA" and police["children"] == PRIMARY  # one child: suppressed
    assert analyst.get("/api/v1/reports/recap?period=2026&agency=").json["agency"] is None
    assert 'name="agency"' in analyst.get("/reports/recap?period=2026").get_data(as_text=True)


def test_the_small_headline_is_suppressed_the_same_way_on_the_page(app, client, make_user, dataset):
    login(client, make_user("analyst", "BAPPEDA").username)
    page = client.get("/reports/recap?period=2026&agency=POLRESTA").get_data(as_text=True)
    assert "Anak yang didaftarkan dalam periode: &lt;5." in page


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
    assert set(schemas["RecapOut"]["required"]) == {"period", "agency", "children", "tables", "suppression"}


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
