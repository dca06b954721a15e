"""Field types shared by the schemas: reference codes, regions, bounded text, days, UTC times; and how the
API document says what a type's validators accept beyond its pydantic type (`Document`, `patch_field`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Annotated, Any

from flask_babel import gettext as _
from pydantic import (
    AfterValidator,
    BeforeValidator,
    Field,
    GetJsonSchemaHandler,
    PlainSerializer,
    StringConstraints,
    ValidationError,
    ValidatorFunctionWrapHandler,
    WithJsonSchema,
    WrapValidator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

from caseapp import reference_data
from caseapp.schemas.base import fail, unknown_value

# What `strip_whitespace` removes around text (Unicode White_Space, as pydantic-core trims it), as the body of
# a regular expression class that JSON Schema (ECMA 262) and Python read alike.
STRIPPED = r"\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
# What Python's `str.strip` removes: the same and U+001C-U+001F.
PY_STRIPPED = STRIPPED + r"\x1c-\x1f"
# Text with something besides that whitespace: what a required text field takes.
NOT_BLANK = f"[^{STRIPPED}]"
# A day written YYYY-MM-DD (years 0001-9999, as Python's dates); `format: date` adds the calendar.
YEAR = "(?:[1-9][0-9]{3}|0[1-9][0-9]{2}|00[1-9][0-9]|000[1-9])"
MONTH_DAY = "(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])"
DAY_PATTERN = f"^{YEAR}-{MONTH_DAY}$"
LEAP_YEAR = "(?:[0-9]{2}(?:0[48]|[2468][048]|[13579][26])|(?:0[48]|[2468][048]|[13579][26])00)"


def calendar_day(year: str = YEAR) -> str:
    """Return a regular expression of the real calendar days YYYY-MM-DD of the years `year` matches (for
    where no `format` can check the calendar; 0000 is not a year, and no leap year is 0001 or 9999)."""
    return (
        f"(?:{year}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)"
        f"|02-(?:0[1-9]|1[0-9]|2[0-8]))|{LEAP_YEAR}-02-29)"
    )


_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
MAX_ID = 2**31 - 1  # the largest id a database integer holds


def up_to(limit: int) -> str:
    """Return a regular expression of the decimal numbers from 0 to `limit` (leading zeros allowed)."""
    digits = str(limit)
    parts = [f"[0-9]{{1,{len(digits) - 1}}}"] if len(digits) > 1 else []
    for i, digit in enumerate(digits[:-1]):
        if digit != "0":
            parts.append(f"{digits[:i]}[0-{int(digit) - 1}][0-9]{{{len(digits) - i - 1}}}")
    parts.append(f"{digits[:-1]}[0-{digits[-1]}]")
    return f"0*(?:{'|'.join(parts)})"


NULL: dict[str, Any] = {"type": "null"}
BLANK: dict[str, Any] = {"const": ""}


class Document:
    """Say in the API document what a type's validators accept or refuse beyond its pydantic type.

    Validation is unchanged: this only corrects the JSON Schema, so that the document promises exactly
    what the validation takes. `null=True` adds null (a before-validator reads it as empty), `null=False`
    removes it (a later check refuses it); `blank` adds "" (read as none); other keywords (a `pattern`,
    `minItems`) go to the schema of the value itself, where None removes one (a `format` the pattern
    replaces).
    """

    def __init__(self, *, null: bool | None = None, blank: bool = False, **keywords: Any) -> None:
        self.null = null
        self.blank = blank
        self.keywords = keywords

    def __get_pydantic_json_schema__(
        self, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        """Return the type's schema with the corrections applied."""
        return documented(handler(core_schema), self.null, self.blank, self.keywords)


def documented(
    schema: dict[str, Any], null: bool | None, blank: bool = False, keywords: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Return a schema with null added or removed, "" added, and keywords set on the value's own schema."""
    outer = {k: v for k, v in schema.items() if k != "anyOf"}
    branches = list(schema["anyOf"]) if "anyOf" in schema else [outer]
    if "anyOf" not in schema:
        outer = {k: outer.pop(k) for k in ("title", "description", "default", "examples") if k in outer}
    values = [b for b in branches if b != NULL and b != BLANK]
    if keywords:
        values = [{k: v for k, v in {**b, **keywords}.items() if v is not None} for b in values]
    if blank or BLANK in branches:
        values.append(BLANK)
    if null or (null is None and NULL in branches):
        values.append(NULL)
    if null is False:
        outer.pop("default", None)
    return {**values[0], **outer} if len(values) == 1 else {"anyOf": values, **outer}


def patch_field(description: str | None = None) -> Any:
    """A field of a partial change: left out, the stored value stays; null is refused (when the change
    is applied, the rules of a whole record refuse it), which the document says."""

    def extra(schema: dict[str, Any]) -> None:
        corrected = documented(schema, null=False)
        schema.clear()
        schema.update(corrected)

    return Field(default=None, description=description, json_schema_extra=extra)


def schema_rules(*rules: dict[str, Any] | Callable[[], dict[str, Any]]) -> Callable[[dict[str, Any]], None]:
    """Return a model's `json_schema_extra` that adds the rules its validators check across fields.

    Each rule is a JSON Schema (or a function building one when the document is asked for, for rules that
    name reference codes); the model's schema must satisfy all of them (`allOf`).
    """

    def extra(schema: dict[str, Any]) -> None:
        schema["allOf"] = [*schema.get("allOf", []), *(rule() if callable(rule) else rule for rule in rules)]

    return extra


def read_day(value: str) -> date:
    """Return the day written YYYY-MM-DD (ASCII digits); raise ValueError for anything else."""
    if not _DAY.fullmatch(value):
        raise ValueError(f"not YYYY-MM-DD: {value[:20]!r}")
    return date.fromisoformat(value)


def _enum_of(load: Any) -> Any:
    def extra(schema: dict[str, Any]) -> None:
        schema["enum"] = sorted(load())

    return extra


def Code(vocabulary: str) -> Any:  # noqa: N802 - reads as a type in annotations
    """A code of a reference vocabulary: checked against the active codes, listed as an enum in the API."""

    def check(value: str) -> str:
        if value not in reference_data.code_set(vocabulary):
            raise fail(unknown_value())
        return value

    return Annotated[
        str,
        AfterValidator(check),
        Field(json_schema_extra=_enum_of(lambda: reference_data.code_set(vocabulary))),
    ]


def _check_kelurahan(value: str) -> str:
    if value not in reference_data.kelurahan_codes():
        raise fail(unknown_value())
    return value


# A kelurahan by its Kemendagri code (e.g. 74.71.01.1005).
Kelurahan = Annotated[
    str,
    AfterValidator(_check_kelurahan),
    Field(json_schema_extra=_enum_of(reference_data.kelurahan_codes)),
]


def Text(max_length: int, filled: bool = False) -> Any:  # noqa: N802 - reads as a type in annotations
    """Free text, stripped, at most `max_length` characters; `filled`: the field's own check refuses blank
    text (with its own message), which the document says with a pattern."""
    text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=max_length)]
    return Annotated[text, Document(pattern=NOT_BLANK)] if filled else text


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


# Readers and checks the input schemas share ---------------------------------------------------------------


def blank_is_none(value: Any) -> Any:
    """Read an empty string as no value (a form's unchosen option)."""
    return None if value == "" else value


def chosen(value: Any) -> Any:
    """Refuse an unchosen option (none, or empty) with a message that says to choose."""
    if value is None or value == "":
        raise fail(_("Choose a value."))
    return value


def one_message(message: Any, keep: tuple[str, ...] = ()) -> WrapValidator:
    """Answer any failure of the wrapped check with one message of ours (except the error types kept)."""

    def check(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
        try:
            return handler(value)
        except ValidationError as exc:
            if keep and all(error["type"] in keep for error in exc.errors()):
                raise
            raise fail(str(message)) from None

    return WrapValidator(check)


def day_input(required: Any = None) -> BeforeValidator:
    """Read a date written YYYY-MM-DD (empty: none, or the `required` message).

    Done here rather than by pydantic: after a before-validator a strict field no longer reads JSON text.
    """

    def read(value: Any) -> Any:
        if value is None or value == "":
            if required is not None:
                raise fail(str(required))
            return None
        if isinstance(value, str):
            try:
                return read_day(value)
            except ValueError:
                raise fail(_("Enter a date as YYYY-MM-DD.")) from None
        return value

    return BeforeValidator(read)


# An RFC 3339 time (the offset may be left out: UTC), years 0002-9998 (in UTC, a time of the calendar's
# first or last year may leave it), on a real calendar day, no leap second.
TIME_YEAR = "(?:[1-8][0-9]{3}|9[0-8][0-9]{2}|99[0-8][0-9]|999[0-8]|0[1-9][0-9]{2}|00[1-9][0-9]|000[2-9])"
TIME_PATTERN = (
    f"^{calendar_day(TIME_YEAR)}[Tt](?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\\.[0-9]+)?"
    "(?:Z|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])?$"
)
_TIME = re.compile(TIME_PATTERN)


def read_time(value: Any) -> Any:
    """Read a time written as TIME_PATTERN says (empty: none)."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            if not _TIME.fullmatch(value):
                raise ValueError(value)
            return datetime.fromisoformat(value)
        except ValueError:
            raise fail(_("Enter a time as ISO 8601.")) from None
    return value


def stored_utc(value: datetime | None) -> datetime | None:
    """Return an input time as stored (naive UTC), refusing one that leaves the calendar in UTC."""
    if value is None:
        return None
    if not 1 < value.year < 9999:  # in UTC, such a time may leave the calendar (no case is that old)
        raise fail(_("Enter a time as ISO 8601."))
    return as_utc_naive(value)
