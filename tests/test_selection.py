"""Device selection: DIT.1-6, 9, 10 and 12 against a Device Asset Library built from the shipped profiles."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass

import pytest
from dit_command import dit

from harness.lab.config import DEFAULT
from harness.lab.profiles import DeviceProfile, load_profiles
from harness.lab.selection import LEADING_STACKS, MET, NOT_APPLICABLE, NOT_MET, REQUIREMENTS, evaluate

PROFILES = load_profiles()


@dataclass(frozen=True)
class FakeAsset:
    name: str
    profile: DeviceProfile


LAB = [FakeAsset(pid, profile) for pid, profile in PROFILES.items()]

# What each shipped device model alone serves in LAB: removing it flips exactly these.
SERVES = {
    "alder-esme-v3": {"DIT.1"}, "birch-esme-v3": {"DIT.1"},
    "alder-gsme-v3": {"DIT.3"}, "birch-gsme-v3": {"DIT.3"},          # cedar-gsme-v3 keeps DIT.2 met
    "birch-ppmid-v3": {"DIT.4", "DIT.5"}, "damson-ppmid-v3": {"DIT.4", "DIT.5"},
    "alder-esme-v2": {"DIT.9"}, "cedar-esme-v2": {"DIT.9"}, "alder-gsme-v2": {"DIT.9"}, "cedar-gsme-v2": {"DIT.9"},
    "damson-ihd-v3": {"DIT.12"}, "larch-ihd-v2": {"DIT.12"},
}


def _results(assets):
    return {r.id: r for r in evaluate(assets)}


def _without(*names):
    return [a for a in LAB if a.name not in names]


def test_the_full_lab_meets_every_requirement():
    results = evaluate(LAB)
    assert [r.id for r in results] == list(REQUIREMENTS)
    assert all(r.status == MET and r.evidence.startswith("met by") for r in results), results
    assert all(r.text == REQUIREMENTS[r.id] for r in results)
    dit1 = _results(LAB)["DIT.1"]
    assert dit1.devices == ["alder-esme-v3", "birch-esme-v3"]
    assert dit1.evidence == "met by alder-esme-v3 (Alder Metering), birch-esme-v3 (Birch Instruments)"


@pytest.mark.parametrize("name", sorted(PROFILES))
def test_removing_a_device_flips_only_what_it_served(name):
    results = _results(_without(name))
    flipped = {rid for rid, r in results.items() if r.status != MET}
    assert flipped == SERVES.get(name, set())
    for rid in flipped:
        assert results[rid].status == NOT_MET and name not in results[rid].devices


def test_reasons_name_what_is_missing():
    results = _results(_without("birch-esme-v3"))
    assert results["DIT.1"].evidence == ("only 1 ESME designed to SMETS2 v3.0: alder-esme-v3 (Alder Metering); "
                                       "need a second from another manufacturer")
    assert "sub-GHz" in _results(_without("birch-gsme-v3"))["DIT.3"].evidence
    assert _results(_without("alder-gsme-v2", "cedar-gsme-v2"))["DIT.9"].evidence == (
        "no SMETS2 v2.0 GSME; need at least 2 SMETS2 v2.0 ESME and 2 SMETS2 v2.0 GSME")
    assert _results(_without("cedar-esme-v2"))["DIT.9"].evidence.startswith("only 1 SMETS2 v2.0 ESME (alder-esme-v2)")
    assert _results(_without("damson-ihd-v3"))["DIT.12"].evidence.startswith("only 1 IHD: larch-ihd-v2")


def test_two_of_one_manufacturer_do_not_count_twice():
    assets = _without("birch-esme-v3") + [FakeAsset("alder-esme-v3 #2", PROFILES["alder-esme-v3"])]
    dit1 = _results(assets)["DIT.1"]
    assert dit1.status == NOT_MET and dit1.devices == ["alder-esme-v3", "alder-esme-v3 #2"]
    assert dit1.evidence == ("2 ESME designed to SMETS2 v3.0 (alder-esme-v3, alder-esme-v3 #2) but both from "
                           "Alder Metering; need 2 manufacturers")


def test_dit9_does_not_need_two_manufacturers():
    assets = _without("cedar-esme-v2", "cedar-gsme-v2") + [
        FakeAsset("esme v2 #2", PROFILES["alder-esme-v2"]), FakeAsset("gsme v2 #2", PROFILES["alder-gsme-v2"])]
    assert _results(assets)["DIT.9"].status == MET


def test_dit10_is_not_applicable_without_hcalcs():
    dit10 = _results([a for a in LAB if a.profile.device_type.value != "HCALCS"])["DIT.10"]
    assert dit10.status == NOT_APPLICABLE and dit10.devices == []
    assert "no HCALCS" in dit10.evidence and "should actual HCALCS devices exist" in dit10.evidence


def test_dit6_names_the_missing_stack_provider():
    dit6 = _results([a for a in LAB if a.profile.silicon != "NXP"])["DIT.6"]
    assert dit6.status == NOT_MET and dit6.evidence.startswith("no device on NXP silicon (have Silicon Labs: ")
    assert not any(PROFILES[name].silicon == "NXP" for name in dit6.devices)
    assert _results([])["DIT.6"].evidence.startswith("no device on Silicon Labs or NXP silicon;")


def test_communications_hubs_count_towards_no_requirement():
    """DIT tests the hubs with devices: an NXP hub does not stand in for an NXP device (DIT.6)."""
    only_hubs = [a for a in LAB if a.profile.device_type.value == "CHF"]
    assert {a.profile.silicon for a in only_hubs} >= set(LEADING_STACKS)
    results = _results(only_hubs)
    assert {rid for rid, r in results.items() if r.status == NOT_MET} == set(REQUIREMENTS) - {"DIT.10"}
    assert results["DIT.10"].status == NOT_APPLICABLE


def test_assets_without_a_profile_are_ignored():
    assert evaluate(LAB + [FakeAsset("HHT", None)]) == evaluate(LAB)


def test_a_lab_loses_dit1_when_a_device_leaves_its_asset_library(tmp_path):
    """End to end on a lab's own files: `dit lab select` on the example bench, then without ESME-R2-birch."""
    (tmp_path / "dal").mkdir()
    config = tmp_path / "bench.yaml"
    shutil.copy(DEFAULT.parent / "real_example.yaml", config)
    dal = (DEFAULT.parent / "dal" / "real_example.yaml").read_text()

    def dit1(dal_text: str) -> dict:
        (tmp_path / "dal" / "real_example.yaml").write_text(dal_text)
        result = dit("lab", "select", str(config), "--json")
        assert "Traceback" not in result.stderr
        return next(r for r in json.loads(result.stdout) if r["id"] == "DIT.1")

    before = dit1(dal)
    assert before["status"] == MET and before["devices"] == ["ESME-R1-alder", "ESME-R2-birch"]
    after = dit1("".join(line for line in dal.splitlines(keepends=True) if "ESME-R2-birch" not in line))
    assert after["status"] == NOT_MET and after["devices"] == ["ESME-R1-alder"]
    assert after["reason"] == ("only 1 ESME designed to SMETS2 v3.0: ESME-R1-alder (Alder Metering); "
                               "need a second from another manufacturer")
