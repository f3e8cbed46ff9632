"""Issue 17: which devices took part in an execution and how, the alerts it received and its cast (also a planned
test's); evidence's document digest, whether dit recorded it, from which run and with which figures; why an issue
closed without a retest. Ledgers of the development builds between ab80485 and this revision already have some
of these columns: only the missing ones are added.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None



def _columns() -> list[tuple[str, sa.Column]]:
    """Made afresh for each use: a Column belongs to the one table it is added to."""
    return [
        ("planned", sa.Column("cast_", sa.Text, nullable=False, server_default="")),
        ("executions", sa.Column("participants", sa.Text, nullable=False, server_default="[]")),
        ("executions", sa.Column("alerts", sa.Text, nullable=False, server_default="[]")),
        ("executions", sa.Column("cast_", sa.Text, nullable=False, server_default="")),
        ("criterion_evidence", sa.Column("sha256", sa.Text)),
        ("criterion_evidence", sa.Column("automated", sa.Integer, nullable=False, server_default=sa.text("0"))),
        ("criterion_evidence", sa.Column("run_id", sa.Integer)),
        ("criterion_evidence", sa.Column("detail", sa.Text)),
        ("test_issues", sa.Column("close_reason", sa.Text)),
    ]


def upgrade() -> None:
    inspector = sa.inspect(op.get_bind())
    for table, column in _columns():
        if column.name not in {c["name"] for c in inspector.get_columns(table)}:
            op.add_column(table, column)


def downgrade() -> None:
    for table, column in reversed(_columns()):
        with op.batch_alter_table(table) as batch:
            batch.drop_column(column.name)
