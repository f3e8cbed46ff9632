"""The emulated DCC: a DSP behind the DCC Boxed DUIS endpoints on loopback (over mutual TLS when served as a
bench by `dit lab serve`), and the SM WAN to the CHs."""

from __future__ import annotations

import secrets
import urllib.parse

from harness.catalogue import DeviceType
from harness.clock import VirtualClock
from harness.dcc.base import DccIdentity, DccUser, DuisRejection
from harness.dcc.ch_firmware import ChFirmwareManagement, Clash, PendingWork
from harness.dcc.ch_firmware_api import ChFirmwareInterfaces
from harness.dcc.dsp import DataServicesProvider
from harness.dcc.inventory import InventoryDevice, Premises, SmartMeteringInventory
from harness.dcc.wan import SmWan
from harness.duis.ch_firmware_wire import NOTIFICATION_PATH, PREFIX
from harness.duis.request_id import RequestCounter
from harness.duis.schema import DuisSchema
from harness.errors import BenchFault
from harness.eui import EntityId
from harness.httpio import HttpClient, HttpServer, TlsFiles
from harness.pki.repository import SmkiRepository

API = "/api/v1/"
RESPONSE_TIMEOUT_S = {DeviceType.GSME: 2 * 3600.0}     # a sleepy GSME answers when it next polls
DEFAULT_RESPONSE_TIMEOUT_S = 300.0
# Work a CH upgrade must not coincide with, by the SR that does it (SECMP0024).
CLASH_OF_SR = {"1.1.1": Clash.TARIFF_OR_PRICE, "1.1.2": Clash.TARIFF_OR_PRICE, "1.2.1": Clash.TARIFF_OR_PRICE,
               "1.2.2": Clash.TARIFF_OR_PRICE, "11.1": Clash.DEVICE_FIRMWARE, "11.3": Clash.DEVICE_FIRMWARE,
               "2.2": Clash.TOP_UP, "6.23": Clash.CHANGE_OF_SUPPLIER}
SUPPLIER_ROLES = ("import_supplier", "gas_supplier")


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
        # CH firmware management (SECMP0024) and its API, portal and webhooks; a bearer token per User
        self.ch_firmware = ChFirmwareManagement(clock, self.inventory, pending_work=self._pending_work,
                                                upgrade_hub=self.wan.upgrade_hub, notify=self._notify)
        self.portal_tokens = {u.eui: secrets.token_urlsafe(24) for u in users}
        self.ch_firmware_interfaces = ChFirmwareInterfaces(
            self.ch_firmware, {t: (eui, self.users[eui].name) for eui, t in self.portal_tokens.items()},
            clock.lock, self._post_json)
        for user in users:
            if user.response_url:
                origin = urllib.parse.urlsplit(user.response_url)
                self.ch_firmware_interfaces.notification_urls[user.eui] = \
                    f"{origin.scheme}://{origin.netloc}{NOTIFICATION_PATH}"
        self.server = HttpServer(self._on_post, port=port, tls=tls, web=(PREFIX, self.ch_firmware_interfaces.handle))

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

    @property
    def portal_url(self) -> str:
        return self.server.base_url + PREFIX.rstrip("/")

    def _pending_work(self, chf: EntityId) -> list[PendingWork]:
        """What is due at the CH's premises that an upgrade must not coincide with: future-dated and in-flight
        SRs to its devices, and changes of supplier the registration data announced."""
        devices = {d.device_id for d in self.inventory.devices.values() if d.chf == chf} | {chf}
        work = [PendingWork(CLASH_OF_SR[srv], at) for srv, at in self.dsp.due_work(devices) if srv in CLASH_OF_SR]
        premises = self.inventory.premises.get(chf)
        if premises is not None:
            work += [PendingWork(Clash.CHANGE_OF_SUPPLIER, at) for role, _, at in premises.pending_changes
                     if role in SUPPLIER_ROLES and at >= self.clock.now()]
        return work

    def _notify(self, notification) -> None:
        """A CH firmware notification leaves after the DCC's processing time, like its DUIS alerts."""
        self.clock.call_later(1.0, lambda: self.ch_firmware_interfaces.notify(notification),
                              f"CH firmware notification to {notification.supplier}")

    def _post_json(self, url: str, body: bytes, headers: dict[str, str]) -> None:
        try:
            response = self._client.request("POST", url, body, headers)
        except BenchFault as fault:
            self.post_failures.append(f"{url}: {fault.what}")
            return
        if response.status not in (200, 204):
            self.post_failures.append(f"{url}: HTTP {response.status} {response.body[:200]!r}")

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
