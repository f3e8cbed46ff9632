"""Entity identifiers: the EUI-64 that names every device and organisation in GBCS and DUIS.

GBCS carries them as 8 raw bytes (system titles); DUIS writes them as eight dash-separated hex pairs
(90-B3-D5-1F-30-01-00-00); keystore file names use 16 lower-case hex digits (90b3d51f30010000).
"""

from __future__ import annotations

import re
from functools import lru_cache

from harness.errors import DitError

_FORMS = re.compile(r"^(?:[0-9A-Fa-f]{2}[-:]){7}[0-9A-Fa-f]{2}$|^[0-9A-Fa-f]{16}$")


class EntityId(bytes):
    """An EUI-64 entity identifier; compares and hashes as its 8 bytes."""

    def __new__(cls, value: EntityId | bytes | str) -> EntityId:
        if isinstance(value, EntityId):
            return value
        if isinstance(value, str):
            value = _from_text(value)
        if len(value) != 8:
            raise DitError(f"an entity identifier is 8 bytes, got {len(value)}")
        return super().__new__(cls, value)

    @property
    def duis(self) -> str:
        """DUIS form: 90-B3-D5-1F-30-01-00-00."""
        return self.hex("-").upper()

    @property
    def file_stem(self) -> str:
        """Keystore file-name form: 90b3d51f30010000."""
        return self.hex()

    def __str__(self) -> str:
        return self.duis

    def __repr__(self) -> str:
        return f"EntityId({self.duis!r})"


@lru_cache(maxsize=4096)
def _from_text(value: str) -> bytes:
    """The 8 bytes a written identifier names: a lab names the same few devices in every document it reads."""
    text = value.strip()
    if not _FORMS.match(text):
        raise DitError(f"not an EUI-64 entity identifier: {value!r}",
                       fix="write it as 90-B3-D5-1F-30-01-00-00 or 90b3d51f30010000")
    return bytes.fromhex(text.replace("-", "").replace(":", ""))


# The DCC's own identity (DSP and Access Control Broker): target of every non-device SR and the
# party that MACs every GBCS command (dcc_interface.md section 8).
DCC_ACCESS_CONTROL_BROKER = EntityId("90-B3-D5-1F-30-00-00-02")
