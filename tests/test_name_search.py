"""Name search through the blind index: narrows by keyed tokens, confirms by decryption, stays in scope."""

from __future__ import annotations

import pytest

from caseapp.extensions import db
from caseapp.models import CaseNameToken, User
from caseapp.schemas.cases import SearchIn, SearchKind
from caseapp.security.keys import new_key_material
from caseapp.services import cases
from caseapp.services.cases import names
from tests.casedata import case_input, register
from tests.conftest import KEYS

NAMES = [
    "Nur Halimah",
    "Siti Aminah",
    "Muhammad Rizky Pratama",
    "Ni Luh Putu Ayu",
    "Dewi Sartika",
    "Ayu Lestari",
]


@pytest.fixture
def worker(make_user):
    return make_user("case_worker", "UPTD_PPA")


def _search(actor: User, query: str) -> list[str]:
    user = db.session.get(User, actor.id)
    found = cases.search_cases(user, SearchIn(by=SearchKind.NAME, query=query))
    return sorted(str(c.child_name) for c in found)


def _register_all(worker) -> None:
    for name in NAMES:
        register(worker, child__name=name)


def test_name_words_are_casefolded_without_accents_or_punctuation():
    assert names.name_words("  Nur'AINI   Ségara-Putri ") == ["nur", "aini", "segara", "putri"]


@pytest.mark.parametrize(
    "query,expected",
    [
        ("aminah", ["Siti Aminah"]),
        ("MINA", ["Siti Aminah"]),  # inside a word
        ("nur h", ["Nur Halimah"]),  # a short last word starts a word
        ("ayu", ["Ayu Lestari", "Ni Luh Putu Ayu"]),
        ("a", ["Ayu Lestari", "Ni Luh Putu Ayu", "Siti Aminah"]),  # one letter: a word starts with it
        ("ur hal", ["Nur Halimah"]),  # a short first word may end a word
        ("rizky  pratama", ["Muhammad Rizky Pratama"]),
        ("Dewi Sártika", ["Dewi Sartika"]),
        ("tika dewi", []),  # the words in that order only
        ("zzz", []),
        ("!!!", []),
    ],
)
def test_name_search_finds_what_a_substring_search_would(app, worker, query, expected):
    with app.app_context():
        _register_all(worker)
        assert _search(worker, query) == expected


def test_only_candidates_are_decrypted(app, worker, monkeypatch):
    with app.app_context():
        _register_all(worker)
        seen: list[str | None] = []
        real = names.name_words

        def counting(text):
            seen.append(text)
            return real(text)

        monkeypatch.setattr(names, "name_words", counting)
        assert _search(worker, "halimah") == ["Nur Halimah"]
    assert len(seen) < 1 + len(NAMES)  # the query and the few candidates, never the whole scope
    assert "Siti Aminah" not in seen


def test_truncation_collisions_are_removed_by_decryption(app_factory, worker):
    app = app_factory(NAME_INDEX_BITS=1)  # every token collides with half the others
    with app.app_context():
        _register_all(worker)
        assert _search(worker, "aminah") == ["Siti Aminah"]
        assert _search(worker, "ayu") == ["Ayu Lestari", "Ni Luh Putu Ayu"]


def test_search_stays_in_scope(app, worker, make_user):
    police = make_user("case_worker", "POLRESTA")
    with app.app_context():
        register(worker, child__name="Nur Halimah")
        register(police, child__name="Nur Hidayah")
        assert _search(worker, "nur") == ["Nur Halimah"]
        assert _search(police, "nur") == ["Nur Hidayah"]


def test_an_edited_name_is_reindexed(app, worker):
    with app.app_context():
        ref = register(worker, child__name="Siti Aminah")
        case = ref.load()
        user = db.session.get(User, worker.id)
        cases.update_case(user, case, case_input(child__name="Dewi Kartini"), case.version)
        db.session.commit()
        assert _search(worker, "aminah") == []
        assert _search(worker, "kartini") == ["Dewi Kartini"]


def test_the_index_holds_only_small_numbers(app, worker):
    with app.app_context():
        register(worker, child__name="Siti Aminah")
        tokens = list(db.session.scalars(db.select(CaseNameToken.token)))
    assert tokens and all(0 <= t < 2**16 for t in tokens)
    # Keyed: another blind-index key gives other tokens for the same name.
    other = new_key_material()["CASEAPP_BIDX_KEY"]
    with app.app_context():
        import base64

        from caseapp.security import crypto

        key = crypto.index_key(base64.b64decode(other), names.NAME_INDEX)
        assert names.name_tokens("Siti Aminah", key, 16) != set(tokens)


def test_reindex_backfills_cases_without_tokens(app, worker):
    with app.app_context():
        _register_all(worker)
        db.session.execute(db.delete(CaseNameToken))
        db.session.commit()
        assert _search(worker, "aminah") == []  # before the backfill: not indexed
    result = app.test_cli_runner().invoke(args=["search", "reindex", "--batch-size", "4"])
    assert result.exit_code == 0, result.output
    assert f"indexed {len(NAMES)} cases" in result.output
    again = app.test_cli_runner().invoke(args=["search", "reindex"])
    assert "every case is indexed" in again.output
    with app.app_context():
        assert _search(worker, "aminah") == ["Siti Aminah"]


def test_kek_rotation_keeps_the_name_search_working(app_factory, worker):
    old = app_factory()
    with old.app_context():
        register(worker, child__name="Siti Aminah")
    new_kek = new_key_material("k2027")["CASEAPP_KEK"]
    both = app_factory(CASEAPP_KEK=f"{new_kek},{KEYS['CASEAPP_KEK']}")
    result = both.test_cli_runner().invoke(args=["keys", "rotate"])
    assert result.exit_code == 0, result.output
    only_new = app_factory(CASEAPP_KEK=new_kek)
    with only_new.app_context():
        assert _search(worker, "amin") == ["Siti Aminah"]
