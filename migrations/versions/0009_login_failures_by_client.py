"""login failures counted per client, not on the account

An account no longer locks for everyone after five wrong passwords: failures are
counted per client address (and per account from that address) in `link_failures`,
so the account's own counter and lock go.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 07:00:00

"""

from alembic import op
import sqlalchemy as sa
import survey_app.models.types  # noqa: F401  (custom column types)


# revision identifiers, used by Alembic.
revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("admins", schema=None) as batch_op:
        batch_op.drop_column("locked_until")
        batch_op.drop_column("failed_logins")


def downgrade():
    with op.batch_alter_table("admins", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("failed_logins", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(
            sa.Column("locked_until", survey_app.models.types.UTCDateTime(), nullable=True)
        )
