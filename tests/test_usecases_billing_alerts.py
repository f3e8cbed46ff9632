"""0x8F0A Billing Data Log Updated, the billing data log entry a meter pushes to its supplier: ECS68 (ESME Critical
Sensitive Alert, DLMS COSEM) and GCS53 (Push Billing Data Log as an Alert, GBZ). As the meters build them, byte for
byte the RTDS samples', framed as the RTDS frames them (signed, to the supplier, no header date-time), the entry
encrypted end to end for the supplier, and parsing to MMC valid against mmc.xsd; and as the emulated lab sends them
when 1.2.1 changes a price."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from harness.catalogue import PaymentMode
from harness.emulators.metering import esme_tou, mmc_time, snapshot_tou
from harness.eui import EntityId
from harness.gbcs import crypto
from harness.gbcs.frame import GbcsMessage
from harness.lab.procedures import Procedures
from harness.pki import KeyUsage
from harness.usecases import esme_reads, gsme_reads, mmc

# The public RTDS 4.5.0 samples (SmartDCCInnovation/gbcs-parser test/rtds/RTDS-4.5.0/<folder>/<file>), whole
# messages: signed General-Signing APDUs from the ESME 00-DB-12-34-56-78-90-A0 (counters 2001, 2000) and the GSME
# 00-DB-12-34-56-78-90-A1 (3000) to the supplier 90-B3-D5-1F-30-01-00-00, raised 2015-01-01T00:00:00Z.
SAMPLES = {
    # NA_ECS68/ECS68_NA_8F0A_SINGLE_ALERT_GBCS.HEX
    "ECS68 single":
        "DF090300000000000007D10800DB1234567890A00890B3D51F30010000000200618201C80F200007D1000204128F0A09"
        "0C07DF0101FF000000008000FF010102021602020509090400000000000007D1090800DB1234567890A0090890B3D51F"
        "30010000090002021602020209010209000982017731000000003B8F90997108C3760EA4E5A2882125194D17E2F8B53B"
        "0052C5C65E2CFC98630465E87AD2581BCBCAD1E51F683FC2A7D076A6EB530D30276DE24E14FD2B510FC15AB35C5A4C5E"
        "9013EE6AA0B00E89AC85A0F79DAA80BA501869C35C42D14EB1D68AB0892B00C2F163E0E789F508600B2906FA4F31B04A"
        "7C69DB0B1F6D4FB8DB806ED56D596E746D940C8B34364087C0EB4A9878ECBB5C6D98603D8D79759F282C38C97AFE597F"
        "B40274F652E5649DCEA636A8EB0C11565A2BBF6243AF61AEA6E6A49D874D2B1ED1C6950C387D93843B1767FC6F7FC424"
        "6BA8F0B458FABE37A15DA3C263DCBFDAF07B647758ED73656809DA44CB84874E6917CA7E48E83321D55BC3657455416F"
        "FC80DE8E5E87A45DDE841E8A4AE514F78FA4F38D0534234F09857E6145BEAD13C8562E7AFB8991C788A8214C8C1E8B28"
        "8F6CCB60D5C7E951B11F6E96A8C9D86D82529772EA27C7C89C65370B23C7DE0B7C351A4CCEA39351D734F9B89FC5C83A"
        "77BCFC3CBB304462802C3B7940079156BD1863ACD410C55B1775A054A7B7CF1ACA3E2808AD02E98FD34E8731DDCA4751"
        "62AF0E98F822570E5ADCCA314A4B5D2BC1B6B86397345F017F6F3CC3A5",
    # NA_ECS68/ECS68_NA_8F0A_TWIN_ALERT_GBCS.HEX
    "ECS68 twin":
        "DF090300000000000007D00800DB1234567890A00890B3D51F30010000000200618201E10F200007D0000204128F0A09"
        "0C07DF0101FF000000008000FF010102021602020509090400000000000007D0090800DB1234567890A0090890B3D51F"
        "300100000900020216020202090102090009820190310000000014AC425A6A03664892FF5A1161BB20FAC741AE3C4609"
        "A547F0278FE416D07984E72C1A22CE77FFE0E8D2122B96DF5337C45D9D3E1C04076DF59D29E51DB7D0071C051324897D"
        "942C767361DF7BF5AA8FFEC1CE4FF19321779B249271076BC74AF772E7904FDBFB9D8FA6CDE820DA7676CD973B614DF6"
        "5E7566C2F45B6AFDE69AB3C85B052793BB282E3B81482587857F5D7CBFB2DD6171A6B948F208AB56CB0189A5D2989525"
        "992B35952450C6E8ABF3A5AF2C8FBECEBF36BD2DCF3C79298812932EEFB5F39A30BC85CB9E56955D940004AC3D904770"
        "793F367C918966447B515E0A728CEF89A94880E39AD1AE154BD34B7C5CD4516B8F92285FBE0BDB3AE249DFC06BF21999"
        "BEA90B375A5E3DBF2442199B604F606AFA91332D0CC32A1C624B45E0A2B51D1418A48C7F6595BA86B7CDDE4E4C3D23E2"
        "EA5786CF75A7B88CE98031D2232DAC41B39DAFA7BBA9D3977C5DEB4F97F9FA1706466F1F23412588990BA25C4CEFDC32"
        "D3B362E3DDA4775BB74A7C4566CEC9711231415C57BC2A979B5BD7FE2D540CAD347121165440C01208535B17BD047A4E"
        "DABE8C5A28C685939C828FE2470B32AE2F712CBA325E69C87D79426C67CE9EFDD9925B11DADACE36D51B281AB8A0DF2F"
        "7B0AC387BD5A",
    # NA_GCS53/GCS53_NA_8F0A_ALERT_GBCS.HEX
    "GCS53":
        "DF09030000000000000BB80800DB1234567890A10890B3D51F300100000002008B6E0109018F0A1C374A800307020060"
        "0000190006005931000000002C58EE73E5FE4C7A43A8B3D742B04B4443A8B501D4E623C227A8D7E52D221C6E92F9E8B8"
        "6B3962B02072534E32400BD05D33DEE930FFFE42B04FA8B371B57D88F277743C4487720CC60440B781D5EAA2AD2BBEFA"
        "40EC23D26EDD5B176C87277CC77E668AEF7C2A1BEB6580B18F64D914528CEB994BADE1F06FF1D1B2D11249420C71C5D4"
        "FE936A5D91B2135C70EFF2F95C2BCA9E8B",
}
NEW_YEAR_2015 = dt.datetime(2015, 1, 1, tzinfo=dt.UTC)
SUPPLIER = EntityId("90-B3-D5-1F-30-01-00-00")
BILLING_DATA_LOG_UPDATED = 0x8F0A
# What the RTDS GSME's snapshot carries beyond MMC (its plaintext, opened with the supplier's key).
GCS53_SNAPSHOT_ID, GCS53_SNAPSHOT_CAUSE = 0x0448BE46, 0x000000AA
ENTRY = {"ECS68": "ESMEBillingDataLogEntry", "GCS53": "GSMEBillingDataLogEntry"}


def _sample(name: str) -> GbcsMessage:
    return GbcsMessage.decode(bytes.fromhex(SAMPLES[name]))


def _use_case(name: str) -> str:
    return name.split()[0]


def _entry(document, use_case: str) -> dict[str, str]:
    """The alert's billing data log entry as the User reads it, by the names below the entry element."""
    rows = esme_reads.rows(mmc.alert_values(document), ENTRY[use_case])
    return rows[0] if rows else {}


def _seal_as_the_meter(message: GbcsMessage, keystore):
    """The meter's end-to-end encryption for the supplier, made from the supplier's side of the key agreement (ECDH
    gives both sides one key; the conformance keystore holds the supplier's KA private key, not the meter's)."""
    apdu = message.apdu
    supplier = keystore.find(apdu.recipient, KeyUsage.KEY_AGREEMENT).private_key
    meter = keystore.find(apdu.originator, KeyUsage.KEY_AGREEMENT).public_key

    def seal(counter: int, plaintext: bytes) -> bytes:
        key = crypto.encryption_key(dataclasses.replace(apdu, originator_counter=counter), supplier, meter)
        return crypto.encrypt_field(key, apdu.originator, plaintext)
    return seal


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_the_rtds_signs_them_for_the_supplier_without_a_header_date_time(name, conformance_keystore):
    message = _sample(name)
    apdu = message.apdu
    assert (apdu.recipient, apdu.date_time, message.mac) == (SUPPLIER, None, None)
    assert crypto.verify_apdu(apdu, conformance_keystore.find(apdu.originator, KeyUsage.DIGITAL_SIGNING).public_key)


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_the_entry_is_encrypted_for_the_supplier(name, mmc_schema, conformance_keystore):
    """Without the supplier's KA key a User gets the alert and the entry as encrypted GBCSData; with it, the entry."""
    closed, notes = mmc.parse(_sample(name))
    assert mmc_schema.errors(closed) == [] and notes
    assert closed.find(f".//{{{mmc.RA}}}GBCSData").get("format") == "encrypted"
    assert mmc.alert_values(closed) == {}
    document, notes = mmc.parse(_sample(name), keystore=conformance_keystore)
    assert mmc_schema.errors(document) == [] and notes == []
    assert document.findtext(f".//{{{mmc.RA}}}GBCSHexAlertCode") == "8F0A"
    assert document.find(f".//{{{mmc.RA}}}GBCSData") is None
    entry = _entry(document, _use_case(name))
    assert entry["Timestamp"] == "2015-01-01T00:00:00Z"
    expected = {"ECS68 single": ("10435000", None, "81000"), "ECS68 twin": ("10435000", "512000", "81000"),
                "GCS53": ("15", None, "176")}[name]
    assert (entry["ActiveImportRegisterValueConsumption"], entry.get("SecondaryActiveImportRegisterValueConsumption"),
            entry["TariffTOURegisterMatrixValue[1]"]) == expected


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_what_a_meter_builds_of_the_entry_is_the_rtds_alert(name, conformance_keystore):
    message = _sample(name)
    apdu = message.apdu
    document, _ = mmc.parse(message, keystore=conformance_keystore)
    entry, seal = _entry(document, _use_case(name)), _seal_as_the_meter(message, conformance_keystore)
    if _use_case(name) == "ECS68":
        build = esme_reads.billing_data_log_alert(BILLING_DATA_LOG_UPDATED, entry, apdu.originator, apdu.recipient,
                                                  seal)
    else:
        build = gsme_reads.billing_data_log_alert(BILLING_DATA_LOG_UPDATED, entry, seal,
                                                  snapshot_id=GCS53_SNAPSHOT_ID, snapshot_cause=GCS53_SNAPSHOT_CAUSE)
    assert build(apdu.originator_counter, NEW_YEAR_2015) == apdu.payload


# -- the emulated meters raise it when 1.2.1 changes a price ---------------------------------------------------------

@pytest.mark.parametrize("supplier, meter, fuel", [("the Import Supplier", "ESME", "Electricity"),
                                                   ("the Gas Supplier", "GSME", "Gas")])
def test_a_price_change_brings_the_supplier_the_meters_billing_data_log_entry(lab, mmc_schema, supplier, meter,
                                                                             fuel):
    Procedures(lab, lambda exchange: exchange).install_and_commission(supplier, meter, PaymentMode.CREDIT)
    user, device = lab.user(supplier), lab.device(meter)
    since = user.mark()
    lab.let_time_pass(3600)
    assert user.send("1.2.1", device.eui, fuel=fuel, unit_rates=26500, standing_charge=32000).succeeded
    received = user.wait_for_alert("8F0A", since=since, device=device.eui)
    assert received is not None
    message = GbcsMessage.decode(received.response.gbcs_payload)
    apdu = message.apdu
    assert apdu.message_code == device.billing_alert_message_code
    assert (apdu.recipient, apdu.date_time, message.mac) == (user.eui, None, None)
    assert crypto.verify_apdu(apdu, lab.repository.keystore.find(device.eui, KeyUsage.DIGITAL_SIGNING).public_key)

    document, notes = mmc.parse(message, keystore=user.keystore)
    assert mmc_schema.errors(document) == [] and notes == []
    logged = device.billing_data_log[-1]
    entry = _entry(document, "ECS68" if meter == "ESME" else "GCS53")
    assert entry["Timestamp"] == mmc_time(logged["Time"])
    assert entry["ActiveImportRegisterValueConsumption"] == logged["ImportRegister"]
    tou = esme_tou(logged) if meter == "ESME" else snapshot_tou(logged)
    assert esme_reads.indexed_values(entry, "TariffTOURegisterMatrixValue") == tou
    # without the supplier's key the DCC (or anyone between) sees only that the log was updated
    _, notes = mmc.parse(message)
    assert any("not decrypted" in note for note in notes)
