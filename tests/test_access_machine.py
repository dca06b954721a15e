"""Property-based access test: a Hypothesis state machine of users, agencies, cases, assignments and
referrals. After every step, every user's visible cases and every referral's readers are what the rules
(written out again here, independently of the services) say they are.

The rules, as the design states them: a case is read by the active supervisors of its owning agency and by
its active case manager and team members while they work for that agency; analysts, auditors and
administrators read none. A referral's shared sections are read by the receiving agency's active supervisors
and by its assignee (while a worker there), while it is sent, accepted or completed (and the case is not
cancelled).
"""

from __future__ import annotations

import json

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    initialize,
    invariant,
    multiple,
    rule,
)

from caseapp.extensions import db
from caseapp.models import Agency, Case, Referral, User
from caseapp.schemas.base import parse_json
from caseapp.schemas.cases import AssignIn
from caseapp.schemas.referrals import AcceptIn, CompleteIn, ReferralIn, WithdrawIn
from caseapp.services import cases, referrals
from caseapp.services.referrals.access import may_read_shared
from caseapp.services.scoping import visible_cases
from tests.casedata import case_input

AGENCIES = ["UPTD_PPA", "POLRESTA", "DINSOS"]
ROLES = ["case_worker", "case_worker", "supervisor", "analyst", "auditor", "admin"]
CASE_ROLES = {"case_worker", "supervisor"}


def _referral_body(to_agency: str) -> ReferralIn:
    return parse_json(
        ReferralIn,
        json.dumps(
            {
                "to_agency": to_agency,
                "services": ["legal_aid"],
                "urgency": "routine",
                "reason": "State machine referral.",
                "shared_sections": ["incident"],
                "consent": {"given_by": "guardian", "name": "Ibu", "obtained_at": "2026-11-20"},
            }
        ),
    )


def run_machine(make_user) -> None:
    """Run the machine in the caller's app context (one database: the model checks only what it made)."""

    class AccessMachine(RuleBasedStateMachine):
        users = Bundle("users")
        case_ids = Bundle("cases")
        referral_ids = Bundle("referrals")

        def __init__(self) -> None:
            super().__init__()
            self.people: dict[int, dict] = {}
            self.files: dict[int, dict] = {}
            self.refs: dict[int, dict] = {}
            self.agency_ids = dict(db.session.execute(db.select(Agency.code, Agency.id)).tuples().all())

        # A starting team in every agency (two workers and a supervisor), so that steps meet each other.
        @initialize(target=users)
        def team(self):
            ids = []
            for agency in AGENCIES:
                for role in ("case_worker", "case_worker", "supervisor"):
                    ids.append(self.add_user(role, agency))
            return multiple(*ids)

        # Steps ---------------------------------------------------------------------------------------

        @rule(target=users, role=st.sampled_from(ROLES), agency=st.sampled_from(AGENCIES))
        def add_user(self, role: str, agency: str) -> int:
            user = make_user(role, agency)
            self.people[user.id] = {"role": role, "agency": agency, "active": True}
            return user.id

        @rule(target=case_ids, who=users)
        def register(self, who: int):
            person = self.people[who]
            if not (person["active"] and person["role"] in CASE_ROLES):
                return None
            case = cases.register_case(db.session.get(User, who), case_input()).case
            db.session.commit()
            self.files[case.id] = {"agency": person["agency"], "manager": who, "team": set()}
            return case.id

        @rule(case_id=case_ids, data=st.data())
        def assign(self, case_id, data) -> None:
            if case_id is None:
                return
            file = self.files[case_id]
            bosses = [u for u, p in self.people.items() if self._works(p, file["agency"], "supervisor")]
            workers = [u for u, p in self.people.items() if self._works(p, file["agency"])]
            if not bosses or not workers:
                return
            boss = data.draw(st.sampled_from(bosses))
            manager = data.draw(st.sampled_from(workers))
            team = data.draw(st.lists(st.sampled_from(workers), max_size=2, unique=True))
            case = db.session.get(Case, case_id)
            names = {u: db.session.get(User, u).username for u in {manager, *team}}
            body = {"case_manager": names[manager], "team": [names[t] for t in team], "version": case.version}
            value = parse_json(AssignIn, json.dumps(body))
            cases.assign(db.session.get(User, boss), case, value)
            db.session.commit()
            file["manager"], file["team"] = manager, set(team) - {manager}

        @rule(who=users)
        def deactivate(self, who: int) -> None:
            db.session.get(User, who).active = False
            db.session.commit()
            self.people[who]["active"] = False

        @rule(who=users, agency=st.sampled_from(AGENCIES))
        def move(self, who: int, agency: str) -> None:
            db.session.get(User, who).agency_id = self.agency_ids[agency]
            db.session.commit()
            self.people[who]["agency"] = agency

        @rule(target=referral_ids, case_id=case_ids, to=st.sampled_from(AGENCIES), data=st.data())
        def refer(self, case_id, to: str, data):
            if case_id is None or to == self.files[case_id]["agency"]:
                return None
            readers = [u for u in self.people if case_id in self._expected_cases(u)]
            if not readers:
                return None
            sender = data.draw(st.sampled_from(readers))
            referral = referrals.send(
                db.session.get(User, sender), db.session.get(Case, case_id), _referral_body(to)
            )
            db.session.commit()
            self.refs[referral.id] = {"case": case_id, "to": to, "status": "sent", "assignee": None}
            return referral.id

        @rule(referral_id=referral_ids, data=st.data())
        def accept(self, referral_id, data) -> None:
            if referral_id is None or self.refs[referral_id]["status"] != "sent":
                return
            to = self.refs[referral_id]["to"]
            takers = [u for u, p in self.people.items() if self._works(p, to)]
            if not takers:
                return
            who = data.draw(st.sampled_from(takers))
            referrals.accept(
                db.session.get(User, who), db.session.get(Referral, referral_id), parse_json(AcceptIn, "{}")
            )
            db.session.commit()
            self.refs[referral_id].update(status="accepted", assignee=who)

        @rule(referral_id=referral_ids, data=st.data())
        def complete(self, referral_id, data) -> None:
            ref = self.refs.get(referral_id) if referral_id is not None else None
            if ref is None or ref["status"] != "accepted":
                return
            closers = [
                u
                for u, p in self.people.items()
                if self._works(p, ref["to"]) and (p["role"] == "supervisor" or u == ref["assignee"])
            ]
            if not closers:
                return
            who = data.draw(st.sampled_from(closers))
            value = parse_json(CompleteIn, json.dumps({"outcome": "provided"}))
            referrals.complete(db.session.get(User, who), db.session.get(Referral, referral_id), value)
            db.session.commit()
            ref["status"] = "completed"

        @rule(referral_id=consumes(referral_ids), data=st.data())
        def withdraw(self, referral_id, data) -> None:
            ref = self.refs.get(referral_id) if referral_id is not None else None
            if ref is None or ref["status"] not in ("sent", "accepted"):
                return
            senders = [u for u in self.people if ref["case"] in self._expected_cases(u)]
            if not senders:
                return
            who = data.draw(st.sampled_from(senders))
            value = parse_json(WithdrawIn, json.dumps({"reason": "No longer needed."}))
            referrals.withdraw(db.session.get(User, who), db.session.get(Referral, referral_id), value)
            db.session.commit()
            ref["status"] = "withdrawn"

        # The rules, again ----------------------------------------------------------------------------

        def _works(self, person: dict, agency: str, role: str | None = None) -> bool:
            return (
                person["active"]
                and person["agency"] == agency
                and person["role"] in CASE_ROLES
                and (role is None or person["role"] == role)
            )

        def _expected_cases(self, user_id: int) -> set[int]:
            person = self.people[user_id]
            return {
                case_id
                for case_id, file in self.files.items()
                if self._works(person, file["agency"])
                and (person["role"] == "supervisor" or file["manager"] == user_id or user_id in file["team"])
            }

        def _expected_reader(self, user_id: int, ref: dict) -> bool:
            person = self.people[user_id]
            return (
                self._works(person, ref["to"])
                and (person["role"] == "supervisor" or ref["assignee"] == user_id)
                and ref["status"] in ("sent", "accepted", "completed")
            )

        @invariant()
        def everyone_sees_exactly_what_the_rules_say(self) -> None:
            mine = set(self.files)
            for user_id in self.people:
                user = db.session.get(User, user_id)
                stmt = visible_cases(user).with_only_columns(Case.id)
                seen = set(db.session.scalars(stmt)) & mine
                assert seen == self._expected_cases(user_id), (user_id, self.people[user_id])
                for referral_id, ref in self.refs.items():
                    allowed = may_read_shared(user, db.session.get(Referral, referral_id))
                    assert allowed == self._expected_reader(user_id, ref), (user_id, referral_id, ref)

    AccessMachine.TestCase.settings = settings(
        max_examples=15,
        stateful_step_count=25,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    from hypothesis.stateful import run_state_machine_as_test

    run_state_machine_as_test(AccessMachine, settings=AccessMachine.TestCase.settings)


def test_access_follows_the_rules_through_any_sequence_of_steps(app, make_user):
    with app.app_context():
        run_machine(make_user)
