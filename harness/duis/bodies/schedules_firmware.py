"""Bodies of the DSP schedule SRs (5.x) and the firmware SRs (11.1, 11.3, 11.4).

5.1 Create Schedule asks the DSP to send a DSP-schedulable read (catalogue dsp_schedulable) to a
device at a repeat frequency; the read's log period is given as day offsets and times relative to
each execution. 5.2 / 5.3 name one schedule by its DSP Schedule ID or every schedule of a device: DIT
changes schedules either way (delete one by ID, or all of the device's, then create).

11.1 / 11.4 hand the DSP a firmware image to distribute to a list of devices; 11.3 then activates it
on one device, identified by the image's hash.
"""

from __future__ import annotations

import base64
import datetime as dt
import re
from collections import Counter
from collections.abc import Iterable

from lxml import etree

from harness import catalogue
from harness.duis.bodies._common import Certificate, certificate_b64, eui, future_dated
from harness.duis.requests import body
from harness.duis.xml import E
from harness.errors import DitError
from harness.eui import EntityId

SCHEDULE_FREQUENCIES = ("Daily", "Weekly", "Monthly", "Quarterly", "Half-Yearly", "Yearly")

# Scheduled SRV -> the XSD DSPSchedule choice element, and whether it carries a ReadLogPeriodOffset.
_DSP_SCHEDULED: dict[str, tuple[str, bool]] = {
    "4.2": ("DSPReadInstantaneousExportRegisters", False),
    "4.6.1": ("DSPRetrieveImportDailyReadLog", True),
    "4.6.2": ("DSPRetrieveExportDailyReadLog", True),
    "4.8.1": ("DSPReadActiveImportProfileData", True),
    "4.8.2": ("DSPReadReactiveImportProfileData", True),
    "4.8.3": ("DSPReadExportProfileData", True),
    "4.10": ("DSPReadNetworkData", True),
    "4.12.1": ("DSPReadMaximumDemandImportRegisters", False),
    "4.12.2": ("DSPReadMaximumDemandExportRegisters", False),
    "4.14": ("DSPReadPrepaymentDailyReadLog", True),
    "4.15": ("DSPReadLoadLimitData", False),
    "4.16": ("DSPReadActivePowerImport", False),
    "4.17": ("DSPRetrieveDailyConsumptionLog", True),
    "14.1": ("DSPRecordNetworkDataGAS", False),
}

MAX_LOG_PERIOD_OFFSET_DAYS = 400      # XSD logPeriodOffset: -400..0
MAX_SCHEDULE_ID = 1_000_000_000_000   # XSD scheduleID
MAX_FIRMWARE_IMAGE_BYTES = 750 * 1024  # DITAD: "The maximum firmware image size is 750 KB" (XSD allows 10,240,000)
MAX_FIRMWARE_DEVICES = 50_000          # DITAD; also the XSD DeviceIDList maxLength, 50,000 * 24 - 1


def _xs_date(srv: str, name: str, value: dt.date) -> str:
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise DitError(f"{srv} {name} must be a date, not {type(value).__name__}", fix="use datetime.date")
    return value.isoformat()


def _xs_time(srv: str, name: str, value: dt.time) -> str:
    """xs:time in UTC with a Z; a naive time is taken as UTC."""
    if not isinstance(value, dt.time):
        raise DitError(f"{srv} {name} must be a time, not {type(value).__name__}", fix="use datetime.time (UTC)")
    offset = value.utcoffset()
    if offset:
        raise DitError(f"{srv} {name} {value.isoformat()} is not UTC", fix="give the time in UTC")
    return value.strftime("%H:%M:%SZ")


def _log_period_offset(start_date_offset: int, start_time: dt.time, end_date_offset: int,
                       end_time: dt.time) -> list[etree._Element]:
    for name, offset in (("start_date_offset", start_date_offset), ("end_date_offset", end_date_offset)):
        if not isinstance(offset, int) or not -MAX_LOG_PERIOD_OFFSET_DAYS <= offset <= 0:
            raise DitError(f"5.1 {name} must be a whole number of days from -{MAX_LOG_PERIOD_OFFSET_DAYS} to 0, "
                           f"not {offset!r}", fix="offsets count days back from each execution")
    parts = [E.StartDateOffset(str(start_date_offset)), E.StartTime(_xs_time("5.1", "start_time", start_time)),
             E.EndDateOffset(str(end_date_offset)), E.EndTime(_xs_time("5.1", "end_time", end_time))]
    if (end_date_offset, end_time.replace(tzinfo=None)) < (start_date_offset, start_time.replace(tzinfo=None)):
        raise DitError("5.1 log period ends before it starts", fix="check the date offsets and times")
    return parts


@body("5.1")
def create_schedule(*, device_id: EntityId | str, schedule_start_date: dt.date, scheduled_srv: str = "4.6.1",
                    schedule_frequency: str = "Daily", schedule_end_date: dt.date | None = None,
                    schedule_execution_start_time: dt.time | None = None,
                    ka_public_security_credential: Certificate | None = None,
                    start_date_offset: int = -1, start_time: dt.time = dt.time(0, 0),
                    end_date_offset: int = 0, end_time: dt.time = dt.time(0, 0)) -> etree._Element:
    """A DSP schedule of `scheduled_srv` (default 4.6.1, the midnight reads) for one device.

    Log reads cover, at each execution, start_date_offset days back at start_time to end_date_offset
    days back at end_time (default: the previous day, midnight to midnight, UTC); reads without a log
    period (4.12.x, 4.15, 4.16, 14.1) ignore the four offset parameters. The dates and times are
    explicit so a scenario can pin them; the DSP answers with the DSP Schedule ID.
    """
    service = catalogue.service_request(scheduled_srv)
    if not service.dsp_schedulable:
        note = " (the XSD lists it, the DUIS request matrix does not)" if scheduled_srv in _DSP_SCHEDULED else ""
        raise DitError(f"5.1: {service} is not DSP-schedulable{note}",
                       fix="schedule one of " + ", ".join(s.srv for s in catalogue.service_requests()
                                                         if s.dsp_schedulable))
    if schedule_frequency not in SCHEDULE_FREQUENCIES:
        raise DitError(f"5.1 ScheduleFrequency must be one of {', '.join(SCHEDULE_FREQUENCIES)}, "
                       f"not {schedule_frequency!r}")
    parts = [E.ScheduleFrequency(schedule_frequency),
             E.ScheduleStartDate(_xs_date("5.1", "schedule_start_date", schedule_start_date))]
    if schedule_end_date is not None:
        parts.append(E.ScheduleEndDate(_xs_date("5.1", "schedule_end_date", schedule_end_date)))
        if schedule_end_date < schedule_start_date:
            raise DitError(f"5.1 schedule ends ({schedule_end_date}) before it starts ({schedule_start_date})")
    if schedule_execution_start_time is not None:
        parts.append(E.ScheduleExecutionStartTime(
            _xs_time("5.1", "schedule_execution_start_time", schedule_execution_start_time)))
    if ka_public_security_credential is not None:
        parts.append(E.KAPublicSecurityCredential(certificate_b64(ka_public_security_credential)))
    tag, has_log_period = _DSP_SCHEDULED[scheduled_srv]
    scheduled = E(tag, *(_log_period_offset(start_date_offset, start_time, end_date_offset, end_time)
                         if has_log_period else []))
    parts += [E.DSPScheduledServiceReference(service.service_reference),
              E.DSPScheduledServiceReferenceVariant(scheduled_srv), E.DeviceID(eui(device_id)), scheduled]
    return E.CreateSchedule(*parts)


def _schedule_selector(tag: str, srv: str, dsp_schedule_id: int | str | None,
                       device_id: EntityId | str | None) -> etree._Element:
    """ReadSchedule / DeleteSchedule: one schedule by DSP Schedule ID, or every schedule of a device."""
    if device_id is not None and dsp_schedule_id is None:
        return E(tag, E.DeviceID(eui(device_id)))
    if device_id is not None or dsp_schedule_id is None:
        raise DitError(f"{srv} needs exactly one of dsp_schedule_id or device_id")
    try:
        number = -1 if isinstance(dsp_schedule_id, (bool, float)) else int(dsp_schedule_id)
    except (TypeError, ValueError):
        number = -1
    if not 0 <= number <= MAX_SCHEDULE_ID:
        raise DitError(f"{srv} DSP Schedule ID must be a whole number from 0 to {MAX_SCHEDULE_ID}, "
                       f"not {dsp_schedule_id!r}", fix="use the ID from the 5.1 response")
    return E(tag, E.DSPScheduleID(str(number)))


@body("5.2")
def read_schedule(*, dsp_schedule_id: int | str | None = None,
                  device_id: EntityId | str | None = None) -> etree._Element:
    return _schedule_selector("ReadSchedule", "5.2", dsp_schedule_id, device_id)


@body("5.3")
def delete_schedule(*, dsp_schedule_id: int | str | None = None,
                    device_id: EntityId | str | None = None) -> etree._Element:
    """Delete one schedule (by its DSP Schedule ID) or all schedules of a device (by its ID)."""
    return _schedule_selector("DeleteSchedule", "5.3", dsp_schedule_id, device_id)


def _device_id_list(srv: str, device_id_list: Iterable[EntityId | str] | EntityId | str) -> str:
    if isinstance(device_id_list, (str, bytes)):
        items = [device_id_list] if isinstance(device_id_list, bytes) else \
            [part for part in re.split(r"[,\s]+", device_id_list) if part]
    else:
        items = list(device_id_list)
    ids = [eui(item) for item in items]
    if not ids:
        raise DitError(f"{srv} needs at least one device in device_id_list")
    if len(ids) > MAX_FIRMWARE_DEVICES:
        raise DitError(f"{srv} device list has {len(ids):,} devices; at most {MAX_FIRMWARE_DEVICES:,} are allowed",
                       fix="split the devices over several requests")
    duplicates = sorted(i for i, n in Counter(ids).items() if n > 1)
    if duplicates:
        raise DitError(f"{srv} device list names {', '.join(duplicates[:3])} more than once")
    return ",".join(ids)


def _firmware_distribution(tag: str, srv: str, firmware_image: bytes, firmware_version: str,
                           device_id_list: Iterable[EntityId | str] | EntityId | str) -> etree._Element:
    """UpdateFirmware / UpdatePPMIDFirmware: the same XSD shape and the same DIT limits."""
    if not isinstance(firmware_image, (bytes, bytearray, memoryview)):
        raise DitError(f"{srv} firmware_image must be the image bytes, not {type(firmware_image).__name__}",
                       fix="read the image file in binary mode")
    image = bytes(firmware_image)
    if not image:
        raise DitError(f"{srv} firmware image is empty")
    if len(image) > MAX_FIRMWARE_IMAGE_BYTES:
        raise DitError(f"{srv} firmware image is {len(image):,} bytes; the maximum is 750 KB "
                       f"({MAX_FIRMWARE_IMAGE_BYTES:,} bytes)")
    if not isinstance(firmware_version, str) or not 1 <= len(firmware_version) <= 8:
        raise DitError(f"{srv} firmware_version must be 1 to 8 characters, not {firmware_version!r}")
    return E(tag, E.FirmwareImage(base64.b64encode(image).decode()), E.FirmwareVersion(firmware_version),
             E.DeviceIDList(_device_id_list(srv, device_id_list)))


@body("11.1")
def update_firmware(*, firmware_image: bytes, firmware_version: str,
                    device_id_list: Iterable[EntityId | str] | EntityId | str) -> etree._Element:
    """The DSP distributes the image (<= 750 KB) to up to 50,000 commissioned ESMEs or GSMEs; a text
    device_id_list may separate IDs with commas. Activation is a separate 11.3 per device."""
    return _firmware_distribution("UpdateFirmware", "11.1", firmware_image, firmware_version, device_id_list)


@body("11.3")
def activate_firmware(*, firmware_hash: bytes | str,
                      execution_date_time: dt.datetime | None = None) -> etree._Element:
    """Activate a distributed image on one device; the 32-byte hash (bytes or 64 hex digits) names the
    image. Future dating is held by the device (0x8F66 / 0x8F67)."""
    if isinstance(firmware_hash, str):
        text = re.sub(r"[\s:]", "", firmware_hash)
        try:
            firmware_hash = bytes.fromhex(text)
        except ValueError:
            raise DitError(f"11.3 firmware_hash is not hex: {text[:20]!r}...", fix="give 64 hex digits") from None
    if len(firmware_hash) != 32:
        raise DitError(f"11.3 firmware_hash must be 32 bytes (64 hex digits), not {len(firmware_hash)}")
    return E.ActivateFirmware(*future_dated(execution_date_time), E.FirmwareHash(bytes(firmware_hash).hex().upper()))


@body("11.4")
def update_ppmid_firmware(*, firmware_image: bytes, firmware_version: str,
                          device_id_list: Iterable[EntityId | str] | EntityId | str) -> etree._Element:
    """As 11.1 for PPMIDs; the same XSD type, and the DIT image and device-list limits applied alike."""
    return _firmware_distribution("UpdatePPMIDFirmware", "11.4", firmware_image, firmware_version, device_id_list)
