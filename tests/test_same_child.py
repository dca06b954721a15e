"""The "same child?" check: equality on the blind index of name + birth date, confirmed by decryption."""

from __future__ import annotations

import base64
from datetime import date

import pytest
import sqlalchemy as sa

from caseapp.extensions import db
from caseapp.models import Case, User
from caseapp.security import crypto
from caseapp.security.keys import new_key_material
from caseapp.services import cases
from caseapp.services.cases import names
from tests.casedata import case_input, register
from tests.rawscan import scan_for
from tests.test_statements import counted

NAME, BORN = "Siti Canary Aminah", "2015-12-05"  # tests/casedata.py's child


@pytest.fixture
def worker(make_user):
    return make_user("case_worker", "UPTD_PPA")


def _same_child(actor: User, **changes: object) -> list[str]:
    user = db.session.get(User, actor.id)
    found = cases.find_duplicates(user, case_input(**changes))
    return [c.case_number for c in found.same_child]


def _forget_identity(case_id: int | None = None) -> None:
    """Make cases look as registered before the identity index existed (the column NULL)."""
    stmt = sa.update(Case).values(child_identity_bidx=None)
    if case_id is not None:
        stmt = stmt.where(Case.id == case_id)
    db.session.execute(stmt)
    db.session.commit()


def test_the_same_child_is_found_whatever_the_spacing_and_case(app, worker):
    with app.app_context():
        first = register(worker)
        assert _same_child(worker, child__name="  siti   CANARY aminah ") == [first.case_number]
        assert _same_child(worker, child__name="SITI CANARY AMINAH", child__date_of_birth=BORN) == [
            first.case_number
        ]


def test_another_birth_date_or_name_is_not_the_same_child(app, worker):
    with app.app_context():
        register(worker)
        assert _same_child(worker, child__date_of_birth="2015-12-06") == []
        assert _same_child(worker, child__name="Siti Canary Aminah Putri") == []
        assert _same_child(worker, child__name="Siti Canary") == []


def test_a_case_registered_before_the_index_is_found_before_and_after_the_reindex(app, worker):
    with app.app_context():
        old = register(worker)
        _forget_identity(old.id)
        assert _same_child(worker, child__name="siti canary  aminah") == [old.case_number]
    result = app.test_cli_runner().invoke(args=["search", "reindex"])
    assert result.exit_code == 0, result.output
    assert "indexed 1 cases" in result.output
    with app.app_context():
        stored = db.session.get(Case, old.id).child_identity_bidx
        assert stored is not None and stored == names.identity_index(NAME, date.fromisoformat(BORN))
        assert _same_child(worker, child__name="siti canary  aminah") == [old.case_number]
    again = app.test_cli_runner().invoke(args=["search", "reindex"])
    assert "every case is indexed" in again.output


def test_an_edited_birth_date_or_name_is_reindexed(app, worker):
    with app.app_context():
        ref = register(worker)
        case = ref.load()
        user = db.session.get(User, worker.id)
        cases.update_case(user, case, case_input(child__date_of_birth="2014-01-02"), case.version)
        db.session.commit()
        assert _same_child(worker) == []
        assert _same_child(worker, child__date_of_birth="2014-01-02") == [ref.case_number]
        case = ref.load()
        renamed = case_input(child__name="Dewi Kartini", child__date_of_birth="2014-01-02")
        cases.update_case(user, case, renamed, case.version)
        db.session.commit()
        assert _same_child(worker, child__date_of_birth="2014-01-02") == []
        assert _same_child(worker, child__name="dewi kartini", child__date_of_birth="2014-01-02") == [
            ref.case_number
        ]


def test_no_birth_date_means_no_identity_index(app, worker):
    with app.app_context():
        ref = register(worker, child__date_of_birth=None, child__age=9)
        assert ref.load().child_identity_bidx is None
    result = app.test_cli_runner().invoke(args=["search", "reindex"])
    assert "every case is indexed" in result.output  # nothing to index: no birth date


def test_truncation_collisions_are_removed_by_decryption(app_factory, worker):
    app = app_factory(BLIND_INDEX_BITS=1)  # half of all children share each index value
    with app.app_context():
        first = register(worker)
        for day in range(1, 9):
            register(worker, child__date_of_birth=f"2015-11-{day:02d}")
        register(worker, child__name="Dewi Kartini")
        assert _same_child(worker) == [first.case_number]


def test_a_shredded_case_is_skipped_by_the_check_and_left_out_of_the_reindex(app, worker):
    from caseapp.services import data_keys

    with app.app_context():
        gone = register(worker)
        kept = register(worker)
        _forget_identity()
        data_keys.shred(gone.load().data_key)
        db.session.commit()
        assert _same_child(worker) == [kept.case_number]
    result = app.test_cli_runner().invoke(args=["search", "reindex"])
    assert result.exit_code == 0, result.output
    assert "indexed 1 cases" in result.output  # a shredded case can never be read: not pending either
    with app.app_context():
        assert db.session.get(Case, kept.id).child_identity_bidx is not None
        assert db.session.get(Case, gone.id).child_identity_bidx is None
    again = app.test_cli_runner().invoke(args=["search", "reindex"])
    assert "every case is indexed" in again.output


def test_a_case_that_cannot_be_read_is_skipped_and_counted(app, worker):
    from caseapp.models import DataKey

    with app.app_context():
        lost = register(worker)
        register(worker)
        _forget_identity()
        key_id = lost.load().data_key_id
        db.session.execute(sa.update(DataKey).where(DataKey.id == key_id).values(kek_id="lost"))
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["search", "reindex", "--batch-size", "1"])
    assert result.exit_code == 0, result.output
    assert "indexed 1 cases" in result.output and "1 could not be read" in result.output


def test_the_check_is_an_equality_look_up_not_the_name_token_aggregate(app, worker):
    with app.app_context():
        first = register(worker)
        for _ in range(3):
            register(worker, child__date_of_birth="2014-03-03")
        user = db.session.get(User, worker.id)
        value = case_input(child__name="siti canary aminah")
        with counted(app) as statements:
            found = cases.find_duplicates(user, value)
    assert [c.id for c in found.same_child] == [first.id]
    reading = [s for s in statements if "FROM case_file" in s]
    assert reading, statements
    assert not [s for s in statements if "case_name_token" in s], "\n".join(statements)
    assert any("child_identity_bidx = " in s for s in reading), "\n".join(reading)


def test_the_identity_index_holds_no_plaintext(app, worker):
    with app.app_context():
        register(worker)
        register(worker, child__name="Siti Canary Aminah", child__date_of_birth="2016-01-31")
        with db.engine.connect() as conn:
            column = next(
                c for c in sa.inspect(conn).get_columns("case_file") if c["name"] == "child_identity_bidx"
            )
            assert isinstance(column["type"], sa.Integer)
            stored = list(conn.execute(sa.text("SELECT child_identity_bidx FROM case_file")).scalars())
    assert len(stored) == 2 and all(isinstance(v, int) and 0 <= v < 2**16 for v in stored)
    identity = f"{NAME.lower()}|{BORN}"
    assert scan_for(app, [NAME, identity, BORN, "siti canary aminah"]) == []
    # Keyed: another blind-index key gives other values for the same children.
    other = base64.b64decode(new_key_material()["CASEAPP_BIDX_KEY"])
    born = date.fromisoformat(BORN)
    children = [NAME, "Dewi Kartini", "Nur Halimah", "Ayu Lestari", "Wa Ode Sitti"]
    with app.app_context():
        assert names.identity_index(NAME, born) in stored
        mine = [names.identity_index(n, born) for n in children]
        key = crypto.index_key(other, names.IDENTITY_INDEX)
        assert [names.identity_index(n, born, key, 16) for n in children] != mine
