"""Bodies of the HAN, inventory and Communications Hub SRs: 8.x and 12.x.

Conventions for every body builder (all modules of this package):
- named after the XSD Body element in snake case, registered with @body("<SRV>");
- keyword-only parameters in snake case, with defaults a DIT test engineer would pick, so that a
  Gherkin table can override any of them by name;
- entity IDs accepted as EntityId or any EUI text form; date-times as aware datetimes.
"""

from __future__ import annotations

import base64
import datetime as dt

from lxml import etree

from harness.catalogue import DeviceType
from harness.duis.bodies._common import boolean, eui, future_dated
from harness.duis.request_id import RequestId
from harness.duis.requests import body, xs_datetime
from harness.duis.xml import E
from harness.errors import DitError
from harness.eui import EntityId


@body("8.2")
def read_inventory(*, device_id: EntityId | str | None = None, mpxn: str | None = None, uprn: int | None = None,
                   post_code: str | None = None, address_identifier: str | None = None) -> etree._Element:
    """Exactly one selector: a device, an MPxN, a UPRN or a post code with an address identifier."""
    chosen = [n for n, v in (("device_id", device_id), ("mpxn", mpxn), ("uprn", uprn),
                             ("post_code", post_code)) if v is not None]
    if len(chosen) != 1:
        raise DitError("8.2 Read Inventory needs exactly one of device_id, mpxn, uprn or post_code")
    if device_id is not None:
        return E.ReadInventory(E.DeviceID(eui(device_id)))
    if mpxn is not None:
        return E.ReadInventory(E.MPxN(mpxn))
    if uprn is not None:
        return E.ReadInventory(E.UPRN(str(uprn)))
    return E.ReadInventory(E.PropertyFilter(E.PostCode(post_code), E.AddressIdentifier(address_identifier or "1")))


@body("8.3")
def decommission_device(*, device_id: EntityId | str) -> etree._Element:
    return E.DecommissionDevice(E.DeviceID(eui(device_id)))


def _join_or_unjoin(tag: str, other_device_id: EntityId | str) -> etree._Element:
    return E(tag, E.OtherDeviceID(eui(other_device_id)))


@body("8.7.1")
def join_service_critical(*, other_device_id: EntityId | str) -> etree._Element:
    return _join_or_unjoin("JoinServiceCritical", other_device_id)


@body("8.7.2")
def join_service_non_critical(*, other_device_id: EntityId | str) -> etree._Element:
    return _join_or_unjoin("JoinServiceNonCritical", other_device_id)


@body("8.8.1")
def unjoin_service_critical(*, other_device_id: EntityId | str) -> etree._Element:
    return _join_or_unjoin("UnjoinServiceCritical", other_device_id)


@body("8.8.2")
def unjoin_service_non_critical(*, other_device_id: EntityId | str) -> etree._Element:
    return _join_or_unjoin("UnjoinServiceNonCritical", other_device_id)


@body("8.9")
def read_device_log(*, read_security_details: bool = False,
                    execution_date_time: dt.datetime | None = None) -> etree._Element:
    parts = future_dated(execution_date_time)
    if read_security_details:
        parts.append(E.ReadSecurityDetails())
    return E.ReadDeviceLog(*parts)


@body("8.11")
def update_han_device_log(*, device_id: EntityId | str, request_type: str = "Add",
                          install_code: str | bytes | None = None, join_time_period: int = 3600,
                          import_mpxn: str | None = None, secondary_import_mpan: str | None = None,
                          export_mpan: str | None = None,
                          execution_date_time: dt.datetime | None = None) -> etree._Element:
    """Add a device to the CHF whitelist (install code, join period in seconds, <= 3600) or remove it."""
    if request_type not in ("Add", "Remove"):
        raise DitError(f"8.11 RequestType must be Add or Remove, not {request_type!r}")
    parts = future_dated(execution_date_time) + [E.DeviceID(eui(device_id)), E.RequestType(request_type)]
    if request_type == "Add":
        if install_code is None:
            raise DitError("8.11 Add needs the device's ZigBee install code", fix="give install_code as hex")
        code = install_code.hex().upper() if isinstance(install_code, bytes) else install_code
        whitelist = [E.JoinTimePeriod(str(join_time_period)), E.InstallCode(code)]
        for tag, value in (("ImportMPxN", import_mpxn), ("SecondaryImportMPAN", secondary_import_mpan),
                           ("ExportMPAN", export_mpan)):
            if value is not None:
                whitelist.append(E(tag, value))
        parts.append(E.AddDeviceToCHFWhitelist(*whitelist))
    return E.UpdateHANDeviceLog(*parts)


@body("8.12.1")
def restore_han_device_log(*, old_chf_id: EntityId | str) -> etree._Element:
    """Sent to the new CHF: restore the Device Log of the CHF it replaces."""
    return E.RestoreHANDeviceLog(E.OldCHFID(eui(old_chf_id)))


@body("8.12.2")
def restore_gpf_device_log(*, old_gpf_id: EntityId | str) -> etree._Element:
    return E.RestoreGPFDeviceLog(E.OldGPFID(eui(old_gpf_id)))


@body("8.13")
def return_local_command_response(*, device_gbcs_response: bytes,
                                  original_request_id: RequestId | str | None = None) -> etree._Element:
    """Hand the DCC a device response (or alert, e.g. 0x8F12) obtained by Local Command Delivery."""
    parts = [] if original_request_id is None else [E.OriginalRequestID(str(original_request_id))]
    parts.append(E.DeviceGBCSResponse(base64.b64encode(device_gbcs_response).decode()))
    return E.ReturnLocalCommandResponse(*parts)


def _chf_install(tag: str, device_id, install_type, mpxn, aerial_install, chf_location, install_date_time,
                 extra: list[etree._Element]) -> etree._Element:
    parts = [E.DeviceID(eui(device_id)), E.CHFInstallType(install_type)]
    if install_date_time is not None:
        parts.append(E.InstallDateTime(xs_datetime(install_date_time)))
    parts += [E.MPxN(mpxn), E.AerialInstall(boolean(aerial_install)), E.CHFLocation(chf_location)]
    return E(tag, *parts, *extra)


@body("8.14.1")
def chf_install_success_smwan(*, device_id: EntityId | str, mpxn: str,
                              install_type: str = "New CHF Install", aerial_install: bool = False,
                              chf_location: str = "Indoors on external wall",
                              install_date_time: dt.datetime | None = None) -> etree._Element:
    return _chf_install("CHFInstallSuccessSMWAN", device_id, install_type, mpxn, aerial_install, chf_location,
                        install_date_time, [])


@body("8.14.2")
def chf_install_success_no_smwan(*, device_id: EntityId | str, mpxn: str, aerial_install: bool = False,
                                 chf_location: str = "Indoors on external wall",
                                 premise_type: str = "Detached / Semi Detached",
                                 metal_obstruction: bool = False, connectivity_obstruction: bool = False,
                                 shared_obstruction: bool = False,
                                 install_date_time: dt.datetime | None = None) -> etree._Element:
    """Install with no SM WAN: starts the CSP's 90-day SLA."""
    extra = [E.PremiseType(premise_type), E.MetalObstructionCheck(boolean(metal_obstruction)),
             E.ConnectivityObstructionCheck(boolean(connectivity_obstruction)),
             E.SharedObstructionCheck(boolean(shared_obstruction))]
    return _chf_install("CHFInstallSuccessNoSMWAN", device_id, "CHF Install - no SM WAN", mpxn, aerial_install,
                        chf_location, install_date_time, extra)


@body("12.1")
def request_wan_matrix(*, uprn: int | None = None, post_code: str | None = None,
                       address_identifier: str = "1") -> etree._Element:
    if (uprn is None) == (post_code is None):
        raise DitError("12.1 Request WAN Matrix needs either uprn or post_code")
    if uprn is not None:
        return E.RequestWANMatrix(E.UPRN(str(uprn)))
    return E.RequestWANMatrix(E.PartialAddress(E.PostCode(post_code), E.AddressIdentifier(address_identifier)))


@body("12.2")
def device_prenotification(*, device_id: EntityId | str, device_type: DeviceType | str,
                           device_manufacturer: str = "DIT0", device_model: str = "0001",
                           smets_chts_version: str | None = None, firmware_version: str | None = None,
                           esme_variant: str | None = None,
                           associated_gpf_device_id: EntityId | str | None = None) -> etree._Element:
    """Tell the SMI about a device before any SR names it; an HHT is pre-notified as an IHD."""
    parts = [E.DeviceID(eui(device_id)), E.DeviceManufacturer(device_manufacturer), E.DeviceModel(device_model),
             E.DeviceType(DeviceType(device_type).duis_type)]
    for tag, value in (("SMETSCHTSVersion", smets_chts_version), ("FirmwareVersion", firmware_version),
                       ("ESMEVariant", esme_variant)):
        if value is not None:
            parts.append(E(tag, value))
    if associated_gpf_device_id is not None:
        parts.append(E.AssociatedGPFDeviceID(eui(associated_gpf_device_id)))
    return E.DevicePrenotification(*parts)
