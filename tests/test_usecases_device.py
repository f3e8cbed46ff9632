"""The device side of the use cases against the RTDS: a device reads every RTDS command of a use case it
reads, and what it answers for the outcome a User parsed from an RTDS response parses to the same MMC,
byte for byte the RTDS payload unless the case is named below with why."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from lxml import etree

from harness.catalogue import DeviceType
from harness.eui import EntityId
from harness.gbcs import crypto, gbz
from harness.gbcs.axdr import PayloadError
from harness.gbcs.frame import CraFlag, GbcsMessage, GeneralSigning
from harness.pki import KeyUsage
from harness.usecases import device, gsme_config, mmc, registry, support_reads
from harness.usecases.gsme_reads import read_attributes
from tests import rtds

# RTDS responses whose payload a device answers differently, with the same MMC (and why).
NOT_BYTE_FOR_BYTE: dict[str, str] = {
    # The Consumer Top Up Response's top-up value and credit remaining are the meter's (TopUpDeviceRsp has
    # neither): the emulated GSME writes its own, the round trip has none to give.
    "CS01b_2.2_SUCCESS_RESPONSE_GBCS.HEX": "top-up value and credit remaining are the meter's, not in MMC",
    # GSME snapshots (encrypted, so the ciphertext differs where the plaintext does): the emulated meter
    # numbers a snapshot by its offset and counts the snapshots it publishes; the RTDS meters are not
    # consistent in either (4.4.2 numbers its metering snapshots 12 and 13, 4.4.3 its prepayment ones 0 and
    # 1; 4.6.1 and 4.14 publish two or three snapshots of 31 'found'; 4.4.3's error found a snapshot it then
    # failed to publish). Neither field is in MMC.
    **{f"{case}_RESPONSE_GBCS.HEX": "snapshot id or snapshots found differ (see above)" for case in (
        "GCS15b_4.4.2_SUCCESS", "GCS15b_4.4.2_ERROR", "GCS15c_4.4.3_ERROR", "GCS16a_4.6.1_SUCCESS",
        "GCS16a_4.6.1_ERROR", "GCS16b_4.14_KRP_SUCCESS", "GCS16b_4.14_KRP_ERROR", "GCS16b_4.14_URP_SUCCESS")},
}


# RTDS responses whose firmware outcome MMC does not carry whole, and the rest of it as the device's answerer
# reads it (harness.usecases.gsme_reads, Device side): which ZCL command or attributes failed (MMC says only
# that the response failed), a read that found nothing (NOT_FOUND, which the Parse calls a failure), a
# register the Parse could not scale without the divisor that failed, snapshot causes.
_GAS_TIERS = {f"Gas/TariffTOURegisterMatrix/TOURegisterMatrixValue[{n}]{part}": value
              for n in range(1, 5) for part, value in (("", f"{n}.000"), ("@index", str(n)))}
FIRMWARE_OUTCOMES: dict[str, dict] = {
    "GCS13a_4.1.1_ERROR_RESPONSE_GBCS.HEX": {"FailedAttributes": "0302", "Gas/ConsumptionRegister/Value": "12.345"},
    "GCS13c_4.1.2_ERROR_RESPONSE_GBCS.HEX": {"FailedAttributes": "0301", **_GAS_TIERS},
    "GCS14_4.3_ERROR_RESPONSE_GBCS.HEX": {"FailedAttributes": "0617"},
    "GCS15b_4.4.2_SUCCESS_RESPONSE_GBCS.HEX": {"snapshot_causes": "0008 2000"},
    "GCS15b_4.4.2_ERROR_RESPONSE_GBCS.HEX": {"FailedInstruction": "14", "snapshot_causes": "0008 2000"},
    "GCS15c_4.4.3_ERROR_RESPONSE_GBCS.HEX": {"FailedInstruction": "14"},
    "GCS16a_4.6.1_ERROR_RESPONSE_GBCS.HEX": {"FailedInstruction": "30"},
    "GCS16b_4.14_KRP_ERROR_RESPONSE_GBCS.HEX": {"FailedInstruction": "2"},
    **{f"{name}_ERROR_RESPONSE_GBCS.HEX": {"FailedInstruction": "2"}
       for name in ("GCS20_6.22", "GCS23_6.6", "GCS25_6.8", "GCS25a_6.8")},
    **{f"{name}_NOT_FOUND_RESPONSE_GBCS.HEX": {"Result": "Success"}
       for name in ("GCS17_4.8.1", "GCS61_4.17", "CS10a_6.13", "CS10b_6.13")},
}

# RTDS commands filed under one use case whose message code names another: what a device reads them as.
READ_AS: dict[str, str] = {
    # 8.8.2's ERROR case is a signed 0x000F to a meter, CS04AC's code (CS04B's is 0x0010): a CS04ACCritical.
    "CS04B_8.8.2_ERROR_COMMAND_GBCS.HEX": "CS04ACCritical",
}


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
        assert fields["UseCase"].startswith(READ_AS.get(path.name, use_case).removesuffix("Commission")), path.name
        assert read.payload.encode() == apdu.payload, path.name


def _body(document) -> bytes:
    return etree.tostring(document.find(f"{{{mmc.RA}}}Body"))


def _end_to_end(response: GeneralSigning, keystore):
    """The device's end-to-end encryption of this response, made from the User's side of the key agreement
    (ECDH gives both sides one key): the conformance keystore holds the Users' KA private keys."""
    user = keystore.find(response.supplementary_remote_party or response.recipient, KeyUsage.KEY_AGREEMENT)
    meter = keystore.find(response.originator, KeyUsage.KEY_AGREEMENT)
    if user is None or user.private_key is None or meter is None:
        return None
    key = crypto.encryption_key(response, user.private_key, meter.public_key)
    return lambda plaintext: crypto.encrypt_field(key, response.originator, plaintext)


def test_what_a_device_answers_parses_to_the_rtds_responses_mmc(conformance, conformance_keystore):
    pairs = _responses(conformance)
    if not pairs:
        pytest.skip("no RTDS response of a use case devices answer")
    different = []
    for response_path, command_path, use_case in pairs:
        response = rtds.message(response_path)
        apdu = rtds.message(command_path).apdu
        read, _ = device.read(apdu, _device_type(use_case), now=apdu.date_time or _NOW, commissioned=False,
                              encrypt=_end_to_end(response.apdu, conformance_keystore))
        # With the keys, encrypted values are parsed (and answered, sealed again) like any other.
        expected, notes = mmc.parse(response, keystore=conformance_keystore)
        assert not [n for n in notes if "not decrypted" in n], (response_path.name, notes)
        payload = device.answer(read, {**mmc.values(expected), **FIRMWARE_OUTCOMES.get(response_path.name, {})})
        answered = dataclasses.replace(response, apdu=dataclasses.replace(response.apdu, payload=payload))
        found, _ = mmc.parse(answered, keystore=conformance_keystore)
        assert _body(found) == _body(expected), response_path.name
        if payload != response.apdu.payload and response_path.name not in NOT_BYTE_FOR_BYTE:
            different.append(response_path.name)
    assert different == []


def test_a_log_read_is_refused_when_its_message_code_names_another_log(conformance):
    """ECS35a (0x0048) reads the Event Log: the same get with ECS35e's code (0x00B9, the Power Event Log) is not
    a command the ESME carries out."""
    apdu = rtds.message(rtds.rtds_file(conformance, "ECS35a_6.13_SUCCESS_COMMAND_GBCS.HEX")).apdu
    assert device.read(apdu, DeviceType.ESME, now=_NOW)[1]["LogToRead"] == "Event"
    with pytest.raises(PayloadError, match="ECS35e: expected a range read of the PowerEvent Log"):
        device.read(dataclasses.replace(apdu, message_code=0x00B9), DeviceType.ESME, now=_NOW)


def test_values_name_what_the_mmc_response_holds(conformance):
    document, _ = mmc.parse(rtds.message(rtds.rtds_file(conformance, "GCS21j_6.2.9_SUCCESS_RESPONSE_GBCS.HEX")))
    assert mmc.values(document) == {"Result": "Success", "PaymentMode": "Prepayment", "SuspendDebtEmergency": "false",
                                    "SuspendDebtDisabled": "true"}
    failed, _ = mmc.parse(rtds.message(rtds.rtds_file(conformance, "ECS26j_6.2.9_ERROR_RESPONSE_GBCS.HEX")))
    assert mmc.values(failed) == {"Result": "Failure"}


_ORIGINATOR = EntityId("00-DB-12-34-56-78-90-A0")


def test_shared_message_codes_resolve_as_the_device_sees_them():
    from harness.eui import DCC_ACCESS_CONTROL_BROKER
    from harness.gbcs.frame import CraFlag, GeneralSigning

    def apdu(code: int, originator=_ORIGINATOR, signature=None):
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


_NOW = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
_ESME, _SUPPLIER = EntityId("00-DB-12-34-56-78-90-A0"), EntityId("90-B3-D5-1F-30-01-00-00")


# The generic alerts of the public RTDS 4.5.0 (SmartDCCInnovation/gbcs-parser test/rtds/RTDS-4.5.0/NA_GCA-*):
# 0x8F30 from a GSME (GBZ) and an ESME (DLMS), payloads only.
GCA_ZIGBEE_PAYLOAD = "010900" "8F30" "1C374A80"
GCA_DLMS_PAYLOAD = "0F200007D000" "0202" "128F30" "090C07DF0101FF000000008000FF"


def test_generic_alerts_are_what_the_rtds_shows():
    from harness.gbcs import gbz

    when = gbz.gbz_time(0x1C374A80)
    assert device.generic_alert(DeviceType.GSME, 0x8F30, when, 3000).hex().upper() == GCA_ZIGBEE_PAYLOAD
    new_year_2015 = dt.datetime(2015, 1, 1, tzinfo=dt.UTC)
    assert device.generic_alert(DeviceType.ESME, 0x8F30, new_year_2015, 2000).hex().upper() == GCA_DLMS_PAYLOAD


def test_a_generic_alert_parses_whichever_payload_the_device_speaks():
    from harness.gbcs import payload as gbcs_payload
    from harness.gbcs.frame import CraFlag, GeneralSigning

    for kind, hex_payload in ((DeviceType.GSME, GCA_ZIGBEE_PAYLOAD), (DeviceType.ESME, GCA_DLMS_PAYLOAD)):
        apdu = GeneralSigning(cra_flag=CraFlag.ALERT, originator_counter=1, originator=_ESME,
                              recipient=_SUPPLIER, message_code=0x1000, payload=bytes.fromhex(hex_payload))
        assert mmc.alert_code_and_time(gbcs_payload.decode(apdu).value)[0] == 0x8F30, kind
        document, _ = mmc.parse(GbcsMessage(apdu))
        assert document.findtext(f".//{{{mmc.RA}}}GBCSHexAlertCode") == "8F30", kind


def test_responses_carry_a_date_time_where_the_rtds_ones_do(conformance):
    pairs = _responses(conformance)
    if not pairs:
        pytest.skip("no RTDS response of a use case devices answer")
    for response_path, _, use_case in pairs:
        dated = rtds.message(response_path).apdu.date_time is not None
        assert dated == (use_case in device.DATED_RESPONSES), response_path.name


def test_future_dated_outcome_alerts_are_the_rtds_ones_one_per_activation(conformance):
    """Every DLMS (0x00CC) and GBZ (0x00CD) 0x8F66 alert of the RTDS is one the device sends when the
    future-dated command of its folder comes due, and the device sends as many as the RTDS has."""
    from harness.gbcs import dlms, gbz
    from harness.gbcs import payload as gbcs_payload

    checked = 0
    for folder in sorted((conformance / "gbcs" / "rtds").iterdir()):
        alerts = sorted(folder.glob("*_8F66_FUTURE_DATED_*ALERT*_GBCS.HEX"))
        commands = sorted(folder.glob("*_FUTURE_DATED_*SUCCESS_COMMAND_GBCS.HEX"))
        alerts = [a for a in alerts if rtds.message(a).apdu.message_code in (device.FD_DLMS, device.FD_GBZ)]
        if not alerts or not commands:
            continue
        command = rtds.message(commands[0]).apdu
        builders = device.future_dated_outcomes(command, 0x8F66)
        assert len(builders) == len(alerts), folder.name
        for path in alerts:
            alert = rtds.message(path).apdu
            value = gbcs_payload.decode(alert).value
            if isinstance(value, gbz.GbzPayload):
                when = gbz.gbz_time(value.alert_time)
            else:
                when = dlms.DlmsDateTime(value.body.items[1].octets).datetime
            built = {build(alert.originator_counter, when) for _, build in builders}
            assert alert.payload in built, path.name
            checked += 1
    if not checked:
        pytest.skip("no RTDS future-dated outcome alert")


# The GPF Device Log backup alert of the public RTDS 4.5.0 (SmartDCCInnovation/gbcs-parser
# test/rtds/RTDS-4.5.0/NA_GCS62/GCS62_NA_8071_ALERT_GBCS.HEX): its payload.
GCS62_PAYLOAD = ("30720203008071180F32303135303130313030303030305A305A"
                 "300D04080102030405060708020106" "300D040800DB123456789099020105" "300D040800DB123456789097020105"
                 "300D040800DB123456789096020105" "300D040800DB123456789098020105" "300D040800DB12345678909B020106")


def test_device_log_backup_alerts_are_the_rtds_ones(conformance):
    from harness.usecases import chf, joins

    sample = rtds.message(rtds.rtds_file(conformance, "CS14_NA_8F12_ALERT_GBCS.HEX"))
    backup = chf.device_log_backup(sample)
    built = chf.device_log_backup_alert(backup)(sample.apdu.originator_counter, backup.backed_up)
    assert built == sample.apdu.payload

    new_year_2015 = dt.datetime(2015, 1, 1, tzinfo=dt.UTC)
    apdu = GbcsMessage(dataclasses.replace(sample.apdu, message_code=0x00B2, payload=bytes.fromhex(GCS62_PAYLOAD)))
    entries = joins.gpf_device_log_backup(apdu).entries
    assert joins.gpf_device_log_backup_alert(entries)(1, new_year_2015).hex().upper() == GCS62_PAYLOAD


# RTDS 4.5.0 SUCCESS pairs of use cases the local conformance copy lacks (SmartDCCInnovation/gbcs-parser
# test/rtds/RTDS-4.5.0/<SR>_<UC>/<UC>_<SR>_SUCCESS_{COMMAND,RESPONSE}_GBCS.HEX): message code, and the command's and
# the response's GBZ payloads, from the Supplier 90-B3-D5-1F-30-01-00-00 to the GSME 00-DB-12-34-56-78-90-A1.
GAS_RTDS_PAIRS = {
    "GCS06": (0x0070, "01090101070500080100000000000000", "010901010705000508000B0000"),
    "GCS33": (0x0082, "010901010702000700000005021400", "010901010702000E0800010502002164001400003002"),
    "GCS21e": (0x009E, "0109020000000009000000040005000300010702000700010008060706",
               "01090200000000330800010400004211437269746963616C20536F667477617265050000421047464920202020200"
               "0DB1234567890A10300002001010702000D08010108060030030706003003"),
    "GCS21m": (0x00FB, "010902000000000700000004000500010702000700010008060706",
               "010902000000001908000104000042043132333405000042083132333435363738010702000D08010108060030030706"
               "003003"),
}
_RTDS_GSME = EntityId("00-DB-12-34-56-78-90-A1")


def _gsme_command(code: int, payload: bytes) -> GeneralSigning:
    return GeneralSigning(cra_flag=CraFlag.COMMAND, originator_counter=1001, originator=_SUPPLIER,
                          recipient=_RTDS_GSME, message_code=code, payload=payload)


@pytest.mark.parametrize("use_case", sorted(GAS_RTDS_PAIRS))
def test_what_the_gsme_answers_is_the_rtds_response_byte_for_byte(use_case):
    code, command_hex, response_hex = GAS_RTDS_PAIRS[use_case]
    read, fields = device.read(_gsme_command(code, bytes.fromhex(command_hex)), DeviceType.GSME, now=_NOW)
    assert fields == {"UseCase": use_case}
    response = GbcsMessage(GeneralSigning(cra_flag=CraFlag.RESPONSE, originator_counter=1001, originator=_RTDS_GSME,
                                          recipient=_SUPPLIER, message_code=code,
                                          payload=bytes.fromhex(response_hex)))
    expected, _ = mmc.parse(response)
    payload = device.answer(read, mmc.values(expected))
    assert payload.hex().upper() == response_hex
    found, _ = mmc.parse(GbcsMessage(dataclasses.replace(response.apdu, payload=payload)))
    assert _body(found) == _body(expected)


def test_a_gsme_that_leaves_emergency_credit_unavailable_answers_failure():
    """GBCS GCS06: FAILURE (0x01) when emergency credit is not active after the command. The RTDS ERROR case's
    0x010901010705000508000B00C0 reports HARDWARE_FAILURE instead: a fault, which the model has none of."""
    code, command_hex, response_hex = GAS_RTDS_PAIRS["GCS06"]
    read, _ = device.read(_gsme_command(code, bytes.fromhex(command_hex)), DeviceType.GSME, now=_NOW)
    assert device.answer(read, {"Result": "Failure"}).hex().upper() == response_hex[:-2] + "01"


def _malformed() -> list[tuple[str, int, list]]:
    """Each command with something added or left out: an attribute too few or too many, a second command, or
    another command in its place."""
    select = gbz.ZclCommand(support_reads.PREPAYMENT, support_reads.CLIENT_TO_SERVER,
                            support_reads.SELECT_AVAILABLE_EMERGENCY_CREDIT,
                            {"command_issue_date_time": 0, "originating_device": 0})
    identity_e, identity_m = support_reads.GAS_IDENTITY["GCS21e"], support_reads.GAS_IDENTITY["GCS21m"]
    (payment_mode,) = gsme_config.PAYMENT_MODE_READS
    balance = read_attributes(support_reads.PREPAYMENT, (support_reads.CREDIT_REMAINING,))
    return [("GCS06", 0x0070, [select, select]),
            ("GCS06", 0x0070, [select, balance]),
            ("GCS06", 0x0070, [balance]),
            ("GCS33", 0x0082, [read_attributes(support_reads.METERING, (support_reads.SUPPLY_STATUS,))]),
            ("GCS33", 0x0082, [read_attributes(support_reads.METERING, (support_reads.REMAINING_BATTERY_LIFE,
                                                                        support_reads.SUPPLY_STATUS, 0x0000))]),
            ("GCS21e", 0x009E, list(identity_m)),
            ("GCS21m", 0x00FB, list(identity_e)),
            ("GCS21m", 0x00FB, list(identity_m[:1])),
            ("GCS21j", 0x00BF, [read_attributes(support_reads.PREPAYMENT, (0x0001,))]),
            ("GCS21j", 0x00BF, [payment_mode, payment_mode])]


@pytest.mark.parametrize("use_case, code, commands", _malformed())
def test_a_gas_command_that_is_not_its_use_cases_is_refused(use_case, code, commands):
    with pytest.raises(PayloadError, match=use_case):
        device.read(_gsme_command(code, gbz.command_payload(commands)), DeviceType.GSME, now=_NOW)
