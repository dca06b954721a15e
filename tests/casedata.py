"""Factories for case tests: valid API bodies and registered cases."""

from __future__ import annotations

import copy
import itertools
import json
import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from caseapp.extensions import db
from caseapp.models import Case, User
from caseapp.schemas.base import parse_json
from caseapp.schemas.cases import CaseIn
from caseapp.services import cases

_serial = itertools.count(1)

BASE: dict[str, Any] = {
    "child": {
        "name": "Siti Canary Aminah",
        "nik": None,
        "sex": "F",
        "date_of_birth": "2015-12-05",
        "disability": False,
        "address": "Jl. Canary Kendari No. 7",
        "kelurahan": "74.71.01.1005",
        "school": "SD Canary 3 Kendari",
    },
    "incident": {
        "date": "2026-10-01",
        "date_is_approximate": False,
        "kelurahan": "74.71.01.1005",
        "place": "household",
        "violence_types": ["physical"],
        "primary_violence_type": "physical",
        "ampk": [],
        "narrative": "Canary narrative: the child was hit at home.",
    },
    "parties": [
        {
            "role": "guardian",
            "name": "Canary Guardian",
            "phone": "0812-9999-0001",
            "address": "",
            "relationship": "parent",
            "sex": "F",
            "age_group": "18+",
            "is_child": False,
        },
        {
            "role": "perpetrator",
            "name": "Canary Perpetrator",
            "phone": "",
            "address": "Jl. Canary Lain",
            "relationship": "step_parent",
            "sex": "M",
            "age_group": "18+",
            "is_child": False,
        },
    ],
    "channel": "walk_in",
    "risk_level": "medium",
}

CANARIES = [
    "Siti Canary",
    "Jl. Canary Kendari",
    "SD Canary 3",
    "Canary narrative",
    "Canary Guardian",
    "0812-9999-0001",
    "Canary Perpetrator",
    "Jl. Canary Lain",
]


def nik(serial: int | None = None, day: int = 45, month: int = 12, year: int = 15) -> str:
    """Return a structurally valid Kendari NIK (a girl born 05-12-2015 by default)."""
    number = serial if serial is not None else next(_serial)
    return f"747105{day:02d}{month:02d}{year:02d}{number:04d}"


def body(**changes: Any) -> dict[str, Any]:
    """Return a valid case body; `child__name="x"` style keys change nested values."""
    data = copy.deepcopy(BASE)
    for key, value in changes.items():
        if "__" in key:
            section, field = key.split("__", 1)
            data[section][field] = value
        else:
            data[key] = value
    return data


@dataclass(frozen=True)
class CaseRef:
    """What a test needs of a registered case, usable after its session is gone."""

    id: int
    uuid: uuid.UUID
    case_number: str
    incident_date: date

    def load(self) -> Case:
        """Return the case from the current session."""
        return db.session.get(Case, self.id)


def case_input(**changes: Any) -> CaseIn:
    """Return a valid case input, validated like an API body (see `body` for the changes)."""
    return parse_json(CaseIn, json.dumps(body(**changes)))


def register(actor: User, **changes: Any) -> CaseRef:
    """Register a case through the service (inside an app context) and commit."""
    user = db.session.get(User, actor.id)
    case = cases.register_case(user, case_input(**changes)).case
    db.session.commit()
    return CaseRef(case.id, case.uuid, case.case_number, case.incident_date)
