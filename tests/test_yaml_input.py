"""Hostile YAML in a lab config, its Device Asset Library, its bench and its device profiles: every one is a
single line naming the file (and line), never a traceback, never accepted as `ok`.

`dit lab check FILE` exits 2 when FILE cannot be read as a lab config at all (missing, not UTF-8, not plain
YAML, a field of the wrong kind or unknown) and 1 when it loads but lists problems (unusable assets, broken
profiles, missing data items)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from harness.cli import main
from harness.errors import DitError
from harness.lab import load
from harness.lab.config import DEFAULT
from harness.lab.profiles import DEFAULT_PROFILES, load_profiles

GOOD = DEFAULT.read_bytes()
DAL = (DEFAULT.parent / "dal" / "emulated.yaml").read_bytes()
REAL = (DEFAULT.parent / "real_example.yaml").read_bytes()


def _lab(tmp_path: Path, config: bytes = GOOD, dal: bytes = DAL) -> Path:
    (tmp_path / "dal").mkdir(exist_ok=True)
    (tmp_path / "dal" / "emulated.yaml").write_bytes(dal)
    path = tmp_path / "lab.yaml"
    path.write_bytes(config)
    return path


def _check(capsys, *args: str) -> tuple[int, list[str], list[str]]:
    """`dit lab check --offline ARGS` in this process: its exit code, stdout lines and stderr lines."""
    code = main(["lab", "check", "--offline", *args])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out.splitlines(), err.splitlines()


def _edit(old: bytes, new: bytes):
    def edit(text: bytes) -> bytes:
        assert old in text, old
        return text.replace(old, new, 1)
    return edit


def _one_error(capsys, path: Path, fragment: str) -> str:
    code, out, err = _check(capsys, str(path))
    assert (code, out, len(err)) == (2, [], 1), (code, out, err)
    assert err[0].startswith(f"dit: error: {path}:") and fragment in err[0], err[0]
    return err[0]


UPRN = b"uprn: 100000000001"

# (id, edit of the shipped emulated lab config, what its one line says)
LAB_CONFIG = [
    ("latin-1 byte", _edit(b"name: Emulated lab", b"name: Emulated lab caf\xe9"), "not UTF-8: byte 0xE9 at offset"),
    ("utf-16", lambda text: text.decode().encode("utf-16"), "not UTF-8: byte 0xFF at offset 0"),
    ("NUL character", _edit(b"name: Emulated lab", b"name: Emulated\x00lab"), "not valid YAML"),
    ("mapping for a number", _edit(UPRN, b"uprn: {a: b}"), "test_sets[0].uprn: must be a whole number, got a mapping"),
    ("list as a key", _edit(b"kind: emulated\n", b"kind: emulated\n? [a, b]\n: c\n"),
     "a key must be a name, got a list"),
    ("mapping as a key", _edit(b"kind: emulated\n", b"kind: emulated\n? {a: b}\n: c\n"),
     "a key must be a name, got a mapping"),
    ("5000-digit integer", _edit(UPRN, b"uprn: " + b"7" * 5000), "uprn: a number of 5000 digits"),
    ("65-digit float", _edit(UPRN, b"uprn: 1." + b"5" * 63), "uprn: a number of 65 digits"),
    ("int tag on text", _edit(UPRN, b'uprn: !!int "abc"'), "uprn: 'abc' is not a valid number"),
    ("float for an int", _edit(UPRN, b"uprn: 1.5"), "uprn: must be a whole number, got the number 1.5"),
    ("true for an int", _edit(UPRN, b"uprn: true"), "uprn: must be a whole number, got true"),
    ("13-digit UPRN", _edit(UPRN, b"uprn: 1000000000001"), "uprn: 1000000000001 is not a UPRN"),
    ("zero UPRN", _edit(UPRN, b"uprn: 0"), "uprn: 0 is not a UPRN"),          # sr:UPRN is a positiveInteger
    ("impossible date", _edit(UPRN, b"uprn: 2024-13-45"), "'2024-13-45' is not a valid date"),
    ("list for text", _edit(b'mpan: "1312345678111"', b"mpan: [1, 2]"), "test_sets[0].mpan: must be text, got a list"),
    ("octal for text", _edit(b'mprn: "7512345678"', b"mprn: 0123"), "mprn: must be text, got the number 0123"),
    ("list for a name", _edit(b"- name: SB11-core", b"- name: [SB11-core]"), "test_sets[0].name: must be text"),
    ("list for a party", _edit(b"import_supplier: Supplier A", b"import_supplier: [Supplier A]"),
     "import_supplier: must be text, got a list"),
    ("list for a hub", _edit(b"communications_hub: CH-78-1", b"communications_hub: [CH-78-1]"),
     "communications_hub: must be text or a mapping, got a list"),
    ("list for an asset", _edit(b"ESME: ESME-78-1-alder", b"ESME: [ESME-78-1-alder]"),
     "devices.ESME: must be text or a mapping, got a list"),
    ("list for a role", _edit(b"roles: [ED]", b"roles: [[ED]]"), "users[2].roles: a list is not a user role"),
    ("list for the dcc", _edit(b"dcc:\n  access_control_broker: 90-B3-D5-1F-30-00-00-02\n"
                               b"  transitional_cos: 90-B3-D5-1F-30-00-00-04", b"dcc: [a]"),
     "dcc: must be a mapping, got a list"),
    ("number for the broker", _edit(b"access_control_broker: 90-B3-D5-1F-30-00-00-02", b"access_control_broker: 7"),
     "dcc.access_control_broker: must be text, got the number 7"),
    ("text in the users", _edit(b"users:\n", b"users:\n  - Supplier Z\n"),
     "users: must be a list of mappings, item 0 is text 'Supplier Z'"),
    ("typo in a user", _edit(b"- {name: Supplier A, eui:", b"- {name: Supplier A, euii:"),
     "users[0].euii: unknown field (did you mean eui? fields here are name, eui, roles, anomaly_detection_thresholds)"),
    ("typo in a test set", _edit(UPRN, b"uprnn: 100000000001"),
     "test_sets[0].uprnn: unknown field (did you mean uprn?"),
    ("typo at the top", _edit(b"kind: emulated", b"kind: emulated\ndevice_asset_libary: x"),
     "device_asset_libary: unknown field (did you mean device_asset_library?"),
    ("typo in a device reference", _edit(b"{asset: PPMID-78-1-damson, supplier:",
                                         b"{asset: PPMID-78-1-damson, suplier:"),
     "devices.PPMID.suplier: unknown field (did you mean supplier?"),
    ("bench field in an emulated lab", _edit(b"kind: emulated", b"kind: emulated\nkeystore: keys"),
     "keystore: unknown field"),
    ("python object tag", _edit(b"name: Emulated lab", b'name: !!python/object:os.system "x"'),
     "the YAML tag !!python/object:os.system is not allowed"),
    ("python name tag", _edit(b"name: Emulated lab", b'name: !!python/name:os.system ""'),
     "the YAML tag !!python/name:os.system is not allowed"),
    ("python apply tag", _edit(b"name: Emulated lab", b'name: !!python/object/apply:os.system ["true"]'),
     "the YAML tag !!python/object/apply:os.system is not allowed"),
    ("custom tag", _edit(b"name: Emulated lab", b"name: !custom x"), "the YAML tag !custom is not allowed"),
    ("binary tag", _edit(b"name: Emulated lab", b"name: !!binary aGk="), "the YAML tag !!binary is not allowed"),
    ("set tag", _edit(b"roles: [ED]", b"roles: !!set {ED: null}"), "the YAML tag !!set is not allowed"),
    ("tag on a key", _edit(b"kind: emulated\n", b"kind: emulated\n!custom x: 1\n"),
     "the YAML tag !custom is not allowed"),
    ("merge key", _edit(b"dcc:\n", b"dcc:\n  <<: {transitional_cos: 90-B3-D5-1F-30-00-00-04}\n"),
     "a YAML merge key (<<)"),
    # a second value of a key would silently win over the first
    ("key given twice", _edit(b"kind: emulated\n", b"kind: emulated\nkind: real\n"), "kind: given twice"),
    # an alias of a plain value is refused as one of a list or mapping is
    ("alias of a value", lambda text: _edit(b'description: "CHTS v1.1 single band core set (CSP N), SMETS2 v3.0 '
                                            b'devices: the release DIT exists for"', b"description: *lab")(
        _edit(b"name: Emulated lab", b"name: &lab Emulated lab")(text)),
     "test_sets[0].description: a YAML alias (*name)"),
    ("deep nesting", _edit(b"kind: emulated\n", b"kind: emulated\nx: " + b"[" * 3000 + b"]" * 3000 + b"\n"),
     "values nested more than 32 deep"),
    ("top level a list", lambda text: b"- a\n- b\n", "expected a mapping at the top of the file"),
    ("empty file", lambda text: b"", "expected a mapping at the top of the file"),
]


@pytest.mark.parametrize("edit, fragment", [case[1:] for case in LAB_CONFIG], ids=[case[0] for case in LAB_CONFIG])
def test_a_hostile_lab_config_is_one_line_and_exit_2(tmp_path, capsys, edit, fragment):
    path = _lab(tmp_path, edit(GOOD))
    _one_error(capsys, path, fragment)
    with pytest.raises(DitError) as info:                   # what `dit run --lab` stops on
        load(path)
    assert fragment in str(info.value) and "\n" not in str(info.value)


def test_the_line_names_the_line_of_the_mistake(tmp_path, capsys):
    text = GOOD.replace(b"- {name: Supplier B, eui:", b"- {name: Supplier B, euii:", 1)
    line = text[:text.index(b"euii")].count(b"\n") + 1
    _one_error(capsys, _lab(tmp_path, text), f"lab.yaml:{line}: users[1].euii: unknown field")
    latin = GOOD.replace(b"- name: DB11-core", b"- name: DB11-c\xf4re", 1)
    offset = latin.index(b"\xf4")
    line = latin[:offset].count(b"\n") + 1
    _one_error(capsys, _lab(tmp_path, latin), f"lab.yaml:{line}: not UTF-8: byte 0xF4 at offset {offset}")


@pytest.mark.parametrize("name", ["nope.yaml", "."])
def test_a_lab_config_that_cannot_be_read_is_exit_2(tmp_path, capsys, name):
    path = tmp_path / name
    code, out, err = _check(capsys, str(path))
    assert (code, out, len(err)) == (2, [], 1) and err[0].startswith(f"dit: error: {path}: cannot read: "), err


def test_a_good_lab_is_exit_0_and_one_whose_checks_fail_is_exit_1(tmp_path, capsys):
    assert _check(capsys, str(DEFAULT))[0] == 0
    dal = DAL.replace(b'install_code: "41424344454647484950515253545556", ', b"", 1)
    code, out, err = _check(capsys, str(_lab(tmp_path, dal=dal)))
    assert code == 1 and len(out) == 1 and "install_code: missing" in out[0] and err == []


# -- the Device Asset Library: a malformed entry is listed and left out; an unreadable file stops the load ----

DAL_ENTRY = [
    ("list for a name", _edit(b"name: ESME-78-1-alder", b"name: [ESME-78-1-alder]"), "devices[0].name: must be text"),
    ("mapping for a code", _edit(b'install_code: "30313233343536373839414243444546"', b"install_code: {a: b}"),
     "devices[0].install_code: must be text or a number, got a mapping"),
    ("text for a confirmation", _edit(b"oca4_certificates: true,", b"oca4_certificates: [yes],"),
     "devices[0].oca4_certificates: must be true or false, got a list"),
    ("typo in a device", _edit(b'guid: "00-DB-12-34-56-78-90-A0"', b'guidd: "00-DB-12-34-56-78-90-A0"'),
     "devices[0].guidd: unknown field (did you mean guid?"),
    ("typo in a CSR", _edit(b'smki_csr: {digital_signature: "100002"', b'smki_csr: {digital_signatur: "100002"'),
     "devices[0].smki_csr.digital_signatur: unknown field (did you mean digital_signature?"),
    ("typo in a hub", _edit(b"flexnet_id: FNX-78-1", b"flexnet: FNX-78-1"), "flexnet: unknown field (did you mean"),
]


@pytest.mark.parametrize("edit, fragment", [case[1:] for case in DAL_ENTRY], ids=[case[0] for case in DAL_ENTRY])
def test_a_malformed_asset_is_one_listed_line(tmp_path, capsys, edit, fragment):
    dal = edit(DAL)
    code, out, err = _check(capsys, str(_lab(tmp_path, dal=dal)))
    assert code == 1 and err == [] and out and out[0].startswith(f"{tmp_path / 'dal' / 'emulated.yaml'}:"), out
    assert fragment in out[0], out
    with pytest.raises(DitError) as info:                   # what `dit run --lab` stops on
        load(tmp_path / "lab.yaml")
    assert str(info.value).startswith(out[0])


@pytest.mark.parametrize("edit, fragment", [
    (_edit(b"name: Emulated lab", b"name: Emulated lab caf\xe9"), "not UTF-8: byte 0xE9"),
    (_edit(b"name: Emulated lab", b"name: !!python/object:os.system x"), "!!python/object:os.system is not allowed"),
    (_edit(b"devices:", b"device:"), "device: unknown field (did you mean devices?"),
], ids=["latin-1 byte", "python tag", "typo at the top"])
def test_an_unreadable_asset_library_is_exit_2(tmp_path, capsys, edit, fragment):
    _lab(tmp_path, dal=edit(DAL))
    code, out, err = _check(capsys, str(tmp_path / "lab.yaml"))
    assert (code, out, len(err)) == (2, [], 1)
    assert err[0].startswith(f"dit: error: {tmp_path / 'dal' / 'emulated.yaml'}:")
    assert fragment in err[0], err


def test_a_version_written_without_quotes_keeps_its_leading_zeros(tmp_path):
    """YAML reads 00020003 as the octal number 1027: the DAL reads it as the file writes it."""
    dal = DAL.replace(b'firmware_version: "00020003"', b"firmware_version: 00020003", 1)
    assert dal != DAL
    lab = load(_lab(tmp_path, dal=dal))
    assert lab.asset_library.device("IHD-78-2-larch").firmware_version == "00020003"


# -- device profiles: a broken one is listed by `dit lab check` and stops a load -----------------------------

PROFILE = [
    ("latin-1 byte", _edit(b"manufacturer: Alder Metering", b"manufacturer: Alder M\xe9tering"),
     "not UTF-8: byte 0xE9"),
    ("float for a code", _edit(b"manufacturer_code: 0x1A01", b"manufacturer_code: 1.5"),
     "manufacturer_code: must be a whole number, got the number 1.5"),
    ("text for a list", _edit(b"bands: [2.4 GHz]", b"bands: 2.4 GHz"), "bands: must be a list, got text '2.4 GHz'"),
    ("list for text", _edit(b'model: "0A31"', b"model: [0A31]"), "model: must be text, got a list"),
    ("typo", _edit(b"silicon:", b"silcon:"), "silcon: unknown field (did you mean silicon?"),
    ("python tag", _edit(b"manufacturer: Alder Metering", b"manufacturer: !!python/name:os.system x"),
     "!!python/name:os.system is not allowed"),
]


@pytest.mark.parametrize("edit, fragment", [case[1:] for case in PROFILE], ids=[case[0] for case in PROFILE])
def test_a_hostile_profile_is_one_line(tmp_path, capsys, edit, fragment):
    profiles = tmp_path / "profiles"
    shutil.copytree(DEFAULT_PROFILES, profiles)
    broken = profiles / "esme" / "alder-esme-v3.yaml"
    broken.write_bytes(edit(broken.read_bytes()))
    with pytest.raises(DitError) as info:
        load_profiles(profiles)
    assert str(info.value).startswith(f"{broken}:") and fragment in str(info.value), str(info.value)
    path = _lab(tmp_path, GOOD.replace(b"device_asset_library: dal/emulated.yaml",
                                       b"device_asset_library: dal/emulated.yaml\ndevice_profiles: profiles", 1))
    code, out, err = _check(capsys, str(path))
    assert code == 1 and err == [] and len(out) == 1 and out[0] == str(info.value), out


# -- a real lab's bench ------------------------------------------------------------------------------------

@pytest.mark.parametrize("old, new, fragment", [
    (b"page: 28, channel: 0", b"page: [28], channel: 0", "sniffers[2].page: must be a whole number, got a list"),
    (b"test_set: SB11-core, framing", b"test_set: {a: b}, framing",
     "sniffers[0].test_set: must be text, got a mapping"),
    (b"port: /dev/ttyACM0, channel: 11", b"port: /dev/ttyACM0, chanel: 11",
     "sniffers[0].chanel: unknown field (did you mean channel?"),
    (b"{asset: HHT-R1, port:", b"{asset: HHT-R1, prot:", "serial_ports[2].prot: unknown field (did you mean port?"),
    (b"    certificate: /etc", b"    certficate: /etc", "dcc.tls.certficate: unknown field (did you mean certificate?"),
    (b"smki: https://smki-adapter.bench1.lab.example:8444/smki", b"smki: [a, b]", "smki: must be text, got a list"),
    (b"prepare: /opt/dit/bench1/prepare-test-set", b"prepare: {run: x}",
     "prepare: must be text or a list, got a mapping"),
], ids=["list page", "mapping test set", "sniffer typo", "serial port typo", "tls typo", "list url", "mapping command"])
def test_a_hostile_bench_is_one_line_and_exit_2(tmp_path, capsys, old, new, fragment):
    (tmp_path / "dal").mkdir()
    shutil.copy(DEFAULT.parent / "dal" / "real_example.yaml", tmp_path / "dal")
    path = tmp_path / "real.yaml"
    text = REAL.replace(old, new, 1)
    path.write_bytes(text)
    assert text != REAL
    _one_error(capsys, path, fragment)


@pytest.mark.parametrize("old, new, fragment", [
    (b'port: "udp://0.0.0.0:17754"', b'port: "udp://0.0.0.0: 17754"',
     "sniffers[1].port: 'udp://0.0.0.0: 17754' is not a UDP"),
    (b"smki: https://smki-adapter.bench1.lab.example:8444/smki", b"smki: https://[smki",
     "smki: 'https://[smki' is not an http(s) URL"),
    (b"port: rfc2217://hht1.bench1.lab.example:4001", b"port: 'rfc2217://[hht1'",
     "serial_ports[2].port: 'rfc2217://[hht1' is not a serial port"),
], ids=["port not a number", "unclosed IPv6 URL", "unclosed IPv6 serial URL"])
def test_an_address_urllib_cannot_split_is_a_listed_line(tmp_path, capsys, old, new, fragment):
    (tmp_path / "dal").mkdir()
    shutil.copy(DEFAULT.parent / "dal" / "real_example.yaml", tmp_path / "dal")
    path = tmp_path / "real.yaml"
    path.write_bytes(REAL.replace(old, new, 1))
    code, out, _ = _check(capsys, str(path))
    assert code == 1 and any(fragment in line for line in out), out


def test_time_scale_must_be_a_finite_positive_number(tmp_path, capsys):
    (tmp_path / "dal").mkdir()
    shutil.copy(DEFAULT.parent / "dal" / "real_example.yaml", tmp_path / "dal")
    path = tmp_path / "real.yaml"
    path.write_bytes(REAL + b"time_scale: .nan\n")
    code, out, _ = _check(capsys, str(path))
    assert code == 1 and any("time_scale: nan is not a positive number" in line for line in out), out
