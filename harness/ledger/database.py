"""One connection to the phase ledger's database, SQLite or PostgreSQL, behind the same few calls.

SQL is written once, for both: `?` placeholders (turned into `%s` for PostgreSQL), TEXT timestamps in
ISO 8601 (they sort as text), INTEGER for booleans, TEXT holding JSON for lists, and `{serial}` in DDL
for an auto-numbered primary key. Writes happen in `transaction()`: on SQLite that is BEGIN IMMEDIATE,
so concurrent writers (xdist workers, a second engineer) queue on the lock instead of failing mid-way.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

from harness.errors import DitError

SQLITE, POSTGRESQL = "sqlite:///", "postgresql://"
_SERIAL = {"sqlite": "INTEGER PRIMARY KEY AUTOINCREMENT", "postgresql": "BIGSERIAL PRIMARY KEY"}
_DSN_FIX = "use sqlite:///path/to/phase.db or postgresql://user@host/db"


def describe(dsn: str) -> str:
    """The DSN without its password, for messages and reports."""
    if not dsn.startswith(POSTGRESQL):
        return dsn
    parts = urlsplit(dsn)
    host = parts.hostname or ""
    user = f"{parts.username}@" if parts.username else ""
    port = f":{parts.port}" if parts.port else ""
    return f"postgresql://{user}{host}{port}{parts.path}"


class Database:
    def __init__(self, dsn: str):
        self.dsn = dsn
        if dsn.startswith(SQLITE):
            self.kind = "sqlite"
            self._open_sqlite(Path(dsn.removeprefix(SQLITE)))
        elif dsn.startswith((POSTGRESQL, "postgres://")):
            self.kind = "postgresql"
            self._open_postgresql(dsn)
        else:
            raise DitError(f"ledger DSN {dsn!r} is neither SQLite nor PostgreSQL", fix=_DSN_FIX)

    def _open_sqlite(self, path: Path) -> None:
        self.where = str(path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            # isolation_level=None: no implicit transactions; transaction() says where they begin and end.
            self._conn = sqlite3.connect(path, timeout=60, isolation_level=None, check_same_thread=False)
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA foreign_keys=ON")
        except (sqlite3.DatabaseError, OSError) as exc:
            raise DitError(f"cannot open the ledger: {exc}", where=self.where,
                           fix="give --ledger a new file, or restore this one from its backup") from None
        self._errors = (sqlite3.DatabaseError,)

    def _open_postgresql(self, dsn: str) -> None:
        self.where = describe(dsn)
        try:
            import psycopg
        except ImportError:
            raise DitError("PostgreSQL ledgers need psycopg", fix="pip install 'psycopg[binary]'") from None
        try:
            self._conn = psycopg.connect(dsn, autocommit=True, connect_timeout=10)
        except psycopg.Error as exc:
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise DitError(f"cannot reach the ledger: {reason}", where=self.where,
                           fix="check the server is up and the DSN's user, host and database") from None
        self._errors = (psycopg.Error,)

    def close(self) -> None:
        self._conn.close()

    def _sql(self, sql: str) -> str:
        return sql.replace("?", "%s") if self.kind == "postgresql" else sql

    def script(self, ddl: str) -> None:
        """Create what is missing (tables, indexes); statements are separated by ';'."""
        with self.transaction():
            for statement in ddl.format(serial=_SERIAL[self.kind]).split(";"):
                if statement.strip():
                    self._conn.execute(statement)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        try:
            if self.kind == "sqlite":
                self._conn.execute("BEGIN IMMEDIATE")
                try:
                    yield
                except BaseException:
                    self._conn.execute("ROLLBACK")
                    raise
                self._conn.execute("COMMIT")
            else:
                with self._conn.transaction():
                    yield
        except self._errors as exc:
            raise DitError(f"ledger write failed: {exc}", where=self.where) from None

    def execute(self, sql: str, params: Sequence = ()) -> int:
        """One statement; the number of rows it changed."""
        return self._conn.execute(self._sql(sql), tuple(params)).rowcount

    def insert(self, sql: str, params: Sequence = ()) -> int:
        """One INSERT ... RETURNING id; the new row's id."""
        return self._conn.execute(self._sql(sql), tuple(params)).fetchone()[0]

    def many(self, sql: str, rows: Sequence[Sequence]) -> None:
        cursor = self._conn.cursor()
        cursor.executemany(self._sql(sql), [tuple(r) for r in rows])

    def rows(self, sql: str, params: Sequence = ()) -> list[tuple]:
        try:
            return self._conn.execute(self._sql(sql), tuple(params)).fetchall()
        except self._errors as exc:
            raise DitError(f"cannot read the ledger: {exc}", where=self.where,
                           fix="is this a DIT phase ledger? give --ledger the right one") from None
