"""The ledger's tables as this release has them (the head of harness/ledger/migrations), in SQLAlchemy Core: one
definition for SQLite and PostgreSQL. A new ledger is made from them; an older one is brought to them by the
migrations, and a test holds the two equal (tests/test_ledger_migrations.py).

Timestamps are TEXT in ISO 8601 (they sort as text), booleans INTEGER, lists and dicts TEXT holding JSON, as
every release wrote them. An id is BIGSERIAL on PostgreSQL and INTEGER PRIMARY KEY AUTOINCREMENT on SQLite.
"""

from __future__ import annotations

from sqlalchemy import (
    REAL,
    BigInteger,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    text,
)

# Revisions in order; the last is this release's. Kept here so opening a ledger at head never imports Alembic
# (tests/test_ledger_migrations.py checks it against the migration scripts).
REVISIONS = ("0001", "0002", "0003", "0004", "0005")
HEAD = REVISIONS[-1]
VERSION_TABLE = "alembic_version"

metadata = MetaData()


def _id() -> Column:
    return Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True)


settings = Table("settings", metadata, Column("key", Text, primary_key=True), Column("value", Text, nullable=False))

suspensions = Table(
    "suspensions", metadata, _id(),
    Column("asset", Text, nullable=False), Column("device_type", Text, nullable=False),
    Column("condition", Integer, CheckConstraint("condition BETWEEN 1 AND 4"), nullable=False),
    Column("reason", Text, nullable=False), Column("suspended_at", Text, nullable=False),
    Column("resumed_at", Text), Column("fix_reference", Text),
    sqlite_autoincrement=True)

runs = Table(
    "runs", metadata, _id(),
    Column("started_at", Text, nullable=False), Column("finished_at", Text), Column("status", Text, nullable=False),
    Column("lab", Text, nullable=False), Column("selection", Text, nullable=False),
    Column("argv", Text, nullable=False), Column("host", Text, nullable=False),
    Column("pid", Integer, nullable=False), Column("reason", Text),
    sqlite_autoincrement=True)

devices = Table(
    "devices", metadata,
    Column("run_id", Integer, ForeignKey("runs.id"), nullable=False), Column("asset", Text, nullable=False),
    Column("test_set", Text, nullable=False), Column("ch_variant", Text, nullable=False),
    Column("device_type", Text, nullable=False), Column("manufacturer", Text, nullable=False),
    Column("model", Text, nullable=False), Column("standard", Text, nullable=False),
    Column("gbcs_version", Text, nullable=False), Column("zigbee_version", Text, nullable=False),
    Column("silicon", Text, nullable=False), Column("sub_ghz", Integer, nullable=False),
    Column("firmware_version", Text, nullable=False, server_default=""),        # 0003
    PrimaryKeyConstraint("run_id", "test_set", "asset"))

planned = Table(
    "planned", metadata,
    Column("run_id", Integer, ForeignKey("runs.id"), nullable=False), Column("node", Text, nullable=False),
    Column("scenario_id", Text, nullable=False), Column("title", Text, nullable=False),
    Column("family", Text, nullable=False), Column("tags", Text, nullable=False), Column("priority", Text),
    Column("business_critical", Integer, nullable=False), Column("requirements", Text, nullable=False),
    Column("baseline", Text), Column("test_set", Text), Column("ch_variant", Text),
    Column("dual_band", Integer, nullable=False), Column("kind", Text, nullable=False),
    Column("service_user", Text, nullable=False), Column("dsp_csp", Text, nullable=False),
    Column("hub_standard", Text, nullable=False), Column("meter_standard", Text, nullable=False),
    Column("devices", Text, nullable=False),
    Column("cast_", Text, nullable=False, server_default=""),                   # 0002
    PrimaryKeyConstraint("run_id", "node"))

executions = Table(
    "executions", metadata, _id(),
    Column("run_id", Integer, ForeignKey("runs.id"), nullable=False), Column("node", Text, nullable=False),
    Column("scenario_id", Text, nullable=False), Column("baseline", Text), Column("test_set", Text),
    Column("ch_variant", Text), Column("devices", Text, nullable=False),
    Column("outcome", Text, CheckConstraint("outcome IN ('passed', 'failed', 'blocked', 'skipped', 'not_run')"),
           nullable=False),
    Column("started_at", Text), Column("finished_at", Text, nullable=False), Column("duration_s", REAL, nullable=False),
    Column("virtual_s", REAL, nullable=False), Column("service_requests", Integer, nullable=False),
    Column("failed_step", Text), Column("error", Text), Column("evidence", Text), Column("blocked", Text),
    Column("participants", Text, nullable=False, server_default="[]"),          # 0002
    Column("alerts", Text, nullable=False, server_default="[]"),                # 0002
    Column("cast_", Text, nullable=False, server_default=""),                   # 0002
    Column("operators", Text, nullable=False, server_default="[]"),             # 0004
    Column("place", Text),                                                      # 0005
    Index("executions_by_run", "run_id", "node"),
    sqlite_autoincrement=True)

test_issues = Table(
    "test_issues", metadata,
    Column("id", Text, primary_key=True), Column("title", Text, nullable=False),
    Column("severity", Integer, CheckConstraint("severity BETWEEN 1 AND 5"), nullable=False),
    Column("owner", Text, nullable=False), Column("status", Text, nullable=False),
    Column("security", Integer, nullable=False), Column("raised_at", Text, nullable=False),
    Column("closed_at", Text), Column("work_off_plan", Text), Column("plan_due", Text),
    Column("close_reason", Text))                                               # 0002

issue_links = Table(
    "issue_links", metadata,
    Column("issue_id", Text, ForeignKey("test_issues.id"), nullable=False), Column("execution_id", Integer),
    Column("scenario_id", Text, nullable=False))

criterion_evidence = Table(
    "criterion_evidence", metadata, _id(),
    Column("criterion", Text, nullable=False), Column("status", Text, nullable=False),
    Column("reference", Text, nullable=False), Column("recorded_by", Text, nullable=False),
    Column("recorded_at", Text, nullable=False),
    Column("sha256", Text), Column("automated", Integer, nullable=False, server_default=text("0")),  # 0002
    Column("run_id", Integer), Column("detail", Text),                                              # 0002
    sqlite_autoincrement=True)

LEDGER_TABLES = frozenset(metadata.tables)

# Alembic's own table, as Alembic makes it: a new ledger is stamped at head in it without importing Alembic.
version = Table(VERSION_TABLE, MetaData(), Column("version_num", String(32), nullable=False),
                PrimaryKeyConstraint("version_num", name="alembic_version_pkc"))
