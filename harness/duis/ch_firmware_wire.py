"""The wire contract of the DCC's CH firmware management interface (SECMP0024), shared by the DCC that serves it
(harness.dcc.ch_firmware_api) and the Users that call it (harness.adapters.ch_firmware_client), as the DUIS schema
is for DUIS: where it lives, how times are written and how a webhook is signed."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac

from harness.clock import utc_text

PREFIX = "/ch-firmware/"
API = PREFIX + "api/v1/"
PORTAL = PREFIX + "portal"
NOTIFICATION_PATH = "/ch-firmware/notifications"      # on the Supplier's response service
SIGNATURE_HEADER = "X-DCC-Signature"


def iso(when: dt.datetime | None) -> str | None:
    return None if when is None else utc_text(when)


def parse_iso(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def signature(token: str, body: bytes) -> str:
    """A webhook's signature: HMAC-SHA256 of the body keyed by the addressed User's token."""
    return "sha256=" + hmac.new(token.encode(), body, hashlib.sha256).hexdigest()


def signed_by(token: str, body: bytes, header: str | None) -> bool:
    return header is not None and hmac.compare_digest(signature(token, body), header)
