"""Where each unit's mail stands, decided in SQL for a whole round at once.

The one rule, for the dashboard's counts, its list of units and `invitations status`:
the latest invitation or reminder that is done (sent or failed) decides; one still
waiting shows as queued unless an earlier one reached the unit (sent, not bounced).
"""

from sqlalchemy import Subquery, and_, bindparam, case, func, null, select

from ..models import Invitation, OutboxMessage

MAIL_KINDS = ("invitation", "reminder")  # receipts do not count
# What the rule reads of a message (the fewer, the cheaper the statement is to build).
MAIL_COLUMNS = (
    "id",
    "invitation_id",
    "status",
    "created_at",
    "sent_at",
    "bounced_at",
    "next_attempt_at",
    "last_error",
)

NOT_INVITED = "not invited"  # no invitation (neither `send` nor `links` ran for it)
NOT_MAILED = "not mailed"  # an invitation (from `links`), no email queued
QUEUED = "queued"  # an email waits (or is being retried); none reached the unit before
SENT = "sent"  # the mail server took it
FAILED = "failed"  # the server refused it, or retries ran out
BOUNCED = "bounced"  # the server took it, then reported it undeliverable


def mail_states(round_id: int, paged: bool = False, detailed: bool = True) -> Subquery:
    """One row per invitation of the round that has mail (`paged`: of the invitations
    given as the parameter `mail_for` when the statement runs, e.g. one page's):
    `invitation_id`, `state`, `at` (when it got there), `reason` (the server's answer,
    for failed, bounced and queued mail) and `ever_sent` (1 when the server ever took
    one of its emails). Not `detailed` (for counting): `at` and `reason` are NULL, and
    the newest waiting message need not be found (a sort of every queued one)."""
    columns = select(*(getattr(OutboxMessage, name) for name in MAIL_COLUMNS))
    if not paged:
        mails = columns.join(Invitation, Invitation.id == OutboxMessage.invitation_id)
        mails = mails.where(Invitation.round_id == round_id)
    else:  # a few invitations: their rows by index, not the round's every invitation
        mails = columns.where(
            OutboxMessage.invitation_id.in_(bindparam("mail_for", expanding=True))
        )
    mails = mails.where(OutboxMessage.kind.in_(MAIL_KINDS)).subquery()
    done = _latest(mails, mails.c.status != "queued")
    each = (
        select(
            mails.c.invitation_id,
            func.max(case((mails.c.status == "sent", 1), else_=0)).label("ever_sent"),
            func.max(case((mails.c.status == "queued", 1), else_=0)).label("waiting"),
        )
        .group_by(mails.c.invitation_id)
        .subquery()
    )
    reached = case((and_(done.c.status == "sent", done.c.bounced_at.is_(None)), 1), else_=0)
    is_queued = and_(each.c.waiting == 1, reached == 0)
    is_failed = done.c.status == "failed"
    is_bounced = done.c.bounced_at.is_not(None)
    state = case((is_queued, QUEUED), (is_failed, FAILED), (is_bounced, BOUNCED), else_=SENT)
    query = (
        select(each.c.invitation_id, state.label("state"))
        .select_from(each)
        .outerjoin(done, done.c.invitation_id == each.c.invitation_id)
    )
    if not detailed:
        return query.add_columns(
            null().label("at"), null().label("reason"), each.c.ever_sent
        ).subquery()
    waiting = _latest(mails, mails.c.status == "queued")
    # No column keeps a failing attempt's time: that attempt was due then.
    at = case(
        (is_queued, waiting.c.created_at),
        (is_failed, done.c.next_attempt_at),
        (is_bounced, done.c.bounced_at),
        else_=done.c.sent_at,
    )
    reason = case(
        (is_queued, waiting.c.last_error),
        (is_failed | is_bounced, done.c.last_error),
        else_=None,
    )
    return (
        query.add_columns(at.label("at"), reason.label("reason"), each.c.ever_sent)
        .outerjoin(waiting, waiting.c.invitation_id == each.c.invitation_id)
        .subquery()
    )


def _latest(mails: Subquery, condition) -> Subquery:
    """Each invitation's newest email among those meeting `condition`."""
    ranked = (
        select(
            mails,
            func.row_number()
            .over(
                partition_by=mails.c.invitation_id,
                order_by=(mails.c.created_at.desc(), mails.c.id.desc()),
            )
            .label("rank"),
        )
        .where(condition)
        .subquery()
    )
    return select(ranked).where(ranked.c.rank == 1).subquery()
