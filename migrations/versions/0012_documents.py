"""documents: PDFs kept by what they were drawn from, and drawn in the background

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 08:00:00

"""

from alembic import op
import sqlalchemy as sa
import survey_app.models.types  # noqa: F401  (custom column types)


# revision identifiers, used by Alembic.
revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("slot", sa.String(length=300), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("html", sa.Text(), nullable=True),
        sa.Column("content", sa.LargeBinary(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("claimed_by", sa.String(length=200), nullable=True),
        sa.Column("claimed_until", survey_app.models.types.UTCDateTime(), nullable=True),
        sa.Column("requested_at", survey_app.models.types.UTCDateTime(), nullable=False),
        sa.Column("drawn_at", survey_app.models.types.UTCDateTime(), nullable=True),
        sa.CheckConstraint(
            "status IN ('queued', 'ready', 'failed')", name=op.f("ck_documents_status_known")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_documents")),
        sa.UniqueConstraint("key", name=op.f("uq_documents_key")),
    )
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_documents_slot"), ["slot"], unique=False)


def downgrade():
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_documents_slot"))
    op.drop_table("documents")
