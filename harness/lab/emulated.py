"""The emulated lab: a virtual clock, the emulated DCC on loopback, a Communications Hub per premises
with its devices, and a service user per DCC User. One instance per scenario: every scenario starts
from the same state (CHs installed and commissioned, devices unpowered, configured as new, not yet
pre-notified) at the same virtual instant, so runs repeat exactly.

Besides what service users do over DUIS, a scenario needs what happens on site and in the industry
around the DCC; the lab does those here: the installer powers devices, fits a CH where there is no SM
WAN, replaces a CH, delivers local commands with the hand-held terminal; the consumer types a UTRN;
registration data moves a supply to another supplier; a manufacturer releases a firmware image.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, replace
from operator import itemgetter

from cryptography.hazmat.primitives.asymmetric import ec

from harness.adapters import DccEndpoint, ResponseReceiver, ServiceUser
from harness.adapters.ch_firmware_client import ChFirmwarePortal, Notice
from harness.adapters.serial_console import DeviceConsole, SerialConsole, TerminalConsole
from harness.catalogue import DeviceStatus, DeviceType, RemotePartyRole
from harness.clock import LAB_EPOCH, VirtualClock
from harness.dcc import DccIdentity, DccUser, EmulatedDcc, InventoryDevice, Premises
from harness.dcc.ch_firmware import ChFirmwareRelease
from harness.duis.request_id import RequestCounter
from harness.duis.schema import DuisSchema
from harness.emulators import (
    DEVICE_CLASSES,
    CommunicationsHub,
    CommunicationsHubFunction,
    DeviceKeys,
    ElectricityMeter,
    EmulatedDevice,
    GasProxyFunction,
    HanDevice,
    HandHeldTerminal,
    HanNetwork,
    InHomeDisplay,
    Meter,
    PrepaymentInterfaceDevice,
    TrustAnchors,
)
from harness.emulators.console import ConsoleServer
from harness.emulators.firmware import FirmwareHost
from harness.emulators.han import SUB_GHZ, FrameLog
from harness.errors import DitError
from harness.eui import EntityId
from harness.gbcs.firmware_image import build_image
from harness.han.capture import CapturedFrame, Record
from harness.httpio import TlsFiles
from harness.lab import baselines
from harness.lab.baselines import Baseline
from harness.lab.casts import Cast
from harness.lab.config import PARTY_ROLES, DeviceConfig, HubConfig, LabConfig, PremisesConfig
from harness.lab.contract import SmkiQuestions
from harness.lab.operator import OperatorAnswer
from harness.pki import ORGANISATIONS, SMKI, Credential, KeyUsage, derive_private_key
from harness.pki.keystore import credential_of
from harness.pki.repository import SmkiRepository

R = RemotePartyRole
PARTY_EUIS = {R.RECOVERY: "90-B3-D5-1F-30-00-00-01", R.WAN_PROVIDER: "90-B3-D5-1F-30-00-00-07"}
# What belongs to a Communications Hub (its `hub`): moved to the spare one when the CH is replaced.
_ON_A_HUB = (HanDevice, HandHeldTerminal, CommunicationsHubFunction, GasProxyFunction)


@dataclass(frozen=True)
class Served:
    """How an emulated lab served as a bench (`dit lab serve`) is reached: its DCC on a fixed port over mutual
    TLS, posting every User's responses to the client's one response URL."""

    dcc_port: int
    response_url: str
    tls: TlsFiles


class EmulatedLab(SmkiQuestions):
    """One test set of the lab config, at one release baseline (Table 7): a `Lab` (harness.lab.contract)."""

    def __init__(self, config: LabConfig, *, smki: SMKI, schema: DuisSchema | None, test_set: str | None = None,
                 baseline: Baseline | None = None, serial_consoles: bool = False, clock: VirtualClock | None = None,
                 served: Served | None = None, cast: Cast | None = None):
        # a copy: registration changes stay in this scenario; in a cast, its devices under the roles they play
        self.config = config.for_test_set(test_set, cast)
        self.site = self.config.premises[0]
        self.baseline = baseline or baselines.baseline(baselines.DEFAULT_BASELINE)
        self.smki = smki
        self.clock = clock or VirtualClock(LAB_EPOCH)
        for eui, device_type in _devices_of(self.config):
            smki.ensure_device(eui, device_type)     # before the repository copies the SMKI's keystore
        self._repository = SmkiRepository(smki)
        identity = DccIdentity(config.access_control_broker, config.transitional_cos)
        self._parties = {R.ACCESS_CONTROL_BROKER: identity.acb, R.TRANSITIONAL_COS: identity.transcos,
                         **{role: EntityId(eui) for role, eui in PARTY_EUIS.items()}}
        # Served, the DCC posts to the one response URL of the client's bench; else to a receiver per User here.
        self.receivers = {} if served else {
            u.eui: ResponseReceiver(clock=self.clock, keystore=self.repository.keystore, schema=schema)
            for u in config.users}
        self._counter = RequestCounter(self.clock.millis)
        self.dcc = EmulatedDcc(clock=self.clock, identity=identity, repository=self.repository, schema=schema,
                               counter=self._counter, release=self.baseline.dsp_csp,
                               users=[DccUser(u.name, u.eui, u.roles,
                                              served.response_url if served else self.receivers[u.eui].url,
                                              u.anomaly_detection_thresholds)
                                      for u in config.users],
                               tls=served.tls if served else None, port=served.dcc_port if served else 0)
        for eui, receiver in self.receivers.items():      # each User's response service checks its webhooks
            receiver.ch_firmware.tokens.append(self.dcc.portal_tokens[eui])
        self._portals: dict[str, ChFirmwarePortal] = {}
        self._endpoint: DccEndpoint | None = None
        self.users: dict[str, ServiceUser] = {}
        self.devices: dict[str, EmulatedDevice | HandHeldTerminal] = {}
        self.hubs: dict[str, CommunicationsHub] = {}
        self.spare_hubs: dict[str, CommunicationsHub] = {}
        self.han_networks: list[HanNetwork] = []       # every hub's, replaced ones too: what the sniffers saw
        self._schema = schema
        for premises in self.config.premises:
            self._build_premises(premises)
        # With serial consoles every device and terminal is reached as on a real bench: its console on a
        # pseudo-terminal, driven through pyserial and the consoles' line protocol.
        self.console_servers: dict[str, ConsoleServer] = {}
        self.consoles: dict[str, SerialConsole] = {}
        if serial_consoles:
            for name, device in self.console_devices():
                server = self.console_servers[name] = ConsoleServer(device, self.clock.lock)
                kind = TerminalConsole if isinstance(device, HandHeldTerminal) else DeviceConsole
                self.consoles[name] = kind(server.path, name)

    @property
    def repository(self) -> SmkiRepository:
        """The lab's SMKI repository, over the test SMKI: the DCC and the Users verify with what it holds."""
        return self._repository

    def console_devices(self):
        """(name, device) of what a bench reaches by console: the test set's devices and hand-held terminals."""
        for cfg in self.site.devices:
            yield cfg.name, self.devices[cfg.name]

    # -- assembly ----------------------------------------------------------------------------------------

    def _keys(self, eui: EntityId, device_type: DeviceType) -> DeviceKeys | None:
        if not device_type.holds_certificates:
            return None
        ks = self.smki.keystore
        return DeviceKeys(ks.private_key(eui, KeyUsage.DIGITAL_SIGNING), ks.private_key(eui, KeyUsage.KEY_AGREEMENT))

    def _factory_certificates(self, device: EmulatedDevice) -> None:
        """A device leaves the factory holding its own DS and KA certificates (6.24.2 reads them)."""
        if device.device_type.holds_certificates:
            device.certificates = {usage: self.smki.keystore.certificate(device.eui, usage)
                                   for usage in (KeyUsage.DIGITAL_SIGNING, KeyUsage.KEY_AGREEMENT)}

    def _device_args(self, eui: EntityId, device_type: DeviceType, supplier: str | None = None) -> dict:
        trust = None
        if device_type.holds_certificates:
            trust = TrustAnchors.configured_as_new(
                device_type, self._parties, self.repository.keystore, self.smki.root_certificate,
                supplier=self.config.user(supplier).eui if supplier else None)
        return {"clock": self.clock, "keys": self._keys(eui, device_type), "trust": trust, "key_seed": self.smki.seed}

    def manufacturer_key(self, manufacturer: str) -> ec.EllipticCurvePrivateKey:
        """The key a device manufacturer signs its firmware images with (devices hold the public half)."""
        return _manufacturer_key(self.smki.seed, manufacturer)

    def _hub(self, cfg: HubConfig) -> CommunicationsHub:
        chf = CommunicationsHubFunction(cfg.chf, **self._device_args(cfg.chf, DeviceType.CHF))
        chf.chts_version, chf.han_variant = cfg.standard, cfg.han_variant
        if cfg.firmware_version:
            chf.firmware_version = cfg.firmware_version
        if cfg.profile is not None:                     # what 6.2.4 reads: the CH's make and model
            chf.model_type, chf.manufacturer = cfg.profile.model, cfg.profile.manufacturer
        gpf = GasProxyFunction(cfg.gpf, **self._device_args(cfg.gpf, DeviceType.GPF))
        self._factory_certificates(chf)
        self._factory_certificates(gpf)
        network = HanNetwork(self.clock, hub=cfg.chf)
        self.han_networks.append(network)
        return CommunicationsHub(chf, gpf, network)

    def han_capture(self) -> list[CapturedFrame]:
        """What sniffers on every HAN channel of the lab captured so far, in time order."""
        return sorted((f for network in self.han_networks for f in network.frames), key=lambda f: f.time)

    def han_records(self) -> tuple[list[Record], float, int]:
        """han_capture() as capture.Record tuples, and the one RSSI and LQI the model's sniffers hear every frame
        with (FCS good): what the evidence's han.pcap is written from without a CapturedFrame a frame."""
        records = [r for network in self.han_networks for r in network.frames.records()]
        records.sort(key=itemgetter(0))          # stable, as han_capture's sort: frames of one instant keep their order
        return records, FrameLog.RSSI, FrameLog.LQI

    def _hub_inventory(self, cfg: HubConfig) -> tuple[InventoryDevice, InventoryDevice]:
        """The SMI's records of the CH's two functions: the CH profile's make and model, as the CHF answers 6.2.4."""
        records = (InventoryDevice(cfg.chf, DeviceType.CHF, smets_chts_version=cfg.chts_version,
                                   han_variant=cfg.han_variant, firmware_version=cfg.firmware_version),
                   InventoryDevice(cfg.gpf, DeviceType.GPF, smets_chts_version=cfg.chts_version))
        if cfg.profile is not None:
            for record in records:
                record.manufacturer, record.model = cfg.profile.manufacturer, cfg.profile.model
        return records

    def _build_premises(self, site: PremisesConfig) -> None:
        hub = self._hub(site.hub)
        self.hubs[site.name] = hub
        self._name_hub(site, hub)
        # The CH is installed and connected to the SM WAN: Commissioned in the SMI (DIT prerequisite).
        self.dcc.wan.connect(hub.chf.eui, hub)
        party = {key: self.config.user(name).eui for key, name in site.parties.items()}
        registration = Premises(site.name, mpan=site.mpan, mprn=site.mprn, import_supplier=party.get("import_supplier"),
                                gas_supplier=party.get("gas_supplier"),
                                electricity_network_operator=party.get("electricity_network_operator"),
                                gas_network_operator=party.get("gas_network_operator"))
        self.dcc.inventory.install_communications_hub(*self._hub_inventory(site.hub), registration, self.clock.now())
        if site.spare_hub is not None:
            self.spare_hubs[site.name] = self._hub(site.spare_hub)
        for device_cfg in site.devices:
            self._build_device(device_cfg, hub)

    def _name_hub(self, site: PremisesConfig, hub: CommunicationsHub) -> None:
        """'the CHF' / 'the GPF' are the test set's current CH; the replaced one stays as 'the old CHF'."""
        self.devices["CHF"], self.devices["GPF"] = hub.chf, hub.gpf
        self.devices[f"{site.name} CHF"], self.devices[f"{site.name} GPF"] = hub.chf, hub.gpf

    def _build_device(self, cfg: DeviceConfig, hub: CommunicationsHub) -> None:
        if cfg.type is DeviceType.HHT:
            terminal = HandHeldTerminal(cfg.eui, install_code=cfg.install_code, clock=self.clock)
            terminal.hub = hub
            self.devices[cfg.name] = terminal
            return
        cls = DEVICE_CLASSES.get(cfg.type)
        if cls is None or cfg.type in (DeviceType.CHF, DeviceType.GPF):
            raise DitError(f"device {cfg.name}: the emulated lab has no {cfg.type.value} model",
                           where=self.config.source)
        device = cls(cfg.eui, install_code=cfg.install_code, **self._device_args(cfg.eui, cfg.type, cfg.supplier))
        if not isinstance(device, HanDevice):       # CHF and GPF, the hub's own, were refused above
            raise DitError(f"device {cfg.name}: a {cfg.type.value} is not a HAN device", where=self.config.source)
        self._factory_certificates(device)
        if isinstance(device, FirmwareHost):
            device.init_firmware(cfg.firmware_version or "00010001",
                                 self.manufacturer_key(cfg.manufacturer).public_key())
            if cfg.profile is not None:
                device.manufacturer_code, device.image_type = cfg.profile.manufacturer_code, cfg.profile.image_type
        if cfg.profile is not None:
            device.bands, device.zigbee_version = cfg.profile.bands, cfg.profile.zigbee_version
        if isinstance(device, Meter):                   # what 6.2.4 reads: the asset's make and model
            device.model_type, device.manufacturer = cfg.model, cfg.manufacturer
        device.hub = hub
        self.devices[cfg.name] = device

    # -- running -------------------------------------------------------------------------------------------

    def start(self) -> EmulatedLab:
        for receiver in self.receivers.values():
            receiver.start()
        self.dcc.start()
        endpoint = self._endpoint = DccEndpoint(self.dcc.url)
        for u in self.config.users:
            self.users[u.name] = ServiceUser(u.name, u.eui, endpoint=endpoint, receiver=self.receivers[u.eui],
                                             keystore=self.repository.keystore, clock=self.clock,
                                             counter=self._counter, dcc=self.config.access_control_broker,
                                             schema=self._schema, release=self.baseline.service_user,
                                             device_types=self.config.device_types())
        return self

    def stop(self) -> None:
        # the Users' kept-alive connections first: a server's thread serving one holds the whole lab until it ends
        if self._endpoint is not None:
            self._endpoint.client.close()
        for portal in self._portals.values():
            portal.close()
        self.dcc.stop()
        for receiver in self.receivers.values():
            receiver.stop()
        for console in self.consoles.values():
            console.close()
        for server in self.console_servers.values():
            server.close()
        for device in self.devices.values():
            if isinstance(device, PrepaymentInterfaceDevice):
                device.stop_internet()

    def __enter__(self) -> EmulatedLab:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- what steps ask for -------------------------------------------------------------------------------

    def user(self, words: str) -> ServiceUser:
        """'the Import Supplier', 'Supplier B', 'the Gas Network Operator' ..."""
        return self.users[self.config.party(words).name]

    def device(self, name: str) -> EmulatedDevice | HandHeldTerminal:
        key = name.removeprefix("the ").strip()
        try:
            return self.devices[key]
        except KeyError:
            raise DitError(f"no device {name!r} in the lab", where=self.config.source,
                           fix=f"devices are {', '.join(self.devices)}") from None

    def _installed(self, eui: EntityId) -> InventoryDevice:
        record = self.dcc.inventory.get(eui)
        assert record is not None, "the lab installs every hub in the SMI inventory as it builds it"
        return record

    def device_config(self, name: str) -> DeviceConfig:
        return self.config.device(name)

    def now(self) -> dt.datetime:
        return self.clock.now()

    def evidence_credentials(self) -> list[Credential]:
        """What checks this lab's evidence offline: every certificate its parties used, those a rekey or a
        renewal replaced too, and the organisations' KA private keys -- test keys of the seeded SMKI, and
        a MAC is only checked with one side's KA private key. Devices' and signing private keys stay here."""
        organisations = {o.eui for o in ORGANISATIONS}
        held = self.repository.keystore.certificates() + [credential_of(c) for c in self.repository.issued]
        return [replace(c, private_key=c.private_key if c.usage is KeyUsage.KEY_AGREEMENT and c.eui in organisations
                        else None) for c in held]

    def let_time_pass(self, seconds: float) -> None:
        self.clock.advance(seconds)

    # -- on site ----------------------------------------------------------------------------------------------

    def interfere(self) -> None:
        """A noise source on the CH's current sub-GHz channel (a lab signal generator): unicasts there fail."""
        with self.clock.lock:
            network = self.hubs[self.site.name].han
            network.interference.add(network.channels[SUB_GHZ])

    def power_on(self, name: str) -> None:
        """The installer switches the device on: it starts trying to join its CH's HAN."""
        console = self.consoles.get(name.removeprefix("the ").strip())
        if isinstance(console, DeviceConsole):
            console.power_on()
            return
        device = self.device(name)
        if not isinstance(device, HanDevice):
            raise DitError(f"the {name} is not a device an installer switches on", where=self.config.source)
        with self.clock.lock:
            device.power_on()

    def lose_sm_wan(self) -> None:
        """The CH's SM WAN connection goes (a fault, an antenna off): the DCC can no longer reach it."""
        with self.clock.lock:
            self.dcc.wan.disconnect(self.hubs[self.site.name].chf.eui)

    def fail_han_radio(self) -> None:
        """A CH fault: its HAN radio stops, so the meters behind it no longer get their commands."""
        with self.clock.lock:
            self.hubs[self.site.name].han_radio_failed = True

    def install_without_wan(self) -> None:
        """The CH is fitted where the SM WAN does not reach: it never connected, so the SMI has it
        installed but not commissioned, and it has just been powered on (Inter-PAN listens an hour)."""
        hub = self.hubs[self.site.name]
        with self.clock.lock:
            self.dcc.wan.disconnect(hub.chf.eui)
            for eui in (hub.chf.eui, hub.gpf.eui):
                record = self._installed(eui)
                record.status, record.date_commissioned = DeviceStatus.INSTALLED_NOT_COMMISSIONED, None
            hub.power_cycle()

    def wan_outage(self, lasts_s: float | None = None) -> None:
        """The CH's SM WAN goes down now (intermittent WAN), for lasts_s or until `wan_restored`."""
        with self.clock.lock:
            self.dcc.wan.outage(self.hubs[self.site.name].chf.eui, lasts_s=lasts_s)

    def wan_restored(self) -> None:
        with self.clock.lock:
            self.dcc.wan.restore(self.hubs[self.site.name].chf.eui)

    def ppmid_internet(self, name: str) -> str:
        """The base URL of a PPMID's internet interface (SECMP0038): HTTP on loopback."""
        return self._ppmid(name).serve_internet()

    def consumer_accepts_utrn(self, device: str) -> bool:
        """The consumer accepts the UTRN a PPMID shows (one that came over its internet interface)."""
        target = self._ppmid(device)
        with self.clock.lock:
            return target.accept_utrn()

    def _ppmid(self, name: str) -> PrepaymentInterfaceDevice:
        target = self.device(name)
        if not isinstance(target, PrepaymentInterfaceDevice):
            raise DitError(f"the {name} is not a PPMID", where=self.config.source)
        return target

    def replace_communications_hub(self) -> None:
        """The installer fits the spare CH (it connects to the SM WAN and is Commissioned in the SMI) and
        takes the old one off the meters; the old CH stays reachable over the SM WAN until decommissioned."""
        site = self.site
        old, new = self.hubs[site.name], self.spare_hubs.pop(site.name, None)
        if new is None:
            raise DitError(f"premises {site.name} has no spare Communications Hub", where=self.config.source,
                           fix="add spare_communications_hub: to the premises")
        spare = site.spare_hub
        assert spare is not None, "the lab builds a spare hub only for a premises whose config has one"
        with self.clock.lock:
            self.dcc.wan.connect(new.chf.eui, new)
            premises = self.dcc.inventory.premises_of(old.chf.eui)
            assert premises is not None, "the lab registered the premises when it installed the old hub"
            self.dcc.inventory.install_communications_hub(*self._hub_inventory(spare), premises, self.clock.now())
            for member in old.remove():
                member.move_to(new)
            for device in self.devices.values():       # HAN devices, terminals and the old hub's functions
                if isinstance(device, _ON_A_HUB) and device.hub is old:
                    device.hub = new
            self.hubs[site.name] = new
            self.devices["old CHF"], self.devices["old GPF"] = old.chf, old.gpf
            self._name_hub(site, new)
            site.replaced_hub, site.hub, site.spare_hub = site.hub, spare, None

    def upgrade_communications_hub(self, chts_version: str = "CHTS v1.1") -> None:
        """The CSP upgrades the hub's firmware (DIT.9: CHTS v1.0 to v1.1 on ZigBee 1.4): the hub restarts
        with its device log, its devices rejoin, and the SMI shows the new version."""
        hub = self.hubs[self.site.name]
        with self.clock.lock:
            hub.upgrade(chts_version)
            for eui in (hub.chf.eui, hub.gpf.eui):
                self._installed(eui).smets_chts_version = chts_version.replace("v", "V")

    def deliver_locally(self, command: bytes, terminal: str = "HHT") -> bool:
        """The installer hands a command to the CH with the hand-held terminal (Inter-PAN)."""
        held = self.terminal(terminal)
        if isinstance(held, TerminalConsole):
            return held.deliver(command)
        with self.clock.lock:
            return held.deliver(command)

    def close_tunnel(self, terminal: str = "HHT") -> None:
        """The installer ends the Inter-PAN session from the terminal (CloseTunnel)."""
        held = self.terminal(terminal)
        if isinstance(held, TerminalConsole):
            held.close_tunnel()
            return
        with self.clock.lock:
            held.close_tunnel()

    def terminal(self, name: str = "HHT") -> HandHeldTerminal | TerminalConsole:
        """The hand-held terminal as the installer holds it: what it brought back (response_to, alert)."""
        held = self.consoles.get(name) or self.device(name)
        if not isinstance(held, (HandHeldTerminal, TerminalConsole)):
            raise DitError(f"the {name} is not a hand-held terminal", where=self.config.source)
        return held

    def console_transcripts(self) -> dict[str, list[str]]:
        """Every line each serial console exchanged, by device name: step evidence."""
        return {name: console.transcript for name, console in self.consoles.items() if console.transcript}

    def display(self, device: str) -> list[str]:
        """What a person reads on the device's screen: by its console when the lab serves consoles."""
        console = self.consoles.get(device.removeprefix("the ").strip())
        if isinstance(console, DeviceConsole):
            return console.display()
        target = self.device(device)
        if not isinstance(target, (Meter, InHomeDisplay)):
            raise DitError(f"the {device} has no display a consumer reads", where=self.config.source)
        with self.clock.lock:
            return target.display()

    def operator_answers(self) -> list[OperatorAnswer]:
        """None: the emulated lab does on site what a real bench's operator does."""
        return []

    def consumer_enters_utrn(self, device: str, code: str, fuel: DeviceType | None = None) -> bool:
        """A UTRN typed at the meter's keypad or at a PPMID (for the meter of the given fuel)."""
        target = self.device(device)
        with self.clock.lock:
            if isinstance(target, PrepaymentInterfaceDevice):
                return target.enter_utrn(code, DeviceType.ESME if fuel is None else fuel)
            if isinstance(target, Meter):
                return target.enter_utrn(code)
        raise DitError(f"the {device} has no keypad for UTRNs", where=self.config.source)

    def consumer_presses_button(self, device: str) -> bool:
        """The consumer presses the ESME's button: true when it enabled an armed supply."""
        target = self.device(device)
        if not isinstance(target, ElectricityMeter):
            raise DitError(f"the {device} has no supply button", where=self.config.source)
        with self.clock.lock:
            return target.press_supply_button()

    # -- around the DCC -----------------------------------------------------------------------------------------

    def withdraw_from_cpl(self, device: str) -> None:
        """The DCC takes the firmware version the device runs (as the SMI has it) off the Certified Products List."""
        eui = self.device_config(device).eui
        with self.clock.lock:
            record = self.dcc.inventory.get(eui)
            if record is None or record.firmware_version is None:
                raise DitError(f"the SMI knows no firmware version of the {device}", where=self.config.source)
            self.dcc.dsp.firmware.withdraw(record.manufacturer, record.model, record.firmware_version)

    def set_anomaly_threshold(self, user: str, srv: str, per_day: int) -> None:
        """A User sets one of its Anomaly Detection Thresholds with the DCC (SEC G3; outside DUIS)."""
        dcc_user = self.dcc.users[self.config.user(user).eui]
        with self.clock.lock:
            dcc_user.anomaly_thresholds = {**dcc_user.anomaly_thresholds, srv: per_day}

    def register(self, role: str, user: str, effective: dt.datetime | None = None) -> None:
        """Registration data changes: e.g. the import supply moves to another supplier (Change of Supplier). One
        effective later is announced to the DCC now (a pending change) and takes effect then."""
        site = self.site
        key = PARTY_ROLES.get(role.lower().removeprefix("the ").strip(), role)
        new = self.config.user(user)
        premises = self.dcc.inventory.premises_of(self.hubs[site.name].chf.eui)
        assert premises is not None, "the lab registered the premises when it installed the hub"

        def apply() -> None:
            site.parties[key] = new.name
            setattr(premises, key, new.eui)
            premises.pending_changes[:] = [c for c in premises.pending_changes if c != change]
        change = (key, new.eui, effective or self.clock.now())
        if effective is None or effective <= self.clock.now():
            apply()
            return
        with self.clock.lock:
            premises.pending_changes.append(change)
            self.clock.call_at(effective, apply, f"registration: {key} becomes {new.name}")

    # -- the DCC's CH firmware management (SECMP0024) -------------------------------------------------------

    def announce_ch_firmware(self, release: ChFirmwareRelease, user: str) -> str:
        """The DCC announces the release now (the User sees it on the portal)."""
        with self.clock.lock:
            self.dcc.ch_firmware.announce(release)
        return release.release_id

    def ch_firmware_portal(self, user: str) -> ChFirmwarePortal:
        """The User's client of the DCC's CH firmware API, with the token the DCC issued it."""
        party = self.config.party(user)
        if party.name not in self._portals:
            self._portals[party.name] = ChFirmwarePortal(self.dcc.portal_url, self.dcc.portal_tokens[party.eui])
        return self._portals[party.name]

    def ch_firmware_notices(self, user: str) -> list[Notice]:
        """The CH firmware notifications the User's response service accepted."""
        party = self.config.party(user)
        return [n for n in self.receivers[party.eui].ch_firmware.snapshot() if n.body.get("to") == party.eui.duis]

    def firmware_image(self, device: str, version: int, *, signed_by: str | None = None, size: int = 200_000) -> bytes:
        """An OTA image for a device's model, signed by its manufacturer (or by whoever `signed_by` names)."""
        target, cfg = self.device(device), self.device_config(device)
        if not isinstance(target, FirmwareHost):
            raise DitError(f"{device} runs no upgradable firmware in this lab")
        # (i * 7 + version) & 0xFF for each byte i: a pattern of 256 bytes, repeated
        body = (bytes((i * 7 + version) & 0xFF for i in range(256)) * (size // 256 + 1))[:size]
        return build_image(manufacturer_code=target.manufacturer_code, image_type=target.image_type,
                           file_version=version, body=body,
                           signing_key=self.manufacturer_key(signed_by or cfg.manufacturer))


@functools.lru_cache(maxsize=64)
def _manufacturer_key(seed: bytes, manufacturer: str) -> ec.EllipticCurvePrivateKey:
    """A manufacturer's key is the manufacturer's, not a scenario's: derived once a process (an EC scalar
    multiplication, for each device of every lab and each image it signs), an immutable key object."""
    return derive_private_key(seed, f"manufacturer:{manufacturer}")


def _devices_of(config: LabConfig):
    for site in config.premises:
        for hub in (site.hub, site.spare_hub):
            if hub is not None:
                yield hub.chf, DeviceType.CHF
                yield hub.gpf, DeviceType.GPF
        for device in site.devices:
            yield device.eui, device.type
