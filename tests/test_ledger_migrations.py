"""The ledger's schema across releases: a ledger an old release made -- release ab80485 on SQLite and PostgreSQL,
84df8e6 (before runs.reason and executions.blocked) on SQLite, each in tests/data/ledgers/ as that release's own
`dit` wrote it (make.sh there) -- opens upgraded to this release's schema with everything the old release's reader
saw, at head, and a second open changes nothing; a ledger a newer dit made is refused in one line; two dits opening
an old ledger at once upgrade it once; an upgrade that fails half-way leaves the old ledger as it was."""

from __future__ import annotations

import json
import os
import resource
import shutil
import sqlite3
import subprocess
import sys
import time
from dataclasses import asdict
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from dit_command import PROJECT, dit
from postgres_server import NO_SERVER, fresh_database, server
from sqlalchemy import create_engine, inspect

from harness.errors import DitError
from harness.ledger import Ledger, describe, migrations, schema
from harness.ledger.database import SCHEMA_LOCK, Database

DATA = Path(__file__).parent / "data" / "ledgers"
PATIENCE_S = 120            # an overall bound, not a pace: the polls below wait on what the openers do
# What the records gained since ab80485 read as in a ledger it made: nothing known, never a guess.
GAINED = {"executions": {"participants": [], "alerts": [], "cast": ""}, "planned": {"cast": ""},
          "evidence": {"sha256": None, "automated": False, "run_id": None, "detail": None},
          "issues": {"close_reason": None}, "devices": {"firmware_version": ""}}


@pytest.fixture(scope="module")
def postgresql():
    with server() as dsn:
        yield dsn


def _postgresql_database(maintenance: str | None, name: str) -> str:
    if maintenance is None:
        pytest.skip(NO_SERVER)
    return fresh_database(maintenance, f"dit_migrations_{name}_{os.getpid()}")


def _restored(dsn: str, dump: Path) -> None:
    """A plain pg_dump, statement by statement as psql would (its \\restrict lines are psql's own)."""
    import psycopg

    script = "".join(line for line in dump.read_text().splitlines(keepends=True) if not line.startswith("\\"))
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(script)


def _old_ledger(release: str, kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """A copy of the ledger `release` made (tests/data/ledgers is never opened itself: opening upgrades)."""
    if kind == "sqlite":
        copy = tmp_path / "phase.db"
        shutil.copy(DATA / f"{release}.db", copy)
        return f"sqlite:///{copy}"
    dsn = _postgresql_database(request.getfixturevalue("postgresql"), release)
    _restored(dsn, DATA / f"{release}-postgresql.sql")
    return dsn


def _expected(release: str, kind: str) -> dict:
    return json.loads((DATA / f"{release}{'-postgresql' if kind == 'postgresql' else ''}.json").read_text())


def _seen(book: Ledger) -> dict:
    seen: dict = {name: [asdict(r) for r in getattr(book, name)()] for name in (
        "runs", "planned", "executions", "issues", "evidence", "suspensions", "devices")}
    seen["settings"] = {key: book.setting(key) for key in ("name", "quality_gate")}
    return json.loads(json.dumps(seen, default=str))


def _as_the_release_saw(seen: dict, expected: dict) -> dict:
    """What this release reads, cut to the fields the old release had; the fields gained since are checked apart."""
    return {name: [{k: row[k] for k in old} for row, old in zip(seen[name], rows, strict=True)]
            if isinstance(rows, list) else seen[name] for name, rows in expected.items()}


def _where(dsn: str) -> str:
    """How the ledger names itself in a message: its file, or its DSN without the password."""
    return describe(dsn) if dsn.startswith("postgresql") else dsn.removeprefix("sqlite:///")


def _sqlite_content(path: Path) -> list[str]:
    with sqlite3.connect(path) as conn:
        return list(conn.iterdump())


def _engine_url(dsn: str) -> str:
    return dsn.replace("postgresql://", "postgresql+psycopg://", 1)


def _schema_drift(dsn: str) -> list:
    """What Alembic's autogenerate finds between the database and the tables this release declares. But one thing:
    the releases before versioning wrote SQLite primary keys without NOT NULL, which SQLite reads as nullable (an
    INTEGER one is the rowid, never NULL; dit never writes a NULL key); changing that means rebuilding each table."""
    engine = create_engine(_engine_url(dsn))
    try:
        with engine.connect() as conn:
            drift = compare_metadata(MigrationContext.configure(conn), schema.metadata)
    finally:
        engine.dispose()
    return [change for change in drift if not (
        dsn.startswith("sqlite") and isinstance(change, list) and change[0][0] == "modify_nullable"
        and schema.metadata.tables[change[0][2]].c[change[0][3]].primary_key)]


def _revision(dsn: str) -> list[str]:
    engine = create_engine(_engine_url(dsn))
    try:
        with engine.connect() as conn:
            return [row[0] for row in conn.exec_driver_sql("SELECT version_num FROM alembic_version")]
    finally:
        engine.dispose()


@pytest.mark.parametrize("release, kind", [("ab80485", "sqlite"), ("84df8e6", "sqlite"), ("ab80485", "postgresql")])
def test_a_ledger_an_old_release_made_opens_upgraded_with_nothing_lost(release, kind, tmp_path, request, capsys):
    dsn = _old_ledger(release, kind, tmp_path, request)
    original = _sqlite_content(tmp_path / "phase.db") if kind == "sqlite" else None
    expected = _expected(release, kind)
    with Ledger(dsn, create=False) as book:             # a reading command upgrades it too
        seen = _seen(book)
        assert book.schema_revision == schema.HEAD
    [line] = capsys.readouterr().err.splitlines()
    backup = tmp_path / f"phase.db.pre-{schema.HEAD}.bak"
    assert line.startswith(f"dit: {_where(dsn)}: ledger upgraded from an unversioned ledger (a release up to "
                           f"ab80485) to schema {schema.HEAD}")
    if kind == "sqlite":                                # the ledger as it was, beside it
        assert line.endswith(f"; the ledger as it was is kept in {backup}")
        assert _sqlite_content(backup) == original
    assert _as_the_release_saw(seen, expected) == expected
    assert len(seen["executions"]) == 4 and len(seen["issues"]) == 2 and len(seen["suspensions"]) == 2
    for name, gained in GAINED.items():
        assert all({k: row[k] for k in gained} == gained for row in seen[name]), name
    assert _revision(dsn) == [schema.HEAD] and _schema_drift(dsn) == []
    if kind == "sqlite":                                # a second open changes nothing and keeps no second copy
        backup.unlink()
        upgraded = _sqlite_content(tmp_path / "phase.db")
    with Ledger(dsn) as book:
        assert _seen(book) == seen
    assert capsys.readouterr().err == ""
    if kind == "sqlite":
        assert _sqlite_content(tmp_path / "phase.db") == upgraded and not backup.exists()


def test_a_ledger_at_schema_0002_opens_upgraded_with_each_devices_firmware_unknown(tmp_path, capsys):
    """Release 583bca9 wrote schema 0002 (tests/data/ledgers/make.sh): its devices had no firmware version."""
    dsn = _old_ledger("583bca9", "sqlite", tmp_path, None)          # type: ignore[arg-type]  # no PostgreSQL here
    original = _sqlite_content(tmp_path / "phase.db")
    with Ledger(dsn, create=False) as book:
        seen = _seen(book)
    [line] = capsys.readouterr().err.splitlines()
    assert line == (f"dit: {tmp_path / 'phase.db'}: ledger upgraded from schema 0002 to schema {schema.HEAD}; the "
                    f"ledger as it was is kept in {tmp_path / f'phase.db.pre-{schema.HEAD}.bak'}")
    assert _sqlite_content(tmp_path / f"phase.db.pre-{schema.HEAD}.bak") == original
    expected = _expected("583bca9", "sqlite")
    assert _as_the_release_saw(seen, expected) == expected
    assert len(seen["devices"]) == 11 and all(d["firmware_version"] == "" for d in seen["devices"])
    assert _revision(dsn) == [schema.HEAD] and _schema_drift(dsn) == []


def test_a_run_records_each_devices_firmware_version_as_the_asset_library_gives_it(tmp_path):
    from harness.lab import load

    lab = load()
    records = lab.device_records(["SB11-core"])
    with Ledger(f"sqlite:///{tmp_path / 'phase.db'}") as book:
        run = book.start_run("emulated", "", [])
        book.record_devices(run, records)
        kept = {d.asset: d.firmware_version for d in book.devices()}
    library = {a.name: a.firmware_version for a in lab.asset_library.selected()} | \
              {h.name: h.firmware_version for h in lab.asset_library.hubs.values()}
    devices = {d.asset for d in records} & library.keys()                      # the HHT is a tool, not in it
    assert {a: kept[a] for a in devices} == {a: library[a] for a in devices} and len(devices) >= 10
    assert all(kept[a] for a in devices)


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_the_migrations_make_the_tables_this_release_declares(kind, tmp_path, request):
    """From an empty database through every revision: what a new ledger is made from (schema.py), so a ledger
    upgraded and a ledger started today are the same; and the revisions schema.py names are the scripts'."""
    assert migrations.revisions() == list(schema.REVISIONS)
    if kind == "sqlite":
        dsn = f"sqlite:///{tmp_path / 'empty.db'}"
    else:
        dsn = _postgresql_database(request.getfixturevalue("postgresql"), "empty")
    database = Database(dsn)
    try:
        with database.schema_change() as conn:
            migrations.upgrade(conn)
    finally:
        database.close()
    assert _revision(dsn) == [schema.HEAD] and _schema_drift(dsn) == []
    with Ledger(dsn, create=False) as book:
        assert book.runs() == []
    new = f"sqlite:///{tmp_path / 'new.db'}"
    Ledger(new).close()
    assert _revision(new) == [schema.HEAD] and _schema_drift(new) == []


def test_a_ledger_a_newer_dit_made_is_refused_in_one_line(tmp_path):
    path = tmp_path / "phase.db"
    dsn = f"sqlite:///{path}"
    Ledger(dsn).close()
    shown = dit("phase", "runs", "--ledger", dsn)
    assert shown.returncode == 0 and shown.stdout.splitlines()[0] == f"ledger {path}, schema revision {schema.HEAD}"
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '0099'")
    before = _sqlite_content(path)
    for argv in (["phase", "runs"], ["phase", "set", "--name", "DIT"]):
        refused = dit(*argv, "--ledger", dsn)
        assert refused.returncode == 2 and "Traceback" not in refused.stderr
        assert refused.stderr.splitlines() == [
            f"dit: error: {path}: the ledger is at schema revision 0099, which this dit does not know (it knows up "
            f"to {schema.HEAD}) (upgrade dit to the release that wrote it)"]
    assert _sqlite_content(path) == before


def _opener(dsn: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", "import sys; from harness.ledger import Ledger; "
                             "Ledger(sys.argv[1], create=False).close()", dsn],
                            cwd=PROJECT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _waiting_for_sqlite(child: subprocess.Popen) -> bool:
    """In SQLite's busy handler: asleep, retrying the write lock another connection holds."""
    try:
        return Path(f"/proc/{child.pid}/wchan").read_text() == "hrtimer_nanosleep"
    except OSError:
        return False


def _both_waiting(children: list[subprocess.Popen], waiting) -> None:
    deadline = time.monotonic() + PATIENCE_S
    while not waiting():
        for child in children:
            assert child.poll() is None, f"an opener ended before it waited for the lock: {child.communicate()}"
        assert time.monotonic() < deadline, f"the openers were not both waiting within {PATIENCE_S} s"
        time.sleep(0.02)


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_two_dits_opening_an_old_ledger_at_once_upgrade_it_once(kind, tmp_path, request):
    """Both have read the old ledger and wait for the lock that guards its schema (held here until they do): the
    one that gets it first upgrades it, the other finds it upgraded."""
    if not Path("/proc/self/wchan").exists():
        pytest.skip("no /proc/PID/wchan here to see an opener waiting for the lock")
    dsn = _old_ledger("ab80485", kind, tmp_path, request)
    if kind == "sqlite":
        holder = sqlite3.connect(tmp_path / "phase.db", isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        openers = [_opener(dsn), _opener(dsn)]
        _both_waiting(openers, lambda: all(_waiting_for_sqlite(o) for o in openers))
        holder.execute("COMMIT")
        holder.close()
    else:
        import psycopg

        with psycopg.connect(dsn, autocommit=True) as holder:
            holder.execute("SELECT pg_advisory_lock(%s)", (SCHEMA_LOCK,))
            openers = [_opener(dsn), _opener(dsn)]
            _both_waiting(openers, lambda: holder.execute(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted").fetchone()[0] == 2)
            holder.execute("SELECT pg_advisory_unlock(%s)", (SCHEMA_LOCK,))
    ended = [opener.communicate(timeout=PATIENCE_S) for opener in openers]
    assert [opener.returncode for opener in openers] == [0, 0], ended
    said = [stderr for _, stderr in ended if stderr]
    assert len(said) == 1 and said[0].count("ledger upgraded from") == 1, ended
    assert _revision(dsn) == [schema.HEAD]
    with Ledger(dsn) as book:
        expected = _expected("ab80485", kind)
        assert _as_the_release_saw(_seen(book), expected) == expected


def test_an_upgrade_the_disk_refuses_leaves_the_old_ledger_as_it_was(tmp_path):
    """The running dit may grow no file past 64 KB (RLIMIT_FSIZE, as a disk with no room left would): the copy
    it keeps before upgrading cannot be written, so nothing is changed, and it says so in one line."""
    ledger = tmp_path / "phase.db"
    shutil.copy(DATA / "ab80485.db", ledger)
    original = _sqlite_content(ledger)
    limit = 64 * 1024                               # SQLite's shared-memory index takes 32 KB; the ledger 120 KB
    refused = subprocess.run([sys.executable, "-m", "harness.cli", "phase", "runs", "--ledger", f"sqlite:///{ledger}"],
                             cwd=PROJECT, capture_output=True, text=True, timeout=PATIENCE_S,
                             preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit)))
    [line] = refused.stderr.splitlines()
    assert refused.returncode == 2 and line.startswith(
        f"dit: error: {ledger}: cannot upgrade the ledger from an unversioned ledger (a release up to ab80485) to "
        f"schema {schema.HEAD}: its backup {ledger}.pre-{schema.HEAD}.bak could not be written: ")
    assert line.endswith("(nothing was changed; free some space beside it, then open it again)")
    assert _sqlite_content(ledger) == original and not Path(f"{ledger}.pre-{schema.HEAD}.bak").exists()
    upgraded = dit("phase", "runs", "--ledger", f"sqlite:///{ledger}")    # with room again
    assert upgraded.returncode == 0 and "ledger upgraded from" in upgraded.stderr


def test_an_earlier_backup_beside_the_ledger_is_kept(tmp_path, capsys):
    ledger = tmp_path / "phase.db"
    shutil.copy(DATA / "ab80485.db", ledger)
    original = _sqlite_content(ledger)
    earlier = tmp_path / f"phase.db.pre-{schema.HEAD}.bak"
    earlier.write_text("the ledger as it was before it was restored")
    Ledger(f"sqlite:///{ledger}").close()
    assert capsys.readouterr().err.endswith(f"kept in {tmp_path / f'phase.db.pre-{schema.HEAD}-2.bak'}\n")
    assert earlier.read_text() == "the ledger as it was before it was restored"
    assert _sqlite_content(tmp_path / f"phase.db.pre-{schema.HEAD}-2.bak") == original


def test_an_upgrade_refused_half_way_leaves_the_old_ledger_as_it_was(request):
    """A PostgreSQL role that may write the ledger's rows and create tables but not alter the tables it does not own:
    the upgrade gets as far as stamping revision 0001 and adding issue 17's first column, which the server refuses;
    everything it did is rolled back, in one line."""
    import psycopg

    dsn = _postgresql_database(request.getfixturevalue("postgresql"), "refused")
    _restored(dsn, DATA / "ab80485-postgresql.sql")
    role = f"dit_writer_{os.getpid()}"
    with psycopg.connect(dsn, autocommit=True) as owner:
        try:
            owner.execute(f"DROP ROLE IF EXISTS {role}")
            owner.execute(f"CREATE ROLE {role} LOGIN")
        except psycopg.Error as exc:
            pytest.skip(f"cannot make a role on this server: {exc}")
        owner.execute(f"GRANT CREATE, USAGE ON SCHEMA public TO {role}")
        owner.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}")
        before = {table: {c["name"] for c in _columns(dsn, table)} for table in schema.LEDGER_TABLES}
    writer = dsn.replace("postgresql://dit@", f"postgresql://{role}@", 1)
    with pytest.raises(DitError) as refused:
        Ledger(writer)
    assert str(refused.value).startswith(
        f"{_where(writer)}: cannot upgrade the ledger from an unversioned ledger (a release up to ab80485) to schema "
        f"{schema.HEAD}: must be owner of table ")
    assert "nothing was changed" in str(refused.value) and "\n" not in str(refused.value)
    assert "alembic_version" not in _tables(dsn)
    assert {table: {c["name"] for c in _columns(dsn, table)} for table in schema.LEDGER_TABLES} == before
    with Ledger(dsn) as book:                         # its owner upgrades it
        expected = _expected("ab80485", "postgresql")
        assert _as_the_release_saw(_seen(book), expected) == expected
    with psycopg.connect(dsn, autocommit=True) as owner:
        owner.execute(f"DROP OWNED BY {role}")
        owner.execute(f"DROP ROLE {role}")


def _columns(dsn: str, table: str) -> list:
    engine = create_engine(_engine_url(dsn))
    try:
        with engine.connect() as conn:
            return inspect(conn).get_columns(table)
    finally:
        engine.dispose()


def _tables(dsn: str) -> set[str]:
    engine = create_engine(_engine_url(dsn))
    try:
        with engine.connect() as conn:
            return set(inspect(conn).get_table_names())
    finally:
        engine.dispose()
