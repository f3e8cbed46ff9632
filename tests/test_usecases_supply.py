"""The ESME's supply: 7.1 Enable (ECS42), 7.2 Disable (ECS43), 7.3 Arm (ECS44), and the ESME's answers to the
read-backs 7.4 (ECS45) and 6.2.4 (ECS26e/m).

The RTDS 4.5.0 pairs of 7.1-7.3 are not in the shared conformance folder; their payloads are public
(SmartDCCInnovation/gbcs-parser test/rtds/RTDS-4.5.0/7.x_ECS4x, request counter 1000, the ERROR pair's 1001) and
short, so the DCC's command and the device's answers are written here as the RTDS gives them."""

from __future__ import annotations

import datetime as dt

import pytest
from esme_messages import ESME, command, request, respond
from lxml import etree

from harness import catalogue
from harness.catalogue import DeviceType
from harness.gbcs import axdr, dlms
from harness.gbcs.axdr import PayloadError
from harness.gbcs.dlms import Descriptor, Obis, RequestKind, RequestSpec
from harness.gbcs.frame import GbcsMessage
from harness.usecases import device, parse, transform

NOW = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
RA = "{http://www.dccinterface.co.uk/ResponseAndAlert}"
# use case -> (SR, the RTDS command payload, the MMC response element)
RTDS_COMMANDS = {"ECS42": ("7.1", "D9200003E8000103000900000A006AFF0101120033", "EnableSupplyRsp"),
                 "ECS43": ("7.2", "D9200003E8000103000900000A006AFF0101120034", "DisableSupplyRsp"),
                 "ECS44": ("7.3", "D9200003E8000103000900000A006AFF0101120036", "ArmSupplyRsp")}
RTDS_SUCCESS_RESPONSE = "DA200003E8000001000103" + "00"       # one action, success, no data
RTDS_ERROR_RESPONSE = "DA200003E9000001000103" + "01"         # one action, hardware-fault (ECS42 ERROR, counter 1001)





def answered(use_case: str, srv: str, outcome: dict) -> GbcsMessage:
    """The ESME's answer to the DCC's command for `srv`, as its firmware's outcome gives it."""
    out = transform(request(srv), device_type=DeviceType.ESME, now=NOW)
    assert out.use_case == use_case
    read, fields = device.read(out.apdu, DeviceType.ESME, now=NOW)
    assert fields == {"UseCase": use_case}
    return respond(use_case, device.answer(read, outcome))


@pytest.mark.parametrize("use_case", RTDS_COMMANDS)
def test_the_dccs_command_is_the_rtds_one(use_case):
    srv, payload, _ = RTDS_COMMANDS[use_case]
    out = transform(request(srv), device_type=DeviceType.ESME, now=NOW)
    assert (out.use_case, out.apdu.payload.hex().upper()) == (use_case, payload)
    assert out.apdu.message_code == catalogue.use_case(use_case).message_codes[0]


@pytest.mark.parametrize("use_case, state", [("ECS42", "Enabled"), ("ECS43", "Disabled"), ("ECS44", "Armed")])
def test_the_esme_reads_the_rtds_command_as_the_state_it_asks_for(use_case, state):
    read, fields = device.read(command(use_case, bytes.fromhex(RTDS_COMMANDS[use_case][1])), DeviceType.ESME, now=NOW)
    assert fields == {"UseCase": use_case, "SupplyState": state}
    assert device.answer(read, {}).hex().upper() == RTDS_SUCCESS_RESPONSE
    failed, _ = device.read(command(use_case, bytes.fromhex(RTDS_COMMANDS[use_case][1].replace("3E8", "3E9", 1)),
                                    1001), DeviceType.ESME, now=NOW)
    assert device.answer(failed, {"Result": "Failure"}).hex().upper() == RTDS_ERROR_RESPONSE


def _request(*instructions: tuple[RequestKind, Descriptor, axdr.Data]) -> bytes:
    return dlms.AccessRequest(dlms.invoke_id(1000), tuple(RequestSpec(k, d) for k, d, _ in instructions),
                              tuple(v for *_, v in instructions)).encode()


SCRIPTS = Descriptor(9, Obis.parse("0-0:10.0.106.255"), 1)


@pytest.mark.parametrize("payload, why", [
    (_request((RequestKind.ACTION, SCRIPTS, axdr.long_unsigned(52))), "script 52 is not 51"),
    (_request((RequestKind.ACTION, Descriptor(9, Obis.parse("0-0:10.0.100.255"), 1), axdr.long_unsigned(51))),
     "must execute the supply script table"),
    (_request((RequestKind.ACTION, SCRIPTS, axdr.long_unsigned(51)),
              (RequestKind.GET, Descriptor(70, Obis.parse("0-0:96.3.10.255"), 3), axdr.NULL)), "alone"),
])
def test_the_esme_refuses_an_enable_that_is_not_one(payload, why):
    with pytest.raises(PayloadError, match=why):
        device.read(command("ECS42", payload), DeviceType.ESME, now=NOW)


@pytest.mark.parametrize("use_case", RTDS_COMMANDS)
def test_the_responses_parse_to_valid_mmc(mmc_schema, use_case):
    for payload, success in ((RTDS_SUCCESS_RESPONSE, "true"), (RTDS_ERROR_RESPONSE.replace("3E9", "3E8", 1), "false")):
        document, notes = parse(respond(use_case, bytes.fromhex(payload)), srv=RTDS_COMMANDS[use_case][0])
        assert mmc_schema.errors(document) == [] and notes == []
        rsp = document.find(f".//{RA}SMETSData")[0]
        assert etree.QName(rsp).localname == RTDS_COMMANDS[use_case][2]
        assert rsp.get("MessageSuccess") == success, etree.tostring(document).decode()


@pytest.mark.parametrize("state", ["Enabled", "Disabled", "Armed"])
def test_the_esme_answers_7_4_with_its_supply_state(mmc_schema, state):
    document, notes = parse(answered("ECS45", "7.4", {"SupplyState": state}), srv="7.4")
    assert mmc_schema.errors(document) == [] and notes == []
    assert document.findtext(f".//{RA}SupplyState") == state


@pytest.mark.parametrize("use_case, records", [("ECS26m", {}), ("ECS26e", {"gbcs_version": "1.0"})])
@pytest.mark.parametrize("tamper", ["Locked", "Unchanged"])
def test_the_esme_answers_6_2_4_with_its_identity_and_tamper_state(mmc_schema, use_case, records, tamper):
    out = transform(request("6.2.4"), device_type=DeviceType.ESME, now=NOW, **records)
    assert out.use_case == use_case
    read, _ = device.read(out.apdu, DeviceType.ESME, now=NOW)
    identity = {"MeterVariant": "A", "ModelType": "0A21", "ManufacturerIdentifier": "Alder Metering",
                "SupplyTamperState": tamper}
    document, notes = parse(respond(use_case, device.answer(read, identity)), srv="6.2.4")
    assert mmc_schema.errors(document) == [] and notes == []
    rsp = document.find(f".//{RA}SMETSData")[0]
    assert {etree.QName(e).localname: e.text for e in rsp.iter() if e.text and e.text.strip()} == {
        "DeviceIdentifier": ESME.duis, "ModelType": "0A21", "ManufacturerIdentifier": "Alder Metering",
        "SupplyTamperState": tamper, "MeterVariant": "A"}


def test_the_esmes_answers_to_the_read_backs_are_the_rtds_ones():
    """RTDS 4.5.0 7.4_ECS45 and 6.2.4_ECS26m SUCCESS responses (the RTDS ESME: twin element, supply enabled and
    tamper state Locked), as this ESME's answers write them for the same outcome."""
    rtds = {("7.4", "ECS45", 1000): ({"SupplyState": "Enabled"}, "DA200003E80000011601010100"),
            ("6.2.4", "ECS26m", 1001): ({"MeterVariant": "B", "ModelType": "ATGTypeX", "ManufacturerIdentifier": "CSW ",
                                         "SupplyTamperState": "Locked"},
                                        "DA200003E90000040901420908415447547970655809044353572003FF040100010001000100")}
    for (srv, use_case, counter), (outcome, payload) in rtds.items():
        out = transform(request(srv, counter), device_type=DeviceType.ESME, now=NOW)
        read, _ = device.read(out.apdu, DeviceType.ESME, now=NOW)
        assert (out.use_case, device.answer(read, outcome).hex().upper()) == (use_case, payload)
