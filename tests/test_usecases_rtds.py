"""The DCC's Reference Test Data Set end to end, through the commands a test engineer runs:
`dit duis transform` gives the DCC's own command for every template that has one, `dit gbcs parse` gives
MMC valid against mmc.xsd for every device response and alert, and every DIT example request transforms.
The family tests (test_usecases_*.py) check what the values mean."""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from dataclasses import replace
from pathlib import Path

import rtds
from dit_command import dit
from lxml import etree

from harness import catalogue
from harness.catalogue import DeviceType, UserRole
from harness.duis import xml
from harness.duis.examples import build_example, dit_examples, example
from harness.eui import DCC_ACCESS_CONTROL_BROKER, EntityId
from harness.gbcs import asn1
from harness.gbcs import payload as gbcs_payload
from harness.gbcs.frame import CraFlag, GbcsMessage, GeneralSigning
from harness.selfcheck import example_records
from harness.usecases import DuisRequest, transform

NOW = "2015-01-01T00:00:00Z"        # the RTDS's DSP clock

# Pairs whose RTDS command was not made from the template beside it (a template of another RTDS release):
# the Transform follows the request. The family tests check each field by field.
_REISSUED = "the certificates are the same parties' and keys re-issued (serial number and validity differ)"
RTDS_DISAGREES = {
    "GCS09_3.2_SUCCESS_REQUEST_DUIS.XML": "Publish Change of Tenancy implementation date-time: RTDS "
                                          "2016-11-22T02:46:56Z, template RestrictionDateTime 2015-02-01T00:00:00Z",
    "GCS15c_4.4.3_SUCCESS_REQUEST_DUIS.XML": "read period: RTDS 2015-01-01..2016-01-01, template ReadLogPeriod "
                                             "2014-12-01..2015-11-01",
    "GCS16b_4.14_URP_SUCCESS_REQUEST_DUIS.XML": "StartDateTime: RTDS 2014-12-29T23:00Z, template 2014-12-30T23:00Z",
    "GCS61_4.17_SUCCESS_REQUEST_DUIS.XML": "read period: RTDS 731 days from 2014-12-22, template ReadLogPeriod "
                                           "2014-12-10..2014-12-20",
    "ECS25a_6.22_SUCCESS_REQUEST_DUIS.XML": "alerts: RTDS 810D on, 810E, 81C4, 81C5 off; template 810D on, 810E off, "
                                            "81B7 on",
    "ECS25b_6.22_SUCCESS_REQUEST_DUIS.XML": "alerts: RTDS 8014 on, 8015 off; template also 8003 (poly-phase) on",
    "CCS03_8.12.1_SUCCESS_REQUEST_DUIS.XML": "extended PAN ID: RTDS 0000000000000140, the RTDS's CS14 backup "
                                             "0001020304050607 (that CS14 is the new CHF's, not the old one's)",
    "CS03CCritical_8.7.1_SUCCESS_REQUEST_DUIS.XML": "the PPMID's KA certificate: RTDS an earlier issue of the same key",
    "CS03CNonCritical_8.7.2_SUCCESS_REQUEST_DUIS.XML": "KA certificate: RTDS 00-DB-12-34-56-78-90-A1's, not the named "
                                                       "device's",
    **{f"CS02b{case}_REQUEST_DUIS.XML": _REISSUED for case in (
        "SupplierBySupplier_6.15.1_IMMEDIATE_SUCCESS", "SupplierBySupplier_6.15.1_FUTURE_DATED_SUCCESS",
        "SupplierBySupplier_6.15.1_CANCELLATION_SUCCESS", "NOByNO_6.15.1_SUCCESS",
        "SupplierBySupplierHandover_6.21_SUCCESS", "NOByNOHandover_6.21_SUCCESS",
        "SupplierByTransCoS_6.23_IMMEDIATE_SUCCESS", "SupplierByTransCoS_6.23_FUTURE_DATED_SUCCESS",
        "SupplierByTransCoS_6.23_CANCELLATION_SUCCESS")},
    **{f"CS02gLoadControllerBySupplier_6.15.1_{case}_SUCCESS_REQUEST_DUIS.XML":
       "certificates: the template the load controller's (90-B3-D5-1F-30-01-00-08), the RTDS the supplier's"
       for case in ("IMMEDIATE", "FUTURE_DATED", "CANCELLATION")},
}
# The same commands as the DCC's, in another order: the DCC's rule for the order is not one the RTDS shows.
DIFFERENT_ORDER = {"GCS20_6.22_SUCCESS_REQUEST_DUIS.XML"}

# The DSP's inventory of the RTDS's devices, for the use cases common to several device types.
INVENTORY = {"00-DB-12-34-56-78-90-A0": "ESME", "00-DB-12-34-56-78-90-A1": "GSME", "00-DB-12-34-56-78-90-A2": "CHF",
             "00-DB-12-34-56-78-90-A3": "GPF", "00-DB-12-34-56-78-90-A4": "PPMID", "00-DB-12-34-56-78-90-A5": "HCALCS",
             "00-DB-12-34-56-78-90-93": "ESME", "00-DB-12-34-56-78-90-94": "GSME", "00-DB-12-34-56-78-90-98": "PPMID",
             "00-DB-12-34-56-78-90-9A": "HCALCS", "00-DB-12-34-56-78-90-9C": "GPF"}


def _records(conformance: Path, template: Path, use_case: str, backups: dict[str, Path]) -> tuple[str, ...]:
    """`dit duis transform` options for what the DSP's records say of each RTDS case that its request does
    not: device types, twin element (_TWIN_ cases), GBCS version (ECS08 is 2.1's GBCS 1.0 form), the User's
    role, the other device of a join and its KA certificate, the old hubs' device log backups."""
    request = rtds.request(template)
    devices = catalogue.use_case(use_case).devices
    device = devices[0].value if len(devices) == 1 else INVENTORY.get(request.target.duis)
    options = ["--gbcs-version", "1.0" if use_case == "ECS08" else "2.0",
               "--user-role", "ED" if use_case == "ECS35g" else "IS"]
    options += ["--device-type", device] if device else []
    options += ["--twin-element"] if "_TWIN_" in template.name else []
    other = request.text("OtherDeviceID")
    if other in INVENTORY:                          # unjoins may name a device the inventory does not hold
        options += ["--other-device-type", INVENTORY[other]]
        certificate = conformance / "gbcs" / "keystore" / f"{EntityId(other).file_stem}-ka.pem"
        options += ["--other-device-ka-certificate", str(certificate)] if certificate.exists() else []
    options += ["--chf-device-log", str(backups["CS14"])] if use_case == "CCS03" else []
    options += ["--gpf-device-log", str(backups["GCS62"])] if use_case == "GCS59" else []
    return tuple(options)


def _gcs62(path: Path) -> Path:
    """The old GPF's last GPF Device Log backup as the DSP received it: a PPMID and an IHD."""
    payload = asn1.encode("GPFDeviceLogBackupAlert", {
        "alertCode": 0x8F84, "backupDateTime": dt.datetime(2014, 12, 1),
        "deviceLogEntries": [{"deviceId": bytes(EntityId("00-11-22-33-44-55-66-77")), "deviceType": 5},
                             {"deviceId": bytes(EntityId("88-99-AA-BB-CC-DD-EE-FF")), "deviceType": 6}]})
    path.write_text(GbcsMessage(GeneralSigning(CraFlag.ALERT, 1, EntityId("00-DB-12-34-56-78-90-B3"),
                                               DCC_ACCESS_CONTROL_BROKER, 0x00B2, payload)).encode().hex())
    return path


def test_dit_duis_transform_gives_the_dccs_own_command_for_every_template(conformance, tmp_path):
    backups = {"CS14": rtds.rtds_file(conformance, "CS14_NA_8F12_ALERT_GBCS.HEX"),
               "GCS62": _gcs62(tmp_path / "gcs62.hex")}
    groups: dict[tuple, list[tuple[Path, GbcsMessage, str]]] = defaultdict(list)
    for template, command, use_case in rtds.pairs(conformance):
        expected = rtds.message(command)
        options = _records(conformance, template, use_case, backups)
        dsp_counter = expected.apdu.originator_counter          # the DCC's own counter where the DCC originates
        groups[(*options, "--dsp-counter", str(dsp_counter))].append((template, expected, use_case))
    total = sum(len(g) for g in groups.values())
    assert total >= 150
    matched, differ = 0, set()
    for options, cases in groups.items():
        result = dit("duis", "transform", "--json", "--now", NOW, *options, *(str(t) for t, _, _ in cases))
        rows = json.loads(result.stdout)
        for (template, expected, use_case), row in zip(cases, rows, strict=True):
            assert row["error"] is None, row
            assert row["use_case"] == use_case, template.name
            apdu = GbcsMessage.decode(bytes.fromhex(row["pre_command"])).apdu
            assert (apdu.originator, apdu.recipient, apdu.originator_counter, apdu.message_code,
                    apdu.supplementary_remote_party, apdu.supplementary_remote_party_counter) == (
                expected.apdu.originator, expected.apdu.recipient, expected.apdu.originator_counter,
                expected.apdu.message_code, expected.apdu.supplementary_remote_party,
                expected.apdu.supplementary_remote_party_counter), template.name
            assert row["pre_command"].endswith("00")               # signature length 00: for the User to sign
            if apdu.payload == expected.apdu.payload:
                matched += 1
            else:
                differ.add(template.name)
    assert sorted(differ) == sorted(set(RTDS_DISAGREES) | DIFFERENT_ORDER)
    assert matched == total - len(differ)


def test_dit_gbcs_parse_gives_valid_mmc_for_every_response_and_alert(conformance, conformance_keystore, mmc_schema,
                                                                    tmp_path):
    files = [str(p) for p in rtds.answers(conformance)]
    assert len(files) >= 300
    keystore = [arg for d in ("gbcs/keystore", "keys") for arg in ("--keystore", str(conformance / d))]
    result = dit("gbcs", "parse", *keystore, "--out-dir", str(tmp_path), *files)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "not decrypted" not in result.stderr     # with the keys, nothing is left encrypted
    assert "did not decrypt" not in result.stderr   # and every encrypted field opens (KDF mode 04, AAD 31)
    outputs = sorted(tmp_path.glob("*.mmc.xml"))
    assert len(outputs) == len(files)
    for path in outputs:
        assert mmc_schema.errors(etree.parse(str(path)).getroot()) == [], path.name


def test_dit_gbcs_parse_without_keys_passes_encrypted_content_on_and_says_so(conformance, tmp_path):
    path = rtds.rtds_file(conformance, "ECS17b_4.1.1_SINGLE_SUCCESS_RESPONSE_GBCS.HEX")
    result = dit("gbcs", "parse", str(path))
    assert result.returncode == 0
    assert "note:" in result.stderr and "not decrypted" in result.stderr
    document = etree.fromstring(result.stdout.encode())
    assert document.find(".//{*}GBCSData").get("format") == "encrypted"


def test_dit_gbcs_parse_shows_the_firmware_version_in_a_dcc_boxed_response(conformance):
    result = dit("gbcs", "parse", str(conformance / "duis" / "signed" / "readfw-response.xml"))
    assert result.returncode == 0, result.stderr
    document = etree.fromstring(result.stdout.encode())
    assert document.findtext(".//{*}ReadFirmwareVersionRsp/{*}FirmwareVersion") == "0C230000"
    assert document.findtext(".//{*}ServiceReferenceVariant") == "11.2"


def test_dit_gbcs_parse_refuses_a_command_and_a_broken_payload_in_one_line(conformance, tmp_path):
    command = rtds.rtds_file(conformance, "ECS14_3.5_SUCCESS_COMMAND_GBCS.HEX")
    result = dit("gbcs", "parse", str(command))
    assert result.returncode == 2 and "a command, not a response or alert" in result.stderr
    message = rtds.message(rtds.rtds_file(conformance, "GCS11_3.5_SUCCESS_RESPONSE_GBCS.HEX"))
    broken = tmp_path / "broken.hex"
    broken.write_text(GbcsMessage(replace(message.apdu, payload=message.apdu.payload[:-1]), None).encode().hex())
    result = dit("gbcs", "parse", str(broken))
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"dit: error: {broken}: GCS11: ZigBee GBZ payload: GBZ component length says 5 bytes but 4 follow "
        f"at payload byte 6"]
    assert "Traceback" not in result.stderr


def test_every_dit_example_request_to_a_device_transforms_to_a_payload_that_decodes(smki):
    """The DIT plan's own requests (dit duis example) for every SR that reaches a device, with what the DSP
    holds of their devices: each becomes its use case's command, whose payload decodes and encodes back."""
    now = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
    done = {}
    for srv in dit_examples():
        ex = example(srv, smki, now)
        if ex.target_type is None or catalogue.service_request(srv).non_device:
            continue
        request = DuisRequest.parse(xml.serialize(build_example(srv, smki, now, 1000)), srv)
        apdu = transform(request, example_records(ex, smki), now=now).apdu
        decoded = gbcs_payload.decode(apdu)
        assert decoded.encode() == apdu.payload and decoded.undecoded_bytes == 0, srv
        done[srv] = apdu.message_code
    assert len(done) >= 60


def test_a_request_the_transform_cannot_read_is_one_line(conformance, tmp_path):
    bad = tmp_path / "bad.xml"
    bad.write_text("<sr:Request xmlns:sr='http://www.dccinterface.co.uk/ServiceUserGateway'><sr:Header/></sr:Request>")
    result = dit("duis", "transform", str(bad))
    assert result.returncode == 1
    assert result.stdout.strip().splitlines() == [
        f"FAIL {bad}: {bad}: a DUIS Request needs sr:Header and an SR element in sr:Body"]
    non_device = conformance / "duis" / "templates" / "8.3_DECOMMISSION_DEVICE_REQUEST_DUIS.XML"
    result = dit("duis", "transform", str(non_device))
    assert result.returncode == 1 and "served by the DCC and reaches no device" in result.stdout


def test_the_dsps_records_come_from_the_command_line(conformance):
    template = conformance / "duis" / "templates" / "ECS35g_6.13_SUCCESS_REQUEST_DUIS.XML"
    chosen = {role: json.loads(dit("duis", "transform", "--json", "--device-type", DeviceType.ESME.value,
                                   "--user-role", role, str(template)).stdout)[0]["use_case"]
              for role in (UserRole.IMPORT_SUPPLIER.value, UserRole.ELECTRICITY_DISTRIBUTOR.value)}
    assert chosen == {"IS": "ECS35f", "ED": "ECS35g"}


def test_a_future_dated_outcome_alert_is_headed_with_the_sr_of_its_command(conformance):
    """0x00CC and 0x00CD carry the outcome of any future-dated command: the MMC header names the SR whose
    command the alert reports (its message code is in the alert), not the first SR that can raise one."""
    for name, srv in (("ECS08_2.1_8F66_FUTURE_DATED_SUCCESS_ALERT_CALENDAR_GBCS.HEX", "2.1"),
                      ("ECS28a_6.4.1_8F66_FUTURE_DATED_SUCCESS_ALERT_PERIOD_GBCS.HEX", "6.4.1"),
                      ("GCS05_2.1_8F66_FUTURE_DATED_SUCCESS_ALERT_PUBLISH_CALENDAR_GBCS.HEX", "2.1"),
                      ("GCS02_1.6_8F66_FUTURE_DATED_SUCCESS_ALERT_CHANGE_PAYMENT_MODE_GBCS.HEX", "1.6")):
        result = dit("gbcs", "parse", str(next((conformance / "gbcs" / "rtds").rglob(name))))
        assert etree.fromstring(result.stdout.encode()).findtext(".//{*}ServiceReferenceVariant") == srv, name
