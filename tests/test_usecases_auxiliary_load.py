"""The ESME's auxiliary load control switches: 7.5 Activate (ECS47Activate), 7.6 Deactivate (ECS47Deactivate),
7.8 Reset (ECS47Reset), and the ESME's answer to the read-back 7.7 (ECS61a).

The RTDS 4.5.0 pairs are not in the shared conformance folder; their payloads are public
(SmartDCCInnovation/gbcs-parser test/rtds/RTDS-4.5.0/7.5_ECS47Activate, 7.6_ECS47Deactivate, 7.7_ECS61a,
7.8_ECS47Reset) and written here as the RTDS gives them: 7.5 holds switch 1 on for 30 minutes (counter 1000),
7.6 switch 3 off for 60 (1001), 7.8 resets switch 5 (1002) and 7.7 reads all five (1002)."""

from __future__ import annotations

import datetime as dt

import pytest
from esme_messages import command, request, respond
from lxml import etree

from harness.catalogue import DeviceType
from harness.gbcs import axdr, dlms
from harness.gbcs.axdr import PayloadError
from harness.gbcs.dlms import Descriptor, Obis, RequestKind, RequestSpec
from harness.usecases import device, parse, transform

NOW = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
RA = "{http://www.dccinterface.co.uk/ResponseAndAlert}"
# use case -> (SR, its parameters, counter, the RTDS command payload, the fields the ESME reads off it)
RTDS_COMMANDS = {
    "ECS47Activate": ("7.5", {"index": 1, "duration": 30}, 1000,
                      "D9200003E8000202000100005E2C75010203000900000A0067FF010212001E120111",
                      {"AuxiliaryLoad": 1, "AuxiliaryLoadOn": True, "Duration": 30}),
    "ECS47Deactivate": ("7.6", {"index": 3, "duration": 60}, 1001,
                        "D9200003E9000202000100005E2C77020203000900000A0067FF010212003C120312",
                        {"AuxiliaryLoad": 3, "AuxiliaryLoadOn": False, "Duration": 60}),
    "ECS47Reset": ("7.8", {"index": 5}, 1002, "D9200003EA000103000900000A0067FF0101120520", {"AuxiliaryLoad": 5}),
}
# use case -> (SUCCESS response, ERROR response) of the RTDS: a set and an execute, or an execute alone
RTDS_RESPONSES = {"ECS47Activate": ("DA200003E800000200000202000300", "DA200003EB000002000002020103FA"),
                  "ECS47Deactivate": ("DA200003E900000200000202000300", "DA200003EC000002000002020103FA"),
                  "ECS47Reset": ("DA200003EA00000100010300", None)}
MMC_RESPONSES = {"ECS47Activate": "ActivateAuxiliaryLoadRsp", "ECS47Deactivate": "DeactivateAuxiliaryLoadRsp",
                 "ECS47Reset": "ResetAuxiliaryLoadRsp"}
RTDS_READ_COMMAND = ("D9200003EA001101000100005E2C000B0201000100005E2C000C0201000100005E2C000D0201000100005E2C000E0201"
                     "000100005E2C000F0201000100005E2C00150201000100005E2C00160201000100005E2C00170201000100005E2C0018"
                     "0201000100005E2C00190201000B00000B0003FF0201000A00000C0002FF02010046000160030AFF0201004600026003"
                     "0AFF02010046000360030AFF02010046000460030AFF02010046000560030AFF02110000000000000000000000000000"
                     "000000")
# The RTDS ESME's answer: five descriptions, switch 2 an HCALCS, 4 special days, 6 scheduler entries, all on.
RTDS_READ_RESPONSE = (
    "DA200003EA0000110A12414C43535F315F4465736372697074696F6E0A144843414C43535F325F4465736372697074696F6E0A12414C4353"
    "5F335F4465736372697074696F6E0A12414C43535F345F4465736372697074696F6E0A12414C43535F355F4465736372697074696F6E0908"
    "0000000000000000090800DB12345678909709080000000000000000090800000000000000000908000000000000000001040203120001"
    "0905FFFF0C19FF110102031200020905FFFF0C1AFF11020203120003090507DF0403FF11030203120004090507DF081FFF110401060"
    "20A12000103FF090600000A0067FF12010109040700000012FFFF0407FE0404000905FFFFFFFFFF0905FFFFFFFFFF020A12000203FF0906"
    "00000A0067FF12010209040B00000012FFFF0407FE0404000905FFFFFFFFFF0905FFFFFFFFFF020A12000303FF090600000A0067FF120201"
    "09041200000012FFFF0407F80404000905FFFF0615FF0905FFFF0915FF020A12000403FF090600000A0067FF12020209041600000012FFFF"
    "0407F80404000905FFFF0615FF0905FFFF0915FF020A12000503FF090600000A0067FF12020109040E00000012FFFF0407060404F00905FF"
    "FF0615FF0905FFFF0915FF020A12000603FF090600000A0067FF12020209041600000012FFFF0407060404F00905FFFF0615FF0905FFFF09"
    "15FF03FF03FF03FF03FF03FF11" + "0100" * 17)





@pytest.mark.parametrize("use_case", RTDS_COMMANDS)
def test_the_dccs_command_is_the_rtds_one(use_case):
    srv, params, counter, payload, _ = RTDS_COMMANDS[use_case]
    out = transform(request(srv, counter, **params), device_type=DeviceType.ESME, now=NOW)
    assert (out.use_case, out.apdu.payload.hex().upper()) == (use_case, payload)
    assert out.apdu.message_code == 0x0055


@pytest.mark.parametrize("use_case", RTDS_COMMANDS)
def test_the_esme_reads_the_rtds_command_as_the_switch_and_hold_it_asks_for(use_case):
    srv, _, counter, payload, fields = RTDS_COMMANDS[use_case]
    read, found = device.read(command(use_case, bytes.fromhex(payload), counter), DeviceType.ESME, now=NOW)
    assert found == {"UseCase": use_case, **fields}
    success, error = RTDS_RESPONSES[use_case]
    assert device.answer(read, {}).hex().upper() == success
    if error:                                  # the ERROR pair's command is the SUCCESS one under the next counter
        failed_counter = int(error[6:10], 16)
        failed_payload = payload.replace(f"{counter:04X}", f"{failed_counter:04X}", 1)
        failed, _ = device.read(command(use_case, bytes.fromhex(failed_payload), failed_counter), DeviceType.ESME,
                                now=NOW)
        assert device.answer(failed, {"Result": "Failure"}).hex().upper() == error


def _request(*instructions: tuple[RequestKind, Descriptor, axdr.Data]) -> bytes:
    return dlms.AccessRequest(dlms.invoke_id(1000), tuple(RequestSpec(k, d) for k, d, _ in instructions),
                              tuple(v for *_, v in instructions)).encode()


SCRIPTS = Descriptor(9, Obis.parse("0-0:10.0.103.255"), 1)
HOLD_ON_1 = Descriptor(1, Obis.parse("0-0:94.44.117.1"), 2)


@pytest.mark.parametrize("payload, why", [
    (_request((RequestKind.SET, HOLD_ON_1, axdr.long_unsigned(30)),
              (RequestKind.ACTION, SCRIPTS, axdr.long_unsigned(0x0113))), "is not 0x0n11"),
    (_request((RequestKind.SET, HOLD_ON_1, axdr.long_unsigned(30)),
              (RequestKind.ACTION, SCRIPTS, axdr.long_unsigned(0x0611))), "switch n of 1-5"),
    (_request((RequestKind.SET, HOLD_ON_1, axdr.long_unsigned(30)),       # the set names switch 1, the script 2
              (RequestKind.ACTION, SCRIPTS, axdr.long_unsigned(0x0211))), "switch 2's"),
    (_request((RequestKind.SET, Descriptor(1, Obis.parse("0-0:94.44.117.2"), 2), axdr.long_unsigned(30)),
              (RequestKind.ACTION, SCRIPTS, axdr.long_unsigned(0x0111))), "switch 1's"),
    (_request((RequestKind.ACTION, SCRIPTS, axdr.long_unsigned(0x0111)),), "first set"),
    (_request((RequestKind.SET, HOLD_ON_1, axdr.long_unsigned(30)),        # held off by the on-time's object
              (RequestKind.ACTION, SCRIPTS, axdr.long_unsigned(0x0112))), "0-0:94.44.117.2"),
    (_request((RequestKind.SET, HOLD_ON_1, axdr.long_unsigned(30)),
              (RequestKind.ACTION, Descriptor(9, Obis.parse("0-0:10.0.106.255"), 1), axdr.long_unsigned(0x0111))),
     "end by executing"),
])
def test_the_esme_refuses_an_activate_that_is_not_one(payload, why):
    with pytest.raises(PayloadError, match=why):
        device.read(command("ECS47Activate", payload), DeviceType.ESME, now=NOW)


def test_the_esme_refuses_a_reset_that_sets_anything():
    payload = _request((RequestKind.SET, HOLD_ON_1, axdr.long_unsigned(30)),
                       (RequestKind.ACTION, SCRIPTS, axdr.long_unsigned(0x0120)))
    with pytest.raises(PayloadError, match="script alone"):
        device.read(command("ECS47Reset", payload), DeviceType.ESME, now=NOW)


@pytest.mark.parametrize("use_case", RTDS_COMMANDS)
def test_the_responses_parse_to_valid_mmc(mmc_schema, use_case):
    success, error = RTDS_RESPONSES[use_case]
    for payload, result in ((success, "true"), (error, "false")):
        if payload is None:
            continue
        document, notes = parse(respond(use_case, bytes.fromhex(payload), int(payload[6:10], 16)),
                                srv=RTDS_COMMANDS[use_case][0])
        assert mmc_schema.errors(document) == [] and notes == []
        rsp = document.find(f".//{RA}SMETSData")[0]
        assert (etree.QName(rsp).localname, rsp.get("MessageSuccess")) == (MMC_RESPONSES[use_case], result)


# -- 7.7 Read Auxiliary Load Switch Data ---------------------------------------------------------------------

def test_the_dccs_7_7_command_is_the_rtds_one():
    out = transform(request("7.7", 1002), device_type=DeviceType.ESME, now=NOW)
    assert (out.use_case, out.apdu.payload.hex().upper()) == ("ECS61a", RTDS_READ_COMMAND)


def _switches(document) -> dict[str, dict[str, str]]:
    return {switch.get("Index"): {etree.QName(e).localname: (e.text or "") for e in switch.iter() if e is not switch}
            for switch in document.iter(f"{RA}AuxiliaryLoadControlSwitch")}


def test_the_rtds_7_7_response_parses_to_valid_mmc(mmc_schema):
    document, notes = parse(respond("ECS61a", bytes.fromhex(RTDS_READ_RESPONSE), 1002), srv="7.7")
    assert mmc_schema.errors(document) == [] and notes == []
    switches = _switches(document)
    assert switches["1"] == {"Description": "ALCS_1_Description", "TypeAndIdentifier": "", "ALCS": "", "State": "true"}
    assert switches["2"]["HCALCS"] == "00-DB-12-34-56-78-90-97" and len(switches) == 5
    assert len(list(document.iter(f"{RA}ALCSHCALCSSpecialDay"))) == 4
    scheduler = list(document.iter(f"{RA}ALCSScheduler"))
    assert len(scheduler) == 6
    first = scheduler[0].find(f"{RA}ActivateDeactivateSwitch")
    assert (first.get("index"), etree.QName(first[0]).localname) == ("1", "ActivateSwitch")
    assert scheduler[0].findtext(f"{RA}ALCSScheduleDatesAndTime/{RA}SwitchTime") == "07:00:00Z"


@pytest.mark.parametrize("states", [(True,) * 5, (False, True, False, False, True)])
def test_the_esme_answers_7_7_with_its_switch_states(mmc_schema, states):
    read, fields = device.read(command("ECS61a", bytes.fromhex(RTDS_READ_COMMAND), 1002), DeviceType.ESME, now=NOW)
    assert fields == {"UseCase": "ECS61a"}
    answer = device.answer(read, {"AuxiliaryLoadsOn": states}).hex().upper()
    document, notes = parse(respond("ECS61a", bytes.fromhex(answer), 1002), srv="7.7")
    assert mmc_schema.errors(document) == [] and notes == []
    assert [s["State"] for s in _switches(document).values()] == ["true" if on else "false" for on in states]
    if all(states):        # the switches' states and every result are the RTDS ESME's, byte for byte
        assert answer.endswith(RTDS_READ_RESPONSE[RTDS_READ_RESPONSE.index("03FF03FF03FF03FF03FF11"):])


def test_the_esme_refuses_a_7_7_that_reads_less():
    payload = bytes.fromhex(RTDS_READ_COMMAND.replace("0011", "0010", 1))
    with pytest.raises(PayloadError):
        device.read(command("ECS61a", payload), DeviceType.ESME, now=NOW)


# -- 6.14.1 Update Device Configuration (Auxiliary Load Control Description) -------------------------------------

# RTDS 4.5.0 6.14.1_ECS46a: SOME_OPTIONALS (switches 2-4, counter 1002) and ALL_OPTIONALS (all five, 1000)
RTDS_DESCRIPTIONS = {
    "2=Label2; 3=Label3; 4=Label4": (1002, "D9200003EA000302000100005E2C000C0202000100005E2C000D0202000100005E2C"
                                           "000E02030A064C6162656C320A064C6162656C330A064C6162656C34"),
    "1=ALCS_1_Description; 2=HCALCS_2_Description; 3=ALCS_3_Description; 4=ALCS_4_Description; "
    "5=ALCS_5_Description": (1000, "D9200003E8000502000100005E2C000B0202000100005E2C000C0202000100005E2C000D0202000100"
                                   "005E2C000E0202000100005E2C000F02050A12414C43535F315F4465736372697074696F6E0A14484341"
                                   "4C43535F325F4465736372697074696F6E0A12414C43535F335F4465736372697074696F6E0A12414C43"
                                   "535F345F4465736372697074696F6E0A12414C43535F355F4465736372697074696F6E")}
RTDS_DESCRIBED = "DA200003EA00000300000003020002000200"         # SOME_OPTIONALS SUCCESS: three sets succeeded


@pytest.mark.parametrize("descriptions", RTDS_DESCRIPTIONS)
def test_the_dccs_6_14_1_command_is_the_rtds_one_and_the_esme_reads_the_descriptions(descriptions):
    counter, payload = RTDS_DESCRIPTIONS[descriptions]
    out = transform(request("6.14.1", counter, descriptions=descriptions), device_type=DeviceType.ESME, now=NOW)
    assert (out.use_case, out.apdu.payload.hex().upper()) == ("ECS46a", payload)
    read, fields = device.read(command("ECS46a", bytes.fromhex(payload), counter), DeviceType.ESME, now=NOW)
    expected = dict(part.strip().split("=") for part in descriptions.split(";"))
    assert fields == {"UseCase": "ECS46a", "AuxiliaryLoadDescriptions": {int(n): t for n, t in expected.items()}}
    if counter == 1002:
        assert device.answer(read, {}).hex().upper() == RTDS_DESCRIBED


@pytest.mark.parametrize("payload, why", [
    (_request((RequestKind.SET, Descriptor(1, Obis.parse("0-0:94.44.0.16"), 2), axdr.visible_string("x")),),
     "not a switch description"),
    (_request((RequestKind.SET, Descriptor(1, Obis.parse("0-0:94.44.0.11"), 2), axdr.octet_string(b"x")),),
     "visible-string"),
    (_request(), "no switch"),
])
def test_the_esme_refuses_descriptions_that_are_not_ones(payload, why):
    with pytest.raises(PayloadError, match=why):
        device.read(command("ECS46a", payload), DeviceType.ESME, now=NOW)


def test_the_6_14_1_response_parses_to_valid_mmc_and_7_7_shows_the_descriptions(mmc_schema):
    document, notes = parse(respond("ECS46a", bytes.fromhex(RTDS_DESCRIBED), 1002), srv="6.14.1")
    assert mmc_schema.errors(document) == [] and notes == []
    read, _ = device.read(command("ECS61a", bytes.fromhex(RTDS_READ_COMMAND), 1002), DeviceType.ESME, now=NOW)
    answer = device.answer(read, {"AuxiliaryLoadsOn": (False,) * 5,
                                  "AuxiliaryLoadDescriptions": ("Immersion heater", "", "", "", "Storage heater")})
    document, notes = parse(respond("ECS61a", answer, 1002), srv="7.7")
    assert mmc_schema.errors(document) == [] and notes == []
    assert {n: s.get("Description") for n, s in _switches(document).items()} == {
        "1": "Immersion heater", "2": None, "3": None, "4": None, "5": "Storage heater"}
