"""A DCC User's side of the PPMID route (SECMP0038 proposal): commands the DCC prepared for Local Command Delivery
and UTRNs sent to a PPMID's internet interface, and what came back through it (harness.emulators.displays has
the PPMID's side and its three services)."""

from __future__ import annotations

import base64
import binascii
import json

from harness.catalogue import DeviceType
from harness.errors import BenchFault
from harness.httpio import HttpClient


class PpmidRoute:
    def __init__(self, base_url: str, client: HttpClient | None = None):
        self.base_url = base_url.rstrip("/")
        self._client = client or HttpClient(timeout=10.0)

    def _post(self, service: str, body: bytes, content_type: str) -> tuple[int, bytes]:
        return self._client.post(f"{self.base_url}/{service}", body, content_type)

    def send_command(self, command: bytes) -> bool:
        """True if the PPMID handed the command to its CH (which may still refuse it)."""
        return self._post("command", command, "application/octet-stream")[0] == 202

    def send_utrn(self, utrn: str, fuel: DeviceType = DeviceType.ESME) -> bool:
        body = json.dumps({"utrn": utrn, "fuel": fuel.value}).encode()
        return self._post("utrn", body, "application/json")[0] == 202

    def messages(self) -> list[bytes]:
        """The GBCS answers and alerts that came back through the PPMID since the last call."""
        status, body = self._post("messages", b"", "application/json")
        try:
            if status != 200:
                raise ValueError(f"HTTP {status}")
            return [base64.b64decode(m, validate=True) for m in json.loads(body)["messages"]]
        except (ValueError, KeyError, TypeError, binascii.Error) as exc:
            raise BenchFault(f"the PPMID's internet interface answered what is not a message list: {exc}",
                             part=f"PPMID {self.base_url}") from None

    def close(self) -> None:
        self._client.close()
