"""invitation unit copies: how often the unit's values were copied into an invitation

Counted so that an open round's kept report PDF is named by its data's last change
without counting the report (`results.kept_report.kept_shows`).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 21:50:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("invitations", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("unit_copies", sa.Integer(), nullable=False, server_default="0")
        )


def downgrade():
    with op.batch_alter_table("invitations", schema=None) as batch_op:
        batch_op.drop_column("unit_copies")
