"""The reports' cache shared through Redis: every app on one database and one Redis reads one computation;
clearing it on one clears it for all; a forged or foreign entry is never unpickled; Redis down still answers.

Two Flask apps in one process stand for two nodes: the in-process entries are emptied between them (as
another process would have none), so what they share can only come from Redis.
"""

from __future__ import annotations

import logging
import socket
import uuid

import pytest
from sqlalchemy import select

from caseapp import cache
from caseapp.extensions import db
from caseapp.models import Agency
from caseapp.reports import caseload, recap
from caseapp.reports.periods import parse_period
from tests.conftest import login, skip_or_fail

REDIS_URL = "redis://127.0.0.1:6379/13"


@pytest.fixture
def redis_client():  # type: ignore[no-untyped-def]
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=2).close()
    except OSError as exc:
        skip_or_fail(f"Redis not reachable at 127.0.0.1:6379 for the shared report cache ({exc})")
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    cache._down_until.clear()
    yield client
    client.close()


@pytest.fixture
def nodes(app_factory, redis_client):  # type: ignore[no-untyped-def]
    """Two apps on the same database and the same Redis, caching reports for a minute."""
    made = [app_factory(REPORT_CACHE_REDIS_URL=REDIS_URL, REPORT_CACHE_SECONDS=60) for _ in range(2)]
    with made[0].app_context():
        cache.clear()
    yield made
    with made[0].app_context():
        cache.clear()


@pytest.fixture
def builds(monkeypatch):  # type: ignore[no-untyped-def]
    """Count the dashboard's computations."""
    counted: list[int] = []
    real = caseload.build

    def counting(agency_id, period):  # type: ignore[no-untyped-def]
        counted.append(agency_id)
        return real(agency_id, period)

    monkeypatch.setattr(caseload, "build", counting)
    return counted


def _entries_in_redis(app, redis_client, kind: str = "caseload") -> list[bytes]:  # type: ignore[no-untyped-def]
    """This test's shared entries of a kind: its own database's namespace only (the Redis db may hold keys
    of other runs and other databases), and no build lock."""
    with app.app_context():
        pattern = f"{cache._namespace()}{kind}:*"
    return [k for k in redis_client.scan_iter(match=pattern) if not k.endswith(b":building")]


def _agency_id() -> int:
    return int(db.session.scalar(select(Agency.id).where(Agency.code == "UPTD_PPA")))


def _dashboard(app):  # type: ignore[no-untyped-def]
    with app.app_context():
        return caseload.current(_agency_id(), parse_period(None))


def test_two_apps_share_one_computation_and_its_time(nodes, builds, redis_client):
    first = _dashboard(nodes[0])
    cache._entries.clear()  # another process has nothing of its own
    second = _dashboard(nodes[1])
    assert builds == [first.agency_id]  # computed once for both
    assert second.computed_at == first.computed_at and second == first
    assert not cache._entries  # the reports are not kept in the process when Redis is there
    keys = _entries_in_redis(nodes[0], redis_client)
    # It outlives its minute by one build's wait: stale counts are answered while one process counts again.
    assert len(keys) == 1 and 60_000 < redis_client.pttl(keys[0]) <= (60 + cache.BUILD_WAIT_SECONDS) * 1000
    assert b"UPTD" not in redis_client.get(keys[0])[:32]  # a MAC first, then the pickle


def test_each_database_reads_and_clears_only_its_own_entries(nodes, builds, redis_client):
    """Another database's entries on the same Redis (another run's, left behind) are neither read nor
    cleared, and do not disturb these tests."""
    foreign = f"{cache.PREFIX}{'0' * 16}:caseload:{uuid.uuid4().hex}".encode()
    redis_client.set(foreign, b"another database's entry", px=30_000)
    try:
        _dashboard(nodes[0])
        assert len(_entries_in_redis(nodes[0], redis_client)) == 1 and len(builds) == 1
        with nodes[1].app_context():
            cache.clear()
        assert _entries_in_redis(nodes[0], redis_client) == [] and redis_client.exists(foreign)
    finally:
        redis_client.delete(foreign)


def test_the_recap_is_shared_too(nodes):
    period = parse_period(None)
    with nodes[0].app_context():
        first = recap.current(period)
    with nodes[1].app_context():
        second = recap.current(period)
    assert second.computed_at == first.computed_at and second.cases == first.cases


def _age_the_entry(app, redis_client, seconds: float) -> bytes:
    """Make the shared dashboard entry `seconds` old (as if counted then); return its Redis key."""
    (key,) = _entries_in_redis(app, redis_client)
    with app.app_context():
        ok, (built_at, value) = cache._open(key, redis_client.get(key))
        assert ok
        redis_client.set(key, cache._seal(key, (built_at - seconds, value)), px=60_000)
    return key


def test_a_due_entry_is_counted_again_by_one_while_the_others_answer_the_last_counts(
    nodes, builds, redis_client
):
    first = _dashboard(nodes[0])
    key = _age_the_entry(nodes[0], redis_client, 61)
    redis_client.set(key + b":building", b"1", px=30_000)  # another process is counting again
    meanwhile = _dashboard(nodes[1])
    assert builds == [first.agency_id] and meanwhile.computed_at == first.computed_at
    redis_client.delete(key + b":building")  # nobody is: the next request counts again itself
    again = _dashboard(nodes[1])
    assert len(builds) == 2 and again.computed_at >= first.computed_at
    assert _dashboard(nodes[0]).computed_at == again.computed_at and len(builds) == 2


def test_a_fresh_entry_is_answered_without_counting(nodes, builds, redis_client):
    first = _dashboard(nodes[0])
    _age_the_entry(nodes[0], redis_client, 59)
    assert _dashboard(nodes[1]).computed_at == first.computed_at and len(builds) == 1


def test_an_entry_of_the_previous_version_is_counted_again_with_redis_kept(nodes, builds, redis_client):
    """Before refreshing ahead, an entry was the bare value: after a deploy it is built again, and Redis is
    not taken for unreachable (which would keep every process counting on its own for a while)."""
    first = _dashboard(nodes[0])
    (key,) = _entries_in_redis(nodes[0], redis_client)
    with nodes[0].app_context():
        redis_client.set(key, cache._seal(key, first), px=60_000)  # the old shape: the value alone
    again = _dashboard(nodes[1])
    assert len(builds) == 2 and again.agency_id == first.agency_id
    assert not cache._down_until.get(REDIS_URL)


def test_clear_on_one_app_invalidates_for_the_other(nodes, builds):
    first = _dashboard(nodes[0])
    with nodes[0].app_context():
        cache.clear("caseload")
    _dashboard(nodes[1])
    assert len(builds) == 2
    with nodes[1].app_context():
        cache.clear()  # all kinds
    again = _dashboard(nodes[0])
    assert len(builds) == 3 and again.computed_at >= first.computed_at
    with nodes[0].app_context():
        cache.clear("labels")  # another kind: the shared dashboard stays
    _dashboard(nodes[1])
    assert len(builds) == 3


def test_an_entry_that_fails_its_signature_is_computed_again_not_unpickled(
    nodes, builds, redis_client, app_factory, caplog
):
    _dashboard(nodes[0])
    (key,) = _entries_in_redis(nodes[0], redis_client)
    entry = redis_client.get(key)
    redis_client.set(key, b"\0" * 32 + entry[32:], px=60_000)  # a forged MAC
    with caplog.at_level(logging.WARNING, logger="caseapp.cache"):
        _dashboard(nodes[1])
    assert len(builds) == 2 and "signature" in caplog.text
    # An app with another secret key (another deployment on the same Redis) cannot read ours either.
    stranger = app_factory(
        REPORT_CACHE_REDIS_URL=REDIS_URL, REPORT_CACHE_SECONDS=60, SECRET_KEY="another-secret-" + "q" * 32
    )
    _dashboard(stranger)
    assert len(builds) == 3


def test_redis_down_still_answers_computed_in_process(app_factory, builds, caplog, redis_client):
    down = app_factory(REPORT_CACHE_REDIS_URL="redis://127.0.0.1:1/0", REPORT_CACHE_SECONDS=60)
    try:
        with caplog.at_level(logging.WARNING, logger="caseapp.cache"):
            report = _dashboard(down)
        assert report.agency_id and len(builds) == 1 and "Redis unreachable" in caplog.text
        _dashboard(down)  # cached in the process meanwhile
        assert len(builds) == 1
        with down.app_context():
            cache.clear()  # no error either
        client = down.test_client()
        from tests.conftest import _user_factory

        _user_factory(down)("supervisor", "UPTD_PPA", username="spv.down")
        login(client, "spv.down")
        assert client.get("/reports/caseload").status_code == 200
    finally:
        with down.app_context():
            cache.clear()
        cache._down_until.clear()


def test_without_a_redis_url_the_cache_stays_in_the_process(app_factory, builds):
    local = app_factory(REPORT_CACHE_SECONDS=60)  # the tests' limiter storage is memory://
    with local.app_context():
        assert cache.shared_url() is None
        cache.clear()
    _dashboard(local)
    _dashboard(local)
    assert len(builds) == 1 and cache._entries
    with local.app_context():
        cache.clear()
    assert not cache._entries
    redis_app = app_factory(RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379/12")
    memory_app = app_factory(
        RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379/12", REPORT_CACHE_REDIS_URL="memory://"
    )
    with redis_app.app_context():
        assert cache.shared_url() == "redis://127.0.0.1:6379/12"  # the limiter's Redis by default
    with memory_app.app_context():
        assert cache.shared_url() is None
