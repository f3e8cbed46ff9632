"""The ledger's schema migrations (Alembic), run by dit itself when it opens a ledger an older release made: no
alembic.ini, the scripts are found beside this file (in a checkout and in an installed wheel alike).

versions/0001: the ledger as release ab80485 wrote it; a ledger from before versioning is brought to it.
versions/0002: issue 17 (who took part in an execution, its alerts and cast; evidence's digest and origin; why an
issue closed without a retest).
versions/0003: issue 18 (each device's firmware version, for the report's test items).
The next one: docs/architecture.md, "The ledger's schema".
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Connection

FOLDER = Path(__file__).parent


def upgrade(connection: Connection, to: str = "head") -> None:
    """Bring the ledger on `connection` to `to` inside the transaction the caller holds: all of it, or none."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(FOLDER))
    config.attributes["connection"] = connection
    command.upgrade(config, to)


def revisions() -> list[str]:
    """The revisions the scripts define, oldest first."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory(str(FOLDER))
    return [r.revision for r in reversed(list(script.walk_revisions()))]
