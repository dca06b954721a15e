"""Fill a database with synthetic cases at scale, fast: bulk inserts, real encryption, resumable.

    DATABASE_URL=postgresql+psycopg://... python -m bench.generate --cases 1000000

Every case gets its own data key (wrapped under the current KEK) and encrypted S fields, exactly as the
services write them, plus a guardian, a note, sometimes a service and a referral, and a chained audit entry.
`--cases` is the total wanted: a second run adds only what is missing, so an interrupted run resumes.
"""

from __future__ import annotations

import random
import sys
import time
import uuid
from datetime import datetime, timedelta

import click
from sqlalchemy import func, insert, select, text

from caseapp.database import utcnow
from caseapp.extensions import db
from caseapp.models import (
    Agency,
    Case,
    CaseNote,
    CaseNumberCounter,
    CaseParty,
    CaseTeamMember,
    CaseViolenceType,
    DataKey,
    Referral,
    ServiceRecord,
    User,
)
from caseapp.security import crypto
from caseapp.security.keys import current_keyring
from caseapp.services import reference
from caseapp.services.cases import FIRST_CONTACT_DUE, nik_index

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
    from caseapp.services import passwords

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
                "role": "case_worker",
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
                    "role": "supervisor",
                    "password_hash": password_hash,
                }
            )
        if rows:
            db.session.execute(insert(User), rows)
        staff[code] = list(
            db.session.scalars(
                select(User.id).where(
                    User.agency_id == agency.id, User.username.like("bench.%"), User.role == "case_worker"
                )
            )
        )
    db.session.commit()
    return staff


def _nik(rng: random.Random, born: datetime, sex: str) -> str:
    day = born.day + (40 if sex == "F" else 0)
    kecamatan, serial = rng.randint(1, 11), rng.randint(1, 9999)
    return f"7471{kecamatan:02d}{day:02d}{born.month:02d}{born.year % 100:02d}{serial:04d}"


def generate(total: int, batch: int = 1000, seed: int = 7, progress: bool = True) -> int:
    """Add synthetic cases until the database holds `total` demo cases; return how many were added."""
    reference.seed_reference_data()
    db.session.commit()
    existing = int(
        db.session.scalar(select(func.count()).select_from(Case).where(Case.is_demo.is_(True))) or 0
    )
    missing = max(0, total - existing)
    if not missing:
        return 0
    staff = _bench_staff(total)
    agency_ids = {code: db.session.scalar(select(Agency.id).where(Agency.code == code)) for code in AGENCIES}
    kelurahan = reference.read_csv("regions")
    kel_codes = [(r["code"], r["parent_code"]) for r in kelurahan if r["level"] == "kelurahan"]
    ring = current_keyring()
    kek_id, kek = ring.current_kek_id, ring.kek(ring.current_kek_id)
    rng = random.Random(seed + existing)
    now = utcnow()
    counters = {r.year: r.last for r in db.session.scalars(select(CaseNumberCounter))}
    added = 0
    started = time.monotonic()
    with click.progressbar(
        length=missing, label="Generating cases", file=sys.stderr if progress else None
    ) as bar:
        while added < missing:
            size = min(batch, missing - added)
            _write_batch(size, rng, now, staff, agency_ids, kel_codes, kek_id, kek, counters)
            db.session.commit()
            added += size
            bar.update(size)
    elapsed = time.monotonic() - started
    click.echo(
        f"Added {added} cases in {elapsed:.1f} s ({added / max(elapsed, 1e-9):.0f} cases/s).", err=True
    )
    # Fresh planner statistics after a bulk load, as the database would have them in production (PostgreSQL
    # autovacuum gathers them later on its own; SQLite only when asked).
    db.session.execute(text("ANALYZE"))
    db.session.commit()
    return added


def _write_batch(size, rng, now, staff, agency_ids, kel_codes, kek_id, kek, counters) -> None:  # type: ignore[no-untyped-def]
    deks, key_rows = [], []
    for _ in range(size):
        key_uuid = uuid.uuid4()
        dek = crypto.new_data_key()
        deks.append(dek)
        key_rows.append(
            {
                "uuid": key_uuid,
                "kek_id": kek_id,
                "wrapped": crypto.wrap_key(kek, kek_id, str(key_uuid), dek),
                "created_at": now,
            }
        )
    # Core inserts on the table: column names are checked, unlike ORM bulk inserts that drop unknown keys.
    connection = db.session.connection()
    keys = DataKey.__table__
    key_ids = list(
        connection.execute(
            insert(keys).returning(keys.c.id, sort_by_parameter_order=True), key_rows
        ).scalars()
    )
    case_rows, plain = [], []
    for dek, key_id in zip(deks, key_ids, strict=True):
        code = rng.choices(AGENCIES, weights=SHARES)[0]
        created = now - timedelta(days=rng.uniform(0, 365 * YEARS))
        year = created.year
        counters[year] = counters.get(year, 0) + 1
        sex = "F" if rng.random() < 0.6 else "M"
        age = rng.choice([3, 5, 7, 9, 10, 11, 12, 13, 14, 15, 16, 17])
        born = created - timedelta(days=365 * age + rng.randint(0, 300))
        # Cases older than a year are nearly all closed, as in a real caseload; recent ones in every state.
        old = created < now - timedelta(days=365)
        status = rng.choice(OLD_STATUSES if old else STATUSES)
        risk = rng.choice(["low", "medium", "medium", "high"])
        vtype = rng.choice(TYPES)
        kel, kec = rng.choice(kel_codes)
        case_uuid = uuid.uuid4()
        name = f"{rng.choice(GIVEN)} {rng.choice(FAMILY)}"
        nik = _nik(rng, born, sex) if rng.random() < 0.7 else None

        def seal(column: str, value: str | None, _dek=dek, _kid=key_id, _u=case_uuid) -> bytes | None:
            return (
                None
                if value is None
                else crypto.encrypt_field(_dek, _kid, "case_file", column, str(_u), value)
            )

        manager = rng.choice(staff[code])
        case_rows.append(
            {
                "uuid": case_uuid,
                "case_number": f"KDI-{year}-{counters[year]:05d}",
                "status": status,
                "risk_level": risk,
                "confidentiality": "restricted" if vtype in ("sexual", "trafficking") else "normal",
                "owner_agency_id": agency_ids[code],
                "case_manager_id": manager,
                "created_by_id": manager,
                "version": 1,
                "data_key_id": key_id,
                "is_demo": True,
                "created_at": created,
                "updated_at": created,
                "first_contact_due_at": created + FIRST_CONTACT_DUE[risk],
                "first_contact_at": created + timedelta(hours=rng.uniform(1, 100))
                if status != "new"
                else None,
                "closed_at": created + timedelta(days=rng.uniform(20, 200))
                if status in ("closed", "cancelled")
                else None,
                "closure_reason": "needs_met" if status == "closed" else None,
                "cancel_reason": "duplicate" if status == "cancelled" else None,
                "child_name": seal("child_name", name),
                "child_nik": seal("child_nik", nik),
                "child_nik_bidx": nik_index(nik) if nik else None,
                "child_dob": seal("child_dob", born.date().isoformat()),
                "child_address": seal("child_address", f"Jl. Bench No. {rng.randint(1, 200)}, Kendari"),
                "child_school": None,
                "child_initials": "".join(f"{w[0]}." for w in name.split()[:3]),
                "child_sex": sex,
                "child_age": age,
                "child_age_group": "0-5" if age <= 5 else ("6-12" if age <= 12 else "13-17"),
                "child_age_is_estimate": False,
                "child_disability": rng.random() < 0.05,
                "child_kelurahan": kel,
                "kecamatan": kec,
                "incident_date": (created - timedelta(days=rng.randint(0, 30))).date(),
                "incident_date_approximate": False,
                "incident_kelurahan": kel,
                "place": rng.choice(["household", "school", "online", "public_facility"]),
                "primary_violence_type": vtype,
                "channel": rng.choice(["walk_in", "phone", "sapa129", "outreach"]),
                "narrative": seal("narrative", "Data sintetis untuk uji beban. " * 3),
            }
        )
        plain.append((case_uuid, dek, key_id, vtype, created, code, manager, status))
    table = Case.__table__
    case_ids = list(
        connection.execute(
            insert(table).returning(table.c.id, sort_by_parameter_order=True), case_rows
        ).scalars()
    )
    types, parties, notes, services, referrals, team = [], [], [], [], [], []
    for case_id, (_uuid, dek, key_id, vtype, created, code, manager, _status) in zip(
        case_ids, plain, strict=True
    ):
        types.append({"case_id": case_id, "code": vtype})
        if rng.random() < 0.1:  # a colleague on the case team
            colleague = rng.choice(staff[code])
            if colleague != manager:
                team.append({"case_id": case_id, "user_id": colleague, "added_at": created})
        party_uuid = uuid.uuid4()
        parties.append(
            {
                "uuid": party_uuid,
                "case_id": case_id,
                "role": "guardian",
                "relationship": "parent",
                "sex": "F",
                "age_group": "18+",
                "is_child": False,
                "name": crypto.encrypt_field(dek, key_id, "case_party", "name", str(party_uuid), "Ibu Bench"),
                "phone": crypto.encrypt_field(
                    dek, key_id, "case_party", "phone", str(party_uuid), "0812-0000-0000"
                ),
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
                "body": crypto.encrypt_field(
                    dek, key_id, "case_note", "body", str(note_uuid), "Kunjungan rumah."
                ),
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
    for model, rows in (
        (CaseViolenceType, types),
        (CaseParty, parties),
        (CaseNote, notes),
        (ServiceRecord, services),
        (Referral, referrals),
        (CaseTeamMember, team),
    ):
        if rows:
            connection.execute(insert(model.__table__), rows)
    _append_audit([(case_uuid, created) for case_uuid, _d, _k, _v, created, *_ in plain])
    for year, last in counters.items():
        _set_counter(year, last)


def _set_counter(year: int, last: int) -> None:
    row = db.session.get(CaseNumberCounter, year)
    if row is None:
        db.session.add(CaseNumberCounter(year=year, last=last))
    else:
        row.last = max(row.last, last)
    db.session.flush()


def _append_audit(created: list[tuple[uuid.UUID, datetime]]) -> None:
    """Chain one `case.create` event per case, through the application's own append (lock, head, MAC)."""
    from caseapp.audit.log import append_entries

    base = {
        "actor_id": None,
        "actor_username": "bench.generate",
        "actor_role": None,
        "actor_agency": None,
        "source_ip": None,
        "action": "case.create",
        "object_type": "case",
        "outcome": "success",
        "changed_fields": None,
        "details": '{"synthetic": true}',
        "request_id": None,
    }
    append_entries(db.session(), [{**base, "object_id": str(case_uuid)} for case_uuid, _when in created])


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
