"""A short-lived, per-process cache of the expensive aggregates (the dashboard and the recap).

At a million cases the supervisor's dashboard reads tens of thousands of rows; fifty supervisors opening it
at once would each pay for it. Each result is kept for REPORT_CACHE_SECONDS (default 60) per database,
report and parameters, and the pages say when it was computed. Every view is still audited; only the
counting is shared. 0 turns the cache off (the test suite's default).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, TypeVar

from flask import current_app

from caseapp.extensions import db

T = TypeVar("T")
MAX_ENTRIES = 256
_entries: OrderedDict[tuple[Any, ...], tuple[float, Any]] = OrderedDict()
_lock = threading.Lock()


def cached(kind: str, key: tuple[Any, ...], build: Callable[[], T]) -> T:
    """Return the cached result for (kind, key) on this database, building it when missing or old."""
    seconds = float(current_app.config.get("REPORT_CACHE_SECONDS", 60))
    if seconds <= 0:
        return build()
    full_key = (str(db.engine.url), kind, *key)
    now = time.monotonic()
    with _lock:
        hit = _entries.get(full_key)
        if hit is not None and now - hit[0] < seconds:
            _entries.move_to_end(full_key)
            return hit[1]  # type: ignore[no-any-return]
    value = build()
    with _lock:
        _entries[full_key] = (now, value)
        _entries.move_to_end(full_key)
        while len(_entries) > MAX_ENTRIES:
            _entries.popitem(last=False)
    return value


def clear() -> None:
    """Forget every cached result."""
    with _lock:
        _entries.clear()
