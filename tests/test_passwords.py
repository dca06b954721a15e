"""Password policy and hashing (unit tests, no database)."""

import pytest

from caseapp.security import passwords as pw


@pytest.fixture(scope="module")
def ph():
    return pw.hasher(1, 1024, 1)


def test_hash_is_argon2id_and_verifies(ph):
    hashed = pw.hash_password("kuda-lari-di-pantai-nambo", ph)
    assert hashed.startswith("$argon2id$")
    assert "kuda" not in hashed
    assert pw.verify_password(hashed, "kuda-lari-di-pantai-nambo", ph)
    assert not pw.verify_password(hashed, "kuda-lari-di-pantai-namb0", ph)


def test_verify_never_raises_on_garbage(ph):
    assert not pw.verify_password("not-a-hash", "whatever", ph)


@pytest.mark.parametrize(
    "password,context,reason",
    [
        ("short-pass1", (), "at least 12"),
        ("x" * 129, (), "at most 128"),
        ("password1234", (), "too common"),
        ("Qwertyuiop123", (), "too common"),
        ("kendari2026!!!", (), "Too close"),
        ("budi.santoso1234", ("budi.santoso",), "Too close"),
        ("UPTD_PPA-2026-xy", ("UPTD_PPA",), "Too close"),
        ("aaaaaaaaaaaaaaaa", (), "too easy"),
        ("abababababab1212", (), "too easy"),
    ],
)
def test_policy_refuses(password, context, reason):
    problems = pw.password_problems(password, context)
    assert problems, password
    assert reason.lower() in problems[0].lower()


@pytest.mark.parametrize(
    "password",
    [
        "kuda-lari-di-pantai-nambo",
        "ikan bakar di teluk kendari enak sekali",  # a local word inside a long sentence is fine
        "x7#Lq9!vR2@m",
        "é" * 3 + "ñandú-piñata-34",
    ],
)
def test_policy_accepts(password):
    assert pw.password_problems(password, ("budi", "UPTD_PPA")) == []


def test_no_composition_rules():
    # Lower-case letters and spaces only, but long and unusual: accepted.
    assert pw.password_problems("sapi makan rumput di bukit", ()) == []


def test_common_list_is_shipped_and_large():
    assert len(pw.common_passwords()) > 19000
