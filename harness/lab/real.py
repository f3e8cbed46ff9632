"""A real lab, one test set of it per scenario: the same interface the steps use on the emulated lab, reached
the way a DCC User's test lab reaches its bench.

- Service users sign with the bench keystore's organisation keys and post DUIS to the configured DCC endpoint
  over mutual TLS; one Receive Response Service listens where `dcc.response_url` says, and each User sees the
  documents addressed to it.
- Devices and the hand-held terminal are reached through their serial consoles (`serial_ports:`, by Device
  Asset Library name); the test set's ZigBee sniffers capture the HAN while the scenario runs.
- Time is the bench's: waiting is waiting (WallClock, at the bench's `time_scale`).
- Before each scenario the lab's `prepare` command brings the test set back to the scenarios' starting state.

- Device certificates after a rekey come from the lab's SMKI adapter (`smki:`).

What a bench cannot do by itself -- fit or replace a CH, switch on a signal generator, change registration
data, renew organisation certificates, a manufacturer's image its firmware library lacks -- raises NotOnThisBench: the
scenario is blocked with that reason and the run goes on. With an operator (harness.lab.operator) the acts of a
person become prompts; renewed organisation certificates are then read from where the operator put them.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
import subprocess
import threading
from collections.abc import Mapping
from dataclasses import replace
from ipaddress import ip_address
from pathlib import Path
from urllib.parse import urlsplit

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from harness.adapters import DccEndpoint, ResponseReceiver, ServiceUser
from harness.adapters.ch_firmware_client import ChFirmwarePortal, Notice
from harness.adapters.serial_console import DeviceConsole, SerialConsole, TerminalConsole
from harness.adapters.sniffers import SerialSniffer, ZepListener
from harness.catalogue import DeviceType
from harness.clock import WallClock
from harness.dcc.ch_firmware import ChFirmwareRelease
from harness.duis.request_id import RequestCounter
from harness.duis.schema import DuisSchema
from harness.errors import BenchFault, DitError, NotOnThisBench
from harness.eui import EntityId
from harness.han.capture import CapturedFrame, CaptureError
from harness.httpio import HttpClient, TlsFiles
from harness.lab import baselines
from harness.lab.baselines import Baseline
from harness.lab.bench import Bench, Sniffer
from harness.lab.casts import Cast
from harness.lab.config import DeviceConfig, LabConfig
from harness.lab.contract import SmkiQuestions
from harness.lab.firmware_library import signed_by_someone_else
from harness.lab.operator import Ask, Desk, OperatorAnswer
from harness.pki import Credential, Keystore, KeyUsage
from harness.pki.certificates import entity_id_of, usage_of
from harness.pki.keystore import credential_of
from harness.pki.repository import ORGANISATION_USAGES

PREPARE_TIMEOUT_S = 600.0


class RealLab(SmkiQuestions):
    """One test set of a real lab's config, at the release baseline the bench runs: a `Lab`
    (harness.lab.contract)."""

    def __init__(self, config: LabConfig, *, schema: DuisSchema | None, test_set: str | None = None,
                 baseline: Baseline | None = None, scenario: str = "", cast: Cast | None = None,
                 operator: Desk | None = None, placed: Mapping[str, str] | None = None):
        if config.bench is None:
            raise DitError(f"lab {config.name} is not a real lab", where=config.source)
        self.config = config.for_test_set(test_set, cast)       # in a cast, its devices under the roles they play
        self.site = self.config.premises[0]
        assert self.config.bench is not None, "a copy of config's"
        self.bench: Bench = self.config.bench       # with the test set's own DCC, if its bench has one
        self.baseline = baseline or baselines.baseline(baselines.DEFAULT_BASELINE)
        self.scenario = scenario
        self.clock = WallClock(self.bench.time_scale)
        self.operator = operator
        self.keystore = Keystore.load(self.bench.keystore)
        self._tls = TlsFiles(**self.bench.tls) if self.bench.tls else None
        self._schema = schema
        self.receiver: ResponseReceiver | None = None
        self.users: dict[str, ServiceUser] = {}
        self.consoles: dict[str, SerialConsole] = {}
        assets = {cfg.asset: cfg for cfg in self.site.devices if cfg.asset}
        # the consoles of the lab config's serial_ports, and those of the test set's labgrid place (dit run acquired it)
        ports = {port.asset: (port.port, port.baudrate) for port in self.bench.serial_ports}
        ports |= {asset: (url, 115200) for asset, url in (placed or {}).items()}
        for asset, (port, baudrate) in ports.items():
            cfg = assets.get(asset)
            if cfg is not None:
                kind = TerminalConsole if cfg.type is DeviceType.HHT else DeviceConsole
                self.consoles[cfg.name] = kind(port, cfg.name, baudrate=baudrate)
        self.smki = SmkiService(self.bench.smki, self.keystore, self._tls) if self.bench.smki else None
        self._sniffers = [s for s in self.bench.sniffers if s.test_set == self.site.name]
        self._frames: list[CapturedFrame] = []
        self._portals: dict[str, ChFirmwarePortal] = {}
        self._capturing = threading.Event()
        self._captures: list[threading.Thread] = []

    # -- running -------------------------------------------------------------------------------------------

    def start(self) -> RealLab:
        if self.operator is not None:
            self.operator.take_answers()    # an earlier scenario's, already in its evidence
        self._prepare()
        url = urlsplit(self.bench.response_url)
        self.receiver = ResponseReceiver(clock=self.clock, keystore=self.keystore, schema=self._schema, tls=self._tls,
                                         host=_listen_host(url.hostname), port=url.port or 443,
                                         path=url.path or "/").start()
        self.receiver.ch_firmware.tokens.extend(self.bench.portal_tokens.values())
        endpoint = DccEndpoint(self.bench.endpoint, tls=self._tls)
        counter = RequestCounter(self.clock.millis)
        for u in self.config.users:
            self.users[u.name] = ServiceUser(u.name, u.eui, endpoint=endpoint,
                                             receiver=self.receiver.addressed_to(u.eui), keystore=self.keystore,
                                             clock=self.clock, counter=counter, dcc=self.config.access_control_broker,
                                             schema=self._schema, release=self.baseline.service_user,
                                             device_types=self.config.device_types())
        self._capturing.set()
        for sniffer in self._sniffers:
            thread = threading.Thread(target=self._capture, args=(sniffer,), name=f"sniffer {sniffer.name}",
                                      daemon=True)
            thread.start()
            self._captures.append(thread)
        return self

    def stop(self) -> None:
        self._capturing.clear()
        for thread in self._captures:
            thread.join(timeout=2)
        if self.receiver is not None:
            self.receiver.stop()
        for console in self.consoles.values():
            console.close()

    def __enter__(self) -> RealLab:
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc) -> None:
        self.stop()

    def _prepare(self) -> None:
        """The lab's own command that resets the test set for the next scenario."""
        if not self.bench.prepare:
            return
        env = {**os.environ, "DIT_TEST_SET": self.site.name, "DIT_SCENARIO": self.scenario}
        command = " ".join(self.bench.prepare)
        try:
            done = subprocess.run(self.bench.prepare, env=env, capture_output=True, text=True,
                                  timeout=PREPARE_TIMEOUT_S)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise BenchFault(f"cannot prepare the test set: {exc}", part="prepare command",
                             where=self.bench.where("prepare"), fix=f"run it by hand: {command}") from None
        if done.returncode != 0:
            said = (done.stderr or done.stdout).strip().splitlines()
            raise BenchFault(f"preparing {self.site.name} failed (exit {done.returncode})"
                             + (f": {said[-1]}" if said else ""), part="prepare command",
                             where=self.bench.where("prepare"), fix=f"run it by hand: {command}")

    def _capture(self, sniffer: Sniffer) -> None:
        """Frames from one sniffer while the scenario runs; a sniffer that fails loses the HAN evidence, not
        the scenario (the capture says where it stopped)."""
        source: ZepListener | SerialSniffer
        try:
            if sniffer.framing == "zep":
                url = urlsplit(sniffer.port)
                assert url.port is not None, "loading the bench refuses a ZEP address without its port"
                source = ZepListener(url.hostname or "0.0.0.0", url.port)
            else:
                source = SerialSniffer(sniffer.port, "ti" if sniffer.framing == "ti-packet-sniffer" else "nodetest",
                                       channel=sniffer.channel, page=sniffer.page)
        except (CaptureError, OSError):
            return
        with source:
            try:
                while self._capturing.is_set():
                    self._frames.extend(source.iter_frames(timeout_s=0.5))
            except (CaptureError, OSError):
                return

    # -- what steps ask for -------------------------------------------------------------------------------

    def user(self, words: str) -> ServiceUser:
        return self.users[self.config.party(words).name]

    def device_config(self, name: str) -> DeviceConfig:
        return self.config.device(name)

    def console(self, name: str) -> SerialConsole:
        key = name.removeprefix("the ").strip()
        console = self.consoles.get(key)
        if console is None:
            cfg = self.device_config(key)
            raise NotOnThisBench(f"the {key} ({cfg.asset}) has no serial console on this bench",
                                 where=self.bench.where("serial_ports") if "serial_ports" in self.bench.lines
                                 else self.config.source, fix=f"add {{asset: {cfg.asset}, port: ...}} to serial_ports")
        return console

    def now(self) -> dt.datetime:
        return self.clock.now()

    def let_time_pass(self, seconds: float) -> None:
        self.clock.advance(seconds)

    def han_capture(self) -> list[CapturedFrame]:
        return sorted(self._frames, key=lambda f: f.time)

    def console_transcripts(self) -> dict[str, list[str]]:
        return {name: console.transcript for name, console in self.consoles.items() if console.transcript}

    # -- on site --------------------------------------------------------------------------------------------

    def power_on(self, name: str) -> None:
        console = self.console(name)
        if not isinstance(console, DeviceConsole):
            raise NotOnThisBench(f"the {name}'s console is a terminal's: it has no power switch")
        console.power_on()

    def deliver_locally(self, command: bytes, terminal: str = "HHT") -> bool:
        return self.terminal(terminal).deliver(command)

    def close_tunnel(self, terminal: str = "HHT") -> None:
        self.terminal(terminal).close_tunnel()

    def terminal(self, name: str = "HHT") -> TerminalConsole:
        console = self.console(name)
        if not isinstance(console, TerminalConsole):
            raise NotOnThisBench(f"the {name}'s console is a device's, not a hand-held terminal's")
        return console

    def display(self, device: str) -> list[str]:
        """The screen's lines, as the console's DISPLAY gives them (docs/serial_consoles.md); of a device without a
        console, as the operator reads them off its screen (Ask.LOOK), one line between each '|'."""
        key = device.removeprefix("the ").strip()
        if key not in self.consoles and self.operator is not None:
            asset = self.device_config(key).asset or key
            answer = self.operator.ask(Ask.LOOK, "read-display", f"Read the display of the {key} ({asset})",
                                       "every line it shows, top to bottom, separated by |",
                                       test_set=self.site.name, scenario=self.scenario)
            return [line.strip() for line in answer.saw.split("|") if line.strip()]
        console = self.console(device)
        if not isinstance(console, DeviceConsole):
            raise NotOnThisBench(f"the {device}'s console is a terminal's: it has no display to read")
        return console.display()

    def consumer_enters_utrn(self, device: str, code: str, fuel: DeviceType | None = None) -> bool:
        """Typed at the keypad by the console's keypad driver (docs/serial_consoles.md: UTRN)."""
        target = self.device_config(device)
        words = f"UTRN {code}" + (f" {(fuel or DeviceType.ESME).value}" if target.type is DeviceType.PPMID else "")
        return self.console(device).ok(words) == "ACCEPTED"

    def consumer_presses_button(self, device: str) -> bool:
        """Pressed by the console's button driver (docs/serial_consoles.md: BUTTON)."""
        return self.console(device).ok("BUTTON") == "ENABLED"

    def install_without_wan(self) -> None:
        self.person_does("install-without-wan", f"Fit the Communications Hub {self.site.hub.asset} where there is no "
                         "SM WAN coverage", "the hub is powered and shows no WAN connection")

    def replace_communications_hub(self) -> None:
        """The installer fits the spare hub: from then on 'the CHF' is the spare's and 'the old CHF' the one it
        replaced, as on the emulated lab (this scenario's own copy of the test set)."""
        spare = self.site.spare_hub
        self.person_does("replace-communications-hub", f"Replace the Communications Hub {self.site.hub.asset} with "
                         f"{spare.asset if spare else 'the spare hub'}", "the replacement hub is fitted and powered")
        if spare is not None:
            self.site.replaced_hub, self.site.hub, self.site.spare_hub = self.site.hub, spare, None

    def upgrade_communications_hub(self, chts_version: str = "CHTS v1.1") -> None:
        self.person_does("upgrade-communications-hub", f"Have the CSP upgrade the Communications Hub "
                         f"{self.site.hub.asset} to {chts_version}", f"the CSP confirmed the hub runs {chts_version}")

    def interfere(self) -> None:
        self.person_does("interfere", f"Switch on a signal generator on the sub-GHz channel of the Communications "
                         f"Hub {self.site.hub.asset}", "the generator is transmitting on that channel")

    def person_does(self, act: str, instruction: str, confirm: str, **details: str) -> OperatorAnswer:
        """An act only a person at the bench can do: a prompt to the operator (harness.lab.operator), blocking
        the scenario when there is none, nobody answers or it cannot be done. `details` name what the act is
        done to (a device's asset, a party's entity ID) for a lab that scripts it."""
        if self.operator is None:
            raise _not_automated(instruction[0].lower() + instruction[1:])
        return self.operator.ask(Ask.ACT, act, instruction, confirm, test_set=self.site.name, scenario=self.scenario,
                                 details=details)

    def operator_answers(self) -> list[OperatorAnswer]:
        """This scenario's answers: its evidence, and who answered for its record."""
        return list(self.operator.answered) if self.operator is not None else []

    def wan_outage(self, lasts_s: float | None = None) -> None:
        """A person cuts the hub off the SM WAN (a shielded box, or the CSP's help) until told to bring it back:
        an outage that ends by itself is the emulated lab's alone."""
        if lasts_s is not None:
            raise _not_automated(f"an SM WAN outage that ends by itself after {lasts_s:.0f} s")
        self.person_does("wan-outage", f"Cut the Communications Hub {self.site.hub.asset} off the SM WAN (put it in "
                         "the shielded box, or have the CSP stop its WAN)", "the hub is off the SM WAN")

    def wan_restored(self) -> None:
        self.person_does("wan-restored", f"Bring the Communications Hub {self.site.hub.asset} back onto the SM WAN",
                         "the hub is back on the SM WAN")

    def ppmid_internet(self, name: str) -> str:
        """The PPMID's SECMP0038 internet interface as the config names it (a proposal: few benches have one)."""
        cfg = self.device_config(name)
        url = self.bench.ppmid_internet.get(cfg.asset or "")
        if not url:
            raise NotOnThisBench(f"the {name} ({cfg.asset}) has no internet interface for the PPMID route on this "
                                 "bench", where=self.config.source,
                                 fix=f"add {{asset: {cfg.asset}, url: ...}} to ppmid_internet")
        return url

    def consumer_accepts_utrn(self, device: str) -> bool:
        """A consumer's press at the PPMID: a prompt to the person at the bench, who confirms what it showed."""
        cfg = self.device_config(device)
        return self.person_does("accept-utrn", f"Accept the UTRN the {device} ({cfg.asset}) shows",
                                f"the {device} showed the UTRN accepted", asset=cfg.asset or device).done

    def lose_sm_wan(self) -> None:
        self.person_does("lose-sm-wan", "Disconnect the SM WAN antenna of the Communications Hub "
                         f"{self.site.hub.asset}", "the hub shows it has lost its SM WAN connection")

    def fail_han_radio(self) -> None:
        self.person_does("fail-han-radio", f"Make the HAN radio of the Communications Hub {self.site.hub.asset} fail "
                         "(fit one whose HAN radio has failed in its place, or disconnect its HAN antenna)",
                         "the hub is on the SM WAN and its HAN devices no longer reach it")

    # -- around the DCC -----------------------------------------------------------------------------------------

    def set_anomaly_threshold(self, user: str, srv: str, per_day: int) -> None:
        self.person_does("anomaly-threshold", f"Have the DCC set {user}'s anomaly detection threshold for SR {srv} to "
                         f"{per_day} a day", "the DCC confirmed the threshold")

    def register(self, role: str, user: str, effective: dt.datetime | None = None) -> None:
        when = "" if effective is None else f" from {effective:%Y-%m-%d %H:%M} UTC"
        self.person_does("register", f"Have the registration data changed: {role} becomes {user}{when}",
                         f"the DCC's registration data names {user} as {role}{when}", role=role, user=user)

    # -- the DCC's CH firmware management (SECMP0024) -------------------------------------------------------

    def announce_ch_firmware(self, release: ChFirmwareRelease, user: str) -> str:
        """The DCC announces releases itself: the one its portal lists to the User with this firmware."""
        answer = self.ch_firmware_portal(user).releases()
        listed = answer.body if answer.status == 200 and isinstance(answer.body, list) else []
        found = next((r["release_id"] for r in listed if isinstance(r, dict)
                      and r.get("firmware_version") == release.firmware_version), None)
        if found is None:
            raise NotOnThisBench(f"the DCC's CH firmware portal lists no release of firmware {release.firmware_version}"
                                 f" (HTTP {answer.status})", where=self.bench.portal_url,
                                 fix="have the DCC announce it on its portal first")
        return str(found)

    def ch_firmware_portal(self, user: str) -> ChFirmwarePortal:
        party = self.config.party(user)
        if not self.bench.portal_url:
            raise NotOnThisBench("this bench names no DCC CH firmware portal", where=self.config.source,
                                 fix="give dcc.ch_firmware_portal: {url, tokens} in the lab config")
        token = self.bench.portal_tokens.get(party.name)
        if token is None:
            raise NotOnThisBench(f"the bench's CH firmware portal has no token for {party.name}",
                                 where=self.config.source, fix=f"add {party.name}: to dcc.ch_firmware_portal.tokens")
        if party.name not in self._portals:
            self._portals[party.name] = ChFirmwarePortal(self.bench.portal_url, token, HttpClient(tls=self._tls))
        return self._portals[party.name]

    def ch_firmware_notices(self, user: str) -> list[Notice]:
        """What the bench's one response service accepted for the User: the DCC posts there with the User's token."""
        self.ch_firmware_portal(user)                       # no portal, no notifications: not on this bench
        assert self.receiver is not None, "the lab has started"
        eui = self.config.party(user).eui.duis
        return [n for n in self.receiver.ch_firmware.snapshot() if n.body.get("to") == eui]

    def withdraw_from_cpl(self, device: str) -> None:
        asset = self.device_config(device).asset or device
        self.person_does("withdraw-from-cpl", f"Have the DCC withdraw the firmware version the {device} ({asset}) runs "
                         "from the Certified Products List", "the DCC confirmed that version is off the list",
                         asset=asset)

    def renew_organisation_certificates(self, party: EntityId) -> None:
        """Renewed with the SMKI by the operator, who leaves each renewed certificate and its key in the bench's
        keystore folder (`renewal_files`); read from there, checked, not in use until the party says so."""
        smki = self._smki_for("renew organisation certificates")
        who = next((u.name for u in self.config.users if u.eui == party), str(party))
        files = smki.renewal_files(party)
        wanted = "; ".join(f"{usage.name.replace('_', ' ').title()}: {pem.name} and {key.name}"
                           for usage, (pem, key) in files.items())
        self.person_does("renew-organisation", f"Renew the organisation certificates of {who} ({party}) with the SMKI "
                         f"and put each renewed certificate and its private key (PEM) in the keystore folder "
                         f"{self.bench.keystore}: {wanted}",
                         "the renewed certificates and keys are in the keystore folder", party=party.duis)
        smki.renew_organisation(party)

    @property
    def repository(self) -> SmkiService:
        """The lab's SMKI adapter (`smki:`), through which the steps' SMKI questions go."""
        return self._smki_for("issue device certificates")

    def _smki_for(self, act: str) -> SmkiService:
        if self.smki is None:
            raise NotOnThisBench(f"this bench names no SMKI adapter to {act}", where=self.config.source,
                                 fix="give smki: in the lab config")
        return self.smki

    def evidence_credentials(self) -> list[Credential]:
        """What checks this bench's evidence offline: public certificates only, those 6.15.2 replaced and the
        SMKI issued included. A real lab's private keys never leave its keystore (offline, MACs stay
        unknown_key)."""
        issued = [credential_of(c) for c in self.smki.issued] if self.smki else []
        return [replace(c, private_key=None) for c in self.keystore.certificates() + issued]

    def firmware_image(self, device: str, version: int, *, signed_by: str | None = None) -> bytes:
        """The manufacturer's image from the bench's firmware library (harness.lab.firmware_library), checked
        before use; signed by anyone but the device's manufacturer, that image signed anew with a key nobody holds."""
        cfg = self.device_config(device)
        image = self.bench.firmware_library.image(cfg.profile, version, device)
        return image if signed_by in (None, cfg.manufacturer) else signed_by_someone_else(image)


class SmkiService:
    """The lab's SMKI as the scenarios need it (an `Smki`, harness.pki.repository): a device certificate for the
    certification request a rekey (6.17) gave. Certificates it issued are kept (`issued`); the keystore is the
    lab's, where 6.15.2 puts them in use. Organisation certificates are renewed by the operator (the SMKI's own
    tools, not an adapter call): their files are read from the keystore folder."""

    def __init__(self, url: str, keystore: Keystore, tls: TlsFiles | None):
        self.url, self.keystore = url.rstrip("/"), keystore
        self._client = HttpClient(tls=tls)
        self.issued: list[x509.Certificate] = []
        self.pending: dict[EntityId, dict[KeyUsage, Credential]] = {}      # renewed, not yet in use

    @property
    def organisation_ca_certificate(self) -> x509.Certificate:
        """The CA of the lab's own organisation certificates, found in the keystore by their issuer."""
        for cred in self.keystore.credentials():
            if cred.private_key is not None and cred.certificate is not None:
                issuer = self.keystore.issuer_of(cred.certificate)
                if issuer is not None:
                    return issuer
        raise NotOnThisBench("the keystore holds no CA certificate of the lab's organisation certificates",
                             where=str(self.keystore.sources[0]) if self.keystore.sources else None,
                             fix="add the SMKI Organisation CA certificate to the keystore")

    def certify_request(self, device: EntityId, usage: KeyUsage, request: bytes) -> x509.Certificate:
        asked = {"device": EntityId(device).duis, "usage": KeyUsage(usage).value,
                 "certification_request": base64.b64encode(request).decode("ascii")}
        status, body = self._client.post(f"{self.url}/device-certificate", json.dumps(asked).encode(),
                                         "application/json")
        if status != 200:
            raise BenchFault(f"SMKI answered HTTP {status}: {body.decode(errors='replace')[:200]}",
                             part="SMKI adapter", fix="is smki: the lab's SMKI adapter?")
        try:
            cert = x509.load_pem_x509_certificate(body)
        except ValueError:
            raise BenchFault("SMKI answered with no PEM certificate", part="SMKI adapter") from None
        self.issued.append(cert)
        return cert

    def renewal_files(self, party: EntityId) -> dict[KeyUsage, tuple[Path, Path]]:
        """Where the operator puts the renewed certificate and key of each organisation key the lab holds for the
        party: <eui>-ds.renewed.pem and .key beside <eui>-ds.pem (a tagged name: the keystore keeps its key in use)."""
        folder = self.keystore.sources[0]
        return {usage: (folder / f"{EntityId(party).file_stem}-{usage.value}.renewed.pem",
                        folder / f"{EntityId(party).file_stem}-{usage.value}.renewed.key")
                for usage in ORGANISATION_USAGES if (found := self.keystore.find(party, usage)) is not None
                and found.private_key is not None}

    def renew_organisation(self, party: EntityId) -> dict[KeyUsage, Credential]:
        """The renewed credentials the operator put in the keystore folder (RealLab.renew_organisation_certificates
        asks for them): each the party's, of its usage, issued by the organisation CA, with its key, and new (not
        a certificate the keystore already held when the scenario started). Otherwise one line: blocked."""
        ca = self.organisation_ca_certificate
        renewed = {}
        for usage, (pem, key_file) in self.renewal_files(party).items():
            renewed[usage] = _renewed_credential(party, usage, pem, key_file, ca, self.keystore)
        self.pending[party] = renewed
        return renewed

    def renewed(self, party: EntityId) -> dict[KeyUsage, Credential]:
        return self.pending.get(party, {})

    def put_organisation_in_use(self, party: EntityId) -> None:
        """From now on the Users of this scenario sign and agree keys with the renewed ones."""
        for credential in self.pending.pop(party, {}).values():
            self.keystore.replace(credential)


def _renewed_credential(party: EntityId, usage: KeyUsage, pem: Path, key_file: Path, ca: x509.Certificate,
                        keystore: Keystore) -> Credential:
    fix = (f"put the certificate the SMKI renewed as {pem.name} and its private key as {key_file.name} in "
           f"{pem.parent}, then run the scenario again")
    try:
        certificate = x509.load_pem_x509_certificate(pem.read_bytes())
        key = serialization.load_pem_private_key(key_file.read_bytes(), password=None)
    except OSError as exc:
        raise NotOnThisBench(f"no renewed organisation certificate: {exc.filename}: {exc.strerror}",
                             where=str(pem.parent), fix=fix) from None
    except ValueError as exc:
        raise NotOnThisBench(f"renewed organisation certificate {pem.name} or key {key_file.name} is not PEM: {exc}",
                             where=str(pem.parent), fix=fix) from None
    # a Prepayment Key Agreement certificate is a key agreement one: the file name says which cell it is for
    kind = KeyUsage.KEY_AGREEMENT if usage is KeyUsage.PREPAYMENT_KEY_AGREEMENT else usage
    named = (entity_id_of(certificate), usage_of(certificate))
    public = certificate.public_key()
    problem = None
    if named != (EntityId(party), kind):
        problem = f"is {named[0]}'s {named[1].value if named[1] else 'unknown usage'} certificate, not {party}'s " \
                  f"{kind.value}"
    elif not isinstance(public, ec.EllipticCurvePublicKey) or not _issued_by(certificate, ca):
        problem = f"is not issued by the organisation CA ({ca.subject.rfc4514_string()})"
    elif not isinstance(key, ec.EllipticCurvePrivateKey) or key.public_key().public_numbers() != \
            public.public_numbers():
        problem = f"does not go with the key {key_file.name}"
    elif any(c.certificate == certificate for c in keystore.candidates(party, usage)):
        problem = "is one the keystore held before this renewal (an earlier renewal's)"
    if problem is not None:
        raise NotOnThisBench(f"the renewed organisation certificate {pem.name} {problem}", where=str(pem.parent),
                             fix=fix)
    assert isinstance(key, ec.EllipticCurvePrivateKey) and isinstance(public, ec.EllipticCurvePublicKey)
    return Credential(EntityId(party), usage, public, certificate, pem, private_key=key)


def _issued_by(certificate: x509.Certificate, ca: x509.Certificate) -> bool:
    try:
        certificate.verify_directly_issued_by(ca)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


def _not_automated(act: str) -> NotOnThisBench:
    return NotOnThisBench(f"needs someone to {act}: not automated on a real lab",
                          fix="run this scenario on the emulated lab, or by hand on the bench")


def _listen_host(host: str | None) -> str:
    """Listen on the response URL's address when it is one of ours by number, else on every interface (the
    URL's name is how the DCC finds this machine, not necessarily a local name)."""
    try:
        return str(ip_address(host or ""))
    except ValueError:
        return "0.0.0.0"
