"""The measured pages: for each, the request lines wrk cycles through (one client per line) and the status
every answer must have."""

from __future__ import annotations

import json
import urllib.parse
from dataclasses import dataclass

from bench.clients import cookie_header
from bench.fixtures import Fixtures, list_path


def register_body() -> str:
    """A valid registration (the child's name, birth date and NIK are drawn per request by the wrk script)."""
    body = {
        "child": {
            "name": "{{NAME}}",
            "nik": "{{NIK}}",
            "sex": "F",
            "date_of_birth": "{{DOB}}",
            "disability": False,
            "address": "Jl. Beban No. 1, Kendari",
            "kelurahan": "74.71.01.1005",
            "school": "",
        },
        "incident": {
            "date": "2026-10-01",
            "date_is_approximate": False,
            "kelurahan": "74.71.01.1005",
            "place": "household",
            "violence_types": ["physical"],
            "primary_violence_type": "physical",
            "ampk": [],
            "narrative": "Data sintetis untuk uji beban.",
        },
        "parties": [
            {
                "role": "guardian",
                "name": "Ibu Beban",
                "phone": "0812-0000-0001",
                "address": "",
                "relationship": "parent",
                "sex": "F",
                "age_group": "18+",
                "is_child": False,
            }
        ],
        "channel": "walk_in",
        "risk_level": "medium",
    }
    return json.dumps(body, separators=(",", ":"))


@dataclass
class Scenario:
    """One measured page: the request lines wrk cycles through and the status each must answer."""

    name: str
    label: str
    lines: list[str]
    expect: int = 200
    bare: bool = False


def scenarios(fx: Fixtures, sessions: dict[str, list[tuple[dict[str, str], str]]]) -> list[Scenario]:
    """Build the request files: one line per (client, target) pair, clients interleaved."""

    def gets(role: str, paths: list[str]) -> list[str]:
        people = sessions[role]
        n = max(len(people), len(paths))
        return [
            f"GET\t{paths[i % len(paths)]}\t{cookie_header(people[i % len(people)][0])}\t" for i in range(n)
        ]

    case_list = list_path(fx)
    worker = sessions["case_worker"]
    search = []
    for i in range(max(len(worker), len(fx.niks))):
        cookies, csrf = worker[i % len(worker)]
        form = urllib.parse.urlencode({"csrf_token": csrf, "by": "nik", "query": fx.niks[i % len(fx.niks)]})
        headers = cookie_header(cookies) + "|Content-Type: application/x-www-form-urlencoded"
        search.append(f"POST\t/cases/search\t{headers}\t{form}")
    api_headers = f"Authorization: Bearer {fx.token}|Content-Type: application/json"
    register = [f"POST\t/api/v1/cases\t{api_headers}\t{register_body()}"]
    bare_list = "/bare/cases?" + case_list.split("?", 1)[1]
    return [
        Scenario("login_page", "sign-in page", ["GET\t/login\t\t"]),
        Scenario("case_list", "case list, page 1, two filters", gets("case_worker", [case_list])),
        Scenario(
            "case_list_deep",
            f"case list, row {fx.deep_position:,}",
            gets("case_worker", [f"/cases/?after={fx.deep_after}"]),
        ),
        Scenario(
            "case_page",
            "case page (decrypt + audit)",
            gets("case_worker", [f"/cases/{c}" for c in fx.case_ids]),
        ),
        Scenario("nik_search", "NIK search", search),
        Scenario("register", "register a case (API)", register, expect=201),
        Scenario("dashboard", "supervisor dashboard", gets("supervisor", ["/reports/caseload"])),
        Scenario("recap", "task-force recap", gets("analyst", ["/reports/recap"])),
        Scenario(
            "export_xlsx", "XLSX export (caseload)", gets("supervisor", ["/reports/caseload?format=xlsx"])
        ),
        Scenario("bare_list", "bare: case list SQL", [f"GET\t{bare_list}\t\t"], bare=True),
        Scenario(
            "bare_case", "bare: case page SQL", [f"GET\t/bare/cases/{c}\t\t" for c in fx.case_ids], bare=True
        ),
    ]
