"""Small-cell suppression for de-identified tables.

Counts from 1 to 4 are shown as "<5" (primary suppression). Then, so that no hidden cell can be recovered by
subtracting the visible ones from a total, every row and column (totals included) that has exactly one hidden
cell gets a second one hidden too, the smallest remaining (secondary suppression), until no line has exactly
one. Zero is shown: it says nothing about a child.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

PRIMARY: Final = "<5"
SECONDARY: Final = "×"
SMALL = range(1, 5)  # the counts that are never shown
# What a reader of the tables is told (the API's answers carry it).
METHOD = f"counts 1-4 shown as {PRIMARY}; a second cell shown as {SECONDARY} where one could be recovered"


def shown_count(count: int) -> int | Literal["<5"]:
    """Return a count that stands alone (a headline, not a cell of a table) as it may be shown."""
    return PRIMARY if count in SMALL else count


@dataclass
class SuppressedTable:
    """A table of counts with a total column and a total row, as it may be shown."""

    row_labels: list[str]
    column_labels: list[str]  # without the total column
    cells: list[list[str]]  # rows x (columns + total), then the total row last

    def rows(self) -> list[tuple[str, list[str]]]:
        """Return (label, shown cells incl. total) for each row, the total row last."""
        return list(zip([*self.row_labels, "Total"], self.cells, strict=True))


def suppress(counts: list[list[int]]) -> list[list[str]]:
    """Return the displayed table (with a total column and a total row) for a matrix of counts."""
    rows = len(counts)
    cols = len(counts[0]) if counts else 0
    full = [list(r) + [sum(r)] for r in counts]
    full.append([sum(counts[i][j] for i in range(rows)) for j in range(cols)] + [sum(sum(r) for r in counts)])
    hidden = [[v in SMALL for v in row] for row in full]
    secondary = [[False] * (cols + 1) for _ in range(rows + 1)]

    def lines() -> list[list[tuple[int, int]]]:
        out = [[(i, j) for j in range(cols + 1)] for i in range(rows + 1)]
        out += [[(i, j) for i in range(rows + 1)] for j in range(cols + 1)]
        return out

    changed = True
    while changed:
        changed = False
        for line in lines():
            marked = [(i, j) for i, j in line if hidden[i][j]]
            if len(marked) != 1:
                continue
            candidates = sorted((full[i][j], i, j) for i, j in line if not hidden[i][j])
            if not candidates:
                continue
            _, i, j = candidates[0]
            hidden[i][j] = True
            secondary[i][j] = True
            changed = True
    return [
        [
            (SECONDARY if secondary[i][j] else PRIMARY) if hidden[i][j] else str(full[i][j])
            for j in range(cols + 1)
        ]
        for i in range(rows + 1)
    ]


def table(row_labels: list[str], column_labels: list[str], counts: list[list[int]]) -> SuppressedTable:
    """Build a suppressed table."""
    return SuppressedTable(
        row_labels, column_labels, suppress(counts) if row_labels else [["0"] * (len(column_labels) + 1)]
    )
