"""Fill a database with synthetic cases at scale, fast: bulk inserts, real encryption, resumable.

    DATABASE_URL=postgresql+psycopg://... python -m bench.generate --cases 1000000

Every case gets its own data key (wrapped under the current KEK) and encrypted S fields, exactly as the
services write them, plus a guardian, a note, sometimes a service and a referral, and a chained audit entry.
`--cases` is the total wanted: a second run adds only what is missing, so an interrupted run resumes.

Rows are written in bulk (Core inserts) for speed, but every value the application derives comes from the
domain's own function: the case number (`next_case_number`), the initials (`initials`), the age group
(`age_group`), the incident's month (`month_of`), the restricted-by-default rule (`restricted_by_default`),
the first-contact deadline (`FIRST_CONTACT_DUE`), the NIK's blind index (`nik_index`), the name tokens
(`names.name_tokens`) and the name and birth date's index (`names.identity_index`). Sealed values
(initials, exact age, kelurahan, exact incident date) are encrypted as the model's fields do. Each batch is
one unit of work.
"""

from __future__ import annotations

import random
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import click
from flask import current_app
from sqlalchemy import func, insert, select, text

from caseapp.audit import AuditAction
from caseapp.audit.log import append_entries
from caseapp.database import utcnow
from caseapp.extensions import db
from caseapp.models import (
    Agency,
    Case,
    CaseNameToken,
    CaseNote,
    CaseParty,
    CaseTeamMember,
    CaseViolenceType,
    DataKey,
    Referral,
    ServiceRecord,
    User,
)
from caseapp.models.case import AgeGroup, CaseStatus, Confidentiality, age_group, month_of
from caseapp.security import crypto
from caseapp.security.keys import current_keyring
from caseapp.security.permissions import Role
from caseapp.services import passwords, reference
from caseapp.services.cases import (
    FIRST_CONTACT_DUE,
    initials,
    names,
    nik_index,
    reserve_case_numbers,
    restricted_by_default,
)
from caseapp.transaction import unit_of_work

AGENCIES = ("UPTD_PPA", "POLRESTA", "DINSOS", "DP3A")
GIVEN = [
    "Siti",
    "Nur",
    "Wa Ode",
    "La Ode",
    "Andi",
    "Rahmat",
    "Putri",
    "Dewi",
    "Ahmad",
    "Aisyah",
    "Fitri",
    "Rizky",
]
FAMILY = ["Hasanah", "Rahman", "Lasandara", "Tamburaka", "Saputra", "Wulandari", "Halim", "Syahrir", "Daeng"]
TYPES = (
    ["sexual"] * 35
    + ["physical"] * 25
    + ["psychological"] * 20
    + ["neglect"] * 10
    + ["exploitation"] * 5
    + ["trafficking"] * 2
    + ["other"] * 3
)
STATUSES = (
    ["new"] * 10
    + ["assessment"] * 20
    + ["intervention"] * 25
    + ["monitoring"] * 15
    + ["closed"] * 25
    + ["cancelled"] * 5
)
OLD_STATUSES = ["closed"] * 92 + ["cancelled"] * 5 + ["monitoring"] * 2 + ["intervention"]
YEARS = 20  # registrations spread over the last 20 years: under 99,999 case numbers a year up to 1.9M cases


CASES_PER_WORKER = 400  # a case worker's whole career load: enough workers that nobody holds 25,000 cases
SHARES = (50, 22, 14, 14)  # of AGENCIES


def _bench_staff(total: int) -> dict[str, list[int]]:
    """Return case-worker ids per agency: one worker per CASES_PER_WORKER of its share of `total` cases
    (at least 20), and a supervisor; creates only the ones missing, so a bigger run adds staff."""
    staff: dict[str, list[int]] = {}
    password_hash = passwords.hash_password("bench-" + uuid.uuid4().hex)  # nobody signs in as these
    for code, share in zip(AGENCIES, SHARES, strict=True):
        agency = db.session.scalar(select(Agency).where(Agency.code == code))
        assert agency is not None
        wanted = max(20, -(-total * share // 100 // CASES_PER_WORKER))
        existing = set(
            db.session.scalars(
                select(User.username).where(User.agency_id == agency.id, User.username.like("bench.%"))
            )
        )
        rows = [
            {
                "username": f"bench.{code.lower()}.{i}",
                "display_name": f"Bench {code} {i}",
                "agency_id": agency.id,
                "role": Role.CASE_WORKER.value,
                "password_hash": password_hash,
            }
            for i in range(wanted)
            if f"bench.{code.lower()}.{i}" not in existing
        ]
        if f"bench.{code.lower()}.spv" not in existing:
            rows.append(
                {
                    "username": f"bench.{code.lower()}.spv",
                    "display_name": f"Bench {code} supervisor",
                    "agency_id": agency.id,
                    "role": Role.SUPERVISOR.value,
                    "password_hash": password_hash,
                }
            )
        if rows:
            db.session.execute(insert(User), rows)
        staff[code] = list(
            db.session.scalars(
                select(User.id).where(
                    User.agency_id == agency.id,
                    User.username.like("bench.%"),
                    User.role == Role.CASE_WORKER.value,
                )
            )
        )
    return staff


def _nik(rng: random.Random, born: datetime, sex: str) -> str:
    day = born.day + (40 if sex == "F" else 0)
    kecamatan, serial = rng.randint(1, 11), rng.randint(1, 9999)
    return f"7471{kecamatan:02d}{day:02d}{born.month:02d}{born.year % 100:02d}{serial:04d}"


@dataclass(frozen=True)
class _Setting:
    """What every batch draws from: the clock, the staff and agencies, the kelurahan and the current KEK."""

    now: datetime
    staff: dict[str, list[int]]  # case-worker ids per agency code
    agency_ids: dict[str, int]
    kelurahan: list[tuple[str, str]]  # (kelurahan code, kecamatan code)
    kek_id: str
    kek: bytes
    name_key: bytes  # the name index's key (services/cases/names.py)
    name_bits: int
    identity_key: bytes  # the key of the name and birth date's index (the same-child check)
    identity_bits: int


@dataclass(frozen=True)
class _Drawn:
    """A case drawn for the batch: what its related rows need besides its id."""

    case_uuid: uuid.UUID
    dek: bytes
    key_id: int
    violence_type: str
    created: datetime
    agency: str
    manager: int
    name: str


def generate(total: int, batch: int = 1000, seed: int = 7, progress: bool = True) -> int:
    """Add synthetic cases until the database holds `total` demo cases; return how many were added."""
    with unit_of_work():
        reference.seed_reference_data()
    existing = int(
        db.session.scalar(select(func.count()).select_from(Case).where(Case.is_demo.is_(True))) or 0
    )
    missing = max(0, total - existing)
    if not missing:
        return 0
    with unit_of_work():
        staff = _bench_staff(total)
    agency_ids = {code: db.session.scalar(select(Agency.id).where(Agency.code == code)) for code in AGENCIES}
    ring = current_keyring()
    setting = _Setting(
        now=utcnow(),
        staff=staff,
        agency_ids={code: int(agency_id) for code, agency_id in agency_ids.items() if agency_id is not None},
        kelurahan=[
            (r["code"], r["parent_code"]) for r in reference.read_csv("regions") if r["level"] == "kelurahan"
        ],
        kek_id=ring.current_kek_id,
        kek=ring.kek(ring.current_kek_id),
        name_key=names.index_key(),
        name_bits=int(current_app.config.get("NAME_INDEX_BITS", 16)),
        identity_key=names.identity_key(),
        identity_bits=int(current_app.config.get("BLIND_INDEX_BITS", 16)),
    )
    rng = random.Random(seed + existing)
    added = 0
    started = time.monotonic()
    with click.progressbar(
        length=missing, label="Generating cases", file=sys.stderr if progress else None
    ) as bar:
        while added < missing:
            size = min(batch, missing - added)
            with unit_of_work():
                _write_batch(size, rng, setting)
            added += size
            bar.update(size)
    elapsed = time.monotonic() - started
    click.echo(
        f"Added {added} cases in {elapsed:.1f} s ({added / max(elapsed, 1e-9):.0f} cases/s).", err=True
    )
    # Fresh planner statistics after a bulk load, as the database would have them in production (PostgreSQL
    # autovacuum gathers them later on its own; SQLite only when asked).
    with unit_of_work():
        db.session.execute(text("ANALYZE"))
    return added


def _write_batch(size: int, rng: random.Random, setting: _Setting) -> None:
    """Insert `size` cases with their data keys, related rows and audit entries (the caller commits)."""
    # Core inserts on the tables: column names are checked, unlike ORM bulk inserts that drop unknown keys.
    connection = db.session.connection()
    keys = _insert_data_keys(size, setting)
    case_rows, drawn = [], []
    for dek, key_id in keys:
        row, case = _case_row(rng, setting, dek, key_id)
        case_rows.append(row)
        drawn.append(case)
    years: dict[int, list[dict[str, Any]]] = {}
    for row in case_rows:
        years.setdefault(row["case_number"], []).append(row)
    for year, rows in years.items():
        for row, number in zip(rows, reserve_case_numbers(year, len(rows)), strict=True):
            row["case_number"] = number
    table = Case.__table__
    case_ids = connection.execute(
        insert(table).returning(table.c.id, sort_by_parameter_order=True), case_rows
    ).scalars()
    written = list(zip(case_ids, drawn, strict=True))
    for model, rows in _related_rows(rng, setting, written).items():
        if rows:
            connection.execute(insert(model.__table__), rows)
    _append_audit([case.case_uuid for case in drawn])


def _insert_data_keys(size: int, setting: _Setting) -> list[tuple[bytes, int]]:
    """Insert one data key per case, wrapped under the current KEK; return (key, row id) pairs."""
    deks, key_rows = [], []
    for _ in range(size):
        key_uuid = uuid.uuid4()
        dek = crypto.new_data_key()
        deks.append(dek)
        key_rows.append(
            {
                "uuid": key_uuid,
                "kek_id": setting.kek_id,
                "wrapped": crypto.wrap_key(setting.kek, setting.kek_id, str(key_uuid), dek),
                "created_at": setting.now,
            }
        )
    table = DataKey.__table__
    key_ids = db.session.connection().execute(
        insert(table).returning(table.c.id, sort_by_parameter_order=True), key_rows
    )
    return list(zip(deks, key_ids.scalars(), strict=True))


def _sealer(
    dek: bytes, key_id: int, table: str, row_uuid: uuid.UUID
) -> Callable[[str, str | None], bytes | None]:
    """Return a function encrypting a column's value of one row, as the model's encrypted fields do."""

    def seal(column: str, value: str | None) -> bytes | None:
        return (
            None if value is None else crypto.encrypt_field(dek, key_id, table, column, str(row_uuid), value)
        )

    return seal


def _case_row(
    rng: random.Random, setting: _Setting, dek: bytes, key_id: int
) -> tuple[dict[str, Any], _Drawn]:
    """Draw one case; return its row and what its related rows will need."""
    now = setting.now
    code = rng.choices(AGENCIES, weights=SHARES)[0]
    created = now - timedelta(days=rng.uniform(0, 365 * YEARS))
    sex = "F" if rng.random() < 0.6 else "M"
    age = rng.choice([3, 5, 7, 9, 10, 11, 12, 13, 14, 15, 16, 17])
    born = created - timedelta(days=365 * age + rng.randint(0, 300))
    # Cases older than a year are nearly all closed, as in a real caseload; recent ones in every state.
    old = created < now - timedelta(days=365)
    status = rng.choice(OLD_STATUSES if old else STATUSES)
    risk = rng.choice(["low", "medium", "medium", "high"])
    vtype = rng.choice(TYPES)
    kel, kec = rng.choice(setting.kelurahan)
    case_uuid = uuid.uuid4()
    name = f"{rng.choice(GIVEN)} {rng.choice(FAMILY)}"
    nik = _nik(rng, born, sex) if rng.random() < 0.7 else None
    seal = _sealer(dek, key_id, "case_file", case_uuid)
    manager = rng.choice(setting.staff[code])
    restricted = restricted_by_default({vtype}, set())
    incident = (created - timedelta(days=rng.randint(0, 30))).date()
    row = {
        "uuid": case_uuid,
        "case_number": created.year,  # a year until the batch reserves its numbers (one statement a year)
        "status": status,
        "risk_level": risk,
        "confidentiality": (Confidentiality.RESTRICTED if restricted else Confidentiality.NORMAL).value,
        "owner_agency_id": setting.agency_ids[code],
        "case_manager_id": manager,
        "created_by_id": manager,
        "version": 1,
        "data_key_id": key_id,
        "is_demo": True,
        "created_at": created,
        "updated_at": created,
        "first_contact_due_at": created + FIRST_CONTACT_DUE[risk],
        "first_contact_at": created + timedelta(hours=rng.uniform(1, 100))
        if status != CaseStatus.NEW
        else None,
        "closed_at": created + timedelta(days=rng.uniform(20, 200))
        if status in (CaseStatus.CLOSED, CaseStatus.CANCELLED)
        else None,
        "closure_reason": "needs_met" if status == CaseStatus.CLOSED else None,
        "cancel_reason": "duplicate" if status == CaseStatus.CANCELLED else None,
        "child_name": seal("child_name", name),
        "child_nik": seal("child_nik", nik),
        "child_nik_bidx": nik_index(nik) if nik else None,
        "child_dob": seal("child_dob", born.date().isoformat()),
        "child_identity_bidx": names.identity_index(
            name, born.date(), setting.identity_key, setting.identity_bits
        ),
        "child_address": seal("child_address", f"Jl. Bench No. {rng.randint(1, 200)}, Kendari"),
        "child_school": None,
        "child_initials": seal("child_initials", initials(name)),
        "child_sex": sex,
        "child_age": seal("child_age", str(age)),
        "child_age_group": age_group(age),
        "child_age_is_estimate": False,
        "child_disability": rng.random() < 0.05,
        "child_kelurahan": seal("child_kelurahan", kel),
        "kecamatan": kec,
        "incident_date": seal("incident_date", incident.isoformat()),
        "incident_month": month_of(incident),
        "incident_date_approximate": False,
        "incident_kelurahan": seal("incident_kelurahan", kel),
        "place": rng.choice(["household", "school", "online", "public_facility"]),
        "primary_violence_type": vtype,
        "channel": rng.choice(["walk_in", "phone", "sapa129", "outreach"]),
        "narrative": seal("narrative", "Data sintetis untuk uji beban. " * 3),
    }
    return row, _Drawn(case_uuid, dek, key_id, vtype, created, code, manager, name)


def _related_rows(
    rng: random.Random, setting: _Setting, written: list[tuple[int, _Drawn]]
) -> dict[Any, list[dict[str, Any]]]:
    """Draw each case's violence type, guardian, note, and sometimes a colleague, a service and a referral."""
    types, parties, notes, services, referrals, team, tokens = [], [], [], [], [], [], []
    agency_ids = setting.agency_ids
    for case_id, case in written:
        code, manager, created = case.agency, case.manager, case.created
        types.append({"case_id": case_id, "code": case.violence_type})
        tokens += [
            {"case_id": case_id, "token": token}
            for token in names.name_tokens(case.name, setting.name_key, setting.name_bits)
        ]
        if rng.random() < 0.1:  # a colleague on the case team
            colleague = rng.choice(setting.staff[code])
            if colleague != manager:
                team.append({"case_id": case_id, "user_id": colleague, "added_at": created})
        party_uuid = uuid.uuid4()
        seal_party = _sealer(case.dek, case.key_id, "case_party", party_uuid)
        parties.append(
            {
                "uuid": party_uuid,
                "case_id": case_id,
                "role": "guardian",
                "relationship": "parent",
                "sex": "F",
                "age_group": AgeGroup.ADULT.value,
                "is_child": False,
                "name": seal_party("name", "Ibu Bench"),
                "phone": seal_party("phone", "0812-0000-0000"),
            }
        )
        note_uuid = uuid.uuid4()
        notes.append(
            {
                "uuid": note_uuid,
                "case_id": case_id,
                "kind": "visit",
                "visibility": "case_team",
                "author_id": manager,
                "created_at": created + timedelta(days=1),
                "body": _sealer(case.dek, case.key_id, "case_note", note_uuid)("body", "Kunjungan rumah."),
            }
        )
        if rng.random() < 0.4:
            services.append(
                {
                    "uuid": uuid.uuid4(),
                    "case_id": case_id,
                    "service_type": "complaint_handling",
                    "provider_agency_id": agency_ids[code],
                    "service_date": (created + timedelta(days=2)).date(),
                    "outcome": "provided",
                    "created_by_id": manager,
                    "created_at": created,
                }
            )
        if rng.random() < 0.15:
            target = rng.choice([c for c in AGENCIES if c != code])
            state = rng.choice(["sent", "accepted", "completed", "declined", "withdrawn"])
            sent_at = created + timedelta(days=1)
            referrals.append(
                {
                    "uuid": uuid.uuid4(),
                    "case_id": case_id,
                    "from_agency_id": agency_ids[code],
                    "from_user_id": manager,
                    "to_agency_id": agency_ids[target],
                    "status": state,
                    "urgency": "urgent",
                    "services": "law_enforcement",
                    "shared_sections": "identity,incident",
                    "consent_given_by": "guardian",
                    "sent_at": sent_at,
                    "due_at": sent_at + timedelta(hours=72),
                    "accepted_at": sent_at + timedelta(hours=20)
                    if state in ("accepted", "completed")
                    else None,
                }
            )
    return {
        CaseViolenceType: types,
        CaseParty: parties,
        CaseNote: notes,
        ServiceRecord: services,
        Referral: referrals,
        CaseTeamMember: team,
        CaseNameToken: tokens,
    }


def _append_audit(case_uuids: list[uuid.UUID]) -> None:
    """Chain one `case.create` event per case, through the application's own append (lock, head, MAC)."""
    base = {
        "actor_id": None,
        "actor_username": "bench.generate",
        "actor_role": None,
        "actor_agency": None,
        "source_ip": None,
        "action": AuditAction.CASE_CREATE.value,
        "object_type": "case",
        "outcome": "success",
        "changed_fields": None,
        "details": '{"synthetic": true}',
        "request_id": None,
    }
    append_entries(db.session(), [{**base, "object_id": str(case_uuid)} for case_uuid in case_uuids])


@click.command()
@click.option("--cases", "total", type=int, required=True, help="Total number of synthetic cases wanted")
@click.option("--batch", type=int, default=1000, show_default=True)
@click.option("--seed", type=int, default=7, show_default=True)
def main(total: int, batch: int, seed: int) -> None:
    """Generate synthetic cases into DATABASE_URL (development keys from instance/, or the environment)."""
    import os

    from caseapp import create_app

    if "bench" not in os.environ.get("DATABASE_URL", ""):
        raise click.UsageError("set DATABASE_URL to a benchmark database (its name must contain 'bench')")
    app = create_app()
    with app.app_context():
        generate(total, batch, seed)


if __name__ == "__main__":
    main()
