"""Report periods: YYYY-MM, YYYY-Qn or YYYY, as Kendari (WITA) calendar days and the half-open [start, end)
range of stored UTC times they cover: a case registered on 1 July at 06:00 WITA is July's."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import gettext as _

from caseapp.errors import ValidationFailed
from caseapp.localtime import midnight_utc, today

PATTERN = r"^([0-9]{4})(?:-(0[1-9]|1[0-2])|-Q([1-4]))?$"
_PATTERN = re.compile(PATTERN, re.ASCII)


@dataclass(frozen=True)
class Period:
    """A named range of Kendari calendar days, and the stored UTC times it covers."""

    label: str
    first_day: date
    end_day: date  # the day after the last (exclusive)

    @property
    def start(self) -> datetime:
        """The first stored UTC time of the period (its first day's midnight in Kendari)."""
        return midnight_utc(self.first_day)

    @property
    def end(self) -> datetime:
        """The first stored UTC time after the period."""
        return midnight_utc(self.end_day)

    @property
    def last_day(self) -> date:
        """The period's last calendar day."""
        return date.fromordinal(self.end_day.toordinal() - 1)


def _month_start(year: int, month: int) -> date:
    return date(year + (month - 1) // 12, (month - 1) % 12 + 1, 1)


def parse_period(value: str | None) -> Period:
    """Parse a period; the default is the current year. Raise ValidationFailed (400) for anything else."""
    value = (value or str(today().year)).strip()
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
    return Period(value, date(year, 1, 1), date(year + 1, 1, 1))
