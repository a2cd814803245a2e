"""unit codes are safe identifiers

A code is used in addresses (/admin/units/<code>/edit, .../units/<code>/reissue): one
such as "x/../KEHY002" made a browser act on another unit. From now on a code is
A-Z a-z 0-9 . _ -, at most 32 characters, never "." or "..". The import refuses any
other; this migration lists the rows of the roster that break the rule and stops, so
that they are renamed (e.g. `units import` with the right code, then deactivating the
old row) before the upgrade goes on. It changes no data itself.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 08:00:00

"""

import re

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

SAFE_CODE = re.compile(r"(?!\.\.?\Z)[A-Za-z0-9._-]{1,32}\Z")


def upgrade():
    codes = op.get_bind().execute(sa.text("SELECT code FROM units ORDER BY code")).scalars()
    unsafe = [code for code in codes if not SAFE_CODE.match(code)]
    if unsafe:
        raise RuntimeError(
            "These unit codes are not safe identifiers (A-Z a-z 0-9 . _ -, at most 32"
            " characters, not '.' or '..'); give the units new codes and upgrade again: "
            + ", ".join(repr(code) for code in unsafe)
        )


def downgrade():
    pass
