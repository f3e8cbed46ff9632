"""Device role rotation (harness.lab.casts): which device of a test set plays each role a scenario names, the
casts the plan gives each scenario on each target, that a rotated execution really is the second device's, what
`dit scenarios --casts` shows, and the matrix's planned-test count held at a fixed figure."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest
from dit_command import PROJECT, dit

from harness import scenarios
from harness.catalogue import DeviceType
from harness.criteria import phase
from harness.errors import DitError
from harness.eui import EntityId
from harness.gbcs.frame import CraFlag, GbcsMessage
from harness.lab import casts, targets
from harness.lab.casts import AS_NAMED, Cast
from harness.lab.config import DeviceConfig, HubConfig, PremisesConfig
from harness.ledger import Ledger, Part, PlannedTest
from harness.usecases import DuisRequest

ESME_1, ESME_2 = EntityId("00-DB-12-34-56-78-90-A0"), EntityId("00-DB-12-34-56-78-90-B0")   # SB11-core's meters
# The matrix (every baseline on every test set that fits it, emulated lab): 817 tests as named, 498 in another
# cast. A change of the plan changes these on purpose, or it is an accidental explosion. (734/444 until the
# electricity organisation certificate update with an HCALCS: B6 on SB11-core, which holds one, in 2 casts; 735/445
# until the prepayment Tariff Updates and the gas top-ups: 4 variants on 9 targets each; 771/467 until the 3 ESME
# Change of Supplier variants of the SEC guidance, 9 targets each; 798/494 until the two credit organisation
# certificate updates, 9 targets and 2 casts on B6, and the firmware update of several devices, as named on B6.)
MATRIX_AS_NAMED, MATRIX_ROTATED = 817, 498


def _site(*devices: tuple[str, DeviceType]) -> PremisesConfig:
    hub = HubConfig(EntityId("00-DB-00-00-00-00-00-F0"), EntityId("00-DB-00-00-00-00-00-F1"))
    return PremisesConfig("set", hub, [DeviceConfig(name, kind, EntityId(f"00-DB-00-00-00-00-00-{n:02X}"))
                                       for n, (name, kind) in enumerate(devices)])


T = DeviceType
CORE = _site(("ESME", T.ESME), ("ESME 2", T.ESME), ("GSME", T.GSME), ("GSME 2", T.GSME), ("PPMID", T.PPMID),
             ("PPMID 2", T.PPMID), ("IHD", T.IHD), ("IHD 2", T.IHD), ("HHT", T.HHT))


def _planned(named: list[str], site: PremisesConfig = CORE, family: str = "meter_reading", tags: tuple = (),
             regression: bool = False) -> list[str]:
    return [str(c) for c in casts.planned(named, site, family=family, tags=tags, regression=regression)]


# -- what a cast says --------------------------------------------------------------------------------------

def test_a_cast_is_written_as_the_roles_it_gives_to_other_devices_sorted_and_reads_back():
    cast = Cast.parse(" GSME=GSME 2 , ESME=ESME 2, IHD=IHD ")
    assert str(cast) == "ESME=ESME 2, GSME=GSME 2"              # sorted by role; a role to itself says nothing
    assert Cast.parse(str(cast)) == cast and cast.id == "ESME2-GSME2" and cast.device("ESME") == "ESME 2"
    assert Cast.parse("") == AS_NAMED and not AS_NAMED and str(AS_NAMED) == "" and AS_NAMED.label == "as named"


@pytest.mark.parametrize("text, what", [
    ("ESME", "'ESME' is not ROLE=DEVICE"),
    ("ESME=", "'ESME=' is not ROLE=DEVICE"),
    ("ESME=ESME 2, ESME=ESME 3", "role 'ESME' is given twice"),
    ("ESME=ESME 2, GSME=ESME 2", "device 'ESME 2' plays two roles"),
])
def test_a_cast_that_is_not_one_is_one_line(text, what):
    with pytest.raises(DitError) as refused:
        Cast.parse(text, where="--cast")
    assert str(refused.value).startswith(f"--cast: {what} (write it as ROLE=DEVICE")


def test_in_a_cast_each_device_of_the_set_is_there_under_the_role_it_plays():
    seen = {d.eui: d.name for d in Cast.parse("ESME=ESME 2").on(CORE).devices}
    original = {d.name: d.eui for d in CORE.devices}
    assert seen[original["ESME 2"]] == "ESME" and seen[original["ESME"]] == "ESME 2"     # the first takes the role left
    assert len(seen) == len(CORE.devices) and seen[original["GSME"]] == "GSME"
    with pytest.raises(DitError, match="the ESME 2 of test set set is a ESME, it cannot play the GSME"):
        Cast.parse("GSME=ESME 2").on(CORE)
    with pytest.raises(DitError, match="test set set has no ESME 3"):
        Cast.parse("ESME=ESME 3").on(CORE)


# -- the plan ------------------------------------------------------------------------------------------------

def test_each_device_of_a_named_type_plays_one_of_its_roles_in_some_cast():
    assert _planned(["ESME"]) == ["", "ESME=ESME 2"]
    assert _planned(["ESME", "ESME 2"]) == [""]                      # both meters take part already: no swap
    assert _planned(["ESME", "ESME 2", "IHD"]) == ["", "IHD=IHD 2"]
    # several types rotate together, in one more cast, not in every combination
    assert _planned(["ESME", "GSME", "PPMID", "PPMID 2"]) == ["", "ESME=ESME 2, GSME=GSME 2"]
    two_terminals = _site(("ESME", T.ESME), ("ESME 2", T.ESME), ("HHT", T.HHT), ("HHT 2", T.HHT))
    assert _planned(["ESME", "HHT"], two_terminals) == ["", "ESME=ESME 2"]     # the installer's terminal is a tool
    assert _planned([]) == [""]
    three = _site(("ESME", T.ESME), ("ESME 2", T.ESME), ("ESME 3", T.ESME))
    assert _planned(["ESME"], three) == ["", "ESME=ESME 2", "ESME=ESME 3"]
    assert _planned(["ESME", "ESME 2"], three) == ["", "ESME=ESME 3"]
    # a device listed with `rotated: false` (a second meter of a model) plays only its own role
    kept = PremisesConfig("set", three.hub, [*three.devices[:2], replace(three.devices[2], rotated=False)])
    assert _planned(["ESME"], kept) == ["", "ESME=ESME 2"]
    assert _planned(["ESME", "ESME 3"], kept) == ["", "ESME=ESME 2"]


def test_regression_targets_rotate_the_families_the_criteria_need_and_a_tag_opts_out():
    assert _planned(["ESME"], family="meter_reading", regression=True) == [""]
    for family in ("install_commission", "firmware", "change_of_supplier", "change_of_tenancy", "prepayment_top_up",
                   "prepayment_data", "ihd", "ppmid"):
        assert _planned(["ESME"], family=family, regression=True) == ["", "ESME=ESME 2"], family
    assert _planned(["ESME"], tags=("roles_as_named",)) == [""]
    assert _planned(["ESME"], family="install_commission", tags=("roles_as_named",), regression=True) == [""]


def _matrix(lab_config) -> list[scenarios.CastTest]:
    return scenarios.plan(lab_config, targets.targets(lab_config, matrix=True))


def test_the_matrix_plans_each_meter_in_install_commission_and_firmware_on_each_ch(lab_config):
    planned = {(t.variant.id, t.target.id): t.devices for t in _matrix(lab_config)}
    credit = "install_commission/install-commission-esme-credit"
    assert planned[credit, "B6-SB11-core"] == {"ESME": "ESME-78-1-alder"}
    assert planned[credit, "B6-SB11-core-ESME2"] == {"ESME": "ESME-78-2-birch"}
    assert planned[credit, "B6-DB11-core-ESME2"] == {"ESME": "ESME-79-2-alder"}
    assert planned[credit, "B3-SB11-regression-ESME2"] == {"ESME": "ESME-7B-2-alder"}
    activation = "firmware/firmware-activation-gas"
    assert planned[activation, "B6-SB11-core-GSME2"] == {"GSME": "GSME-78-2-birch"}
    assert planned[activation, "B1-SB10-regression-GSME2"] == {"GSME": "GSME-7A-2-cedar"}
    # the update names both meters: no other cast; a family the regression targets do not rotate: as named there
    assert [k for k in planned if k[0] == "firmware/firmware-update-electricity" and k[1].startswith("B6-SB11")] == \
        [("firmware/firmware-update-electricity", "B6-SB11-core")]
    reading = "meter_reading/meter-reading-electricity-mid-night"
    assert (reading, "B1-SB10-regression") in planned and (reading, "B1-SB10-regression-ESME2") not in planned
    assert (reading, "B6-SB11-core-ESME2") in planned


def test_the_matrix_plans_a_fixed_number_of_tests_and_pytest_collects_the_same(lab_config, tmp_path):
    planned = _matrix(lab_config)
    rotated = [t for t in planned if t.target.cast]
    assert (len(planned) - len(rotated), len(rotated)) == (MATRIX_AS_NAMED, MATRIX_ROTATED)
    collected = subprocess.run(
        [sys.executable, "-m", "pytest", "features", "--matrix", "--collect-only", "-q",
         "-p", "no:cacheprovider", f"--ledger=sqlite:///{tmp_path / 'phase.db'}"],
        cwd=PROJECT, capture_output=True, text=True, timeout=600)
    nodes = [line for line in collected.stdout.splitlines() if "::" in line]
    assert len(nodes) == MATRIX_AS_NAMED + MATRIX_ROTATED, collected.stdout[-2000:]
    # each target and cast as often in the node ids as in the plan
    assert Counter(_target_id(n, {t.target.id for t in planned}) for n in nodes) == \
        Counter(t.target.id for t in planned)
    with Ledger(f"sqlite:///{tmp_path / 'phase.db'}") as book:        # the ledger's plan says the same
        assert sorted(p.cast for p in book.planned() if p.cast) == sorted(str(t.target.cast) for t in rotated)


def _target_id(node: str, ids: set[str]) -> str | None:
    """The target and cast a node id starts its parameters with ('B6-SB11-core-ESME2'), the longest that fits."""
    params = node.split("[", 1)[1].removesuffix("]")
    return next((i for i in sorted(ids, key=len, reverse=True) if params == i or params.startswith(i + "-")), None)


# -- a rotated execution is the second device's ----------------------------------------------------------------

@pytest.fixture(scope="module")
def second_meter_run(tmp_path_factory):
    report = tmp_path_factory.mktemp("cast") / "r"
    result = dit("run", "-m", "install_commission", "-k", "esme_credit and ESME2", "--report-dir", str(report),
                 DIT_SMKI=str(report.parent / "smki"))
    assert result.returncode == 0, result.stdout + result.stderr
    (report / "console.txt").write_text(result.stdout)
    return report


def test_with_the_second_meter_as_the_esme_every_command_goes_to_it_and_it_answers(second_meter_run):
    with Ledger(f"sqlite:///{second_meter_run / 'phase.db'}") as book:
        [execution] = book.executions()
        planned = next(p for p in book.planned() if p.node == execution.node)     # the plan: every test of B6
    assert execution.cast == planned.cast == "ESME=ESME 2" and execution.outcome == "passed"
    assert execution.devices == planned.devices == ["ESME-78-2-birch"]
    took_part = {p.asset: (p.role, set(p.parts)) for p in execution.participants}
    assert took_part["ESME-78-2-birch"] == ("ESME", {Part.ANSWERED, Part.JOINED})
    assert "ESME-78-1-alder" not in took_part
    folder = Path(execution.evidence)
    targeted = {DuisRequest.parse(p.read_bytes()).request_id.target for p in folder.glob("*-request-to-*.xml")}
    assert ESME_2 in targeted and ESME_1 not in targeted
    # its own GBCS: the commissioning and the MPAN configuration answered and signed by the second meter
    for srv in ("8.1.1", "6.20.1", "6.15.2"):
        [response, *_] = sorted(folder.glob(f"*-SR-{srv}-device-response.hex"))
        apdu = GbcsMessage.decode(bytes.fromhex(response.read_text().strip())).apdu
        assert (apdu.originator, apdu.cra_flag) == (ESME_2, CraFlag.RESPONSE), srv


def test_a_run_selects_a_cast_by_its_node_id(second_meter_run):
    summary = json.loads((second_meter_run / "summary.json").read_text())
    ran = [(e["scenario_id"], e["cast"]) for e in summary["executions"] if e["outcome"] != "not_run"]
    assert ran == [("install_commission/install-commission-esme-credit", "ESME=ESME 2")]
    assert "B6 SB11-core, ESME=ESME 2" in (second_meter_run / "console.txt").read_text()


def test_the_report_names_a_test_by_its_cast_too():
    planned = PlannedTest("n", "install_commission/s", "S", "install_commission", [], None, True, [], "B6",
                          "SB11-core", "CHTS v1.1 Single Band", False, "functional", cast="ESME=ESME 2")
    assert phase.Test(planned).label == "install_commission/s [B6 SB11-core, ESME=ESME 2]"
    assert phase.Test(replace(planned, cast="")).label == "install_commission/s [B6 SB11-core]"


# -- dit scenarios --casts -------------------------------------------------------------------------------------

def test_dit_scenarios_shows_each_variants_casts_on_each_target():
    shown = dit("scenarios", "--casts")
    assert shown.returncode == 0, shown.stderr
    lines = shown.stdout.splitlines()
    at = lines.index("install_commission/install-commission-esme-credit")
    assert lines[at + 1].split() == ["B6-SB11-core", "as", "named", "ESME:", "ESME-78-1-alder"]
    assert lines[at + 2].split() == ["B6-SB11-core-ESME2", "ESME=ESME", "2", "ESME:", "ESME-78-2-birch"]
    assert shown.stderr.strip() == "179 tests of 91 scenario variants on 1 targets (91 as named, 88 in another cast)"
    matrix = json.loads(dit("scenarios", "--casts", "--matrix", "--json").stdout)
    tests = [t for v in matrix for t in v["tests"]]
    assert len(tests) == MATRIX_AS_NAMED + MATRIX_ROTATED
    credit = next(v for v in matrix if v["id"] == "install_commission/install-commission-esme-credit")
    assert {"target": "B6-DB11-core-ESME2", "baseline": "B6", "test_set": "DB11-core", "cast": "ESME=ESME 2",
            "devices": {"ESME": "ESME-79-2-alder"}} in credit["tests"]


def test_dit_scenarios_target_flags_without_casts_is_one_line():
    refused = dit("scenarios", "--matrix")
    assert refused.returncode == 2 and refused.stdout == ""
    assert refused.stderr.strip().splitlines() == [
        "dit: error: dit scenarios: --lab, --baseline, --test-set and --matrix choose the targets of --casts "
        "(add --casts)"]


def test_a_scenario_variant_is_rendered_once_and_as_pytest_bdd_renders_it():
    """scenarios.rendered keeps each template's render per Examples row: the same Scenario when asked again, each
    row its own, step for step what pytest-bdd's render gives."""
    outline = next((template, contexts) for _, _, template, _ in scenarios._parsed(scenarios.FEATURES)
                   if len(contexts := [c for ex in template.examples for c in ex.as_contexts()]) >= 2)
    template, contexts = outline
    for context in contexts:
        first = scenarios.rendered(template, context)
        assert scenarios.rendered(template, context) is first
        fresh = template.render(context)
        assert [(s.name, s.datatable and s.datatable.raw()) for s in first.steps] == \
            [(s.name, s.datatable and s.datatable.raw()) for s in fresh.steps]
    assert len({scenarios.rendered(template, c).name for c in contexts}) == len(contexts)
