"""invitations by unit: an index for a unit's invitations across rounds

The respondent's page looks up the unit's previous profile by `unit_id` on every first
view; the unique (round_id, unit_id) index cannot serve that, so each view scanned
every invitation of every round.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 08:40:00

"""

from alembic import op


# revision identifiers, used by Alembic.
revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("invitations", schema=None) as batch_op:
        batch_op.create_index("ix_invitations_unit_id", ["unit_id"], unique=False)


def downgrade():
    with op.batch_alter_table("invitations", schema=None) as batch_op:
        batch_op.drop_index("ix_invitations_unit_id")
