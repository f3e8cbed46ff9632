"""The emulated DCC: a DSP behind the DCC Boxed DUIS endpoints on loopback (over mutual TLS when served as a
bench by `dit lab serve`), and the SM WAN to the CHs."""

from __future__ import annotations

from harness.catalogue import DeviceType
from harness.clock import VirtualClock
from harness.dcc.base import DccIdentity, DccUser, DuisRejection
from harness.dcc.dsp import DataServicesProvider
from harness.dcc.inventory import InventoryDevice, Premises, SmartMeteringInventory
from harness.dcc.wan import SmWan
from harness.duis.request_id import RequestCounter
from harness.duis.schema import DuisSchema
from harness.errors import BenchFault
from harness.eui import EntityId
from harness.httpio import HttpClient, HttpServer, TlsFiles
from harness.pki.repository import SmkiRepository

API = "/api/v1/"
RESPONSE_TIMEOUT_S = {DeviceType.GSME: 2 * 3600.0}     # a sleepy GSME answers when it next polls
DEFAULT_RESPONSE_TIMEOUT_S = 300.0


def response_timeout(device_type: DeviceType) -> float:
    return RESPONSE_TIMEOUT_S.get(device_type, DEFAULT_RESPONSE_TIMEOUT_S)


class EmulatedDcc:
    def __init__(self, *, clock: VirtualClock, identity: DccIdentity, repository: SmkiRepository,
                 users: list[DccUser], schema: DuisSchema | None, counter: RequestCounter | None = None,
                 release: str = "R2.0", tls: TlsFiles | None = None, port: int = 0):
        self.clock = clock
        self.inventory = SmartMeteringInventory()
        self.users = {u.eui: u for u in users}
        self.wan = SmWan(clock, self._from_wan)
        self._client = HttpClient(tls=tls)          # with TLS it posts to Users presenting its own certificate
        self.post_failures: list[str] = []
        self.dsp = DataServicesProvider(clock=clock, identity=identity, repository=repository,
                                        inventory=self.inventory, users=self.users, schema=schema,
                                        send_to_device=self._to_device, post=self._post,
                                        response_timeout_s=response_timeout, counter=counter, release=release)
        self.dsp.firmware.distribute = self.wan.distribute_firmware
        self.server = HttpServer(self._on_post, port=port, tls=tls)

    @property
    def url(self) -> str:
        return self.server.base_url + API.rstrip("/")

    def start(self) -> EmulatedDcc:
        self.server.start()
        return self

    def stop(self) -> None:
        self.server.stop()
        self._client.close()

    def _on_post(self, path: str, body: bytes) -> tuple[int, str, bytes]:
        service = path.removeprefix(API)
        if service not in ("serviceS", "serviceT", "serviceD"):
            return 404, "text/plain", f"no DUIS web service at {path}".encode()
        with self.clock.lock:
            status, data = self.dsp.handle(service, body)
        return status, "application/xml" if status == 200 else "text/plain", data

    def _from_wan(self, data: bytes) -> None:
        self.dsp.from_device(data)

    def _to_device(self, device: EntityId, data: bytes) -> None:
        record = self.inventory.get(device)
        chf = device if record and record.device_type is DeviceType.CHF else (record.chf if record else None)
        if chf is None or not self.wan.down(chf, data):
            self.dsp.transcript.add(f"undeliverable to {device}", data)

    def _post(self, user: DccUser, data: bytes) -> None:
        """Asynchronous responses and alerts to the User's Receive Response Service."""
        if not user.response_url:
            self.post_failures.append(f"{user.name}: no response URL")
            return
        try:
            status, body = self._client.post(user.response_url, data)
        except BenchFault as fault:     # the User's receiver is down: that delivery is lost, the DCC carries on
            self.post_failures.append(f"{user.name}: {fault.what}")
            return
        if status not in (200, 204):
            self.post_failures.append(f"{user.name}: HTTP {status} {body[:200]!r}")


__all__ = ["EmulatedDcc", "DataServicesProvider", "DccIdentity", "DccUser", "DuisRejection", "InventoryDevice",
           "Premises", "SmartMeteringInventory", "SmWan", "response_timeout"]
