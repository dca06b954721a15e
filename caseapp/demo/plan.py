"""One demo case, decided before it exists: the child, the people around them, the incident, the story and
what the case has become by now, as the registration body the schemas validate (`CaseIn`)."""

from __future__ import annotations

import random
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from caseapp.demo.data import (
    AGE_WEIGHTS,
    AGENCY_WEIGHTS,
    AMPK_OF,
    CHANNEL_WEIGHTS,
    DAYS_BACK,
    DEFAULT_RISK,
    GIRL_SHARE,
    KECAMATAN_WEIGHTS,
    NARRATIVE_MARK,
    NARRATIVES,
    PERPETRATOR_KNOWN,
    PERPETRATOR_MALE,
    PERPETRATOR_WEIGHTS,
    PLACE_WEIGHTS,
    RELATION_LABEL,
    RISK_WEIGHTS,
    SECOND_TYPE,
    STATUS_WEIGHTS_MONTH,
    STATUS_WEIGHTS_OLDER,
    STATUS_WEIGHTS_RECENT,
    VIOLENCE_WEIGHTS,
    YOUNG_AGE_WEIGHTS,
)
from caseapp.demo.people import (
    address,
    adult_name,
    child_name,
    family,
    given_name,
    phone,
    pick,
    school,
    years_between,
)
from caseapp.models.case import AgeGroup


@dataclass
class Kelurahan:
    """A kelurahan a child can live in, with its kecamatan's code."""

    code: str
    name: str
    kecamatan: str


@dataclass
class Plan:
    """Everything decided about one case before it is registered."""

    body: dict[str, Any]
    agency: str
    created_at: datetime
    dob: date | None
    target: str
    violence: str
    guardian: str
    kelurahan_name: str


def party(role: str, name: str, relationship: str | None, sex: str | None, **extra: Any) -> dict[str, Any]:
    """Return one party of the registration body."""
    return {"role": role, "name": name, "relationship": relationship, "sex": sex, **extra}


def choose_narrative(rng: random.Random, violence: str, relationship: str | None, age: int) -> str:
    """Return a story that fits the violence, the perpetrator and the child's age (still with its blanks)."""
    options = NARRATIVES[violence]
    fitting = [
        text for text, fits, lo, hi in options if (not fits or relationship in fits) and lo <= age <= hi
    ]
    return rng.choice(fitting) if fitting else options[0][0]


# Alleged perpetrators' age bands (SIMFONI-PPA's adult bands), mostly 25-44; an unknown one stays "18+".
_ADULT_BANDS = [
    AgeGroup.ADULT_25_44,
    AgeGroup.ADULT_18_24,
    AgeGroup.ADULT_25_44,
    AgeGroup.ADULT_45_59,
    AgeGroup.ADULT_25_44,
    AgeGroup.ADULT_60_PLUS,
    AgeGroup.ADULT,
]


def _adult_band(name: str, relationship: str) -> str:
    """Return an adult's age band, drawn from the name so that the demo's random sequence is unchanged."""
    return _ADULT_BANDS[sum(map(ord, name + relationship)) % len(_ADULT_BANDS)].value


def plan_case(
    rng: random.Random, now: datetime, places: list[Kelurahan], agencies: Collection[str], niks: set[str]
) -> Plan:
    """Decide one case of one of `agencies`, registered before `now`; a NIK drawn is added to `niks`."""
    agency = pick(rng, [(code, w) for code, w in AGENCY_WEIGHTS if code in agencies])
    violence = pick(rng, VIOLENCE_WEIGHTS)
    types = [violence]
    if rng.random() < 0.25:
        types.append(rng.choice(SECOND_TYPE[violence]))
    sex = "F" if rng.random() < GIRL_SHARE[violence] else "M"

    # When: incidents over the last 18 months (a little more recent), reported days to weeks later.
    days_ago = int(DAYS_BACK * rng.random() ** 1.15)
    incident = (now - timedelta(days=days_ago)).date()
    if violence == "sexual":
        delay = pick(rng, (((0, 2), 40), ((3, 14), 35), ((15, 60), 25)))
    else:
        delay = pick(rng, (((0, 2), 60), ((3, 14), 30), ((15, 45), 10)))
    # Every draw is taken whatever the clock says, so a seed gives the same cases at any time of day.
    delay_days = rng.randint(*delay)
    office_minutes = rng.randint(0, 9 * 60)  # 08:00-17:00 WITA is 00:00-09:00 UTC
    recent_minutes = rng.randint(5, 180)
    registered = datetime.combine(incident + timedelta(days=delay_days), time()) + timedelta(
        minutes=office_minutes
    )
    if registered > now - timedelta(minutes=5):
        registered = now - timedelta(minutes=recent_minutes)
    registered = min(max(registered, datetime.combine(incident, time())), now)

    # The child: age at the incident, date of birth, NIK (about 30% have none recorded).
    weights = YOUNG_AGE_WEIGHTS if violence == "neglect" else AGE_WEIGHTS
    age = rng.choices(range(18), weights=weights, k=1)[0]
    dob = incident - timedelta(days=int(age * 365.25) + rng.randint(1, 360))
    if years_between(dob, incident) >= 18:
        dob += timedelta(days=2)
    per_kecamatan: dict[str, int] = {}
    for k in places:
        per_kecamatan[k.kecamatan] = per_kecamatan.get(k.kecamatan, 0) + 1
    home = pick(
        rng, [(k, KECAMATAN_WEIGHTS.get(k.kecamatan, 5) / per_kecamatan[k.kecamatan]) for k in places]
    )
    nik = None
    if rng.random() < 0.7:
        day = dob.day + (40 if sex == "F" else 0)
        kec = home.code.split(".")[2]
        for _attempt in range(20):
            candidate = f"7471{kec}{day:02d}{dob:%m%y}{rng.randint(1, 2999):04d}"
            if candidate not in niks:
                niks.add(candidate)
                nik = candidate
                break
    known_dob = nik is not None or rng.random() < 0.5
    fam = family(rng)
    name = child_name(rng, fam, sex)
    home_address = address(rng)
    child: dict[str, Any] = {
        "name": name,
        "nik": nik,
        "sex": sex,
        "date_of_birth": dob.isoformat() if known_dob else None,
        "age": None if known_dob else age,
        "disability": rng.random() < 0.04,
        "address": home_address,
        "kelurahan": home.code,
        "school": school(rng, age, violence),
    }

    # The people around the child.
    parties: list[dict[str, Any]] = []
    perpetrator_rel = None
    perpetrator_sex = "M"
    pelaku = "pelaku"
    if rng.random() < PERPETRATOR_KNOWN[violence]:
        perpetrator_rel = pick(rng, PERPETRATOR_WEIGHTS[violence])
        perpetrator_sex = "M" if rng.random() < PERPETRATOR_MALE.get(violence, 0.6) else "F"
        pelaku = RELATION_LABEL[(perpetrator_rel, perpetrator_sex)]
        peer = perpetrator_rel == "partner_friend" and rng.random() < 0.6
        stranger = perpetrator_rel == "stranger"
        if stranger:
            perpetrator_name = ""  # unknown to the family
        elif peer:
            perpetrator_name = child_name(rng, family(rng), perpetrator_sex)
        else:
            own = fam if perpetrator_rel in ("parent", "relative") else None
            perpetrator_name = adult_name(rng, own, perpetrator_sex)
        parties.append(
            party(
                "perpetrator",
                perpetrator_name,
                perpetrator_rel,
                perpetrator_sex,
                age_group=AgeGroup.AGE_13_17.value
                if peer
                else _adult_band(perpetrator_name, perpetrator_rel),
                address="" if stranger or rng.random() < 0.5 else address(rng),
            )
        )
    # The guardian: the parent who is not the perpetrator, or a relative.
    if perpetrator_rel == "parent":
        guardian_sex = "F" if perpetrator_sex == "M" else "M"
        guardian_rel = "parent" if rng.random() < 0.7 else "relative"
    else:
        guardian_sex = "F" if rng.random() < 0.65 else "M"
        guardian_rel = "parent" if rng.random() < 0.8 else "relative"
    guardian_name = adult_name(rng, fam, guardian_sex)
    taken = {given_name(p["name"]) for p in parties if p["name"]}
    for _attempt in range(5):  # a guardian and a perpetrator do not share a given name
        if given_name(guardian_name) not in taken:
            break
        guardian_name = adult_name(rng, fam, guardian_sex)
    guardian_phone = phone(rng)
    parties.insert(
        0,
        party(
            "guardian",
            guardian_name,
            guardian_rel,
            guardian_sex,
            phone=guardian_phone,
            address=home_address,
            age_group=AgeGroup.ADULT.value,
        ),
    )
    wali = {("parent", "F"): "ibu anak", ("parent", "M"): "ayah anak"}.get(
        (guardian_rel, guardian_sex), "wali anak"
    )
    # The reporter: often the guardian, else a teacher, neighbour, relative or community figure.
    reporter_kind = pick(
        rng, (("guardian", 47), ("teacher", 12), ("neighbour", 15), ("relative", 13), ("other", 13))
    )
    if reporter_kind == "guardian":
        parties.append(party("reporter", guardian_name, guardian_rel, guardian_sex, phone=guardian_phone))
        pelapor = wali
    else:
        rep_sex = "F" if rng.random() < 0.55 else "M"
        parties.append(
            party("reporter", adult_name(rng, None, rep_sex), reporter_kind, rep_sex, phone=phone(rng))
        )
        pelapor = {"teacher": "guru di sekolah", "neighbour": "tetangga", "relative": "kerabat"}.get(
            reporter_kind, "ketua RT setempat"
        )
    if rng.random() < 0.2:
        wit_sex = "F" if rng.random() < 0.5 else "M"
        if rng.random() < 0.4:
            parties.append(
                party(
                    "witness",
                    child_name(rng, family(rng), wit_sex),
                    "partner_friend",
                    wit_sex,
                    age_group=AgeGroup.AGE_13_17.value if age >= 12 else AgeGroup.AGE_6_12.value,
                )
            )
        else:
            parties.append(
                party(
                    "witness",
                    adult_name(rng, None, wit_sex),
                    rng.choice(("neighbour", "relative")),
                    wit_sex,
                    phone=phone(rng),
                )
            )

    ampk = [AMPK_OF[t] for t in types if t in AMPK_OF]
    if child["disability"]:
        ampk.append("disability")
    channel = (
        "school" if reporter_kind == "teacher" and rng.random() < 0.6 else pick(rng, CHANNEL_WEIGHTS[agency])
    )
    narrative = choose_narrative(rng, violence, perpetrator_rel, age).format(pelaku=pelaku, pelapor=pelapor)
    incident_place = home if rng.random() < 0.8 else rng.choice(places)
    body = {
        "child": child,
        "incident": {
            "date": incident.isoformat(),
            "date_is_approximate": rng.random() < 0.15,
            "kelurahan": incident_place.code,
            "place": pick(rng, PLACE_WEIGHTS[violence]),
            "violence_types": list(dict.fromkeys(types)),
            "primary_violence_type": violence,
            "ampk": list(dict.fromkeys(ampk)),
            "narrative": f"{NARRATIVE_MARK} {narrative}",
        },
        "parties": parties,
        "channel": channel,
        "risk_level": pick(rng, RISK_WEIGHTS.get(violence, DEFAULT_RISK)),
    }

    # What the case has become by now.
    age_days = days_ago - delay_days  # in whole days, not by the clock (see above)
    if age_days < 7:
        target = pick(rng, STATUS_WEIGHTS_RECENT)
    elif age_days < 30:
        target = pick(rng, STATUS_WEIGHTS_MONTH)
    else:
        target = pick(rng, STATUS_WEIGHTS_OLDER)
    return Plan(
        body=body,
        agency=agency,
        created_at=registered,
        dob=dob if known_dob else None,
        target=target,
        violence=violence,
        guardian=wali,
        kelurahan_name=home.name,
    )
