"""invitations keep their unit as it was for the round

Each invitation gets the unit's name, field, status, region, municipality and
deactivation as they were for its round: copied when the invitation is made, kept in
step while the round is open, frozen when it closes, so that a closed round's numbers
never change with later roster edits. Existing invitations start from the roster as it
is now (the best record there is of earlier rounds).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 09:00:00

"""

from alembic import op
import sqlalchemy as sa
import survey_app.models.types  # noqa: F401  (custom column types)


# revision identifiers, used by Alembic.
revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

COPIED = ("name", "field", "status", "region", "municipality", "deactivated_at")


def upgrade():
    with op.batch_alter_table("invitations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("unit_name", sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column("unit_field", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("unit_status", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("unit_region", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("unit_municipality", sa.String(length=200), nullable=True))
        batch_op.add_column(
            sa.Column("unit_deactivated_at", survey_app.models.types.UTCDateTime(), nullable=True)
        )
    for name in COPIED:
        op.execute(
            f"UPDATE invitations SET unit_{name} ="  # noqa: S608 (names from COPIED)
            f" (SELECT units.{name} FROM units WHERE units.id = invitations.unit_id)"
        )
    with op.batch_alter_table("invitations", schema=None) as batch_op:
        for name, length in (
            ("name", 300),
            ("field", 200),
            ("status", 16),
            ("region", 200),
            ("municipality", 200),
        ):
            batch_op.alter_column(
                f"unit_{name}", existing_type=sa.String(length=length), nullable=False
            )
        batch_op.create_index(
            batch_op.f("ix_invitations_unit_region"), ["unit_region"], unique=False
        )


def downgrade():
    with op.batch_alter_table("invitations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_invitations_unit_region"))
        for name in reversed(COPIED):
            batch_op.drop_column(f"unit_{name}")
