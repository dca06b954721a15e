"""Field types shared by the schemas: reference codes, regions, bounded text, UTC times."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from flask_babel import gettext as _
from pydantic import AfterValidator, Field, PlainSerializer, StringConstraints, WithJsonSchema

from caseapp import reference_data
from caseapp.schemas.base import fail


def _enum_of(load: Any) -> Any:
    def extra(schema: dict[str, Any]) -> None:
        schema["enum"] = sorted(load())

    return extra


def Code(vocabulary: str) -> Any:  # noqa: N802 - reads as a type in annotations
    """A code of a reference vocabulary: checked against the active codes, listed as an enum in the API."""

    def check(value: str) -> str:
        if value not in reference_data.code_set(vocabulary):
            raise fail(_("Unknown value %(v)s.", v=value[:40]))
        return value

    return Annotated[
        str,
        AfterValidator(check),
        Field(json_schema_extra=_enum_of(lambda: reference_data.code_set(vocabulary))),
    ]


def _check_kelurahan(value: str) -> str:
    if value not in reference_data.kelurahan_codes():
        raise fail(_("Unknown value %(v)s.", v=value[:40]))
    return value


# A kelurahan by its Kemendagri code (e.g. 74.71.01.1005).
Kelurahan = Annotated[
    str,
    AfterValidator(_check_kelurahan),
    Field(json_schema_extra=_enum_of(reference_data.kelurahan_codes)),
]


def Text(max_length: int) -> Any:  # noqa: N802 - reads as a type in annotations
    """Free text, stripped, at most `max_length` characters."""
    return Annotated[str, StringConstraints(strip_whitespace=True, max_length=max_length)]


def _utc_iso(value: datetime) -> str:
    return value.replace(tzinfo=UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


# A stored (naive UTC) time, answered as ISO 8601 with the Z offset.
UtcTime = Annotated[
    datetime,
    PlainSerializer(_utc_iso, return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "format": "date-time"}, mode="serialization"),
]


def as_utc_naive(value: datetime) -> datetime:
    """Return an input time as stored: naive UTC (a time without an offset is taken as UTC)."""
    return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo is not None else value
