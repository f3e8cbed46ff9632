"""Errors a user can act on.

Every problem with input (a file, a flag, a config) is raised as a DitError carrying what is wrong,
where, and how to fix it; the CLI prints it as one line and exits with its code. Anything else is a
bug and keeps its traceback.
"""

from __future__ import annotations


class DitError(Exception):
    """A problem with input: printed as one line, never as a traceback."""

    exit_code = 2

    def __init__(self, what: str, *, where: str | None = None, fix: str | None = None):
        super().__init__(what)
        self.what = what
        self.where = where
        self.fix = fix

    def __str__(self) -> str:
        line = f"{self.where}: {self.what}" if self.where else self.what
        return f"{line} ({self.fix})" if self.fix else line


class CheckFailed(DitError):
    """The input was read but did not pass a check (bad signature, schema violation)."""

    exit_code = 1


class BenchFault(DitError):
    """The bench failed, not the system under test: a serial port that vanished, a DCC endpoint that is down,
    a response that never came or cannot be trusted. The scenario it stops is blocked, not failed, and the
    bench is marked broken so its remaining scenarios are blocked too instead of failing one by one."""

    exit_code = 1

    def __init__(self, what: str, *, part: str, where: str | None = None, fix: str | None = None):
        super().__init__(what, where=where, fix=fix)
        self.part = part                  # what broke: "DCC endpoint", "serial port /dev/pts/3 (ESME console)"


class NotOnThisBench(DitError):
    """A step needs something this bench cannot do by itself: an on-site act (fitting or replacing a CH,
    a signal generator), an industry act (registration data, SMKI) or a file it was not given. The scenario
    is blocked with the reason; the bench is not broken and the run goes on."""

    exit_code = 1


class RunInterrupted(DitError):
    """A run stopped before its end: a signal, a disk that refused a write, a lost ledger. What it finished is
    kept and `dit run --resume` carries on; the exit code says why (128 + its number for a signal)."""

    def __init__(self, what: str, *, exit_code: int = 1, where: str | None = None, fix: str | None = None):
        super().__init__(what, where=where, fix=fix)
        self.exit_code = exit_code
