"""Migrations: upgrade from empty on both databases; models and migrations agree (no drift)."""

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from caseapp.extensions import db
from tests.conftest import make_app


def test_upgrade_from_empty_then_no_drift(empty_database_url):
    app = make_app(empty_database_url)
    result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        try:
            tables = set(sa.inspect(db.engine).get_table_names())
            assert {"agency", "region", "user_account", "user_session", "alembic_version"} <= tables
            with db.engine.connect() as conn:
                context = MigrationContext.configure(conn, opts={"compare_type": True})
                diff = compare_metadata(context, db.metadata)
            assert diff == [], f"models and migrations disagree; run `flask db migrate`: {diff}"
        finally:
            db.engine.dispose()


def test_sqlite_connections_enforce_foreign_keys_and_use_wal(tmp_path):
    app = make_app(f"sqlite:///{tmp_path}/pragmas.db")
    with app.app_context():
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000
        db.engine.dispose()


def test_constraint_names_follow_the_convention(app):
    with app.app_context():
        inspector = sa.inspect(db.engine)
        fks = inspector.get_foreign_keys("user_account")
        assert {fk["name"] for fk in fks} == {
            "fk_user_account_agency_id_agency",
            "fk_user_account_approval_requested_by_id_user_account",
            "fk_user_account_approved_by_id_user_account",
        }
        uniques = {u["name"] for u in inspector.get_unique_constraints("user_account")}
        assert "uq_user_account_username" in uniques
