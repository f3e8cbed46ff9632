"""A loopback TCP port free now, for a server a test starts (PostgreSQL, labgrid, the operator page)."""

from __future__ import annotations

import socket


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
