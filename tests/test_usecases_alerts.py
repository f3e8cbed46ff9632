"""Alerts with a use case of their own, as devices build them and Users parse them: the dual band CH's sub-GHz
alerts (DBCH06-DBCH11) and the firmware distribution alerts (FDRA-DLMS, FDRA-ZigBee, CCS08), byte for byte the
RTDS samples', framed as the RTDS frames them, and parsing to MMC valid against mmc.xsd."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from harness.catalogue import DeviceType
from harness.dcc.firmware import Distribution, FirmwareDistribution
from harness.duis.request_id import RequestId
from harness.eui import EntityId
from harness.gbcs import crypto, gbz
from harness.gbcs import payload as gbcs_payload
from harness.gbcs.firmware_image import build_image
from harness.gbcs.frame import CraFlag, GbcsMessage, GeneralSigning
from harness.pki import KeyUsage, derive_private_key
from harness.usecases import chf, device, firmware, mmc, sub_ghz_alerts
from tests import rtds
from tests.test_emulators import ACB, _add, _joined_on_dual_band, hub  # noqa: F401  (hub: the fixture)

# The public RTDS 4.5.0 alert samples (SmartDCCInnovation/gbcs-parser test/rtds/RTDS-4.5.0/<folder>/<file>), whole
# messages: a MAC'd (DD ...) or signed General-Signing APDU from the CHF 00-DB-12-34-56-78-90-A2 or a meter, counter
# 4000 (2000, 3000 for the meters), raised 2015-01-01T00:00:00Z.
SAMPLES = {
    # NA_DBCH06/DBCH06_NA_8F20_ALERT_GBCS.HEX
    "DBCH06": "DD000000000000571100000000DF09030000000000000FA00800DB1234567890A20890B3D51F3000000200020110230F"
              "20000FA0000203128F20090C07DF0101FF000000008000FF090800DB1234567890A10021E29A9433031E85FA31DE42",
    # NA_DBCH07/DBCH07_NA_8F26_ALERT_GBCS.HEX
    "DBCH07": "DD000000000000581100000000DF09030000000000000FA00800DB1234567890A20890B3D51F3000000200020111240F"
              "20000FA0000203128F26090C07DF0101FF000000008000FF02020420E00000010901000002FC18387BE1B553413CEA1A",
    # NA_DBCH08/DBCH08_NA_8F28_ALERT_GBCS.HEX
    "DBCH08": "DD000000000000551100000000DF09030000000000000FA00800DB1234567890A20890B3D51F3000000200020112210F"
              "20000FA0000203128F28090C07DF0101FF000000008000FF020209010009010000528C7CB91013B317AFAF3823",
    # NA_DBCH10/DBCH10_NA_8F2C_ALERT_GBCS.HEX
    "DBCH10": "DD000000000000681100000000DF09030000000000000FA00800DB1234567890A20890B3D51F3000000200020114340F"
              "20000FA0000203128F2C090C07DF0101FF000000008000FF091990B3D51F3001000000DB1234567890A0010000000000"
              "0003E8005B4E3544FC88DEE2539D7EEA",
    # NA_DBCH11/DBCH11_NA_8F2D_ALERT_GBCS.HEX
    "DBCH11": "DD000000000000571100000000DF09030000000000000FA00800DB1234567890A20890B3D51F3000000200020115230F"
              "20000FA0000203128F2D090C07DF0101FF000000008000FF090800DB1234567890A1000D17D65A8BE9C5F18F835398",
    # NA_FDRA-DLMS/FDRA-DLMS_NA_8F72_ALERT_GBCS.HEX
    "FDRA-DLMS": "DF090300000000000007D00800DB1234567890A00890B3D51F30010000000200CE3B0F200007D0000203128F72090C07"
                 "DF0101FF000000008000FF09200101010101010101010101010101010101010101010101010101010101010101405910"
                 "A033CDCE3B205216A9C11DEED1D038747BC39B67E0EEBC146AF087F03D9B89FC181F6EA989E7834B1C21262183F5854F"
                 "F97BA48DF7F7CB95285C5D8C9B3F",
    # NA_FDRA-ZigBee/FDRA-ZigBee_NA_8F72_ALERT_GBCS.HEX
    "FDRA-ZigBee": "DF09030000000000000BB80800DB1234567890A10890B3D51F30010000000200CF2B0109018F721C374A800920A1A1A1"
                   "A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1A140F346C4C92CC5B540138D66E0E03ECE63F31B"
                   "0C7DB7AB796D5BBFFE12E8138D7879E6558805F9DAF8FA83F03AC39BC7BBD65ADD2872BFAD59C591C433E66C252C",
    # NA_CCS08/CCS08_NA_NA_ALERT_GBCS.HEX
    "CCS08": "DF09030000000000000FA00800DB1234567890A20890B3D51F30000002000201282B30290203008F8A180F3230313530"
             "3130313030303030305A040800DB1234567890A404040123ABCD0201004015427D68095A6ACDB453E4E0EB04FD616396"
             "4A54812A6D0E38CE3D635A00559AE8676D0BB03B7FC043E7FE2AA9F43157DF5BE8EE520BBA8281F7B7636EDE3360",
}
NEW_YEAR_2015 = dt.datetime(2015, 1, 1, tzinfo=dt.UTC)
A0, A1 = EntityId("00-DB-12-34-56-78-90-A0"), EntityId("00-DB-12-34-56-78-90-A1")
SUPPLIER = EntityId("90-B3-D5-1F-30-01-00-00")
DISCARDED = GeneralSigning(cra_flag=CraFlag.COMMAND, originator_counter=1000, originator=SUPPLIER, recipient=A0,
                           message_code=0x0001, payload=b"")

BUILT = {
    "DBCH06": sub_ghz_alerts.limited_duty_cycle_action(A1),
    "DBCH07": sub_ghz_alerts.channel_changed(0, "RemotePartyCommand"),
    "DBCH08": sub_ghz_alerts.scan_assessed("ScanRequestAccepted", "RemotePartyCommand"),
    "DBCH10": sub_ghz_alerts.message_discarded(DISCARDED),
    "DBCH11": sub_ghz_alerts.no_capacity(A1),
    "FDRA-DLMS": firmware.receipt_alert(DeviceType.ESME, firmware.FIRMWARE_VERIFIED, bytes([0x01]) * 32),
    "FDRA-ZigBee": firmware.receipt_alert(DeviceType.GSME, firmware.FIRMWARE_VERIFIED, bytes([0xA1]) * 32),
    "CCS08": firmware.transfer_alert(firmware.TRANSFER_SUCCEEDED, EntityId("00-DB-12-34-56-78-90-A4"), "0123ABCD",
                                     "FileTransferSuccess"),
}
SIGNED = {"FDRA-DLMS", "FDRA-ZigBee", "CCS08"}          # the others are MAC'd


def _sample(name: str) -> GbcsMessage:
    return GbcsMessage.decode(bytes.fromhex(SAMPLES[name]))


@pytest.mark.parametrize("name", sorted(BUILT))
def test_what_a_device_builds_is_the_rtds_alert(name):
    sample = _sample(name).apdu
    assert BUILT[name](sample.originator_counter, NEW_YEAR_2015) == sample.payload


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_the_rtds_frames_the_alerts_so(name):
    message = _sample(name)
    assert message.apdu.date_time is None
    assert (message.apdu.signature is not None, message.mac is not None) == ((True, False) if name in SIGNED
                                                                             else (False, True))


def test_the_dbch09_alert_is_the_configuration_the_rtds_dbch04_command_set(conformance):
    """6.28's command read as the CHF reads it, held by its MMC names, and sent back in the DBCH09 alert."""
    command = rtds.message(rtds.rtds_file(conformance, "DBCH04_6.28_SUCCESS_COMMAND_GBCS.HEX")).apdu
    _, fields = device.read(command, DeviceType.CHF, now=NEW_YEAR_2015)
    held = {k.removeprefix(f"{chf.SET_CONFIGURATION}/"): v for k, v in fields.items() if k != "UseCase"}
    alert = rtds.message(rtds.rtds_file(conformance, "DBCH04_6.28_NA_SUCCESS_ALERT_DBCH09_GBCS.HEX")).apdu
    assert sub_ghz_alerts.configuration_changed(held)(alert.originator_counter, NEW_YEAR_2015) == alert.payload


EXPECTED_CONTENT = {
    "DBCH06": ("LimitedDutyCycleActionTaken", "device told to suspend: 00-DB-12-34-56-78-90-A1"),
    "DBCH07": ("SubGHzChannelChanged", "now on lower band channel 0 (page 28), scan trigger RemotePartyCommand"),
    "DBCH08": ("SubGHzChannelScanRequestAssessmentOutcome", "ScanRequestAccepted, scan trigger RemotePartyCommand"),
    "DBCH10": ("MessageDiscardedDueToDutyCycleManagement",
               "discarded Command 90-B3-D5-1F-30-01-00-00:00-DB-12-34-56-78-90-A0:1000"),
    "DBCH11": ("NoMoreSubGHzDeviceCapacity", "no sub-GHz capacity for 00-DB-12-34-56-78-90-A1"),
}


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_every_alert_parses_to_valid_mmc(name, mmc_schema):
    document, notes = mmc.parse(_sample(name))
    assert mmc_schema.errors(document) == [], name
    code = f"{gbcs_payload.alert_code(_sample(name).apdu):04X}"
    assert document.findtext(f".//{{{mmc.RA}}}GBCSHexAlertCode") == code
    assert document.findtext(f".//{{{mmc.RA}}}Timestamp") == "2015-01-01T00:00:00Z"
    if name in EXPECTED_CONTENT:
        data_name, note = EXPECTED_CONTENT[name]
        assert document.find(f".//{{{mmc.RA}}}GBCSData").get("name") == data_name
        assert notes == [f"{name}: {note}"]
    elif name.startswith("FDRA"):
        verification = document.find(f".//{{{mmc.RA}}}FirmwareVerificationDeviceAlert")
        hashed = ("01" if name == "FDRA-DLMS" else "A1") * 32
        assert verification.findtext(f"{{{mmc.RA}}}ManufacturerImageHash") == hashed
    else:
        assert notes == ["CCS08: firmware 0123ABCD to 00-DB-12-34-56-78-90-A4: FileTransferSuccess"]


def test_a_firmware_receipt_gbz_alert_decodes_and_encodes_the_same():
    payload = _sample("FDRA-ZigBee").apdu.payload
    decoded = gbz.decode(payload, alert=True, firmware_receipt=True)
    assert decoded.manufacturer_hash == bytes([0xA1]) * 32 and decoded.encode() == payload
    # a generic GBZ alert of the same code carries no hash
    assert gbz.decode(bytes.fromhex("010900" "8F72" "1C374A80"), alert=True).manufacturer_hash is None


# -- the emulated devices send them as the RTDS frames them ------------------------------------------------

def _alerts(up: list[bytes], message_code: int) -> list[GbcsMessage]:
    messages = [GbcsMessage.decode(m) for m in up]
    return [m for m in messages if m.apdu.cra_flag is CraFlag.ALERT and m.apdu.message_code == message_code]


def _mac_framed_to_the_acb(message: GbcsMessage) -> None:
    apdu = message.apdu
    assert apdu.recipient == ACB and apdu.date_time is None and apdu.signature is None and message.mac is not None


def _built(message: GbcsMessage, payload: sub_ghz_alerts.AlertPayload) -> bytes:
    """What the builder gives for this alert's counter and the time it carries (whole seconds)."""
    raised = mmc.alert_code_and_time(gbcs_payload.decode(message.apdu).value)[1]
    return payload(message.apdu.originator_counter, dt.datetime.fromisoformat(raised.replace("Z", "+00:00")))


def test_the_chf_sends_its_sub_ghz_alerts_mac_d_to_the_acb(hub, smki):  # noqa: F811
    from harness.emulators.han import SUB_GHZ

    (hub, esme, up, clock) = hub
    hub.chf.han_variant = "Dual Band"
    hub.sub_ghz_capacity = 0
    esme.bands = frozenset({SUB_GHZ})
    _add(hub.chf, esme.eui)
    esme.power_on()
    clock.advance(1)
    refused = _alerts(up, 0x0115)[0]                       # DBCH11: no sub-GHz capacity for the ESME
    _mac_framed_to_the_acb(refused)
    ka = smki.keystore.private_key(ACB, KeyUsage.KEY_AGREEMENT)
    assert crypto.mac_holds(refused, ka, smki.keystore.find(hub.chf.eui, KeyUsage.KEY_AGREEMENT).public_key)
    assert refused.apdu.payload == _built(refused, sub_ghz_alerts.no_capacity(esme.eui))

    hub.han.interference.add(hub.han.channels[SUB_GHZ])
    hub.frequency_agility("RemotePartyCommand")
    assessed, changed = _alerts(up, 0x0112)[0], _alerts(up, 0x0111)[0]
    for alert in (assessed, changed):
        _mac_framed_to_the_acb(alert)
    assert assessed.apdu.payload == _built(assessed, sub_ghz_alerts.scan_assessed("ScanRequestAccepted",
                                                                                   "RemotePartyCommand"))
    assert changed.apdu.payload == _built(changed, sub_ghz_alerts.channel_changed(hub.chf.sub_ghz_channel,
                                                                                  "RemotePartyCommand"))
    # the others are generic: 0x8F27 scan initiated
    generic = _alerts(up, device.GENERIC_NON_CRITICAL_ALERT)
    assert [gbcs_payload.alert_code(m.apdu) for m in generic][-1] == 0x8F27


def test_a_discarded_command_names_it_in_dbch10(hub):  # noqa: F811
    from harness.emulators.han import SUB_GHZ
    from harness.han.duty_cycle import Thresholds

    (hub, esme, up, clock) = hub
    _joined_on_dual_band(hub, esme, clock)
    hub.han.thresholds = Thresholds(0.5, 1.5, 2.5)
    for _ in range(200):
        hub.han.transmit(bytes(800), lambda _: None, band=SUB_GHZ, destination=esme.eui)
    clock.advance(60)
    suspended = _alerts(up, 0x0110)[0]                     # DBCH06: the ESME told to suspend
    _mac_framed_to_the_acb(suspended)
    assert suspended.apdu.payload == _built(suspended, sub_ghz_alerts.limited_duty_cycle_action(esme.eui))
    command = GeneralSigning(cra_flag=CraFlag.COMMAND, originator_counter=1000, originator=SUPPLIER,
                             recipient=esme.eui, message_code=0x0001, payload=b"", date_time=clock.now())
    hub.from_wan(command.encode())
    discarded = _alerts(up, 0x0114)[0]
    _mac_framed_to_the_acb(discarded)
    assert discarded.apdu.payload == _built(discarded, sub_ghz_alerts.message_discarded(command))
    _, notes = mmc.parse(discarded)
    assert notes == [f"DBCH10: discarded Command {SUPPLIER.duis}:{esme.eui.duis}:1000"]


def test_a_meter_signs_its_firmware_receipt_and_the_chf_its_transfer_report(hub, smki):  # noqa: F811
    (hub, esme, up, clock) = hub
    manufacturer = derive_private_key(b"test", "manufacturer")
    esme.init_firmware("00010001", manufacturer.public_key())
    image = build_image(manufacturer_code=esme.manufacturer_code, image_type=esme.image_type, file_version=0x00020002,
                        body=bytes(100), signing_key=manufacturer)
    hub.receive_firmware(image, [esme.eui], "not in GBCS")          # the ESME is not on the HAN
    report = _alerts(up, firmware.FIRMWARE_TRANSFER_ALERT)[0]
    assert report.apdu.recipient == ACB and report.mac is None and report.apdu.date_time is None
    assert crypto.verify_apdu(report.apdu, smki.keystore.find(hub.chf.eui, KeyUsage.DIGITAL_SIGNING).public_key)
    transfer = firmware.firmware_transfer(gbcs_payload.decode(report.apdu).value)
    assert transfer == firmware.FirmwareTransfer(firmware.TRANSFER_FAILED, esme.eui, "00020002", "FileTransferFailure")

    _add(hub.chf, esme.eui)
    esme.power_on()
    clock.advance(1)
    hub.receive_firmware(image, [esme.eui], "not in GBCS")
    clock.advance(600)
    receipt = _alerts(up, 0x00CE)[0]                       # FDRA-DLMS from the ESME to its supplier (cell)
    assert receipt.mac is None and receipt.apdu.date_time is None
    assert crypto.verify_apdu(receipt.apdu, smki.keystore.find(esme.eui, KeyUsage.DIGITAL_SIGNING).public_key)
    document, _ = mmc.parse(receipt)
    assert document.findtext(f".//{{{mmc.RA}}}ManufacturerImageHash") == firmware.calculated_hash(image).hex().upper()
    assert gbcs_payload.alert_code(receipt.apdu) == firmware.FIRMWARE_VERIFIED
    delivered = _alerts(up, firmware.FIRMWARE_TRANSFER_ALERT)[-1]
    assert firmware.firmware_transfer(gbcs_payload.decode(delivered.apdu).value).succeeded


def test_the_dsp_reads_the_transfer_from_the_ccs08_itself():
    """The DCC finds the distribution by the device and the image's version the CCS08 names."""
    chf_eui = EntityId("00-DB-12-34-56-78-90-A2")
    alerts: list[str] = []
    dsp = SimpleNamespace(inventory=SimpleNamespace(get=lambda eui: None),
                          dcc_alert=lambda user, code, detail: alerts.append(code))
    distribution = FirmwareDistribution(dsp)  # type: ignore[arg-type]
    user = SimpleNamespace(name="the Import Supplier")
    request_id = RequestId(SUPPLIER, ACB, 7)
    job = Distribution(request_id, user, "00020002", [A0, A1])  # type: ignore[arg-type]
    distribution.distributions[str(request_id)] = job

    def ccs08(code: int, eui: EntityId, version: str, response: str) -> GeneralSigning:
        return GeneralSigning(cra_flag=CraFlag.ALERT, originator_counter=1, originator=chf_eui, recipient=ACB,
                              message_code=firmware.FIRMWARE_TRANSFER_ALERT,
                              payload=firmware.transfer_alert(code, eui, version, response)(1, NEW_YEAR_2015))

    def report(alert: GeneralSigning) -> None:              # as the DSP hands it on, with its payload decoded
        distribution.device_alert(alert, gbcs_payload.decode(alert))

    report(ccs08(firmware.TRANSFER_SUCCEEDED, A0, "00020002", "FileTransferSuccess"))
    report(ccs08(firmware.TRANSFER_FAILED, A1, "00030003", "FileTransferFailure"))
    assert job.delivered == {A0} and alerts == []          # another version's transfer is not this distribution's
    report(ccs08(firmware.TRANSFER_FAILED, A1, "00020002", "FileTransferFailure"))
    assert job.failed == {A1: "FileTransferFailure"} and alerts == ["N20"]
