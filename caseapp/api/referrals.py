"""Referral resources of the JSON API: the same schemas and services as the referral pages."""

from __future__ import annotations

from caseapp.api.endpoint import endpoint
from caseapp.api.views import bp
from caseapp.http.context import acting_user
from caseapp.http.policy import require
from caseapp.schemas.referrals import (
    AcceptIn,
    AssignIn,
    CompleteIn,
    DeclineIn,
    ReferralIn,
    ReferralListOut,
    ReferralListQuery,
    ReferralOut,
    WithdrawIn,
)
from caseapp.security.permissions import Permission
from caseapp.services import cases, referrals

REFERRAL = "/referrals/<int(max=2147483647):referral_id>"


@bp.route("/cases/<case_id>/referrals", methods=["POST"])
@require(Permission.REFERRAL_SEND, hide=True)
@endpoint(body=ReferralIn, response=ReferralOut, status=201)
def send_referral(case_id: str, body: ReferralIn) -> ReferralOut:
    """Refer a case to another agency, with the consent and the sections it may read."""
    me = acting_user()
    referral = referrals.send(me, cases.get_case(me, case_id), body)
    return referrals.as_seen_by(me, referral)


@bp.route("/referrals", methods=["GET"])
@require(Permission.REFERRAL_RESPOND)
@endpoint(query=ReferralListQuery, response=ReferralListOut)
def list_referrals(query: ReferralListQuery) -> ReferralListOut:
    """The agency's incoming referrals or the outgoing ones of the user's cases, soonest due first."""
    me = acting_user()
    rows = referrals.list_referrals(me, query)
    return ReferralListOut(items=[referrals.as_seen_by(me, r) for r in rows])


@bp.route(REFERRAL, methods=["GET"])
@require(Permission.REFERRAL_RESPOND, hide=True)
@endpoint(response=ReferralOut)
def get_referral(referral_id: int) -> ReferralOut:
    """One referral; the receiving supervisor and assignee also get the shared sections (`case`)."""
    me = acting_user()
    return referrals.as_seen_by(me, referrals.view_referral(me, referral_id), with_shared=True)


@bp.route(f"{REFERRAL}/accept", methods=["POST"])
@require(Permission.REFERRAL_RESPOND, hide=True)
@endpoint(body=AcceptIn, response=ReferralOut, errors=(409,))
def accept_referral(referral_id: int, body: AcceptIn) -> ReferralOut:
    """Accept a sent referral (a supervisor may name the worker; anyone else accepts for themselves).

    The body may be left out.
    """
    me = acting_user()
    return referrals.as_seen_by(me, referrals.accept(me, referrals.get_referral(me, referral_id), body))


@bp.route(f"{REFERRAL}/assign", methods=["POST"])
@require(Permission.REFERRAL_RESPOND, hide=True)
@endpoint(body=AssignIn, response=ReferralOut, errors=(409,))
def assign_referral(referral_id: int, body: AssignIn) -> ReferralOut:
    """Assign a sent or accepted referral to a worker of the receiving agency (supervisors)."""
    me = acting_user()
    return referrals.as_seen_by(me, referrals.assign(me, referrals.get_referral(me, referral_id), body))


@bp.route(f"{REFERRAL}/decline", methods=["POST"])
@require(Permission.REFERRAL_RESPOND, hide=True)
@endpoint(body=DeclineIn, response=ReferralOut, errors=(409,))
def decline_referral(referral_id: int, body: DeclineIn) -> ReferralOut:
    """Decline a sent referral (the receiving supervisor or assignee), with a reason."""
    me = acting_user()
    return referrals.as_seen_by(me, referrals.decline(me, referrals.get_referral(me, referral_id), body))


@bp.route(f"{REFERRAL}/complete", methods=["POST"])
@require(Permission.REFERRAL_RESPOND, hide=True)
@endpoint(body=CompleteIn, response=ReferralOut, errors=(409,))
def complete_referral(referral_id: int, body: CompleteIn) -> ReferralOut:
    """Complete an accepted referral (receiving supervisor or assignee); records the services on the case."""
    me = acting_user()
    return referrals.as_seen_by(me, referrals.complete(me, referrals.get_referral(me, referral_id), body))


@bp.route(f"{REFERRAL}/withdraw", methods=["POST"])
@require(Permission.REFERRAL_SEND, hide=True)
@endpoint(body=WithdrawIn, response=ReferralOut, errors=(409,))
def withdraw_referral(referral_id: int, body: WithdrawIn) -> ReferralOut:
    """Withdraw a sent or accepted referral (the referring side), saying why."""
    me = acting_user()
    return referrals.as_seen_by(me, referrals.withdraw(me, referrals.get_referral(me, referral_id), body))
