"""Reference data: loading the shipped CSV facts into the database (idempotent)."""

from __future__ import annotations

import csv
import io
from functools import cache
from importlib import resources

from caseapp import reference_data
from caseapp.extensions import db
from caseapp.models import Agency, ReferenceCode, Region


@cache
def read_csv(name: str) -> tuple[dict[str, str], ...]:
    """Return the rows of a shipped reference file (caseapp/data/reference/NAME.csv)."""
    text = resources.files("caseapp.data.reference").joinpath(f"{name}.csv").read_text("utf-8")
    return tuple(csv.DictReader(io.StringIO(text)))


# Vocabulary name -> file; `extra` keeps one more column where a file has it.
VOCABULARIES = {
    "violence_type": ("violence_types", None),
    "place": ("places", None),
    "relationship": ("relationships", None),
    "service": ("services", "typical_provider_kind"),
    "ampk": ("ampk", None),
    "channel": ("channels", None),
    "closure_reason": ("closure_reasons", None),
    "education_level": ("education_levels", None),
    "disability_type": ("disability_types", None),
    "occupation": ("occupations", None),
    "regency": ("regencies", None),
}


def seed_reference_data() -> dict[str, int]:
    """Insert or update regions, agencies and vocabularies from the shipped files; return new-row counts."""
    created = {"region": 0, "agency": 0, "code": 0}
    existing_regions = {r.code: r for r in db.session.scalars(db.select(Region))}
    # Parents come before children in the file; flush in order so foreign keys hold.
    for row in read_csv("regions"):
        region = existing_regions.get(row["code"])
        if region is None:
            region = Region(code=row["code"])
            db.session.add(region)
            created["region"] += 1
        region.name = row["name"]
        region.level = row["level"]
        region.parent_code = row["parent_code"] or None
    db.session.flush()
    existing_agencies = {a.code: a for a in db.session.scalars(db.select(Agency))}
    for row in read_csv("agencies"):
        agency = existing_agencies.get(row["code"])
        if agency is None:
            # Only new agencies take the file's name and flags; an admin's later edits are kept.
            agency = Agency(
                code=row["code"],
                name=row["name"],
                kind=row["kind"],
                accepts_referrals=row["accepts_referrals"] == "yes",
                active=True,
            )
            db.session.add(agency)
            created["agency"] += 1
    db.session.flush()
    existing_codes = {(c.vocabulary, c.code): c for c in db.session.scalars(db.select(ReferenceCode))}
    for vocabulary, (filename, extra) in VOCABULARIES.items():
        for position, row in enumerate(read_csv(filename)):
            code = existing_codes.get((vocabulary, row["code"]))
            if code is None:
                code = ReferenceCode(vocabulary=vocabulary, code=row["code"], active=True)
                db.session.add(code)
                created["code"] += 1
            code.label_id = row["label_id"]
            code.label_en = row["label_en"]
            code.extra = row[extra] if extra else None
            code.position = position
    db.session.flush()
    reference_data.clear_cache()  # this process shows the new labels at once; others within CACHE_SECONDS
    return created
