"""DUIS to a real DCC: HTTPS with mutual TLS both ways, the DCC health check, `dit lab check` reaching a real
lab's bench, and the DCC-side faults a service user reports as BenchFaults (the bench failed, not the system
under test). Everything runs on loopback with a throwaway CA made here."""

from __future__ import annotations

import datetime as dt
import email.utils
import http.client
import ipaddress
import re
import shutil
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from dit_command import dit

from harness import httpio
from harness.adapters.dcc_health import health_check
from harness.adapters.duis_client import DccEndpoint, ResponseReceiver
from harness.adapters.service_user import ServiceUser
from harness.clock import LAB_EPOCH, VirtualClock
from harness.duis import xml, xmldsig
from harness.duis.request_id import RequestCounter, RequestId
from harness.duis.responses import build_response, response_message
from harness.errors import BenchFault, DitError
from harness.eui import DCC_ACCESS_CONTROL_BROKER, EntityId
from harness.httpio import HttpClient, HttpServer, TlsFiles, Unreachable
from harness.lab.bench import Bench
from harness.lab.config import DEFAULT
from harness.pki import KeyUsage

SUPPLIER_A = EntityId("90-B3-D5-1F-30-01-00-00")
ESME = EntityId("00-DB-12-34-56-78-90-A0")
REAL = DEFAULT.parent / "real_example.yaml"


# -- a throwaway PKI ---------------------------------------------------------------------------------------------

def _issue(subject: str, key, issuer: x509.Name | None = None, issuer_key=None, *, ca: bool = False,
           usage=None, san: list | None = None) -> x509.Certificate:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)])
    issuer_key = issuer_key or key
    now = dt.datetime.now(dt.UTC)
    builder = (x509.CertificateBuilder().subject_name(name).issuer_name(issuer or name)
               .public_key(key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=30))
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
               .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
               .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
                              critical=False))
    if ca:
        builder = builder.add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False,
                                                      key_encipherment=False, data_encipherment=False,
                                                      key_agreement=False, key_cert_sign=True, crl_sign=True,
                                                      encipher_only=False, decipher_only=False), critical=True)
    if usage:
        builder = builder.add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
    if san:
        builder = builder.add_extension(x509.SubjectAlternativeName(san), critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


def _write(folder: Path, name: str, cert: x509.Certificate, key) -> tuple[Path, Path]:
    pem, key_file = folder / f"{name}.pem", folder / f"{name}.key"
    pem.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return pem, key_file


@dataclass
class Pki:
    ca: Path
    server: TlsFiles          # the DCC's side: its certificate, and our CA to verify clients with
    client: TlsFiles          # the User's side: its client certificate, and the CA to verify the DCC with
    stranger: TlsFiles        # a client certificate from another CA
    other_key: Path           # a key that matches none of the certificates


@pytest.fixture(scope="module")
def pki(tmp_path_factory) -> Pki:
    folder = tmp_path_factory.mktemp("tls")
    ca_key, other_ca_key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca = _issue("DIT test CA", ca_key, ca=True)
    other_ca = _issue("Another CA", other_ca_key, ca=True)
    ca_file = folder / "ca.pem"
    ca_file.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    keys = {name: ec.generate_private_key(ec.SECP256R1()) for name in ("server", "client", "stranger", "other")}
    server = _issue("127.0.0.1", keys["server"], ca.subject, ca_key, usage=ExtendedKeyUsageOID.SERVER_AUTH,
                    san=[x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))])
    client = _issue("DIT bench 1", keys["client"], ca.subject, ca_key, usage=ExtendedKeyUsageOID.CLIENT_AUTH)
    stranger = _issue("Someone else", keys["stranger"], other_ca.subject, other_ca_key,
                      usage=ExtendedKeyUsageOID.CLIENT_AUTH)
    other = _issue("unused", keys["other"], ca.subject, ca_key)
    return Pki(ca_file, TlsFiles(*_write(folder, "server", server, keys["server"]), ca_file),
               TlsFiles(*_write(folder, "client", client, keys["client"]), ca_file),
               TlsFiles(*_write(folder, "stranger", stranger, keys["stranger"]), ca_file),
               _write(folder, "other", other, keys["other"])[1])


def _echo(path: str, body: bytes) -> tuple[int, str, bytes]:
    return 200, "text/plain", path.encode() + b" " + body


@pytest.fixture
def dcc(pki):
    """An HTTPS server that requires a client certificate from the test CA."""
    server = HttpServer(_echo, tls=pki.server).start()
    yield server
    server.stop()


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# -- mutual TLS --------------------------------------------------------------------------------------------------

def test_a_client_posts_over_mutual_tls(pki, dcc):
    assert dcc.base_url.startswith("https://127.0.0.1:")
    client = HttpClient(timeout=5, tls=pki.client)
    try:
        for n in range(3):                    # over one kept-alive connection
            assert client.post(f"{dcc.base_url}/api/v1/serviceS", f"request {n}".encode()) == \
                (200, f"/api/v1/serviceS request {n}".encode())
    finally:
        client.close()
    assert dcc.refused == [] and dcc.errors == []


def test_a_client_from_another_ca_is_refused(pki, dcc):
    with pytest.raises(Unreachable) as info:
        HttpClient(timeout=5, tls=pki.stranger).post(f"{dcc.base_url}/api/v1/serviceS", b"x")
    fault = info.value
    assert isinstance(fault, BenchFault) and fault.part == "DCC endpoint"
    assert fault.reason.startswith("TLS: the server refused the handshake"), fault.reason
    assert "\n" not in str(fault)
    _wait_for(lambda: dcc.refused)
    assert "certificate verify failed" in dcc.refused[0]


def test_a_client_without_a_certificate_is_refused(pki, dcc):
    # Trusting the server but presenting nothing: the server ends the handshake.
    context = ssl.create_default_context(cafile=str(pki.ca))
    conn = http.client.HTTPSConnection("127.0.0.1", dcc.server_address[1], timeout=5, context=context)
    with pytest.raises(OSError) as info:
        conn.request("POST", "/api/v1/serviceS", b"x")
        conn.getresponse()
    conn.close()
    reason, _ = httpio.describe(info.value, 5)
    assert reason.startswith("TLS: the server refused the handshake") and "certificate required" in reason, reason
    _wait_for(lambda: dcc.refused)
    assert "did not return a certificate" in dcc.refused[0]


def test_a_client_without_tls_files_does_not_trust_the_dcc(dcc):
    with pytest.raises(Unreachable) as info:
        HttpClient(timeout=5).post(f"{dcc.base_url}/api/v1/serviceS", b"x")
    assert info.value.reason.startswith("TLS: certificate verify failed"), info.value.reason


def test_a_refused_port_is_a_bench_fault_in_one_line():
    url = f"http://127.0.0.1:{_closed_port()}/api/v1/serviceS"
    with pytest.raises(BenchFault) as info:
        HttpClient(timeout=5).post(url, b"x")
    assert str(info.value) == f"cannot reach {url}: connection refused (is the DCC Boxed up? check the URL and port)"
    assert info.value.part == "DCC endpoint" and info.value.__cause__ is None


def test_plain_http_on_an_https_url_says_so(pki):
    server = HttpServer(_echo).start()
    try:
        with pytest.raises(Unreachable) as info:
            HttpClient(timeout=5, tls=pki.client).post(server.base_url.replace("http:", "https:") + "/x", b"x")
    finally:
        server.stop()
    assert info.value.reason.startswith("TLS:") and "plain http" in info.value.fix, info.value


@pytest.mark.parametrize("broken, message", [
    ("missing key", "cannot read: no such file or directory"),
    ("not PEM", "not a PEM private key"),
    ("encrypted", "the private key is encrypted"),
    ("wrong key", "does not match the certificate"),
    ("missing CA", "cannot read: no such file or directory"),
])
def test_tls_files_that_do_not_load_name_the_file(pki, tmp_path, broken, message):
    key, ca = tmp_path / "client.key", pki.ca
    if broken == "not PEM":
        key.write_text("client key goes here\n")
    elif broken == "encrypted":
        loaded = serialization.load_pem_private_key(pki.client.key.read_bytes(), None)
        key.write_bytes(loaded.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                             serialization.BestAvailableEncryption(b"secret")))
    elif broken == "wrong key":
        key = pki.other_key
    elif broken == "missing CA":
        key, ca = pki.client.key, tmp_path / "ca.pem"
    files = TlsFiles(pki.client.certificate, key, ca)
    for make in (lambda: HttpClient(tls=files), lambda: HttpServer(_echo, tls=files)):
        with pytest.raises(DitError) as info:
            make()
        named = ca if broken == "missing CA" else key
        assert str(info.value).startswith(f"{named}: {message}"), str(info.value)


def test_a_client_does_not_trust_a_server_its_ca_did_not_issue(pki):
    """With TLS files the client trusts only their CA: a server presenting another CA's certificate is refused."""
    impostor = HttpServer(_echo, tls=TlsFiles(pki.stranger.certificate, pki.stranger.key, pki.ca)).start()
    try:
        with pytest.raises(Unreachable) as info:
            HttpClient(timeout=5, tls=pki.client).post(impostor.base_url + "/api/v1/serviceS", b"x")
    finally:
        impostor.stop()
    assert info.value.reason.startswith("TLS: certificate verify failed"), info.value.reason


def test_an_expired_certificate_is_refused_when_the_client_is_made(pki, tmp_path):
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "DIT bench 1")])
    now = dt.datetime.now(dt.UTC)
    expired = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
               .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=60))
               .not_valid_after(now - dt.timedelta(days=1)).sign(key, hashes.SHA256()))
    certificate, key_file = _write(tmp_path, "expired", expired, key)
    with pytest.raises(DitError) as info:
        HttpClient(tls=TlsFiles(certificate, key_file, pki.ca))
    assert str(info.value).startswith(f"{certificate}: expired on "), str(info.value)


# -- the DCC health check ----------------------------------------------------------------------------------------

def _bench(pki: Pki, endpoint: str, keystore: Path, **tls: Path) -> Bench:
    files = {"certificate": pki.client.certificate, "key": pki.client.key, "ca": pki.ca, **tls}
    return Bench(endpoint, f"https://127.0.0.1:{_closed_port()}/duis/responses", keystore, files)


def test_a_good_bench_is_healthy(pki, dcc, smki):
    assert health_check(_bench(pki, dcc.base_url, smki.directory), smki.directory,
                        users={"Supplier A": SUPPLIER_A}) == []


def test_each_broken_part_of_the_bench_is_one_line(pki, dcc, smki, tmp_path):
    down = f"https://127.0.0.1:{_closed_port()}"
    cases = [
        (_bench(pki, down, smki.directory), {}, f"dcc.endpoint {down}: unreachable: connection refused "
                                               "(is the DCC Boxed up? check the URL and port)"),
        (_bench(pki, dcc.base_url, smki.directory, key=pki.other_key), {},
         f"dcc.tls.key {pki.other_key}: does not match the certificate {pki.client.certificate}"),
        (_bench(pki, dcc.base_url, smki.directory, ca=tmp_path / "dcc-ca.pem"), {},
         f"dcc.tls.ca {tmp_path / 'dcc-ca.pem'}: cannot read: no such file or directory"),
        (_bench(pki, dcc.base_url, smki.directory), {"The ESME": ESME},
         f"keystore {smki.directory}: The ESME: no XML certificate for {ESME}"),
        (_bench(pki, dcc.base_url, tmp_path / "smki"), {}, f"keystore {tmp_path / 'smki'}: keystore directory not "
                                                           "found"),
    ]
    for bench, users, expected in cases:
        lines = health_check(bench, bench.keystore, users=users or {"Supplier A": SUPPLIER_A})
        assert len(lines) == 1 and lines[0].startswith(expected), (expected, lines)


def test_a_dcc_clock_ten_minutes_off_is_reported(pki, dcc, smki, monkeypatch):
    monkeypatch.setattr(httpio._Handler, "date_time_string",
                        lambda self, timestamp=None: email.utils.formatdate(time.time() + 600, usegmt=True))
    lines = health_check(_bench(pki, dcc.base_url, smki.directory), smki.directory)
    said = re.match(rf"dcc.endpoint {dcc.base_url}: its clock is (\d+) min (\d+) s ahead of this machine's "
                    r"\(Date: .+ GMT\) \(set both from NTP", lines[0])
    assert len(lines) == 1 and said and _about_ten_minutes(said), lines


def _about_ten_minutes(said: re.Match) -> bool:
    """The Date header is whole seconds and the exchange takes a moment (longer on a loaded machine)."""
    return abs(int(said[1]) * 60 + int(said[2]) - 600) <= 2


def test_a_response_url_whose_port_is_taken_is_reported(pki, dcc, smki):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        bench = _bench(pki, dcc.base_url, smki.directory)
        bench.response_url = f"https://127.0.0.1:{port}/duis/responses"
        lines = health_check(bench, smki.directory)
    assert len(lines) == 1 and f"dcc.response_url {bench.response_url}: cannot listen on port {port}: address " \
                                "already in use" in lines[0], lines


def test_a_dcc_clock_ten_minutes_behind_is_reported_too(pki, dcc, smki, monkeypatch):
    # a DCC behind ours rejects our timestamps as future-dated just as one ahead rejects them as stale
    monkeypatch.setattr(httpio._Handler, "date_time_string",
                        lambda self, timestamp=None: email.utils.formatdate(time.time() - 600, usegmt=True))
    lines = health_check(_bench(pki, dcc.base_url, smki.directory), smki.directory)
    said = re.match(rf"dcc.endpoint {dcc.base_url}: its clock is (\d+) min (\d+) s behind this machine's", lines[0])
    assert len(lines) == 1 and said and _about_ten_minutes(said), lines


def test_a_response_url_on_an_address_in_front_of_this_machine_is_not_refused(pki, dcc, smki):
    # behind NAT or a proxy the DCC posts to an address that is not this machine's: listening on every interface
    # at that port is what counts (192.0.2.0/24 is documentation space, never ours)
    bench = _bench(pki, dcc.base_url, smki.directory)
    bench.response_url = f"https://192.0.2.10:{_closed_port()}/duis/responses"
    assert health_check(bench, smki.directory) == []


def test_a_keystore_with_certificates_but_no_xml_signing_key_is_reported(pki, dcc, smki, tmp_path):
    # every request is signed: a User's XML certificate without its private key signs nothing
    for pem in smki.directory.glob("*.pem"):
        shutil.copy(pem, tmp_path)
    lines = health_check(_bench(pki, dcc.base_url, tmp_path), tmp_path)
    assert len(lines) == 1 and lines[0].startswith(f"keystore {tmp_path}: holds no XML signing key"), lines


# -- dit lab check on a real lab -----------------------------------------------------------------------------------

def _real_lab(tmp_path: Path, pki: Pki, keystore: Path, endpoint: str, first_port: str = "loop://",
              prepare: str = "/bin/true") -> Path:
    text = REAL.read_text()
    for old, new in [("https://dccboxed.bench1.lab.example:8079/api/v1", endpoint),
                     ("/opt/dit/bench1/prepare-test-set", prepare),
                     ("https://dit.bench1.lab.example:8443", f"https://127.0.0.1:{_closed_port()}"),
                     ("/etc/dit/bench1/tls/client.pem", str(pki.client.certificate)),
                     ("/etc/dit/bench1/tls/client.key", str(pki.client.key)),
                     ("/etc/dit/bench1/tls/dcc-ca.pem", str(pki.ca)),
                     ("/etc/dit/bench1/smki", str(keystore)),
                     ('"udp://0.0.0.0:17754"', '"udp://127.0.0.1:0"')]:
        assert old in text
        text = text.replace(old, new)
    text = re.sub(r"port: (/dev/|rfc2217://)[^,}\s]+", "port: loop://", text)
    text = text.replace("port: loop://", f"port: {first_port}", 1)
    (tmp_path / "dal").mkdir()
    shutil.copy(DEFAULT.parent / "dal" / "real_example.yaml", tmp_path / "dal")
    path = tmp_path / "real.yaml"
    path.write_text(text)
    return path


def test_dit_lab_check_reaches_a_good_real_lab(pki, dcc, smki, tmp_path):
    path = _real_lab(tmp_path, pki, smki.directory, dcc.base_url)
    result = dit("lab", "check", str(path))
    assert result.returncode == 0 and result.stdout == "", result.stdout + result.stderr
    assert "5 serial ports, 3 sniffers open, DCC endpoint answers" in result.stderr


def test_dit_lab_check_names_what_it_cannot_reach(pki, smki, tmp_path):
    down = f"https://127.0.0.1:{_closed_port()}"
    path = _real_lab(tmp_path, pki, smki.directory, down, first_port="/dev/ttyNOPE", prepare="/opt/nope/prepare")
    text = path.read_text()
    result = dit("lab", "check", str(path))
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    line_of = {fragment: text[:text.index(fragment)].count("\n") + 1
               for fragment in (down, "/dev/ttyNOPE", "/opt/nope")}
    assert result.stdout.splitlines() == [
        f"{path}:{line_of[down]}: dcc.endpoint {down}: unreachable: connection refused "
        "(is the DCC Boxed up? check the URL and port)",
        f"{path}:{line_of['/dev/ttyNOPE']}: serial_ports[0] (ESME-R1-alder) /dev/ttyNOPE: cannot open: no such file or "
        "directory (is the adapter plugged in? ls /dev/serial/by-id)",
        f"{path}:{line_of['/opt/nope']}: prepare /opt/nope/prepare: not found or not executable here (the lab's "
        "command that resets a test set before each scenario)"]
    offline = dit("lab", "check", "--offline", str(path))
    assert offline.returncode == 0 and offline.stdout == "", offline.stdout


# -- a service user's DCC-side faults ------------------------------------------------------------------------------

def _signed_response(request: bytes, keystore, code: str, *, tamper: bool = False,
                     signer: EntityId = DCC_ACCESS_CONTROL_BROKER) -> bytes:
    """The DCC's answer to a request, signed with the DCC's XML key (or `signer`'s; altered after signing if
    `tamper`)."""
    root = xml.parse(request)
    rid = RequestId.parse(xml.text(root, "sr:Header/sr:RequestID"))
    response = build_response(response_message(xml.text(root, "sr:Header/sr:ServiceReferenceVariant")),
                              response_code=code, response_date_time=LAB_EPOCH, request_id=rid)
    cred = keystore.credential(signer, KeyUsage.XML_SIGNING, private=True)
    xmldsig.sign(response, cred.private_key, cred.certificate)
    data = xml.serialize(response)
    return data.replace(f">{code}<".encode(), b">E1<") if tamper else data


class StubDcc:
    """Answers every DUIS request as `behaviour` says: ack, malformed, badly signed, or ack and post later."""

    def __init__(self, behaviour: str, keystore, receiver: ResponseReceiver, client: HttpClient | None = None):
        self.behaviour, self.keystore, self.receiver = behaviour, keystore, receiver
        self.client = client or HttpClient(timeout=5)
        self.server = HttpServer(self._on_post).start()

    def _on_post(self, path: str, body: bytes) -> tuple[int, str, bytes]:
        if self.behaviour == "malformed":
            return 200, "text/html", b"<html><body>Service Unavailable"
        if self.behaviour == "bad signature":
            return 200, "application/xml", _signed_response(body, self.keystore, "I99", tamper=True)
        if self.behaviour == "signed by a User":
            return 200, "application/xml", _signed_response(body, self.keystore, "I99", signer=SUPPLIER_A)
        if self.behaviour in ("bad async signature", "async over the wrong TLS"):
            try:
                self.client.post(self.receiver.url, _signed_response(body, self.keystore, "I0", tamper=True))
            except Unreachable:
                # The receiver refused the handshake: what the test is about. Its server thread notes the refusal
                # after the alert that reached us, so wait for the note: a real DCC's response comes long after
                # its acknowledgement, while the virtual clock would otherwise let the wait end first.
                deadline = time.monotonic() + 60
                while not self.receiver.refused and time.monotonic() < deadline:
                    time.sleep(0.01)
        return 200, "application/xml", _signed_response(body, self.keystore, "I99")

    def stop(self) -> None:
        self.server.stop()
        self.client.close()


def _supplier(smki, endpoint_url: str, receiver: ResponseReceiver, clock: VirtualClock) -> ServiceUser:
    return ServiceUser("Supplier A", SUPPLIER_A, endpoint=DccEndpoint(endpoint_url), receiver=receiver,
                       keystore=smki.keystore, clock=clock, counter=RequestCounter(clock.millis),
                       dcc=DCC_ACCESS_CONTROL_BROKER, schema=None)


@pytest.mark.parametrize("behaviour, part, message", [
    ("refused", "DCC endpoint", r"cannot reach http://127\.0\.0\.1:\d+/api/v1/serviceS: connection refused"),
    ("malformed", "DCC endpoint", r"synchronous response from serviceS:1: not well-formed XML"),
    ("bad signature", "DCC endpoint", r"synchronous response from serviceS: DCC signature invalid"),
    ("signed by a User", "DCC endpoint", r"synchronous response from serviceS: signed by 90-B3-D5-1F-30-01-00-00 "
                                         r"\(XML_SIGN\), not with the DCC's XML signing key"),
    ("silent", "DCC response service", r"no response to 90-B3-D5-1F-30-01-00-00:00-DB-12-34-56-78-90-A0:\d+ within "
                                       r"60 s \(is the DCC's response URL for Supplier A set to http://127"),
    ("bad async signature", "DCC response service", r"no response to \S+ within 60 s; DCC responses rejected: "
                                                    r"POSTed response: DCC signature invalid"),
])
def test_dcc_side_faults_are_bench_faults(smki, behaviour, part, message):
    clock = VirtualClock()
    receiver = ResponseReceiver(clock=clock, keystore=smki.keystore, schema=None).start()
    stub = None if behaviour == "refused" else StubDcc(behaviour, smki.keystore, receiver)
    url = f"http://127.0.0.1:{_closed_port()}" if stub is None else stub.server.base_url
    supplier = _supplier(smki, url + "/api/v1", receiver, clock)
    try:
        with pytest.raises(BenchFault) as info:
            supplier.send("11.2", ESME, timeout=60)
    finally:
        receiver.stop()
        if stub:
            stub.stop()
    fault = info.value
    assert fault.part == part and re.match(message, str(fault)), str(fault)
    exchange = supplier.exchanges[-1]
    assert exchange.problem == str(fault) and exchange.evidence[0].label == "request to serviceS"
    if behaviour in ("malformed", "bad signature", "signed by a User"):     # what came back is kept as evidence
        assert exchange.evidence[-1].label == "synchronous response"


def test_a_dcc_refused_by_the_tls_response_service_is_named(smki, pki):
    """A real lab's receiver requires the DCC's certificate: a DCC presenting another CA's delivers nothing."""
    clock = VirtualClock()
    receiver = ResponseReceiver(clock=clock, keystore=smki.keystore, schema=None, tls=pki.server,
                                path="/duis/responses").start()
    stub = StubDcc("async over the wrong TLS", smki.keystore, receiver, HttpClient(timeout=5, tls=pki.stranger))
    supplier = _supplier(smki, stub.server.base_url + "/api/v1", receiver, clock)
    try:
        assert receiver.url.startswith("https://127.0.0.1:") and receiver.url.endswith("/duis/responses")
        with pytest.raises(BenchFault) as info:
            supplier.send("11.2", ESME, timeout=60)
    finally:
        receiver.stop()
        stub.stop()
    assert "; TLS handshakes to the response service refused: 127.0.0.1: TLS: certificate verify failed" in \
        str(info.value), str(info.value)


def test_the_tls_response_service_accepts_the_dccs_documents(smki, pki):
    clock = VirtualClock()
    receiver = ResponseReceiver(clock=clock, keystore=smki.keystore, schema=None, tls=pki.server).start()
    dcc_side = HttpClient(timeout=5, tls=pki.client)
    try:
        request = b"""<sr:Request xmlns:sr="http://www.dccinterface.co.uk/ServiceUserGateway"><sr:Header>
            <sr:RequestID>90-B3-D5-1F-30-01-00-00:00-DB-12-34-56-78-90-A0:1000</sr:RequestID>
            <sr:ServiceReferenceVariant>11.2</sr:ServiceReferenceVariant></sr:Header></sr:Request>"""
        assert dcc_side.post(receiver.url, _signed_response(request, smki.keystore, "I0")) == (204, b"")
    finally:
        dcc_side.close()
        receiver.stop()
    assert [r.response.response_code for r in receiver.snapshot()] == ["I0"]


def test_the_response_service_answers_400_with_the_reason_to_a_document_it_cannot_trust(smki):
    """dcc_interface.md section 5: 204 for a document accepted, 400 for one that fails its checks, with the reason
    (so the DCC hears why); only the accepted one reaches the inbox."""
    receiver = ResponseReceiver(clock=VirtualClock(), keystore=smki.keystore, schema=None).start()
    dcc_side = HttpClient(timeout=5)
    request = b"""<sr:Request xmlns:sr="http://www.dccinterface.co.uk/ServiceUserGateway"><sr:Header>
        <sr:RequestID>90-B3-D5-1F-30-01-00-00:00-DB-12-34-56-78-90-A0:1000</sr:RequestID>
        <sr:ServiceReferenceVariant>11.2</sr:ServiceReferenceVariant></sr:Header></sr:Request>"""
    try:
        status, reason = dcc_side.post(receiver.url, _signed_response(request, smki.keystore, "I0", tamper=True))
        assert status == 400 and b"DCC signature invalid" in reason, (status, reason)
        assert dcc_side.post(receiver.url, _signed_response(request, smki.keystore, "I0")) == (204, b"")
    finally:
        dcc_side.close()
        receiver.stop()
    assert [r.response.response_code for r in receiver.snapshot()] == ["I0"] and len(receiver.rejected) == 1

def _wait_for(condition, seconds: float = 5.0) -> None:
    """The server records a refused handshake in its own thread, a moment after the client sees it."""
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.01)


# -- hostile HTTP: one answer each, no thread held for ever ---------------------------------------------------

def _raw(server: HttpServer, request: bytes) -> bytes:
    """What the server answers to these bytes, read until it closes (or 30 s: the outcome is under test)."""
    host, port = server.server_address[:2]
    with socket.create_connection((host, port), timeout=30) as sock:
        sock.sendall(request)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
        return answer


@pytest.mark.parametrize("headers, status", [
    (b"Content-Length: abc\r\n", b"400"), (b"Content-Length: -5\r\n", b"400"),
    (b"Content-Length: 1_0\r\n", b"400"), (b"Content-Length: 3\r\nContent-Length: 4\r\n", b"400"),
    (b"Content-Length: +3\r\nConnection: close\r\n", b"400"),
    (b"Transfer-Encoding: chunked\r\n", b"411")])
def test_a_bad_content_length_is_answered_and_the_server_goes_on(headers, status):
    server = HttpServer(_echo).start()
    try:
        answer = _raw(server, b"POST /x HTTP/1.1\r\nHost: a\r\n" + headers + b"\r\nabc")
        assert answer.startswith(b"HTTP/1.1 " + status) and b"Connection: close" in answer
        assert HttpClient().post(server.base_url + "/x", b"<still/>") == (200, b"/x <still/>")
        assert server.errors == []
    finally:
        server.stop()


def test_a_stalled_body_frees_its_thread():
    server = HttpServer(_echo).start()
    server.read_timeout_s = 0.5
    try:
        host, port = server.server_address[:2]
        with socket.create_connection((host, port), timeout=30) as sock:
            sock.sendall(b"POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\nonly part")
            assert sock.recv(65536) == b""          # the server gave up on the body and closed
        assert HttpClient().post(server.base_url + "/x", b"<still/>") == (200, b"/x <still/>")
    finally:
        server.stop()


def test_a_server_that_never_answers_is_a_timeout_in_one_line():
    """The client's sockets are timed out by the kernel (no poll before each read): a silent server is still
    "no answer within" the client's timeout, not an OS error's words."""
    listener = socket.create_server(("127.0.0.1", 0))
    try:
        with pytest.raises(Unreachable, match=r"no answer within 0\.3 s"):
            HttpClient(timeout=0.3).post(f"http://127.0.0.1:{listener.getsockname()[1]}/x", b"<q/>")
    finally:
        listener.close()


def test_an_idle_kept_alive_connection_is_closed_after_the_read_timeout():
    server = HttpServer(_echo).start()
    server.read_timeout_s = 0.3
    try:
        host, port = server.server_address[:2]
        with socket.create_connection((host, port), timeout=5) as sock:
            sock.sendall(b"POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nab")
            answer = b""
            while not answer.endswith(b"/x ab"):
                answer += sock.recv(65536)
            assert sock.recv(65536) == b""          # then, kept alive and idle, closed by the server
    finally:
        server.stop()


def test_a_body_over_the_limit_gets_413_not_a_reset(pki):
    server = HttpServer(_echo, tls=pki.server).start()
    try:
        status, body = HttpClient(tls=pki.client).post(server.base_url + "/x", b"x" * (httpio.MAX_BODY + 1))
        assert status == 413 and b"at most 16,777,216" in body
    finally:
        server.stop()


def test_an_in_process_body_over_the_limit_gets_413_too():
    """The in-process fast path keeps the server's bound: a body over MAX_BODY is refused, not handed on."""
    seen: list[int] = []
    server = HttpServer(lambda path, body: (seen.append(len(body)), _echo(path, body))[1]).start()
    client = HttpClient()
    try:
        refused = client.request("POST", server.base_url + "/x", b"x" * (httpio.MAX_BODY + 1))
        assert refused.status == 413 and b"at most 16,777,216" in refused.body and seen == []
        assert refused.headers["Connection"] == "close" and not client._connections
    finally:
        client.close()
        server.stop()


def _until(sock: socket.socket, end: bytes) -> bytes:
    data = b""
    while not data.endswith(end):
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    return data


def test_expect_100_continue_is_answered_before_the_body_is_sent():
    """RFC 9110 section 10.1.1: a client that asks (curl does for large bodies) hears 100 Continue, then sends the
    body and gets the answer on the same connection. The 5 s are a bound on a hang, never waited by a pass."""
    server = HttpServer(_echo).start()
    try:
        with socket.create_connection(server.server_address[:2], timeout=5) as sock:
            sock.sendall(b"POST /x HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n")
            assert _until(sock, b"\r\n\r\n") == b"HTTP/1.1 100 Continue\r\n\r\n"
            sock.sendall(b"<a/>")
            answer = _until(sock, b"/x <a/>")
            assert answer.startswith(b"HTTP/1.1 200 ") and answer.endswith(b"\r\n\r\n/x <a/>")
    finally:
        server.stop()


def test_a_peer_that_vanishes_mid_body_is_not_answered():
    """A client that closes its side before the whole body came: the part is never handed to the post handler (a
    DUIS message cut short is no request) and the server closes the connection unanswered."""
    seen: list[bytes] = []
    server = HttpServer(lambda path, body: (seen.append(body), _echo(path, body))[1]).start()
    try:
        with socket.create_connection(server.server_address[:2], timeout=30) as sock:
            sock.sendall(b"POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\nonly part")
            sock.shutdown(socket.SHUT_WR)
            assert sock.recv(65536) == b""
        assert HttpClient().post(server.base_url + "/x", b"<still/>") == (200, b"/x <still/>")
        assert seen == [b"<still/>"]
    finally:
        server.stop()


# -- headers read line by line (httpio.read_headers), on both sides -----------------------------------------------

@pytest.mark.parametrize("headers, status", [
    (b"Host a\r\n", b"400"),                                   # not name: value
    (b" Host: a\r\n", b"400"),                                 # a continuation with nothing to continue
    (b"X-Long: " + b"a" * 70000 + b"\r\n", b"431"),            # a line over http.client's 65,536 bytes
    (b"".join(b"X-%d: a\r\n" % i for i in range(101)), b"431")])   # over http.client's 100 headers
def test_headers_http_server_would_refuse_are_refused(headers, status):
    server = HttpServer(_echo).start()
    try:
        answer = _raw(server, b"POST /x HTTP/1.1\r\n" + headers + b"Content-Length: 3\r\n\r\nabc")
        assert answer.startswith(b"HTTP/1.1 " + status)
        assert HttpClient().post(server.base_url + "/x", b"<still/>") == (200, b"/x <still/>")
    finally:
        server.stop()


def test_headers_keep_repeats_and_folded_lines():
    """Repeated fields stay separate (a second Content-Length is refused for it) and an obsolete folded line joins
    the field before it, as the email parser http.server used made of them."""
    import io

    headers = httpio.read_headers(io.BytesIO(b"Content-Length: 3\r\nContent-Length: 4\r\nX-Folded: one\r\n"
                                             b"\ttwo\r\nContent-Type:  text/xml \r\n\r\nbody"))
    assert headers.get_all("content-length") == ["3", "4"]
    assert headers["X-Folded"] == "one two" and headers["content-type"] == "text/xml"


def _read_both_ways(block: bytes):
    """read_headers over a buffered reader (the whole header block at once when it is plain) and over one without
    peek (line by line): what each read, or the status it refused with, and what it left of the stream."""
    import io

    results = []
    for reader in (io.BufferedReader(io.BytesIO(block + b"body"), 1 << 20), io.BytesIO(block + b"body")):
        try:
            results.append((httpio.read_headers(reader).items(), reader.read()))
        except httpio._BadHeaders as exc:
            results.append((exc.status, None))
    return results


@pytest.mark.parametrize("block", [
    b"Host: a\r\nContent-Length: 3\r\n\r\n", b"\r\n", b"A: 1\r\nA: 2\r\nB:\r\nC:  x: y \r\n\r\n",
    b"A: 1\r\n\tfolded\r\n\r\n", b"A: 1\nB: 2\n\n", b"A: 1\r\nB: 2\n\r\n", b"A: 1\nB: 2\r\n\r\n",
    b"A: x\ry\r\n\r\n", b"Host a\r\n\r\n", b"A: 1\nB: 2\r\nC: 3\r\n\r\n", b"A: 1\r\nB\r: 2\r\n\r\n",
    b"A B: 1\r\nx:\r\n\r\n", b"A\xa0: 1\r\n\r\n", b"\x85A: 1\r\n\r\n", b": 1\r\n\r\n", b"A: 1\r\n\tB: 2\r\n\r\n",
    b" A: 1\r\n\r\n", b"A : 1\r\n\r\n", b"X: " + b"a" * 65531 + b"\r\n\r\n", b"X: " + b"a" * 65532 + b"\r\n\r\n",
    b"".join(b"X-%d: a\r\n" % i for i in range(100)) + b"\r\n",
    b"".join(b"X-%d: a\r\n" % i for i in range(101)) + b"\r\n"])
def test_a_header_block_read_at_once_reads_as_line_by_line(block):
    at_once, by_line = _read_both_ways(block)
    assert at_once == by_line


def test_a_response_is_read_with_its_headers_and_the_connection_kept():
    server = HttpServer(lambda path, body: (201, "application/xml", b"<made/>")).start()
    client = HttpClient()
    try:
        first = client.request("POST", server.base_url + "/x", b"<a/>")
        assert (first.status, first.headers["Content-Type"], first.body) == (201, "application/xml", b"<made/>")
        assert client.request("POST", server.base_url + "/x", b"<a/>").body == b"<made/>"
        assert len(client._connections) == 1                  # kept alive: one connection for both requests
    finally:
        client.close()
        server.stop()


def test_a_stopped_server_no_longer_reaches_its_owner_while_a_peer_keeps_its_connection():
    """A handler thread serving a kept-alive connection outlives stop(): the owner of the handlers (a lab's DCC, a
    User's response service) is freed all the same, and a request that still comes is refused."""
    import gc
    import weakref

    class Owner:
        def answer(self, path, body):
            return 200, "text/plain", b"owner"

    owner = Owner()
    server = HttpServer(owner.answer).start()
    client = HttpClient()
    try:
        assert client.post(server.base_url + "/x", b"<a/>") == (200, b"owner")
        server.stop()                                   # the client keeps its connection open
        gone = weakref.ref(owner)
        del owner
        gc.collect()
        assert gone() is None
        assert server.post_handler("/x", b"") == (503, "text/plain", b"the server has stopped")
    finally:
        client.close()


# -- a server of this process answers in its client's thread (httpio._InlineConnection) ----------------------------

def test_an_in_process_server_answers_in_the_clients_thread_over_its_tcp_connection():
    """A plain server of this process is answered by its handler in the client's thread, no thread started for the
    connection, after the request went over the loopback TCP connection to the server's accepted socket."""
    seen = []

    def reverse(path: str, body: bytes) -> tuple[int, str, bytes]:
        seen.append(threading.get_ident())
        return 200, "text/plain", body[::-1]

    server = HttpServer(reverse).start()
    client = HttpClient()
    try:
        threads = threading.active_count()
        assert client.post(server.base_url + "/x", b"abc") == (200, b"cba")
        assert client.post(server.base_url + "/x", b"de") == (200, b"ed")
        assert seen == [threading.get_ident()] * 2 and threading.active_count() == threads
        (conn,) = client._connections.values()
        assert isinstance(conn, httpio._InlineConnection) and conn._handler is not None
        assert conn._handler.request.getpeername() == conn.sock.getsockname()     # two ends of one connection
    finally:
        client.close()
        server.stop()


@pytest.mark.parametrize("headers", [{}, {"Expect": "100-continue"}], ids=["plain POST", "by the request handler"])
def test_a_post_handler_that_fails_is_a_500_kept_in_the_servers_errors(headers):
    """Read by the in-process fast path or by the request handler, a handler's bug is answered 500, kept, and the
    connection goes on serving."""
    def broken(path: str, body: bytes) -> tuple[int, str, bytes]:
        if body == b"boom":
            raise ValueError("no such meter")
        return 200, "text/plain", body

    server = HttpServer(broken).start()
    client = HttpClient()
    try:
        failed = client.request("POST", server.base_url + "/x", b"boom", headers)
        assert (failed.status, failed.body) == (500, b"ValueError: no such meter")
        assert [str(e) for e in server.errors] == ["no such meter"]
        assert client.post(server.base_url + "/x", b"fine") == (200, b"fine")
    finally:
        client.close()
        server.stop()


def test_an_in_process_exchange_beyond_the_socket_buffers_completes():
    """12 MB each way, far more than loopback's socket buffers hold: sent in turns with reading the other end."""
    body = bytes(range(256)) * (12 * 1024 * 1024 // 256)
    server = HttpServer(lambda path, data: (200, "application/octet-stream", data)).start()
    try:
        assert HttpClient().post(server.base_url + "/x", body) == (200, body)
    finally:
        server.stop()


def test_an_in_process_connection_the_server_closed_is_not_used_again():
    server = HttpServer(_echo).start()
    client = HttpClient()
    try:
        refused = client.request("POST", server.base_url + "/x", b"abc", {"Transfer-Encoding": "chunked"})
        assert refused.status == 411 and refused.headers["Connection"] == "close" and not client._connections
        assert client.post(server.base_url + "/x", b"<a/>") == (200, b"/x <a/>")
    finally:
        client.close()
        server.stop()


_REQUESTS = [
    b"POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc",          # the plain one
    b"POST /x?q=1 HTTP/1.1\r\nContent-Length: 0\r\nConnection: Close\r\n\r\n",
    b"POST /x HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 4\r\nConnection: close\r\n\r\nabcd",
    b"POST /x HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc",
    b"POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
    b"POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc",
    b"POST /x HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 1\r\nConnection: close\r\n\r\na",
    b"POST /x HTTP/1.1\r\nContent-Length: 99999999999\r\nConnection: close\r\n\r\n",
    b"POST /x HTTP/1.1\r\nContent-Length: x3\r\nConnection: close\r\n\r\nabc",
    b"POST //x HTTP/1.1\r\nContent-Length: 1\r\nConnection: close\r\n\r\na",
    b"POST /x HTTP/1.0\r\nContent-Length: 1\r\n\r\na",
    b"POST  /x HTTP/1.1\r\nContent-Length: 1\r\nConnection: close\r\n\r\na",
    b"POST /x HTTP/1.1\r\nContent-Length: 1\nConnection: close\r\n\r\na",
    b"POST /x HTTP/1.1\r\n Content-Length: 1\r\nConnection: close\r\n\r\na",
    b"POST /x HTTP/1.1\r\nConnection: close\r\nConnection: keep-alive\r\nContent-Length: 1\r\n\r\na",
    b"GET /x HTTP/1.1\r\nConnection: close\r\n\r\n",
    b"PUT /x HTTP/1.1\r\nContent-Length: 1\r\nConnection: close\r\n\r\na",
]


@pytest.mark.parametrize("request_bytes", _REQUESTS)
def test_an_in_process_connection_answers_as_a_server_thread_does(request_bytes):
    """The answer an in-process connection's server end gives (_plain_post, or the request handler for anything
    that is not a plain POST) is byte for byte a server thread's, but for the Date; and it closes the connection
    after, as the server thread does with each of these."""
    server = HttpServer(_echo).start()
    conn = httpio._InlineConnection(server, "127.0.0.1", server.server_address[1], 30.0)
    try:
        conn.connect()
        inline = conn.round_trip(request_bytes)
        threaded = _raw(server, request_bytes)
        undated = [re.sub(rb"Date: [^\r]*", b"Date: -", answer) for answer in (inline, threaded)]
        assert undated[0] == undated[1] and undated[0].startswith(b"HTTP/1.")
        assert conn._handler is None
    finally:
        conn.close()
        server.stop()


_RESPONSES = [
    b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n\r\nabc",
    b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc",
    b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabcdef",                      # bytes beyond: closing
    b"HTTP/1.1 204 No Content\r\nContent-Length: 3\r\n\r\n",
    b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\na",
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
    b"HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\na",
    b"HTTP/1.1 200\r\nContent-Length: 1\r\n\r\na",
    b"HTTP/1.1 404 Not Found\r\nContent-Length: 2\r\nX:  y \r\nx: z\r\n\r\nno",
    b"HTTP/1.1 200 OK\r\nContent-Length: 1\nX: y\r\n\r\na",
    b"HTTP/1.1 200 OK\r\n\r\nto the end",
    "HTTP/1.1 \u00b200 OK\r\nContent-Length: 1\r\n\r\na".encode("latin-1"),     # a digit to str, not to int
    b"HTTP/1.1 099 Early\r\nContent-Length: 1\r\n\r\na",
]


@pytest.mark.parametrize("answer", _RESPONSES)
def test_a_plain_answer_is_read_as_any_answer_is(answer):
    """_plain_response reads what _read_response reads (status, headers, body, whether the connection closes)."""
    results: list[object] = []
    for read in (httpio._plain_response, httpio._read_response):
        ours, theirs = socket.socketpair()
        with ours, theirs:
            theirs.sendall(answer)
            theirs.shutdown(socket.SHUT_WR)
            try:
                response, closing = read(ours, "POST", b"")
                results.append((response.status, response.headers.items(), response.body, closing))
            except http.client.HTTPException as exc:        # what HttpClient reports as not an HTTP answer
                results.append(type(exc))
    assert results[0] == results[1]


def test_stop_does_not_wait_for_the_servers_poll(monkeypatch):
    """stop() wakes the serving loop: with an hour's poll interval it still returns (the join's 60 s is a bound on
    a hang, not a measure of speed)."""
    monkeypatch.setattr(httpio, "_POLL_S", 3600.0)
    server = HttpServer(_echo).start()
    assert HttpClient().post(server.base_url + "/x", b"<a/>")[0] == 200
    stopper = threading.Thread(target=server.stop, daemon=True)
    stopper.start()
    stopper.join(60)
    assert not stopper.is_alive()


def _scripted(answers: list[bytes | None]) -> tuple[str, threading.Thread]:
    """A server that reads each request (headers and Content-Length body) and writes the next raw answer; None
    closes the connection instead, as a server does with a kept-alive connection it has given up on."""
    listener = socket.create_server(("127.0.0.1", 0))

    def serve() -> None:
        with listener:
            while answers:
                conn, _ = listener.accept()
                with conn:
                    data = b""
                    while answers:
                        while b"\r\n\r\n" not in data:
                            data += conn.recv(65536)
                        head, _, data = data.partition(b"\r\n\r\n")
                        length = int(head.lower().split(b"content-length: ")[1].split(b"\r\n")[0])
                        while len(data) < length:
                            data += conn.recv(65536)
                        data = data[length:]
                        answer = answers.pop(0)
                        if answer is None:
                            break
                        conn.sendall(answer)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    return f"http://127.0.0.1:{listener.getsockname()[1]}/x", thread


@pytest.mark.parametrize("answer, status, body, kept", [
    (b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\n<a/>", 200, b"<a/>", True),
    (b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\n<a/>", 200, b"<a/>", True),
    (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2;x=y\r\n<a\r\n2\r\n/>\r\n0\r\nTrailer: t\r\n\r\n",
     200, b"<a/>", True),
    (b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 4\r\n\r\n<a/>", 200, b"<a/>", False),
    (b"HTTP/1.0 200 OK\r\nContent-Length: 4\r\n\r\n<a/>", 200, b"<a/>", False),
    (b"HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 4\r\n\r\n<a/>", 200, b"<a/>", True),
    (b"HTTP/1.1 204 No Content\r\nContent-Length: 4\r\n\r\n", 204, b"", True),
    (b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\n<a/>extra", 200, b"<a/>", False),
])
def test_the_client_reads_a_response_as_http_client_does(answer, status, body, kept):
    """Status line, headers, 100 Continue skipped, Content-Length or chunked body; the connection kept unless the
    server closes it (Connection: close, HTTP/1.0 without keep-alive) or sent more than the response."""
    url, _ = _scripted([answer])
    client = HttpClient(timeout=5)
    try:
        assert client.post(url, b"<q/>") == (status, body)
        assert len(client._connections) == int(kept)
    finally:
        client.close()


def test_a_response_read_to_the_end_of_the_connection():
    listener = socket.create_server(("127.0.0.1", 0))

    def serve() -> None:
        with listener:
            conn, _ = listener.accept()
            with conn:
                while b"<q/>" not in conn.recv(65536):
                    pass
                conn.sendall(b"HTTP/1.0 200 OK\r\nContent-Type: application/xml\r\n\r\n<a/>")
    threading.Thread(target=serve, daemon=True).start()
    client = HttpClient(timeout=5)
    response = client.request("POST", f"http://127.0.0.1:{listener.getsockname()[1]}/x", b"<q/>")
    assert (response.status, response.headers["content-type"], response.body) == (200, "application/xml", b"<a/>")
    assert client._connections == {}


def test_a_kept_alive_connection_the_server_closed_is_retried_once():
    url, _ = _scripted([b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\none", None,
                        b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\ntwo"])
    client = HttpClient(timeout=5)
    try:
        assert client.post(url, b"<q/>") == (200, b"one")
        assert client.post(url, b"<q/>") == (200, b"two")        # the first try met a closed connection
    finally:
        client.close()


def test_a_fresh_connection_dropped_unanswered_is_not_retried():
    """The POST may have reached the server (a DUIS request sent twice is two commands): only a kept-alive
    connection the server may have closed while idle is tried again."""
    url, _ = _scripted([None, b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\ntwo"])
    client = HttpClient(timeout=5)
    try:
        with pytest.raises(Unreachable, match="connection reset"):
            client.post(url, b"<q/>")
        assert client.post(url, b"<q/>") == (200, b"two")        # the server's next answer was still there
    finally:
        client.close()


def _web_reply(request: httpio.WebRequest) -> httpio.WebReply:
    return httpio.WebReply(200, "text/plain", f"web {request.method} {request.path} {request.query}".encode()
                           + b" " + request.body)


def test_the_web_prefix_goes_to_the_web_handler_and_the_rest_to_the_post_handler():
    """A server with a web part (the DCC's CH firmware API, a User's notification inbox): requests under its prefix
    reach the web handler, in-process or from another process; every other POST is DUIS."""
    server = HttpServer(_echo, web=("/web/", _web_reply)).start()
    client = HttpClient()
    try:
        posted = client.post(server.base_url + "/web/releases?x=1", b"{}")
        assert posted == (200, b"web POST /web/releases {'x': '1'} {}")
        assert client.request("GET", server.base_url + "/web/a?q=1").body == b"web GET /web/a {'q': '1'} "
        assert client.post(server.base_url + "/api/v1/serviceS", b"<a/>") == (200, b"/api/v1/serviceS <a/>")
        threaded = _raw(server, b"POST /web/releases HTTP/1.1\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}")
        assert threaded.startswith(b"HTTP/1.1 200 ") and threaded.endswith(b"web POST /web/releases {} {}")
    finally:
        client.close()
        server.stop()


def test_the_dcc_answers_404_outside_its_three_web_services(lab):
    """DCC Boxed's DUIS endpoint is /api/v1/serviceS, serviceT and serviceD; any other path is not a service."""
    client = HttpClient(timeout=5)
    try:
        for path in ("/serviceX", "/services", "/serviceS/more"):
            status, reason = client.post(lab.dcc.url + path, b"<x/>")
            assert (status, reason) == (404, f"no DUIS web service at /api/v1{path}".encode())
    finally:
        client.close()


@pytest.mark.parametrize("answer, said", [
    (b"HTTP/1.1 OK\r\n\r\n", "not an HTTP answer (BadStatusLine)"),
    (b"SMTP 200 OK\r\n\r\n", "not an HTTP answer (BadStatusLine)"),
    (b"HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n<a/>", "not an HTTP answer (IncompleteRead)"),
    (b"HTTP/1.1 200 OK\r\nX" + b"x" * 70000 + b": y\r\n\r\n", "not an HTTP answer"),
    (b"", "connection reset")])
def test_a_response_that_is_not_http_is_one_line(answer, said):
    """A bad status line, a body cut short, a header line over http.client's bound, no answer at all: Unreachable."""
    url, _ = _scripted([answer])                  # answered, then the connection closed
    with pytest.raises(Unreachable) as caught:
        HttpClient(timeout=5).post(url, b"<q/>")
    assert said in str(caught.value) and "\n" not in str(caught.value)


def test_the_server_dates_each_response_by_the_second(monkeypatch):
    """Date: the HTTP-date of the second the response is written (remembered for that second only)."""
    server = HttpServer(_echo).start()
    client = HttpClient(timeout=5)
    try:
        for now, date in ((1767225600.9, "Thu, 01 Jan 2026 00:00:00 GMT"),
                          (1767225601.2, "Thu, 01 Jan 2026 00:00:01 GMT")):
            monkeypatch.setattr(httpio.time, "time", lambda now=now: now)
            assert client.request("POST", server.base_url + "/x", b"<a/>").headers["Date"] == date
    finally:
        client.close()
        server.stop()


@pytest.mark.parametrize("url, target", [
    ("https://dcc.example:8443/api/v1/serviceS?x=1", (("https", "dcc.example", 8443), "/api/v1/serviceS?x=1")),
    ("http://127.0.0.1/", (("http", "127.0.0.1", 80), "/")),
    ("https://dcc.example", (("https", "dcc.example", 443), "/"))])
def test_a_url_names_its_connection_and_request_target(url, target):
    assert httpio._target(url) == target
