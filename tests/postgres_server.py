"""A throwaway PostgreSQL server for the ledger tests: DIT_POSTGRESQL_DSN if set, else a cluster made with
initdb in a temporary folder on a free loopback port (as `nobody` when the tests run as root, since the
server refuses root). Without either, the PostgreSQL tests skip and say why."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ports import free_port

NO_SERVER = ("no PostgreSQL to test against: set DIT_POSTGRESQL_DSN, or install the server "
             "(apt-get install postgresql) so initdb and pg_ctl are found (and, as root, runuser)")


def _binary(name: str) -> str | None:
    found = (shutil.which(name) or shutil.which(name, path="/usr/sbin:/sbin")       # runuser, off a user's PATH
             or sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}")))
    return found if isinstance(found, str) else (found[-1] if found else None)


@contextmanager
def server() -> Iterator[str | None]:
    """The DSN of a server's maintenance database, or None when there is none to be had."""
    if os.environ.get("DIT_POSTGRESQL_DSN"):
        yield os.environ["DIT_POSTGRESQL_DSN"]
        return
    with cluster() as made:
        yield made.dsn if made else None


class Cluster:
    """A server this test made, so it may stop it (a ledger lost mid-run) and start it again."""

    def __init__(self, initdb: str, pg_ctl: str, runuser: str | None):
        self.pg_ctl = pg_ctl
        self.as_user = [runuser, "-u", "nobody", "--"] if runuser else []
        # Its own folder under the system's temporary directory: pytest's are private to root.
        self.folder = Path(tempfile.mkdtemp(prefix="dit-postgresql-"))
        if self.as_user:
            shutil.chown(self.folder, "nobody")
        self.data, self.port = self.folder / "data", free_port()
        subprocess.run([*self.as_user, initdb, "-D", str(self.data), "-U", "dit", "--auth=trust", "-E", "UTF8"],
                       check=True, capture_output=True)
        self.dsn = f"postgresql://dit@127.0.0.1:{self.port}/postgres"

    def start(self) -> None:
        subprocess.run([*self.as_user, self.pg_ctl, "-D", str(self.data), "-o",
                        f"-k {self.folder} -p {self.port} -h 127.0.0.1", "-l", str(self.folder / "log"), "-w", "start"],
                       check=True, capture_output=True)

    def stop(self) -> None:
        subprocess.run([*self.as_user, self.pg_ctl, "-D", str(self.data), "-m", "immediate", "stop"],
                       check=False, capture_output=True)


@contextmanager
def cluster() -> Iterator[Cluster | None]:
    """A server of this test's own (initdb, pg_ctl; as root, runuser too), or None without them."""
    initdb, pg_ctl = _binary("initdb"), _binary("pg_ctl")
    runuser = _binary("runuser") if os.geteuid() == 0 else None
    if not (initdb and pg_ctl) or (os.geteuid() == 0 and not runuser):
        yield None
        return
    made = Cluster(initdb, pg_ctl, runuser)
    made.start()
    try:
        yield made
    finally:
        made.stop()
        shutil.rmtree(made.folder, ignore_errors=True)


def fresh_database(maintenance_dsn: str, name: str) -> str:
    """A new empty database on the server; its DSN."""
    import psycopg

    with psycopg.connect(maintenance_dsn, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return maintenance_dsn.rsplit("/", 1)[0] + f"/{name}"
