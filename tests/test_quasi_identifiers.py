"""What rests in the clear of a case: only what counting needs (sex, age group, kecamatan, the incident's
month, codes); initials, exact age, kelurahan and exact incident date are sealed under the case's key."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
import time_machine
from flask import Flask
from flask_babel import force_locale
from flask_migrate import downgrade, upgrade

from caseapp.extensions import db
from caseapp.models import Case, CaseParty
from caseapp.reports import simfoni
from caseapp.reports.periods import parse_period
from caseapp.security import crypto
from caseapp.security.keys import current_keyring
from caseapp.services import data_keys
from tests.casedata import body, register
from tests.conftest import PASSWORD, login, make_app, skip_or_fail
from tests.rawscan import scan_for

MIGRATIONS = str(Path(__file__).resolve().parent.parent / "migrations")
NAME = "Qonita Zahrani Wulan"
INITIALS = "Q.Z.W."
KELURAHAN = "74.71.03.1002"  # in the region table (reference data), nowhere else
INCIDENT = "2026-03-17"
REFERENCE_TABLES = {"region"}  # reference data: every kelurahan code is there by design


def _hits(app: Flask, needles: list[str]) -> list[str]:
    """Return 'table.column:needle' for every needle found in any value of any table but the reference
    ones (text as stored, bytes as stored, dates as ISO text): a scan over every table and column."""
    found = []
    with app.app_context():
        engine = db.engine
        with engine.connect() as conn:
            for table in sa.inspect(engine).get_table_names():
                if table in REFERENCE_TABLES:
                    continue
                result = conn.execute(sa.text(f'SELECT * FROM "{table}"'))  # noqa: S608 - table names
                columns = list(result.keys())
                for row in result:
                    for column, value in zip(columns, row, strict=True):
                        if value is None:
                            continue
                        raw = bytes(value) if isinstance(value, bytes | memoryview) else str(value).encode()
                        found += [f"{table}.{column}:{n}" for n in needles if n.encode() in raw]
    return sorted(set(found))


def _register_both_ways(app: Flask, client, make_user) -> None:
    worker = make_user("case_worker", "UPTD_PPA")
    changes = {
        "child__name": NAME,
        "child__kelurahan": KELURAHAN,
        "incident__kelurahan": KELURAHAN,
        "incident__date": INCIDENT,
        "incident__violence_types": ["sexual"],  # restricted: lists show the initials
        "incident__primary_violence_type": "sexual",
    }
    with app.app_context():
        register(worker, **changes)
    login(client, worker.username)
    answer = client.post("/api/v1/cases", json=body(**changes), headers={"Idempotency-Key": "qi-1"})
    assert answer.status_code == 201, answer.json


def test_a_registered_case_holds_no_initials_kelurahan_exact_date_or_age_in_clear(app, client, make_user):
    _register_both_ways(app, client, make_user)
    assert scan_for(app, [INITIALS]) == []  # byte for byte on SQLite, every text column on PostgreSQL
    assert _hits(app, [INITIALS, KELURAHAN, INCIDENT]) == []
    with app.app_context():
        raw = db.session.execute(
            sa.text("SELECT child_age, child_age_group, incident_month, kecamatan, child_sex FROM case_file")
        ).all()
        assert len(raw) == 2
        for age, group, month, kecamatan, sex in raw:
            assert isinstance(age, bytes | memoryview) and len(bytes(age)) > 16  # sealed, not a number
            assert (group, kecamatan, sex) == ("6-12", "74.71.03", "F")
            assert str(month) == "2026-03-01"
        # The application reads them back through the case's key.
        case = db.session.scalars(db.select(Case)).first()
        assert (case.child_initials, case.child_kelurahan, case.incident_kelurahan) == (
            INITIALS,
            KELURAHAN,
            KELURAHAN,
        )
        assert case.incident_date == dt.date(2026, 3, 17) and case.incident_month == dt.date(2026, 3, 1)
        assert case.child_age == 10 and case.child_age_group == "6-12"


def test_lists_show_the_sealed_initials_and_the_kecamatan_filter_still_narrows(app, client, make_user):
    _register_both_ways(app, client, make_user)
    page = client.get("/cases/?kecamatan=74.71.03").get_data(as_text=True)
    assert page.count(INITIALS) == 2 and NAME not in page
    assert INITIALS not in client.get("/cases/?kecamatan=74.71.01").get_data(as_text=True)
    items = client.get("/api/v1/cases").json["items"]
    assert [i["child_label"] for i in items] == [INITIALS, INITIALS]
    assert [i["child_age"] for i in items] == [10, 10]
    found = client.post("/cases/search", data={"by": "name", "query": "qonita"}).get_data(as_text=True)
    assert INITIALS in found and NAME not in found


def test_pg_dump_of_a_database_with_cases_has_no_quasi_identifier_in_clear(pg_app, make_user_pg):
    pg_dump = shutil.which("pg_dump")
    if pg_dump is None:
        skip_or_fail("pg_dump is not installed (the scan over every table and column still runs)")
    _register_both_ways(pg_app, pg_app.test_client(), make_user_pg)
    url = sa.make_url(pg_app.config["SQLALCHEMY_DATABASE_URI"])
    dump = subprocess.run(  # noqa: S603 - fixed arguments, a test database
        [pg_dump, "--data-only", "-h", url.host or "", "-p", str(url.port or 5432), "-U", url.username or ""]
        + [url.database or ""],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout
    assert "COPY public.case_file" in dump
    blocks = re.split(r"^COPY ", dump, flags=re.MULTILINE)[1:]
    leaks = [
        (block.split(" ", 1)[0], needle)
        for block in blocks
        if not block.startswith("public.region ")
        for needle in (INITIALS, KELURAHAN, INCIDENT)
        if needle in block
    ]
    assert leaks == []
    assert "2026-03-01" in next(b for b in blocks if b.startswith("public.case_file "))  # the month stays


def test_the_simfoni_export_decrypts_the_exact_values_and_blanks_a_shredded_case(app, make_user):
    worker = make_user("case_worker", "UPTD_PPA")
    with app.app_context(), time_machine.travel("2026-06-15 02:00:00", tick=False):
        kept = register(worker, incident__date="2026-06-01", child__kelurahan=KELURAHAN)
        gone = register(worker, incident__date="2026-06-02", child__kelurahan=KELURAHAN)
        data_keys.shred(gone.load().data_key)
        db.session.commit()
    with app.test_request_context():
        rows = simfoni.rows(parse_period("2026-Q2"))
        by_number = {row[0]: row for row in rows}
        with force_locale("en"):
            header = simfoni.header()
    first, shredded = by_number[kept.case_number], by_number[gone.case_number]
    date_at = header.index("Date of incident")
    age_at = header.index("Age of the victim at the incident")
    home_at = header.index("Kelurahan of residence")
    assert (first[date_at], first[age_at], first[home_at]) == ("2026-06-01", 10, "Lepo Lepo")
    assert (shredded[date_at], shredded[age_at], shredded[home_at]) == ("", None, "")
    assert shredded[header.index("Age group of the victim")] == "6-12"  # the statistics stay


def test_same_name_and_birth_date_is_still_found_without_initials_in_clear(app, client, make_user):
    worker = make_user("case_worker", "UPTD_PPA")
    with app.app_context():
        first = register(worker, child__name=NAME)
        register(worker, child__name="Qonita Zahra Wulandari")  # the same initials, another child
    login(client, worker.username)
    answer = client.post("/api/v1/cases", json=body(child__name=f"  {NAME.lower()} "))
    assert answer.status_code == 201
    assert answer.json["warnings"]["possible_same_child"] == [str(first.uuid)]


# Migration 0019 ---------------------------------------------------------------------------------------------


def _fill(table: sa.Table, given: dict) -> dict:
    """Return `given` completed with a value for every other required column (as the schema stood)."""
    values = dict(given)
    for column in table.columns:
        if column.name in values or column.nullable or column.primary_key and len(table.primary_key) == 1:
            continue
        kind = column.type.python_type if not isinstance(column.type, sa.Uuid) else None
        if isinstance(column.type, sa.Uuid):
            values[column.name] = uuid.uuid4()
        elif kind is bool:
            values[column.name] = False
        elif kind is int:
            values[column.name] = 1
        elif kind is dt.datetime:
            values[column.name] = dt.datetime(2026, 5, 1, 3, 0)
        elif kind is dt.date:
            values[column.name] = dt.date(2026, 5, 1)
        elif kind is bytes:
            values[column.name] = b"x"
        else:
            values[column.name] = "x"
    return values


def _seed_at_0014(app: Flask) -> dict[str, int]:
    """Write, with the schema of revision 0014 (or any since 0005), a case in the clear, one whose key was
    shredded, a party."""
    ring = current_keyring()
    engine = db.engine
    meta = sa.MetaData()
    tables = {
        n: sa.Table(n, meta, autoload_with=engine)
        for n in ("region", "agency", "user_account", "data_key", "case_file", "case_party")
    }
    ids: dict[str, int] = {}
    with engine.begin() as conn:

        def insert(table: str, **given: object) -> int:
            row = _fill(tables[table], given)
            for column, value in row.items():  # SQLite keeps a UUID as 32 hex digits
                if isinstance(value, uuid.UUID) and not isinstance(tables[table].c[column].type, sa.Uuid):
                    row[column] = value.hex
            return int(conn.execute(tables[table].insert().values(row)).inserted_primary_key[0])

        for code, level, parent in (
            ("74.71", "kota", None),
            ("74.71.03", "kecamatan", "74.71"),
            (KELURAHAN, "kelurahan", "74.71.03"),
        ):
            conn.execute(
                tables["region"].insert().values(_fill(tables["region"], {"code": code, "level": level}))
            )
            if parent:
                conn.execute(
                    tables["region"]
                    .update()
                    .where(tables["region"].c.code == code)
                    .values(parent_code=parent)
                )
        agency = insert("agency", code="UPTD_PPA", name="UPTD PPA")
        user = insert("user_account", username="old.worker", agency_id=agency, role="case_worker")
        for label, shredded in (("kept", False), ("shredded", True)):
            key_uuid = uuid.uuid4()
            dek = crypto.new_data_key()
            wrapped = crypto.wrap_key(ring.kek(ring.current_kek_id), ring.current_kek_id, str(key_uuid), dek)
            key = insert(
                "data_key",
                uuid=key_uuid,
                kek_id=None if shredded else ring.current_kek_id,
                wrapped=None if shredded else wrapped,
            )
            ids[label] = insert(
                "case_file",
                uuid=uuid.uuid4(),
                case_number=f"KDI-2026-0000{len(ids) + 1}",
                status="new",
                risk_level="low",
                confidentiality="restricted",
                owner_agency_id=agency,
                case_manager_id=user,
                created_by_id=user,
                data_key_id=key,
                child_initials=INITIALS,
                child_sex="F",
                child_age=11,
                child_age_group="6-12",
                child_kelurahan=KELURAHAN,
                kecamatan="74.71.03",
                incident_date=dt.date(2026, 3, 17),
                incident_kelurahan=KELURAHAN,
                primary_violence_type="sexual",
            )
        ids["party"] = insert("case_party", uuid=uuid.uuid4(), case_id=ids["kept"], role="guardian")
    return ids


def test_migration_0019_seals_existing_values_and_downgrade_opens_them(empty_database_url):
    app = make_app(empty_database_url)
    with app.app_context():
        try:
            upgrade(directory=MIGRATIONS, revision="0014")
            ids = _seed_at_0014(app)
            upgrade(directory=MIGRATIONS)  # to the head: the models below read the newest schema
            kept = db.session.get(Case, ids["kept"])
            assert (kept.child_initials, kept.child_age, kept.child_age_group) == (INITIALS, 11, "6-12")
            assert kept.child_kelurahan == kept.incident_kelurahan == KELURAHAN
            assert kept.incident_date == dt.date(2026, 3, 17)
            assert kept.incident_month == dt.date(2026, 3, 1)
            shredded = db.session.get(Case, ids["shredded"])
            assert shredded.child_initials_ct is None and shredded.child_age_ct is None
            assert shredded.incident_date_ct is None and shredded.incident_month == dt.date(2026, 3, 1)
            assert shredded.child_age_group == "6-12" and shredded.kecamatan == "74.71.03"
            # The rebuild of the table on SQLite did not cascade into the rows that hang off a case.
            assert db.session.get(CaseParty, ids["party"]) is not None
            db.session.remove()
            assert _hits(app, [INITIALS, INCIDENT]) == []
            with db.engine.connect() as conn:
                plain = conn.execute(sa.text("SELECT child_kelurahan FROM case_file")).scalars().all()
            assert all(value is None or KELURAHAN.encode() not in bytes(value) for value in plain)
            if db.engine.dialect.name == "sqlite":
                with db.engine.connect() as conn:
                    assert conn.exec_driver_sql("PRAGMA foreign_key_check").all() == []

            downgrade(directory=MIGRATIONS, revision="0014")
            with db.engine.connect() as conn:
                rows = conn.execute(
                    sa.text(
                        "SELECT id, child_initials, child_age, child_kelurahan, incident_date,"
                        " incident_kelurahan FROM case_file ORDER BY id"
                    )
                ).all()
            assert [tuple(r)[1:] for r in rows] == [
                (
                    INITIALS,
                    11,
                    KELURAHAN,
                    dt.date(2026, 3, 17) if db.engine.dialect.name != "sqlite" else INCIDENT,
                    KELURAHAN,
                ),
                ("?", None, None, None, None),
            ]
        finally:
            db.session.remove()
            db.engine.dispose()


def _down_revision_of(revision: str) -> str:
    path = next(Path(MIGRATIONS, "versions").glob(f"{revision}_*.py"))
    found = re.search(r"^down_revision = '(\w+)'", path.read_text(), re.M)
    assert found
    return found.group(1)


def test_migration_0019_refuses_to_run_over_cases_without_the_key(empty_database_url, capfd):
    app = make_app(empty_database_url)
    with app.app_context():
        try:
            upgrade(directory=MIGRATIONS, revision="0014")
            _seed_at_0014(app)
        finally:
            db.engine.dispose()
    keyless = make_app(empty_database_url, CASEAPP_KEK=None, CASEAPP_BIDX_KEY=None, CASEAPP_AUDIT_KEY=None)
    with keyless.app_context():
        try:
            with pytest.raises(SystemExit):  # Flask-Migrate logs the error and exits 1
                upgrade(directory=MIGRATIONS, revision="0019")
            assert "needs the key-encryption key" in capfd.readouterr().err
            with db.engine.connect() as conn:
                version = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
                initials = conn.execute(sa.text("SELECT child_initials FROM case_file")).scalars().all()
            # Nothing of 0019 ran: PostgreSQL rolls the whole upgrade back (one transaction), SQLite keeps the
            # revisions before 0019 that succeeded.
            expected = "0014" if db.engine.dialect.name == "postgresql" else _down_revision_of("0019")
            assert version == expected and initials == [INITIALS, INITIALS]
        finally:
            db.engine.dispose()


def test_a_worker_sees_the_sealed_values_on_the_case_page(app, client, make_user):
    worker = make_user("case_worker", "UPTD_PPA")
    with app.app_context():
        ref = register(worker, incident__date=INCIDENT, child__kelurahan=KELURAHAN)
    login(client, worker.username, PASSWORD)
    page = client.get(f"/cases/{ref.uuid}").get_data(as_text=True)
    assert "Lepo Lepo" in page
    case = client.get(f"/api/v1/cases/{ref.uuid}").json
    assert (case["child"]["kelurahan"], case["incident"]["date"], case["child_age"]) == (
        KELURAHAN,
        INCIDENT,
        10,
    )


def test_upgrading_a_database_with_cases_from_an_old_revision_keeps_every_row(empty_database_url):
    """Several migrations rebuild case_file or user_account on SQLite: no row hanging off them may go."""
    app = make_app(empty_database_url)
    with app.app_context():
        try:
            upgrade(directory=MIGRATIONS, revision="0008")
            ids = _seed_at_0014(app)
            upgrade(directory=MIGRATIONS)
            assert db.session.get(CaseParty, ids["party"]) is not None
            assert db.session.scalar(sa.select(sa.func.count()).select_from(Case)) == 2
            db.session.remove()
            if db.engine.dialect.name == "sqlite":
                with db.engine.connect() as conn:
                    assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
                    assert conn.exec_driver_sql("PRAGMA foreign_key_check").all() == []
        finally:
            db.session.remove()
            db.engine.dispose()
