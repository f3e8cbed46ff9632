"""`dit run` on a real lab, end to end on this machine: an emulated test set served as a bench (`dit lab
serve`: DCC over mutual TLS on its own port, consoles on pseudo-terminals, the HAN as ZEP over UDP, an SMKI
adapter, a prepare command) and the run reaching it only through the generated real-lab config."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import re
import select
import shutil
import socket
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
import yaml
from cryptography.hazmat.primitives.serialization import Encoding
from dit_command import dit
from ports import free_port

from harness.adapters.duis_client import Received, ResponseReceiver, addressee
from harness.catalogue import DeviceType
from harness.clock import RealTimeDriver, VirtualClock, WallClock
from harness.dcc.ch_firmware import ChFirmwareRelease
from harness.duis.request_id import RequestId
from harness.duis.responses import DuisResponse, ResponseKind
from harness.errors import BenchFault, DitError, NotOnThisBench
from harness.eui import EntityId
from harness.gbcs.decode import decode
from harness.gbcs.firmware_image import parse_image
from harness.han import capture
from harness.han.capture import CapturedFrame
from harness.lab import config as lab_config
from harness.lab.operator import Ask, Desk
from harness.lab.real import RealLab
from harness.lab.served import ServedBench
from harness.ledger import Ledger
from harness.pki import Keystore, KeyUsage
from harness.pki.certificates import device_certification_request

SUPPLIER_A = EntityId("90-B3-D5-1F-30-01-00-00")
SUPPLIER_B = EntityId("90-B3-D5-1F-30-03-00-00")
ESME = EntityId("00-DB-12-34-56-78-90-A0")


@pytest.fixture(scope="module")
def bench(tmp_path_factory, smki):
    served = ServedBench(None, tmp_path_factory.mktemp("bench"), smki=smki, schema=None, time_scale=40).start()
    yield served
    served.stop()


def _run(bench: ServedBench, report: Path, *selection: str, config: Path | None = None):
    result = dit("run", "--lab", str(config or bench.config_file), *selection, "--report-dir", str(report))
    summary = json.loads((report / "summary.json").read_text())
    with Ledger(f"sqlite:///{report / 'phase.db'}") as book:
        [run] = book.runs()
        executions = book.executions()
    return result, {e["title"] + (f" / {e['cast']}" if e["cast"] else ""): e for e in summary["executions"]
                    if e["outcome"] != "not_run"}, run, executions


def _run_with_web_operator(bench: ServedBench, report: Path, *selection: str):
    """_run with a scripted operator answering the run's prompt page: what _run returns, and the operator."""
    port = free_port()
    operator = ScriptedOperator(bench, page=f"http://127.0.0.1:{port}/")
    try:
        return (*_run(bench, report, *selection, "--operator", f"web:{port}"), operator)
    finally:
        operator.stop()


@pytest.mark.bench_time
def test_install_and_commission_runs_green_on_a_real_lab_and_what_needs_an_installer_is_blocked(bench, tmp_path):
    resets = bench.resets
    result, ran, run, executions = _run(bench, tmp_path / "r", "-m", "install_commission or no_wan_lcd", "-k", "ESME")
    assert result.returncode == 0, result.stdout + result.stderr
    # as named and with the second meter as the ESME (lab.casts): its console is the ESME's in that execution
    for title in [f"Install & Commission - ESME {mode}{cast}" for mode in ("Credit", "Prepayment")
                  for cast in ("", " / ESME=ESME 2")]:
        assert ran[title]["outcome"] == "passed", ran[title]
        evidence = Path(ran[title]["evidence"])
        console = (evidence / "console-ESME.txt").read_text()
        assert "> POWER ON" in console and "< OK" in console
        frames = list(capture.read(evidence / "han.pcap"))         # what the ZEP sniffer received live
        assert frames and all(f.channel == frames[0].channel and f.page == 0 for f in frames)
        assert any(p.name.endswith("asynchronous-response-I0.xml") for p in evidence.iterdir())
        # who took part, as the service users saw it over the bench's DUIS (harness.lab.participation)
        took_part = {p["role"]: p["parts"] for p in ran[title]["participants"]}
        assert took_part["ESME"] == ["answered", "joined"] and "ESME 2" not in took_part
    no_wan = [e for title, e in ran.items() if title.startswith("no WAN")]
    assert no_wan and all(e["outcome"] == "blocked" and e["error"] == (
        "not on this bench: needs someone to fit the Communications Hub CH-78-1 where there is no SM WAN coverage: "
        "not automated on a real lab (run this scenario on the emulated lab, or by hand on the bench)") for e in no_wan)
    # No-WAN ran first: a step the bench cannot do blocks its scenario, not the bench, and the run goes on.
    assert "the bench broke" not in result.stderr
    assert run.status == "completed" and len(executions) == len(ran) == 8
    assert bench.resets - resets == 8                              # the prepare command ran before each scenario
    # A real lab's report keystore: public certificates only. Signatures verify offline; MACs cannot.
    keystore = Keystore.load(tmp_path / "r" / "keystore")
    assert not list((tmp_path / "r" / "keystore").glob("*.key"))
    decoded = [decode(p.read_text(), keystore=keystore) for p in (tmp_path / "r" / "evidence").rglob("*.hex")]
    assert decoded and {r.signature for r in decoded} == {"valid", "absent"}
    assert {r.mac for r in decoded} == {"unknown_key", "absent"}


def test_a_prepare_command_that_fails_is_a_bench_fault(bench, tmp_path):
    config = tmp_path / "lab.yaml"
    text = bench.config_file.read_text()
    config.write_text(text.replace("prepare: ", "prepare: \"false\" # ", 1))
    assert config.read_text() != text
    for folder in ("tls", "smki"):
        (tmp_path / folder).symlink_to(bench.out / folder)
    result, ran, run, executions = _run(bench, tmp_path / "r", "-m", "install_commission", "-k", "ESME", config=config)
    assert result.returncode == 1 and "the bench broke" in result.stderr
    first, *rest = ran.values()          # 2 ESME variants, as named and with the second meter (lab.casts)
    assert first["outcome"] == "blocked" and len(rest) == 3 and all(r["outcome"] == "blocked" for r in rest)
    assert first["error"].startswith("bench fault: ") and "preparing SB11-core failed (exit 1)" in first["error"]
    assert all(r["error"].startswith("the bench is broken: prepare command") for r in rest)
    assert run.status == "completed" and len(executions) == 4


def test_steps_a_real_bench_cannot_do_say_so(bench):
    lab = RealLab(lab_config.load(bench.config_file), schema=None)
    for act in (lab.install_without_wan, lab.replace_communications_hub, lab.interfere, lab.wan_outage,
                lab.wan_restored, lab.lose_sm_wan, lab.fail_han_radio, lambda: lab.withdraw_from_cpl("ESME"),
                lambda: lab.register("Import Supplier", "Supplier B"),
                lambda: lab.renew_organisation_certificates(SUPPLIER_A)):
        with pytest.raises(NotOnThisBench, match="not automated on a real lab"):
            act()
    smki, lab.smki = lab.smki, None                 # a bench without its SMKI adapter says which act needs it
    with pytest.raises(NotOnThisBench, match="names no SMKI adapter to renew organisation certificates"):
        lab.renew_organisation_certificates(SUPPLIER_A)
    with pytest.raises(NotOnThisBench, match="names no SMKI adapter to issue device certificates"):
        lab.certificate_from_smki(SUPPLIER_A, KeyUsage.DIGITAL_SIGNING, b"")
    lab.smki = smki
    assert lab.consoles.keys() >= {"ESME", "GSME", "HHT", "PPMID", "IHD"}
    lab.consoles.pop("IHD").close()
    with pytest.raises(NotOnThisBench, match=r"the IHD \(IHD-78-1-damson\) has no serial console on this bench"):
        lab.power_on("IHD")
    lab.stop()


def test_the_served_bench_names_its_ppmids_internet_interface_and_keeps_it_across_resets(bench):
    from harness.adapters.ppmid_route import PpmidRoute
    from harness.emulators.displays import PrepaymentInterfaceDevice

    lab = RealLab(lab_config.load(bench.config_file), schema=None)
    url = lab.ppmid_internet("PPMID")
    assert url == bench.ppmid_internet["PPMID"].base_url
    lab.stop()
    route = PpmidRoute(url)
    def offered() -> list:
        ppmid = bench.lab.device("PPMID")
        assert isinstance(ppmid, PrepaymentInterfaceDevice)
        return [code for code, _ in ppmid.offered_utrns]
    try:
        assert route.send_utrn("12345678901234567890") and offered()[-1] == "12345678901234567890"
        assert route.messages() == []
        bench.reset()
        assert offered() == []
        assert route.send_utrn("09876543210987654321") and offered() == ["09876543210987654321"]   # same port, new lab
    finally:
        route.close()


def test_the_firmware_library_gives_the_manufacturers_image_and_refuses_one_that_is_not(bench, tmp_path):
    """The served bench's library: the model's image as released, "someone else's" signed anew; a tampered file,
    a mislabelled version or a missing image is refused with one line, by the step and by `dit lab check`."""
    lab = RealLab(lab_config.load(bench.config_file), schema=None)
    esme = lab.device_config("ESME")
    manufacturer = bench.lab.manufacturer_key(esme.manufacturer).public_key()
    image = parse_image(lab.firmware_image("ESME", 0x00040001))
    assert (image.manufacturer_code, image.image_type, image.version) == (esme.profile.manufacturer_code,
                                                                          esme.profile.image_type, "00040001")
    assert image.signed_by(manufacturer)
    forged = parse_image(lab.firmware_image("ESME", 0x00040001, signed_by="Someone Else"))
    assert forged.body == image.body and forged.signature is not None and not forged.signed_by(manufacturer)
    with pytest.raises(NotOnThisBench, match=r"has no image 00050001 for alder-esme-v3"):
        lab.firmware_image("ESME", 0x00050001)
    lab.stop()

    config = tmp_path / "lab.yaml"
    for folder in ("tls", "smki"):
        (tmp_path / folder).symlink_to(bench.out / folder)
    shutil.copytree(bench.out / "firmware", tmp_path / "firmware")
    tampered = tmp_path / "firmware" / "alder-esme-v3-00040001.ota"
    data = bytearray(tampered.read_bytes())
    data[100] ^= 0x01                                   # one bit of the upgrade image, after it was signed
    tampered.write_bytes(bytes(data))
    text = bench.config_file.read_text()
    config.write_text(text.replace("alder-esme-v3-00020002.ota", "alder-esme-v3-00040001.ota", 1))
    assert config.read_text() != text
    lab = RealLab(lab_config.load(config), schema=None)
    with pytest.raises(NotOnThisBench, match=r"lab.yaml:\d+: firmware_library\[0\].images\[1\]: "
                       r"alder-esme-v3-00040001.ota: its manufacturer signature does not verify"):
        lab.firmware_image("ESME", 0x00040001)
    lab.stop()
    problems = lab_config.check(config)
    assert len(problems) == 2, problems
    assert "images[0]" in problems[0] and "its OTA header says version 00040001, the library lists 00020002" \
        in problems[0]
    assert problems[1].endswith("alder-esme-v3-00040001.ota: its manufacturer signature does not verify with "
                                "alder-esme-v3.manufacturer.pem")
    assert lab_config.check(bench.config_file) == []
    config.write_text(text.replace("- profile: alder-esme-v3", "- profile: alder-esme-v9", 1))
    with pytest.raises(DitError, match=r"firmware_library\[0\].profile: 'alder-esme-v9' is the profile of no device "
                       r"in this lab's test sets \(profiles in use are .*alder-esme-v3"):
        lab_config.load(config)


def test_a_display_without_a_console_is_read_by_the_operator(bench):
    """Lab.display of a device the bench has no console for: an Ask.LOOK prompt, its answer the screen's lines
    (and evidence); with no operator, blocked as before."""
    desk = Desk(timeout_s=30)
    lab = RealLab(lab_config.load(bench.config_file), schema=None, operator=desk)
    lab.consoles.pop("IHD").close()

    desk.listen(lambda prompt: desk.answer(prompt.number, done=True, by="A. Tester",      # as the prompt opens
                                           saw="Import 1.234 kWh | | Today 0.52 GBP "))
    assert lab.display("the IHD") == ["Import 1.234 kWh", "Today 0.52 GBP"]
    [answer] = lab.operator_answers()
    assert (answer.prompt.kind, answer.prompt.act, answer.by) == (Ask.LOOK, "read-display", "A. Tester")
    assert "Read the display of the IHD (IHD-78-1-damson)" == answer.prompt.instruction
    assert lab.display("ESME") == bench.lab.device("ESME").display()      # a console's screen: no prompt
    assert len(lab.operator_answers()) == 1
    lab.stop()
    lab = RealLab(lab_config.load(bench.config_file), schema=None)
    lab.consoles.pop("IHD").close()
    with pytest.raises(NotOnThisBench, match=r"the IHD \(IHD-78-1-damson\) has no serial console on this bench"):
        lab.display("IHD")
    lab.stop()


def test_the_ppmid_route_needs_the_benchs_ppmid_internet_interface(bench):
    """SECMP0038 is a proposal: a bench blocks its scenarios unless its config names the PPMID's interface."""
    import yaml

    doc = yaml.safe_load(bench.config_file.read_text())
    doc.pop("ppmid_internet")
    without = bench.config_file.with_name("lab-without-ppmid.yaml")      # beside it: its paths are relative
    without.write_text(yaml.safe_dump(doc, sort_keys=False))
    lab = RealLab(lab_config.load(without), schema=None)
    without.unlink()
    with pytest.raises(NotOnThisBench, match=r"has no internet interface .* on this bench") as blocked:
        lab.ppmid_internet("PPMID")
    assert "ppmid_internet" in (blocked.value.fix or "")
    for act in (lab.wan_outage, lab.wan_restored, lambda: lab.consumer_accepts_utrn("PPMID")):
        with pytest.raises(NotOnThisBench, match="not automated on a real lab"):
            act()
    lab.stop()
    asset = lab_config.load(bench.config_file).device("PPMID").asset
    named = bench.config_file.with_name("lab-with-ppmid.yaml")        # beside it: its paths are relative
    named.write_text(yaml.safe_dump({**doc, "ppmid_internet": [{"asset": asset, "url": "http://127.0.0.1:9"}]}))
    assert lab_config.load(named).bench.ppmid_internet == {asset: "http://127.0.0.1:9"}
    named.write_text(yaml.safe_dump({**doc, "ppmid_internet": [{"asset": "PPMID-nowhere", "url": "ftp://x"}]}))
    with pytest.raises(DitError) as bad:
        lab_config.load(named)
    assert "PPMID-nowhere" in str(bad.value) and "ppmid_internet" in str(bad.value)
    named.unlink()


def test_the_ch_firmware_portal_blocks_unless_the_bench_names_it_and_then_is_used_with_the_users_token(
        bench, tmp_path):
    """SECMP0024's steps on a real bench: without dcc.ch_firmware_portal they are not on this bench; with it, the
    User's calls carry its token (here the served bench's DCC, over its mutual TLS) and the release announced is the
    one the DCC's portal lists."""
    lab = RealLab(lab_config.load(bench.config_file), schema=None)
    release = ChFirmwareRelease("R-CH-1", "01020001", "CHTS v1.1", bench.lab.clock.now(),
                                bench.lab.clock.now() + dt.timedelta(days=28), bench.lab.clock.now())
    for act in (lambda: lab.ch_firmware_portal("Supplier A"), lambda: lab.announce_ch_firmware(release, "Supplier A"),
                lambda: lab.ch_firmware_notices("Supplier A")):
        with pytest.raises(NotOnThisBench, match="this bench names no DCC CH firmware portal"):
            act()
    doc = yaml.safe_load(bench.config_file.read_text())
    dcc = bench.lab.dcc
    (tmp_path / "a.token").write_text(dcc.portal_tokens[SUPPLIER_A] + "\n")
    doc["dcc"]["ch_firmware_portal"] = {"url": dcc.portal_url, "tokens": {"Supplier A": "a.token"}}
    config = tmp_path / "lab.yaml"
    config.write_text(yaml.safe_dump(doc))
    for folder in ("tls", "smki"):
        (tmp_path / folder).symlink_to(bench.out / folder)
    lab = RealLab(lab_config.load(config), schema=None)
    with bench.lab.clock.lock:                    # another release is listed: the lookup is by firmware version
        dcc.ch_firmware.announce(dataclasses.replace(release, release_id="R-CH-0", firmware_version="01019999"))
    with pytest.raises(NotOnThisBench, match="lists no release of firmware 01020001"):
        lab.announce_ch_firmware(release, "the Import Supplier")
    with bench.lab.clock.lock:
        dcc.ch_firmware.announce(release)
    assert lab.announce_ch_firmware(release, "the Import Supplier") == "R-CH-1"
    chf = bench.lab.site.hub.chf
    assert [c["chf"] for c in lab.ch_firmware_portal("Supplier A").chs("R-CH-1").body] == [chf.duis]  # type: ignore
    with pytest.raises(NotOnThisBench, match="has no token for Supplier B"):
        lab.ch_firmware_portal("Supplier B")


def test_the_served_smki_adapter_issues_a_device_certificate(bench, smki):
    lab = RealLab(lab_config.load(bench.config_file), schema=None)
    key = smki.keystore.private_key(ESME, KeyUsage.DIGITAL_SIGNING)
    request = device_certification_request(ESME, KeyUsage.DIGITAL_SIGNING, key).public_bytes(Encoding.DER)
    cert = lab.certificate_from_smki(ESME, KeyUsage.DIGITAL_SIGNING, request)
    assert cert.public_key() == key.public_key() and cert in lab.repository.issued
    other = device_certification_request(EntityId("00-DB-12-34-56-78-90-A1"), KeyUsage.DIGITAL_SIGNING, key)
    with pytest.raises(BenchFault, match="HTTP 400"):        # the SMKI certifies only the device the request names
        lab.certificate_from_smki(ESME, KeyUsage.DIGITAL_SIGNING, other.public_bytes(Encoding.DER))
    assert lab.repository.organisation_ca_certificate.subject == smki.organisation_ca_certificate.subject


# -- the parts ----------------------------------------------------------------------------------------------

def test_one_response_service_gives_each_user_only_what_is_addressed_to_it(smki):
    response = DuisResponse(ResponseKind.RESPONSE, "I0", None, request_id=RequestId(SUPPLIER_A, ESME, 7),
                            response_id=RequestId(ESME, SUPPLIER_A, 7))
    alert = DuisResponse(ResponseKind.DEVICE_ALERT, "I0", None, response_id=RequestId(ESME, SUPPLIER_B, 9))
    unaddressed = DuisResponse(ResponseKind.DCC_ALERT, "I0", None)
    assert addressee(response) == SUPPLIER_A and addressee(alert) == SUPPLIER_B and addressee(unaddressed) is None
    receiver = ResponseReceiver(clock=WallClock(), keystore=smki.keystore, schema=None)
    try:
        receiver.inbox += [Received(dt.datetime.now(dt.UTC), b"", r) for r in (response, alert, unaddressed)]
        assert [r.response for r in receiver.addressed_to(SUPPLIER_A).snapshot()] == [response]
        assert [r.response for r in receiver.addressed_to(SUPPLIER_B).snapshot()] == [alert]
    finally:
        receiver.server.server_close()


def test_a_waiter_reads_what_arrived_since_it_last_looked(smki):
    """Inbox.since(n): the documents after the first n of the snapshot, for the shared inbox and each User's view
    of it, however many arrive between looks."""
    def received(user: EntityId, n: int) -> Received:
        return Received(dt.datetime.now(dt.UTC), b"", DuisResponse(ResponseKind.RESPONSE, "I0", None,
                                                                   request_id=RequestId(user, ESME, n)))

    receiver = ResponseReceiver(clock=WallClock(), keystore=smki.keystore, schema=None)
    mine = receiver.addressed_to(SUPPLIER_A)
    try:
        receiver.inbox += [received(SUPPLIER_A, 1), received(SUPPLIER_B, 2)]
        assert mine.since(0) == mine.snapshot() == receiver.snapshot()[:1]
        receiver.inbox += [received(SUPPLIER_B, 3), received(SUPPLIER_A, 4), received(SUPPLIER_A, 5)]
        assert receiver.since(2) == receiver.snapshot()[2:] and receiver.since(5) == []
        assert [r.response.request_id.counter for r in mine.since(1)] == [4, 5]        # type: ignore[union-attr]
        assert mine.since(0) == mine.snapshot() and len(mine.snapshot()) == 3
    finally:
        receiver.server.server_close()


def test_a_scaled_wall_clock_waits_bench_seconds():
    clock = WallClock(scale=50)
    started = time.monotonic()
    assert not clock.wait_until(lambda: False, 5)           # five bench seconds
    assert clock.elapsed >= 5 and time.monotonic() - started < 5


def test_a_served_virtual_clock_keeps_up_with_wall_time():
    clock = VirtualClock()
    ran = []
    clock.call_later(2.0, lambda: ran.append(clock.elapsed))
    driver = RealTimeDriver(clock, scale=100).start()
    deadline = time.monotonic() + 5
    while not ran and time.monotonic() < deadline:
        time.sleep(0.01)
    driver.stop()
    assert ran and ran[0] == pytest.approx(2.0)


@pytest.mark.parametrize("page, channel", [(0, 15), (28, 3)])
def test_a_frame_sent_as_zep_reads_back_the_same(page, channel):
    frame = CapturedFrame(1_790_000_000.123456, bytes.fromhex("41880134120000ffff0102"), channel, page, True, None, 200)
    back = capture.zep_frame(capture.zep_datagram(frame, 3))
    assert (back.mpdu, back.channel, back.page, back.fcs_ok, back.lqi) == (frame.mpdu, channel, page, True, 200)
    assert back.time == pytest.approx(frame.time, abs=1e-6)


def test_the_consoles_keypad_takes_a_utrn(bench):
    """UTRN at a console: what the real lab's consumer_enters_utrn sends (refused: no such top-up)."""
    lab = RealLab(lab_config.load(bench.config_file), schema=None)
    try:
        assert lab.consumer_enters_utrn("ESME", "12345678901234567890") is False
        assert lab.consumer_enters_utrn("PPMID", "12345678901234567890", DeviceType.GSME) is False
        assert "> UTRN 12345678901234567890 GSME" in "\n".join(lab.consoles["PPMID"].transcript)
    finally:
        lab.stop()


def test_the_consoles_button_enables_only_an_armed_supply(bench):
    """BUTTON at a console: what the real lab's consumer_presses_button sends; the bench's ESME supply is enabled,
    so the press changes nothing, and a device without the button says so."""
    lab = RealLab(lab_config.load(bench.config_file), schema=None)
    try:
        assert lab.consumer_presses_button("ESME") is False
        assert "> BUTTON" in "\n".join(lab.consoles["ESME"].transcript)
        with pytest.raises(BenchFault, match="BUTTON refused: this device has no supply button"):
            lab.consumer_presses_button("PPMID")
    finally:
        lab.stop()


def test_the_control_port_answers_only_the_benchs_own_tls_client(bench):
    """Issuing device certificates and resetting the lab are for the bench's client: anyone else on the host
    is refused at the TLS handshake, before a word of HTTP."""
    from harness.httpio import HttpClient, TlsFiles

    url = f"{bench.control.base_url}/smki/device-certificate"
    assert url.startswith("https://")
    with pytest.raises((BenchFault, DitError)):
        HttpClient(timeout=10).post(url, b"{}")                  # no client certificate at all
    folder = bench.out / "tls"
    own = HttpClient(timeout=10, tls=TlsFiles(folder / "dit.pem", folder / "dit.key", folder / "ca.pem"))
    status, body = own.post(url, b"{}")
    assert status == 400 and b"not a device certificate request" in body       # heard, and refused on content


def test_a_failing_event_does_not_stop_a_served_clock():
    clock, ran = VirtualClock(), []

    def fails() -> None:
        raise RuntimeError("a handler's bug")

    clock.call_later(1.0, fails)
    clock.call_later(2.0, lambda: ran.append(clock.elapsed))
    driver = RealTimeDriver(clock, scale=100).start()
    deadline = time.monotonic() + 30                   # generous: the outcome, not the speed, is under test
    while not ran and time.monotonic() < deadline:
        time.sleep(0.01)
    driver.stop()
    assert ran and [str(e) for e in driver.errors] == ["a handler's bug"]


def test_the_dcc_keeps_delivering_after_a_users_receiver_was_unreachable(lab):
    user = next(u for u in lab.dcc.dsp.users.values() if u.name == "Supplier A")
    reachable = user.response_url
    with socket.socket() as closed:                    # a port nobody listens on
        closed.bind(("127.0.0.1", 0))
        user.response_url = f"http://127.0.0.1:{closed.getsockname()[1]}/duis/responses"
    lab.dcc._post(user, b"<lost/>")
    assert len(lab.dcc.post_failures) == 1 and "cannot reach" in lab.dcc.post_failures[0]
    user.response_url = reachable
    exchange = lab.user(user.name).send("8.9", lab.device("CHF").eui)      # answered by the device, posted
    assert exchange.succeeded and exchange.device_fields and len(lab.dcc.post_failures) == 1


def test_the_clock_window_covers_the_same_wall_time_on_a_faster_bench(lab):
    """8.1.1's window is 300 wall seconds: on a bench whose clock runs 40x it is 12,000 of its seconds, so a
    command delayed by a loaded machine still lands inside it; DUIS caps it at 86,400."""
    from harness.lab import parameters as params

    esme = lab.device("ESME").eui
    assert params.resolve(lab, "8.1.1", esme, {})["tolerance_period"] == 300
    for scale, tolerance in ((40, 12_000), (1000, 86_400)):
        lab.clock.scale = scale
        window = params.resolve(lab, "8.1.1", esme, {})
        assert window["tolerance_period"] == tolerance
        assert window["current_date_time"] == lab.now() - dt.timedelta(seconds=tolerance / 2)


# -- an operator in the loop (harness.lab.operator) -------------------------------------------------------------

class ScriptedOperator:
    """A person at the served bench: each prompt's act done through the bench's control port (what hands would do
    at a real one), then answered on the run's web page or at its terminal."""

    def __init__(self, bench: ServedBench, *, page: str | None = None, terminal: int | None = None):
        from harness.httpio import HttpClient, TlsFiles

        folder = bench.out / "tls"
        self._control = HttpClient(timeout=30, tls=TlsFiles(folder / "dit.pem", folder / "dit.key", folder / "ca.pem"))
        self._base, self._page, self._terminal = bench.control.base_url, page, terminal
        self.done: list[str] = []
        self._stop = threading.Event()
        if page or terminal is not None:
            self._thread = threading.Thread(target=self._at_the_page if page else self._at_the_terminal, daemon=True)
            self._thread.start()

    def _act(self, act: str, details: dict | None = None) -> str:
        """The act with what the prompt names (its details: a device's asset, a party). Done: "" and the act in
        `done`; else why not, which the operator answers (the scenario is blocked)."""
        status, body = self._control.post(f"{self._base}/act/{act}", json.dumps(details or {}).encode(),
                                          "application/json")
        if status != 204:
            return body.decode()
        self.done.append(act)
        return ""

    def at(self, desk: Desk) -> None:
        """Hands for a RealLab's own desk: each prompt done at the bench, then answered done."""
        def act(prompt) -> None:
            why_not = self._act(prompt.act, dict(prompt.details))
            desk.answer(prompt.number, done=not why_not, by="Scripted operator",
                        saw=why_not or f"{prompt.act} done at the bench")
        desk.listen(act)

    def _at_the_page(self) -> None:
        while not self._stop.wait(0.05):
            try:
                prompts = json.loads(urllib.request.urlopen(f"{self._page}prompts.json", timeout=10).read())
            except OSError:
                continue                # the run has not served its page yet
            for prompt in prompts:
                why_not = self._act(prompt["act"], prompt["details"])
                form = urllib.parse.urlencode({"answer": "cannot" if why_not else "done", "by": "Scripted operator",
                                               "saw": why_not or f"{prompt['act']} done at the bench"}).encode()
                urllib.request.urlopen(f"{self._page}prompts/{prompt['number']}", data=form, timeout=10)

    def _at_the_terminal(self) -> None:
        assert self._terminal is not None
        seen = ""
        while not self._stop.is_set():
            if not select.select([self._terminal], [], [], 0.1)[0]:
                continue
            seen += os.read(self._terminal, 4096).decode()
            while m := re.search(r"\[dit operator #(\d+) ([a-z-]+)\][^>]*> ", seen):
                why_not = self._act(m.group(2))
                said = f"n {why_not}" if why_not else f"y {m.group(2)} done at the bench"
                os.write(self._terminal, f"#{m.group(1)} {said}\n".encode())
                seen = seen[m.end():]

    def stop(self) -> None:
        self._stop.set()
        if hasattr(self, "_thread"):
            self._thread.join(10)


def test_a_scripted_operator_takes_the_served_hub_off_the_sm_wan_and_brings_it_back(bench):
    """"The SM WAN to the Communications Hub goes down / comes back" on a bench is a person's act: the served
    bench's control port does it to the emulated hub, as the operator's hands would."""
    from harness.httpio import HttpClient, TlsFiles

    folder = bench.out / "tls"
    control = HttpClient(timeout=30, tls=TlsFiles(folder / "dit.pem", folder / "dit.key", folder / "ca.pem"))
    chf = bench.lab.hubs[bench.site.name].chf.eui
    try:
        assert control.post(f"{bench.control.base_url}/act/wan-outage", b"{}", "application/json")[0] == 204
        assert bench.lab.dcc.wan.in_outage(chf)
        assert control.post(f"{bench.control.base_url}/act/wan-restored", b"{}", "application/json")[0] == 204
        assert not bench.lab.dcc.wan.in_outage(chf)
    finally:
        control.close()


def test_the_sm_wan_outage_on_a_bench_is_asked_of_the_operator(bench):
    lab = RealLab(lab_config.load(bench.config_file), schema=None)
    asked: list[tuple[str, str]] = []

    class Person:                       # records the prompts a person at the bench would get
        answered: list = []

        def ask(self, kind, act, instruction, confirm, **where):
            asked.append((act, instruction))
    lab.operator = Person()             # type: ignore[assignment]
    try:
        lab.wan_outage()
        lab.wan_restored()
        assert [act for act, _ in asked] == ["wan-outage", "wan-restored"]
        assert "off the SM WAN" in asked[0][1] and lab.site.hub.asset in asked[0][1]
        with pytest.raises(NotOnThisBench, match="ends by itself"):
            lab.wan_outage(lasts_s=600)
    finally:
        lab.stop()


def test_the_consumer_accepting_a_utrn_on_a_bench_is_asked_of_the_operator(bench):
    """The consumer's press at the PPMID is a person's act: done, the step goes on; not done, the scenario is blocked
    with what they said. The served bench's hands refuse when the PPMID shows no UTRN."""
    from harness.httpio import HttpClient, TlsFiles

    lab = RealLab(lab_config.load(bench.config_file), schema=None)
    desk = lab.operator = Desk(timeout_s=30)
    asked: list = []
    says: list[tuple[bool, str]] = [(True, "UTRN accepted"), (False, "the display shows no UTRN")]

    def person(prompt) -> None:         # answers as each prompt opens
        asked.append((prompt.kind, prompt.act))
        done, saw = says.pop(0)
        desk.answer(prompt.number, done=done, saw=saw)
    desk.listen(person)
    try:
        assert lab.consumer_accepts_utrn("PPMID")
        with pytest.raises(NotOnThisBench, match=r"could not accept the UTRN the PPMID \(.+\) shows: the display "
                                                 r"shows no UTRN"):
            lab.consumer_accepts_utrn("PPMID")
        assert asked == [(Ask.ACT, "accept-utrn")] * 2
    finally:
        lab.stop()
    folder = bench.out / "tls"
    control = HttpClient(timeout=30, tls=TlsFiles(folder / "dit.pem", folder / "dit.key", folder / "ca.pem"))
    try:
        status, body = control.post(f"{bench.control.base_url}/act/accept-utrn", b"{}", "application/json")
        assert status == 409 and b"no PPMID shows a UTRN" in body
    finally:
        control.close()


# The no-WAN family as a served bench gives it: each variant as named and with its second meter (lab.casts).
NO_WAN_FAMILY = {f"no WAN Installation Using LCD - {meter} {mode}{cast}" for meter in ("ESME", "GSME")
                 for mode in ("Credit", "Prepayment") for cast in ("", f" / {meter}={meter} 2")}


def _answered_in_the_evidence(ran: dict, by: str) -> None:
    """Each execution's one prompt, its answer in operator.json, sealed in SHA256SUMS with the rest."""
    for execution in ran.values():
        [answer] = json.loads((Path(execution["evidence"]) / "operator.json").read_text())
        assert answer["prompt"]["act"] == "install-without-wan" and answer["by"] == by
        assert answer["done"] and answer["saw"] == "install-without-wan done at the bench"
        assert "operator.json" in (Path(execution["evidence"]) / "SHA256SUMS").read_text()


@pytest.mark.bench_time
def test_no_wan_runs_green_on_a_served_bench_with_an_operator_at_the_web_page(bench, tmp_path):
    result, ran, run, executions, operator = _run_with_web_operator(bench, tmp_path / "r", "-m", "no_wan_lcd")
    assert result.returncode == 0, result.stdout + result.stderr
    assert set(ran) == NO_WAN_FAMILY and all(e["outcome"] == "passed" for e in ran.values()), ran
    assert operator.done == ["install-without-wan"] * len(ran)
    assert [e.operators for e in executions] == [["Scripted operator"]] * len(ran)        # the ledger says who
    _answered_in_the_evidence(ran, "Scripted operator")


@pytest.mark.bench_time
def test_an_operator_at_the_terminal_and_a_prompt_nobody_answers(bench, tmp_path):
    main, other = os.openpty()
    operator = ScriptedOperator(bench, terminal=main)
    try:
        # the family's four variants as the plan names them (the web page's test runs their casts too)
        result, ran, run, executions = _run(bench, tmp_path / "t", "-m", "no_wan_lcd", "-k", "not ESME2 and not GSME2",
                                            "--operator", f"terminal:{os.ttyname(other)}")
    finally:
        operator.stop()
        os.close(main)
        os.close(other)
    assert result.returncode == 0, result.stdout + result.stderr
    assert set(ran) == {title for title in NO_WAN_FAMILY if " / " not in title}, ran
    assert all(e["outcome"] == "passed" for e in ran.values()), ran
    assert operator.done == ["install-without-wan"] * len(ran)
    assert [e.operators for e in executions] == [["operator"]] * len(ran)
    _answered_in_the_evidence(ran, "operator")
    credit = "no WAN Installation Using LCD - ESME Credit"
    # nobody at the page: the scenario is blocked with what was asked, the run goes on
    config = tmp_path / "lab.yaml"
    config.write_text(bench.config_file.read_text() + f"operator: {{web: {free_port()}, timeout_s: 0.5}}\n")
    for folder in ("tls", "smki"):
        (tmp_path / folder).symlink_to(bench.out / folder)
    result, ran, run, _ = _run(bench, tmp_path / "u", "-m", "no_wan_lcd", "-k", "ESME and Credit", config=config)
    assert result.returncode == 1 and run.status == "completed"
    assert all(e["outcome"] == "blocked" for e in ran.values()) and ran[credit]["error"].startswith(
        "not on this bench: nobody answered the operator prompt within 0.5 s: Fit the Communications Hub ")


# -- the acts a bench cannot automate, as the operator's: firmware, organisation certificates, CH faults --------------

@pytest.mark.bench_time
def test_firmware_runs_green_on_a_served_bench_with_the_operator_disconnecting_the_sm_wan_antenna(bench, tmp_path):
    """Firmware Update's N18 needs the CH off the SM WAN: the operator disconnects its antenna (here the served
    bench's act); the released and the forged images come from the bench's firmware library."""
    result, ran, *_, operator = _run_with_web_operator(bench, tmp_path / "r", "-m", "firmware", "-k",
                                                     "Update and Electricity and not several")
    assert result.returncode == 0 and [e["outcome"] for e in ran.values()] == ["passed"], result.stdout + result.stderr
    assert operator.done == ["lose-sm-wan"]
    [answer] = json.loads((Path(ran["Firmware Update - Electricity"]["evidence"]) / "operator.json").read_text())
    assert answer["prompt"]["instruction"] == "Disconnect the SM WAN antenna of the Communications Hub CH-78-1"


def test_a_cpl_withdrawal_is_the_dccs_act_asked_of_the_operator(bench):
    """The served act withdraws the version the device (named by its asset) runs: the DCC suspends it; an operator
    who cannot get the DCC to do it blocks the scenario with why."""
    from harness.catalogue import DeviceStatus
    from harness.dcc.inventory import InventoryDevice

    esme = bench.lab.device_config("ESME")
    with bench.lab.clock.lock:          # as a commissioning would leave it in the SMI
        record = bench.lab.dcc.inventory.add(InventoryDevice(esme.eui, DeviceType.ESME, DeviceStatus.COMMISSIONED,
                                                             firmware_version="00020002"), bench.lab.now())
    desk = Desk(timeout_s=30)
    lab = RealLab(lab_config.load(bench.config_file), schema=None, operator=desk)
    hands = ScriptedOperator(bench)
    hands.at(desk)
    try:
        lab.withdraw_from_cpl("ESME")
        assert record.status is DeviceStatus.SUSPENDED
        assert (record.manufacturer, record.model, "00020002") in bench.lab.dcc.dsp.firmware.withdrawn
        [answer] = lab.operator_answers()
        assert answer.prompt.details == (("asset", esme.asset),)
        assert "the ESME (ESME-78-1-alder) runs" in answer.prompt.instruction
    finally:
        lab.stop()
        bench.reset()
    desk = Desk(timeout_s=30)
    lab = RealLab(lab_config.load(bench.config_file), schema=None, operator=desk)
    desk.listen(lambda prompt: desk.answer(prompt.number, done=False, by="A. Tester", saw="the DCC said not today"))
    with pytest.raises(NotOnThisBench, match=r"the operator \(A. Tester\) could not have the DCC withdraw the firmware "
                       r"version the ESME \(ESME-78-1-alder\) runs from the Certified Products List: the DCC said not"):
        lab.withdraw_from_cpl("ESME")
    lab.stop()


def test_renewed_organisation_certificates_are_read_from_where_the_operator_put_them(bench):
    """The operator renews with the SMKI and leaves each renewed certificate and key in the keystore folder; they
    are checked and not in use until the party says so. Files missing, another party's, or left from an earlier
    renewal block the scenario in one line."""
    from harness.pki.certificates import usage_of

    def lab_with(answer) -> tuple[RealLab, Desk]:
        desk = Desk(timeout_s=30)
        desk.listen(answer)
        return RealLab(lab_config.load(bench.config_file), schema=None, operator=desk), desk

    folder = bench.out / "smki"
    for old in folder.glob("*.renewed.*"):
        old.unlink()
    lab, desk = lab_with(lambda prompt: desk.answer(prompt.number, done=True))
    with pytest.raises(NotOnThisBench, match=r"no renewed organisation certificate: .*90b3d51f30010000-ds.renewed.pem: "
                       r"No such file or directory"):
        lab.renew_organisation_certificates(SUPPLIER_A)
    [answer] = lab.operator_answers()
    assert answer.prompt.act == "renew-organisation" and answer.prompt.details == (("party", SUPPLIER_A.duis),)
    assert str(folder) in answer.prompt.instruction
    assert "Prepayment Key Agreement: 90b3d51f30010000-pp-ka.renewed.pem and 90b3d51f30010000-pp-ka.renewed.key" \
        in answer.prompt.instruction
    lab.stop()

    desk = Desk(timeout_s=30)
    lab = RealLab(lab_config.load(bench.config_file), schema=None, operator=desk)
    ScriptedOperator(bench).at(desk)
    in_use = lab.certificate_in_use(SUPPLIER_A, KeyUsage.DIGITAL_SIGNING)
    lab.renew_organisation_certificates(SUPPLIER_A)
    renewed = lab.renewed_certificates(SUPPLIER_A)
    assert set(renewed) == {KeyUsage.DIGITAL_SIGNING, KeyUsage.KEY_AGREEMENT, KeyUsage.PREPAYMENT_KEY_AGREEMENT}
    assert lab.certificate_in_use(SUPPLIER_A, KeyUsage.DIGITAL_SIGNING) == in_use != renewed[KeyUsage.DIGITAL_SIGNING]
    assert usage_of(renewed[KeyUsage.PREPAYMENT_KEY_AGREEMENT]) is KeyUsage.KEY_AGREEMENT
    lab.use_renewed_certificates(SUPPLIER_A)
    assert lab.certificate_in_use(SUPPLIER_A, KeyUsage.DIGITAL_SIGNING) == renewed[KeyUsage.DIGITAL_SIGNING]
    assert lab.keystore.private_key(SUPPLIER_A, KeyUsage.KEY_AGREEMENT).public_key().public_numbers() == \
        renewed[KeyUsage.KEY_AGREEMENT].public_key().public_numbers()
    lab.stop()

    # the next scenario's operator says done without renewing: the files are the last renewal's
    lab, desk = lab_with(lambda prompt: desk.answer(prompt.number, done=True))
    with pytest.raises(NotOnThisBench, match=r"90b3d51f30010000-ds.renewed.pem is one the keystore held before this "
                       r"renewal \(an earlier renewal's\)"):
        lab.renew_organisation_certificates(SUPPLIER_A)
    lab.stop()
    # another party's certificate under the party's name
    (folder / "90b3d51f30010000-ds.renewed.pem").write_bytes((folder / "90b3d51f30030000-ds.pem").read_bytes())
    lab, desk = lab_with(lambda prompt: desk.answer(prompt.number, done=True))
    with pytest.raises(NotOnThisBench, match=r"90b3d51f30010000-ds.renewed.pem is 90-B3-D5-1F-30-03-00-00's ds "
                       r"certificate, not 90-B3-D5-1F-30-01-00-00's ds"):
        lab.renew_organisation_certificates(SUPPLIER_A)
    lab.stop()
    for renewed_file in folder.glob("*.renewed.*"):     # the bench's keystore as the other tests expect it
        renewed_file.unlink()


def test_organisation_certificates_renewed_by_the_operator_are_placed_and_used_on_a_served_bench(bench, tmp_path):
    """org_certificate on a bench: the operator's renewed certificates (the served act writes them where the prompt
    says) go to the ESME with 6.15.1, then sign its critical commands and make the UTRN that tops it up."""
    result, ran, *_, operator = _run_with_web_operator(
        bench, tmp_path / "r", "-m", "org_certificate", "-k",
        "update__electricity and not credit and not hcalcs and not ESME2")
    assert result.returncode == 0 and [e["outcome"] for e in ran.values()] == ["passed"], result.stdout + result.stderr
    assert operator.done == ["renew-organisation"]
    [answer] = json.loads((Path(ran["Organisation Certificate Update - Electricity"]["evidence"])
                           / "operator.json").read_text())
    assert answer["prompt"]["details"] == {"party": SUPPLIER_A.duis}


def test_the_chs_replacement_is_the_operators_on_a_served_bench(bench, tmp_path):
    """chf_replacement on a bench: the operator fits the spare hub; then 'the new CHF' and 'the old CHF' are the
    config's spare and the replaced hub (the gas sites' scenarios wait a day for a DSP schedule: not run here)."""
    result, ran, *_, operator = _run_with_web_operator(bench, tmp_path / "r", "-m", "chf_replacement", "-k",
                                                     "elec_only_site and not ESME2")
    assert result.returncode == 0 and [e["outcome"] for e in ran.values()] == ["passed"], result.stdout + result.stderr
    assert operator.done == ["replace-communications-hub"]


def test_a_failed_han_radio_is_the_operators_act(bench):
    """The served act stops the hub's HAN radio, as a hub whose radio failed; without an operator it is blocked."""
    desk = Desk(timeout_s=30)
    lab = RealLab(lab_config.load(bench.config_file), schema=None, operator=desk)
    ScriptedOperator(bench).at(desk)
    hub = bench.lab.hubs[bench.site.name]
    try:
        assert not hub.han_radio_failed
        lab.fail_han_radio()
        assert hub.han_radio_failed
        [answer] = lab.operator_answers()
        assert answer.prompt.act == "fail-han-radio" and "Communications Hub CH-78-1" in answer.prompt.instruction
    finally:
        lab.stop()
        bench.reset()


@pytest.mark.bench_time
def test_prepayment_without_the_sm_wan_on_a_served_bench_with_an_operator(bench, tmp_path):
    """SECMP0038's family on a bench: the SM WAN cut and brought back and the consumer's press at the PPMID are the
    operator's acts, the rest goes over the PPMID's internet interface."""
    result, ran, run, executions, operator = _run_with_web_operator(bench, tmp_path / "p", "-m", "no_wan_prepayment")
    assert result.returncode == 0, result.stdout + result.stderr
    assert len(ran) == 10 and all(e["outcome"] == "passed" for e in ran.values()), ran      # 5, and in a cast
    assets = {name: lab_config.load(bench.config_file).device(name).asset for name in ("PPMID", "PPMID 2")}
    for cast, ppmid in (("", "PPMID"), (" / ESME=ESME 2, PPMID=PPMID 2", "PPMID 2")):
        top_up = ran["Top up during an SM WAN outage by a UTRN sent to the PPMID" + cast]
        answers = json.loads((Path(top_up["evidence"]) / "operator.json").read_text())
        assert [a["prompt"]["act"] for a in answers] == ["wan-outage", "accept-utrn", "wan-restored"]
        assert answers[1]["prompt"]["instruction"] == f"Accept the UTRN the PPMID ({assets[ppmid]}) shows"
        assert all(a["done"] for a in answers)
    assert operator.done.count("accept-utrn") == 4          # the flooding scenario's top-ups too
