"""Issue 23: the labgrid place each execution ran on (a real bench's test set, acquired by dit run).

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # as 0002: a ledger taken back to an older revision by hand may have it already
    if "place" not in {c["name"] for c in sa.inspect(op.get_bind()).get_columns("executions")}:
        op.add_column("executions", sa.Column("place", sa.Text))


def downgrade() -> None:
    with op.batch_alter_table("executions") as batch:
        batch.drop_column("place")
