"""A cache with an age limit, per database: for what is costly to compute and may be a little old
(reference labels, the dashboard's and the recap's counts).

Each gunicorn worker keeps its own entries in memory, except for the reports (`SHARED_KINDS`) when a Redis
URL is configured (`REPORT_CACHE_REDIS_URL`, else the rate limiter's Redis): then every worker of every
node reads the same entry, so the whole deployment shows one computation (one "counted at") and pays for
it once per period. When an entry is due, the first process to ask counts again while the others keep
answering the previous counts (for at most `BUILD_WAIT_SECONDS` more): one slow request per period, not a
pile-up of every request behind one build. The entries in Redis are pickles signed with a key derived
from SECRET_KEY (and bound to their Redis key): one that does not verify is never unpickled. Redis
unreachable: the report is computed in the process (a warning in the log), never an error page.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import pickle  # noqa: S403  (only of entries whose HMAC verified: written by a process holding SECRET_KEY)
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, TypeVar, cast

from flask import current_app, has_app_context

from caseapp.extensions import db

T = TypeVar("T")
MAX_ENTRIES = 512
# Kinds shared through Redis: costly, the same for every user who may see them, read once per page.
# Reference data stays per process: it is read many times per request (a round trip each would cost more
# than it saves).
SHARED_KINDS = frozenset({"caseload", "recap"})
# The version in the prefix changes with the shape of what a shared kind keeps (2: the dashboard keeps its
# top case managers and the others summed up), so a deploy never reads what the previous version wrote.
PREFIX = "caseapp:cache:2:"
# While one process builds a shared entry, the others wait for it this long at most, then build it too.
BUILD_WAIT_SECONDS = 30.0
# After Redis failed, the shared kinds are computed in process for this long before Redis is tried again.
RETRY_AFTER_SECONDS = 10.0

log = logging.getLogger(__name__)
_entries: OrderedDict[tuple[Any, ...], tuple[float, Any]] = OrderedDict()
_lock = threading.Lock()
_clients: dict[str, Any] = {}
_down_until: dict[str, float] = {}


def cached(kind: str, key: tuple[Any, ...], build: Callable[[], T], seconds: float) -> T:
    """Return the result for (kind, key) on this database, building it when missing or `seconds` old;
    `seconds` 0 means no caching."""
    if seconds <= 0:
        return build()
    if kind in SHARED_KINDS:
        client = _redis()
        if client is not None:
            try:
                return _shared(client, kind, key, build, seconds)
            except _Unreachable:
                pass  # kept in this process until Redis answers again
    full_key = (str(db.engine.url), kind, *key)
    now = time.monotonic()
    with _lock:
        hit = _entries.get(full_key)
        if hit is not None and now - hit[0] < seconds:
            _entries.move_to_end(full_key)
            return cast(T, hit[1])
    value = build()
    with _lock:
        _entries[full_key] = (now, value)
        _entries.move_to_end(full_key)
        while len(_entries) > MAX_ENTRIES:
            _entries.popitem(last=False)
    return value


def clear(*kinds: str) -> None:
    """Forget the cached results of these kinds (all of them when none is named), in this process and,
    for this database, in Redis."""
    with _lock:
        for full_key in [k for k in _entries if not kinds or k[1] in kinds]:
            del _entries[full_key]
    shared = [k for k in kinds if k in SHARED_KINDS] if kinds else ["*"]
    client = _redis() if shared and has_app_context() else None
    if client is None:
        return
    try:
        for kind in shared:
            doomed = list(client.scan_iter(match=f"{_namespace()}{kind}:*", count=500))
            if doomed:
                client.delete(*doomed)
    except Exception as exc:  # noqa: BLE001 - any Redis failure: the entries age out by themselves
        _redis_failed(exc)


def shared_url() -> str | None:
    """Return the Redis URL the shared kinds live at (None: each process keeps its own)."""
    url = current_app.config.get("REPORT_CACHE_REDIS_URL")
    if url is None:
        url = str(current_app.config.get("RATELIMIT_STORAGE_URI") or "")
    url = str(url)
    return url if url.startswith(("redis://", "rediss://", "unix://")) else None


def _redis() -> Any:
    if not has_app_context():
        return None
    url = shared_url()
    if url is None or time.monotonic() < _down_until.get(url, 0.0):
        return None
    with _lock:
        client = _clients.get(url)
        if client is None:
            import redis

            # Short timeouts: a Redis that does not answer must not hold a page for long.
            client = redis.Redis.from_url(url, socket_timeout=1.0, socket_connect_timeout=1.0)
            _clients[url] = client
    return client


def _redis_failed(exc: Exception) -> None:
    _down_until[str(shared_url())] = time.monotonic() + RETRY_AFTER_SECONDS
    log.warning(
        "report cache: Redis unreachable (%s); computing in process for %.0f s", exc, RETRY_AFTER_SECONDS
    )


def _namespace() -> str:
    # The database's URL (with its password) never goes to Redis: a digest of it names its entries.
    database = hashlib.sha256(db.engine.url.render_as_string(hide_password=False).encode()).hexdigest()[:16]
    return f"{PREFIX}{database}:"


def _mac(redis_key: bytes, payload: bytes) -> bytes:
    secret = str(current_app.config["SECRET_KEY"]).encode()
    key = hmac.new(secret, b"caseapp.cache.v1", hashlib.sha256).digest()
    return hmac.new(key, redis_key + b"\0" + payload, hashlib.sha256).digest()


def _seal(redis_key: bytes, value: Any) -> bytes:
    payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    return _mac(redis_key, payload) + payload


def _open(redis_key: bytes, blob: bytes) -> tuple[bool, Any]:
    mac, payload = blob[:32], blob[32:]
    if len(mac) != 32 or not hmac.compare_digest(mac, _mac(redis_key, payload)):
        log.warning("report cache: an entry in Redis failed its signature check; computing instead")
        return False, None
    return True, pickle.loads(payload)  # noqa: S301  (signed by us: checked above)


class _Unreachable(Exception):
    """Redis did not answer: the caller falls back to the process's own cache."""


def _shared(client: Any, kind: str, key: tuple[Any, ...], build: Callable[[], T], seconds: float) -> T:
    digest = hashlib.sha256(repr(key).encode()).hexdigest()[:32]
    redis_key = f"{_namespace()}{kind}:{digest}".encode()
    lock_key = redis_key + b":building"
    # An entry outlives its freshness by one build: while one process counts again, the others answer the
    # last counts (the page says when they were counted) instead of all waiting for it at once.
    ttl_ms = max(1, int((seconds + BUILD_WAIT_SECONDS) * 1000))
    stale: tuple[T] | None = None
    try:
        blob = client.get(redis_key)
        if blob is not None:
            ok, entry = _open(redis_key, blob)
            if ok and _current_shape(entry):
                built_at, value = entry
                if time.time() - built_at < seconds:
                    return cast(T, value)
                stale = (value,)
        # One process builds; the others answer the stale entry or, with none, wait for the new one.
        if not client.set(lock_key, b"1", nx=True, px=int(BUILD_WAIT_SECONDS * 1000)):
            if stale is not None:
                return stale[0]
            deadline = time.monotonic() + BUILD_WAIT_SECONDS
            while time.monotonic() < deadline and client.exists(lock_key):
                time.sleep(0.05)
                blob = client.get(redis_key)
                if blob is not None:
                    ok, entry = _open(redis_key, blob)
                    if ok and _current_shape(entry):
                        return cast(T, entry[1])
    except Exception as exc:  # noqa: BLE001 - any Redis failure: compute in process
        _redis_failed(exc)
        raise _Unreachable from exc
    try:
        value = build()
    except BaseException:
        _release(client, lock_key)
        raise
    try:
        client.set(redis_key, _seal(redis_key, (time.time(), value)), px=ttl_ms)
        client.delete(lock_key)
    except Exception as exc:  # noqa: BLE001 - the value is computed: answer it all the same
        _redis_failed(exc)
    return value


def _current_shape(entry: Any) -> bool:
    # (built at, value); an entry another version wrote (a bare value, before a deploy) is built again.
    return isinstance(entry, tuple) and len(entry) == 2 and isinstance(entry[0], float)


def _release(client: Any, lock_key: bytes) -> None:
    try:
        client.delete(lock_key)
    except Exception as exc:  # noqa: BLE001
        _redis_failed(exc)
