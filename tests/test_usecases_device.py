"""The device side of the use cases against the RTDS: a device reads every RTDS command of a use case it
reads, and what it answers for the outcome a User parsed from an RTDS response parses to the same MMC,
byte for byte the RTDS payload unless the case is named below with why."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from lxml import etree

from harness.catalogue import DeviceType
from harness.gbcs.frame import GbcsMessage
from harness.usecases import device, mmc, registry
from tests import rtds

# RTDS responses whose payload a device answers differently, with the same MMC (and why).
NOT_BYTE_FOR_BYTE: dict[str, str] = {}


def _device_type(use_case: str) -> DeviceType:
    for codecs in registry._COMMANDS.values():
        for codec in codecs:
            if codec.use_case == use_case:
                return codec.devices[0]
    raise LookupError(use_case)


def _commands(conformance):
    found = []
    for path in sorted((conformance / "gbcs" / "rtds").rglob("*_COMMAND_GBCS.HEX")):
        match = rtds.NAME.match(path.name)
        if match and registry.acceptor(match["uc"]) is not None:
            found.append((path, match["uc"]))
    return found


def _responses(conformance):
    found = []
    for path in sorted((conformance / "gbcs" / "rtds").rglob("*_RESPONSE_GBCS.HEX")):
        match = rtds.NAME.match(path.name)
        command = path.with_name(path.name.replace("_RESPONSE_GBCS", "_COMMAND_GBCS"))
        if match and device.understood(match["uc"]) and command.exists():
            found.append((path, command, match["uc"]))
    return found


def test_a_device_reads_every_rtds_command_of_the_use_cases_it_reads(conformance):
    commands = _commands(conformance)
    if not commands:
        pytest.skip("no RTDS command of a use case devices read")
    for path, use_case in commands:
        apdu = rtds.message(path).apdu
        read, fields = device.read(apdu, _device_type(use_case), now=apdu.date_time or _NOW, commissioned=False)
        assert fields["UseCase"].startswith(use_case.removesuffix("Commission")), path.name
        assert read.payload.encode() == apdu.payload, path.name


def _body(document) -> bytes:
    return etree.tostring(document.find(f"{{{mmc.RA}}}Body"))


def test_what_a_device_answers_parses_to_the_rtds_responses_mmc(conformance):
    pairs = _responses(conformance)
    if not pairs:
        pytest.skip("no RTDS response of a use case devices answer")
    different = []
    for response_path, command_path, use_case in pairs:
        response = rtds.message(response_path)
        apdu = rtds.message(command_path).apdu
        read, _ = device.read(apdu, _device_type(use_case), now=apdu.date_time or _NOW, commissioned=False)
        expected, _ = mmc.parse(response)
        payload = device.answer(read, mmc.values(expected))
        answered = dataclasses.replace(response, apdu=dataclasses.replace(response.apdu, payload=payload))
        found, _ = mmc.parse(answered)
        assert _body(found) == _body(expected), response_path.name
        if payload != response.apdu.payload and response_path.name not in NOT_BYTE_FOR_BYTE:
            different.append(response_path.name)
    assert different == []


def test_values_name_what_the_mmc_response_holds(conformance):
    document, _ = mmc.parse(rtds.message(rtds.rtds_file(conformance, "GCS21j_6.2.9_SUCCESS_RESPONSE_GBCS.HEX")))
    assert mmc.values(document) == {"Result": "Success", "PaymentMode": "Prepayment", "SuspendDebtEmergency": "false",
                                    "SuspendDebtDisabled": "true"}
    failed, _ = mmc.parse(rtds.message(rtds.rtds_file(conformance, "ECS26j_6.2.9_ERROR_RESPONSE_GBCS.HEX")))
    assert mmc.values(failed) == {"Result": "Failure"}


def test_shared_message_codes_resolve_as_the_device_sees_them():
    from harness.eui import DCC_ACCESS_CONTROL_BROKER, EntityId
    from harness.gbcs.frame import CraFlag, GeneralSigning

    def apdu(code: int, originator=EntityId("00-DB-12-34-56-78-90-A0"), signature=None):
        return GeneralSigning(cra_flag=CraFlag.COMMAND, originator_counter=1, originator=originator,
                              recipient=EntityId("00-DB-12-34-56-78-90-A1"), message_code=code, payload=b"",
                              signature=signature)

    assert device.use_case_of(apdu(0x0062), DeviceType.ESME, commissioned=False) == "ECS70Commission"
    assert device.use_case_of(apdu(0x0062), DeviceType.ESME, commissioned=True) == "ECS70"
    assert device.use_case_of(apdu(0x0102, DCC_ACCESS_CONTROL_BROKER), DeviceType.ESME) == \
        "CS02bSupplierBySupplierHandover"
    assert device.use_case_of(apdu(0x0102), DeviceType.ESME) == "CS02bSupplierBySupplier"
    assert device.use_case_of(apdu(0x01A8), DeviceType.GPF) == "GCS61"
    assert device.use_case_of(apdu(0x01A8), DeviceType.ESME) == "ECS21b"
    assert device.use_case_of(apdu(0x00AB, signature=b"\x00" * 64), DeviceType.HCALCS) == "CS03A2Critical"
    assert device.use_case_of(apdu(0x00AB), DeviceType.PPMID) == "CS03A2NonCritical"


_NOW = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
