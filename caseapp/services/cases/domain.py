"""Pure rules about a case's data, shared by the services and by synthetic-data generators.

Nothing here reads or writes the database: a bulk generator that writes rows directly derives each value
with these functions and gets the same result as a registration through the services.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from caseapp.models.case import ChildRole, RiskLevel, age_group

__all__ = [
    "FIRST_CONTACT_DUE",
    "RESTRICTED_AMPK",
    "RESTRICTED_CHILD_ROLES",
    "RESTRICTED_VIOLENCE",
    "age_group",
    "first_contact_due",
    "initials",
    "restricted_by_default",
]

# When the first contact with the child is due after registration, by risk level.
FIRST_CONTACT_DUE = {
    RiskLevel.HIGH.value: timedelta(hours=24),
    RiskLevel.MEDIUM.value: timedelta(hours=72),
    RiskLevel.LOW.value: timedelta(days=7),
}
# UU SPPA Pasal 19 and UU TPKS: these cases keep the child's identity out of every list by default.
RESTRICTED_VIOLENCE = frozenset(
    {"sexual", "trafficking", "sexual_exploitation", "electronic_sexual", "forced_marriage"}
)
RESTRICTED_AMPK = frozenset(
    {
        "in_conflict_with_law",
        "sexual_crime_victim",
        "abduction_trafficking",
        "economic_sexual_exploitation",
        "pornography_victim",
    }
)


def initials(name: str) -> str:
    """Return the initials of a name ("Siti Rahma Dewi" -> "S.R.D."): what lists show of a restricted case."""
    letters = [w[0].upper() for w in name.replace(".", " ").split() if w and w[0].isalpha()]
    return "".join(f"{c}." for c in letters[:3]) or "?"


# UU SPPA Pasal 19: a child witness's and a child in conflict with the law's identity stays out of lists.
RESTRICTED_CHILD_ROLES = frozenset({ChildRole.WITNESS.value, ChildRole.IN_CONFLICT_WITH_LAW.value})


def restricted_by_default(
    violence_types: Iterable[str], ampk: Iterable[str], child_role: str = ChildRole.VICTIM.value
) -> bool:
    """Say whether a case with these violence types, AMPK categories and child's role is restricted from
    the start.

    Sexual violence, trafficking and children in conflict with the law (and the AMPK categories of
    sexual crime, abduction and trafficking, economic and sexual exploitation and pornography) keep the
    child's identity out of lists, and so does a child who is a witness or in conflict with the law.
    """
    return bool(
        set(violence_types) & RESTRICTED_VIOLENCE
        or set(ampk) & RESTRICTED_AMPK
        or child_role in RESTRICTED_CHILD_ROLES
    )


def first_contact_due(registered_at: datetime, risk_level: str) -> datetime:
    """Return when the first contact is due for a case registered then with this risk level."""
    return registered_at + FIRST_CONTACT_DUE[risk_level]
