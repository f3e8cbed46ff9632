"""The emulated lab: a virtual clock, the emulated DCC on loopback, a Communications Hub per premises
with its devices, and a service user per DCC User. One instance per scenario: every scenario starts
from the same state (CHs installed and commissioned, devices unpowered, configured as new, not yet
pre-notified) at the same virtual instant, so runs repeat exactly.
"""

from __future__ import annotations

from harness.adapters import DccEndpoint, ResponseReceiver, ServiceUser
from harness.catalogue import DeviceType, RemotePartyRole
from harness.clock import LAB_EPOCH, VirtualClock
from harness.dcc import DccIdentity, DccUser, EmulatedDcc, InventoryDevice, Premises
from harness.duis.request_id import RequestCounter
from harness.duis.schema import DuisSchema
from harness.emulators import (
    DEVICE_CLASSES,
    CommunicationsHub,
    CommunicationsHubFunction,
    DeviceKeys,
    EmulatedDevice,
    GasProxyFunction,
    HanNetwork,
    TrustAnchors,
)
from harness.errors import DitError
from harness.eui import EntityId
from harness.lab.config import DeviceConfig, LabConfig, PremisesConfig
from harness.pki import SMKI, KeyUsage
from harness.pki.repository import SmkiRepository

R = RemotePartyRole
PARTY_EUIS = {R.RECOVERY: "90-B3-D5-1F-30-00-00-01", R.WAN_PROVIDER: "90-B3-D5-1F-30-00-00-07"}


class EmulatedLab:
    def __init__(self, config: LabConfig, *, smki: SMKI, schema: DuisSchema | None):
        self.config = config
        self.smki = smki
        self.clock = VirtualClock(LAB_EPOCH)
        self.repository = SmkiRepository(smki)
        identity = DccIdentity(config.access_control_broker, config.transitional_cos)
        self._parties = {R.ACCESS_CONTROL_BROKER: identity.acb, R.TRANSITIONAL_COS: identity.transcos,
                         **{role: EntityId(eui) for role, eui in PARTY_EUIS.items()}}
        self.receivers = {u.eui: ResponseReceiver(clock=self.clock, keystore=self.repository.keystore,
                                                  schema=schema) for u in config.users}
        counter = RequestCounter(self.clock.millis)
        self.dcc = EmulatedDcc(clock=self.clock, identity=identity, repository=self.repository, schema=schema,
                               counter=counter,
                               users=[DccUser(u.name, u.eui, u.roles, self.receivers[u.eui].url)
                                      for u in config.users])
        self.users: dict[str, ServiceUser] = {}
        self.devices: dict[str, EmulatedDevice] = {}
        self.hubs: dict[str, CommunicationsHub] = {}
        self._device_premises: dict[str, PremisesConfig] = {}
        self._schema = schema
        self._counter = counter
        for premises in config.premises:
            self._build_premises(premises)

    # -- assembly ----------------------------------------------------------------------------------------

    def _keys(self, eui: EntityId, device_type: DeviceType) -> DeviceKeys | None:
        if not device_type.holds_certificates:
            return None
        self.smki.ensure_device(eui, device_type)
        ks = self.smki.keystore
        return DeviceKeys(ks.private_key(eui, KeyUsage.DIGITAL_SIGNING), ks.private_key(eui, KeyUsage.KEY_AGREEMENT))

    def _trust(self, device_type: DeviceType) -> TrustAnchors | None:
        if not device_type.holds_certificates:
            return None
        return TrustAnchors.configured_as_new(device_type, self._parties, self.repository.keystore,
                                              self.smki.root_certificate)

    def _device_args(self, eui: EntityId, device_type: DeviceType) -> dict:
        keys = self._keys(eui, device_type)
        return {"clock": self.clock, "keys": keys, "trust": self._trust(device_type), "key_seed": self.smki.seed}

    def _build_premises(self, site: PremisesConfig) -> None:
        hub_cfg = site.hub
        chf = CommunicationsHubFunction(hub_cfg.chf, **self._device_args(hub_cfg.chf, DeviceType.CHF))
        gpf = GasProxyFunction(hub_cfg.gpf, **self._device_args(hub_cfg.gpf, DeviceType.GPF))
        hub = CommunicationsHub(chf, gpf, HanNetwork(self.clock))
        self.hubs[site.name] = hub
        self.devices.update({"CHF": chf, "GPF": gpf} if len(self.config.premises) == 1 else {})
        self.devices[f"{site.name} CHF"], self.devices[f"{site.name} GPF"] = chf, gpf
        # The CH is installed and connected to the SM WAN: Commissioned in the SMI (DIT prerequisite).
        self.dcc.wan.connect(chf.eui, hub)
        parties = {key: self.config.user(name).eui for key, name in site.parties.items()}
        self.dcc.inventory.install_communications_hub(
            InventoryDevice(chf.eui, DeviceType.CHF, smets_chts_version=hub_cfg.chts_version,
                            han_variant=hub_cfg.han_variant),
            InventoryDevice(gpf.eui, DeviceType.GPF, smets_chts_version=hub_cfg.chts_version),
            Premises(site.name, mpan=site.mpan, mprn=site.mprn, **parties), self.clock.now())
        for device_cfg in site.devices:
            self._build_device(device_cfg, site, hub)

    def _build_device(self, cfg: DeviceConfig, site: PremisesConfig, hub: CommunicationsHub) -> None:
        cls = DEVICE_CLASSES.get(cfg.type)
        if cls is None or cfg.type in (DeviceType.CHF, DeviceType.GPF):
            raise DitError(f"device {cfg.name}: the emulated lab has no {cfg.type.value} model",
                           where=self.config.source)
        device = cls(cfg.eui, install_code=cfg.install_code, **self._device_args(cfg.eui, cfg.type))
        device.hub = hub
        self.devices[cfg.name] = device
        self._device_premises[cfg.name] = site

    # -- running -------------------------------------------------------------------------------------------

    def start(self) -> "EmulatedLab":
        for receiver in self.receivers.values():
            receiver.start()
        self.dcc.start()
        endpoint = DccEndpoint(self.dcc.url)
        for u in self.config.users:
            self.users[u.name] = ServiceUser(u.name, u.eui, endpoint=endpoint, receiver=self.receivers[u.eui],
                                             keystore=self.repository.keystore, clock=self.clock,
                                             counter=self._counter, dcc=self.config.access_control_broker,
                                             schema=self._schema)
        return self

    def stop(self) -> None:
        self.dcc.stop()
        for receiver in self.receivers.values():
            receiver.stop()

    def __enter__(self) -> "EmulatedLab":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- what steps ask for -------------------------------------------------------------------------------

    def user(self, words: str) -> ServiceUser:
        """'the Import Supplier', 'Supplier B', 'the Gas Network Operator' ..."""
        return self.users[self.config.party(words).name]

    def device(self, name: str) -> EmulatedDevice:
        key = name.removeprefix("the ").strip()
        try:
            return self.devices[key]
        except KeyError:
            raise DitError(f"no device {name!r} in the lab", where=self.config.source,
                           fix=f"devices are {', '.join(self.devices)}") from None

    def device_config(self, name: str) -> DeviceConfig:
        key = name.removeprefix("the ").strip()
        for cfg in self.config.devices():
            if cfg.name == key:
                return cfg
        raise DitError(f"{name!r} is not a configured device", where=self.config.source)

    def now(self):
        return self.clock.now()

    def certificate_from_smki(self, device: EntityId, usage: KeyUsage, public_point: bytes):
        """'Retrieve Certificate From SMKI': the certificate SMKI issues for a device's new key (after 6.17)."""
        from cryptography.hazmat.primitives.asymmetric import ec

        key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), public_point)
        return self.repository.issue_device_certificate(device, usage, key)

    def power_on(self, name: str) -> None:
        """The installer switches the device on: it starts trying to join its CH's HAN."""
        with self.clock.lock:
            self.device(name).power_on()

    def let_time_pass(self, seconds: float) -> None:
        self.clock.advance(seconds)
