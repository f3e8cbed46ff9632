"""What a real lab's config names beyond its test sets: the DCC endpoint and the keys to reach it, the
serial ports of device consoles and hand-held terminals, and the ZigBee sniffers watching each test set.

    dcc:
      endpoint: https://dccboxed.bench1.example:8079      # DCC Boxed compatible: /api/v1/serviceS|T|D
      response_url: https://dit.bench1.example:8443/duis  # where the DCC posts responses and alerts
      tls: {certificate: keys/client.pem, key: keys/client.key, ca: keys/dcc-ca.pem}
      benches:                                            # test sets whose bench has a DCC of its own (below)
        DB11-core: {endpoint: https://dccboxed.bench2.example:8079, response_url: https://dit.bench1.example:8444/duis}
      ch_firmware_portal:                                 # the DCC's CH firmware portal (SECMP0024), if any
        url: https://dccportal.bench1.example/ch-firmware
        tokens: {Supplier A: keys/portal-supplier-a.token}  # the bearer token the DCC issued each User
    keystore: keys/smki                                   # the users' organisation keys and certificates
    serial_ports:                                         # by Device Asset Library name
      - {asset: ESME-R1-alder, port: /dev/serial/by-id/usb-FTDI_..., baudrate: 115200}
      - {asset: HHT-R1, port: rfc2217://hht.bench1.example:4001}
    sniffers:
      - {name: SB11 2.4 GHz, test_set: SB11-core, framing: ti-packet-sniffer, port: /dev/ttyACM0, channel: 11}
      - {name: DB11 sub-GHz, test_set: DB11-core, framing: silabs-nodetest, port: /dev/ttyACM1, page: 28,
         channel: 0}
    smki: https://smki.bench1.example:8444/smki            # issues device certificates after a rekey (below)
    ppmid_internet:                                       # PPMIDs with the SECMP0038 internet interface, if any
      - {asset: PPMID-R1-birch, url: http://ppmid.bench1.example:8080}
    prepare: /opt/lab/bench1/prepare                      # run before each scenario (see below)
    time_scale: 1                                         # bench seconds per wall second

`prepare` is the lab's own command that brings a test set back to where every scenario starts (devices
unpowered and configured as new, not yet pre-notified, the CH commissioned): a factory-reset jig, the DCC's
test support tooling. It runs before each scenario with DIT_TEST_SET and DIT_SCENARIO set; a non-zero exit
is a bench fault. `time_scale` is 1 for a real lab; an emulated bench served by `dit lab serve` runs faster.
`smki` is the lab's adapter to its SMKI for device certificates (harness.lab.real.SmkiService): a POST of
{"device", "usage" (ds|ka), "public_key" (hex point)} to <smki>/device-certificate answers the PEM certificate.

`dcc.benches` is for a lab with a DCC Boxed on each bench: that test set's scenarios go to its own endpoint and
are answered at its own response URL (the same TLS files and keystore); `endpoint` and `response_url` may then
be left out when every test set has its own. A DCC posts every response of a User to one URL, so test sets that
share a DCC share one response URL, and a run cannot take them in parallel on one machine (dit run refuses it).

`load` checks the shape: files exist, URLs and ports are well formed, channels exist on their band, every
asset and test set named is the lab's. `unreachable` then checks the bench itself from this machine: every
serial port opens, every ZEP address can be listened on, the prepare command is there, and the DCC health
check passes (TLS files, keystore, endpoint, clock, response URL: harness.adapters.dcc_health). Each problem is
one line naming file:line.
"""

from __future__ import annotations

import copy
import dataclasses
import errno
import math
import os
import re
import shlex
import shutil
import socket
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from harness.errors import DitError
from harness.eui import EntityId
from harness.lab import firmware_library, places
from harness.lab.firmware_library import FirmwareLibrary
from harness.lab.operator import DEFAULT_TIMEOUT_S, OperatorSetting
from harness.lab.places import Places
from harness.lab.profiles import DeviceProfile
from harness.lab.yamlfile import Located, describe

# Page -> the page channel numbers a sub-GHz sniffer can be set to (GBCS sub-GHz channel plan).
SUB_GHZ_CHANNELS = {28: range(0, 27), 29: range(0, 9), 30: range(0, 27), 31: range(0, 27)}
ZIGBEE_2G4_CHANNELS = range(11, 27)
# Sniffer framings and the bands they capture: TI's packet sniffer is 2.4 GHz only; NodeTest firmware on a
# Silicon Labs board and ZEP from a network sniffer carry either.
FRAMINGS = {"ti-packet-sniffer": {"2.4GHz"}, "silabs-nodetest": {"2.4GHz", "sub-GHz"},
            "zep": {"2.4GHz", "sub-GHz"}}
# What pyserial's serial_for_url opens besides a device path.
_SERIAL_SCHEMES = {"rfc2217", "socket", "loop", "spy", "hwgrep"}
_DEVICE_PATH = re.compile(r"^(/dev/\S+|COM\d+)$")
# The fields of each mapping a bench names: any other is refused as a typo.
TLS_FIELDS = ("certificate", "key", "ca")
PORTAL_FIELDS = ("url", "tokens")
SERIAL_PORT_FIELDS = ("asset", "port", "baudrate")
SNIFFER_FIELDS = ("name", "test_set", "framing", "port", "page", "channel")
PPMID_INTERNET_FIELDS = ("asset", "url")
OPERATOR_FIELDS = ("terminal", "web", "timeout_s", "name")
LABGRID_FIELDS = ("coordinator", "places")
OWN_DCC_FIELDS = ("endpoint", "response_url")


@dataclass(frozen=True)
class SerialPort:
    asset: str
    port: str
    baudrate: int = 115200
    where: str = field(default="serial port", compare=False)     # "lab.yaml:80: serial_ports[0]"


@dataclass(frozen=True)
class Sniffer:
    name: str
    test_set: str
    framing: str
    port: str
    band: str                 # 2.4GHz | sub-GHz
    channel: int
    page: int = 0
    where: str = field(default="sniffer", compare=False)         # "lab.yaml:92: sniffers[0]"


@dataclass
class Bench:
    endpoint: str
    response_url: str
    keystore: Path
    tls: dict[str, Path] = field(default_factory=dict)     # certificate, key, ca
    serial_ports: list[SerialPort] = field(default_factory=list)
    sniffers: list[Sniffer] = field(default_factory=list)
    prepare: list[str] = field(default_factory=list)        # the command, split as a shell would
    smki: str = ""
    time_scale: float = 1.0
    ppmid_internet: dict[str, str] = field(default_factory=dict)   # asset -> base URL of its internet interface
    operator: OperatorSetting | None = None                 # where prompts for a person's acts go
    labgrid: Places | None = None                           # test sets whose consoles a labgrid place offers
    portal_url: str = ""                                    # the DCC's CH firmware portal, if the bench has one
    portal_tokens: dict[str, str] = field(default_factory=dict)   # User name -> its bearer token
    firmware_library: FirmwareLibrary = field(default_factory=FirmwareLibrary)   # manufacturers' images by model
    own_dccs: dict[str, Bench] = field(default_factory=dict)   # test set -> its bench with a DCC of its own
    lines: dict[str, str] = field(default_factory=dict)     # field ("dcc.endpoint") -> "lab.yaml:10"
    invalid: set[str] = field(default_factory=set)          # fields already reported malformed: not checked again

    def where(self, name: str) -> str:
        """'lab.yaml:10: dcc.endpoint', or just the field for a bench not read from a file."""
        return f"{self.lines[name]}: {name}" if name in self.lines else name

    def for_test_set(self, name: str) -> Bench:
        """The bench as one test set reaches it: its own DCC (dcc.benches), else the lab's; a copy."""
        return copy.deepcopy(self.own_dccs.get(name, self))

    def response_urls(self, test_sets: list[str]) -> dict[str, list[str]]:
        """Where the DCC of each of these test sets posts: response URL -> the test sets answered there."""
        shared: dict[str, list[str]] = {}
        for name in test_sets:
            shared.setdefault(self.own_dccs.get(name, self).response_url, []).append(name)
        return shared


def load(doc: Located, assets: set[str], test_sets: set[str], problems: list[str],
         profiles: Mapping[str, DeviceProfile] | None = None) -> Bench:
    """The bench of a real-lab config, every problem appended to `problems`. With problems it is partial:
    the ports and sniffers that are well formed, the fields that are not named in `invalid`."""
    folder = Path(doc.where).parent
    dcc = doc.get("dcc")
    urls = {"endpoint": "", "response_url": ""}
    tls: dict[str, Path] = {}
    lines: dict[str, str] = {}
    invalid: set[str] = set()
    if isinstance(dcc, Located):
        fixes = {"endpoint": "the DCC's DUIS endpoint, e.g. https://dccboxed.bench1.example:8079/api/v1",
                 "response_url": "where the DCC can post responses to this machine"}
        own = _own_dccs(dcc, test_sets, problems)
        for key, fix in fixes.items():
            if key not in dcc and test_sets and set(own) >= test_sets:
                continue                # every test set names its own DCC: the lab has none of its own
            before = len(problems)
            urls[key] = _url(dcc, key, fix, problems)
            lines[f"dcc.{key}"] = dcc.at(key)
            if len(problems) > before:
                invalid.add(f"dcc.{key}")
        node = dcc.get("tls")
        if node is not None and not isinstance(node, Located):
            problems.append(str(dcc.fail("tls", "must be a mapping of certificate, key and ca")))
            invalid.add("dcc.tls")
        elif node is not None:
            node.only(TLS_FIELDS)
            before = len(problems)
            for key in ("certificate", "key", "ca"):
                tls[key] = _file(node, key, folder, problems)
                lines[f"dcc.tls.{key}"] = node.at(key)
            if len(problems) > before:
                invalid.add("dcc.tls")
        portal = _portal(dcc.get("ch_firmware_portal"), dcc, folder, problems)
    else:
        portal, own = ("", {}), {}
    before = len(problems)
    keystore = _file(doc, "keystore", folder, problems, directory=True)
    lines["keystore"] = doc.at("keystore")
    if len(problems) > before:
        invalid.add("keystore")
    ports = [_serial_port(node, assets, problems) for node in _items(doc, "serial_ports", problems)]
    seen: dict[str, str] = {}
    for port in filter(None, ports):
        if port.port in seen and not port.port.startswith("loop://"):
            problems.append(f"{doc.where}: serial_ports: {port.asset} and {seen[port.port]} share {port.port} "
                            "(each console or HHT has its own port)")
        seen.setdefault(port.port, port.asset)
    sniffers = [_sniffer(node, test_sets, problems) for node in _items(doc, "sniffers", problems)]
    prepare = doc.optional("prepare", (str, list), "", "one line, as a shell would take it")
    lines["prepare"] = doc.at("prepare")
    try:
        command = shlex.split(prepare) if isinstance(prepare, str) else [_word(doc, word) for word in prepare]
    except ValueError:
        problems.append(str(doc.fail("prepare", f"{prepare!r} is not a command", "one line, as a shell would take it")))
        command = []
    scale = doc.get("time_scale", 1)
    if isinstance(scale, bool) or not isinstance(scale, (int, float)) or not math.isfinite(scale) or scale <= 0:
        problems.append(str(doc.fail("time_scale", f"{scale!r} is not a positive number", "1 for a real lab")))
        scale = 1
    smki = _url(doc, "smki", "the SMKI adapter's URL", problems) if "smki" in doc else ""
    ppmids = {}
    for node in _items(doc, "ppmid_internet", problems):
        node.only(PPMID_INTERNET_FIELDS)
        asset = node.optional("asset", str)
        if asset not in assets:
            problems.append(str(node.fail("asset", f"{asset!r} is in no test set of this lab",
                                          "name a PPMID of the Device Asset Library used by a test set")))
        ppmids[str(asset)] = _url(node, "url", "the base URL of the PPMID's internet interface", problems)
    operator = _operator(doc, problems) if "operator" in doc else None
    places = _labgrid(doc, test_sets, problems) if "labgrid" in doc else None
    library = firmware_library.load(doc, folder, profiles or {}, problems) if "firmware_library" in doc \
        else FirmwareLibrary()
    bench = Bench(urls["endpoint"], urls["response_url"], keystore, tls, [p for p in ports if p],
                  [s for s in sniffers if s], prepare=command, smki=smki, time_scale=float(scale),
                  ppmid_internet=ppmids, operator=operator, labgrid=places, portal_url=portal[0],
                  portal_tokens=portal[1], firmware_library=library, lines=lines, invalid=invalid)
    for name, (endpoint, response_url, at, bad) in own.items():
        bench.own_dccs[name] = dataclasses.replace(
            bench, endpoint=endpoint, response_url=response_url, own_dccs={},
            lines={**lines, "dcc.endpoint": at["endpoint"], "dcc.response_url": at["response_url"]},
            invalid=(invalid - {"dcc.endpoint", "dcc.response_url"}) | bad)
    return bench


def _own_dccs(dcc: Located, test_sets: set[str], problems: list[str]
              ) -> dict[str, tuple[str, str, dict[str, str], set[str]]]:
    """`benches: {<test set>: {endpoint, response_url}}`: each test set's own DCC, where each field is, and
    which are malformed."""
    fix = "e.g. benches: {DB11-core: {endpoint: https://dccboxed.bench2.example:8079, response_url: ...}}"
    node = dcc.get("benches")
    if node is None:
        return {}
    if not isinstance(node, Located) or not node:
        problems.append(str(dcc.fail("benches", "must map test sets to their own DCC's endpoint and response_url",
                                     fix)))
        return {}
    own = {}
    for test_set, each in node.items():
        if test_set not in test_sets:
            problems.append(str(node.fail(test_set, "is not a test set of this lab",
                                          f"test sets are {', '.join(sorted(test_sets))}")))
            continue
        if not isinstance(each, Located):
            problems.append(str(node.fail(test_set, "must be a mapping of endpoint and response_url", fix)))
            continue
        each.only(OWN_DCC_FIELDS)
        urls, at, bad = {}, {}, set()
        for key, what in (("endpoint", "its DCC's DUIS endpoint"), ("response_url", "where its DCC posts")):
            before = len(problems)
            urls[key], at[key] = _url(each, key, what, problems), each.at(key)
            if len(problems) > before:
                bad.add(f"dcc.{key}")
        own[str(test_set)] = (urls["endpoint"], urls["response_url"], at, bad)
    return own


def _portal(node: object, dcc: Located, folder: Path, problems: list[str]) -> tuple[str, dict[str, str]]:
    """The CH firmware portal's URL and each User's bearer token, read from its file (tokens stay out of the
    config, like keys)."""
    if node is None:
        return "", {}
    if not isinstance(node, Located):
        problems.append(str(dcc.fail("ch_firmware_portal", "must be a mapping of url and tokens")))
        return "", {}
    node.only(PORTAL_FIELDS)
    url = _url(node, "url", "the portal's URL, e.g. https://dccportal.bench1.example/ch-firmware", problems)
    files = node.get("tokens")
    if not isinstance(files, Located) or not files:
        problems.append(str(node.fail("tokens", "must map each User's name to its token file",
                                      "e.g. tokens: {Supplier A: keys/portal-supplier-a.token}")))
        return url, {}
    tokens = {}
    for user in files:
        path = _file(files, user, folder, problems)
        if path.is_file():
            tokens[str(user)] = path.read_text(encoding="utf-8", errors="replace").strip()
    return url, tokens


def _labgrid(doc: Located, test_sets: set[str], problems: list[str]) -> Places | None:
    """`labgrid: {coordinator: HOST:PORT, places: {<test set>: <place>}}`."""
    fix = "e.g. labgrid: {coordinator: labgrid.lab.example:20408, places: {SB11-core: bench1-sb11}}"
    node = doc.get("labgrid")
    if not isinstance(node, Located):
        problems.append(str(doc.fail("labgrid", "must be a mapping of coordinator and places", fix)))
        return None
    node.only(LABGRID_FIELDS)
    coordinator = node.optional("coordinator", str, fix=fix)
    if not coordinator or not re.fullmatch(r"[A-Za-z0-9.\-\[\]:]+:\d{1,5}", coordinator):
        problems.append(str(node.fail("coordinator", f"{coordinator!r} is not HOST:PORT", fix)))
        return None
    places = node.get("places")
    if not isinstance(places, Located) or not places:
        problems.append(str(node.fail("places", "must map test sets to labgrid places", fix)))
        return None
    chosen: dict[str, str] = {}
    for test_set, place in places.items():
        if test_set not in test_sets:
            problems.append(str(places.fail(test_set, "is not a test set of this lab", f"test sets are "
                                            f"{', '.join(sorted(test_sets))}")))
        elif not isinstance(place, str) or not place:
            problems.append(str(places.fail(test_set, f"{place!r} is not a place name", fix)))
        else:
            chosen[test_set] = place
    return Places(coordinator, chosen, where=f"{node.at()}: labgrid")


def _operator(doc: Located, problems: list[str]) -> OperatorSetting | None:
    """`operator: {terminal: /dev/tty or true, web: "HOST:PORT" or PORT or true, timeout_s: 600, name: ...}`."""
    fix = "e.g. operator: {web: 8600, timeout_s: 900}"
    node = doc.get("operator")
    if not isinstance(node, Located):
        problems.append(str(doc.fail("operator", "must be a mapping of terminal, web, timeout_s and name", fix)))
        return None
    node.only(OPERATOR_FIELDS)
    parts = []
    terminal, web = node.get("terminal"), node.get("web")
    if terminal is not None and terminal is not False:
        parts.append("terminal" if terminal is True else f"terminal:{terminal}")
    if web is not None and web is not False:
        parts.append("web" if web is True else f"web:{web}")
    timeout = node.get("timeout_s", DEFAULT_TIMEOUT_S)
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not math.isfinite(timeout) or timeout <= 0:
        problems.append(str(node.fail("timeout_s", f"{timeout!r} is not a positive number of seconds", fix)))
        return None
    try:
        return OperatorSetting.parse("+".join(parts), timeout_s=float(timeout),
                                     name=str(node.optional("name", str, "", "the operator's name")))
    except DitError as exc:
        problems.append(str(node.fail("web" if web is not None else "terminal", exc.what, exc.fix)))
        return None


def unreachable(bench: Bench, users: Mapping[str, EntityId], *, consoles: Mapping[str, list[str]] | None = None,
                timeout: float = 5.0) -> list[str]:
    """What of the bench this machine cannot reach, one line each: the DCC health check, then every serial
    port and sniffer (shape problems already reported are not repeated), then the labgrid places: missing, held by
    someone else, or without a console of `consoles` (test set -> its devices' assets)."""
    # The DUIS client stack is only needed when checking a real lab.
    from harness.adapters import dcc_health

    problems = dcc_health.health_check(bench, None if "keystore" in bench.invalid else bench.keystore,
                                       users=users, timeout=timeout)
    for port in bench.serial_ports:
        reason = _cannot_open(port.port, port.baudrate)
        if reason:
            problems.append(f"{port.where} ({port.asset}) {port.port}: cannot open: {reason}")
    if bench.prepare and shutil.which(bench.prepare[0]) is None:
        problems.append(f"{bench.where('prepare')} {bench.prepare[0]}: not found or not executable here "
                        "(the lab's command that resets a test set before each scenario)")
    for sniffer in bench.sniffers:
        reason = _cannot_listen_udp(sniffer.port) if sniffer.framing == "zep" else _cannot_open(sniffer.port, 115200)
        if reason:
            verb = "cannot listen" if sniffer.framing == "zep" else "cannot open"
            problems.append(f"{sniffer.where} ({sniffer.name}) {sniffer.port}: {verb}: {reason}")
    if bench.labgrid is not None:
        problems += places.problems(bench.labgrid, dict(consoles or {}))
    return problems


def _cannot_open(port: str, baudrate: int) -> str | None:
    """Why a serial port does not open, with what to check (None if it opens)."""
    import serial  # pyserial: only a real lab's check opens ports

    try:
        serial.serial_for_url(port, baudrate=baudrate, timeout=0.5).close()
    except (serial.SerialException, OSError, ValueError) as exc:
        # pyserial wraps the OS error in its own message: the original's words are the reason.
        cause = exc.__context__ if isinstance(exc.__context__, OSError) else exc
        number = getattr(cause, "errno", None)
        if isinstance(number, int) and number > 0:
            words = os.strerror(number)
        else:                       # a resolver error (negative), or none at all
            words = getattr(cause, "strerror", None) or str(cause)
        reason = words[:1].lower() + words[1:]
        if number == errno.EACCES:
            return f"{reason} (add the bench user to the dialout group, then log in again)"
        if _DEVICE_PATH.match(port):
            return f"{reason} (is the adapter plugged in? ls /dev/serial/by-id)"
        return f"{reason} (is the serial server up? check the host and port)"
    return None


def _cannot_listen_udp(address: str) -> str | None:
    """Why ZEP cannot be received on a udp://host:port address (None if it can)."""
    parts = urlsplit(address)
    try:
        family, kind, proto, _, sockaddr = socket.getaddrinfo(parts.hostname or "0.0.0.0", parts.port,
                                                              type=socket.SOCK_DGRAM)[0]
        with socket.socket(family, kind, proto) as sock:
            sock.bind(sockaddr)
    except OSError as exc:
        words = (exc.strerror or str(exc)).lower()
        return f"{words} (is another capture listening there? is the address this machine's?)"
    return None


def _word(doc: Located, word: object) -> str:
    """A word of a prepare command written as a list: text or a number, never a list or mapping."""
    if isinstance(word, (list, dict)):
        raise doc.fail("prepare", f"a word of the command is {describe(word)}", "write each word as text")
    return str(word)


def _items(doc: Located, key: str, problems: list[str]) -> list[Located]:
    try:
        return doc.items_of(key)
    except DitError as exc:
        problems.append(str(exc))
        return []


def _address(text: str) -> tuple[str, str | None, int | None]:
    """Scheme, host and port of a URL: none of a URL urllib cannot take apart ('https://[x'), no port where it
    is not a number ('udp://host: 1', hwgrep://0403:60a1)."""
    try:
        parts = urlsplit(text)
    except ValueError:
        return "", None, None
    try:
        return parts.scheme, parts.hostname, parts.port
    except ValueError:
        return parts.scheme, parts.hostname, None


def _url(node: Located, key: str, fix: str, problems: list[str]) -> str:
    value = node.optional(key, str, fix=fix)
    if value is None:
        problems.append(str(node.fail(key, "missing", fix)))
        return ""
    scheme, host, _ = _address(value)
    if scheme not in ("http", "https") or not host:
        problems.append(str(node.fail(key, f"{value!r} is not an http(s) URL", fix)))
    return str(value)


def _file(node: Located, key: str, folder: Path, problems: list[str], directory: bool = False) -> Path:
    what = "directory" if directory else "file"
    value = node.optional(key, str, fix=f"give the {what}'s path, relative to the config")
    if value is None:
        problems.append(str(node.fail(key, "missing", f"give the {what}'s path, relative to the config")))
        return folder
    path = folder / str(value)
    if not (path.is_dir() if directory else path.is_file()):
        problems.append(str(node.fail(key, f"{path} is not a {what}",
                                      "keys stay outside the repository: put them there or change the path")))
    return path


def _serial_port(node: Located, assets: set[str], problems: list[str]) -> SerialPort | None:
    node.only(SERIAL_PORT_FIELDS)
    asset, port, baudrate = node.optional("asset", str), node.get("port"), node.get("baudrate", 115200)
    ok = True
    if asset not in assets:
        problems.append(str(node.fail("asset", f"{asset!r} is in no test set of this lab",
                                      "name a device of the Device Asset Library used by a test set")))
        ok = False
    if not _serial_url(port):
        problems.append(str(node.fail("port", f"{port!r} is not a serial port",
                                      "a device path (/dev/ttyUSB0, COM3) or rfc2217://host:port, socket://host:port")))
        ok = False
    if not isinstance(baudrate, int) or isinstance(baudrate, bool) or baudrate <= 0:
        problems.append(str(node.fail("baudrate", f"{baudrate!r} is not a baud rate", "e.g. 115200")))
        ok = False
    return SerialPort(str(asset), str(port), baudrate, f"{node.at('port')}: {node.path}") if ok else None


def _serial_url(port) -> bool:
    if not isinstance(port, str):
        return False
    if _DEVICE_PATH.match(port):
        return True
    scheme, host, number = _address(port)
    if scheme not in _SERIAL_SCHEMES:
        return False
    return scheme in ("loop", "spy", "hwgrep") or (bool(host) and number is not None)


def _sniffer(node: Located, test_sets: set[str], problems: list[str]) -> Sniffer | None:
    node.only(SNIFFER_FIELDS)
    before = len(problems)
    name, test_set, framing = (node.optional(key, str) for key in ("name", "test_set", "framing"))
    if not name:
        problems.append(str(node.fail("name", "missing", "name the sniffer as the lab knows it")))
    if test_set not in test_sets:
        problems.append(str(node.fail("test_set", f"{test_set!r} is not a test set of this lab",
                                      f"test sets are {', '.join(sorted(test_sets))}")))
    if framing not in FRAMINGS:
        problems.append(str(node.fail("framing", f"{framing!r} is not a sniffer framing",
                                      f"use one of {', '.join(FRAMINGS)}")))
    port = node.get("port")
    if framing == "zep":
        scheme, _, number = _address(str(port))
        if scheme != "udp" or number is None:
            problems.append(str(node.fail("port", f"{port!r} is not a UDP listening address",
                                          "ZEP arrives on UDP, e.g. udp://0.0.0.0:17754")))
    elif not _serial_url(port):
        problems.append(str(node.fail("port", f"{port!r} is not a serial port", "e.g. /dev/ttyACM0")))
    page, channel = node.optional("page", int, 0), node.optional("channel", int)
    band = "2.4GHz" if page == 0 else "sub-GHz"
    if page != 0 and page not in SUB_GHZ_CHANNELS:
        problems.append(str(node.fail("page", f"{page!r} is not a channel page",
                                      "0 for 2.4 GHz, 28 to 31 for sub-GHz")))
    elif channel not in (ZIGBEE_2G4_CHANNELS if page == 0 else SUB_GHZ_CHANNELS[page]):
        allowed = ZIGBEE_2G4_CHANNELS if page == 0 else SUB_GHZ_CHANNELS[page]
        problems.append(str(node.fail("channel", f"{channel!r} is not a channel of page {page}",
                                      f"page {page} has channels {allowed.start} to {allowed.stop - 1}")))
    elif framing in FRAMINGS and band not in FRAMINGS[framing]:
        problems.append(str(node.fail("framing", f"a {framing} sniffer cannot capture {band}",
                                      "use a silabs-nodetest or ZEP sniffer for sub-GHz")))
    if len(problems) > before:
        return None
    return Sniffer(str(name), str(test_set), str(framing), str(port), band, int(channel), int(page),
                   f"{node.at('port')}: {node.path}")
