"""Synthetic people: names in the Buton/Muna, Bugis, Tolaki and general Indonesian styles, addresses, phone
numbers and schools of Kota Kendari, drawn from a seeded random generator."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from caseapp.demo.data import (
    BOY_NAMES,
    BUGIS_FAMILY,
    GENERAL_FAMILY,
    GIRL_NAMES,
    HOUSING,
    LANES,
    MEN_NAMES,
    PHONE_PREFIXES,
    STREETS,
    TOLAKI_FAMILY,
    WOMEN_NAMES,
)

T = TypeVar("T")


def pick(rng: random.Random, weighted: Sequence[tuple[T, float]]) -> T:
    """Return one value of (value, weight) pairs, drawn by weight."""
    values = [v for v, _ in weighted]
    weights = [w for _, w in weighted]
    return rng.choices(values, weights=weights, k=1)[0]


def years_between(born: date, on: date) -> int:
    """Return the age in whole years on a day of someone born on another."""
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def phone(rng: random.Random) -> str:
    """Return an Indonesian mobile number (0812-3456-7890)."""
    return f"{rng.choice(PHONE_PREFIXES)}-{rng.randint(0, 9999):04d}-{rng.randint(0, 9999):04d}"


def address(rng: random.Random) -> str:
    """Return a Kendari street or housing-estate address."""
    rt, rw = rng.randint(1, 12), rng.randint(1, 6)
    roll = rng.random()
    if roll < 0.15:
        return f"{rng.choice(HOUSING)} Blok {rng.choice('ABCDEFG')} No. {rng.randint(1, 40)}"
    street = rng.choice(STREETS)
    if roll < 0.45:
        street += f" Lr. {rng.choice(LANES)}"
    return f"{street} No. {rng.randint(1, 120)}, RT {rt:03d}/RW {rw:03d}"


@dataclass
class Family:
    """How a family's names are built (Buton/Muna, Bugis, Tolaki or general Indonesian)."""

    style: str
    family_name: str
    noble: bool  # La Ode / Wa Ode, Andi


def family(rng: random.Random) -> Family:
    """Draw how a family's names are built."""
    style = pick(rng, (("buton_muna", 25), ("bugis", 20), ("tolaki", 20), ("general", 35)))
    if style == "tolaki":
        return Family(style, rng.choice(TOLAKI_FAMILY), False)
    if style == "bugis":
        return Family(style, rng.choice(BUGIS_FAMILY), rng.random() < 0.4)
    if style == "buton_muna":
        return Family(style, "", rng.random() < 0.6)
    return Family(style, rng.choice(GENERAL_FAMILY) if rng.random() < 0.6 else "", False)


def child_name(rng: random.Random, fam: Family, sex: str) -> str:
    """Return a child's full name in the family's style."""
    given = GIRL_NAMES if sex == "F" else BOY_NAMES
    first = rng.choice(given)
    second = rng.choice([n for n in given if n != first]) if rng.random() < 0.55 else ""
    parts: list[str] = []
    if fam.style == "buton_muna":
        parts.append(("Wa Ode" if sex == "F" else "La Ode") if fam.noble else ("Wa" if sex == "F" else "La"))
    elif fam.style == "bugis" and fam.noble:
        parts.append("Andi")
    parts += [first, second, fam.family_name if rng.random() < 0.7 else ""]
    return " ".join(p for p in parts if p)


def adult_name(rng: random.Random, fam: Family | None, sex: str) -> str:
    """Return an adult's name, in the family's style when the adult belongs to it."""
    name = rng.choice(WOMEN_NAMES if sex == "F" else MEN_NAMES)
    if fam is None:
        extra = rng.choice(GENERAL_FAMILY + TOLAKI_FAMILY) if rng.random() < 0.5 else ""
        return f"{name} {extra}".strip()
    if fam.style == "buton_muna" and not name.startswith("Wa "):
        prefix = ("Wa Ode" if sex == "F" else "La Ode") if fam.noble else ("Wa" if sex == "F" else "La")
        return f"{prefix} {name}"
    if fam.style == "bugis" and fam.noble and sex == "M":
        return f"Andi {name} {fam.family_name}"
    return f"{name} {fam.family_name}".strip() if sex == "M" else name


def given_name(name: str) -> str:
    """Return the first word of a name after the titles (La Ode, Wa, Andi)."""
    words = [w for w in name.split() if w not in ("La", "Wa", "Ode", "Andi", "Muh.")]
    return words[0] if words else name


def school(rng: random.Random, age: int, violence: str) -> str:
    """Return a school for a child of this age, or "" (too young, or out of school)."""
    if age < 4 or (
        violence in ("exploitation", "neglect", "trafficking") and age >= 10 and rng.random() < 0.4
    ):
        return ""
    if age < 6:
        return rng.choice(("TK Pertiwi Kendari", "PAUD Melati Kendari", "")) if rng.random() < 0.5 else ""
    if age <= 12:
        return rng.choice(
            (f"SD Negeri {rng.randint(1, 90)} Kendari", "SD Muhammadiyah Kendari", "MIN 1 Kendari")
        )
    if age <= 15:
        return rng.choice((f"SMP Negeri {rng.randint(1, 23)} Kendari", "MTs Negeri 1 Kendari"))
    return rng.choice(
        (
            f"SMA Negeri {rng.randint(1, 11)} Kendari",
            f"SMK Negeri {rng.randint(1, 6)} Kendari",
            "MAN 1 Kendari",
        )
    )
