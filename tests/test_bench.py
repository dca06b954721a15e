"""The benchmark data generator works at a tiny scale (timings are never asserted)."""

from __future__ import annotations

from sqlalchemy import func, select

from bench.generate import generate
from caseapp.audit import verify_chain
from caseapp.extensions import db
from caseapp.models import Case, CaseNote, CaseParty, Referral
from tests.rawscan import scan_for


def test_generator_writes_real_encrypted_cases_and_resumes(app):
    with app.app_context():
        assert generate(30, batch=12, progress=False) == 30
        assert generate(45, batch=12, progress=False) == 15  # resumes: only what is missing
        assert generate(45, batch=12, progress=False) == 0
        count = db.session.scalar(select(func.count()).select_from(Case))
        assert count == 45
        numbers = list(db.session.scalars(select(Case.case_number)))
        assert len(set(numbers)) == 45
        case = db.session.scalars(select(Case)).first()
        assert case.child_name and " " in case.child_name  # decrypts with its own data key
        party = db.session.scalars(select(CaseParty)).first()
        assert party.name == "Ibu Bench"
        note = db.session.scalars(select(CaseNote)).first()
        assert note.body == "Kunjungan rumah."
        assert db.session.scalar(select(func.count()).select_from(Referral)) >= 0
        assert verify_chain().ok and verify_chain().checked == 45
        names = [c.child_name for c in db.session.scalars(select(Case).limit(3))]
    assert scan_for(app, [*names, "Ibu Bench", "Kunjungan rumah"]) == []
