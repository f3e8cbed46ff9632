"""Issue 23: who answered a real bench's operator prompts in each execution.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # as 0002: a ledger taken back to an older revision by hand may have it already
    if "operators" not in {c["name"] for c in sa.inspect(op.get_bind()).get_columns("executions")}:
        op.add_column("executions", sa.Column("operators", sa.Text, nullable=False, server_default="[]"))


def downgrade() -> None:
    with op.batch_alter_table("executions") as batch:
        batch.drop_column("operators")
