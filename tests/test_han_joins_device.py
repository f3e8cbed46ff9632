"""The HAN devices' join, unjoin and GPF restore firmware, fed what a device reads of the RTDS commands: the
outcome it gives is what the RTDS device answered (errors included), in the names of the MMC response."""

from __future__ import annotations

import datetime as dt

import pytest

from harness.catalogue import DeviceType
from harness.clock import VirtualClock
from harness.emulators import (
    CommunicationsHub,
    CommunicationsHubFunction,
    DeviceKeys,
    ElectricityMeter,
    GasMeter,
    GasProxyFunction,
    HanNetwork,
    PrepaymentInterfaceDevice,
    TrustAnchors,
)
from harness.emulators.chf import DeviceLogEntry
from harness.eui import EntityId
from harness.pki import KeyUsage
from harness.usecases import device, joins, mmc
from tests import rtds
from tests.test_emulators import PARTIES

NOW = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


@pytest.fixture
def han(smki):
    """A hub and, on its HAN, every device the RTDS join cases name (by the RTDS's entity ids)."""
    clock = VirtualClock()

    def make(cls, eui, kind, **extra):
        eui = EntityId(eui)
        ks = smki.keystore
        keys = DeviceKeys(ks.private_key(eui, KeyUsage.DIGITAL_SIGNING), ks.private_key(eui, KeyUsage.KEY_AGREEMENT)) \
            if ks.find(eui, KeyUsage.DIGITAL_SIGNING) else None
        return cls(eui, clock=clock, keys=keys, key_seed=smki.seed, **extra,
                   trust=TrustAnchors.configured_as_new(kind, PARTIES, smki.keystore, smki.root_certificate))

    hub = CommunicationsHub(make(CommunicationsHubFunction, "00-DB-12-34-56-78-90-A2", DeviceType.CHF),
                            make(GasProxyFunction, "00-DB-12-34-56-78-90-A3", DeviceType.GPF), HanNetwork(clock))
    devices = {"ESME": make(ElectricityMeter, "00-DB-12-34-56-78-90-A0", DeviceType.ESME, install_code=bytes(16)),
               "GSME": make(GasMeter, "00-DB-12-34-56-78-90-A1", DeviceType.GSME, install_code=bytes(16)),
               "PPMID": make(PrepaymentInterfaceDevice, "00-DB-12-34-56-78-90-A4", DeviceType.PPMID,
                             install_code=bytes(16))}
    for member in devices.values():
        member.hub = hub
    for eui in ("00-DB-12-34-56-78-90-93", "00-DB-12-34-56-78-90-94", "00-DB-12-34-56-78-90-9A",
                "00-DB-12-34-56-78-90-9C", "01-02-03-04-05-06-07-08"):
        hub.chf.device_log[EntityId(eui)] = DeviceLogEntry(EntityId(eui), b"", NOW, link_key=bytes(16))
    return hub, devices


def _outcome(conformance, name: str, firmware) -> tuple[dict, dict]:
    """What the firmware does with the RTDS command `name`, and what the RTDS device answered."""
    command = rtds.message(rtds.rtds_file(conformance, name)).apdu
    read, fields = device.read(command, firmware.device_type, now=NOW)
    outcome = {"Result": "Success", **firmware._handlers[read.use_case](firmware, fields, command)}
    answered, _ = mmc.parse(rtds.message(rtds.rtds_file(conformance, name.replace("_COMMAND_", "_RESPONSE_"))))
    return outcome, mmc.values(answered)


@pytest.mark.parametrize("name, who", [
    ("CS03A1_8.7.1_SUCCESS_COMMAND_GBCS.HEX", "ESME"),
    ("CS03B_8.7.2_SUCCESS_COMMAND_GBCS.HEX", "GSME"),
    ("CS03B_8.7.2_ERROR_COMMAND_GBCS.HEX", "GSME"),                 # a GSME joins PPMIDs by method C only
    ("CS03A2NonCritical_8.7.2_SUCCESS_COMMAND_GBCS.HEX", "PPMID"),
    ("CS03CNonCritical_8.7.2_SUCCESS_COMMAND_GBCS.HEX", "PPMID"),
    ("CS03CNonCritical_8.7.2_ERROR_COMMAND_GBCS.HEX", "PPMID"),       # method C without the certificate
    ("CS04B_8.8.2_ERROR_COMMAND_GBCS.HEX", "GSME"),                  # never joined
])
def test_a_device_answers_the_rtds_joins_as_the_rtds_device_did(conformance, han, name, who):
    outcome, expected = _outcome(conformance, name, han[1][who])
    assert outcome == expected


def test_a_join_then_unjoin_then_unjoin_again(conformance, han):
    esme = han[1]["ESME"]
    assert _outcome(conformance, "CS03A1_8.7.1_SUCCESS_COMMAND_GBCS.HEX", esme)[0]["Result"] == "Success"
    # the same device joined as another device type is not what the log holds
    joined = {"UseCase": "CS03A1", "OtherDeviceID": "00-DB-12-34-56-78-90-9A", "JoinMethodAndRole": 0,
              "OtherDeviceType": joins.ASN1_DEVICE_TYPES[DeviceType.PPMID]}
    assert esme._join(joined, None)["joinResponseCode/ASN1Status"] == "incompatibleWithExistingEntry"
    unjoin = {"UseCase": "CS04ACCritical", "OtherDeviceID": "00-DB-12-34-56-78-90-9A"}
    assert esme._unjoin(unjoin, None)["Result"] == "Success"
    assert esme._unjoin(unjoin, None)["unjoinResponseCode/ASN1Status"] == "otherDeviceNotInDeviceLog"


def test_a_device_not_on_the_han_gets_no_link_key(han):
    esme = han[1]["ESME"]
    absent = {"UseCase": "CS03A1", "OtherDeviceID": "00-DB-12-34-56-78-90-FF", "JoinMethodAndRole": 0,
              "OtherDeviceType": joins.ASN1_DEVICE_TYPES[DeviceType.PPMID]}
    assert esme._join(absent, None)["joinResponseCode/ASN1Status"] == "noCBKEResponse"


def test_the_gpf_mirrors_a_gsme_it_joins_and_serves_a_display(han):
    hub, _ = han
    gsme, ppmid = EntityId("00-DB-12-34-56-78-90-94"), EntityId("00-DB-12-34-56-78-90-93")
    for other, kind in ((gsme, DeviceType.GSME), (ppmid, DeviceType.PPMID)):
        fields = {"UseCase": "CS03B", "OtherDeviceID": other.duis, "JoinMethodAndRole": joins.METHOD_B,
                  "OtherDeviceType": joins.ASN1_DEVICE_TYPES[kind]}
        assert hub.gpf._join(fields, None)["Result"] == "Success"
    assert hub.gpf.gsme == gsme and list(hub.gpf.joined_devices) == [ppmid]
    assert hub.gpf._unjoin({"UseCase": "CS04B", "OtherDeviceID": gsme.duis}, None)["Result"] == "Success"
    assert hub.gpf.gsme is None


def test_the_gpf_restores_the_rtds_backup(conformance, han):
    hub, _ = han
    outcome, expected = _outcome(conformance, "GCS59_8.12.2_SUCCESS_COMMAND_GBCS.HEX", hub.gpf)
    assert outcome == expected
    assert hub.gpf.gsme is None and set(hub.gpf.joined_devices) == {EntityId("00-11-22-33-44-55-66-77"),
                                                                     EntityId("88-99-AA-BB-CC-DD-EE-FF")}


def test_a_join_whose_method_is_not_its_message_codes_is_refused(han):
    """GBCS: CS03A1's message code carries method A (initiator); the same code with method B, even for a device
    the ESME joins by method B (an IHD), is invalidMessageCodeForJoinMethodAndRole."""
    esme = han[1]["ESME"]
    method_b = {"UseCase": "CS03A1", "OtherDeviceID": "00-DB-12-34-56-78-90-9C", "JoinMethodAndRole": joins.METHOD_B,
                "OtherDeviceType": joins.ASN1_DEVICE_TYPES[DeviceType.IHD]}
    assert esme._join(method_b, None)["joinResponseCode/ASN1Status"] == "invalidMessageCodeForJoinMethodAndRole"
    assert EntityId("00-DB-12-34-56-78-90-9C") not in esme.joined_devices
