"""Persistence models, one module per domain."""

from caseapp.models.agency import Agency
from caseapp.models.api_token import ApiToken
from caseapp.models.attachment import Attachment
from caseapp.models.audit_event import AuditEvent
from caseapp.models.case import (
    Case,
    CaseAmpk,
    CaseEvent,
    CaseNote,
    CaseNumberCounter,
    CaseParty,
    CaseTeamMember,
    CaseViolenceType,
    Incident,
    ServiceRecord,
)
from caseapp.models.data_key import DataKey
from caseapp.models.export_job import ExportJob
from caseapp.models.intake import Complaint, OutreachVisit, ShelterStay
from caseapp.models.legal import Diversion, LegalEvent
from caseapp.models.name_index import CaseNameToken
from caseapp.models.practice import Assessment, CarePlan, CarePlanGoal, Conference, Task
from caseapp.models.reference_code import ReferenceCode
from caseapp.models.referral import Notification, OutboxMessage, Referral
from caseapp.models.region import Region
from caseapp.models.retention import LegalHold
from caseapp.models.user import LoginThrottle, MfaRecoveryCode, User, UserSession

__all__ = [
    "Agency",
    "Assessment",
    "CarePlan",
    "CarePlanGoal",
    "Conference",
    "Task",
    "ApiToken",
    "Attachment",
    "AuditEvent",
    "Case",
    "CaseAmpk",
    "CaseNameToken",
    "CaseEvent",
    "CaseNote",
    "CaseNumberCounter",
    "CaseParty",
    "CaseTeamMember",
    "CaseViolenceType",
    "Complaint",
    "ServiceRecord",
    "ShelterStay",
    "DataKey",
    "ExportJob",
    "Incident",
    "Diversion",
    "LegalEvent",
    "LegalHold",
    "LoginThrottle",
    "MfaRecoveryCode",
    "Notification",
    "OutboxMessage",
    "OutreachVisit",
    "Referral",
    "ReferenceCode",
    "Region",
    "User",
    "UserSession",
]
