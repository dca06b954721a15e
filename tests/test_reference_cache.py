"""Reference labels are kept in process (they change only when seeded); seeding refreshes them."""

from __future__ import annotations

from sqlalchemy import select

from caseapp import reference_data as reference
from caseapp.extensions import db
from caseapp.models import ReferenceCode
from caseapp.services import reference as seeding


def test_labels_are_cached_per_database_and_seeding_refreshes_them(app, app_factory):
    with app.test_request_context():
        assert reference.code_label("violence_type", "physical") == "Kekerasan fisik"
        row = db.session.scalar(
            select(ReferenceCode).where(
                ReferenceCode.vocabulary == "violence_type", ReferenceCode.code == "physical"
            )
        )
        row.label_id = "Label sementara"
        db.session.commit()
        # Cached: the process does not ask the database again on every page.
        assert reference.code_label("violence_type", "physical") == "Kekerasan fisik"
        reference.clear_cache()
        assert reference.code_label("violence_type", "physical") == "Label sementara"
        seeding.seed_reference_data()  # back to the shipped label, and this process sees it at once
        db.session.commit()
        assert reference.code_label("violence_type", "physical") == "Kekerasan fisik"
    with app.test_request_context(headers={"Cookie": "caseapp_lang=en"}):
        assert reference.code_label("violence_type", "physical") == "Physical violence"  # per language
