"""Benches shared through labgrid (harness.lab.places): a labgrid coordinator and exporter on loopback offer the
consoles of two served benches of one lab (`dit lab serve --test-set SB11-core --test-set DB11-core`: each its own
DCC, its consoles pseudo-terminals exported through ser2net) as two places; `dit run` acquires a place, runs through
its consoles and releases it, also when interrupted; over both places a run takes each in its own xdist group, both
at once; a place held by someone else is refused and `dit lab check` says what is wrong with a place."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from cryptography.hazmat.primitives.serialization import Encoding
from dit_command import PROJECT, dit
from ports import free_port

from harness.errors import DitError
from harness.httpio import HttpClient
from harness.lab import config as lab_config
from harness.lab import places
from harness.lab.places import Places
from harness.lab.real import RealLab
from harness.lab.served import ServedBench, ServedLab
from harness.ledger import Ledger
from harness.pki import KeyUsage
from harness.pki.certificates import device_certification_request

BIN = Path(sys.executable).parent
SER2NET = shutil.which("ser2net") or ("/usr/sbin/ser2net" if Path("/usr/sbin/ser2net").exists() else None)
pytestmark = pytest.mark.skipif(SER2NET is None or not (BIN / "labgrid-coordinator").exists(),
                                reason="labgrid's exporter needs ser2net (apt-get install ser2net) and labgrid "
                                       "(pip install labgrid)")


def _wait(what: str, ready, timeout: float = 60) -> None:
    """Until ready() -- a process coming up, not a measurement: the bound only stops a hung test."""
    deadline = time.monotonic() + timeout
    while not ready():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not come up")
        time.sleep(0.1)


class Labgrid:
    """A coordinator and one exporter on loopback (a resource group per test set), and labgrid's own client for
    the lab admin's acts."""

    def __init__(self, folder: Path, benches: list[ServedBench]):
        self.address = f"127.0.0.1:{free_port()}"
        self.processes = [subprocess.Popen([BIN / "labgrid-coordinator", "-l", self.address],
                                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=folder)]
        _wait("the coordinator", lambda: self.client("places").returncode == 0)
        exported = {}
        for bench in benches:
            assets = {d.name: d.asset for d in bench.site.devices}
            exported[bench.site.name] = {assets[name]: {"cls": "RawSerialPort", "port": console.path, "speed": 115200}
                                         for name, console in bench.consoles.items()}
        (folder / "exporter.yaml").write_text(yaml.safe_dump(exported))
        self.processes.append(subprocess.Popen(
            [BIN / "labgrid-exporter", "-c", self.address, "--hostname", "127.0.0.1", "-n", "bench1",
             folder / "exporter.yaml"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=folder))
        consoles = sum(len(bench.consoles) for bench in benches)
        _wait("the exporter", lambda: len(self.client("resources").stdout.split()) == consoles)

    def client(self, *args: str, user: str | None = None) -> subprocess.CompletedProcess:
        env = {**os.environ, **({"LG_USERNAME": user} if user else {})}
        return subprocess.run([BIN / "labgrid-client", "-x", self.address, *args], capture_output=True, text=True,
                              timeout=60, env=env)

    def acquired_by(self, place: str) -> str:
        shown = self.client("-p", place, "show").stdout
        return next(line.split(":", 1)[1].strip() for line in shown.splitlines() if line.startswith("  acquired:"))

    def stop(self) -> None:
        for process in reversed(self.processes):
            process.terminate()
            process.wait(10)


PLACES = {"SB11-core": "sb11", "DB11-core": "db11"}


@pytest.fixture(scope="module")
def served(tmp_path_factory, smki):
    """Two benches of one lab, each with a DCC of its own."""
    lab = ServedLab(None, tmp_path_factory.mktemp("lab"), smki=smki, schema=None, test_sets=list(PLACES),
                    time_scale=40).start()
    yield lab
    lab.stop()


@pytest.fixture(scope="module")
def bench(served):
    return served.benches["SB11-core"]


@pytest.fixture(scope="module")
def labgrid(served, tmp_path_factory):
    lab = Labgrid(tmp_path_factory.mktemp("labgrid"), list(served.benches.values()))
    for test_set, place in PLACES.items():
        assert lab.client("-p", place, "create").returncode == 0
        assert lab.client("-p", place, "add-match", f"bench1/{test_set}/*").returncode == 0
    yield lab
    lab.stop()


def _config(bench: ServedBench | ServedLab, labgrid: Labgrid, name: str, place: str | None = None) -> Path:
    """The served config with its consoles reached through labgrid places instead of named ports: one bench's
    through `place`, or every bench of the lab through its own."""
    doc = yaml.safe_load(bench.config_file.read_text())
    del doc["serial_ports"]
    places = {bench.site.name: place} if isinstance(bench, ServedBench) else PLACES
    doc["labgrid"] = {"coordinator": labgrid.address, "places": places}
    path = bench.out / name                 # beside tls/ and smki/, which the config names relatively
    path.write_text(yaml.safe_dump(doc))
    return path


def test_a_run_acquires_the_place_reaches_its_consoles_and_releases_it(bench, labgrid, tmp_path):
    config = _config(bench, labgrid, "places.yaml", "sb11")
    result = dit("run", "--lab", str(config), "-m", "install_commission", "-k", "ESME and Credit",
                 "--report-dir", str(tmp_path / "r"))
    assert result.returncode == 0, result.stdout + result.stderr
    executions = [e for e in json.loads((tmp_path / "r" / "summary.json").read_text())["executions"]
                  if e["outcome"] != "not_run"]
    assert executions and all(e["outcome"] == "passed" for e in executions)
    with Ledger(f"sqlite:///{tmp_path / 'r' / 'phase.db'}") as book:      # which place each execution had
        assert [e.place for e in book.executions()] == ["sb11"] * len(executions)
    for execution in executions:        # the consoles answered through ser2net, as labgrid exported them
        console = (Path(execution["evidence"]) / "console-ESME.txt").read_text()
        assert "> POWER ON" in console and "< OK" in console
    assert labgrid.acquired_by("sb11") == "None"


def test_a_matrix_over_two_places_runs_each_place_in_its_own_worker_both_at_once(served, labgrid, tmp_path):
    config = _config(served, labgrid, "places.yaml")
    result = dit("run", "--lab", str(config), "--matrix", "-m", "install_commission", "-k", "B6 and ESME and Credit",
                 "-n", "2", "--report-dir", str(tmp_path / "r"))
    assert result.returncode == 0, result.stdout + result.stderr
    with Ledger(f"sqlite:///{tmp_path / 'r' / 'phase.db'}") as book:
        executions = book.executions()
    assert executions and all(e.outcome == "passed" for e in executions)
    assert {e.test_set: e.place for e in executions} == PLACES           # each execution's place, in the ledger
    spans = {place: sorted((dt.datetime.fromisoformat(e.started_at), dt.datetime.fromisoformat(e.finished_at))
                           for e in executions if e.place == place) for place in PLACES.values()}
    for place, each in spans.items():       # one place, one execution at a time: its own xdist group
        assert len(each) >= 2 and all(end <= start for (_, end), (start, _) in zip(each, each[1:])), (place, each)
    [sb11, db11] = spans.values()           # both workers busy at once: each place's stretch overlaps the other's
    assert sb11[0][0] < db11[-1][1] and db11[0][0] < sb11[-1][1], spans
    summary = [e for e in json.loads((tmp_path / "r" / "summary.json").read_text())["executions"]
               if e["outcome"] != "not_run"]     # and what it planned besides (-k): none ran on a place
    assert {(e["test_set"], e["place"], tuple(e["operators"])) for e in summary} == {
        (test_set, place, ()) for test_set, place in PLACES.items()}
    assert [labgrid.acquired_by(place) for place in PLACES.values()] == ["None", "None"]


def test_the_served_lab_resets_only_the_test_set_its_prepare_names(served):
    """Two benches run at once: one's prepare must leave the other's scenario alone."""
    control = HttpClient(timeout=60, tls=served.tls["dit"])
    before = {name: bench.resets for name, bench in served.benches.items()}
    assert control.post(f"{served.control.base_url}/reset", b"DB11-core")[0] == 204
    assert {name: bench.resets - before[name] for name, bench in served.benches.items()} == {"SB11-core": 0,
                                                                                           "DB11-core": 1}
    status, said = control.post(f"{served.control.base_url}/reset", b"DB12-core")
    assert status == 404 and said.decode() == "no test set b'DB12-core': SB11-core, DB11-core"
    status, said = control.post(f"{served.control.base_url}/smki/device-certificate",
                                json.dumps({"device": "00-DB-12-34-56-78-90-FF"}).encode())
    assert status == 400 and said.decode() == "device 00-DB-12-34-56-78-90-FF is on no bench of this lab"


def test_the_served_lab_s_smki_adapter_issues_for_the_bench_that_has_the_device(served, smki):
    device = served.benches["DB11-core"].site.devices[0]
    lab = RealLab(lab_config.load(served.config_file), schema=None, test_set="DB11-core")
    key = smki.keystore.private_key(device.eui, KeyUsage.DIGITAL_SIGNING)
    request = device_certification_request(device.eui, KeyUsage.DIGITAL_SIGNING, key).public_bytes(Encoding.DER)
    cert = lab.certificate_from_smki(device.eui, KeyUsage.DIGITAL_SIGNING, request)
    assert cert.public_key() == key.public_key()
    # the DCC of that bench will see it in use, the other's never
    assert [cert in bench.lab.repository.issued for bench in served.benches.values()] == [False, True]


def test_an_organisation_renewal_on_one_bench_goes_to_the_keystore_of_the_lab(served):
    """A scripted operator renewing at one bench leaves the files where the lab's config reads its keystore."""
    bench, party = served.benches["DB11-core"], served.benches["DB11-core"].config.users[0].eui
    lab = RealLab(lab_config.load(served.config_file), schema=None, test_set="DB11-core")
    control = HttpClient(timeout=60, tls=served.tls["dit"])
    try:
        assert control.post(f"{bench.control.base_url}/act/renew-organisation",
                            json.dumps({"party": party.duis}).encode())[0] == 204
        renewed = lab.repository.renewal_files(party)
        assert renewed and all(pem.is_file() and key.is_file() for pem, key in renewed.values())
        assert next(iter(renewed.values()))[0].parent == served.out / "smki"
        assert not list((bench.out / "smki").glob("*.renewed.*"))
    finally:
        lab.stop()
        for renewed_file in (served.out / "smki").glob("*.renewed.*"):
            renewed_file.unlink()


def test_a_place_held_by_someone_else_is_refused_in_one_line_before_the_run_is_recorded(served, labgrid, tmp_path):
    config = _config(served, labgrid, "places.yaml")
    assert labgrid.client("-p", "db11", "acquire", user="alice").returncode == 0       # the second of the two
    try:
        result = dit("run", "--lab", str(config), "--matrix", "-m", "install_commission", "-n", "2",
                     "--report-dir", str(tmp_path / "r"))
    finally:
        assert labgrid.client("-p", "db11", "release", user="alice").returncode == 0
    assert result.returncode == 2, result.stdout + result.stderr
    [*_, said, refused] = result.stderr.strip().splitlines()
    assert said.startswith(f"{config}:") and said.endswith(
        f": labgrid: place db11 (DB11-core) is held by {socket.gethostname()}/alice (wait until they release "
        "it: labgrid-client -p db11 show)") and refused == (
        f"dit: error: {config}: the bench is not ready: 1 problems above (dit lab check lists them with their fixes)")
    with Ledger(f"sqlite:///{tmp_path / 'r' / 'phase.db'}") as book:
        assert book.runs() == []                        # refused before the run was recorded
    assert labgrid.acquired_by("sb11") == "None"        # nor the free one taken


def test_interrupting_a_run_releases_its_places(served, labgrid, tmp_path):
    config = _config(served, labgrid, "places.yaml")
    # both places acquired (one worker: the matrix test above shows two; this one the release)
    run = subprocess.Popen([sys.executable, "-m", "harness.cli", "run", "--lab", str(config), "--matrix", "-k", "B6",
                            "-m", "install_commission", "--report-dir", str(tmp_path / "r")], cwd=PROJECT,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                           # as from a terminal: an xdist worker ignores SIGINT, and its children would inherit that
                           preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        # both places acquired and the first scenario under way (its evidence folder made): Ctrl-C mid-run
        _wait("the run's first scenario", lambda: "None" not in map(labgrid.acquired_by, PLACES.values())
              and (tmp_path / "r" / "evidence").is_dir(), timeout=120)
        run.send_signal(signal.SIGINT)                 # Ctrl-C
        _, stderr = run.communicate(timeout=300)
    finally:
        if run.poll() is None:
            run.kill()
    assert run.returncode != 0
    assert [labgrid.acquired_by(place) for place in PLACES.values()] == ["None", "None"], stderr


def test_lab_check_says_which_place_is_missing_or_lacks_a_console(served, bench, labgrid):
    assert labgrid.client("-p", "esme-only", "create").returncode == 0
    esme = next(d.asset for d in bench.site.devices if d.name == "ESME")
    assert labgrid.client("-p", "esme-only", "add-match", f"bench1/{bench.site.name}/{esme}").returncode == 0
    for name, place, said in (("missing.yaml", "nowhere", "labgrid: place nowhere: place pattern nowhere matches "
                                                          "nothing"),
                              ("partial.yaml", "esme-only", f"labgrid: place esme-only ({bench.site.name}) has no "
                                                            "console GSME-")):
        result = dit("lab", "check", str(_config(bench, labgrid, name, place)))
        assert result.returncode == 1 and said in result.stdout + result.stderr, result.stdout + result.stderr
    held = _config(bench, labgrid, "places.yaml", "sb11")
    assert dit("lab", "check", str(held)).returncode == 0
    both = dit("lab", "check", str(_config(served, labgrid, "places.yaml")))      # each DCC, place, image
    assert both.returncode == 0, both.stdout + both.stderr


def test_a_place_the_coordinator_would_not_release_is_named_not_left_silently(labgrid, monkeypatch, capsys):
    """What releasing a held place at the run's end met is said, with the command that releases it by hand."""
    def quiet(session: places._Session, name: str) -> None:
        raise DitError("the coordinator went quiet")

    held = Places(labgrid.address, {"SB11-core": "sb11"})
    with places.acquired(held, ["SB11-core"]):
        assert labgrid.acquired_by("sb11") != "None"
        monkeypatch.setattr(places._Session, "release", quiet)
    monkeypatch.undo()
    try:
        assert capsys.readouterr().err == ("dit: place sb11 is still held (the coordinator went quiet): "
                                           "labgrid-client -p sb11 release\n")
    finally:
        assert labgrid.client("-p", "sb11", "release").returncode == 0
    assert labgrid.acquired_by("sb11") == "None"
