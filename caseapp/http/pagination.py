"""Keyset cursors: the sort values of the last row of a page, as one opaque query parameter."""

from __future__ import annotations

from collections.abc import Sequence

SEPARATOR = "~"


def parse_cursor(value: str | None) -> list[str] | None:
    """Return the sort values a cursor carries, or None for the first page."""
    return value.split(SEPARATOR) if value else None


def make_cursor(values: Sequence[str] | None) -> str | None:
    """Return the cursor that continues after a row with these sort values (None: no next page)."""
    return SEPARATOR.join(values) if values else None
