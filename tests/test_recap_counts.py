"""What the recap counts, checked against the true counts (`recap.build`), and the SIMFONI-PPA export."""

from __future__ import annotations

import csv
import io
import json

import time_machine
from openpyxl import load_workbook

from caseapp import cache
from caseapp.extensions import db
from caseapp.models import AuditEvent, Case, User
from caseapp.reports import recap as recap_report
from caseapp.reports.periods import parse_period
from caseapp.schemas.base import parse_json
from caseapp.schemas.cases import CasePatch, ServiceIn
from caseapp.services import cases
from tests.casedata import CANARIES, nik, register
from tests.conftest import PASSWORD, login

Q2 = parse_period("2026-Q2")


def _cells(raw, row):
    """Return the true counts of one row of a raw table (with its total where it has one)."""
    full = raw.full()
    return [c.n for c in full[raw.rows.index(row)]]


def _patch(actor: User, case_id: int, **fields) -> None:
    case = db.session.get(Case, case_id)
    patch = parse_json(CasePatch, json.dumps({"version": case.version, **fields}))
    cases.patch_case(db.session.get(User, actor.id), case, patch)
    db.session.commit()


def test_age_is_fixed_at_the_incident_and_edits_do_not_change_it(app, make_user):
    worker = make_user("case_worker", "UPTD_PPA")
    with app.app_context():
        with time_machine.travel("2026-05-10 02:00:00", tick=False):
            # 16 at the incident (2026-05-01); she turns 18 in June 2027.
            ref = register(worker, child__date_of_birth="2009-06-01", incident__date="2026-05-01")
            assert ref.load().child_age == 16 and ref.load().child_age_group == "13-17"
        with time_machine.travel("2027-08-01 02:00:00", tick=False):
            _patch(worker, ref.id, risk_level="high")
            _patch(worker, ref.id, child={"school": "SMA Canary"})
            case = db.session.get(Case, ref.id)
            assert case.version == 3 and (case.child_age, case.child_age_group) == (16, "13-17")
            data = recap_report.build(Q2)
            assert _cells(data.tables["type_sex_age"], "physical") == [0, 0, 1, 0, 0, 0, 1]


def test_a_child_who_was_17_at_the_incident_and_is_18_now_is_registered_and_counted_as_13_17(app, make_user):
    worker = make_user("case_worker", "UPTD_PPA")
    with app.app_context(), time_machine.travel("2026-06-15 02:00:00", tick=False):
        # Born 2008-03-01: 17 on 2026-02-01, 18 when she comes forward.
        born = register(worker, child__date_of_birth="2008-03-01", incident__date="2026-02-01")
        # Only an estimated age: 17 at the incident.
        estimated = register(
            worker, child__date_of_birth=None, child__age=17, incident__date="2026-02-01", child__sex="M"
        )
        assert born.load().child_age == 17 and estimated.load().child_age == 17
        assert estimated.load().child_age_is_estimate
        data = recap_report.build(Q2)
        assert _cells(data.tables["type_sex_age"], "physical") == [0, 0, 1, 0, 0, 1, 2]
        assert data.children.n == 2


def test_only_services_given_are_counted(app, make_user):
    worker = make_user("case_worker", "UPTD_PPA")
    with app.app_context(), time_machine.travel("2026-06-15 02:00:00", tick=False):
        refs = [register(worker, incident__date="2026-06-01") for _ in range(4)]
        user = db.session.get(User, worker.id)
        for ref, outcome in zip(refs, ("provided", "ongoing", "refused", "not_available"), strict=True):
            value = parse_json(
                ServiceIn,
                json.dumps(
                    {
                        "service_type": "health",
                        "provider": "UPTD_PPA",
                        "date": "2026-06-10",
                        "outcome": outcome,
                    }
                ),
            )
            cases.add_service(user, ref.load(), value)
        db.session.commit()
        data = recap_report.build(Q2)
        assert _cells(data.tables["services"], "health") == [2]  # refused and not available are not given


def test_the_same_nik_at_two_agencies_is_one_child_city_wide_and_one_per_agency(app, make_user):
    uptd = make_user("case_worker", "UPTD_PPA")
    police = make_user("case_worker", "POLRESTA")
    same = nik(4242)
    with app.app_context(), time_machine.travel("2026-06-15 02:00:00", tick=False):
        register(uptd, child__nik=same, incident__date="2026-06-01")
        register(
            police,
            child__nik=same,
            incident__date="2026-06-01",
            incident__violence_types=["sexual", "physical"],
        )
        register(police, incident__date="2026-06-01")  # another child, no NIK
        everyone = recap_report.build(Q2)
        assert (everyone.children.n, everyone.cases.n) == (2, 3)
        # Her forms of violence are those of both her cases, counted once each.
        assert _cells(everyone.tables["violence_types"], "sexual") == [1]
        assert _cells(everyone.tables["violence_types"], "physical") == [2]
        uptd_id = db.session.get(User, uptd.id).agency_id
        police_id = db.session.get(User, police.id).agency_id
        assert recap_report.build(Q2, uptd_id).children.n == 1
        assert recap_report.build(Q2, police_id).children.n == 2


def test_unknown_rows_make_every_table_add_up_to_its_headline(app, make_user):
    worker = make_user("case_worker", "UPTD_PPA")
    with app.app_context(), time_machine.travel("2026-06-15 02:00:00", tick=False):
        register(worker, incident__date="2026-06-01", parties=[])  # no perpetrator recorded
        unknown = {
            "role": "perpetrator",
            "name": "",
            "phone": "",
            "address": "",
            "relationship": None,
            "sex": None,
            "age_group": None,
            "is_child": False,
        }
        register(
            worker,
            incident__date="2026-06-01",
            parties=[unknown],
            child__kelurahan=None,
            incident__place=None,
        )
        young = dict(unknown, relationship="neighbour", sex="M", age_group="13-17")
        register(
            worker, incident__date="2026-06-01", parties=[young, dict(unknown, age_group="25-44", sex="F")]
        )
        data = recap_report.build(Q2)
        relationship = data.tables["relationship"]
        assert _cells(relationship, "none") == [1] and _cells(relationship, "unknown") == [1]
        assert _cells(relationship, "neighbour") == [1]
        perpetrators = data.tables["perpetrators"]
        assert _cells(perpetrators, "unknown") == [0, 0, 1, 1]
        assert _cells(perpetrators, "child") == [0, 1, 0, 1]
        assert _cells(perpetrators, "25-44") == [1, 0, 0, 1]
        assert data.perpetrators.n == 3 == perpetrators.true_total()
        assert _cells(data.tables["kecamatan"], "unknown") == [1, 0, 1]
        for key in (
            "type_sex_age",
            "type_sex_age_kecamatan",
            "kecamatan",
            "month_type",
            "place",
            "relationship",
        ):
            assert data.tables[key].true_total() == data.children.n == 3, key
        summary = {
            row: cells[0].n
            for row, cells in zip(data.tables["summary"].rows, data.tables["summary"].counts, strict=True)
        }
        assert summary == {
            "incidents": 3,
            "cases": 3,
            "children": 3,
            "victims": 3,
            "perpetrators": 3,
            "child_perpetrators": 1,
        }


def test_referrals_answered_in_time(app, client, make_user):
    from datetime import timedelta

    from caseapp.models.referral import Referral

    worker = make_user("case_worker", "UPTD_PPA")
    with app.app_context(), time_machine.travel("2026-06-15 02:00:00", tick=False):
        ref = register(worker, incident__date="2026-06-01")
        case = ref.load()
        police = db.session.scalar(db.select(User.agency_id).where(User.id == worker.id))
        from caseapp.models import Agency

        to = db.session.scalar(db.select(Agency.id).where(Agency.code == "POLRESTA"))
        now = case.created_at
        common = {
            "case_id": case.id,
            "from_agency_id": police,
            "from_user_id": worker.id,
            "to_agency_id": to,
            "urgency": "normal",
            "services": "legal_aid",
            "shared_sections": "incident",
            "consent_given_by": "guardian",
            "sent_at": now,
            "due_at": now + timedelta(days=3),
        }
        db.session.add_all(
            [
                Referral(**common, status="accepted", accepted_at=now + timedelta(days=1)),
                Referral(**common, status="declined", declined_at=now + timedelta(days=5)),
                Referral(**common, status="sent"),
            ]
        )
        db.session.commit()
    with app.app_context(), time_machine.travel("2026-06-25 02:00:00", tick=False):
        data = recap_report.build(Q2)
        timeliness = data.tables["referral_timeliness"]
        assert timeliness.columns == ["in_time", "late", "overdue", "waiting", "withdrawn"]
        assert _cells(timeliness, "POLRESTA") == [1, 1, 1, 0, 0, 3]
        assert _cells(data.tables["referral_outcomes"], "POLRESTA") == [0, 1, 1, 0, 1, 0, 3]
        flows = data.tables["referral_flows"]
        assert flows.rows == flows.columns and _cells(flows, "UPTD_PPA")[flows.columns.index("POLRESTA")] == 3
        # A referral of a cancelled case is not counted, like the case itself.
        case = db.session.get(Case, ref.id)
        case.status = "cancelled"
        db.session.commit()
        assert recap_report.build(Q2).tables["referral_timeliness"].true_total() == 0


def test_rows_with_ids_past_32_bit_products_are_counted(app, make_user):
    """Each counted row's key is its case's key plus its id times a spread: past id 53,020 that product
    overflowed PostgreSQL's 32-bit integers (the recap failed at a million cases)."""
    from datetime import timedelta

    from caseapp.models import Agency, CaseParty
    from caseapp.models.referral import Referral

    worker = make_user("case_worker", "UPTD_PPA")
    with app.app_context(), time_machine.travel("2026-06-15 02:00:00", tick=False):
        ref = register(worker, incident__date="2026-06-01")
        case = ref.load()
        to = db.session.scalar(db.select(Agency.id).where(Agency.code == "POLRESTA"))
        db.session.add(
            Referral(
                id=3_000_000,
                case_id=case.id,
                from_agency_id=case.owner_agency_id,
                from_user_id=worker.id,
                to_agency_id=to,
                urgency="normal",
                services="legal_aid",
                shared_sections="incident",
                consent_given_by="guardian",
                sent_at=case.created_at,
                due_at=case.created_at + timedelta(days=3),
                status="sent",
            )
        )
        perpetrators = db.select(CaseParty.id).where(
            CaseParty.case_id == case.id, CaseParty.role == "perpetrator"
        )
        first = db.session.scalar(perpetrators)
        assert first is not None
        db.session.execute(db.update(CaseParty).where(CaseParty.id == first).values(id=3_000_001))
        db.session.commit()
        cache.clear()
        data = recap_report.build(Q2)
    assert data.tables["referral_timeliness"].true_total() == 1
    assert data.tables["perpetrators"].true_total() >= 1


# SIMFONI-PPA -------------------------------------------------------------------------------------------


def _simfoni_data(app, make_user):
    uptd = make_user("case_worker", "UPTD_PPA")
    police = make_user("case_worker", "POLRESTA")
    same = nik(777)
    with app.app_context(), time_machine.travel("2026-06-15 02:00:00", tick=False):
        register(uptd, child__nik=same, incident__date="2026-06-01")
        register(
            police,
            child__nik=same,
            incident__date="2026-06-01",
            incident__violence_types=["trafficking"],
            incident__primary_violence_type="trafficking",
        )


def test_the_simfoni_export_is_exact_audited_and_needs_the_password_again(app, client, make_user):
    _simfoni_data(app, make_user)
    officer = make_user("reporting_officer", "DP3A")
    login(client, officer.username)
    wrong = client.post("/api/v1/reports/simfoni", json={"period": "2026-Q2", "password": "not it"})
    assert wrong.status_code == 400 and list(wrong.json["fields"]) == ["password"]
    response = client.post(
        "/api/v1/reports/simfoni", json={"period": "2026-Q2", "password": PASSWORD, "format": "csv"}
    )
    assert response.status_code == 200 and response.mimetype == "text/csv"
    text = response.get_data(as_text=True)
    for canary in CANARIES:
        assert canary not in text  # no names, addresses or chronology
    assert nik(777) not in text
    lines = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    header_at = next(i for i, line in enumerate(lines) if line and line[0] == "Nomor registrasi")
    rows = [line for line in lines[header_at + 1 :] if line]
    assert len(rows) == 2
    assert rows[0][1] == rows[1][1]  # the same child at two agencies: one child reference
    assert "Perdagangan orang" in " ".join(rows[1]) or "trafficking" in " ".join(rows[1]).lower()
    with app.app_context():
        events = db.session.scalars(db.select(AuditEvent).order_by(AuditEvent.seq)).all()
        failed = [e for e in events if e.action == "auth.password_check_failed"]
        assert failed and '"purpose": "simfoni_export"' in failed[-1].details
        export = [e for e in events if e.action == "export.create" and e.object_id == "simfoni"]
        assert (
            len(export) == 1
            and '"period": "2026-Q2"' in export[0].details
            and '"cases": 2' in export[0].details
        )


def test_only_the_reporting_officer_gets_the_simfoni_export(app, client, make_user):
    for role, agency in (
        ("supervisor", "DP3A"),
        ("analyst", "BAPPEDA"),
        ("case_worker", "DP3A"),
        ("admin", "DP3A"),
    ):
        c = app.test_client()
        login(c, make_user(role, agency).username)
        answer = c.post("/api/v1/reports/simfoni", json={"period": "2026", "password": PASSWORD})
        assert answer.status_code == 403, role
        assert c.get("/reports/simfoni").status_code == 403, role


def test_a_reporting_officer_outside_dp3a_is_refused_the_exact_export(app, client, make_user):
    officer = make_user("reporting_officer", "POLRESTA")
    login(client, officer.username)
    answer = client.post("/api/v1/reports/simfoni", json={"period": "2026", "password": PASSWORD})
    assert answer.status_code == 403
    with app.app_context():
        denial = db.session.scalars(db.select(AuditEvent).where(AuditEvent.action == "authz.deny")).all()
        assert denial and denial[-1].actor_id == officer.id


def test_the_simfoni_page_keeps_the_period_on_a_wrong_password_and_prepares_xlsx(app, client, make_user):
    _simfoni_data(app, make_user)
    cache.clear()
    officer = make_user("reporting_officer", "DP3A")
    login(client, officer.username)
    page = client.get("/reports/simfoni")
    assert page.status_code == 200 and 'name="password"' in page.get_data(as_text=True)
    token = ""  # the test app runs without CSRF (tests/conftest.py); the form carries it when on
    refused = client.post(
        "/reports/simfoni",
        data={"period": "2026-Q2", "format": "xlsx", "password": "no", "csrf_token": token},
    )
    html = refused.get_data(as_text=True)
    assert refused.status_code == 400 and 'value="2026-Q2"' in html and "Kata sandi saat ini salah." in html
    asked = client.post(
        "/reports/simfoni",
        data={"period": "2026-Q2", "format": "xlsx", "password": PASSWORD, "csrf_token": token},
    )
    assert asked.status_code == 303  # the file is prepared in the background (tests/test_exports.py)
    app.extensions["caseapp.jobs"].drain()
    status = client.get(asked.headers["Location"] + "/status").json
    done = client.get(status["download_url"])
    assert done.status_code == 200
    book = load_workbook(io.BytesIO(done.data))
    assert book.sheetnames[0] == "Tentang berkas ini" and book.sheetnames[1] == "Kasus SIMFONI-PPA"
    assert book["Kasus SIMFONI-PPA"].max_row == 4  # the title, the header and two cases


def test_the_simfoni_export_carries_the_new_fields_and_never_the_perpetrator_s_nik(app, client, make_user):
    uptd = make_user("case_worker", "UPTD_PPA")
    accused_nik = nik(4321, day=12, month=3, year=85)
    with app.app_context(), time_machine.travel("2026-06-15 02:00:00", tick=False):
        register(
            uptd,
            incident__date="2026-06-01",
            incident__kelurahan=None,
            incident__regency="74.03",
            child__kelurahan=None,
            child__regency="outside_province",
            child__education="primary",
            child__school_status="dropped_out",
            child__disability_types=["intellectual"],
            child__occupation="student",
            child__marital_status="married",
            parties=[
                {
                    "role": "perpetrator",
                    "relationship": "spouse",
                    "sex": "M",
                    "age_group": "25-44",
                    "nik": accused_nik,
                    "education": "senior_secondary",
                    "occupation": "farmer_fisher",
                }
            ],
        )
    officer = make_user("reporting_officer", "DP3A")
    login(client, officer.username)
    response = client.post(
        "/api/v1/reports/simfoni", json={"period": "2026-Q2", "password": PASSWORD, "format": "csv"}
    )
    text = response.get_data(as_text=True)
    assert accused_nik not in text
    lines = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    header_at = next(i for i, line in enumerate(lines) if line and line[0] == "Nomor registrasi")
    row = dict(zip(lines[header_at], lines[header_at + 1], strict=True))
    assert row["Ragam disabilitas"] == "Disabilitas intelektual"
    assert (row["Pendidikan korban"], row["Status sekolah korban"]) == ("SD/MI sederajat", "Putus sekolah")
    assert (row["Pekerjaan korban"], row["Status perkawinan korban"]) == ("Pelajar/mahasiswa", "Kawin")
    assert row["Kabupaten/kota tempat tinggal"] == "Luar Provinsi Sulawesi Tenggara"
    assert row["Kabupaten/kota tempat kejadian"] == "Kabupaten Konawe"
    assert row["Pendidikan setiap terduga pelaku"] == "SMA/SMK/MA sederajat"
    assert row["Pekerjaan setiap terduga pelaku"] == "Petani/nelayan"


def _reference(period, agency_id, served_in=None):
    """The recap's children and services computed plainly in Python from the rows (one child per NIK blind
    index among the cases in scope, keyed by its first case), to compare with the SQL of `recap.build`."""
    from caseapp.models import ServiceRecord

    scope = [
        c
        for c in db.session.scalars(db.select(Case).order_by(Case.id))
        if c.status != "cancelled" and (agency_id is None or c.owner_agency_id == agency_id)
    ]

    def child_of(case, among):
        same = [c for c in among if c.child_nik_bidx is not None and c.child_nik_bidx == case.child_nik_bidx]
        return min(same, key=lambda c: c.id) if same else case

    in_period = [c for c in scope if period.start <= c.created_at < period.end]
    children = {child_of(c, in_period).id: child_of(c, in_period).stat_key for c in in_period}
    served: dict[str, set[tuple[int, int]]] = {}
    by_id = {c.id: c for c in scope}
    for s in db.session.scalars(db.select(ServiceRecord)):
        if s.case_id in by_id and period.first_day <= s.service_date < period.end_day:
            if s.outcome in recap_report.GIVEN:
                child = child_of(by_id[s.case_id], scope)
                served.setdefault(s.service_type, set()).add((child.id, child.stat_key))
    return (
        (len(children), sum(children.values())),
        {code: (len(pairs), sum(k for _, k in pairs)) for code, pairs in served.items()},
    )


def test_children_and_services_match_a_plain_computation_across_agencies_years_and_cancellations(
    app, make_user
):
    uptd = make_user("case_worker", "UPTD_PPA")
    police = make_user("case_worker", "POLRESTA")

    def serve(actor, ref, service_type, day, outcome="provided"):
        value = parse_json(
            ServiceIn,
            json.dumps(
                {"service_type": service_type, "provider": "UPTD_PPA", "date": day, "outcome": outcome}
            ),
        )
        cases.add_service(db.session.get(User, actor.id), ref.load(), value)
        db.session.commit()

    with app.app_context():
        with time_machine.travel("2025-11-15 02:00:00", tick=False):
            old = register(police, child__nik=nik(5001), incident__date="2025-11-01")  # first case of 5001
            register(uptd, child__nik=nik(5002), incident__date="2025-11-01")
        with time_machine.travel("2026-05-15 02:00:00", tick=False):
            refs = [
                register(uptd, child__nik=nik(5001), incident__date="2026-05-01"),  # same child as `old`
                register(uptd, child__nik=nik(5002), incident__date="2026-05-01"),
                register(uptd, child__nik=nik(5003), incident__date="2026-05-01"),
                register(police, child__nik=nik(5003), incident__date="2026-05-01"),
                register(uptd, incident__date="2026-05-01"),  # no NIK: a child of its own
                register(uptd, incident__date="2026-05-01"),
                register(police, child__nik=nik(5004), incident__date="2026-05-01"),
            ]
            cancelled = register(uptd, child__nik=nik(5004), incident__date="2026-05-01")
        with time_machine.travel("2026-07-15 02:00:00", tick=False):
            serve(uptd, refs[0], "health", "2026-05-20")
            serve(uptd, refs[0], "health", "2026-05-21")  # twice: one child once
            serve(uptd, refs[1], "legal_aid", "2026-05-20")
            serve(uptd, refs[2], "health", "2026-05-20")
            serve(police, refs[3], "health", "2026-05-22")  # the same child at the other agency
            serve(uptd, refs[4], "health", "2026-05-20", outcome="refused")
            serve(uptd, refs[5], "legal_aid", "2026-07-02")  # outside the quarter
            serve(police, old, "health", "2026-05-25")  # a case of last year, served now
            serve(police, refs[6], "legal_aid", "2026-05-23")
            serve(uptd, cancelled, "health", "2026-05-23")
            case = db.session.get(Case, cancelled.id)
            case.status = "cancelled"
            db.session.commit()
            agencies = [
                None,
                db.session.get(User, uptd.id).agency_id,
                db.session.get(User, police.id).agency_id,
            ]
            for agency_id in agencies:
                data = recap_report.build(Q2, agency_id)
                children, services = _reference(Q2, agency_id)
                assert (data.children.n, data.children.keys) == children, agency_id
                table = data.tables["services"]
                shown = {row: (c[0].n, c[0].keys) for row, c in zip(table.rows, table.counts, strict=True)}
                assert {k: v for k, v in shown.items() if v != (0, 0)} == services, agency_id
                assert services  # the data set serves someone in every scope
