"""Field encryption, envelope keys, rotation, shredding and the blind index."""

from __future__ import annotations

import base64
import os
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from caseapp.extensions import db
from caseapp.models import DataKey
from caseapp.security import crypto
from caseapp.security.keys import (
    KeyConfigError,
    Keyring,
    keyring_from_config,
    new_key_material,
    parse_kek_ring,
)
from caseapp.services import data_keys
from tests.conftest import KEYS
from tests.rawscan import scan_for
from tests.scratch import SecretNote, create_tables

DEK = os.urandom(32)
PLACE = ("scratch_secret_note", "title", "6f1c0d2e-0000-4000-8000-000000000001", 7)


# Pure functions -----------------------------------------------------------------------------------------


@given(st.text())
def test_round_trip_any_text(text):
    blob = crypto.encrypt_field(DEK, 7, *PLACE[:3], text)
    assert crypto.decrypt_field(DEK, 7, *PLACE[:3], blob) == text
    assert blob[0] == crypto.FORMAT_VERSION and crypto.stored_key_id(blob) == 7


def test_nonce_is_fresh_each_time():
    assert crypto.encrypt_field(DEK, 7, *PLACE[:3], "same") != crypto.encrypt_field(
        DEK, 7, *PLACE[:3], "same"
    )


@settings(max_examples=200)
@given(st.text(min_size=0, max_size=40), st.data())
def test_any_bit_flip_fails(text, data):
    blob = bytearray(crypto.encrypt_field(DEK, 7, *PLACE[:3], text))
    position = data.draw(st.integers(0, len(blob) * 8 - 1))
    blob[position // 8] ^= 1 << (position % 8)
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt_field(DEK, 7, *PLACE[:3], bytes(blob))


@given(st.text(max_size=30))
def test_value_moved_to_another_place_or_key_fails(text):
    table, column, row, key_id = PLACE
    blob = crypto.encrypt_field(DEK, key_id, table, column, row, text)
    for place in [
        ("case_party", column, row, key_id),  # another table
        (table, "body", row, key_id),  # column swap
        (table, column, "6f1c0d2e-0000-4000-8000-000000000002", key_id),  # row swap
    ]:
        with pytest.raises(crypto.DecryptionError):
            crypto.decrypt_field(DEK, place[3], place[0], place[1], place[2], blob)
    with pytest.raises(crypto.DecryptionError):  # wrong key id in the record
        crypto.decrypt_field(DEK, 8, table, column, row, blob)
    forged = blob[:1] + (8).to_bytes(8, "big") + blob[9:]  # key id rewritten in the value
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt_field(DEK, 8, table, column, row, forged)
    with pytest.raises(crypto.DecryptionError):  # wrong key
        crypto.decrypt_field(os.urandom(32), key_id, table, column, row, blob)


def test_error_messages_never_carry_the_value():
    blob = crypto.encrypt_field(DEK, 7, *PLACE[:3], "Siti Canary")
    with pytest.raises(crypto.DecryptionError) as info:
        crypto.decrypt_field(DEK, 7, "other", "title", PLACE[2], blob)
    assert "Siti" not in str(info.value) and blob.hex() not in str(info.value)


def test_wrapped_key_is_bound_to_its_kek_and_record():
    kek = os.urandom(32)
    wrapped = crypto.wrap_key(kek, "k1", "dk-1", DEK)
    assert crypto.unwrap_key(kek, "k1", "dk-1", wrapped) == DEK
    for args in ((kek, "k2", "dk-1"), (kek, "k1", "dk-2"), (os.urandom(32), "k1", "dk-1")):
        with pytest.raises(crypto.DecryptionError):
            crypto.unwrap_key(*args, wrapped)


def test_keyring_parsing_and_repr_hides_keys():
    material = new_key_material("new")
    old = new_key_material("old")["CASEAPP_KEK"]
    ring = keyring_from_config({**material, "CASEAPP_KEK": material["CASEAPP_KEK"] + "," + old})
    assert ring.current_kek_id == "new" and set(ring.keks) == {"new", "old"}
    text = repr(ring)
    for value in (*ring.keks.values(), ring.bidx_root, ring.audit_key):
        assert base64.b64encode(value).decode() not in text and repr(value) not in text
    with pytest.raises(KeyConfigError, match="32 bytes"):
        parse_kek_ring("k1:" + base64.b64encode(b"short").decode())
    with pytest.raises(KeyConfigError, match="twice"):
        parse_kek_ring(f"{old},{old}")
    with pytest.raises(KeyConfigError, match="missing"):
        keyring_from_config({"CASEAPP_KEK": old})


def test_malformed_keys_refuse_to_start(tmp_path):
    from config import ConfigError
    from tests.conftest import make_app

    with pytest.raises(ConfigError, match="CASEAPP_BIDX_KEY"):
        make_app(f"sqlite:///{tmp_path}/x.db", CASEAPP_BIDX_KEY="bm90LWEta2V5")


# Blind index --------------------------------------------------------------------------------------------


def test_blind_index_is_keyed_per_index_and_truncated():
    root = os.urandom(32)
    nik = "7471054512150001"
    k_nik, k_other = crypto.index_key(root, "case.nik"), crypto.index_key(root, "party.nik")
    assert k_nik != k_other
    assert crypto.blind_index(k_nik, nik, 16) < 2**16
    assert crypto.blind_index(k_nik, nik, 16) == crypto.blind_index(k_nik, nik, 16)
    # Another root (another deployment) gives unrelated indexes: no unkeyed, portable hash.
    others = {crypto.blind_index(crypto.index_key(os.urandom(32), "case.nik"), nik, 16) for _ in range(20)}
    assert len(others) > 10


@pytest.mark.parametrize("raw", ["7471 0545 1215 0001", "7471-0545-1215-0001", " 7471.0545.1215.0001 "])
def test_nik_normalisation(raw):
    assert crypto.normalise_nik(raw) == "7471054512150001"


@pytest.mark.parametrize("raw", ["", "747105451215000", "74710545121500012", "7471O54512150001"])
def test_nik_normalisation_refuses(raw):
    with pytest.raises(ValueError):
        crypto.normalise_nik(raw)


# On the model, on both databases ------------------------------------------------------------------------


@pytest.fixture
def notes(app):
    with app.app_context():
        create_tables()
        yield app
        db.session.remove()


def _new_note(**values) -> SecretNote:
    key = data_keys.create_data_key()
    note = SecretNote(data_key_id=key.id)
    for name, value in values.items():
        setattr(note, name, value)
    db.session.add(note)
    db.session.flush()
    return note


def test_fields_round_trip_and_rest_encrypted(notes):
    canary = "Siti Canary Rahmawati"
    note = _new_note(title=canary, body="", nik=None)
    db.session.commit()
    note_id = note.id
    db.session.expunge_all()
    again = db.session.get(SecretNote, note_id)
    assert again.title == canary and again.body == "" and again.nik is None
    assert again.nik_ct is None and again.body_ct is not None  # None stays NULL, "" stays ""
    db.session.commit()
    assert scan_for(notes, [canary, "Siti Canary"]) == []
    assert "Siti" not in repr(again)


def test_swapped_rows_and_columns_fail_with_a_typed_error(notes):
    a = _new_note(title="alpha title", body="alpha body")
    b = _new_note(title="beta title", body="beta body")
    db.session.commit()
    b.title_ct = a.title_ct  # a value copied to another row (and another data key)
    a.body_ct = a.title_ct  # a value copied to another column
    a_id, b_id = a.id, b.id
    db.session.commit()
    db.session.expunge_all()
    a, b = db.session.get(SecretNote, a_id), db.session.get(SecretNote, b_id)
    with pytest.raises(crypto.DecryptionError):
        _ = b.title
    with pytest.raises(crypto.DecryptionError):
        _ = a.body
    assert a.title == "alpha title"


def test_tampered_value_is_a_typed_error_and_logged_without_ciphertext(notes, caplog):
    note = _new_note(title="gamma")
    db.session.commit()
    blob = bytearray(note.title_ct)
    blob[-1] ^= 0x01
    note.title_ct = bytes(blob)
    db.session.commit()
    with pytest.raises(crypto.DecryptionError):
        _ = note.title
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert "cannot decrypt scratch_secret_note.title" in logged
    assert bytes(blob).hex() not in logged and "gamma" not in logged


def test_unreadable_record_page_says_so(notes):
    from caseapp.http.policy import public

    note = _new_note(title="delta")
    db.session.commit()
    note.title_ct = note.title_ct[:-1] + bytes([note.title_ct[-1] ^ 1])
    db.session.commit()
    note_id = note.id

    @public
    def show():
        return db.session.get(SecretNote, note_id).title

    notes.add_url_rule("/scratch", "scratch", show)
    notes.config["PROPAGATE_EXCEPTIONS"] = False
    response = notes.test_client().get("/scratch")
    assert response.status_code == 500
    assert "tidak dapat dibaca" in response.get_data(as_text=True)


def test_shredding_makes_fields_unreadable_but_keeps_statistics(notes):
    note = _new_note(title="epsilon", category="sexual")
    db.session.commit()
    note_id = note.id
    data_keys.shred(note.encryption_key())
    db.session.commit()
    db.session.expunge_all()
    note = db.session.get(SecretNote, note_id)
    assert note.category == "sexual"
    # Gone on purpose (retention), not broken: the value reads as none, like one never recorded; the key
    # itself cannot be opened, and nothing can be sealed under it again.
    assert note.title is None
    key = db.session.get(DataKey, note.data_key_id)
    assert key.wrapped is None and key.kek_id is None and key.shredded_at is not None
    with pytest.raises(crypto.KeyShredded):
        key.plaintext()
    with pytest.raises(crypto.KeyShredded):
        note.title = "zeta"


def test_blind_index_candidates_match_a_plaintext_oracle(notes):
    rng = random.Random(20261127)
    pool = [f"7471{rng.randrange(10**12):012d}" for _ in range(40)]
    ring = data_keys.keyring()
    key = crypto.index_key(ring.bidx_root, "scratch.nik")
    oracle: dict[str, set[int]] = {}
    for _ in range(300):
        nik = rng.choice(pool)
        note = _new_note(nik=nik)
        note.nik_bidx = crypto.blind_index(key, nik, 4)  # 4 bits: collisions on purpose
        oracle.setdefault(nik, set()).add(note.id)
    db.session.commit()
    db.session.expunge_all()
    collided = 0
    for nik in pool:
        index = crypto.blind_index(key, crypto.normalise_nik(nik), 4)
        candidates = db.session.scalars(db.select(SecretNote).where(SecretNote.nik_bidx == index)).all()
        confirmed = {c.id for c in candidates if c.nik == nik}
        assert confirmed == oracle.get(nik, set())
        collided += len(candidates) > len(confirmed)
    assert collided  # the index alone never identifies a child


# Rotation -------------------------------------------------------------------------------------------------


def _bulk_data_keys(count: int, ring: Keyring) -> None:
    import uuid

    kek_id = ring.current_kek_id
    rows = []
    for _ in range(count):
        key_uuid = uuid.uuid4()
        rows.append(
            {
                "uuid": key_uuid,
                "kek_id": kek_id,
                "wrapped": crypto.wrap_key(ring.kek(kek_id), kek_id, str(key_uuid), os.urandom(32)),
                "created_at": db.func.now(),
            }
        )
    db.session.execute(db.insert(DataKey), [{k: v for k, v in r.items() if k != "created_at"} for r in rows])


def test_rotation_interrupted_then_resumed_then_old_kek_removed(database_url, app_factory):
    old_app = app_factory()
    with old_app.app_context():
        create_tables()
        _bulk_data_keys(2500, data_keys.keyring())
        witness = _new_note(title="zeta survives rotation")
        db.session.commit()
        witness_id = witness.id
        old_kek = KEYS["CASEAPP_KEK"]
    new_kek = new_key_material("k2026b")["CASEAPP_KEK"]
    both = app_factory(CASEAPP_KEK=f"{new_kek},{old_kek}")
    with both.app_context():
        assert data_keys.pending_rotation_count() == 2501
        assert data_keys.rotate_batch(1000)[0] == 1000  # then the process "dies" before finishing
        db.session.commit()
        db.session.remove()
    with both.app_context():
        assert data_keys.pending_rotation_count() == 1501
    result = both.test_cli_runner().invoke(args=["keys", "rotate", "--batch-size", "700"])
    assert result.exit_code == 0, result.output
    assert "Rewrapped 1501 data keys" in result.output
    again = both.test_cli_runner().invoke(args=["keys", "rotate"])
    assert "Rewrapped 0 data keys" in again.output  # idempotent
    only_new = app_factory(CASEAPP_KEK=new_kek)
    with only_new.app_context():
        kek_ids = set(db.session.scalars(db.select(DataKey.kek_id)))
        assert kek_ids == {"k2026b"}
        assert db.session.get(SecretNote, witness_id).title == "zeta survives rotation"
        actions = db.session.scalars(db.select(db.text("action")).select_from(db.text("audit_event"))).all()
        assert "keys.rotate" in actions


def test_removing_a_kek_too_early_is_a_clear_error(app_factory):
    old_app = app_factory()
    with old_app.app_context():
        create_tables()
        note = _new_note(title="eta")
        db.session.commit()
        note_id = note.id
    other = app_factory(CASEAPP_KEK=new_key_material("only")["CASEAPP_KEK"])
    with other.app_context():
        with pytest.raises(crypto.DecryptionError, match="not configured"):
            _ = db.session.get(SecretNote, note_id).title
