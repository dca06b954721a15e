"""`@endpoint`: an API operation's input and output schemas, applied and documented in one declaration.

    @bp.route("/cases/<case_id>/notes", methods=["POST"])
    @require(Permission.CASE_UPDATE, hide=True)
    @endpoint(body=NoteIn, response=NoteOut, status=201)
    def add_note(case_id: str, body: NoteIn) -> NoteOut: ...

The body is parsed from the request's JSON (strictly: no "12" for 12) and the query from the URL (text
read as numbers, dates and booleans); a bad one raises ValidationFailed (400, fields by dotted path). What
the view returns is validated against `response` and serialised from it, so the answer can hold nothing
the OpenAPI document (built from the same declaration in `caseapp.api.openapi`) does not describe.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from flask import Response, jsonify, request
from flask.typing import ResponseReturnValue
from pydantic import BaseModel, TypeAdapter

from caseapp.schemas.base import parse_data, parse_json

View = Callable[..., Any]  # returns a schema object, a model, a dict, (value, status) or a Response
OPERATION_ATTR = "_caseapp_operation"


@dataclass(frozen=True)
class Operation:
    """What an API view takes and answers, for the wrapper and for the document."""

    body: type[BaseModel] | None
    query: type[BaseModel] | None
    response: Any
    status: int
    errors: tuple[int, ...]
    media_type: str | None  # a download (CSV, XLSX) instead of JSON
    tag: str | None


def endpoint(
    *,
    body: type[BaseModel] | None = None,
    query: type[BaseModel] | None = None,
    response: Any = None,
    status: int = 200,
    errors: tuple[int, ...] = (),
    media_type: str | None = None,
    tag: str | None = None,
) -> Callable[[View], Callable[..., ResponseReturnValue]]:
    """Declare an API operation's schemas (see the module docstring); `errors` lists extra statuses."""
    operation = Operation(body, query, response, status, tuple(errors), media_type, tag)
    adapter = TypeAdapter(response) if response is not None else None

    def decorator(view: View) -> Callable[..., ResponseReturnValue]:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> ResponseReturnValue:
            if body is not None:
                kwargs["body"] = parse_json(body, request.get_data())
            if query is not None:
                kwargs["query"] = parse_data(query, request.args.to_dict(), strict=False)
            result = view(*args, **kwargs)
            if isinstance(result, Response) or adapter is None:
                return result
            code = status
            if isinstance(result, tuple):
                result, code = result
            payload = adapter.dump_python(adapter.validate_python(result), mode="json")
            return jsonify(payload), code

        setattr(wrapped, OPERATION_ATTR, operation)
        return wrapped

    return decorator


def operation_of(view: Callable[..., Any]) -> Operation | None:
    """Return a view's declared operation, or None."""
    return getattr(view, OPERATION_ATTR, None)
