"""The domain models, one module per aggregate."""

from .admin import Admin, ApiToken
from .audit import AuditEntry
from .document import Document
from .invitation import Invitation
from .link_failure import LinkFailure
from .outbox import OutboxMessage
from .password_reset import PasswordReset
from .questionnaire import QuestionnaireVersion
from .response import Answer, Response, SubmittedVersion
from .round import Round, round_questionnaires
from .round_reminder import RoundReminder
from .unit import Unit

__all__ = [
    "Admin",
    "ApiToken",
    "AuditEntry",
    "Answer",
    "Document",
    "Invitation",
    "LinkFailure",
    "OutboxMessage",
    "PasswordReset",
    "QuestionnaireVersion",
    "Response",
    "Round",
    "RoundReminder",
    "SubmittedVersion",
    "Unit",
    "round_questionnaires",
]
