"""A small in-process cache with an age limit, per database: for what is costly to compute and may be a
little old (reference labels, the dashboard's and the recap's counts). Each gunicorn worker keeps its own.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, TypeVar, cast

from caseapp.extensions import db

T = TypeVar("T")
MAX_ENTRIES = 512
_entries: OrderedDict[tuple[Any, ...], tuple[float, Any]] = OrderedDict()
_lock = threading.Lock()


def cached(kind: str, key: tuple[Any, ...], build: Callable[[], T], seconds: float) -> T:
    """Return the result for (kind, key) on this database, building it when missing or `seconds` old;
    `seconds` 0 means no caching."""
    if seconds <= 0:
        return build()
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
    """Forget the cached results of these kinds (all of them when none is named)."""
    with _lock:
        for full_key in [k for k in _entries if not kinds or k[1] in kinds]:
            del _entries[full_key]
