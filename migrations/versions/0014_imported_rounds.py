"""imported rounds: a past round loaded from a spreadsheet says so

`flask rounds import` (and the admin's upload) creates a closed round from a file of
an earlier survey; its pages say where its answers came from.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 10:40:00

"""

import sqlalchemy as sa
from alembic import op

from survey_app.models.types import UTCDateTime


# revision identifiers, used by Alembic.
revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("rounds", schema=None) as batch_op:
        batch_op.add_column(sa.Column("imported_from", sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column("imported_at", UTCDateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table("rounds", schema=None) as batch_op:
        batch_op.drop_column("imported_at")
        batch_op.drop_column("imported_from")
