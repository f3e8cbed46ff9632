"""Alembic's environment for the ledger: dit hands it the connection (harness.ledger.migrations.upgrade), already in
the transaction that holds the ledger's write lock, so the migrations and the new revision commit together."""

from alembic import context

from harness.ledger.schema import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise SystemExit("the ledger's migrations run when dit opens a ledger (harness.ledger.migrations.upgrade)")
context.configure(connection=connection, target_metadata=metadata)
with context.begin_transaction():
    context.run_migrations()
