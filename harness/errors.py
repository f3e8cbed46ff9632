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
