"""How a scenario run ends when something stops it early -- a signal, a disk that refuses a write, a ledger that
goes away -- and the room it keeps on its disk to stop cleanly. The pytest plugin fills a RunEnd as the run goes;
`dit run` hands one to pytest and, once pytest returns, says in one line what happened and what was kept."""

from __future__ import annotations

import errno
import os
from dataclasses import dataclass, field
from pathlib import Path

# A write the disk would not take: full, over quota or over the file size limit, read-only, failing.
DISK_REFUSALS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS, errno.EIO})
# Room kept to stop in: the ledger's last commits (~12 KB each), the executions it could not take, summary.json
# (~1 KB for each planned test: the default run plans 158 with their casts, ~150 KB).
ROOM_TO_STOP = 512 << 10


def disk_refused(exc: BaseException | None) -> bool:
    """Whether a fault is the bench's disk refusing a write (never the system under test's doing)."""
    return isinstance(exc, OSError) and exc.errno in DISK_REFUSALS


def scenario_disk_refused(exc: BaseException | None) -> bool:
    """Whether what stopped a scenario was the bench's disk. A scenario reads devices too, and EIO is also what a
    device that went away says (a serial console or a sniffer unplugged, a pseudo-terminal closed): that one is the
    scenario's failure, not the run's end, so EIO counts only when it names a file that is not a device."""
    if not disk_refused(exc):
        return False
    assert isinstance(exc, OSError)
    name = exc.filename
    return exc.errno != errno.EIO or (isinstance(name, (str, os.PathLike))
                                      and not os.fspath(name).startswith("/dev/"))


def refusal(exc: OSError, what: str = "a write") -> str:
    """Why a run stops on its disk: what it was writing, and the system's word for the refusal."""
    where = f" ({exc.filename})" if exc.filename else ""
    return f"the disk refused {what}{where}: {exc.strerror or exc}"


@dataclass(eq=False)                # handed to pytest.main as a plugin: pluggy keeps plugins in sets
class RunEnd:
    """Why a run stopped before its end (None: it did not) and what it kept."""

    stopped: str | None = None
    exit_code: int = 1              # what `dit run` exits with: 128 + its number for a signal
    ledger: str | None = None       # the ledger's `where`, to keep what it could not take for it
    recorded: int = 0               # the run's executions in the ledger
    kept: int = 0                   # finished executions the ledger could not take, kept in `journal`
    journal: Path | None = None
    lost: list[str] = field(default_factory=list)      # finished executions kept nowhere: they run again

    def stop(self, reason: str, exit_code: int = 1) -> None:
        """The first reason is the cause; what fails after it is its consequence."""
        if self.stopped is None:
            self.stopped, self.exit_code = reason, exit_code

    def told(self, run_id: int) -> str:
        """What happened and what was kept, in one line."""
        line = f"run {run_id} interrupted: {self.stopped}; {_executions(self.recorded)} in the ledger"
        if self.kept:
            line += f", {self.kept} more kept in {self.journal} until the ledger takes them"
        if self.lost:
            line += (f"; {len(self.lost)} that finished could be kept nowhere and will run again "
                     f"({', '.join(self.lost)})")
        return line


def _executions(count: int) -> str:
    return f"{count} execution{'' if count == 1 else 's'} {'is' if count == 1 else 'are'}"


class RoomToStop:
    """Space held on the report directory's disk while scenarios run. Freed when the disk first refuses a
    write, it takes what stopping writes there: the ledger's last commits (a SQLite ledger beside the report),
    the executions the ledger could not take, summary.json and junit.xml."""

    def __init__(self, folder: Path, size: int = ROOM_TO_STOP):
        self.path: Path | None = folder / ".dit-room-to-stop"
        try:
            folder.mkdir(parents=True, exist_ok=True)
            with self.path.open("wb") as held:
                os.posix_fallocate(held.fileno(), 0, size)      # real blocks: a sparse file would hold nothing
        except OSError:             # a disk already too full for it: the run's first write says so
            self.free()

    def free(self) -> bool:
        """Give the room back; whether there was any to give."""
        if self.path is None:
            return False
        try:
            self.path.unlink(missing_ok=True)
        except OSError:
            pass
        self.path = None
        return True
