"""Schema base classes and the one way input is validated: pydantic models, errors by dotted field path.

Every API body and query, and every web form (through the same body it builds), is validated by a schema
in this package; every API answer is shaped by one. A failed validation raises `ValidationFailed` with
`fields` keyed by the dotted path of the field (`child.nik`, `parties.1.phone`) and messages in the user's
language. Checks that need the reference vocabularies happen here too (`caseapp.schemas.types.Code`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from flask_babel import gettext as _
from pydantic import BaseModel, ConfigDict, ValidationError
from pydantic_core import ErrorDetails, PydanticCustomError

from caseapp.errors import ValidationFailed

S = TypeVar("S", bound=BaseModel)

# The error type of our own validators: the message is already in the user's language.
CUSTOM = "caseapp"


class Input(BaseModel):
    """An input shape: unknown fields are refused; JSON types are taken strictly (no "12" for 12)."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=False)


class Output(BaseModel):
    """An output shape: every key an answer carries is declared here, with its type."""

    model_config = ConfigDict(extra="forbid")


def fail(message: str) -> PydanticCustomError:
    """Return the error a validator raises for a rule of ours (message already translated)."""
    return PydanticCustomError(CUSTOM, "{message}", {"message": message})


def unknown_value() -> str:
    """Say a code is not in its list, without echoing it (a NIK typed into a code field stays unsaid)."""
    return _("Unknown value: choose one of the listed codes.")


def _message(error: ErrorDetails) -> str:
    kind = error["type"]
    ctx: Mapping[str, Any] = error.get("ctx") or {}
    if kind == CUSTOM:
        return str(ctx.get("message", ""))
    if kind == "missing":
        return _("This field is required.")
    if kind == "extra_forbidden":
        return _("Unknown field.")
    if kind in ("string_type", "string_unicode"):
        return _("Enter text.")
    if kind == "string_too_long":
        return _("Use at most %(n)d characters.", n=int(ctx.get("max_length", 0)))
    if kind == "string_too_short":
        return _("This field is required.")
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return _("Enter a whole number.")
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        return _("Enter a number in the allowed range.")
    if kind in ("bool_type", "bool_parsing"):
        return _("Enter true or false.")
    if kind.startswith("date"):
        return (
            _("Enter a date as YYYY-MM-DD.")
            if not kind.startswith("datetime")
            else _("Enter a time as ISO 8601.")
        )
    if kind in ("literal_error", "enum"):
        return unknown_value()
    if kind in ("list_type", "tuple_type", "set_type"):
        return _("Send a list.")
    if kind in ("too_long",):
        return _("Send at most %(n)d items.", n=int(ctx.get("max_length", 0)))
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return _("Send a JSON object.")
    if kind in ("json_invalid", "json_type"):
        return _("Send a JSON object.")
    if kind == "uuid_parsing" or kind == "uuid_type":
        return _("Enter a valid identifier.")
    return _("Enter a valid value.")


def field_errors(exc: ValidationError) -> dict[str, list[str]]:
    """Return pydantic's errors as {dotted path: [messages]} (the body itself is the empty path)."""
    fields: dict[str, list[str]] = {}
    for error in exc.errors(include_url=False):
        path = ".".join(str(part) for part in error["loc"])
        message = _message(error)
        if message not in fields.setdefault(path, []):
            fields[path].append(message)
    return fields


def _refuse(exc: ValidationError) -> ValidationFailed:
    fields = field_errors(exc)
    first = next(iter(fields.values()))[0] if fields else _("Enter a valid value.")
    return ValidationFailed(first, fields=fields)


def parse_json(schema: type[S], raw: bytes | str) -> S:
    """Validate a JSON document (an API body) against a schema; raise ValidationFailed naming each field."""
    try:
        return schema.model_validate_json(raw or b"null")
    except ValidationError as exc:
        raise _refuse(exc) from None


def parse_data(schema: type[S], data: Any, strict: bool | None = None) -> S:
    """Validate Python data (query parameters, a web form's body) against a schema.

    `strict=False` lets text stand for numbers, dates and booleans, as it must for forms and URLs.
    """
    try:
        return schema.model_validate(data, strict=strict)
    except ValidationError as exc:
        raise _refuse(exc) from None
