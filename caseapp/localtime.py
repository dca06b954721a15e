"""Kendari time (WITA, Asia/Makassar): the one place that turns stored UTC into what people read.

The database and the API keep naive UTC / ISO 8601; pages show and take WITA. Formatting goes through
Babel (Flask-Babel's `format_datetime`, whose zone is BABEL_DEFAULT_TIMEZONE), so no offset is written
by hand anywhere else.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask_babel import format_date, format_datetime, format_time, gettext

ZONE = ZoneInfo("Asia/Makassar")
INPUT_FORMAT = "%Y-%m-%dT%H:%M"  # an <input type="datetime-local"> value


def show(when: datetime | None, pattern: str = "yyyy-MM-dd HH:mm") -> str:
    """Return a stored UTC time as Kendari time for a page (a dash when there is none)."""
    if when is None:
        return "–"
    return str(format_datetime(when.replace(tzinfo=UTC), pattern))


def when(value: datetime | None) -> str:
    """Return a stored UTC time as people read it, labelled: "1 Desember 2026 14.05 WITA" in Indonesian,
    "December 1, 2026, 2:05 PM WITA" in English (the locale's own long date and short time, from Babel)."""
    if value is None:
        return "–"
    moment = value.replace(tzinfo=UTC)
    return f"{format_date(moment.astimezone(ZONE).date(), 'long')} {format_time(moment, 'short')} WITA"


def day(value: datetime | date | str | None) -> str:
    """Return a date, or the Kendari calendar day of a stored UTC time, in the locale's long form
    ("1 Desember 2026", "December 1, 2026")."""
    if value is None or value == "":
        return "–"
    if isinstance(value, str):  # an ISO date kept encrypted as text (a child's date of birth)
        try:
            value = date.fromisoformat(value)
        except ValueError:
            return str(value)
    if isinstance(value, datetime):
        value = value.replace(tzinfo=UTC).astimezone(ZONE).date()
    return str(format_date(value, "long"))


def duration(hours: float | None) -> str:
    """Return a span of hours as days and hours ("136 hari 8 jam", "5 jam"), a dash when there is none."""
    if hours is None:
        return "–"
    whole = round(timedelta(hours=hours).total_seconds() / 3600)
    days, rest = divmod(whole, 24)
    if days:
        return gettext("%(d)d d %(h)d h", d=days, h=rest)
    return gettext("%(h)d h", h=rest)


def input_value(when: datetime) -> str:
    """Return a stored UTC time as the value of a datetime-local input, in Kendari time."""
    return when.replace(tzinfo=UTC).astimezone(ZONE).strftime(INPUT_FORMAT)


def from_input(text: str) -> datetime:
    """Return the stored (naive UTC) time for a datetime-local value typed in Kendari time (ValueError)."""
    try:
        return datetime.fromisoformat(text).replace(tzinfo=ZONE).astimezone(UTC).replace(tzinfo=None)
    except OverflowError:  # a year at the edge of the calendar (0001, 9999): not a time we can store
        raise ValueError(text) from None


def midnight_utc(local_day: date) -> datetime:
    """Return the stored (naive UTC) time at which a Kendari calendar day begins."""
    start = datetime.combine(local_day, datetime.min.time(), tzinfo=ZONE)
    return start.astimezone(UTC).replace(tzinfo=None)


def today() -> date:
    """Return today's date in Kendari."""
    return datetime.now(UTC).astimezone(ZONE).date()
