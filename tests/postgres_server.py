"""A throwaway PostgreSQL server for the ledger tests: DIT_POSTGRESQL_DSN if set, else a cluster made with
initdb in a temporary folder on a free loopback port (as `nobody` when the tests run as root, since the
server refuses root). Without either, the PostgreSQL tests skip and say why."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

NO_SERVER = ("no PostgreSQL to test against: set DIT_POSTGRESQL_DSN, or install the server "
             "(apt-get install postgresql) so initdb and pg_ctl are found")


def _binary(name: str) -> str | None:
    found = shutil.which(name) or sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return found if isinstance(found, str) else (found[-1] if found else None)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def server() -> Iterator[str | None]:
    """The DSN of a server's maintenance database, or None when there is none to be had."""
    if os.environ.get("DIT_POSTGRESQL_DSN"):
        yield os.environ["DIT_POSTGRESQL_DSN"]
        return
    initdb, pg_ctl = _binary("initdb"), _binary("pg_ctl")
    if not (initdb and pg_ctl):
        yield None
        return
    as_user = ["runuser", "-u", "nobody", "--"] if os.geteuid() == 0 else []
    # Its own folder under the system's temporary directory: pytest's are private to root.
    folder = Path(tempfile.mkdtemp(prefix="dit-postgresql-"))
    if as_user:
        shutil.chown(folder, "nobody")
    data, port = folder / "data", _free_port()
    subprocess.run([*as_user, initdb, "-D", str(data), "-U", "dit", "--auth=trust", "-E", "UTF8"],
                   check=True, capture_output=True)
    subprocess.run([*as_user, pg_ctl, "-D", str(data), "-o", f"-k {folder} -p {port} -h 127.0.0.1",
                    "-l", str(folder / "log"), "-w", "start"], check=True, capture_output=True)
    try:
        yield f"postgresql://dit@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*as_user, pg_ctl, "-D", str(data), "-m", "immediate", "stop"], capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)


def fresh_database(maintenance_dsn: str, name: str) -> str:
    """A new empty database on the server; its DSN."""
    import psycopg

    with psycopg.connect(maintenance_dsn, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return maintenance_dsn.rsplit("/", 1)[0] + f"/{name}"
