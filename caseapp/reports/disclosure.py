"""Disclosure control of published counts: fixed random rounding to base 5, keyed by the records counted.

The method is random rounding to base 5 (as Statistics New Zealand and the UK's ONS publish census tables),
made *fixed* by the cell-key idea of the Australian Bureau of Statistics' TableBuilder: every case carries a
secret random key (`Case.stat_key`), a cell's key is the sum of the keys of the records it counts (modulo the
key space), and that key, not a fresh random draw, decides whether the cell rounds up or down. So:

- every published count is a multiple of 5; a true count that is already one is published as it is, any
  other rounds to one of its two neighbouring multiples, up with probability (remainder / 5), so the
  published figure is unbiased on average;
- the same children counted anywhere (another table, another period that holds the same records, a repeated
  request) always give the same published value: asking again, or averaging, gains nothing;
- zero is published as 0, and a true count of 1 to 4 is published as 0 or 5: a published 0 or 5 never tells
  whether a child is there, and no published value pins a true count. A published value p says only that
  the true count lies in p-4 .. p+4 (and is not negative).

Row and column totals are rounded on their own (from their own records), so a published table need not add
up exactly: that is the price of the guarantee, and what lets an attacker who solves every sum relation among
every table they can download (tests/test_disclosure.py does, over every period and agency) learn no true
count between 1 and 4.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from caseapp.models.case import STAT_KEY_SPACE

BASE: Final = 5
METHOD: Final = (
    "fixed random rounding to base 5 keyed by record (cell-key method): every count is a multiple of 5; "
    "0 and 5 may stand for 1-4; a shown count p means a true count between p-4 and p+4; totals are "
    "rounded on their own, so rows may not add up exactly"
)


@dataclass(frozen=True)
class Count:
    """A true count and the sum of the record keys it counts (never shown: publish with `published`)."""

    n: int = 0
    keys: int = 0

    def __add__(self, other: Count) -> Count:
        return Count(self.n + other.n, self.keys + other.keys)


ZERO: Final = Count()


def published(count: Count) -> int:
    """Return the count as it may be published: rounded to a multiple of BASE, up or down as its key says."""
    whole, remainder = divmod(count.n, BASE)
    if remainder == 0:
        return count.n
    # The cell key, uniform in [0, 1) for any non-empty set of records with independent uniform keys.
    cell_key = (count.keys % STAT_KEY_SPACE) / STAT_KEY_SPACE
    return BASE * (whole + 1) if cell_key < remainder / BASE else BASE * whole


def total(counts: list[Count]) -> Count:
    """Return the count of the union of disjoint record sets."""
    out = ZERO
    for c in counts:
        out = out + c
    return out
