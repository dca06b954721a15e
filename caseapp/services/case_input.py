"""Validation of case input from the web form or the API: one set of rules, errors by field path.

Field paths are the API's (`child.nik`, `incident.violence_types`, `parties.1.phone`); the web form names its
fields the same way with dots turned into underscores.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask_babel import gettext as _
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.id import nik as stdnum_nik

from caseapp.database import utcnow
from caseapp.errors import ValidationFailed
from caseapp.extensions import db
from caseapp.models import ReferenceCode, Region
from caseapp.models.case import AgeGroup, PartyRole, RiskLevel

SEXES = ("F", "M")
MAX_TEXT = 20000
MAX_PARTIES = 12


@dataclass
class ChildInput:
    name: str
    nik: str | None
    sex: str
    date_of_birth: date | None
    age: int | None
    age_is_estimate: bool
    disability: bool
    address: str
    kelurahan: str | None
    school: str


@dataclass
class IncidentInput:
    date: date
    date_is_approximate: bool
    kelurahan: str | None
    place: str | None
    violence_types: list[str]
    primary_violence_type: str
    ampk: list[str]
    narrative: str


@dataclass
class PartyInput:
    role: str
    name: str
    phone: str
    address: str
    relationship: str | None
    sex: str | None
    age_group: str | None
    is_child: bool


@dataclass
class CaseInput:
    child: ChildInput
    incident: IncidentInput
    parties: list[PartyInput] = field(default_factory=list)
    channel: str = ""
    risk_level: str = ""


class _Errors:
    def __init__(self) -> None:
        self.fields: dict[str, list[str]] = {}

    def add(self, path: str, message: str) -> None:
        self.fields.setdefault(path, []).append(message)

    def raise_if_any(self) -> None:
        if self.fields:
            first = next(iter(self.fields.values()))[0]
            raise ValidationFailed(first, fields=self.fields)


def _codes(vocabulary: str) -> set[str]:
    stmt = db.select(ReferenceCode.code).where(
        ReferenceCode.vocabulary == vocabulary, ReferenceCode.active.is_(True)
    )
    return set(db.session.scalars(stmt))


def _kelurahan_codes() -> set[str]:
    return set(db.session.scalars(db.select(Region.code).where(Region.level == "kelurahan")))


def _text(
    data: dict[str, Any], key: str, errors: _Errors, path: str, limit: int, required: bool = False
) -> str:
    value = data.get(key)
    if value is None:
        value = ""
    if not isinstance(value, str):
        errors.add(path, _("Enter text."))
        return ""
    value = value.strip()
    if required and not value:
        errors.add(path, _("This field is required."))
    if len(value) > limit:
        errors.add(path, _("Use at most %(n)d characters.", n=limit))
    return value


def _bool(value: Any) -> bool:
    return value in (True, "true", "True", "1", "y", "yes", "on", 1)


def _date(value: Any, errors: _Errors, path: str, required: bool = False) -> date | None:
    if value in (None, ""):
        if required:
            errors.add(path, _("This field is required."))
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        errors.add(path, _("Enter a date as YYYY-MM-DD."))
        return None


def _code(value: Any, allowed: set[str], errors: _Errors, path: str, required: bool = False) -> str | None:
    if value in (None, ""):
        if required:
            errors.add(path, _("Choose a value."))
        return None
    if not isinstance(value, str) or value not in allowed:
        errors.add(path, _("Unknown value %(v)s.", v=str(value)[:40]))
        return None
    return value


def normalise_nik(value: str) -> str:
    """Return the 16 digits of a structurally valid NIK, or raise ValueError."""
    compact = stdnum_nik.compact(value or "")
    try:
        return str(stdnum_nik.validate(compact))
    except StdnumError:
        raise ValueError("invalid NIK") from None


def _years_between(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def parse_case(data: Any) -> CaseInput:
    """Validate a case body (API JSON shape); raise ValidationFailed naming every bad field."""
    errors = _Errors()
    if not isinstance(data, dict):
        raise ValidationFailed(_("Send a JSON object."), fields={"": [_("Send a JSON object.")]})
    child_data: dict[str, Any] = data["child"] if isinstance(data.get("child"), dict) else {}
    incident_data: dict[str, Any] = data["incident"] if isinstance(data.get("incident"), dict) else {}
    today = utcnow().date()
    kelurahan = _kelurahan_codes()

    # Incident first: the child's age is checked against its date.
    incident_date = _date(incident_data.get("date"), errors, "incident.date", required=True)
    if incident_date and incident_date > today:
        errors.add("incident.date", _("The incident date cannot be in the future."))
        incident_date = None
    elif incident_date and incident_date < date(2000, 1, 1):
        errors.add("incident.date", _("The incident date is too far in the past."))
        incident_date = None
    violence_codes = _codes("violence_type")
    raw_types = incident_data.get("violence_types") or []
    if not isinstance(raw_types, list):
        raw_types = [raw_types]
    types: list[str] = []
    for code in raw_types:
        if not isinstance(code, str) or code not in violence_codes:
            errors.add("incident.violence_types", _("Unknown value %(v)s.", v=str(code)[:40]))
        elif code not in types:
            types.append(code)
    primary = incident_data.get("primary_violence_type") or (types[0] if len(types) == 1 else None)
    if primary is not None and not isinstance(primary, str):
        errors.add("incident.primary_violence_type", _("Choose the main form of violence."))
        primary = None
    if not types and not primary:
        errors.add("incident.violence_types", _("Choose at least one form of violence."))
    if primary:
        if primary not in violence_codes:
            errors.add("incident.primary_violence_type", _("Unknown value %(v)s.", v=str(primary)[:40]))
        elif primary not in types:
            types.insert(0, primary)
    elif types:
        errors.add("incident.primary_violence_type", _("Choose the main form of violence."))
    ampk_codes = _codes("ampk")
    raw_ampk = incident_data.get("ampk") or []
    ampk = []
    for code in raw_ampk if isinstance(raw_ampk, list) else [raw_ampk]:
        if not isinstance(code, str) or code not in ampk_codes:
            errors.add("incident.ampk", _("Unknown value %(v)s.", v=str(code)[:40]))
        elif code not in ampk:
            ampk.append(code)
    incident = IncidentInput(
        date=incident_date or today,
        date_is_approximate=_bool(incident_data.get("date_is_approximate")),
        kelurahan=_code(incident_data.get("kelurahan"), kelurahan, errors, "incident.kelurahan"),
        place=_code(incident_data.get("place"), _codes("place"), errors, "incident.place"),
        violence_types=types,
        primary_violence_type=str(primary or ""),
        ampk=ampk,
        narrative=_text(incident_data, "narrative", errors, "incident.narrative", MAX_TEXT),
    )

    # The child
    nik_raw = child_data.get("nik")
    nik = None
    if nik_raw not in (None, ""):
        try:
            nik = normalise_nik(str(nik_raw))
        except ValueError:
            errors.add(
                "child.nik", _("A NIK has 16 digits (with a valid date part). Leave it empty if unknown.")
            )
    born = _date(child_data.get("date_of_birth"), errors, "child.date_of_birth")
    age: int | None = None
    estimate = False
    if born:
        if born > today:
            errors.add("child.date_of_birth", _("The date of birth cannot be in the future."))
        elif incident_date and born > incident_date:
            errors.add("child.date_of_birth", _("The child was born after the incident date."))
        elif _years_between(born, incident_date or today) >= 18:
            errors.add(
                "child.date_of_birth", _("The child was 18 or older at the incident: not a child case.")
            )
        else:
            age = _years_between(born, today)
    else:
        raw_age = child_data.get("age")
        if raw_age in (None, ""):
            errors.add("child.date_of_birth", _("Enter the date of birth or an estimated age."))
        else:
            try:
                if isinstance(raw_age, bool) or (isinstance(raw_age, float) and not raw_age.is_integer()):
                    raise ValueError
                age = int(raw_age)
            except (TypeError, ValueError):
                errors.add("child.age", _("Enter the age in whole years."))
            else:
                if not 0 <= age <= 17:
                    errors.add("child.age", _("A child is 0 to 17 years old."))
                    age = None
                estimate = True
    sex = child_data.get("sex")
    if sex not in SEXES:
        errors.add("child.sex", _("Choose the child's sex."))
    child = ChildInput(
        name=_text(child_data, "name", errors, "child.name", 120, required=True),
        nik=nik,
        sex=str(sex or ""),
        date_of_birth=born,
        age=age,
        age_is_estimate=estimate,
        disability=_bool(child_data.get("disability")),
        address=_text(child_data, "address", errors, "child.address", 300),
        kelurahan=_code(child_data.get("kelurahan"), kelurahan, errors, "child.kelurahan"),
        school=_text(child_data, "school", errors, "child.school", 200),
    )

    parties = []
    relationship_codes = _codes("relationship")
    raw_parties = data.get("parties") or []
    if not isinstance(raw_parties, list):
        errors.add("parties", _("Send a list of people."))
        raw_parties = []
    if len(raw_parties) > MAX_PARTIES:
        errors.add("parties", _("At most %(n)d people per case.", n=MAX_PARTIES))
        raw_parties = []
    for i, item in enumerate(raw_parties):
        if not isinstance(item, dict):
            errors.add(f"parties.{i}", _("Send a JSON object."))
            continue
        path = f"parties.{i}"
        role = _code(item.get("role"), {r.value for r in PartyRole}, errors, f"{path}.role", required=True)
        sex_value = item.get("sex") or None
        if sex_value is not None and sex_value not in SEXES:
            errors.add(f"{path}.sex", _("Unknown value %(v)s.", v=str(sex_value)[:5]))
        group = _code(item.get("age_group"), {g.value for g in AgeGroup}, errors, f"{path}.age_group")
        parties.append(
            PartyInput(
                role=role or "",
                name=_text(item, "name", errors, f"{path}.name", 120),
                phone=_text(item, "phone", errors, f"{path}.phone", 40),
                address=_text(item, "address", errors, f"{path}.address", 300),
                relationship=_code(
                    item.get("relationship"), relationship_codes, errors, f"{path}.relationship"
                ),
                sex=sex_value if sex_value in SEXES else None,
                age_group=group,
                is_child=_bool(item.get("is_child")) or group in ("0-5", "6-12", "13-17"),
            )
        )
    channel = _code(data.get("channel"), _codes("channel"), errors, "channel", required=True)
    risk = _code(data.get("risk_level"), {r.value for r in RiskLevel}, errors, "risk_level", required=True)
    errors.raise_if_any()
    return CaseInput(
        child=child, incident=incident, parties=parties, channel=channel or "", risk_level=risk or ""
    )
