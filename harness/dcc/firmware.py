"""11.1 Update Firmware: the DSP checks the request and distributes the image to each device's CH.

Checks (DIT firmware pack; the E1101nn meanings are this model's, DUIS names the codes only):
  E110101 more than 50,000 devices in the list
  E110102 the image is over 750 KB or not an OTA upgrade file
  E110106 a device is unknown, or not one the User supplies (InvalidDeviceIDList)
  E110103 a device is not Commissioned (NotCommissionedDeviceIDList)
  N21 any other transfer failure the CH reports
  E110105 the devices do not share one manufacturer and model, so not one image signer
    (NotApplicableFirmwareDeviceIDList) -- "all the devices in the device list should have the same
    digital signature certificates"
The SR itself is answered at once (I0). The image then travels over the SM WAN to each CH, which passes
it over the HAN to the device; the device verifies it and tells its supplier (0x8F72 or 0x8F1C), the CH
reports the transfer to the DCC (CCS08: 0x8F8A or 0x8F89 with the TransferResponseCode). A CCS08 names the
device and the image's version, not the request: the DSP reads it from the alert (harness.usecases.firmware)
and finds the distribution of that version to that device. A distribution failure reaches the User as a
DCC alert with FirmwareDistributionFailure; N18-N23 are "firmware distribution failures" without
individual meanings in DIT, so this model uses:
  N18 the device's CH cannot be reached over the SM WAN
  N19 the CH discarded the image (FirmwareImageDiscarded)
  N20 the transfer to the device failed (FileTransferFailure: in the emulated lab, it is not on the CH's HAN)
  N21 any other failure the CH reports (HardwareVersionMismatch)
  N22 the device left Commissioned before the image reached it

The Certified Products List: a firmware version withdrawn from it suspends every device that runs it (SMI status
Suspended); when a suspended device reports running a version still certified (the 0x8F66 of its 11.3), the DSP
returns it to the status it held immediately prior to its suspension (DIT firmware pack, Scenario 8).
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from harness.catalogue import DeviceStatus
from harness.dcc.base import DccUser, DuisRejection
from harness.duis.request_id import RequestId
from harness.duis.xml import E
from harness.eui import EntityId
from harness.gbcs import payload as payload_codec
from harness.gbcs.axdr import PayloadError
from harness.gbcs.firmware_image import MAX_IMAGE_BYTES, MalformedImage, parse_image
from harness.gbcs.frame import GeneralSigning
from harness.usecases.firmware import FIRMWARE_TRANSFER_ALERT, firmware_transfer

if TYPE_CHECKING:
    from harness.dcc.dsp import DataServicesProvider

MAX_DEVICES = 50_000
FAILURE_ALERTS = {"unreachable": "N18", "FirmwareImageDiscarded": "N19", "FileTransferFailure": "N20",
                  "not commissioned": "N22"}


@dataclass
class Distribution:
    request_id: RequestId
    user: DccUser
    version: str
    devices: list[EntityId]
    delivered: set[EntityId] = field(default_factory=set)
    failed: dict[EntityId, str] = field(default_factory=dict)
    image_hash: bytes = b""              # SHA-256 of the image: how 11.3 names it
    # the devices as a set: each of up to 50,000 CCS08s asks whether its device is in this distribution
    targets: frozenset[EntityId] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.targets = frozenset(self.devices)

    def awaits(self, device: EntityId) -> bool:
        """The device is in this distribution and its outcome is not known yet."""
        return device in self.targets and device not in self.delivered and device not in self.failed


class FirmwareDistribution:
    def __init__(self, dsp: DataServicesProvider):
        self.dsp = dsp
        self.distributions: dict[str, Distribution] = {}
        # set by the DCC: (chf, image, devices, reference) -> the CH is reachable
        self.distribute: Callable[[EntityId, bytes, list[EntityId], str], bool] | None = None
        self.withdrawn: set[tuple[str, str, str]] = set()      # (manufacturer, model, version) off the CPL

    def withdraw(self, manufacturer: str, model: str, version: str) -> list[EntityId]:
        """A firmware version leaves the Certified Products List: each device in service that runs it is
        Suspended. The devices suspended."""
        self.withdrawn.add((manufacturer, model, version))
        now, suspended = self.dsp.clock.now(), []
        for record in self.dsp.inventory.devices.values():
            if (record.manufacturer, record.model, record.firmware_version) == (manufacturer, model, version) \
                    and record.status in (DeviceStatus.COMMISSIONED, DeviceStatus.INSTALLED_NOT_COMMISSIONED):
                self.dsp.inventory.set_status(record.device_id, DeviceStatus.SUSPENDED, now)
                suspended.append(record.device_id)
        return suspended

    def running(self, device: EntityId, version: str) -> None:
        """The device reported running this version (an activation's 0x8F66): a suspended device running a
        certified version returns to the status it held immediately prior to its suspension."""
        record = self.dsp.inventory.get(device)
        if record is None:
            return
        record.firmware_version = version
        prior = record.status_before_suspension()
        if record.status is DeviceStatus.SUSPENDED and prior is not None \
                and (record.manufacturer, record.model, version) not in self.withdrawn:
            self.dsp.inventory.set_status(device, prior, self.dsp.clock.now())

    def handlers(self) -> dict:
        return {"11.1": self.update_firmware}

    def update_firmware(self, fields: dict, user: DccUser, request_id: RequestId):
        ids = [EntityId(i) for i in fields["DeviceIDList"].split(",") if i]
        if len(ids) > MAX_DEVICES:
            raise DuisRejection("E110101", f"{len(ids):,} devices; at most {MAX_DEVICES:,}")
        try:
            data = base64.b64decode(fields["FirmwareImage"], validate=True)
        except binascii.Error:
            raise DuisRejection("E110102", "FirmwareImage is not base64") from None
        if len(data) > MAX_IMAGE_BYTES:
            raise DuisRejection("E110102", f"image is {len(data):,} bytes; at most {MAX_IMAGE_BYTES:,} (750 KB)")
        try:
            image = parse_image(data)
        except MalformedImage as exc:
            raise DuisRejection("E110102", f"not an OTA upgrade image: {exc}") from None
        unknown = [i for i in ids if self.dsp.inventory.get(i) is None]
        if unknown:
            raise DuisRejection("E110106", f"{len(unknown)} device(s) not in the inventory",
                                E.DSPUpdateFirmwareWarning(E.InvalidDeviceIDList(_id_list(unknown))))
        records = {i: self.dsp.inventory.devices[i] for i in ids}
        not_commissioned = [i for i, d in records.items() if d.status is not DeviceStatus.COMMISSIONED]
        if not_commissioned:
            raise DuisRejection("E110103", f"{len(not_commissioned)} device(s) not Commissioned",
                                E.DSPUpdateFirmwareWarning(E.NotCommissionedDeviceIDList(_id_list(not_commissioned))))
        not_theirs = [i for i, d in records.items() if user.eui not in {u.eui for u in self.dsp.suppliers_of(d)}]
        if not_theirs:
            raise DuisRejection("E110106", f"{len(not_theirs)} device(s) not supplied by {user.name}",
                                E.DSPUpdateFirmwareWarning(E.InvalidDeviceIDList(_id_list(not_theirs))))
        models = {(d.manufacturer, d.model) for d in records.values()}
        if len(models) > 1:
            first = next(iter(records.values()))
            odd = [i for i, d in records.items() if (d.manufacturer, d.model) != (first.manufacturer, first.model)]
            raise DuisRejection("E110105", "the devices do not share one manufacturer and model (image signer)",
                                E.DSPUpdateFirmwareWarning(E.NotApplicableFirmwareDeviceIDList(_id_list(odd))))
        job = Distribution(request_id, user, image.version, ids, image_hash=image.hash)
        self.distributions[str(request_id)] = job
        by_hub: dict[EntityId | None, list[EntityId]] = {}          # None: a device with no hub known
        for device_id, record in records.items():
            by_hub.setdefault(record.chf, []).append(device_id)
        for chf, devices in by_hub.items():
            if chf is None or self.distribute is None or not self.distribute(chf, data, devices, str(request_id)):
                self._failed(job, devices, "unreachable")
        return None

    def device_alert(self, alert: GeneralSigning, decoded: payload_codec.Payload) -> None:
        """An alert a CH sent the DCC (its payload as the DSP decoded it): a CCS08 says how the transfer of an
        image to one of its devices went."""
        if alert.message_code != FIRMWARE_TRANSFER_ALERT:
            return
        try:
            transfer = firmware_transfer(decoded.value)
        except PayloadError:
            return
        if transfer is None:
            return
        device = transfer.device_id
        job = self._distribution_of(transfer.version, device)
        if job is None:
            return
        if transfer.succeeded:
            record = self.dsp.inventory.get(device)
            if record is not None and record.status is not DeviceStatus.COMMISSIONED:
                self._failed(job, [device], "not commissioned")
            else:
                job.delivered.add(device)
        else:
            self._failed(job, [device], transfer.response)

    def _distribution_of(self, version: str, device: EntityId) -> Distribution | None:
        """The latest distribution of that version to that device whose outcome there is not yet known."""
        return next((job for job in reversed(self.distributions.values())
                     if job.version == version and job.awaits(device)), None)

    def version_of(self, image_hash: bytes, device: EntityId) -> str | None:
        """The version of the image with that hash the DSP distributed to that device (11.3 names only the hash)."""
        return next((job.version for job in reversed(self.distributions.values())
                     if job.image_hash == image_hash and device in job.targets), None)

    def _failed(self, job: Distribution, devices: list[EntityId], reason: str) -> None:
        for device in devices:
            job.failed[device] = reason
        code = FAILURE_ALERTS.get(reason, "N21")
        self.dsp.dcc_alert(job.user, code, E.FirmwareDistributionFailure(
            E.UpdateFirmwareRequestID(str(job.request_id)), E.MeterIDs(_id_list(devices))))


def _id_list(devices: list[EntityId]) -> str:
    return ",".join(d.duis for d in devices)
