"""Device profiles: the shipped ones cover DIT's device mix; a bad one gets one line naming file:line and field."""

from __future__ import annotations

import pytest

from harness.catalogue import DeviceType
from harness.errors import DitError
from harness.lab.profiles import DEFAULT_PROFILES, load_profile, load_profiles

ESME = """\
# test ESME
manufacturer: Alder Metering
manufacturer_code: 0x1A01
model: "0A31"
device_type: ESME
standard: SMETS2 v3.0
gbcs_version: "2.0"
zigbee_version: "1.4"
silicon: Silicon Labs
zigbee_stack: EmberZNet 6.7
bands: [2.4 GHz]
firmware_version: "00030002"
image_type: 0x0101
"""

HUB = """\
# test Communications Hub
manufacturer: Elm Communications
manufacturer_code: 0x1E05
model: "E110"
device_type: CHF
standard: CHTS v1.0
gbcs_version: "2.0"
zigbee_version: "1.2a"
silicon: Silicon Labs
zigbee_stack: EmberZNet 5.10
bands: [2.4 GHz]
firmware_version: "01000207"
image_type: 0x0160
han_variant: Single Band
csp: CSP N
"""

DUAL_HUB = (HUB.replace("CHTS v1.0", "CHTS v1.1").replace('"1.2a"', '"1.4"')
            .replace("[2.4 GHz]", "[2.4 GHz, sub-GHz]").replace("Single Band", "Dual Band"))
SUB_GHZ_GSME = ESME.replace("ESME", "GSME").replace("[2.4 GHz]", "[2.4 GHz, sub-GHz]")


def _write(tmp_path, folder, text, name="bad"):
    path = tmp_path / folder / f"{name}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def _line(text, old):
    return text[:text.index(old)].count("\n") + 1


def test_the_shipped_profiles_cover_the_dit_device_mix():
    profiles = load_profiles()
    assert profiles and all(p.id == key for key, p in profiles.items())
    by_type = {t: [p for p in profiles.values() if p.device_type is t]
               for t in (DeviceType.ESME, DeviceType.GSME, DeviceType.PPMID, DeviceType.IHD, DeviceType.HCALCS,
                         DeviceType.CHF)}
    for kind, held in by_type.items():
        assert len({p.manufacturer for p in held}) >= 2, kind
    for kind in (DeviceType.ESME, DeviceType.GSME):
        for standard, gbcs in (("SMETS2 v2.0", "1.0"), ("SMETS2 v3.0", "2.0")):
            makers = {p.manufacturer for p in by_type[kind] if p.standard == standard}
            assert len(makers) >= 2, (kind, standard)
            assert {p.gbcs_version for p in by_type[kind] if p.standard == standard} == {gbcs}
    assert {p.zigbee_version for p in profiles.values()} == {"1.2a", "1.4"}
    assert {"Silicon Labs", "NXP"} <= {p.silicon for p in profiles.values()}
    for kind in (DeviceType.GSME, DeviceType.PPMID):
        sub_ghz = [p for p in by_type[kind] if p.sub_ghz and p.standard == "SMETS2 v3.0"]
        assert len({p.manufacturer for p in sub_ghz}) >= 2, kind
    hubs = {(p.standard, p.han_variant, p.csp) for p in by_type[DeviceType.CHF]}
    for csp in ("CSP N", "CSP C/S"):
        assert {("CHTS v1.0", "Single Band", csp), ("CHTS v1.1", "Single Band", csp),
                ("CHTS v1.1", "Dual Band", csp)} <= hubs
    for p in profiles.values():
        assert len(p.smets_chts_version) <= 20
        assert (p.han_variant is not None) == (p.device_type is DeviceType.CHF)


def test_a_profile_reads_as_typed_values(tmp_path):
    profile = load_profile(_write(tmp_path, "esme", ESME, "alder-esme"))
    assert profile.id == "alder-esme" and profile.device_type is DeviceType.ESME
    assert profile.manufacturer_code == 0x1A01 and profile.image_type == 0x0101 and profile.model == "0A31"
    assert profile.bands == frozenset({"2.4 GHz"}) and not profile.sub_ghz
    assert profile.smets_chts_version == "SMETS2 V3.0" and profile.han_variant is None and profile.csp is None
    hub = load_profile(_write(tmp_path, "comms_hub", DUAL_HUB, "elm-dual"))
    assert hub.sub_ghz and hub.han_variant == "Dual Band" and hub.csp == "CSP N"
    assert hub.smets_chts_version == "CHTS V1.1"


# (template, folder, old, new, field, message): each breaks one rule of a good profile.
BAD = [
    (ESME, "esme", "manufacturer_code: 0x1A01", 'manufacturer_code: "0x1A01"', "manufacturer_code",
     "must be a whole number, got text '0x1A01'"),
    (ESME, "esme", "manufacturer_code: 0x1A01", "manufacturer_code: 0x1A010", "manufacturer_code", "16 bits"),
    (ESME, "esme", 'firmware_version: "00030002"', "firmware_version: 00030002", "firmware_version",
     "must be text, got the number 00030002"),
    (ESME, "esme", 'firmware_version: "00030002"', 'firmware_version: "0003002"', "firmware_version",
     "not 8 hex digits"),
    (ESME, "esme", 'firmware_version: "00030002"', 'firmware_version: "0003000G"', "firmware_version",
     "not 8 hex digits"),
    (ESME, "esme", "device_type: ESME", "device_type: GPF", "device_type", "not a profiled device type"),
    (ESME, "esme", "standard: SMETS2 v3.0", "standard: CHTS v1.1", "standard", "not a standard for ESME"),
    (ESME, "esme", "standard: SMETS2 v3.0", "standard: SMETS3", "standard", "'SMETS3' is not known"),
    (ESME, "esme", 'gbcs_version: "2.0"', 'gbcs_version: "1.0"', "gbcs_version", "use GBCS 2.0, not 1.0"),
    (ESME, "esme", "standard: SMETS2 v3.0", "standard: SMETS2 v2.0", "gbcs_version", "use GBCS 1.0, not 2.0"),
    (ESME, "esme", 'zigbee_version: "1.4"', 'zigbee_version: "1.3"', "zigbee_version", "'1.3' is not known"),
    (ESME, "esme", "silicon: Silicon Labs", "silicon: SiLabs", "silicon", "'SiLabs' is not known"),
    (ESME, "esme", "bands: [2.4 GHz]", "bands: [sub-GHz]", "bands", "lacks 2.4 GHz"),
    (ESME, "esme", "bands: [2.4 GHz]", "bands: [2.4 GHz, 915 MHz]", "bands", "'915 MHz' is not a band"),
    (ESME, "esme", "image_type: 0x0101", "image_type: 0x0101\nhan_variant: Single Band", "han_variant",
     "only a Communications Hub"),
    (ESME, "esme", "image_type: 0x0101", "image_type: 0x0101\ncsp: CSP N", "csp", "only a Communications Hub"),
    (ESME, "esme", "silicon: Silicon Labs", "silicone: Silicon Labs", "silicone", "unknown field"),
    (SUB_GHZ_GSME, "gsme", 'zigbee_version: "1.4"', 'zigbee_version: "1.2a"', "bands", "sub-GHz needs ZigBee 1.4"),
    (SUB_GHZ_GSME.replace('"2.0"', '"1.0"'), "gsme", "standard: SMETS2 v3.0", "standard: SMETS2 v2.0", "bands",
     "a sub-GHz GSME needs GBCS 2.0"),
    (SUB_GHZ_GSME.replace("GSME", "PPMID").replace('"2.0"', '"1.0"'), "ppmid", "standard: SMETS2 v3.0",
     "standard: SMETS2 v2.0", "bands", "a sub-GHz PPMID needs GBCS 2.0"),
    (HUB, "comms_hub", 'zigbee_version: "1.2a"', 'zigbee_version: "1.4"', "zigbee_version",
     "CHTS v1.0 hubs run ZigBee 1.2a"),
    (HUB, "comms_hub", "bands: [2.4 GHz]", "bands: [2.4 GHz, sub-GHz]", "bands", "CHTS v1.0 hubs are single band"),
    (HUB, "comms_hub", "standard: CHTS v1.0", "standard: SMETS2 v3.0", "standard", "not a standard for CHF"),
    (DUAL_HUB, "comms_hub", 'zigbee_version: "1.4"', 'zigbee_version: "1.2a"', "zigbee_version",
     "CHTS v1.1 hubs run ZigBee 1.4"),
    (DUAL_HUB, "comms_hub", "bands: [2.4 GHz, sub-GHz]", "bands: [2.4 GHz]", "han_variant",
     "'Dual Band' does not match bands"),
    (HUB.replace("CHTS v1.0", "CHTS v1.1").replace('"1.2a"', '"1.4"'), "comms_hub", "bands: [2.4 GHz]",
     "bands: [2.4 GHz, sub-GHz]", "han_variant", "'Single Band' does not match bands"),
    (HUB, "comms_hub", "csp: CSP N", "csp: CSP X", "csp", "'CSP X' is not known"),
    (HUB, "esme", "device_type: CHF", "device_type: CHF", "device_type", "a CHF profile filed under esme/"),
]


@pytest.mark.parametrize("template, folder, old, new, field, message", BAD,
                         ids=[f"{b[4]}-{b[5][:24]}" for b in BAD])
def test_each_rule_names_the_file_line_and_field(tmp_path, template, folder, old, new, field, message):
    assert old in template
    text = template.replace(old, new, 1)
    path = _write(tmp_path, folder, text)
    with pytest.raises(DitError) as info:
        load_profiles(tmp_path)
    said = str(info.value)
    line = _line(text, f"\n{field}:") + 1
    assert f"{path}:{line}: {field}: " in said and message in said, said
    assert "(" in said and "\n" not in said            # says how to fix it, on one line


@pytest.mark.parametrize("template, key", [(ESME, "silicon"), (ESME, "bands"), (HUB, "csp"), (HUB, "han_variant")])
def test_a_missing_field_is_named(tmp_path, template, key):
    text = "\n".join(line for line in template.splitlines() if not line.startswith(f"{key}:")) + "\n"
    path = _write(tmp_path, "comms_hub" if template is HUB else "esme", text)
    with pytest.raises(DitError) as info:
        load_profiles(tmp_path)
    assert f"{path}:" in str(info.value) and f"{key}: missing" in str(info.value)
    assert "\n" not in str(info.value)


def test_the_id_is_unique_across_type_folders(tmp_path):
    _write(tmp_path, "esme", ESME, "alder-v3")
    second = _write(tmp_path, "gsme", ESME.replace("ESME", "GSME"), "alder-v3")
    with pytest.raises(DitError) as info:
        load_profiles(tmp_path)
    assert "profile id 'alder-v3' is also" in str(info.value) and str(second) in str(info.value)


@pytest.mark.parametrize("old, new, field, said", [
    ("0x1A01", "0x1A02", "manufacturer_code", "manufacturer_code: Alder Metering is 0x1A01"),
    # a ZigBee manufacturer code is one maker's: two makers under one code could not be told apart on the HAN
    ("Alder Metering", "Birch Instruments", "manufacturer:", "manufacturer: 0x1A01 is 'Alder Metering' in"),
], ids=["a manufacturer keeps one code", "a code names one manufacturer"])
def test_a_manufacturer_and_its_zigbee_code_go_together(tmp_path, old, new, field, said):
    _write(tmp_path, "esme", ESME, "a")
    text = ESME.replace(old, new)
    path = _write(tmp_path, "esme", text, "b")
    with pytest.raises(DitError) as info:
        load_profiles(tmp_path)
    assert f"{path}:{_line(text, field)}: {said}" in str(info.value), str(info.value)


def test_bad_indentation_gives_one_line_with_the_file(tmp_path):
    path = _write(tmp_path, "esme", ESME.replace("\nmodel:", "\n   model:", 1))
    with pytest.raises(DitError) as info:
        load_profiles(tmp_path)
    assert "not valid YAML" in str(info.value) and f"{path}:" in str(info.value)
    assert "\n" not in str(info.value)


def test_the_default_folder_is_the_projects():
    assert DEFAULT_PROFILES.name == "device_profiles" and (DEFAULT_PROFILES.parent / "pyproject.toml").exists()
