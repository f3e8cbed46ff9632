"""An emulated test set served as a real bench (`dit lab serve`): what lets the real-lab path -- mutual TLS to a
DCC endpoint, a response service the DCC posts to, serial consoles, live ZigBee sniffers, the prepare command
-- be run end to end on one machine, in CI too, before a lab has its own bench.

    dit lab serve --out /tmp/bench            # prints "bench ready: /tmp/bench/lab.yaml", runs until Ctrl-C
    dit run --lab /tmp/bench/lab.yaml         # another terminal: the scenarios, as on a real lab

The served bench is one test set of a lab config (emulated.yaml by default) with:
- its DCC on https://127.0.0.1:<port>/api/v1 (DCC Boxed's paths), requiring the client's certificate and
  posting responses and alerts to the client's response URL with its own;
- every device and the hand-held terminal behind a console on a pseudo-terminal (docs/serial_consoles.md);
- the HAN sent as ZEP v2 over UDP to one sniffer address per band, as a network sniffer would;
- its clock running `time_scale` times faster than wall time (a CI run cannot wait 100 s per install);
- an SMKI adapter issuing device certificates after a rekey (the `smki:` of the config);
- a control address whose /reset rebuilds the test set at its starting state: the generated config's
  `prepare` command calls it before each scenario, keeping the DCC's port and every console's path.
  The SMKI adapter and /reset answer only the bench's TLS client (mutual TLS, as the DCC endpoint).

Several test sets (`dit lab serve --test-set A --test-set B`, ServedLab) are the benches of one lab, each with a
DCC of its own, one lab.yaml naming them all (dcc.benches): what a run over several labgrid places needs.

It writes lab.yaml, the TLS files (tls/: a throwaway CA, the DCC's and the client's certificates), the
client's keystore (smki/: every certificate, and private keys of the lab's Users only) and a firmware library
(firmware/: each upgradable model's released images and its manufacturer's public key) under --out.
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import json
import os
import shlex
import socket
import sys
import threading
from ipaddress import ip_address
from pathlib import Path

import yaml
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from harness.clock import UTC, RealTimeDriver, VirtualClock
from harness.duis.schema import DuisSchema
from harness.emulators.console import ConsoleServer
from harness.emulators.displays import PrepaymentInterfaceDevice
from harness.emulators.firmware import FirmwareHost
from harness.emulators.han import BAND_24GHZ, SUB_GHZ
from harness.errors import DitError
from harness.eui import EntityId
from harness.han.capture import zep_datagram
from harness.httpio import HttpClient, HttpServer, TlsFiles
from harness.lab import config as lab_config
from harness.lab.config import PremisesConfig
from harness.lab.emulated import EmulatedLab, Served
from harness.lab.firmware_library import manufacturer_key_pem
from harness.pki import SMKI, KeyUsage
from harness.pki.keystore import pkcs8, write_file
from harness.pki.repository import ORGANISATION_USAGES

DEFAULT_TIME_SCALE = 20.0
# The acts of a person at the bench the control port does for a scripted operator (harness.lab.operator), with the
# prompt's details as the JSON body where the act needs them (register: role, user; withdraw-from-cpl, accept-utrn:
# asset; renew-organisation: party).
ACTS = ("install-without-wan", "replace-communications-hub", "upgrade-communications-hub", "interfere", "register",
        "wan-outage", "wan-restored", "lose-sm-wan", "fail-han-radio", "withdraw-from-cpl", "renew-organisation",
        "accept-utrn")
RESPONSE_PATH = "/duis/responses"
# The versions its manufacturers have released to the served bench's firmware library (the firmware family's).
LIBRARY_VERSIONS = (0x00020002, 0x00040001)


class ServedBench:
    def __init__(self, config_path: str | Path | None, out: Path, *, smki: SMKI, schema: DuisSchema | None,
                 test_set: str | None = None, time_scale: float = DEFAULT_TIME_SCALE,
                 tls: dict[str, TlsFiles] | None = None):
        """`tls`: the TLS files of a lab serving several benches (ServedLab), else its own under out/tls."""
        self.config_path = Path(config_path or lab_config.DEFAULT).resolve()
        self.config = lab_config.load(self.config_path)
        if self.config.kind != "emulated":
            raise DitError(f"lab {self.config.name} is a real lab: only an emulated one can be served",
                           where=self.config.source, fix="give an emulated lab config")
        self.site = self.config.for_test_set(test_set).premises[0]
        self.out, self.smki, self.schema, self.time_scale = Path(out), smki, schema, time_scale
        self.out.mkdir(parents=True, exist_ok=True)
        self.tls = tls or _bench_pki(self.out / "tls")
        self.served = Served(_free_port(socket.SOCK_STREAM), f"https://127.0.0.1:{_free_port(socket.SOCK_STREAM)}"
                             f"{RESPONSE_PATH}", self.tls["dcc"])
        self._zep = {BAND_24GHZ: ("127.0.0.1", _free_port(socket.SOCK_DGRAM)),
                     SUB_GHZ: ("127.0.0.1", _free_port(socket.SOCK_DGRAM))}
        self._udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._lock = threading.Lock()
        self._sent: dict[int, int] = {}
        self.resets = 0
        self._renewals: dict[EntityId, int] = {}     # per party, across resets: each renewal gives new keys
        self.lab = self._build()
        self.consoles = {name: ConsoleServer(device, self.lab.clock.lock)
                         for name, device in self.lab.console_devices()}
        # Each PPMID's SECMP0038 internet interface on a port that outlives resets, handed to the PPMID of the lab
        # of the moment (the served lab.yaml's ppmid_internet:)
        self.ppmid_internet = {d.name: HttpServer(functools.partial(self._to_ppmid, d.name)).start()
                               for d in self.site.devices if isinstance(self.lab.device(d.name),
                                                                        PrepaymentInterfaceDevice)}
        # The control port issues device certificates and resets the lab: only the bench's own client, by the
        # same mutual TLS as the DCC endpoint (anyone else on the host is refused at the handshake).
        self.control = HttpServer(self._on_control, tls=self.tls["dcc"])
        self.keystore = self.out / "smki"        # the client's (a lab of several benches points it at the lab's)
        _export_keystore(self.smki, {u.eui for u in self.config.users}, self.keystore)
        self.library = self._write_library(self.out / "firmware")       # once: the lab of several benches reads it too
        self.config_file = self._write_config()
        self.driver: RealTimeDriver | None = None

    # -- the bench ------------------------------------------------------------------------------------------

    def _build(self) -> EmulatedLab:
        lab = EmulatedLab(self.config, smki=self.smki, schema=self.schema, test_set=self.site.name,
                          clock=VirtualClock(dt.datetime.now(UTC)), served=self.served)
        self._sent = {}
        return lab

    def start(self) -> ServedBench:
        self.lab.dcc.start()
        self.control.start()
        self._drive()
        return self

    def _drive(self) -> None:
        self.driver = RealTimeDriver(self.lab.clock, self.time_scale, each_tick=self._send_han).start()

    def stop(self) -> None:
        if self.driver is not None:
            self.driver.stop()
        self.lab.dcc.stop()
        self.control.stop()
        for console in self.consoles.values():
            console.close()
        for server in self.ppmid_internet.values():
            server.stop()
        self._udp.close()

    def reset(self) -> None:
        """The test set as every scenario starts it: a new emulated lab on the same ports and consoles."""
        with self._lock:
            if self.driver is not None:
                self.driver.stop()
            self.lab.dcc.stop()
            self.lab = self._build()
            for name, device in self.lab.console_devices():
                self.consoles[name].attach(device, self.lab.clock.lock)
            self.lab.dcc.start()
            self._drive()
            self.resets += 1

    def _to_ppmid(self, name: str, path: str, body: bytes) -> tuple[int, str, bytes]:
        with self._lock:                  # not while a reset swaps the lab
            device = self.lab.device(name)
        assert isinstance(device, PrepaymentInterfaceDevice), "chosen as PPMIDs when the bench was built"
        return device.on_internet(path, body)

    def _send_han(self) -> None:
        """What a network sniffer on each band sends: every new frame of every hub's HAN, as ZEP."""
        for network in self.lab.han_networks:
            start = self._sent.get(id(network), 0)
            frames = network.frames[start:]
            self._sent[id(network)] = start + len(frames)
            for number, frame in enumerate(frames, start):
                address = self._zep[SUB_GHZ if frame.page else BAND_24GHZ]
                try:
                    self._udp.sendto(zep_datagram(frame, number), address)
                except OSError:          # nobody listening between scenarios: a sniffer's frames are simply lost
                    pass

    def _on_control(self, path: str, body: bytes) -> tuple[int, str, bytes]:
        if path == "/reset":
            self.reset()
            return 204, "text/plain", b""
        if path == "/smki/device-certificate":
            return self._issue(body)
        if path.startswith("/act/"):
            return self._act(path.removeprefix("/act/"), body)
        return 404, "text/plain", f"POST /reset, /smki/device-certificate or /act/<{'|'.join(ACTS)}>".encode()

    def _act(self, act: str, body: bytes) -> tuple[int, str, bytes]:
        """What a person at a real bench does by hand (fit the CH out of WAN coverage, swap it, switch on a signal
        generator, disconnect an antenna, have registration data changed or a firmware version withdrawn, renew
        organisation certificates with the SMKI), done to the served lab: a scripted operator's hands."""
        if act not in ACTS:
            return 404, "text/plain", f"no act {act!r}: {', '.join(ACTS)}".encode()
        try:
            words = json.loads(body or b"{}")
            if not isinstance(words, dict):
                raise TypeError("not a JSON object")
            with self.lab.clock.lock:
                if act == "register":
                    self.lab.register(str(words["role"]), str(words["user"]))
                elif act == "withdraw-from-cpl":
                    self.lab.withdraw_from_cpl(self._device_of(str(words["asset"])))
                elif act == "renew-organisation":
                    self._renew_organisation(EntityId(str(words["party"])))
                elif act == "accept-utrn":
                    if not self._accept_utrn(words.get("asset")):
                        return 409, "text/plain", b"no PPMID shows a UTRN it could pass on"
                else:
                    getattr(self.lab, act.replace("-", "_"))()
        except (ValueError, KeyError, TypeError, DitError) as exc:
            return 400, "text/plain", f"cannot {act}: {exc}".encode()
        return 204, "text/plain", b""

    def _device_of(self, asset: str) -> str:
        """The served lab's name of the device with this Device Asset Library asset (the bench's name for it)."""
        found = next((d.name for d in self.site.devices if d.asset == asset), None)
        if found is None:
            raise KeyError(f"no device with asset {asset} in {self.site.name}")
        return found

    def _renew_organisation(self, party: EntityId) -> None:
        """What the operator does with the SMKI: renewed certificates and new keys of each organisation key the
        party's lab holds, left in the bench's keystore folder as RealLab asks (<eui>-<usage>.renewed.pem/.key)."""
        self._renewals[party] = generation = self._renewals.get(party, 0) + 1
        folder = self.keystore
        for usage in ORGANISATION_USAGES:
            if not (folder / f"{party.file_stem}-{usage.value}.key").is_file():
                continue
            renewed = self.smki.renewed_organisation_credential(party, usage, generation)
            assert renewed.certificate is not None and renewed.private_key is not None, "the SMKI issues both"
            stem = f"{party.file_stem}-{usage.value}.renewed"
            write_file(folder / f"{stem}.key", pkcs8(renewed.private_key), private=True)
            write_file(folder / f"{stem}.pem", renewed.certificate.public_bytes(serialization.Encoding.PEM))

    def _accept_utrn(self, asset: object) -> bool:
        """The consumer's press at the PPMID with that asset, else at the one showing a UTRN (as a person finds it)."""
        showing = [name for name in self.ppmid_internet
                   if isinstance(ppmid := self.lab.device(name), PrepaymentInterfaceDevice) and ppmid.offered_utrns]
        named = self._device_of(str(asset)) if asset else next(iter(showing), None)
        return named is not None and self.lab.consumer_accepts_utrn(named)

    def _issue(self, body: bytes) -> tuple[int, str, bytes]:
        """The SMKI adapter of the served bench: the emulated lab's SMKI issues, the DCC sees it in use later."""
        try:
            asked = json.loads(body)
            device, usage = EntityId(asked["device"]), KeyUsage(asked["usage"])
            request = base64.b64decode(asked["certification_request"], validate=True)
            with self.lab.clock.lock:
                cert = self.lab.repository.certify_request(device, usage, request)
        except (ValueError, KeyError, TypeError, DitError) as exc:
            return 400, "text/plain", f"not a device certificate request: {exc}".encode()
        return 200, "application/x-pem-file", cert.public_bytes(serialization.Encoding.PEM)

    # -- the config a client runs with ----------------------------------------------------------------------

    def _write_config(self) -> Path:
        path = self.out / "lab.yaml"
        path.write_text(f"# Written by dit lab serve from {self.config_path}: valid while it runs.\n"
                        + yaml.safe_dump(self.config_doc(), sort_keys=False, width=120))
        return path

    def config_doc(self) -> dict:
        """The real-lab config of this bench, its paths relative to `out`."""
        raw = yaml.safe_load(self.config_path.read_text(encoding="utf-8"))     # lab_config.load checked it
        folder = self.config_path.parent
        test_set = next(node for node in raw.get("test_sets") or raw.get("premises")
                        if node["name"] == self.site.name)
        network = self.lab.hubs[self.site.name].han
        sniffers = [{"name": f"{self.site.name} 2.4 GHz", "test_set": self.site.name, "framing": "zep",
                     "port": "udp://{}:{}".format(*self._zep[BAND_24GHZ]), "channel": network.channels[BAND_24GHZ]}]
        if self.site.hub.han_variant == "Dual Band":
            sniffers.append({"name": f"{self.site.name} sub-GHz", "test_set": self.site.name, "framing": "zep",
                             "port": "udp://{}:{}".format(*self._zep[SUB_GHZ]), "page": 28,
                             "channel": network.channels[SUB_GHZ]})
        assets = {d.name: d.asset for d in self.site.devices}
        doc = {
            "name": f"{self.config.name}, {self.site.name} served as a bench",
            "kind": "real",
            **{key: str((folder / raw[key]).resolve()) for key in ("device_asset_library", "device_profiles")
               if key in raw},
            "dcc": {"endpoint": f"{self.lab.dcc.url}",
                    "response_url": self.served.response_url,
                    "tls": {key: os.path.relpath(getattr(self.tls["dit"], key), self.out)
                            for key in ("certificate", "key", "ca")},
                    "access_control_broker": self.config.access_control_broker.duis,
                    "transitional_cos": self.config.transitional_cos.duis},
            "keystore": "smki",
            "users": raw["users"],
            "test_sets": [test_set],
            "serial_ports": [{"asset": assets[name], "port": server.path} for name, server in self.consoles.items()],
            "sniffers": sniffers,
            "ppmid_internet": [{"asset": assets[name], "url": server.base_url}
                               for name, server in self.ppmid_internet.items()],
            "smki": f"{self.control.base_url}/smki",
            "prepare": _prepare(self.control.base_url, self.tls),
            "time_scale": self.time_scale,
            "firmware_library": self.library,
        }
        return doc

    def _write_library(self, folder: Path) -> list[dict]:
        """Each upgradable model's released images and its manufacturer's public key, as a lab keeps them."""
        folder.mkdir(exist_ok=True)
        models: list[dict] = []
        seen = set()
        for cfg in self.site.devices:
            if cfg.profile is None or cfg.profile.id in seen or not isinstance(self.lab.device(cfg.name), FirmwareHost):
                continue
            seen.add(cfg.profile.id)
            key = folder / f"{cfg.profile.id}.manufacturer.pem"
            key.write_bytes(manufacturer_key_pem(self.lab.manufacturer_key(cfg.manufacturer).public_key()))
            images = []
            for version in LIBRARY_VERSIONS:
                image = folder / f"{cfg.profile.id}-{version:08X}.ota"
                image.write_bytes(self.lab.firmware_image(cfg.name, version))
                images.append({"version": f"{version:08X}", "file": f"firmware/{image.name}"})
            models.append({"profile": cfg.profile.id, "manufacturer_key": f"firmware/{key.name}", "images": images})
        return models


class ServedLab:
    """Several test sets of an emulated lab served as the benches of one real lab, each with a DCC of its own (a
    DCC Boxed per bench: its endpoint, its response URL, its consoles and sniffers), one lab config naming them all
    (dcc.benches). A DCC posts all of a User's responses to one URL, so benches that a run takes in parallel
    from one machine cannot share one DCC: each worker listens where its test set's DCC posts.

    One control address serves the lab's `prepare` (the test set in DIT_TEST_SET) and its SMKI adapter (the bench
    whose test set has the device); each bench keeps its own for a scripted operator's acts."""

    def __init__(self, config_path: str | Path | None, out: Path, *, smki: SMKI, schema: DuisSchema | None,
                 test_sets: list[str], time_scale: float = DEFAULT_TIME_SCALE):
        self.out, self.smki, self.time_scale = Path(out), smki, time_scale
        self.out.mkdir(parents=True, exist_ok=True)
        self.tls = _bench_pki(self.out / "tls")
        self.benches: dict[str, ServedBench] = {}
        try:
            for name in dict.fromkeys(test_sets):
                bench = ServedBench(config_path, self.out / name, smki=smki, schema=schema, test_set=name,
                                    time_scale=time_scale, tls=self.tls)
                self.benches[bench.site.name] = bench
        except BaseException:
            self.stop()
            raise
        self.control = HttpServer(self._on_control, tls=self.tls["dcc"])
        first = next(iter(self.benches.values()))
        _export_keystore(smki, {u.eui for u in first.config.users}, self.out / "smki")     # every bench's devices
        for bench in self.benches.values():     # where an operator's renewed certificates go: the lab's keystore
            bench.keystore = self.out / "smki"
        self.config_file = self._write_config()

    def start(self) -> ServedLab:
        for bench in self.benches.values():
            bench.start()
        self.control.start()
        return self

    def stop(self) -> None:
        for bench in self.benches.values():
            bench.stop()
        if hasattr(self, "control"):
            self.control.stop()

    @property
    def resets(self) -> int:
        return sum(bench.resets for bench in self.benches.values())

    def _on_control(self, path: str, body: bytes) -> tuple[int, str, bytes]:
        if path == "/reset":
            bench = self.benches.get(body.decode(errors="replace"))
            if bench is None:
                return 404, "text/plain", f"no test set {body[:80]!r}: {', '.join(self.benches)}".encode()
            bench.reset()
            return 204, "text/plain", b""
        if path == "/smki/device-certificate":
            try:
                device = EntityId(json.loads(body)["device"])
            except (ValueError, KeyError, TypeError, DitError) as exc:
                return 400, "text/plain", f"not a device certificate request: {exc}".encode()
            bench = next((b for b in self.benches.values() if device in _euis(b.site)), None)
            if bench is None:
                return 400, "text/plain", f"device {device} is on no bench of this lab".encode()
            return bench._on_control(path, body)
        return 404, "text/plain", b"POST /reset (the test set) or /smki/device-certificate"

    def _write_config(self) -> Path:
        """One real lab of the benches: their test sets, consoles, sniffers and images, each set's own DCC."""
        docs = {name: bench.config_doc() for name, bench in self.benches.items()}
        first = next(iter(docs.values()))
        library: dict[str, dict] = {}
        for name, doc in docs.items():
            for model in doc["firmware_library"]:
                library.setdefault(model["profile"], {
                    **model, "manufacturer_key": f"{name}/{model['manufacturer_key']}",
                    "images": [{**image, "file": f"{name}/{image['file']}"} for image in model["images"]]})
        doc = {
            **first,
            "name": f"{first['name'].split(',')[0]}, {', '.join(docs)} served as benches",
            "dcc": {**{k: v for k, v in first["dcc"].items() if k not in ("endpoint", "response_url")},
                    "tls": {key: os.path.relpath(getattr(self.tls["dit"], key), self.out)
                            for key in ("certificate", "key", "ca")},
                    "benches": {name: {"endpoint": d["dcc"]["endpoint"], "response_url": d["dcc"]["response_url"]}
                                for name, d in docs.items()}},
            "keystore": "smki",
            **{key: [item for d in docs.values() for item in d[key]]
               for key in ("test_sets", "serial_ports", "sniffers", "ppmid_internet")},
            "smki": f"{self.control.base_url}/smki",
            "prepare": _prepare(self.control.base_url, self.tls),
            "firmware_library": list(library.values()),
        }
        path = self.out / "lab.yaml"
        path.write_text("# Written by dit lab serve: valid while it runs.\n"
                        + yaml.safe_dump(doc, sort_keys=False, width=120))
        return path


def _euis(site: PremisesConfig) -> set[EntityId]:
    """The devices of a test set: its devices', its CH's and its spare CH's."""
    hubs = [hub for hub in (site.hub, site.spare_hub) if hub is not None]
    return {d.eui for d in site.devices} | {eui for hub in hubs for eui in (hub.chf, hub.gpf)}


def _prepare(control: str, tls: dict[str, TlsFiles]) -> str:
    """The generated config's prepare command: a reset of the test set (DIT_TEST_SET) by the control address."""
    return shlex.join([sys.executable, "-m", "harness.lab.served", "reset", f"{control}/reset",
                       str(Path(tls["dit"].certificate).parent.resolve())])


def _free_port(kind: int) -> int:
    with socket.socket(socket.AF_INET, kind) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _bench_pki(folder: Path) -> dict[str, TlsFiles]:
    """A throwaway CA and two certificates for 127.0.0.1: the DCC's (its endpoint, and posting responses) and
    the client's (posting requests, and its response service)."""
    folder.mkdir(parents=True, exist_ok=True)
    now = dt.datetime.now(UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "dit lab serve CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
          .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(hours=1))
          .not_valid_after(now + dt.timedelta(days=7))
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
          .sign(ca_key, hashes.SHA256()))
    (folder / "ca.pem").write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    found = {}
    for name in ("dcc", "dit"):
        key = ec.generate_private_key(ec.SECP256R1())
        cert = (x509.CertificateBuilder()
                .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"{name} on 127.0.0.1")]))
                .issuer_name(ca_name).public_key(key.public_key()).serial_number(x509.random_serial_number())
                .not_valid_before(now - dt.timedelta(hours=1)).not_valid_after(now + dt.timedelta(days=7))
                .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
                .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"),
                                                            x509.IPAddress(ip_address("127.0.0.1"))]), critical=False)
                .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH,
                                                      ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
                .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
                               critical=False)
                .sign(ca_key, hashes.SHA256()))
        (folder / f"{name}.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        key_file = folder / f"{name}.key"
        key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                               serialization.NoEncryption()))
        key_file.chmod(0o600)
        found[name] = TlsFiles(folder / f"{name}.pem", key_file, folder / "ca.pem")
    return found


def _export_keystore(smki: SMKI, users: set, folder: Path) -> None:
    """What a DCC User's lab holds: every certificate the SMKI issued (to verify the DCC and devices) and the
    private keys of its own organisations, never a device's or a CA's."""
    folder.mkdir(parents=True, exist_ok=True)
    for certificate in smki.directory.glob("*.pem"):          # the CAs' and everyone's certificates
        (folder / certificate.name).write_bytes(certificate.read_bytes())
    for cred in smki.keystore.credentials():
        if cred.path is not None and cred.eui in users and cred.private_key is not None:
            key_file = folder / cred.path.with_suffix(".key").name
            key_file.write_bytes(cred.private_key.private_bytes(serialization.Encoding.PEM,
                                                                serialization.PrivateFormat.PKCS8,
                                                                serialization.NoEncryption()))
            key_file.chmod(0o600)


def reset(url: str, tls_folder: str) -> int:
    """The generated config's `prepare`: ask the served bench for a fresh test set (DIT_TEST_SET: which, where
    a lab serves several), as its TLS client."""
    folder = Path(tls_folder)
    try:
        status, body = HttpClient(timeout=60, tls=TlsFiles(folder / "dit.pem", folder / "dit.key",
                                                           folder / "ca.pem")).post(
            url, os.environ.get("DIT_TEST_SET", "").encode())
    except DitError as exc:
        print(f"dit lab serve is not answering at {url}: {exc}", file=sys.stderr)
        return 1
    if status != 204:
        print(f"{url}: HTTP {status} {body.decode(errors='replace')[:200]}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 4 or sys.argv[1] != "reset":
        sys.exit("usage: python -m harness.lab.served reset URL TLS-FOLDER")
    sys.exit(reset(sys.argv[2], sys.argv[3]))
