"""Reference labels for the interface, in the user's language (cached per request)."""

from __future__ import annotations

from flask import g
from flask_babel import get_locale
from sqlalchemy import select

from caseapp.extensions import db
from caseapp.models import Agency, ReferenceCode, Region


def codes(vocabulary: str) -> list[tuple[str, str]]:
    """Return (code, label) pairs of a vocabulary in the current language, in file order."""
    cache = g.setdefault("_reference_codes", {})
    if vocabulary not in cache:
        lang = str(get_locale() or "id")
        rows = db.session.scalars(
            select(ReferenceCode)
            .where(ReferenceCode.vocabulary == vocabulary, ReferenceCode.active.is_(True))
            .order_by(ReferenceCode.position)
        )
        cache[vocabulary] = [(r.code, r.label(lang)) for r in rows]
    return list(cache[vocabulary])


def code_label(vocabulary: str, code: str | None) -> str:
    """Return the label of one code."""
    if not code:
        return "–"
    return dict(codes(vocabulary)).get(code, code)


def regions() -> dict[str, Region]:
    """Return every region by code."""
    cache = g.setdefault("_regions", None)
    if cache is None:
        cache = {r.code: r for r in db.session.scalars(select(Region))}
        g._regions = cache
    return cache


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
    """Return (code, name) of agencies."""
    stmt = select(Agency).order_by(Agency.code)
    if active_only:
        stmt = stmt.where(Agency.active.is_(True))
    return [(a.code, a.name) for a in db.session.scalars(stmt)]
