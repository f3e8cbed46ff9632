"""Device suspensions, kept in SQLite.

The DIT approach ("Suspension Criteria and Resumption Requirement") suspends a device -- never a
Communications Hub -- on one of four conditions; its scenarios are then blocked, not failed. Testing
resumes once a fix is identified and approved by the DCC change release board. Should all meters be
suspended at once, DIT itself is suspended until a fix is implemented (DIT.R.12).
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from harness.errors import DitError

DEFAULT_DSN = "sqlite:///reports/phase.db"
CONDITIONS = {
    1: "the install and commission process failed and triage found the issue on the device",
    2: "the device cannot be placed in the mode of operation (credit or prepayment) testing needs",
    3: "the device is physically damaged and dangerous to work on",
    4: "the device is bricked or frozen: no response to any service request, no communication",
}
_SCHEMA = """
CREATE TABLE IF NOT EXISTS suspensions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    asset TEXT NOT NULL,
    device_type TEXT NOT NULL,
    condition INTEGER NOT NULL CHECK (condition BETWEEN 1 AND 4),
    reason TEXT NOT NULL,
    suspended_at TEXT NOT NULL,
    resumed_at TEXT,
    fix_reference TEXT
);
"""


@dataclass(frozen=True)
class Suspension:
    asset: str
    device_type: str
    condition: int
    reason: str
    suspended_at: str
    resumed_at: str | None = None
    fix_reference: str | None = None

    @property
    def active(self) -> bool:
        return self.resumed_at is None

    @property
    def summary(self) -> str:
        return f"{self.asset} suspended (condition {self.condition}: {CONDITIONS[self.condition]}): {self.reason}"


class Ledger:
    def __init__(self, dsn: str = DEFAULT_DSN):
        if not dsn.startswith("sqlite:///"):
            raise DitError(f"ledger DSN {dsn!r} is not supported by this build",
                           fix="use sqlite:///path/to/phase.db")
        self.path = Path(dsn.removeprefix("sqlite:///"))
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._db = sqlite3.connect(self.path)
            self._db.executescript(_SCHEMA)
        except sqlite3.DatabaseError as exc:
            raise DitError(f"cannot open the ledger: {exc}", where=str(self.path)) from None

    def close(self) -> None:
        self._db.close()

    def suspend(self, asset: str, device_type: str, condition: int, reason: str,
                at: dt.datetime | None = None) -> Suspension:
        if condition not in CONDITIONS:
            raise DitError(f"suspension condition {condition} is not one of the seed's four",
                           fix="; ".join(f"{n}: {text}" for n, text in CONDITIONS.items()))
        if device_type == "CHF":
            raise DitError(f"{asset} is a Communications Hub", fix="DIT suspends devices, never a CH")
        if any(s.asset == asset for s in self.active()):
            raise DitError(f"{asset} is already suspended", fix="resume it first")
        when = (at or dt.datetime.now(dt.timezone.utc)).isoformat(timespec="seconds")
        with self._db:
            self._db.execute("INSERT INTO suspensions (asset, device_type, condition, reason, suspended_at) "
                             "VALUES (?, ?, ?, ?, ?)", (asset, device_type, condition, reason, when))
        return Suspension(asset, device_type, condition, reason, when)

    def resume(self, asset: str, fix_reference: str, at: dt.datetime | None = None) -> None:
        """Testing resumes with a fix the change release board approved (its reference is recorded)."""
        if not fix_reference.strip():
            raise DitError("resumption needs the approved fix's reference", fix="give --fix CRB-...")
        when = (at or dt.datetime.now(dt.timezone.utc)).isoformat(timespec="seconds")
        with self._db:
            changed = self._db.execute("UPDATE suspensions SET resumed_at = ?, fix_reference = ? "
                                       "WHERE asset = ? AND resumed_at IS NULL", (when, fix_reference, asset)).rowcount
        if not changed:
            raise DitError(f"{asset} is not suspended")

    def suspensions(self) -> list[Suspension]:
        rows = self._db.execute("SELECT asset, device_type, condition, reason, suspended_at, resumed_at, "
                                "fix_reference FROM suspensions ORDER BY id").fetchall()
        return [Suspension(*row) for row in rows]

    def active(self) -> list[Suspension]:
        return [s for s in self.suspensions() if s.active]

    def all_suspended(self, assets: list[str]) -> bool:
        """Whether every one of these assets is suspended now (every meter: DIT itself is, DIT.R.12)."""
        active = {s.asset for s in self.active()}
        return bool(assets) and all(a in active for a in assets)
