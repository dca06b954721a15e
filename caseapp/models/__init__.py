"""Persistence models, one module per domain."""

from caseapp.models.agency import Agency
from caseapp.models.region import Region
from caseapp.models.user import User, UserSession

__all__ = ["Agency", "Region", "User", "UserSession"]
