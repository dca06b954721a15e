"""Report periods: YYYY-MM, YYYY-Qn or YYYY, as half-open [start, end) UTC ranges."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _

from caseapp.database import utcnow
from caseapp.errors import ValidationFailed

PATTERN = r"^(\d{4})(?:-(0[1-9]|1[0-2])|-Q([1-4]))?$"
_PATTERN = re.compile(PATTERN)


@dataclass(frozen=True)
class Period:
    """A named range of time."""

    label: str
    start: datetime
    end: datetime


def _month_start(year: int, month: int) -> datetime:
    return datetime(year + (month - 1) // 12, (month - 1) % 12 + 1, 1)


def parse_period(value: str | None) -> Period:
    """Parse a period; the default is the current year. Raise ValidationFailed (400) for anything else."""
    value = (value or str(utcnow().year)).strip()
    match = _PATTERN.match(value)
    if not match or not 2000 <= int(match.group(1)) <= 2100:
        msg = _("Unknown period %(p)s: use YYYY-MM, YYYY-Qn or YYYY.", p=value[:20])
        raise ValidationFailed(msg, fields={"period": [msg]})
    year = int(match.group(1))
    if match.group(2):
        month = int(match.group(2))
        return Period(value, _month_start(year, month), _month_start(year, month + 1))
    if match.group(3):
        quarter = int(match.group(3))
        first = 3 * (quarter - 1) + 1
        return Period(value, _month_start(year, first), _month_start(year, first + 3))
    return Period(value, datetime(year, 1, 1), datetime(year + 1, 1, 1))
