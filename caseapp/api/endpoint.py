"""`@endpoint`: an API operation's input and output schemas, applied and documented in one declaration.

    @bp.route("/cases/<case_id>/notes", methods=["POST"])
    @require(Permission.CASE_UPDATE, hide=True)
    @endpoint(body=NoteIn, response=NoteOut, status=201)
    def add_note(case_id: str, body: NoteIn) -> NoteOut: ...

The body is parsed from the request's JSON (strictly: no "12" for 12) and the query from the URL (text
read as numbers, dates and booleans; a parameter given twice is refused); a bad one raises
ValidationFailed (400, fields by dotted path). What the view returns is validated against `response` and
serialised from it, so the answer can hold nothing the OpenAPI document (built from the same declaration
in `caseapp.api.openapi`) does not describe.
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

# What Flask's route table takes: the wrapper answers a response, whatever the view returns (a schema).
ApiView = Callable[..., ResponseReturnValue]
OPERATION_ATTR = "_caseapp_operation"


@dataclass(frozen=True)
class Operation:
    """What an API view takes and answers, for the wrapper and for the document."""

    body: type[BaseModel] | None
    query: type[BaseModel] | None
    response: Any
    status: int
    errors: tuple[int, ...]
    media_types: tuple[str, ...]  # downloads (CSV, XLSX) the operation may answer instead of JSON
    tag: str | None
    # A multipart/form-data body: these text fields beside one file part named by `upload`.
    form: type[BaseModel] | None = None
    upload: str | None = None
    # An `Idempotency-Key` header replays the first answer (200 with what it created; 404 when that record
    # has left the caller's scope since).
    idempotent: bool = False


def endpoint(
    *,
    body: type[BaseModel] | None = None,
    query: type[BaseModel] | None = None,
    response: Any = None,
    status: int = 200,
    errors: tuple[int, ...] = (),
    media_type: str | tuple[str, ...] = (),
    tag: str | None = None,
    form: type[BaseModel] | None = None,
    upload: str | None = None,
    idempotent: bool = False,
) -> Callable[[Callable[..., Any]], ApiView]:
    """Declare an API operation's schemas (see the module docstring); `errors` lists extra statuses;
    `media_type` the download format(s) it may answer instead of JSON; `form` and `upload` a multipart body
    (text fields parsed into `form`, passed as `form=`; the file part named `upload` is read by the view);
    `idempotent` that an `Idempotency-Key` header replays the first answer."""
    media_types = (media_type,) if isinstance(media_type, str) else tuple(media_type)
    operation = Operation(
        body, query, response, status, tuple(errors), media_types, tag, form, upload, idempotent
    )
    adapter = TypeAdapter(response) if response is not None else None

    def decorator(view: Callable[..., Any]) -> ApiView:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if body is not None:
                kwargs["body"] = parse_json(body, request.get_data())
            if form is not None:
                given = {k: v[0] if len(v) == 1 else v for k, v in request.form.lists()}
                kwargs["form"] = parse_data(form, given, strict=False)
            if query is not None:
                # A parameter given twice arrives as a list, which no query field takes (400, by name).
                given = {k: v[0] if len(v) == 1 else v for k, v in request.args.lists()}
                kwargs["query"] = parse_data(query, given, strict=False)
            result = view(*args, **kwargs)
            if isinstance(result, Response) or adapter is None:
                return result
            code = status
            headers: dict[str, str] = {}
            if isinstance(result, tuple):  # (answer, status) or (answer, status, headers)
                result, code, *more = result
                headers = more[0] if more else {}
            payload = adapter.dump_python(adapter.validate_python(result), mode="json")
            return jsonify(payload), code, headers

        setattr(wrapped, OPERATION_ATTR, operation)
        return wrapped

    return decorator


def operation_of(view: Callable[..., Any]) -> Operation | None:
    """Return a view's declared operation, or None."""
    return getattr(view, OPERATION_ATTR, None)
