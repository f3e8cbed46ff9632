"""One connection to the phase ledger's database, SQLite or PostgreSQL, through SQLAlchemy Core: the statements
are built once (harness.ledger.schema's tables) and SQLAlchemy writes each database's SQL.

Writes happen in `transaction()`: on SQLite that is BEGIN IMMEDIATE, so concurrent writers (xdist workers, a
second engineer) queue on the lock instead of failing mid-way (the pysqlite driver is left in autocommit and
told where transactions begin, SQLAlchemy's recipe for SQLite's own locking); a read is a transaction of its own,
so it never holds an old snapshot. A database error is one line naming the ledger, never a traceback.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import Connection, Engine, Executable, create_engine, event, inspect, select, text
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.pool import NullPool
from sqlalchemy.sql.dml import Insert

from harness.errors import DitError
from harness.ledger.schema import version

SQLITE, POSTGRESQL = "sqlite:///", "postgresql://"
_DSN_FIX = "use sqlite:///path/to/phase.db or postgresql://user@host/db"
_NO_LEDGER_FIX = "run dit run first, or give --ledger the phase's ledger"
_OPEN_FIX = "give --ledger a new file, or restore this one from its backup"
_BUSY_TIMEOUT_S = 60
# pg_advisory_xact_lock's key for changing a ledger's schema: two dits opening an old ledger at once queue on it
SCHEMA_LOCK = 0x_D17_1ED6E4


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
    def __init__(self, dsn: str, *, create: bool = True, page_cache_kib: int | None = None):
        """create: a missing SQLite file is made (the commands that record); without it only an existing one opens.
        page_cache_kib: SQLite's page cache for this connection, when not its default (2,000 KiB)."""
        self.dsn = dsn
        self._conn: Connection
        if dsn.startswith(SQLITE):
            self.kind = "sqlite"
            self.path: Path | None = Path(dsn.removeprefix(SQLITE))
            self._open_sqlite(self.path, create, page_cache_kib)
        elif dsn.startswith((POSTGRESQL, "postgres://")):
            self.kind, self.path = "postgresql", None
            self._open_postgresql(dsn)
        else:
            raise DitError(f"ledger DSN {dsn!r} is neither SQLite nor PostgreSQL", fix=_DSN_FIX)

    def _open_sqlite(self, path: Path, create: bool, page_cache_kib: int | None) -> None:
        self.where = str(path)
        if not create and not path.is_file():
            raise DitError("no phase ledger here", where=self.where, fix=_NO_LEDGER_FIX)
        if create:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise DitError(f"cannot open the ledger: {exc.strerror}", where=self.where, fix=_OPEN_FIX) from None
        # mode=rw: a reader never makes the file. isolation_level=None: the driver begins nothing by itself;
        # the "begin" listener below says how each transaction begins.
        uri = f"{path.absolute().as_uri()}?mode={'rwc' if create else 'rw'}"
        engine = create_engine("sqlite+pysqlite://", poolclass=NullPool, creator=lambda: sqlite3.connect(
            uri, uri=True, timeout=_BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False))

        @event.listens_for(engine, "connect")
        def _connected(dbapi_connection: sqlite3.Connection, _record: object) -> None:
            dbapi_connection.execute("PRAGMA foreign_keys=ON")
            if page_cache_kib is not None:
                dbapi_connection.execute(f"PRAGMA cache_size=-{int(page_cache_kib)}")

        @event.listens_for(engine, "begin")
        def _begin(conn: Connection) -> None:
            conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.info.get("writing") else "BEGIN")

        self._connect(engine, lambda exc: DitError(f"cannot open the ledger: {first_line(exc)}", where=self.where,
                                                   fix=_OPEN_FIX))

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
            raise DitError(f"the ledger DSN is not a valid PostgreSQL URL: {first_line(exc)}", where=self.where,
                           fix=_DSN_FIX) from None
        # psycopg reads the DSN itself (libpq's rules, which SQLAlchemy's URL parser does not share)
        engine = create_engine("postgresql+psycopg://", poolclass=NullPool,
                               creator=lambda: psycopg.connect(dsn, connect_timeout=10))
        self._connect(engine, lambda exc: LedgerUnreachable(
            f"cannot reach the ledger: {first_line(exc)}", where=self.where,
            fix="check the server is up and the DSN's user, host and database"))

    def _connect(self, engine: Engine, refused: Callable[[SQLAlchemyError], DitError]) -> None:
        try:
            self._conn = engine.connect()
        except SQLAlchemyError as exc:
            raise refused(exc) from None

    def close(self) -> None:
        self._conn.close()
        self._conn.engine.dispose()

    # -- what the database holds ---------------------------------------------------------------------------------

    def tables(self) -> set[str]:
        """The tables the database holds (PostgreSQL: in the schema where new ones go); read only, so a database
        that is not a ledger can be refused untouched."""
        try:
            with self._reading() as conn:
                return set(inspect(conn).get_table_names())
        except SQLAlchemyError as exc:
            raise DitError(f"cannot open the ledger: {first_line(exc)}", where=self.where, fix=_OPEN_FIX) from None

    def revision(self) -> str | None:
        """The revision in Alembic's version table (the caller has seen the table); None when it is empty."""
        found = {row[0] for row in self.rows(select(version.c.version_num))}
        return found.pop() if len(found) == 1 else ",".join(sorted(found)) or None

    # -- reading and writing -------------------------------------------------------------------------------------

    @contextmanager
    def _reading(self) -> Iterator[Connection]:
        if self._conn.in_transaction():         # inside a write: its own reads
            yield self._conn
        else:
            with self._conn.begin():
                yield self._conn

    def rows(self, statement: Executable, params: dict[str, Any] | None = None) -> Sequence[Any]:
        """The statement's rows, each a tuple of its columns."""
        try:
            with self._reading() as conn:
                return conn.execute(statement, params or {}).all()
        except SQLAlchemyError as exc:
            if self._conn.in_transaction():
                raise
            raise DitError(f"cannot read the ledger: {first_line(exc)}", where=self.where,
                           fix="is this a DIT phase ledger? give --ledger the right one") from None

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """A write: committed at its end, or nothing of it."""
        try:
            with self._writing() as conn:
                yield conn
        except SQLAlchemyError as exc:        # a lost server's message runs on over lines: its first says it
            raise DitError(f"ledger write failed: {first_line(exc)}", where=self.where) from None

    @contextmanager
    def _writing(self) -> Iterator[Connection]:
        self._conn.info["writing"] = True
        try:
            with self._conn.begin():
                yield self._conn
        finally:
            self._conn.info["writing"] = False

    @contextmanager
    def schema_change(self) -> Iterator[Connection]:
        """A write that may change the schema, one process at a time: SQLite's write lock (BEGIN IMMEDIATE) is
        taken before anything is read; PostgreSQL takes an advisory lock held to the end of the transaction.
        Whoever waited re-reads what the one before it did."""
        with self._writing() as conn:
            if self.kind == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": SCHEMA_LOCK})
            yield conn

    def journal_mode_wal(self) -> None:
        """WAL: readers (a report, xdist workers) never wait for the writer. Set once a file is a ledger: it stays."""
        if self.kind == "sqlite":            # on the driver's connection: SQLAlchemy would begin a transaction first
            try:
                self._driver().execute("PRAGMA journal_mode=WAL")
            except sqlite3.Error as exc:
                raise DitError(f"ledger write failed: {first_line(exc)}", where=self.where) from None

    def _driver(self) -> sqlite3.Connection:
        driver = self._conn.connection.driver_connection
        assert isinstance(driver, sqlite3.Connection)
        return driver

    def backup(self, to: Path) -> None:
        """A copy of the SQLite ledger as it is (VACUUM INTO: through SQLite, so it holds what the write-ahead log
        holds), by a reader of its own while this connection holds the write lock: no one can commit meanwhile.
        Waits for a lock as long as any ledger call does, never longer."""
        assert self.path is not None
        source = sqlite3.connect(f"{self.path.absolute().as_uri()}?mode=ro", uri=True, timeout=_BUSY_TIMEOUT_S)
        try:
            source.execute("VACUUM INTO ?", (str(to),))
        finally:
            source.close()

    def insert_ignoring(self, table: Any) -> Insert:
        """INSERT ... ON CONFLICT DO NOTHING: what several xdist workers each say once counts."""
        if self.kind == "sqlite":
            from sqlalchemy.dialects import sqlite as dialect
        else:                               # imported only for a PostgreSQL ledger: it brings asyncio along
            from sqlalchemy.dialects import postgresql as dialect  # type: ignore[no-redef]
        return dialect.insert(table).on_conflict_do_nothing()


def first_line(exc: BaseException) -> str:
    """The driver's own words: SQLAlchemy's wrapping adds the statement and a link over several lines."""
    if isinstance(exc, DBAPIError) and exc.orig is not None:
        exc = exc.orig
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
