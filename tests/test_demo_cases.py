"""Synthetic demo cases: `flask demo --cases N` registers believable Kendari cases through the services."""

from __future__ import annotations

from datetime import timedelta

import pytest
from stdnum.id import nik as stdnum_nik

from caseapp.database import utcnow
from caseapp.demo import cases as demo_cases
from caseapp.extensions import db
from caseapp.models import AuditEvent, Case, CaseEvent, CaseNote, ServiceRecord, User
from caseapp.services.cases import FIRST_CONTACT_DUE
from tests.rawscan import scan_for

SEED = 2024


def _count(model: type) -> int:
    return int(db.session.scalar(db.select(db.func.count()).select_from(model)) or 0)


def test_demo_command_creates_realistic_encrypted_cases(app, tmp_path):
    runner = app.test_cli_runner()
    path = tmp_path / "demo-credentials.txt"
    result = runner.invoke(args=["demo", "--cases", "25", "--seed", str(SEED), "--credentials", str(path)])
    assert result.exit_code == 0, result.output
    assert "Demo accounts" in result.output and "Created 25 demo cases" in result.output

    with app.app_context():
        cases = list(db.session.scalars(db.select(Case).order_by(Case.id)))
        assert len(cases) == 25
        assert all(c.is_demo for c in cases)
        assert len({c.status for c in cases}) >= 3
        assert {c.owner_agency.code for c in cases} <= {"UPTD_PPA", "POLRESTA", "DINSOS", "DP3A"}

        niks = [c.child_nik for c in cases]
        assert any(n is None for n in niks)
        present = [n for n in niks if n]
        assert present
        for nik in present:
            assert nik.startswith("7471") and stdnum_nik.is_valid(nik), nik

        names = [c.child_name for c in cases]
        assert all(isinstance(n, str) and n.strip() for n in names)
        assert all(c.parties for c in cases)  # at least the guardian
        assert all(str(c.narrative).startswith(demo_cases.NARRATIVE_MARK) for c in cases)
        assert _count(CaseNote) > 0 and _count(ServiceRecord) > 0
        for note in db.session.scalars(db.select(CaseNote)):
            assert note.body.strip()

        now = utcnow()
        for c in cases:
            assert c.incident_date <= now.date()
            assert c.created_at.date() >= c.incident_date
            assert c.created_at <= now
            assert c.first_contact_due_at == c.created_at + FIRST_CONTACT_DUE[c.risk_level]
            if c.first_contact_at is not None:
                assert c.created_at <= c.first_contact_at <= now
            if c.status == "closed":
                assert c.closure_reason and c.closed_at and c.closed_at >= c.created_at
            events = list(
                db.session.scalars(
                    db.select(CaseEvent).where(CaseEvent.case_id == c.id).order_by(CaseEvent.id)
                )
            )
            times = [e.created_at for e in events]
            assert times == sorted(times) and times[0] == c.created_at
        # Through the services: every registration and step is in the audit log.
        creates = db.session.scalar(
            db.select(db.func.count()).select_from(AuditEvent).where(AuditEvent.action == "case.create")
        )
        assert creates == 25
        sample = sorted(set(names), key=len, reverse=True)[:4]

    assert scan_for(app, sample) == []
    assert scan_for(app, ["Jl. "]) == []  # addresses are encrypted too


def test_same_seed_same_cases(app, tmp_path):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["demo", "--credentials", str(tmp_path / "c.txt")])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert demo_cases.create_demo_cases(8, seed=7) == 8
        assert demo_cases.create_demo_cases(8, seed=7) == 8
        cases = list(db.session.scalars(db.select(Case).order_by(Case.id)))
        assert len(cases) == 16
        first = [(c.status, c.primary_violence_type, c.child_name, c.incident_date) for c in cases[:8]]
        second = [(c.status, c.primary_violence_type, c.child_name, c.incident_date) for c in cases[8:]]
        assert first == second
        progress: list[int] = []
        assert demo_cases.create_demo_cases(3, on_progress=progress.append, seed=8) == 3
        assert progress == [3]
        third = [c.status for c in db.session.scalars(db.select(Case).order_by(Case.id))][16:]
        assert len(third) == 3


def test_without_case_workers_it_says_so(app, tmp_path):
    credentials = str(tmp_path / "c.txt")
    result = app.test_cli_runner().invoke(args=["demo", "--cases", "3", "--credentials", credentials])
    # No users yet: the demo accounts are created first, so this works...
    assert result.exit_code == 0, result.output
    with app.app_context():
        db.session.execute(db.update(User).values(active=False))
        db.session.commit()
        assert not demo_cases.demo_team_exists()
        with pytest.raises(demo_cases.NoDemoWorkers):
            demo_cases.create_demo_cases(2)
    again = app.test_cli_runner().invoke(args=["demo", "--cases", "2", "--credentials", credentials])
    assert again.exit_code == 1
    assert "No case worker or supervisor" in again.output


def test_first_start_wanted_only_on_an_empty_case_table(app, tmp_path):
    with app.app_context():
        assert not demo_cases.first_start_wanted()  # no demo team yet
    runner = app.test_cli_runner()
    assert runner.invoke(args=["demo", "--credentials", str(tmp_path / "c.txt")]).exit_code == 0
    with app.app_context():
        assert demo_cases.first_start_wanted()
        demo_cases.create_demo_cases(1, seed=1)
        assert not demo_cases.first_start_wanted()
        assert utcnow() - db.session.scalar(db.select(Case.created_at)) < timedelta(days=600)


def test_other_staff_and_teams_when_there_is_no_demo_team(app, make_user):
    workers = [make_user("case_worker", "UPTD_PPA"), make_user("case_worker", "UPTD_PPA")]
    make_user("supervisor", "UPTD_PPA")
    make_user("case_worker", "BAPPEDA")  # not a case-working agency: never used
    with app.app_context():
        assert demo_cases.create_demo_cases(12, seed=3) == 12
        cases = list(db.session.scalars(db.select(Case)))
        assert {c.owner_agency.code for c in cases} == {"UPTD_PPA"}
        assert {c.case_manager_id for c in cases} <= {w.id for w in workers}
        assert any(c.team for c in cases)
        for c in cases:
            times = [
                e.created_at
                for e in db.session.scalars(
                    db.select(CaseEvent).where(CaseEvent.case_id == c.id).order_by(CaseEvent.id)
                )
            ]
            assert times == sorted(times)


def test_each_batch_is_one_unit_of_work(app, tmp_path, monkeypatch):
    """A batch that fails leaves nothing behind; the batches before it stay committed."""
    runner = app.test_cli_runner()
    assert runner.invoke(args=["demo", "--credentials", str(tmp_path / "c.txt")]).exit_code == 0
    monkeypatch.setattr(demo_cases, "BATCH_SIZE", 3)
    real_build = demo_cases._build_case
    built: list[int] = []

    def build_then_fail(*args, **kwargs):
        if len(built) == 4:  # the second case of the second batch
            raise RuntimeError("disk full")
        built.append(1)
        return real_build(*args, **kwargs)

    monkeypatch.setattr(demo_cases, "_build_case", build_then_fail)
    progress: list[int] = []
    with app.app_context():
        with pytest.raises(RuntimeError, match="disk full"):
            demo_cases.create_demo_cases(7, on_progress=progress.append, seed=5)
        assert progress == [3]
    with app.app_context():
        assert _count(Case) == 3
        creates = db.session.scalar(
            db.select(db.func.count()).select_from(AuditEvent).where(AuditEvent.action == "case.create")
        )
        assert creates == 3
