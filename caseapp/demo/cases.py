"""Synthetic demo cases for Kota Kendari: believable enough to try every screen, about nobody real.

Every case goes through the same services as the web and the API (`CaseIn`, `register_case`,
`transition`, `assign`, `add_note`, `add_service`), so it obeys every rule: its fields are encrypted, it
gets a real case number and each step writes its audit entry. Only the clock is moved: a registration is
stamped "now" by the service, and a demo case's incident lies in the past, so its registration, first
contact, steps, notes and services are dated back afterwards (consistently: first contact due =
registration + the risk's due time). The audit log keeps the true time of generation.

Every case is `is_demo=True`; its narrative starts with "[Data demo sintetis]". What a case will be is
decided in `plan.py`, from the material in `data.py`; this module makes it happen, a batch of cases per
unit of work.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select

from caseapp.database import utcnow
from caseapp.demo.accounts import DEMO_ACCOUNTS, WORKING_ROLES, demo_team_exists
from caseapp.demo.data import (
    AGENCY_WEIGHTS,
    CANCEL_REASONS,
    CLOSURE_WEIGHTS,
    NARRATIVE_MARK,
    NOTE_AVOID,
    NOTE_KIND_WEIGHTS,
    NOTE_TEXTS,
    OUTCOME_DONE,
    OUTCOME_OPEN,
    SERVICE_NOTES,
    SERVICE_PROVIDER,
    SERVICES_FOR,
    STEP_DAYS,
)
from caseapp.demo.people import pick
from caseapp.demo.plan import Kelurahan, Plan, plan_case
from caseapp.errors import CaseappError
from caseapp.extensions import db
from caseapp.models import Agency, Case, CaseEvent, Region, User
from caseapp.models.case import NoteKind, NoteVisibility, ServiceOutcome
from caseapp.schemas.base import parse_data
from caseapp.schemas.cases import AssignIn, CaseAction, CaseIn, NoteIn, ServiceIn, TransitionIn
from caseapp.security.permissions import Role
from caseapp.services import cases as case_service
from caseapp.transaction import unit_of_work

BATCH_SIZE = 50
FIRST_START_CASES = 300


class NoDemoWorkers(CaseappError):
    """There is nobody to register demo cases: no case worker or supervisor of a case-working agency."""

    status = 409
    code = "no_demo_workers"


# Who works the cases -------------------------------------------------------------------------------------


@dataclass
class _Staff:
    """Who may be handed an agency's demo cases (workers; supervisors approve closures)."""

    agency_code: str
    workers: list[User]
    supervisors: list[User]


def _load_staff() -> dict[str, _Staff]:
    """Return the active case workers and supervisors of each case-working agency (demo accounts first)."""
    codes = [code for code, _ in AGENCY_WEIGHTS]
    stmt = (
        select(User)
        .join(Agency, User.agency_id == Agency.id)
        .where(User.active.is_(True), User.role.in_(WORKING_ROLES), Agency.code.in_(codes))
        .order_by(User.id)
    )
    people = list(db.session.scalars(stmt))
    demo_names = {username for username, *_ in DEMO_ACCOUNTS}
    demo_people = [u for u in people if u.username in demo_names]
    if demo_people:
        people = demo_people  # never put synthetic cases on real staff's desks when the demo team exists
    staff: dict[str, _Staff] = {}
    for code in codes:
        mine = [u for u in people if u.agency.code == code]
        workers = [u for u in mine if u.role == Role.CASE_WORKER.value]
        supervisors = [u for u in mine if u.role == Role.SUPERVISOR.value]
        if workers or supervisors:
            staff[code] = _Staff(code, workers or supervisors, supervisors)
    return staff


def first_start_wanted() -> bool:
    """Say whether `setup` should load demo cases: no case at all yet, and the demo team exists."""
    has_case = db.session.scalar(select(func.count()).select_from(Case)) or 0
    return not has_case and demo_team_exists()


# One case ------------------------------------------------------------------------------------------------


def _times_between(
    rng: random.Random, start: datetime, end: datetime, count: int, skew: float = 1.6
) -> list[datetime]:
    """Return `count` sorted moments in (start, end], bunched towards the start (work is busiest early)."""
    span = max((end - start).total_seconds(), 60.0)
    return sorted(start + timedelta(seconds=max(30.0, span * rng.random() ** skew)) for _ in range(count))


def _note_text(rng: random.Random, kind: str, plan: Plan) -> str:
    """Return a note of this kind that fits the case (its agency, whether the child goes to school)."""
    avoid = NOTE_AVOID.get(plan.agency)
    has_school = bool(plan.body["child"]["school"])
    options = [
        t
        for t in NOTE_TEXTS[kind]
        if (avoid is None or avoid not in t) and (has_school or not ("sekolah" in t or "wali kelas" in t))
    ]
    return rng.choice(options or list(NOTE_TEXTS[kind]))


def _step_times(rng: random.Random, start: datetime, end: datetime, path: list[str]) -> list[datetime]:
    """Return when each step happened: typical gaps, squeezed when the case is younger than they add up to."""
    gaps = [rng.uniform(*STEP_DAYS[action]) for action in path]
    available = max((end - start).total_seconds() / 86400, 0.001)
    total = sum(gaps)
    squeeze = rng.uniform(0.5, 0.95)
    if total > available:
        scale = available * squeeze / total
        gaps = [g * scale for g in gaps]
    times, at = [], start
    for gap in gaps:
        at = at + timedelta(days=gap)
        times.append(min(at, end))
    return times


def _build_case(rng: random.Random, now: datetime, plan: Plan, staff: _Staff) -> Case:
    """Register the planned case and take it through its life, dated back to when it happened."""
    actor = rng.choice(staff.workers)
    value = parse_data(CaseIn, plan.body, strict=False)
    case = case_service.register_case(actor, value, is_demo=True).case
    created = plan.created_at
    case.created_at = created
    case.updated_at = created
    case.first_contact_due_at = created + case_service.FIRST_CONTACT_DUE[case.risk_level]
    db.session.flush()
    event_times = [created]
    last = created

    def step(action: str, at: datetime, reason: str | None = None, by: User = actor) -> None:
        nonlocal last
        case_service.transition(
            by, case, TransitionIn(action=CaseAction(action), reason=reason, version=case.version)
        )
        event_times.append(at)
        last = max(last, at)

    # Sometimes the supervisor puts a second worker of the agency on the team at once.
    supervisor = rng.choice(staff.supervisors) if staff.supervisors else None
    others = [u for u in staff.workers if u.id != actor.id]
    if supervisor is not None and others and rng.random() < 0.25:
        team = [rng.choice(others).username]
        case_service.assign(
            supervisor, case, AssignIn(case_manager=actor.username, team=team, version=case.version)
        )
        event_times.append(created + min(timedelta(minutes=rng.randint(1, 25)), (now - created) / 4))

    # First contact: most cases have it, in time or a little late; some open ones are overdue.
    target = plan.target
    due = case_service.FIRST_CONTACT_DUE[case.risk_level]
    chance = {"new": 0.45, "assessment": 0.85, "intervention": 0.95, "cancelled": 0.6}.get(target, 1.0)
    first_contact: datetime | None = None
    if rng.random() < chance:
        late = rng.random() < 0.15
        hours = due.total_seconds() / 3600
        delay = timedelta(hours=rng.uniform(hours, hours * 2) if late else rng.uniform(0.5, hours * 0.8))
        first_contact = min(created + delay, now - timedelta(minutes=1))
        first_contact = max(first_contact, created)
        first = TransitionIn(action=CaseAction.RECORD_FIRST_CONTACT, at=first_contact, version=case.version)
        case_service.transition(actor, case, first)
        event_times.append(first_contact)
        last = first_contact

    path: list[str] = {
        "new": [],
        "assessment": ["start_assessment"],
        "intervention": ["start_assessment", "start_intervention"],
        "monitoring": ["start_assessment", "start_intervention", "start_monitoring"],
        "closed": ["start_assessment", "start_intervention", "start_monitoring", "request_closure"],
        "cancelled": ["start_assessment"] if rng.random() < 0.4 else [],
    }[target]
    if target == "closed" and supervisor is not None:
        path.append("approve_closure")
    elif target == "monitoring" and rng.random() < 0.15:
        path.append("request_closure")  # waiting for the supervisor
    if target == "cancelled":
        path.append("cancel")
    if path and first_contact is None and target != "cancelled":
        # Work started: the first contact happened then, at the latest.
        first_contact = created + timedelta(hours=rng.uniform(0.5, 20))
        first_contact = min(first_contact, now - timedelta(minutes=1))
        first = TransitionIn(action=CaseAction.RECORD_FIRST_CONTACT, at=first_contact, version=case.version)
        case_service.transition(actor, case, first)
        event_times.append(first_contact)
        last = first_contact
    start = first_contact or created
    times = _step_times(rng, start, now - timedelta(minutes=1), path)
    closed_at: datetime | None = None
    requested_at: datetime | None = None
    for action, at in zip(path, times, strict=True):
        if action == "request_closure":
            step(action, at, reason=pick(rng, CLOSURE_WEIGHTS))
            requested_at = at
        elif action == "approve_closure":
            assert supervisor is not None
            step(action, at, by=supervisor)
            closed_at, requested_at = at, None
        elif action == "cancel":
            if supervisor is None:  # nobody may cancel: the worker's request waits for a supervisor
                step("request_cancellation", at, reason=pick(rng, CANCEL_REASONS))
            else:
                step(action, at, reason=pick(rng, CANCEL_REASONS), by=supervisor)
                closed_at = at
        else:
            step(action, at)

    # Notes and services, within the case's working life.
    end = closed_at or now - timedelta(minutes=1)
    note_count = {
        "new": rng.randint(0, 1),
        "assessment": rng.randint(0, 2),
        "intervention": rng.randint(1, 4),
        "monitoring": rng.randint(2, 4),
        "closed": rng.randint(2, 4),
        "cancelled": rng.randint(0, 1),
    }[target]
    kelurahan = plan.kelurahan_name
    for at in _times_between(rng, start, end, note_count, skew=1.2):
        kind = pick(rng, NOTE_KIND_WEIGHTS)
        text = _note_text(rng, kind, plan).format(kel=kelurahan, wali=plan.guardian)
        visibility = NoteVisibility.AGENCY.value if rng.random() < 0.1 else NoteVisibility.CASE_TEAM.value
        note_in = NoteIn(kind=NoteKind(kind), body=text, visibility=NoteVisibility(visibility))
        note, _warning = case_service.add_note(actor, case, note_in)
        note.created_at = at
        last = max(last, at)
    service_count = {
        "new": 0,
        "assessment": rng.randint(0, 1),
        "intervention": rng.randint(1, 3),
        "monitoring": rng.randint(1, 3),
        "closed": rng.randint(1, 3),
        "cancelled": 0,
    }[target]
    kinds: list[str] = []
    if service_count and plan.agency in ("UPTD_PPA", "DP3A") and rng.random() < 0.6:
        kinds.append("complaint_handling")
    for kind in rng.sample(SERVICES_FOR[plan.violence], k=len(SERVICES_FOR[plan.violence])):
        if len(kinds) >= service_count:
            break
        kinds.append(kind)
    for kind, at in zip(kinds, _times_between(rng, start, end, len(kinds), skew=1.3), strict=True):
        outcome = pick(rng, OUTCOME_DONE if target == "closed" else OUTCOME_OPEN)
        provider = SERVICE_PROVIDER[kind]
        if kind == "complaint_handling":
            provider = plan.agency
        service_in = ServiceIn(
            service_type=kind,
            provider=provider,
            date=at.date(),
            outcome=ServiceOutcome(outcome),
            note=SERVICE_NOTES[kind],
        )
        record = case_service.add_service(actor, case, service_in)
        record.created_at = at
        last = max(last, at)

    # Date the case's own timeline back to when each step happened.
    events = db.session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.id))
    for event, at in zip(events, event_times, strict=False):
        event.created_at = at
    case.closed_at = closed_at
    if requested_at is not None:
        case.closure_requested_at = requested_at
    case.updated_at = min(max(last, created), now)
    db.session.flush()
    return case


def _kelurahan_list() -> list[Kelurahan]:
    stmt = (
        select(Region.code, Region.name, Region.parent_code)
        .where(Region.level == "kelurahan")
        .order_by(Region.code)
    )
    rows = [Kelurahan(code, name, parent or "") for code, name, parent in db.session.execute(stmt)]
    if not rows:
        raise NoDemoWorkers("No kelurahan in the database: run `flask --app wsgi seed` first.")
    return rows


def create_demo_cases(
    count: int, on_progress: Callable[[int], None] | None = None, seed: int | None = None
) -> int:
    """Register `count` synthetic Kendari cases through the services; return how many were created.

    Cases go to the case workers of UPTD_PPA, POLRESTA, DINSOS and DP3A (the demo accounts when they
    exist), move through believable statuses, and get notes and services. Each batch of `BATCH_SIZE`
    cases is one unit of work: committed whole (then `on_progress` gets its size) or rolled back whole,
    and the batches before it stay. The same `seed` gives the same data.
    """
    if count <= 0:
        return 0
    staff = _load_staff()
    if not staff:
        raise NoDemoWorkers(
            "No case worker or supervisor of UPTD_PPA, POLRESTA, DINSOS or DP3A exists: "
            "create the demo accounts first (`flask --app wsgi demo` on an empty database)."
        )
    places = _kelurahan_list()
    rng = random.Random(seed)  # noqa: S311 - reproducible synthetic data, not secrets
    now = utcnow()
    niks: set[str] = set()
    done = 0
    while done < count:
        size = min(BATCH_SIZE, count - done)
        with unit_of_work():
            for _ in range(size):
                plan = plan_case(rng, now, places, staff.keys(), niks)
                _build_case(rng, now, plan, staff[plan.agency])
        done += size
        if on_progress is not None:
            on_progress(size)
    return done


__all__ = [
    "BATCH_SIZE",
    "FIRST_START_CASES",
    "NARRATIVE_MARK",
    "NoDemoWorkers",
    "create_demo_cases",
    "demo_team_exists",
    "first_start_wanted",
]
