"""The ledger as release ab80485 wrote it, the first revision. An empty database gets its tables; a ledger from
before versioning (any release up to ab80485, which had no version table) gets what the releases before 474b8b4
lacked: why a run was interrupted (runs.reason) and what blocked an execution (executions.blocked).

Revision ID: 0001
Revises: (none)
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _id() -> sa.Column:
    return sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=True)


def _text(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.Text, nullable=nullable)


def _integer(name: str, *check: sa.CheckConstraint) -> sa.Column:
    return sa.Column(name, sa.Integer, *check, nullable=False)


def _create_tables() -> None:
    """As ab80485's DDL had them (its _SCHEMA), table by table."""
    op.create_table("settings", sa.Column("key", sa.Text, primary_key=True), _text("value"))
    op.create_table("suspensions", _id(), _text("asset"), _text("device_type"),
                    _integer("condition", sa.CheckConstraint("condition BETWEEN 1 AND 4")), _text("reason"),
                    _text("suspended_at"), _text("resumed_at", True), _text("fix_reference", True),
                    sqlite_autoincrement=True)
    op.create_table("runs", _id(), _text("started_at"), _text("finished_at", True), _text("status"), _text("lab"),
                    _text("selection"), _text("argv"), _text("host"), _integer("pid"), _text("reason", True),
                    sqlite_autoincrement=True)
    op.create_table("devices", sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id"), nullable=False),
                    *(_text(name) for name in ("asset", "test_set", "ch_variant", "device_type", "manufacturer",
                                               "model", "standard", "gbcs_version", "zigbee_version", "silicon")),
                    _integer("sub_ghz"), sa.PrimaryKeyConstraint("run_id", "test_set", "asset"))
    op.create_table("planned", sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id"), nullable=False),
                    _text("node"), _text("scenario_id"), _text("title"), _text("family"), _text("tags"),
                    _text("priority", True), _integer("business_critical"), _text("requirements"),
                    _text("baseline", True), _text("test_set", True), _text("ch_variant", True), _integer("dual_band"),
                    _text("kind"), _text("service_user"), _text("dsp_csp"), _text("hub_standard"),
                    _text("meter_standard"), _text("devices"), sa.PrimaryKeyConstraint("run_id", "node"))
    op.create_table("executions", _id(), sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id"), nullable=False),
                    _text("node"), _text("scenario_id"), _text("baseline", True), _text("test_set", True),
                    _text("ch_variant", True), _text("devices"),
                    sa.Column("outcome", sa.Text, sa.CheckConstraint(
                        "outcome IN ('passed', 'failed', 'blocked', 'skipped', 'not_run')"), nullable=False),
                    _text("started_at", True), _text("finished_at"), sa.Column("duration_s", sa.REAL, nullable=False),
                    sa.Column("virtual_s", sa.REAL, nullable=False), _integer("service_requests"),
                    _text("failed_step", True), _text("error", True), _text("evidence", True), _text("blocked", True),
                    sqlite_autoincrement=True)
    op.create_index("executions_by_run", "executions", ["run_id", "node"])
    op.create_table("test_issues", sa.Column("id", sa.Text, primary_key=True), _text("title"),
                    _integer("severity", sa.CheckConstraint("severity BETWEEN 1 AND 5")), _text("owner"),
                    _text("status"), _integer("security"), _text("raised_at"), _text("closed_at", True),
                    _text("work_off_plan", True), _text("plan_due", True))
    op.create_table("issue_links", sa.Column("issue_id", sa.Text, sa.ForeignKey("test_issues.id"), nullable=False),
                    sa.Column("execution_id", sa.Integer), _text("scenario_id"))
    op.create_table("criterion_evidence", _id(), _text("criterion"), _text("status"), _text("reference"),
                    _text("recorded_by"), _text("recorded_at"), sqlite_autoincrement=True)


def upgrade() -> None:
    inspector = sa.inspect(op.get_bind())
    if "runs" not in inspector.get_table_names():
        _create_tables()
        return
    for table, column in (("runs", "reason"), ("executions", "blocked")):      # added by release 474b8b4
        if column not in {c["name"] for c in inspector.get_columns(table)}:
            op.add_column(table, sa.Column(column, sa.Text, nullable=True))


def downgrade() -> None:
    """Back to no ledger at all (dit itself never goes down a revision: its backup is the ledger as it was)."""
    op.drop_index("executions_by_run", "executions")
    for table in ("criterion_evidence", "issue_links", "test_issues", "executions", "planned", "devices", "runs",
                  "suspensions", "settings"):
        op.drop_table(table)
