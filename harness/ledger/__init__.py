"""The phase ledger: what a DIT phase records (so far the device suspensions) in a real database.

DSNs: sqlite:///path/to/phase.db (the default, a file under reports/). The ledger reads and writes
records only; it never imports the lab or the emulators.
"""

from harness.ledger.store import CONDITIONS, DEFAULT_DSN, Ledger, Suspension

__all__ = ["DEFAULT_DSN", "CONDITIONS", "Ledger", "Suspension"]
