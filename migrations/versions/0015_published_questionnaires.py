"""published questionnaires: a stored version says whether an author published it

A version published by an author (`flask questionnaires publish`, the questionnaires'
page) keeps its number even if a later release ships a file of the same number.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 20:10:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("questionnaire_versions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("published", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade():
    with op.batch_alter_table("questionnaire_versions", schema=None) as batch_op:
        batch_op.drop_column("published")
