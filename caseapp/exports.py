"""Tabular exports, CSV and XLSX, for every front end: cells are escaped against formula injection.

This module writes files; deciding who may export what, and auditing it, is the services' work.
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from enum import StrEnum
from typing import IO, Any

from flask import Response, stream_with_context
from flask_babel import gettext

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

# A titled table: (title, header, rows).
Sheet = tuple[str, Sequence[str], Sequence[Sequence[Any]]]


class ExportFormat(StrEnum):
    """The file formats a table can be downloaded in."""

    CSV = "csv"  # comma-separated, decimal point (RFC 4180)
    CSV_ID = "csv-id"  # as Excel reads it in an Indonesian locale: semicolons, decimal comma
    XLSX = "xlsx"


MEDIA_TYPES = {
    ExportFormat.CSV: "text/csv",
    ExportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
# What a file states about itself (the agency, the period, when counted, the disclosure rule): label, value.
About = Sequence[tuple[str, str]]


def _media_type(fmt: ExportFormat) -> str:
    return MEDIA_TYPES[ExportFormat.CSV if fmt is ExportFormat.CSV_ID else fmt]


def _csv_value(value: Any, decimal_comma: bool) -> Any:
    if value is None:
        return ""
    if decimal_comma and isinstance(value, float):
        return repr(value).replace(".", ",")
    return safe_cell(value)


def safe_cell(value: Any) -> Any:
    """Return the value, with text that a spreadsheet would run as a formula made inert by a leading '."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _csv_lines(header: Sequence[str], rows: Iterable[Sequence[Any]], empty_note: str) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate(0)
        return text

    writer.writerow([safe_cell(h) for h in header])
    yield "\ufeff" + flush()  # BOM: spreadsheet programs then read UTF-8 correctly
    empty = True
    for row in rows:
        empty = False
        writer.writerow(["" if v is None else safe_cell(v) for v in row])
        yield flush()
    if empty:
        writer.writerow([empty_note] + [""] * (len(header) - 1))
        yield flush()


def csv_response(
    filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]], empty_note: str
) -> Response:
    """Stream rows as a CSV download (headers and a 'no data' row when there are none)."""
    # The rows are read from the database while streaming: keep the request (and its session) alive.
    response = Response(
        stream_with_context(_csv_lines(header, rows, empty_note)), mimetype=MEDIA_TYPES[ExportFormat.CSV]
    )
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _sheet_titles(titles: Sequence[str]) -> list[str]:
    """Return sheet names a spreadsheet accepts: no []:*?/\\, at most 31 characters, each one unique."""
    out: list[str] = []
    for title in titles:
        clean = "".join(c for c in title if c not in "[]:*?/\\")[:31].strip() or "Sheet"
        name, n = clean, 1
        while name.lower() in (o.lower() for o in out):
            n += 1
            name = f"{clean[: 31 - len(str(n)) - 1]} {n}"
        out.append(name)
    return out


def _xlsx_spool(sheets: Sequence[Sheet], empty_note: str, about: About = ()) -> tuple[IO[bytes], int]:
    """Write the workbook to a spooled file (in memory up to 1 MiB); return it, rewound, and its size."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    all_sheets: list[Sheet] = list(sheets)
    if about:
        all_sheets.insert(0, (_about_title(), [], [list(pair) for pair in about]))
    for name, (title, header, rows) in zip(
        _sheet_titles([s[0] for s in all_sheets]), all_sheets, strict=True
    ):
        sheet = book.create_sheet(name)
        sheet.append([safe_cell(title)])  # the whole title: a sheet's name holds 31 characters at most
        if header:
            sheet.append([safe_cell(h) for h in header])
        for row in rows:
            sheet.append(["" if v is None else safe_cell(v) for v in row])
        if not rows:
            sheet.append([empty_note])
    # Write-only sheets keep their rows on disk; the finished file goes out in chunks from a spooled file,
    # never as one more copy in memory.
    spool = tempfile.SpooledTemporaryFile(max_size=1 << 20)  # noqa: SIM115 - the caller closes it
    book.save(spool)
    size = spool.tell()
    spool.seek(0)
    return spool, size


def xlsx_response(filename: str, sheets: Sequence[Sheet], empty_note: str, about: About = ()) -> Response:
    """Return an XLSX workbook: the `about` sheet, then one sheet per table (its title in the first row, its
    header in the second), text escaped against formulas."""
    spool, size = _xlsx_spool(sheets, empty_note, about)

    def chunks() -> Iterator[bytes]:
        with spool:
            while chunk := spool.read(64 * 1024):
                yield chunk

    response = Response(chunks(), mimetype=MEDIA_TYPES[ExportFormat.XLSX])
    response.headers["Content-Length"] = str(size)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _about_title() -> str:
    return gettext("About this file")


def _stacked_csv_text(
    sheets: Sequence[Sheet], empty_note: str, about: About = (), fmt: ExportFormat = ExportFormat.CSV
) -> str:
    decimal_comma = fmt is ExportFormat.CSV_ID

    def rows() -> Iterator[Sequence[Any]]:
        for label, value in about:
            yield [label, value]
        for index, (title, header, body) in enumerate(sheets):
            if index or about:
                yield []
            yield [title]
            yield list(header)
            yield from body if body else [[empty_note]]

    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";" if decimal_comma else ",")
    for row in rows():
        writer.writerow([_csv_value(v, decimal_comma) for v in row])
    return "\ufeff" + buffer.getvalue()


def stacked_csv_response(
    filename: str,
    sheets: Sequence[Sheet],
    empty_note: str,
    about: About = (),
    fmt: ExportFormat = ExportFormat.CSV,
) -> Response:
    """Return several tables in one CSV file, each under its title, after what the file says of itself."""
    response = Response(_stacked_csv_text(sheets, empty_note, about, fmt), mimetype=_media_type(fmt))
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def tables_response(
    name: str, fmt: ExportFormat, sheets: Sequence[Sheet], empty_note: str, about: About = ()
) -> Response:
    """Return titled tables as one download named `name`: a CSV file (each table under its title; `csv-id`
    in the Indonesian Excel convention) or an XLSX workbook (one sheet per table); `empty_note` stands in a
    table without rows; `about` (label, value) pairs open the file."""
    if fmt is ExportFormat.XLSX:
        return xlsx_response(f"{name}.xlsx", sheets, empty_note, about)
    suffix = "-id" if fmt is ExportFormat.CSV_ID else ""
    return stacked_csv_response(f"{name}{suffix}.csv", sheets, empty_note, about, fmt)


def file_name(name: str, fmt: ExportFormat) -> str:
    """Return the download name of tables named `name` in this format."""
    if fmt is ExportFormat.XLSX:
        return f"{name}.xlsx"
    return f"{name}{'-id' if fmt is ExportFormat.CSV_ID else ''}.csv"


def media_type(fmt: ExportFormat) -> str:
    """Return the media type of a file in this format."""
    return _media_type(fmt)


def tables_file(
    fmt: ExportFormat, sheets: Sequence[Sheet], empty_note: str, about: About = ()
) -> Iterator[bytes]:
    """Yield the file `tables_response` answers, in pieces of at most 64 KiB (for a store, not a response)."""
    if fmt is ExportFormat.XLSX:
        spool, _size = _xlsx_spool(sheets, empty_note, about)
        with spool:
            while chunk := spool.read(64 * 1024):
                yield chunk
        return
    data = _stacked_csv_text(sheets, empty_note, about, fmt).encode("utf-8")
    for start in range(0, len(data), 64 * 1024):
        yield data[start : start + 64 * 1024]
