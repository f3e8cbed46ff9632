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
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from harness.errors import DitError

if TYPE_CHECKING:                       # psycopg is optional: only PostgreSQL ledgers import it
    import psycopg

SQLITE, POSTGRESQL = "sqlite:///", "postgresql://"
_SERIAL = {"sqlite": "INTEGER PRIMARY KEY AUTOINCREMENT", "postgresql": "BIGSERIAL PRIMARY KEY"}
_DSN_FIX = "use sqlite:///path/to/phase.db or postgresql://user@host/db"
_NO_LEDGER_FIX = "run dit run first, or give --ledger the phase's ledger"


class LedgerUnreachable(DitError):
    """The ledger's server did not answer: the DSN may well be right, the service is not (exit 1, not 2)."""

    exit_code = 1


def describe(dsn: str) -> str:
    """The DSN without its password, for messages and reports."""
    if not dsn.startswith(POSTGRESQL):
        return dsn
    try:
        parts = urlsplit(dsn)
        host, port = parts.hostname or "", parts.port
    except ValueError:                  # a malformed URL: nothing in it can be told apart from a password
        return "postgresql://(malformed)"
    user = f"{parts.username}@" if parts.username else ""
    return f"postgresql://{user}{host}{f':{port}' if port else ''}{parts.path}"


class Database:
    def __init__(self, dsn: str, *, create: bool = True):
        """create: a missing SQLite file is made (the commands that record); without it only an existing one opens."""
        self.dsn = dsn
        self._conn: sqlite3.Connection | psycopg.Connection[tuple[Any, ...]]
        self._errors: tuple[type[Exception], ...]
        if dsn.startswith(SQLITE):
            self.kind = "sqlite"
            self._open_sqlite(Path(dsn.removeprefix(SQLITE)), create)
        elif dsn.startswith((POSTGRESQL, "postgres://")):
            self.kind = "postgresql"
            self._open_postgresql(dsn)
        else:
            raise DitError(f"ledger DSN {dsn!r} is neither SQLite nor PostgreSQL", fix=_DSN_FIX)

    def _open_sqlite(self, path: Path, create: bool) -> None:
        self.where = str(path)
        if not create and not path.is_file():
            raise DitError("no phase ledger here", where=self.where, fix=_NO_LEDGER_FIX)
        try:
            if create:
                path.parent.mkdir(parents=True, exist_ok=True)
            # mode=rw: a reader never makes the file. isolation_level=None: no implicit transactions;
            # transaction() says where they begin and end.
            uri = f"{path.absolute().as_uri()}?mode={'rwc' if create else 'rw'}"
            self._conn = sqlite3.connect(uri, uri=True, timeout=60, isolation_level=None, check_same_thread=False)
            self._conn.execute("PRAGMA foreign_keys=ON")
        except (sqlite3.DatabaseError, OSError) as exc:
            raise DitError(f"cannot open the ledger: {exc}", where=self.where,
                           fix="give --ledger a new file, or restore this one from its backup") from None
        self._errors = (sqlite3.DatabaseError,)

    def _open_postgresql(self, dsn: str) -> None:
        self.where = describe(dsn)
        try:
            import psycopg
            from psycopg.conninfo import conninfo_to_dict
        except ImportError:
            raise DitError("PostgreSQL ledgers need psycopg", fix="pip install 'psycopg[binary]'") from None
        try:                                                # a malformed DSN is bad input, not a server down
            _ = urlsplit(dsn).port          # a port that is no number, or out of range, raises here
            conninfo_to_dict(dsn)
        except (ValueError, psycopg.Error) as exc:
            raise DitError(f"the ledger DSN is not a valid PostgreSQL URL: {_first_line(exc)}", where=self.where,
                           fix=_DSN_FIX) from None
        try:
            self._conn = psycopg.connect(dsn, autocommit=True, connect_timeout=10)
        except psycopg.Error as exc:
            raise LedgerUnreachable(f"cannot reach the ledger: {_first_line(exc)}", where=self.where,
                                    fix="check the server is up and the DSN's user, host and database") from None
        self._errors = (psycopg.Error,)

    def close(self) -> None:
        self._conn.close()

    def _sql(self, sql: str) -> str:
        return sql.replace("?", "%s") if self.kind == "postgresql" else sql

    def tables(self) -> set[str]:
        """The tables the database holds (PostgreSQL: in the schema where new ones go); read only, so a database
        that is not a ledger can be refused untouched."""
        sql = ("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite!_%' ESCAPE '!'"
               if self.kind == "sqlite" else
               "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()")
        try:
            return {name for (name,) in self._conn.execute(sql).fetchall()}
        except self._errors as exc:
            raise DitError(f"cannot open the ledger: {_first_line(exc)}", where=self.where,
                           fix="give --ledger a new file, or restore this one from its backup") from None

    def columns(self, table: str) -> set[str]:
        """The columns a table has: a ledger an older dit made may lack the newer ones."""
        if self.kind == "sqlite":
            return {row[1] for row in self.rows(f"PRAGMA table_info({table})")}
        return {name for (name,) in self.rows("SELECT column_name FROM information_schema.columns "
                                              "WHERE table_schema = current_schema() AND table_name = ?", (table,))}

    def script(self, ddl: str) -> None:
        """Create what is missing (tables, indexes); statements are separated by ';'."""
        if self.kind == "sqlite":       # WAL: readers (a report, xdist workers) never wait for the writer
            try:
                self._conn.execute("PRAGMA journal_mode=WAL")
            except self._errors as exc:
                raise DitError(f"ledger write failed: {exc}", where=self.where) from None
        with self.transaction():
            for statement in ddl.format(serial=_SERIAL[self.kind]).split(";"):
                if statement.strip():
                    self._conn.execute(statement)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        try:
            if isinstance(self._conn, sqlite3.Connection):
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
        except self._errors as exc:       # a lost server's message runs on over lines: its first says it
            raise DitError(f"ledger write failed: {_first_line(exc)}", where=self.where) from None

    def execute(self, sql: str, params: Sequence = ()) -> int:
        """One statement; the number of rows it changed."""
        return self._conn.execute(self._sql(sql), tuple(params)).rowcount

    def insert(self, sql: str, params: Sequence = ()) -> int:
        """One INSERT ... RETURNING id; the new row's id."""
        row = self._conn.execute(self._sql(sql), tuple(params)).fetchone()
        if row is None:
            raise DitError("ledger write returned no id", where=self.where)
        return row[0]

    def many(self, sql: str, rows: Sequence[Sequence]) -> None:
        cursor = self._conn.cursor()
        cursor.executemany(self._sql(sql), [tuple(r) for r in rows])

    def rows(self, sql: str, params: Sequence = ()) -> list[tuple]:
        try:
            return self._conn.execute(self._sql(sql), tuple(params)).fetchall()
        except self._errors as exc:
            raise DitError(f"cannot read the ledger: {exc}", where=self.where,
                           fix="is this a DIT phase ledger? give --ledger the right one") from None


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
