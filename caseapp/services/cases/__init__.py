"""Cases: register, find, view, change, move through their lifecycle, assign, notes and services.

Every function takes the acting user, reads cases only through `visible_cases`, takes input already
validated by `caseapp.schemas.cases`, writes its audit entry in the same transaction, flushes and never
commits. By subject:

- `query`: one case, filtered lists with keyset pages, search, the audited reads (NIK, access log);
- `duplicates`: the same child twice (NIK blind index, name and birth date);
- `records`: registering and changing a case, its snapshot and the differences from an input;
- `lifecycle`: the step table behind `transition` and `available_actions`;
- `open_work`: what still keeps a case from being closed (open referrals);
- `assignment`: case manager and team;
- `incidents`: one incident with several children (shared date, place and perpetrators; linked cases);
- `notes`: notes and services;
- `rules`: who may do what with a case they can see (`allowed_steps`, `check`);
- `domain`: pure rules a synthetic-data generator shares (age band, initials, restricted by default,
  first contact due); `next_case_number` is in `records`.
"""

from caseapp.services.cases.assignment import assign, assignable_users
from caseapp.services.cases.domain import (
    FIRST_CONTACT_DUE,
    RESTRICTED_AMPK,
    RESTRICTED_VIOLENCE,
    age_group,
    first_contact_due,
    initials,
    restricted_by_default,
)
from caseapp.services.cases.duplicates import NIK_INDEX, Duplicates, find_duplicates, nik_index
from caseapp.services.cases.incidents import incident_cases, link_incident
from caseapp.services.cases.lifecycle import STEPS, available_actions, transition
from caseapp.services.cases.notes import add_note, add_service, case_services, visible_notes
from caseapp.services.cases.open_work import open_work
from caseapp.services.cases.query import (
    SORTS,
    CaseFilter,
    SearchResult,
    access_log,
    case_filter,
    count_cases,
    filtered_cases,
    get_case,
    list_cases,
    list_label,
    manager_choices,
    overdue_first_contacts,
    reveal_nik,
    search_cases,
    timeline,
    view_case,
)
from caseapp.services.cases.records import (
    Registered,
    claim,
    current_input,
    differences,
    is_restricted_input,
    next_case_number,
    patch_case,
    register_case,
    registered_with,
    reserve_case_numbers,
    snapshot,
    update_case,
)
from caseapp.services.cases.rules import CaseStep, allowed_steps
from caseapp.services.scoping import visible_cases

__all__ = [
    "FIRST_CONTACT_DUE",
    "NIK_INDEX",
    "RESTRICTED_AMPK",
    "RESTRICTED_VIOLENCE",
    "SORTS",
    "STEPS",
    "CaseFilter",
    "CaseStep",
    "Duplicates",
    "Registered",
    "SearchResult",
    "access_log",
    "add_note",
    "add_service",
    "age_group",
    "allowed_steps",
    "assign",
    "assignable_users",
    "available_actions",
    "case_filter",
    "case_services",
    "claim",
    "count_cases",
    "current_input",
    "differences",
    "filtered_cases",
    "find_duplicates",
    "first_contact_due",
    "get_case",
    "incident_cases",
    "initials",
    "is_restricted_input",
    "list_cases",
    "link_incident",
    "list_label",
    "manager_choices",
    "next_case_number",
    "nik_index",
    "open_work",
    "overdue_first_contacts",
    "patch_case",
    "register_case",
    "registered_with",
    "reserve_case_numbers",
    "restricted_by_default",
    "reveal_nik",
    "search_cases",
    "snapshot",
    "timeline",
    "transition",
    "update_case",
    "view_case",
    "visible_cases",
    "visible_notes",
]
