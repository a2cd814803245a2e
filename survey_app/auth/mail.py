"""The password-reset email: an admin's one-time link, registered with the outbox as a
secret mail kind (its text opens the account, so no page ever shows it)."""

from flask_babel import gettext as _

from ..models import OutboxMessage
from ..outbox.kinds import MailKind, RenderedMessage
from ..outbox.render import from_templates
from . import password_reset


def _render(message: OutboxMessage, _ahead=None) -> RenderedMessage:
    """The link to choose a new password (the refusal check found the reset open)."""
    reset = password_reset.current_reset(message.admin)
    context = {
        "admin": message.admin,
        "language": message.language,
        "link": password_reset.link_for(reset),
        "expires_at": reset.expires_at,
    }
    return from_templates(message.kind, _("Password reset for the survey administration"), context)


def _refusal(message: OutboxMessage) -> str | None:
    """A reset link goes out only while it can still be used."""
    admin = message.admin
    if message.to_address != admin.email:
        return "superseded: the admin's address changed"
    reset = password_reset.current_reset(admin)
    if reset is None or reset.created_at > message.created_at:
        return "superseded: a newer password reset was asked for"
    if reset.used_at is not None:
        return "not sent: the password reset was used"
    if not password_reset.is_open(reset):
        return "not sent: the password reset link expired"
    return None


PASSWORD_RESET = MailKind("password_reset", render=_render, refusal=_refusal, secret=True)
