"""The dashboard and its export cost the same for any number of case managers: the first ones are
listed, the others summed up in one row, on the page, in the export and in the API alike."""

from __future__ import annotations

import io

import time_machine
from openpyxl import load_workbook

from caseapp.reports import caseload
from tests.conftest import login
from tests.test_reports import dataset  # noqa: F401  (a fixture)


def _table(page: str) -> str:
    start = page.index('data-testid="caseload-table"')
    return page[start : page.index("</table>", start)]


def test_case_managers_after_the_listed_ones_are_summed_up(app, client, dataset, monkeypatch):  # noqa: F811
    monkeypatch.setattr(caseload, "MANAGER_ROWS", 1)
    with time_machine.travel("2026-03-20 08:00:00", tick=False):
        login(client, dataset["supervisor"].username)
        page = client.get("/reports/caseload?period=2026-03").get_data(as_text=True)
        api = client.get("/api/v1/reports/caseload?period=2026-03").json
        xlsx = client.get("/reports/caseload?period=2026-03&format=xlsx")
    assert xlsx.status_code == 200 and int(xlsx.headers["Content-Length"]) == len(xlsx.data)
    table = _table(page)
    assert "Ani" in table and "Budi" not in table
    assert 'data-testid="caseload-others"' in table and "Manajer kasus lain (1)" in table
    assert [w["name"] for w in api["workers"]] == ["Ani"]  # the API lists the same ones
    others = api["other_workers"]
    assert others["managers"] == 1 and others["open"] >= 1
    sheet = load_workbook(io.BytesIO(xlsx.data)).worksheets[3]  # after the About sheet
    rows = [[c.value for c in row] for row in sheet.iter_rows()]  # the title, the header, then the rows
    assert [r[0] for r in rows[2:]] == ["Ani", "Manajer kasus lain (1)"]
    assert rows[3][1] == others["open"]


def test_without_more_case_managers_there_is_no_summary_row(app, client, dataset):  # noqa: F811
    with time_machine.travel("2026-03-20 08:00:00", tick=False):
        login(client, dataset["supervisor"].username)
        page = client.get("/reports/caseload?period=2026-03").get_data(as_text=True)
        api = client.get("/api/v1/reports/caseload?period=2026-03").json
    table = _table(page)
    assert "Ani" in table and "Budi" in table and 'data-testid="caseload-others"' not in table
    assert {w["name"] for w in api["workers"]} == {"Ani", "Budi"} and api["other_workers"] is None


def test_what_is_kept_of_a_dashboard_does_not_grow_with_the_staff(app, dataset, monkeypatch):  # noqa: F811
    from caseapp.reports.periods import parse_period

    monkeypatch.setattr(caseload, "MANAGER_ROWS", 1)
    with app.app_context():
        report = caseload.build(dataset["supervisor"].agency_id, parse_period("2026-03"))
    assert [w.name for w in report.workers] == ["Ani"]  # what the cache keeps, pickled, read on every view
    assert report.others is not None and report.others.user_id == 1
