"""Tabular exports, CSV and XLSX, for every front end: cells are escaped against formula injection.

This module writes files; deciding who may export what, and auditing it, is the services' work.
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from enum import StrEnum
from typing import Any

from flask import Response, stream_with_context

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

# A titled table: (title, header, rows).
Sheet = tuple[str, Sequence[str], Sequence[Sequence[Any]]]


class ExportFormat(StrEnum):
    """The file formats a table can be downloaded in."""

    CSV = "csv"
    XLSX = "xlsx"


MEDIA_TYPES = {
    ExportFormat.CSV: "text/csv",
    ExportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


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


def xlsx_response(filename: str, sheets: Sequence[Sheet], empty_note: str) -> Response:
    """Return an XLSX workbook, one sheet per table, every text cell escaped against formulas."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    for title, header, rows in sheets:
        clean = "".join(c for c in title if c not in "[]:*?/\\\\")[:31] or "Sheet"
        sheet = book.create_sheet(clean)
        sheet.append([safe_cell(h) for h in header])
        for row in rows:
            sheet.append(["" if v is None else safe_cell(v) for v in row])
        if not rows:
            sheet.append([empty_note])
    # Write-only sheets keep their rows on disk; the finished file goes out in chunks from a spooled file
    # (in memory up to 1 MiB), never as one more copy in memory.
    spool = tempfile.SpooledTemporaryFile(max_size=1 << 20)  # noqa: SIM115 - closed by the stream
    book.save(spool)
    size = spool.tell()
    spool.seek(0)

    def chunks() -> Iterator[bytes]:
        with spool:
            while chunk := spool.read(64 * 1024):
                yield chunk

    response = Response(chunks(), mimetype=MEDIA_TYPES[ExportFormat.XLSX])
    response.headers["Content-Length"] = str(size)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def stacked_csv_response(filename: str, sheets: Sequence[Sheet], empty_note: str) -> Response:
    """Return several tables in one CSV file, each under its title."""

    def rows() -> Iterator[Sequence[Any]]:
        for index, (title, header, body) in enumerate(sheets):
            if index:
                yield []
            yield [title]
            yield list(header)
            yield from body if body else [[empty_note]]

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows():
        writer.writerow(["" if v is None else safe_cell(v) for v in row])
    response = Response("\ufeff" + buffer.getvalue(), mimetype=MEDIA_TYPES[ExportFormat.CSV])
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def tables_response(name: str, fmt: ExportFormat, sheets: Sequence[Sheet], empty_note: str) -> Response:
    """Return titled tables as one download named `name`: a CSV file (each table under its title) or an
    XLSX workbook (one sheet per table); `empty_note` stands in a table without rows."""
    if fmt == ExportFormat.CSV:
        return stacked_csv_response(f"{name}.csv", sheets, empty_note)
    return xlsx_response(f"{name}.xlsx", sheets, empty_note)
