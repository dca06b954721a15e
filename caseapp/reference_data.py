"""Reference data as every layer reads it: vocabulary codes and labels, regions, agencies.

Vocabularies, regions and agencies change only when `flask setup` seeds them, yet every page reads them:
they are kept in process for a few minutes (per database and language); seeding clears this process's copy.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import get_locale
from sqlalchemy import select

from caseapp import cache
from caseapp.extensions import db
from caseapp.models import Agency, ReferenceCode, Region

CACHE_SECONDS = 300
KINDS = ("codes", "labels", "regions", "agencies")


def clear_cache() -> None:
    """Forget the cached reference data (after seeding it)."""
    cache.clear(*KINDS)


def _cached(key: tuple[str, ...], load: Any) -> Any:
    return cache.cached(key[0], key[1:], load, CACHE_SECONDS)


@dataclass(frozen=True)
class RegionInfo:
    """A region as the interface shows it."""

    code: str
    name: str
    level: str
    parent_code: str | None


def codes(vocabulary: str) -> list[tuple[str, str]]:
    """Return (code, label) pairs of a vocabulary in the current language, in file order."""
    lang = str(get_locale() or "id")

    def load() -> list[tuple[str, str]]:
        rows = db.session.scalars(
            select(ReferenceCode)
            .where(ReferenceCode.vocabulary == vocabulary, ReferenceCode.active.is_(True))
            .order_by(ReferenceCode.position)
        )
        return [(r.code, r.label(lang)) for r in rows]

    return list(_cached(("codes", vocabulary, lang), load))


def code_set(vocabulary: str) -> frozenset[str]:
    """Return the active codes of a vocabulary (what input validation accepts)."""

    def load() -> frozenset[str]:
        stmt = select(ReferenceCode.code).where(
            ReferenceCode.vocabulary == vocabulary, ReferenceCode.active.is_(True)
        )
        return frozenset(db.session.scalars(stmt))

    return frozenset(_cached(("codes", vocabulary, "*"), load))


def kelurahan_codes() -> frozenset[str]:
    """Return the codes of every kelurahan."""
    return frozenset(code for code, region in regions().items() if region.level == "kelurahan")


def code_label(vocabulary: str, code: str | None) -> str:
    """Return the label of one code."""
    if not code:
        return "–"
    labels = _cached(("labels", vocabulary, str(get_locale() or "id")), lambda: dict(codes(vocabulary)))
    return str(labels.get(code, code))


def regions() -> dict[str, RegionInfo]:
    """Return every region by code."""

    def load() -> dict[str, RegionInfo]:
        return {
            r.code: RegionInfo(r.code, r.name, r.level, r.parent_code)
            for r in db.session.scalars(select(Region))
        }

    return dict(_cached(("regions",), load))


def kelurahan_choices() -> list[tuple[str, str]]:
    """Return (code, "Kecamatan – Kelurahan") pairs sorted by kecamatan and kelurahan."""
    by_code = regions()
    items = []
    for r in by_code.values():
        if r.level == "kelurahan":
            parent = by_code.get(r.parent_code or "")
            items.append((r.code, f"{parent.name if parent else '?'} – {r.name}"))
    return sorted(items, key=lambda pair: pair[1])


def kecamatan_choices() -> list[tuple[str, str]]:
    """Return (code, name) of the kecamatan."""
    return sorted(
        ((r.code, r.name) for r in regions().values() if r.level == "kecamatan"), key=lambda p: p[1]
    )


def region_name(code: str | None) -> str:
    """Return a region's name with its kecamatan, or a dash."""
    if not code:
        return "–"
    by_code = regions()
    region = by_code.get(code)
    if region is None:
        return code
    parent = by_code.get(region.parent_code or "")
    return f"{region.name}, {parent.name}" if parent and region.level == "kelurahan" else region.name


def agency_choices(active_only: bool = True) -> list[tuple[str, str]]:
    """Return (code, name) of agencies (seeded like the vocabularies: cached the same way)."""

    def load() -> list[tuple[str, str]]:
        stmt = select(Agency).order_by(Agency.code)
        if active_only:
            stmt = stmt.where(Agency.active.is_(True))
        return [(a.code, a.name) for a in db.session.scalars(stmt)]

    return list(_cached(("agencies", str(active_only)), load))


def referral_agencies() -> list[str]:
    """Return the codes of the active agencies that accept referrals, sorted."""

    def load() -> list[str]:
        stmt = select(Agency.code).where(Agency.active.is_(True), Agency.accepts_referrals.is_(True))
        return sorted(db.session.scalars(stmt))

    return list(_cached(("agencies", "referrals"), load))
