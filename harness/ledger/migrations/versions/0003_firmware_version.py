"""Issue 18: each device's firmware version as the Device Asset Library gave it when the run began, for the
completion report's test items.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # as 0002: a ledger taken back to an older revision by hand may have it already
    if "firmware_version" not in {c["name"] for c in sa.inspect(op.get_bind()).get_columns("devices")}:
        op.add_column("devices", sa.Column("firmware_version", sa.Text, nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("devices") as batch:
        batch.drop_column("firmware_version")
