"""submitted in one place: the invitation

A unit's submission was kept twice, as `invitations.submitted_at` and as
`responses.status` / `responses.submitted_at`, and only one function kept them in step.
The invitation's time is the one fact now; the response keeps its answers and draft.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 06:00:00

"""

from alembic import op
import sqlalchemy as sa
import survey_app.models.types  # noqa: F401  (custom column types)


# revision identifiers, used by Alembic.
revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade():
    # Whatever was recorded only on the response survives on the invitation.
    op.execute(
        "UPDATE invitations SET submitted_at = ("
        " SELECT responses.submitted_at FROM responses"
        " WHERE responses.invitation_id = invitations.id)"
        " WHERE submitted_at IS NULL AND EXISTS ("
        " SELECT 1 FROM responses WHERE responses.invitation_id = invitations.id"
        " AND responses.status = 'submitted' AND responses.submitted_at IS NOT NULL)"
    )
    with op.batch_alter_table("responses", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_responses_status_known"), type_="check")
        batch_op.drop_column("status")
        batch_op.drop_column("submitted_at")


def downgrade():
    with op.batch_alter_table("responses", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("submitted_at", survey_app.models.types.UTCDateTime(), nullable=True)
        )
        batch_op.add_column(
            sa.Column("status", sa.String(length=16), nullable=False, server_default="draft")
        )
        batch_op.create_check_constraint(
            batch_op.f("ck_responses_status_known"), "status IN ('draft', 'submitted')"
        )
    op.execute(
        "UPDATE responses SET status = 'submitted', submitted_at = ("
        " SELECT invitations.submitted_at FROM invitations"
        " WHERE invitations.id = responses.invitation_id)"
        " WHERE EXISTS (SELECT 1 FROM invitations WHERE invitations.id = responses.invitation_id"
        " AND invitations.submitted_at IS NOT NULL)"
    )
