"""Emulator rules checked directly on the device models (the lab tests see the same rules over DUIS)."""

from __future__ import annotations

import datetime as dt

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from harness.catalogue import DeviceType, RemotePartyRole
from harness.clock import VirtualClock
from harness.emulators import (
    CommunicationsHub,
    CommunicationsHubFunction,
    DeviceKeys,
    ElectricityMeter,
    GasMeter,
    GasProxyFunction,
    HanNetwork,
    TrustAnchors,
)
from harness.emulators.chf import HISTORIC_LOG_SIZE
from harness.emulators.device import GeneralSigning
from harness.emulators.trust import TrustAnchorRejected
from harness.emulators.zigbee import aes_mmo, check_crc, link_key, with_crc
from harness.eui import EntityId
from harness.gbcs.frame import CraFlag
from harness.pki import KeyUsage, certificates
from harness.pki.smki import derive_private_key

ACB = EntityId("90-B3-D5-1F-30-00-00-02")
SUPPLIER_A = EntityId("90-B3-D5-1F-30-01-00-00")
PARTIES = {RemotePartyRole.ACCESS_CONTROL_BROKER: ACB,
           RemotePartyRole.TRANSITIONAL_COS: EntityId("90-B3-D5-1F-30-00-00-04"),
           RemotePartyRole.RECOVERY: EntityId("90-B3-D5-1F-30-00-00-01"),
           RemotePartyRole.WAN_PROVIDER: EntityId("90-B3-D5-1F-30-00-00-07")}


def test_install_code_vector():
    code = bytes.fromhex("83FED3407A939723A5C639B26916D505")
    assert with_crc(code)[-2:].hex().upper() == "C3B5"
    assert link_key(code).hex().upper() == "66B6900981E1EE3CA4206B6B861C02BB"
    assert check_crc(with_crc(code)) and not check_crc(with_crc(code)[:-1] + b"\x00")
    assert len(aes_mmo(b"")) == 16


@pytest.fixture
def hub(smki):
    return _fresh(smki)


def _device_args(smki, clock, eui, kind):
    """An emulated device's keys (the test SMKI's), clock and trust anchors as configured new."""
    ks = smki.keystore
    keys = DeviceKeys(ks.private_key(eui, KeyUsage.DIGITAL_SIGNING), ks.private_key(eui, KeyUsage.KEY_AGREEMENT))
    return {"clock": clock, "key_seed": smki.seed, "keys": keys,
            "trust": TrustAnchors.configured_as_new(kind, PARTIES, ks, smki.root_certificate)}


def _fresh(smki):
    clock = VirtualClock()

    def args(eui, kind):
        return _device_args(smki, clock, eui, kind)

    chf_eui, gpf_eui = EntityId("00-DB-12-34-56-78-90-A2"), EntityId("00-DB-12-34-56-78-90-A3")
    chf = CommunicationsHubFunction(chf_eui, **args(chf_eui, DeviceType.CHF))
    gpf = GasProxyFunction(gpf_eui, **args(gpf_eui, DeviceType.GPF))
    hub = CommunicationsHub(chf, gpf, HanNetwork(clock))
    up = []
    hub.wan_uplink = up.append
    esme_eui = EntityId("00-DB-12-34-56-78-90-A0")
    esme = ElectricityMeter(esme_eui, install_code=bytes(range(16)), **args(esme_eui, DeviceType.ESME))
    esme.hub = hub
    return hub, esme, up, clock


def _add(chf, device, code=bytes(range(16)), period=3600):
    fields = {"UseCase": "CCS01", "DeviceID": device.duis, "AddDeviceToCHFWhitelist/InstallCode": code.hex(),
              "AddDeviceToCHFWhitelist/JoinTimePeriod": str(period)}
    return chf._add(fields, None)


def test_adding_a_device_twice_changes_nothing(hub):
    (hub, esme, up, clock) = hub
    assert _add(hub.chf, esme.eui)["Added"] == "true"
    alerts = len(up)
    assert _add(hub.chf, esme.eui, code=b"\xff" * 16)["Added"] == "false"
    assert hub.chf.device_log[esme.eui].install_code == bytes(range(16))     # the key was discarded
    assert len(up) == alerts                                                 # no 0x8F12 for no change


def test_removal_keeps_a_historic_key_and_the_log_holds_fifteen(hub):
    (hub, esme, up, clock) = hub
    _add(hub.chf, esme.eui)
    esme.power_on()
    assert esme.joined_to == hub.chf.eui
    hub.chf._remove({"UseCase": "CCS02", "DeviceID": esme.eui.duis}, None)
    assert hub.chf.historic_log[esme.eui] == link_key(bytes(range(16)))
    assert esme.joined_to is None and esme.uplink is None
    for n in range(20):
        device = EntityId(bytes([0, 0xDB, 0, 0, 0, 0, 1, n]))
        _add(hub.chf, device)
        hub.chf.device_log[device].link_key = bytes(16)
        hub.chf._remove({"UseCase": "CCS02", "DeviceID": device.duis}, None)
    assert len(hub.chf.historic_log) == HISTORIC_LOG_SIZE
    assert esme.eui not in hub.chf.historic_log                              # the oldest entry was dropped


def test_every_device_log_change_raises_0x8f12_to_the_dcc(hub):
    (hub, esme, up, clock) = hub
    _add(hub.chf, esme.eui)
    from harness.gbcs.frame import GbcsMessage
    from harness.usecases import chf

    message = GbcsMessage.decode(up[-1])
    alert = message.apdu
    assert alert.cra_flag is CraFlag.ALERT and alert.message_code == 0x0018 and alert.recipient == ACB
    assert alert_code(alert) == "8F12"
    assert [e.device_id for e in chf.device_log_backup(message).entries] == [esme.eui]


def test_first_join_alerts_0x8f69_to_whoever_holds_the_supplier_cell(hub):
    (hub, esme, up, clock) = hub
    _add(hub.chf, esme.eui)
    esme.power_on()
    clock.advance(1)
    from harness.gbcs.frame import GbcsMessage

    alerts = [GbcsMessage.decode(m).apdu for m in up]
    joined = [a for a in alerts if a.cra_flag is CraFlag.ALERT and alert_code(a) == "8F69"]
    assert joined and joined[0].recipient == ACB          # configured as new: the ACB, not the supplier


def test_trust_anchor_replacement_needs_a_path_to_the_root(hub, smki):
    (hub, esme, up, clock) = hub
    supplier_ds = smki.keystore.credential("90-B3-D5-1F-30-01-00-00", KeyUsage.DIGITAL_SIGNING).certificate
    with pytest.raises(TrustAnchorRejected, match="root"):
        esme.trust.replace(RemotePartyRole.SUPPLIER, KeyUsage.DIGITAL_SIGNING, supplier_ds, [])
    with pytest.raises(TrustAnchorRejected, match="role"):
        esme.trust.replace(RemotePartyRole.NETWORK_OPERATOR, KeyUsage.DIGITAL_SIGNING, supplier_ds,
                           [smki.organisation_ca_certificate])
    esme.trust.replace(RemotePartyRole.SUPPLIER, KeyUsage.DIGITAL_SIGNING, supplier_ds,
                       [smki.organisation_ca_certificate])
    assert esme.trust.holder_of(RemotePartyRole.SUPPLIER) == EntityId("90-B3-D5-1F-30-01-00-00")


def _supplier_certificate(issuer_key, issuer_name, *, entity_id=True):
    """A Supplier Digital Signing certificate (of Supplier A's EUI unless it names none) issued by `issuer_key`."""
    key = ec.generate_private_key(ec.SECP256R1())
    if entity_id:
        return certificates.organisation_certificate(
            SUPPLIER_A, RemotePartyRole.SUPPLIER, KeyUsage.DIGITAL_SIGNING, "Rogue", key.public_key(), issuer_name,
            issuer_key, 7, dt.datetime(2020, 1, 1, tzinfo=dt.UTC), dt.datetime(2040, 1, 1, tzinfo=dt.UTC))
    name = x509.Name([x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, RemotePartyRole.SUPPLIER.ou)])
    return (x509.CertificateBuilder().subject_name(name).issuer_name(issuer_name).public_key(key.public_key())
            .serial_number(7).not_valid_before(dt.datetime(2020, 1, 1)).not_valid_after(dt.datetime(2040, 1, 1))
            .sign(issuer_key, hashes.SHA256()))


def test_a_trust_anchor_must_be_issued_by_a_ca_the_root_issued_and_name_its_party(hub, smki):
    """A rogue CA under the organisation CA's name, the real CA with a certificate it never signed, and a
    certificate of the real CA that names no entity: each refused, the cell left as it was."""
    (hub, esme, up, clock) = hub
    org_ca = smki.organisation_ca_certificate
    rogue_key = ec.generate_private_key(ec.SECP256R1())
    rogue_ca = certificates.ca_certificate(org_ca.subject, rogue_key.public_key(), org_ca.subject, rogue_key, 9,
                                           dt.datetime(2020, 1, 1, tzinfo=dt.UTC),
                                           dt.datetime(2040, 1, 1, tzinfo=dt.UTC))
    forged = _supplier_certificate(rogue_key, org_ca.subject)
    nameless = _supplier_certificate(derive_private_key(smki.seed, "org-ca"), org_ca.subject, entity_id=False)
    for certificate, path, reason in ((forged, [rogue_ca], "root"), (forged, [org_ca], "root"),
                                      (nameless, [org_ca], "no entity ID")):
        with pytest.raises(TrustAnchorRejected, match=reason):
            esme.trust.replace(RemotePartyRole.SUPPLIER, KeyUsage.DIGITAL_SIGNING, certificate, path)
        assert esme.trust.holder_of(RemotePartyRole.SUPPLIER) == ACB


def test_a_device_has_only_the_trust_anchor_cells_its_type_has(hub, smki):
    (hub, esme, up, clock) = hub
    supplier_ds = smki.keystore.credential(SUPPLIER_A, KeyUsage.DIGITAL_SIGNING).certificate
    with pytest.raises(TrustAnchorRejected, match="no SUPPLIER") as refused:
        hub.chf.trust.replace(RemotePartyRole.SUPPLIER, KeyUsage.DIGITAL_SIGNING, supplier_ds,
                              [smki.organisation_ca_certificate])
    assert refused.value.status == "trustAnchorNotFound"
    assert hub.chf.trust.cell(RemotePartyRole.SUPPLIER, KeyUsage.DIGITAL_SIGNING) is None


def test_each_command_the_dsp_transforms_is_carried_out_by_the_device_it_is_for():
    """Every (SR, use case, device) the Transform writes has the device's acceptor, answerer and handler: a
    new Transform without its device side fails here."""
    from harness import catalogue
    from harness.emulators.displays import PrepaymentInterfaceDevice
    from harness.emulators.hcalcs import AuxiliaryLoadControlSwitch
    from harness.usecases import registry

    emulated = {DeviceType.ESME: ElectricityMeter, DeviceType.GSME: GasMeter, DeviceType.GPF: GasProxyFunction,
                DeviceType.CHF: CommunicationsHubFunction, DeviceType.PPMID: PrepaymentInterfaceDevice,
                DeviceType.HCALCS: AuxiliaryLoadControlSwitch}
    missing = {(sr.srv, c.use_case, kind.value) for sr in catalogue.service_requests()
               for c in registry.commands_for(sr.srv) for kind in c.devices
               if kind in emulated and (c.use_case not in emulated[kind]._handlers
                                        or registry.acceptor(c.use_case) is None
                                        or registry.answerer(c.use_case) is None)}
    assert missing == set()


def test_configured_as_new(hub):
    (hub, esme, up, clock) = hub
    for role in (RemotePartyRole.SUPPLIER, RemotePartyRole.NETWORK_OPERATOR):
        assert esme.trust.holder_of(role) == ACB
    assert esme.trust.cell(RemotePartyRole.SUPPLIER, KeyUsage.PREPAYMENT_KEY_AGREEMENT) is not None
    assert hub.gpf.trust.cell(RemotePartyRole.SUPPLIER, KeyUsage.PREPAYMENT_KEY_AGREEMENT) is None
    assert hub.chf.trust.cell(RemotePartyRole.SUPPLIER, KeyUsage.DIGITAL_SIGNING) is None


def test_a_command_for_another_device_is_ignored(hub):
    (hub, esme, up, clock) = hub
    esme.powered = True
    other = GeneralSigning(cra_flag=CraFlag.COMMAND, originator_counter=1, originator=ACB,
                           recipient=EntityId("00-DB-12-34-56-78-90-FF"), message_code=0x0001, payload=b"")
    clock.advance(3723.5)
    esme.receive(other.encode())
    assert "ignored" in esme.history[-1]
    assert esme.history[-1].startswith(f"{clock.now():%H:%M:%S} ")      # a note says when, to the second


def test_a_malformed_command_raises_0x8f1e(hub):
    (hub, esme, up, clock) = hub
    _add(hub.chf, esme.eui)
    esme.power_on()
    clock.advance(1)
    before = len(up)
    esme.receive(b"\xdd\x00\x00\x00\x00\x00\x00\x05")
    clock.advance(1)
    assert len(up) == before + 1 and "malformed" in esme.history[-2]


def alert_code(apdu) -> str:
    """An alert's code as the DCC reads it."""
    from harness.gbcs import payload as gbcs_payload

    return f"{gbcs_payload.alert_code(apdu):04X}"


def _alert_codes(up) -> list[str]:
    from harness.gbcs.frame import GbcsMessage

    apdus = [GbcsMessage.decode(m).apdu for m in up]
    return [alert_code(a) for a in apdus if a.cra_flag is CraFlag.ALERT]


def _joined_on_dual_band(hub, esme, clock, bands=("2.4 GHz", "sub-GHz")) -> None:
    """The hub made dual band and the ESME joined to it with these bands."""
    hub.chf.han_variant = "Dual Band"
    esme.bands = frozenset(bands)
    _add(hub.chf, esme.eui)
    esme.power_on()
    clock.advance(1)


def test_sub_ghz_duty_cycle_limited_suspends_the_most_talkative_device_and_discards_its_messages(hub):
    from harness.emulators.han import SUB_GHZ
    from harness.han.duty_cycle import Thresholds

    (hub, esme, up, clock) = hub
    _joined_on_dual_band(hub, esme, clock)
    assert hub.bands[esme.eui] == SUB_GHZ
    hub.han.thresholds = Thresholds(0.5, 1.5, 2.5)         # as SR 6.28 may set them (0.5 % is the lowest allowed)
    # 0.5 % of an hour is 18 s of the CH's own airtime: 200 messages of 800 bytes to the ESME on sub-GHz
    for _ in range(200):
        hub.han.transmit(bytes(800), lambda _: None, band=SUB_GHZ, destination=esme.eui)
    clock.advance(60)
    assert hub.duty_state == "Limited" and esme.eui in hub.suspended
    assert _alert_codes(up).count("8F20") == 1
    # a Remote Party command for the suspended ESME is discarded, and the DCC told
    command = GeneralSigning(cra_flag=CraFlag.COMMAND, originator_counter=1, originator=ACB, recipient=esme.eui,
                             message_code=0x0001, payload=b"", date_time=clock.now()).encode()
    frames = len(hub.han.frames)
    hub.from_wan(command)
    clock.advance(1)
    assert "8F2C" in _alert_codes(up) and len(hub.han.frames) == frames      # nothing went on air to it
    # an hour on, the window has emptied: the next transmission brings the CH back to Normal, and says so
    clock.advance(3600)
    assert esme.eui not in hub.suspended
    hub.han.transmit(bytes(10), lambda _: None, band=SUB_GHZ, destination=esme.eui)
    clock.advance(1)
    assert hub.duty_state == "Normal" and _alert_codes(up)[-1] == "8F21"


def test_sub_ghz_duty_cycle_critical_suspends_every_sub_ghz_device(hub):
    from harness.emulators.han import SUB_GHZ
    from harness.han.duty_cycle import Thresholds

    (hub, esme, up, clock) = hub
    _joined_on_dual_band(hub, esme, clock, (SUB_GHZ,))
    hub.han.thresholds = Thresholds(0.5, 0.6, 5.0)
    for _ in range(300):
        hub.han.transmit(bytes(800), lambda _: None, band=SUB_GHZ, destination=esme.eui)
    clock.advance(120)
    assert hub.duty_state == "Critical" and esme.eui in hub.suspended
    assert [c for c in _alert_codes(up) if c.startswith("8F2")] == ["8F20", "8F22"]


def _second_sub_ghz_meter(hub, clock, smki):
    """Another ESME joined to the hub on sub-GHz, after the first."""
    from harness.emulators.han import SUB_GHZ

    eui = EntityId("00-DB-12-34-56-78-90-B0")
    smki.ensure_device(eui, DeviceType.ESME)
    meter = ElectricityMeter(eui, install_code=bytes(range(16)), **_device_args(smki, clock, eui, DeviceType.ESME))
    meter.hub, meter.bands = hub, frozenset({SUB_GHZ})
    _add(hub.chf, eui)
    meter.power_on()
    clock.advance(1)
    return meter


def test_limited_duty_cycle_suspends_the_device_with_the_most_sub_ghz_airtime(hub, smki):
    from harness.emulators.han import SUB_GHZ
    from harness.han.duty_cycle import Thresholds

    (hub, esme, up, clock) = hub
    _joined_on_dual_band(hub, esme, clock, (SUB_GHZ,))
    talker = _second_sub_ghz_meter(hub, clock, smki)
    for _ in range(50):                                        # the second meter talks far more than the first
        hub.han.transmit(bytes(800), lambda _: None, band=SUB_GHZ, source=talker.eui)
    clock.advance(60)
    hub.han.thresholds = Thresholds(0.5, 1.5, 2.5)
    for _ in range(200):
        hub.han.transmit(bytes(800), lambda _: None, band=SUB_GHZ, destination=esme.eui)
    clock.advance(60)
    assert hub.han.duty_cycle(talker.eui) > hub.han.duty_cycle(esme.eui)
    assert hub.duty_state == "Limited" and list(hub.suspended) == [talker.eui]


def test_critical_duty_cycle_suspends_every_sub_ghz_device_and_regulated_is_told(hub, smki):
    from harness.emulators.han import SUB_GHZ
    from harness.han.duty_cycle import Thresholds

    (hub, esme, up, clock) = hub
    _joined_on_dual_band(hub, esme, clock, (SUB_GHZ,))
    other = _second_sub_ghz_meter(hub, clock, smki)
    hub.han.thresholds = Thresholds(0.5, 0.5, 1.0)             # straight from Normal to Critical
    for _ in range(200):
        hub.han.transmit(bytes(800), lambda _: None, band=SUB_GHZ, destination=esme.eui)
    clock.advance(60)
    assert hub.duty_state == "Critical" and set(hub.suspended) == {esme.eui, other.eui}
    for _ in range(200):
        hub.han.transmit(bytes(800), lambda _: None, band=SUB_GHZ, destination=other.eui)
    clock.advance(60)
    assert hub.duty_state == "Regulated"
    assert [c for c in _alert_codes(up) if c.startswith("8F2")] == ["8F22", "8F24"]


def test_a_channel_change_goes_to_a_channel_6_28_allows(hub):
    from harness.emulators.han import SUB_GHZ

    (hub, esme, up, clock) = hub
    hub.chf.han_variant = "Dual Band"
    hub.chf.sub_ghz_configuration = {"LowerBandSubGHzChannels0To26/Channel20": "",        # as 6.28 leaves it
                                     "LowerBandSubGHzChannels0To26/Channel24": ""}
    hub.han.interference.add(hub.han.channels[SUB_GHZ])
    hub.frequency_agility("RemotePartyCommand")
    assert hub.han.channels[SUB_GHZ] == 20


def test_interference_on_the_sub_ghz_channel_moves_the_han_and_tells_the_dcc(hub):
    from harness.emulators.han import SUB_GHZ
    from harness.han import mac
    from harness.han.analysis import analyse

    (hub, esme, up, clock) = hub
    _joined_on_dual_band(hub, esme, clock, (SUB_GHZ,))
    before = hub.han.channels[SUB_GHZ]
    hub.han.interference.add(before)
    hub.han.transmit(bytes(40), lambda _: None, band=SUB_GHZ, source=esme.eui)      # the ESME's tries fail
    clock.advance(1)
    after = hub.han.channels[SUB_GHZ]
    assert after != before and after not in hub.han.interference and hub.chf.sub_ghz_channel == after
    assert [c for c in _alert_codes(up) if c.startswith("8F2")] == ["8F27", "8F26"]
    # the capture shows the unacknowledged tries, the device's notify and the CH's announced move
    changes = analyse(hub.han.frames)["channel_changes"]
    assert changes[0] == {"band": SUB_GHZ, "time": changes[0]["time"], "from": None, "to": after,
                          "how": "announced", "trigger": "Mgmt_NWK_Unsolicited_Enhanced_Update_notify", "page": 28}
    unacked = [f for f in hub.han.frames if f.channel == before and mac.decode(f.mpdu).frame_type == mac.DATA]
    assert len(unacked) >= 3
    # a quiet channel: a requested scan (6.29) changes nothing
    hub.frequency_agility("RemotePartyCommand")
    assert hub.han.channels[SUB_GHZ] == after and _alert_codes(up)[-2:] == ["8F28", "8F27"]     # assessed, scanned


def test_the_weekly_allowance_of_channel_changes_holds(hub):
    from harness.emulators.han import SUB_GHZ

    (hub, esme, up, clock) = hub
    hub.chf.han_variant = "Dual Band"
    hub.chf.sub_ghz_configuration = {"SetCHFSubGHzConfiguration/MaximumSubGHzChannelChangesPerWeek": "1"}
    start = hub.han.channels[SUB_GHZ]
    hub.han.interference.add(start)
    hub.frequency_agility("RemotePartyCommand")
    moved = hub.han.channels[SUB_GHZ]
    hub.han.interference.add(moved)
    hub.frequency_agility("RemotePartyCommand")                 # a second change in the week: not allowed
    assert moved != start and hub.han.channels[SUB_GHZ] == moved and _alert_codes(up)[-1] == "8F2B"
    clock.advance(7 * 86400)
    hub.frequency_agility("RemotePartyCommand")                 # a week on, it may move again
    assert hub.han.channels[SUB_GHZ] not in (start, moved)


def test_a_sub_ghz_join_beyond_capacity_is_refused_with_0x8f2d(hub):
    from harness.emulators.han import SUB_GHZ

    (hub, esme, up, clock) = hub
    hub.chf.han_variant = "Dual Band"
    hub.sub_ghz_capacity = 0
    esme.bands = frozenset({SUB_GHZ})
    _add(hub.chf, esme.eui)
    esme.power_on()
    clock.advance(1)
    assert esme.eui not in hub.members and "8F2D" in _alert_codes(up)
    esme.bands = frozenset({"2.4 GHz", SUB_GHZ})         # a dual band device joins on 2.4 GHz instead
    clock.advance(60)
    assert hub.bands.get(esme.eui) == "2.4 GHz"



class _SleepyGsme:
    """What the hub needs of a sleepy device on its HAN."""

    bands, zigbee_version, sleepy, device_type = ("2.4 GHz",), "1.2a", True, DeviceType.GSME

    def __init__(self, eui):
        self.eui, self.uplink, self.joined_to, self.received = eui, None, None, []

    def receive(self, data):
        self.received.append(data)


def _gsme_capture(hub, clock, steps, *, batched=True):
    """A GSME polling for 15 minutes while the DCC sends it a command that reaches the CH at a poll's own instant
    (300 s) and the CH talks to another device at 301 s: the capture's frames, what the GSME received, and how
    many events ran. No poll may be on air before the clock has reached it."""
    gsme = _SleepyGsme(EntityId("00-DB-12-34-56-78-90-A1"))
    _add(hub.chf, gsme.eui)
    assert hub.join(gsme, link_key(bytes(range(16))))
    if not batched:                 # nothing is ever quiet: every poll is an event of its own
        clock.quiet_until = lambda: 0.0
    command = GeneralSigning(CraFlag.COMMAND, 1, ACB, gsme.eui, 0x0001, bytes(30)).encode()
    clock.call_later(300, lambda: hub.from_wan(command))
    clock.call_later(301, lambda: hub.han.transmit(bytes(20), lambda _: None, destination=hub.chf.eui))
    for step in steps:
        clock.advance(step)
        last = hub.han.frames[-1].time if len(hub.han.frames) else 0.0
        assert last < clock.now().timestamp() + 0.1           # a frame is timed from when it was sent
    return [(f.time, f.mpdu) for f in hub.han.frames], gsme.received, clock.events_run


@pytest.mark.parametrize("steps", [[900], [1] * 900, [29.5] * 31])
def test_a_gsme_s_idle_polls_done_at_once_put_the_same_frames_on_air_as_one_by_one(smki, steps):
    """Polls that find nothing before anything else is due are done at once (issue 19: a day of them cost a tenth of
    a scenario), each with its own time: the capture is the one of a poll per event."""
    hub, _, _, clock = _fresh(smki)
    one_by_one = _gsme_capture(hub, clock, [900], batched=False)
    hub, _, _, clock = _fresh(smki)
    frames, received, events = _gsme_capture(hub, clock, steps)
    assert (frames, received) == one_by_one[:2]
    assert len(frames) > 2 * 29 and len(received) == 1
    if steps == [900]:
        assert events < one_by_one[2] / 4       # the quiet stretches' polls were not events one by one


def test_a_sleepy_gsme_gets_a_command_only_after_its_next_poll(smki):
    """The CH holds what comes for a sleepy GSME: its next MAC Data Request is answered by an ACK with frame pending
    set, and the command follows at once; before that poll, nothing for it is on air."""
    from harness.han import mac

    hub, _, _, clock = _fresh(smki)
    gsme = _SleepyGsme(EntityId("00-DB-12-34-56-78-90-A1"))
    _add(hub.chf, gsme.eui)
    assert hub.join(gsme, link_key(bytes(range(16))))
    clock.advance(40)                                       # past the first poll (30 s after the join)
    polled = len(hub.han.frames)
    hub.from_wan(GeneralSigning(CraFlag.COMMAND, 1, ACB, gsme.eui, 0x0001, bytes(30)).encode())
    clock.advance(15)
    assert gsme.received == [] and len(hub.han.frames) == polled
    clock.advance(10)                                       # the poll at 60 s
    assert len(gsme.received) == 1
    headers = [mac.decode(f.mpdu) for f in hub.han.frames[polled:]]
    short = hub.han.short_address(gsme.eui)
    assert [h.frame_type for h in headers[:3]] == [mac.COMMAND, mac.ACK, mac.DATA]
    assert headers[0].src == short and headers[1].frame_pending and headers[2].dst == short


def test_a_device_powered_before_it_is_whitelisted_keeps_trying_and_joins(hub):
    (hub, esme, up, clock) = hub
    esme.power_on()
    clock.advance(600)
    assert esme.joined_to is None
    _add(hub.chf, esme.eui)
    clock.advance(61)                                       # its next try, a minute on
    assert esme.joined_to == hub.chf.eui
