"""The published recap against an attacker who downloads every recap an analyst may ask for and solves every
sum relation among them (interval propagation), on a generated data set of several hundred cases.

The data set is the demo generator's (believable Kendari cases of four agencies over 2026, every NIK
distinct, so the attacker's sums across agencies and periods hold exactly: the strongest case for them).
The attacker knows the method: a published count p means a true count in p-4..p+4 (0..4 for p = 0).
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterator

import pytest
import time_machine

from caseapp import cache
from caseapp.demo import plan as demo_plan
from caseapp.demo.accounts import create_demo_users
from caseapp.demo.cases import create_demo_cases
from caseapp.extensions import db
from caseapp.models import Agency, Case
from caseapp.reports import recap as recap_report
from caseapp.reports.periods import parse_period
from tests.conftest import login

CASES = 320
YEAR = "2026"
PERIODS = [YEAR] + [f"{YEAR}-Q{q}" for q in range(1, 5)] + [f"{YEAR}-{m:02d}" for m in range(1, 13)]
QUARTER_MONTHS = {
    f"{YEAR}-Q{q}": [f"{YEAR}-{m:02d}" for m in range(3 * q - 2, 3 * q + 1)] for q in range(1, 5)
}
# Children counted by registration, once each: these tables share out the children of the recap.
CHILD_PARTITIONS = (
    "type_sex_age",
    "type_sex_age_kecamatan",
    "kecamatan",
    "month_type",
    "place",
    "relationship",
    "disability",
)
# Tables whose cells add up over months and quarters (services: a child served in two months is one child
# of the quarter; the months of month_type are rows of their own).
BY_PERIOD = (
    *(k for k in CHILD_PARTITIONS if k != "month_type"),
    "violence_types",
    "ampk",
    "perpetrators",
    "summary",
    "referral_flows",
    "referral_outcomes",
    "referral_timeliness",
)
# Tables whose cells add up over agencies (referrals are seen by both of their agencies).
BY_AGENCY = (*CHILD_PARTITIONS, "violence_types", "ampk", "perpetrators", "summary", "services")

Var = tuple[str, str, str, int, int]  # period, agency ("" for all), table, row, column


class Attack:
    """Intervals of every published value, narrowed by every sum relation until nothing changes."""

    def __init__(self) -> None:
        self.low: dict[Var, int] = {}
        self.high: dict[Var, int] = {}
        self.relations: list[tuple[Var, list[Var]]] = []

    def published(self, var: Var, shown: int) -> None:
        self.low[var] = max(0, shown - 4)
        self.high[var] = shown + 4

    def relate(self, whole: Var, parts: list[Var]) -> None:
        self.relations.append((whole, parts))

    def solve(self, rounds: int = 60) -> None:
        low, high = self.low, self.high
        for _ in range(rounds):
            changed = False
            for whole, parts in self.relations:
                lows = [low[p] for p in parts]
                highs = [high[p] for p in parts]
                sum_low, sum_high = sum(lows), sum(highs)
                if sum_low > low[whole]:
                    low[whole], changed = sum_low, True
                if sum_high < high[whole]:
                    high[whole], changed = sum_high, True
                for p, p_low, p_high in zip(parts, lows, highs, strict=True):
                    new_low = low[whole] - (sum_high - p_high)
                    new_high = high[whole] - (sum_low - p_low)
                    if new_low > low[p]:
                        low[p], changed = new_low, True
                    if new_high < high[p]:
                        high[p], changed = new_high, True
            if not changed:
                return


def _table_relations(attack: Attack, prefix: tuple[str, str], key: str, table: dict) -> None:
    """Rows add up to their total column; columns to their total row (the true layout of the table)."""
    cells = table["cells"]
    if table["total_column"]:
        for i, row in enumerate(cells):
            width = len(row) - 1
            attack.relate((*prefix, key, i, width), [(*prefix, key, i, j) for j in range(width)])
    if table["total_row"]:
        last = len(cells) - 1
        for j in range(len(cells[0])):
            attack.relate((*prefix, key, last, j), [(*prefix, key, i, j) for i in range(last)])


@pytest.fixture
def generated(app, monkeypatch) -> Iterator[list[str]]:
    """Demo cases registered over 2026 (the demo draws over 330 days back from the year's end)."""
    monkeypatch.setattr(demo_plan, "DAYS_BACK", 330)
    with time_machine.travel("2026-12-31 10:00:00", tick=True), app.app_context():
        create_demo_users()
        create_demo_cases(CASES, seed=2026)
        db.session.commit()
        agencies = sorted(db.session.scalars(select_owner_codes()).all())
        # One case per child, so that every sum across agencies and periods holds exactly: a NIK the demo
        # gave a second case (a child registered twice) is taken off the later case.
        seen: set[int] = set()
        for case in db.session.scalars(db.select(Case).order_by(Case.id)):
            if case.child_nik_bidx is not None and case.child_nik_bidx in seen:
                case.child_nik_bidx = None
            seen.add(case.child_nik_bidx or -1)
        db.session.commit()
    yield agencies


def select_owner_codes():
    return db.select(Agency.code).join(Case, Case.owner_agency_id == Agency.id).distinct()


def test_no_true_count_of_1_to_4_can_be_recovered_from_every_recap(app, client, make_user, generated):
    agencies = generated
    assert len(agencies) >= 3
    cache.clear()
    attack = Attack()
    truth: dict[Var, int] = {}
    answers: dict[tuple[str, str], dict] = {}
    with time_machine.travel("2026-12-31 12:00:00", tick=False):
        analyst = make_user("analyst", "BAPPEDA")
        login(client, analyst.username)
        for period in PERIODS:
            for agency in ["", *agencies]:
                response = client.get(f"/api/v1/reports/recap?period={period}&agency={agency}")
                assert response.status_code == 200
                answers[(period, agency)] = response.json
        with app.app_context():
            ids = dict(db.session.execute(db.select(Agency.code, Agency.id)).tuples().all())
            for period, agency in answers:
                raw = recap_report.build(parse_period(period), ids[agency] if agency else None)
                for key, table in raw.tables.items():
                    for i, row in enumerate(table.full()):
                        for j, count in enumerate(row):
                            truth[(period, agency, key, i, j)] = count.n
                truth[(period, agency, "headline", 0, 0)] = raw.children.n
                truth[(period, agency, "headline", 1, 0)] = raw.cases.n
                truth[(period, agency, "headline", 2, 0)] = raw.perpetrators.n
                # Every table that shares out the children adds up to the headline, in truth.
                for key in CHILD_PARTITIONS:
                    assert raw.tables[key].true_total() == raw.children.n, (period, agency, key)
                assert raw.tables["perpetrators"].true_total() == raw.perpetrators.n
        # The files hold the same published figures as the JSON answer.
        text = client.get(f"/api/v1/reports/recap?period={YEAR}&format=csv").get_data(as_text=True)
    lines = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    summary = answers[(YEAR, "")]["tables"]["summary"]["cells"]
    assert [line[1] for line in lines if line and line[0] == "Kasus"][0] == summary[0][0]

    # What the attacker sees, and every sum relation among it.
    for (period, agency), body in answers.items():
        prefix = (period, agency)
        for index, name in enumerate(("children", "cases", "perpetrators")):
            attack.published((*prefix, "headline", index, 0), body[name])
        for key, table in body["tables"].items():
            for i, row in enumerate(table["cells"]):
                for j, value in enumerate(row):
                    attack.published((*prefix, key, i, j), int(value))
            _table_relations(attack, prefix, key, table)
        tables = body["tables"]
        headline = (*prefix, "headline", 0, 0)
        for key in CHILD_PARTITIONS:
            cells = tables[key]["cells"]
            attack.relate(headline, [(*prefix, key, len(cells) - 1, len(cells[-1]) - 1)])
        perpetrators = tables["perpetrators"]["cells"]
        attack.relate((*prefix, "headline", 2, 0), [(*prefix, "perpetrators", len(perpetrators) - 1, 3)])
        for index in range(3):  # the summary's cases, children, perpetrators rows are the headlines
            attack.relate((*prefix, "headline", (1, 0, 2)[index], 0), [(*prefix, "summary", index, 0)])
        # kecamatan x type rows add up to the type rows; kecamatan rows to the kecamatan table.
        fine = tables["type_sex_age_kecamatan"]
        types = tables["type_sex_age"]["rows"]
        by_type = defaultdict(list)
        by_kecamatan = defaultdict(list)
        for i, code in enumerate(fine["rows"]):
            kecamatan, vtype = code.split("|")
            by_type[vtype].append(i)
            by_kecamatan[kecamatan].append(i)
        for t_index, vtype in enumerate(types):
            for j in range(7):
                parts = [(*prefix, "type_sex_age_kecamatan", i, j) for i in by_type[vtype]]
                attack.relate((*prefix, "type_sex_age", t_index, j), parts)
        for k_index, kecamatan in enumerate(tables["kecamatan"]["rows"]):
            for sex_index in range(2):
                parts = [
                    (*prefix, "type_sex_age_kecamatan", i, j)
                    for i in by_kecamatan[kecamatan]
                    for j in range(3 * sex_index, 3 * sex_index + 3)
                ]
                attack.relate((*prefix, "kecamatan", k_index, sex_index), parts)
        # The disability table's total row is the children by sex and age again.
        last_d, last_t = len(tables["disability"]["cells"]) - 1, len(tables["type_sex_age"]["cells"]) - 1
        for j in range(7):
            attack.relate((*prefix, "type_sex_age", last_t, j), [(*prefix, "disability", last_d, j)])
        # A month's recap: its month row of month_type is that month's row in its quarter and in the year.
        if len(period) == 7 and period[5] != "Q":
            quarter = next(q for q, months in QUARTER_MONTHS.items() if period in months)
            for other in (YEAR, quarter):
                row = answers[(other, agency)]["tables"]["month_type"]["rows"].index(period)
                for j in range(len(tables["month_type"]["cells"][0])):
                    attack.relate((other, agency, "month_type", row, j), [(*prefix, "month_type", 0, j)])

    # Across periods: months add up to quarters, quarters to the year; across agencies: agencies add up.
    for agency in ["", *agencies]:
        for key in BY_PERIOD:
            sample = answers[(YEAR, agency)]["tables"][key]["cells"]
            for quarter, months in QUARTER_MONTHS.items():
                for i, row in enumerate(sample):
                    for j in range(len(row)):
                        attack.relate((quarter, agency, key, i, j), [(m, agency, key, i, j) for m in months])
            for i, row in enumerate(sample):
                for j in range(len(row)):
                    attack.relate((YEAR, agency, key, i, j), [(q, agency, key, i, j) for q in QUARTER_MONTHS])
        for index in range(3):
            for quarter, months in QUARTER_MONTHS.items():
                attack.relate(
                    (quarter, agency, "headline", index, 0),
                    [(m, agency, "headline", index, 0) for m in months],
                )
            attack.relate(
                (YEAR, agency, "headline", index, 0),
                [(q, agency, "headline", index, 0) for q in QUARTER_MONTHS],
            )
    for period in PERIODS:
        for key in BY_AGENCY:
            for i, row in enumerate(answers[(period, "")]["tables"][key]["cells"]):
                for j in range(len(row)):
                    attack.relate((period, "", key, i, j), [(period, a, key, i, j) for a in agencies])
        for index in range(3):
            attack.relate(
                (period, "", "headline", index, 0), [(period, a, "headline", index, 0) for a in agencies]
            )

    # Every relation the attacker uses is true of the real counts (else the attack would be unsound).
    for whole, parts in attack.relations:
        assert truth[whole] == sum(truth[p] for p in parts), (whole, parts[:3])
    attack.solve()
    for var, value in truth.items():
        assert attack.low[var] <= value <= attack.high[var], var  # the published figures are honest
    small = [v for v, value in truth.items() if 1 <= value <= 4]
    recovered = [v for v in small if attack.low[v] == attack.high[v]]
    assert len(small) > 200  # the data set has many small cells to attack
    assert recovered == [], f"{len(recovered)} of {len(small)} small counts recovered, e.g. {recovered[:5]}"
