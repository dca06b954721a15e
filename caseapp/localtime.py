"""Kendari time (WITA, Asia/Makassar): the one place that turns stored UTC into what people read.

The database and the API keep naive UTC / ISO 8601; pages show and take WITA. Formatting goes through
Babel (Flask-Babel's `format_datetime`, whose zone is BABEL_DEFAULT_TIMEZONE), so no offset is written
by hand anywhere else.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask_babel import format_datetime

ZONE = ZoneInfo("Asia/Makassar")
INPUT_FORMAT = "%Y-%m-%dT%H:%M"  # an <input type="datetime-local"> value


def show(when: datetime | None, pattern: str = "yyyy-MM-dd HH:mm") -> str:
    """Return a stored UTC time as Kendari time for a page (a dash when there is none)."""
    if when is None:
        return "–"
    return str(format_datetime(when.replace(tzinfo=UTC), pattern))


def input_value(when: datetime) -> str:
    """Return a stored UTC time as the value of a datetime-local input, in Kendari time."""
    return when.replace(tzinfo=UTC).astimezone(ZONE).strftime(INPUT_FORMAT)


def from_input(text: str) -> datetime:
    """Return the stored (naive UTC) time for a datetime-local value typed in Kendari time (ValueError)."""
    try:
        return datetime.fromisoformat(text).replace(tzinfo=ZONE).astimezone(UTC).replace(tzinfo=None)
    except OverflowError:  # a year at the edge of the calendar (0001, 9999): not a time we can store
        raise ValueError(text) from None
