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
    return sorted(str(c.child_name) for c in found.cases)


def _newest_first(actor: User, query: str, limit: int = 50) -> tuple[list[str], bool]:
    user = db.session.get(User, actor.id)
    found = cases.search_cases(user, SearchIn(by=SearchKind.NAME, query=query), limit=limit)
    return [str(c.child_name) for c in found.cases], found.too_many


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


# Bounded at scale: the rarest token drives, the candidates decrypted are capped ---------------------------

COMMON = ["Nur Halimah", "Nur Aisyah", "Nur Fadilah", "Nur Hidayah", "Nur Jannah"]


def _tokens(text: str) -> list[int]:
    return sorted(names.tokens_of(names._query_parts(names.name_words(text)), names.index_key(), 16))


def test_token_frequencies_are_counted_up_to_a_bound(app, worker):
    with app.app_context():
        for name in COMMON:
            register(worker, child__name=name)
        [nur] = _tokens("nur")
        [nobody] = _tokens("zzq")
        assert names.frequencies([nur, nobody], bound=3) == {nur: 3, nobody: 0}
        assert names.frequencies([nur, nobody], bound=100) == {nur: 5, nobody: 0}


def test_the_search_drives_from_the_rarest_token_without_the_aggregate(app, worker, monkeypatch):
    from tests.test_statements import counted

    with app.app_context():
        for name in COMMON:
            register(worker, child__name=name)
        register(worker, child__name="Nur Qomariah")
        driven: list[int] = []
        real = names._candidates

        def spy(scope, driving, others, *page):
            driven.append(driving)
            return real(scope, driving, others, *page)

        monkeypatch.setattr(names, "_candidates", spy)
        with counted(app) as statements:
            assert _search(worker, "nur qomar") == ["Nur Qomariah"]
        rare = set(_tokens("qomar"))  # each held by one case; "nur" by six
        assert len(driven) == 1 and driven[0] in rare and driven[0] not in _tokens("nur")
    assert not [s for s in statements if "GROUP BY" in s or "HAVING" in s], "\n".join(statements)


def test_a_token_nobody_holds_ends_the_search_before_reading_cases(app, worker):
    from tests.test_statements import counted

    with app.app_context():
        for name in COMMON:
            register(worker, child__name=name)
        with counted(app) as statements:
            assert _search(worker, "nur zzqx") == []
    assert not [s for s in statements if "FROM case_file" in s], "\n".join(statements)


def test_too_many_candidates_are_not_all_decrypted_and_the_answer_says_so(app_factory, worker):
    app = app_factory(NAME_SEARCH_MAX_CANDIDATES=3)
    with app.app_context():
        for name in COMMON:
            register(worker, child__name=name)
        found, too_many = _newest_first(worker, "nur")
        # The newest matches, in order: what a complete search would list first.
        assert too_many and found == ["Nur Jannah", "Nur Hidayah", "Nur Fadilah"]
        assert _newest_first(worker, "nur fadil") == (["Nur Fadilah"], False)


def test_candidates_come_in_pages_newest_first_until_the_cap(app_factory, worker):
    app = app_factory(NAME_INDEX_BITS=1)  # nearly every case holds every token: all are candidates
    with app.app_context():
        register(worker, child__name="Siti Aminah")  # the oldest
        for name in [*COMMON, *NAMES[2:], "Dewi Lestari", "Ayu Kartini"]:
            register(worker, child__name=name)
        # The first page of candidates (4 for a limit of 1) holds no match; the next one does.
        assert _newest_first(worker, "aminah", limit=1) == (["Siti Aminah"], False)
    capped = app_factory(NAME_INDEX_BITS=1, NAME_SEARCH_MAX_CANDIDATES=6)
    with capped.app_context():
        assert _newest_first(worker, "aminah", limit=1) == ([], True)  # six newest read, none matched


def test_more_matches_than_the_page_lists_are_said_too(app, worker):
    with app.app_context():
        for name in COMMON:
            register(worker, child__name=name)
        assert _newest_first(worker, "nur", limit=2) == (["Nur Jannah", "Nur Hidayah"], True)
        assert _newest_first(worker, "nur", limit=5) == (list(reversed(COMMON)), False)


def test_the_search_page_and_the_api_tell_the_user_to_type_more(app_factory, worker):
    from tests.conftest import login

    app = app_factory(NAME_SEARCH_MAX_CANDIDATES=3)
    with app.app_context():
        for name in COMMON:
            register(worker, child__name=name)
    client = app.test_client()
    assert login(client, worker.username).status_code == 302
    page = client.post("/cases/search", data={"by": "name", "query": "nur", "apply": "search"})
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and 'data-testid="search-too-many"' in text
    assert "Terlalu banyak" in text  # Bahasa Indonesia by default
    narrow = client.post("/cases/search", data={"by": "name", "query": "nur jannah", "apply": "search"})
    assert 'data-testid="search-too-many"' not in narrow.get_data(as_text=True)
    made = app.test_cli_runner().invoke(args=["user", "token", worker.username])
    headers = {"Authorization": f"Bearer {made.output.strip().splitlines()[-1]}"}
    api = client.post("/api/v1/cases/search", json={"by": "name", "query": "nur"}, headers=headers)
    assert api.status_code == 200 and api.json["too_many"] is True and len(api.json["items"]) == 3
    one = client.post("/api/v1/cases/search", json={"by": "name", "query": "nur jannah"}, headers=headers)
    assert one.json["too_many"] is False and len(one.json["items"]) == 1
