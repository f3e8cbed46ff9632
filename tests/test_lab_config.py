"""Lab configs and their Device Asset Library: the default loads; every problem is one line naming
file:line and field; `dit lab check` lists them all."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest
import yaml
from dit_command import dit

from harness.catalogue import DeviceType, UserRole
from harness.errors import DitError
from harness.lab import baselines, load, targets
from harness.lab import bench as lab_bench
from harness.lab import config as lab_config
from harness.lab.config import DEFAULT, check
from harness.lab.profiles import DEFAULT_PROFILES

GOOD = DEFAULT.read_text()
DAL = (DEFAULT.parent / "dal" / "emulated.yaml").read_text()


def _lab(tmp_path: Path, config: str = GOOD, dal: str = DAL) -> Path:
    (tmp_path / "dal").mkdir(exist_ok=True)
    (tmp_path / "dal" / "emulated.yaml").write_text(dal)
    path = tmp_path / "lab.yaml"
    path.write_text(config)
    return path


def _line_of(text: str, fragment: str) -> int:
    return text[:text.index(fragment)].count("\n") + 1


def test_the_default_lab():
    config = load()
    assert config.kind == "emulated" and config.source.endswith("emulated.yaml")
    assert config.party("the Import Supplier").roles >= {UserRole.IMPORT_SUPPLIER}
    assert config.party("Gas Network Operator").name == "Gas Network Operator"
    assert {s.ch_variant for s in config.premises} == {"CHTS v1.1 Single Band", "CHTS v1.1 Dual Band",
                                                      "CHTS v1.0 Single Band"}
    assert {s.meter_standard for s in config.premises} == {"SMETS2 v2.0", "SMETS2 v3.0"}
    core = config.test_set("SB11-core")
    assert {d.type for d in core.devices} >= {DeviceType.ESME, DeviceType.GSME, DeviceType.PPMID, DeviceType.IHD,
                                              DeviceType.HHT}
    esme = next(d for d in core.devices if d.name == "ESME")
    assert esme.asset == "ESME-78-1-alder" and esme.profile.manufacturer == "Alder Metering"
    assert esme.smets_chts_version == "SMETS2 V3.0" and esme.install_code
    second = next(d for d in core.devices if d.name == "ESME 3")       # of the ESME's model, not rotated in
    assert (second.profile, second.rotated, esme.rotated) == (esme.profile, False, True)
    assert check() == []


def test_one_test_set_is_what_a_scenario_sees():
    single = load().for_test_set("DB11-core")
    assert [s.name for s in single.premises] == ["DB11-core"]
    assert single.premises[0].hub.han_variant == "Dual Band"


@pytest.mark.parametrize("old, new, message", [
    ("roles: [ED]", "roles: [XX]", "roles"),
    ("gas_supplier: Supplier A", "gas_supplier: Supplier Z", "'Supplier Z' is not one of the users"),
    ("kind: emulated", "kind: imaginary", "neither emulated nor real"),
    ("rotated: false", "rotated: sometimes", "rotated"),
])
def test_bad_config_values_name_the_file_line_and_field(tmp_path, old, new, message):
    path = _lab(tmp_path, GOOD.replace(old, new, 1))
    with pytest.raises(DitError) as info:
        load(path)
    text = str(info.value)
    assert message in text and f"{path}:{_line_of(GOOD, old)}" in text and "\n" not in text


def test_the_dal_problems_the_done_when_names_are_each_one_precise_line(tmp_path):
    """A missing install code, an unknown profile, a duplicate GUID (DAL) and bad YAML indentation (in a
    device profile of the lab's own): `dit lab check` prints one line for each and exits non-zero."""
    profiles = tmp_path / "profiles"
    shutil.copytree(DEFAULT_PROFILES, profiles)
    bad_profile = profiles / "ihd" / "larch-ihd-v2.yaml"
    bad_profile.write_text(bad_profile.read_text().replace("\nmodel:", "\n   model:", 1))
    dal = DAL.replace('install_code: "41424344454647484950515253545556", ', "", 1)        # GSME-78-1
    dal = dal.replace("profile: birch-esme-v3, guid", "profile: birch-esme-v9, guid", 1)  # ESME-78-2
    dal = dal.replace('"00-DB-12-34-56-79-90-A6"', '"00-DB-12-34-56-79-90-A0"', 1)        # IHD-79-1 = ESME-79-1
    config = GOOD.replace("device_asset_library: dal/emulated.yaml",
                          "device_asset_library: dal/emulated.yaml\ndevice_profiles: profiles")
    path = _lab(tmp_path, config, dal)
    dal_file = tmp_path / "dal" / "emulated.yaml"
    lines = check(path)
    expected = [
        (f"{bad_profile}:", "not valid YAML"),
        (f"{dal_file}:{_line_of(dal, 'birch-esme-v9')}", "unknown profile 'birch-esme-v9'"),
        (f"{dal_file}:{_line_of(dal, 'name: GSME-78-1-alder')}", "install_code: missing"),
        (f"{dal_file}:{_line_of(dal, 'name: IHD-79-1-damson')}", "is already ESME-79-1-birch's"),
    ]
    # One line each: the IHDs of the broken profile and the test sets naming rejected assets add none.
    assert len(lines) == len(expected), lines
    for (where, what), line in zip(expected, lines, strict=True):
        assert line.startswith(where) and what in line, (where, what, line)
    result = dit("lab", "check", str(path))
    assert result.returncode == 1 and result.stdout.splitlines() == lines
    assert "Traceback" not in result.stderr


def test_missing_dit_data_items_are_listed_with_file_and_field(tmp_path):
    dal = DAL.replace(" cpl_documentation: CPL-ALDER-ESME-V3-00030002,", "", 1)
    dal = dal.replace(", flexnet_id: FNX-78-1}", "}", 1)
    dal_file = tmp_path / "dal" / "emulated.yaml"
    lines = check(_lab(tmp_path, dal=dal))
    assert lines == [
        f"{dal_file}:{_line_of(dal, 'ESME-78-1-alder')}: devices[0].cpl_documentation: missing "
        "(the CPL documentation reference)",
        f"{dal_file}:{_line_of(dal, 'name: CH-78-1,')}: communications_hubs[0].flexnet_id: missing "
        "(CSP N Communications Hubs need their FlexNet ID)"]
    assert load(tmp_path / "lab.yaml").asset_library.missing == lines      # paperwork does not stop a run


def test_a_test_set_must_name_assets_of_the_library_and_share_none(tmp_path):
    config = GOOD.replace("ESME: ESME-78-1-alder", "ESME: ESME-78-1-nobody", 1)
    config = config.replace("GSME: GSME-79-1-birch", "GSME: GSME-78-1-alder", 1)
    lines = check(_lab(tmp_path, config))
    assert any("no device 'ESME-78-1-nobody' in the Device Asset Library" in line for line in lines), lines
    assert any("GSME-78-1-alder is already in test set SB11-core" in line for line in lines), lines
    with pytest.raises(DitError, match="dit lab check"):
        load(tmp_path / "lab.yaml")


def test_a_test_set_described_inline_still_works(tmp_path):
    inline = """name: Inline
kind: emulated
dcc: {}
users:
  - {name: Supplier A, eui: 90-B3-D5-1F-30-01-00-00, roles: [IS, GS]}
premises:
  - name: Bench
    import_supplier: Supplier A
    communications_hub: {chf: 00-DB-12-34-56-78-90-A2, gpf: 00-DB-12-34-56-78-90-A3}
    devices:
      - {name: ESME, type: ESME, eui: 00-DB-12-34-56-78-90-A0, install_code: 30313233343536373839414243444546}
      - {name: GSME, type: GSME, eui: 00-DB-12-34-56-78-90-A1}
"""
    path = tmp_path / "inline.yaml"
    path.write_text(inline)
    with pytest.raises(DitError) as info:
        load(path)
    assert "install_code: missing" in str(info.value) and f"{path}:{_line_of(inline, '{name: GSME')}" in str(info.value)
    path.write_text(inline.replace("00-DB-12-34-56-78-90-A1}",
                                   "00-DB-12-34-56-78-90-A1, install_code: 4142434445464748}"))
    assert [d.name for d in load(path).devices()] == ["ESME", "GSME"]


def test_bad_indentation(tmp_path):
    path = _lab(tmp_path, GOOD.replace("\n  - {name: Supplier B", "\n   - {name: Supplier B", 1))
    with pytest.raises(DitError) as info:
        load(path)
    assert "not valid YAML" in str(info.value) and f"{path}:" in str(info.value)


def test_missing_file(tmp_path):
    with pytest.raises(DitError, match="cannot read"):
        load(tmp_path / "none.yaml")


REAL = DEFAULT.parent / "real_example.yaml"


def _real_lab(tmp_path: Path, edit=lambda text: text) -> Path:
    """The example real lab with its keys where a bench keeps them (here: under tmp_path)."""
    keys = tmp_path / "keys"
    (keys / "smki").mkdir(parents=True)
    for name in ("client.pem", "client.key", "dcc-ca.pem"):
        (keys / name).write_text("-----BEGIN PLACEHOLDER-----\n")
    text = REAL.read_text().replace("/etc/dit/bench1/tls", str(keys)).replace("/etc/dit/bench1/smki",
                                                                               str(keys / "smki"))
    (tmp_path / "dal").mkdir()
    shutil.copy(DEFAULT.parent / "dal" / "real_example.yaml", tmp_path / "dal")
    path = tmp_path / "real.yaml"
    path.write_text(edit(text))
    return path


def test_the_example_real_lab_is_complete_once_its_keys_are_in_place(tmp_path):
    # As shipped, only the keys are missing: they never live in the repository.
    assert [line.split(": ")[1] for line in check(REAL)] == ["dcc.tls.certificate", "dcc.tls.key", "dcc.tls.ca",
                                                             "keystore"]
    lab = load(_real_lab(tmp_path))
    assert lab.kind == "real" and check(_real_lab(tmp_path / "again")) == []
    bench = lab.bench
    assert bench.endpoint.startswith("https://") and bench.tls["key"].name == "client.key"
    assert {p.asset for p in bench.serial_ports} >= {"ESME-R1-alder", "HHT-R1", "HHT-R2"}
    assert {(s.test_set, s.band, s.page, s.channel) for s in bench.sniffers} == {
        ("SB11-core", "2.4GHz", 0, 11), ("DB11-core", "2.4GHz", 0, 15), ("DB11-core", "sub-GHz", 28, 0)}
    assert {s.ch_variant for s in lab.premises} == {"CHTS v1.1 Single Band", "CHTS v1.1 Dual Band"}


def test_the_bench_fields_its_module_shows_are_where_the_loader_reads_them():
    # harness.lab.bench's docstring is what a lab writer copies from: each field in the mapping the loader reads
    example = yaml.safe_load(lab_bench.__doc__.split("\n\n")[1])
    assert set(example) - {"dcc"} <= set(lab_config.BENCH_FIELDS)
    assert set(example["dcc"]) <= set(lab_config.DCC_FIELDS + lab_config.DCC_BENCH_FIELDS)
    assert set(example["dcc"]["ch_firmware_portal"]) == set(lab_bench.PORTAL_FIELDS)


@pytest.mark.parametrize("old, new, message", [
    ("https://dccboxed.bench1.lab.example:8079", "dccboxed.bench1:8079",
     "dcc.endpoint: 'dccboxed.bench1:8079/api/v1' is not an http(s) URL"),
    ("prepare-test-set", 'prepare-test-set --set "SB11', "prepare: '/opt/dit/bench1/prepare-test-set --set \"SB11' is "
                                                           "not a command"),
    ("smki: https://", "smki: ftp://", "smki: 'ftp://smki-adapter.bench1.lab.example:8444/smki' is not an http(s) URL"),
    ("  response_url: https://dit.bench1.lab.example:8443/duis/responses  #", "  #", "dcc.response_url: missing"),
    ("{asset: GSME-R1-birch", "{asset: GSME-R9", "serial_ports[1].asset: 'GSME-R9' is in no test set"),
    ("rfc2217://hht1.bench1.lab.example:4001", "rfc2217://hht1.bench1.lab.example",
     "serial_ports[2].port: 'rfc2217://hht1.bench1.lab.example' is not a serial port"),
    ("baudrate: 57600", "baudrate: fast", "serial_ports[3].baudrate: 'fast' is not a baud rate"),
    ("rfc2217://hht2.bench1.lab.example:4001", "rfc2217://hht1.bench1.lab.example:4001",
     "serial_ports: HHT-R2 and HHT-R1 share rfc2217://hht1.bench1.lab.example:4001"),
    ("port: /dev/ttyACM0, channel: 11", "port: /dev/ttyACM0, channel: 27",
     "sniffers[0].channel: 27 is not a channel of page 0 (page 0 has channels 11 to 26)"),
    ("framing: silabs-nodetest", "framing: ti-packet-sniffer", "sniffers[2].framing: a ti-packet-sniffer sniffer "
                                                               "cannot capture sub-GHz"),
    ("page: 28, channel: 0", "page: 29, channel: 9", "sniffers[2].channel: 9 is not a channel of page 29"),
    ("page: 28", "page: 27", "sniffers[2].page: 27 is not a channel page"),
    ('port: "udp://0.0.0.0:17754"', "port: /dev/ttyACM2", "sniffers[1].port: '/dev/ttyACM2' is not a UDP listening"),
    ("{name: SB11 2.4 GHz, test_set: SB11-core", "{name: SB11 2.4 GHz, test_set: SB12",
     "sniffers[0].test_set: 'SB12' is not a test set of this lab"),
])
def test_bench_problems_name_the_file_line_and_field(tmp_path, old, new, message):
    path = _real_lab(tmp_path, lambda text: text.replace(old, new, 1))
    assert new in path.read_text()
    problems = check(path)
    assert len(problems) == 1 and message in problems[0], problems
    assert problems[0].startswith(f"{path}:")
    with pytest.raises(DitError, match=message.split(":")[0].replace("[", r"\[").replace("]", r"\]")):
        load(path)


OWN_DCC = ("  access_control_broker:",
           "  benches:\n    DB11-core: {endpoint: https://dccboxed.bench2.lab.example:8079/api/v1, "
           "response_url: https://dit.bench1.lab.example:8444/duis/responses}\n  access_control_broker:")


def test_a_test_set_whose_bench_has_a_dcc_of_its_own_reaches_it_there(tmp_path):
    lab = load(_real_lab(tmp_path, lambda text: text.replace(*OWN_DCC, 1)))
    assert lab.bench is not None
    assert [(lab.for_test_set(name).bench.endpoint, lab.for_test_set(name).bench.response_url)
            for name in ("SB11-core", "DB11-core")] == [
        ("https://dccboxed.bench1.lab.example:8079/api/v1", "https://dit.bench1.lab.example:8443/duis/responses"),
        ("https://dccboxed.bench2.lab.example:8079/api/v1", "https://dit.bench1.lab.example:8444/duis/responses")]
    # every test set with its own DCC: the lab needs none of its own
    both = _real_lab(tmp_path / "both", lambda text: text.replace(*OWN_DCC, 1).replace(
        "  benches:\n", "  benches:\n    SB11-core: {endpoint: https://dccboxed.bench1.lab.example:8079/api/v1, "
                         "response_url: https://dit.bench1.lab.example:8443/duis/responses}\n").replace(
        "  endpoint: https://dccboxed.bench1", "  #").replace("  response_url: https://dit.bench1.lab.example:8443",
                                                              "  #"))
    assert "\n  endpoint:" not in both.read_text() and check(both) == []


@pytest.mark.parametrize("new, message", [
    ("    DB12-core: {endpoint: https://a.example/api/v1, response_url: https://b.example/duis}\n",
     "dcc.benches.DB12-core: is not a test set of this lab"),
    ("    DB11-core: {response_url: https://b.example/duis}\n", "dcc.benches.DB11-core.endpoint: missing"),
    ("    DB11-core: {endpoint: https://a.example/api/v1, response_url: dit.bench1:8444}\n",
     "dcc.benches.DB11-core.response_url: 'dit.bench1:8444' is not an http(s) URL"),
])
def test_a_bench_s_own_dcc_is_checked_as_the_lab_s(tmp_path, new, message):
    path = _real_lab(tmp_path, lambda text: text.replace("  access_control_broker:", f"  benches:\n{new}"
                                                         "  access_control_broker:", 1))
    problems = check(path)
    assert len(problems) == 1 and message in problems[0] and problems[0].startswith(f"{path}:"), problems


def test_test_sets_sharing_a_response_url_are_not_run_in_parallel(tmp_path):
    """Each worker listens where its test set's DCC posts: two cannot both listen on one URL."""
    shared = _real_lab(tmp_path / "shared")
    result = dit("run", "--lab", str(shared), "--test-set", "SB11-core", "--test-set", "DB11-core", "-n", "2",
                 "--report-dir", str(tmp_path / "r"))
    assert result.returncode == 2 and result.stderr.strip().splitlines()[-1] == (
        f"dit: error: {shared}: -n 2: test sets SB11-core and DB11-core share the response URL "
        "https://dit.bench1.lab.example:8443/duis/responses: two workers cannot both listen there (give each bench "
        "its own DCC (dcc.benches), or run with -n 1)"), result.stderr
    own = _real_lab(tmp_path / "own", lambda text: text.replace(*OWN_DCC, 1))
    result = dit("run", "--lab", str(own), "--test-set", "SB11-core", "--test-set", "DB11-core", "-n", "2",
                 "--report-dir", str(tmp_path / "r"))
    assert result.returncode == 2 and "share the response URL" not in result.stderr
    # refused as not ready: each DCC was checked, the test set's own too
    assert "dcc.endpoint https://dccboxed.bench2.lab.example:8079/api/v1" in result.stderr, result.stderr


def test_an_emulated_lab_has_no_bench():
    assert load().bench is None


@pytest.mark.parametrize("text", [
    # A YAML 'billion laughs': seven levels of twelve aliases each (35 million values once expanded).
    "".join(f"{name}: &{name} [{', '.join([f'*{prev}'] * 12) if prev else ', '.join(['x'] * 12)}]\n"
            for prev, name in zip([None, *"abcdef"], "abcdefg")),
    "a: &a\n  b: *a\n",                                    # a mapping that contains itself
])
def test_yaml_aliases_are_refused_in_one_line_at_once(tmp_path, text):
    path = tmp_path / "bomb.yaml"
    path.write_text(text)
    result = dit("lab", "check", str(path))
    # A file that cannot be read as a lab config is bad input (exit 2), not a lab whose checks fail (exit 1).
    assert result.returncode == 2 and "a YAML alias (*name)" in result.stderr, result.stdout + result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and not result.stdout


# -- what a test set, its devices and the DAL may not be --------------------------------------------------------

INLINE = """name: Inline
kind: emulated
dcc: {}
users:
  - {name: Supplier A, eui: 90-B3-D5-1F-30-01-00-00, roles: [IS, GS]}
test_sets:
  - name: Bench
    import_supplier: Supplier A
    communications_hub: {chf: 00-DB-12-34-56-78-90-A2, gpf: 00-DB-12-34-56-78-90-A3, han_variant: Dual Band}
    devices:
      - {name: ESME, type: ESME, eui: 00-DB-12-34-56-78-90-A0, install_code: 30313233343536373839414243444546}
      - {name: PPMID, type: PPMID, eui: 00-DB-12-34-56-78-90-A4, install_code: 4142434445464748, supplier: Supplier A}
"""


@pytest.mark.parametrize("old, new, message", [
    # ZigBee install codes are 48, 64, 96 or 128 bits: another length cannot derive a link key
    ("install_code: 4142434445464748,", "install_code: 41424344454647484950,",
     "test_sets[0].devices[1].install_code: is 10 bytes"),
    ("han_variant: Dual Band", "han_variant: Tri Band",
     "test_sets[0].communications_hub.han_variant: 'Tri Band' is not a HAN variant"),
    ("supplier: Supplier A}", "supplier: Supplier Z}", "device PPMID: supplier 'Supplier Z' is not one of the users"),
    ("eui: 00-DB-12-34-56-78-90-A4", "eui: 00-DB-12-34-56-78-90-A0", "device PPMID has the EUI of ESME"),
])
def test_an_inline_test_set_s_mistake_stops_the_load(tmp_path, old, new, message):
    path = tmp_path / "inline.yaml"
    path.write_text(INLINE)
    assert [d.name for d in load(path).devices()] == ["ESME", "PPMID"]
    path.write_text(INLINE.replace(old, new, 1))
    with pytest.raises(DitError) as info:
        load(path)
    assert message in str(info.value) and str(info.value).startswith(f"{path}:"), str(info.value)


def test_one_physical_communications_hub_serves_one_test_set(tmp_path):
    config = GOOD.replace("communications_hub: CH-79-1", "communications_hub: CH-78-1", 1)
    assert check(_lab(tmp_path, config)) == [
        f"{tmp_path / 'lab.yaml'}: test set DB11-core: Communications Hub CH-78-1 is already in test set SB11-core "
        "(one physical CH serves one test set)"]


def test_a_test_set_of_mixed_meter_standards_has_none():
    """A set of SMETS2 v2.0 and v3.0 meters is neither: scenarios tagged for one standard do not run on it."""
    lab = load()
    core, regression = lab.test_set("SB11-core"), lab.test_set("SB10-regression")
    old_esme = next(d for d in regression.devices if d.name == "ESME")
    mixed = dataclasses.replace(core, devices=[old_esme if d.name == "ESME" else d for d in core.devices])
    assert (core.meter_standard, regression.meter_standard, mixed.meter_standard) == (
        "SMETS2 v3.0", "SMETS2 v2.0", None)
    b6 = baselines.baseline("B6")
    assert targets.applies({"on_SMETS2_v3.0"}, core, b6)
    assert not targets.applies({"on_SMETS2_v3.0"}, mixed, b6) and not targets.applies({"on_SMETS2_v2.0"}, mixed, b6)


@pytest.mark.parametrize("old, new, message", [
    # a device with certificates owes both SMKI CSR serial numbers (Digital Signature, Key Agreement) before testing
    ('smki_csr: {digital_signature: "100002", key_agreement: "100003"}', 'smki_csr: {digital_signature: "100002"}',
     "devices[0].smki_csr: missing"),
    ('{name: HHT-78, type: HHT,', '{name: HHT-78, type: IHD,', ".type: 'IHD' needs a profile"),
    ("{name: CH-78-1, profile: elm-ch-v11-single,", "{name: CH-78-1, profile: alder-esme-v3,",
     "communications_hubs[0].profile: alder-esme-v3 is a ESME profile"),
])
def test_an_asset_the_library_cannot_hold_as_it_is_is_one_line(tmp_path, old, new, message):
    dal = DAL.replace(old, new, 1)
    assert dal != DAL
    lines = check(_lab(tmp_path, dal=dal))
    assert len(lines) == 1 and message in lines[0], lines
    assert lines[0].startswith(f"{tmp_path / 'dal' / 'emulated.yaml'}:{_line_of(DAL, old)}:")


def test_a_lab_needs_its_own_dcc_unless_every_test_set_has_one(tmp_path):
    # DB11-core has a DCC of its own, SB11-core does not: SB11-core's scenarios need the lab's endpoint
    path = _real_lab(tmp_path, lambda text: text.replace(*OWN_DCC, 1).replace("  endpoint: https://dccboxed.bench1",
                                                                             "  #", 1))
    problems = check(path)
    assert len(problems) == 1 and "dcc.endpoint: missing" in problems[0], problems


def test_a_ppmid_internet_interface_is_of_a_ppmid_in_a_test_set(tmp_path):
    good = _real_lab(tmp_path / "good", lambda text: text + "ppmid_internet:\n"
                     "  - {asset: PPMID-R1-damson, url: http://ppmid.bench1.lab.example:8080}\n")
    assert check(good) == [] and load(good).bench.ppmid_internet == {
        "PPMID-R1-damson": "http://ppmid.bench1.lab.example:8080"}
    bad = _real_lab(tmp_path / "bad", lambda text: text + "ppmid_internet:\n"
                    "  - {asset: PPMID-R9, url: http://ppmid.bench1.lab.example:8080}\n")
    problems = check(bad)
    assert len(problems) == 1 and "ppmid_internet[0].asset: 'PPMID-R9' is in no test set" in problems[0], problems
