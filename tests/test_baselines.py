"""The release baseline matrix as a run dimension, and the differences between releases and CH variants
the emulated lab models (seed Table 7, DIT.9)."""

from __future__ import annotations

import getpass
import json
import os
from dataclasses import dataclass
from pathlib import Path

import pytest
from dit_command import dit

from harness.catalogue import CommandVariant
from harness.emulators.han import SUB_GHZ
from harness.errors import DitError
from harness.lab import EmulatedLab, baselines, targets
from harness.lab import parameters as params
from harness.lab.procedures import Procedures

IS, GS = "the Import Supplier", "the Gas Supplier"


def _lab(lab_config, smki, test_set, baseline="B6"):
    return EmulatedLab(lab_config, smki=smki, schema=None, test_set=test_set,
                       baseline=baselines.baseline(baseline))


def test_the_matrix_pairs_each_baseline_with_the_test_sets_that_fit_it(lab_config):
    found = {(t.baseline.id, t.test_set) for t in targets.targets(lab_config, matrix=True)}
    assert found == {("B1", "SB10-regression"), ("B2", "SB10-regression"),
                     ("B3", "SB11-regression"), ("B3", "DB11-regression"),
                     ("B4", "SB10-regression"), ("B5", "SB11-regression"), ("B5", "DB11-regression"),
                     ("B6", "SB11-core"), ("B6", "DB11-core")}
    assert [t.id for t in targets.targets(lab_config)] == ["B6-SB11-core"]
    assert [t.id for t in targets.targets(lab_config, ["B1"])] == ["B1-SB10-regression"]
    with pytest.raises(DitError, match="no test set"):
        targets.targets(lab_config, ["B6"], ["SB10-regression"])
    with pytest.raises(DitError, match="no release baseline"):
        baselines.baseline("B9")


def test_scenarios_say_which_test_sets_they_fit(lab_config):
    b6, b3 = baselines.baseline("B6"), baselines.baseline("B3")
    v10, dual = lab_config.test_set("SB10-regression"), lab_config.test_set("DB11-core")
    assert targets.applies({"on_CHTS_v1.0", "on_SMETS2_v2.0"}, v10, b3) and not targets.applies({"on_CHTS_v1.0"},
                                                                                              dual, b6)
    assert targets.applies({"on_dual_band", "on_R2_0"}, dual, b6)          # marker spelling
    assert not targets.applies({"on_R2.0"}, lab_config.test_set("DB11-regression"), b3)
    # two ESMEs of one model (SB11-core's ESME and ESME 3): one image signer for an 11.1 to several devices
    assert targets.applies({"on_one_image_signer"}, lab_config.test_set("SB11-core"), b6)
    assert not targets.applies({"on_one_image_signer"}, dual, b6)


def test_a_scenario_uses_the_devices_its_steps_and_tables_name(lab_config):
    steps = [_Step("the Import Supplier sends SR 8.7.1 to the ESME 2"), _Step("the PPMID is joined to the ESME"),
             _Step("the Gas Supplier sends SR 8.2 to the DCC", [["device_id", "the GSME 2"]])]
    assert targets.devices_named(steps, lab_config.test_set("SB11-core")) == ["ESME", "ESME 2", "GSME 2", "PPMID"]


@dataclass
class _Step:
    """A pytest-bdd step as far as targets reads one."""
    name: str
    rows: list[list[str]] | None = None

    @property
    def datatable(self):
        return self if self.rows else None

    def raw(self) -> list[list[str]]:
        return self.rows


def test_r1_3_knows_no_r2_0_service_requests(lab_config, smki):
    with _lab(lab_config, smki, "DB11-regression", "B3") as lab:            # R1.3 service user, R2.0 DSP
        with pytest.raises(DitError, match="R1.3 service user has no SR 6.30"):
            lab.user(GS).send("6.30", params.device(lab.config, "CHF")[1])
    with _lab(lab_config, smki, "SB10-regression", "B1") as lab:            # R1.3 DSP
        user = lab.user(GS)
        user.release = "R2.0"                                                # as if an R2.0 client tried
        exchange = user.send("6.30", params.device(lab.config, "CHF")[1])
        assert exchange.synchronous is None and "R1.3 DUIS schema" in exchange.problem


def test_only_a_dual_band_hub_has_a_sub_ghz_radio(lab_config, smki):
    with _lab(lab_config, smki, "SB11-core") as lab:
        single = lab.user(GS).send("6.31", params.device(lab.config, "CHF")[1])
        assert single.device_fields.get("Result") == "Failure"
        assert any("no sub-GHz radio" in line for line in lab.device("CHF").history)
    with _lab(lab_config, smki, "DB11-core") as lab:
        dual = lab.user(GS).send("6.31", params.device(lab.config, "CHF")[1])
        assert dual.succeeded and dual.device_fields == {
            "Result": "Success", "OperatingSubGHzChannel/OperatingLowerBandSubGHzChannel/Channel1": ""}


def test_a_sub_ghz_device_joins_a_dual_band_hub_on_sub_ghz(lab_config, smki):
    bands, pages = {}, {}
    for test_set in ("SB11-core", "DB11-core"):
        with _lab(lab_config, smki, test_set) as lab:
            do = Procedures(lab, lambda x: x)
            do.install_and_commission(GS, "GSME")                  # a sub-GHz capable GSME in both sets
            do.install_and_commission(IS, "ESME")                  # a 2.4 GHz-only ESME
            hub = lab.hubs[lab.site.name]
            bands[test_set] = (hub.bands[lab.device("GSME").eui], hub.bands[lab.device("ESME").eui])
            assert lab.user(GS).send("6.2.9", lab.device("GSME").eui).succeeded
            pages[test_set] = {f.page for f in lab.han_capture()}      # what the sniffers saw
    assert bands == {"SB11-core": ("2.4 GHz", "2.4 GHz"), "DB11-core": (SUB_GHZ, "2.4 GHz")}
    assert pages == {"SB11-core": {0}, "DB11-core": {0, 28}}


def test_a_v1_0_hub_upgraded_to_v1_1_keeps_its_zigbee_1_2a_devices(lab_config, smki):
    with _lab(lab_config, smki, "SB10-regression", "B4") as lab:
        do = Procedures(lab, lambda x: x)
        do.install_and_commission(IS, "ESME")
        esme, chf = lab.device("ESME"), lab.device("CHF")
        assert chf.zigbee_version == "1.2a" and esme.zigbee_version == "1.2a"
        lab.upgrade_communications_hub()
        assert chf.zigbee_version == "1.4" and esme.joined_to is None         # the restart took it off the HAN
        assert lab.user(IS).wait_for_alert("8183", device=esme.eui) is not None
        assert esme.joined_to == chf.eui and chf.device_log[esme.eui].joined
        assert f"{esme} (ZigBee 1.2a) joined on 2.4 GHz, hub on ZigBee 1.4" in chf.history[-1]
        assert lab.user(IS).send("6.2.9", esme.eui).succeeded
        assert lab.dcc.inventory.get(chf.eui).smets_chts_version == "CHTS V1.1"


def test_lcd_on_a_v1_0_hub_works_as_on_a_v1_1_hub(lab_config, smki):
    """Local Command Delivery does not depend on the CH variant (the no-WAN scenarios run on every set)."""
    with _lab(lab_config, smki, "SB10-regression", "B4") as lab:
        lab.install_without_wan()
        Procedures(lab, lambda x: x).send(IS, "12.2", None, device_id="the HHT", device_type="HHT")
        chf = params.device(lab.config, "CHF")[1]
        exchange = lab.user(IS).send("8.11", chf, command_variant=CommandVariant.NON_CRITICAL_LOCAL,
                                     **params.resolve(lab, "8.11", chf, {"device_id": "the HHT"}))
        assert lab.deliver_locally(exchange.local_command)


def test_the_matrix_runs_each_lab_scenario_where_it_applies(tmp_path):
    """`dit run --matrix`: the DIT.9 upgrades on the v1.0 set at every baseline, the v1.1 installation on the
    v1.1 regression sets, the R2.0 dual band SRs only where service user and DSP are both R2.0."""
    result = dit("run", "--matrix", "-m", "ch_upgrade or dual_band_hub", "--report-dir", str(tmp_path),
                 DIT_SMKI=str(tmp_path / "smki"))
    assert result.returncode == 0, result.stdout + result.stderr
    ran = {(e["scenario_id"].split("/")[0], e["baseline"], e["test_set"], e["ch_variant"])
           for e in json.loads((tmp_path / "summary.json").read_text())["executions"] if e["outcome"] == "passed"}
    v10 = [(b, "SB10-regression", "CHTS v1.0 Single Band") for b in ("B1", "B2", "B4")]
    v11 = [(b, s, v) for b in ("B3", "B5") for s, v in (("SB11-regression", "CHTS v1.1 Single Band"),
                                                           ("DB11-regression", "CHTS v1.1 Dual Band"))]
    assert ran == {("ch_upgrade", *t) for t in v10 + v11} | {
        ("dual_band_hub", "B5", "DB11-regression", "CHTS v1.1 Dual Band"),
        ("dual_band_hub", "B6", "DB11-core", "CHTS v1.1 Dual Band")}
    # 15: on B6 the noisy channel scenario runs with the second GSME too (lab.casts: every family rotates on B6)
    assert "Release baselines and test sets" in result.stdout and "15 passed" in result.stdout


def test_parallel_workers_report_as_one_run(tmp_path):
    probe = tmp_path / "roles.jsonl"
    # pytest's numbered temporary directories, left by other pytest sessions (a test suite's are thousands of files)
    temp_root = tmp_path / "temp"
    others = [temp_root / f"pytest-of-{getpass.getuser()}" / f"pytest-{n}" for n in range(1, 5)]
    for other in others:
        other.mkdir(parents=True)
        (other / "kept").write_text("another session's")
    result = dit("run", "-n", "2", "--matrix", "-m", "price_update", "--report-dir", str(tmp_path), "--",
                 "-p", "process_roles_probe", DIT_SMKI=str(tmp_path / "smki"), DIT_ROLES_PROBE=str(probe),
                 PYTHONPATH=os.pathsep.join(filter(None, [str(Path(__file__).parent), os.environ.get("PYTHONPATH")])),
                 PYTEST_DEBUG_TEMPROOT=str(temp_root))
    assert result.returncode == 0, result.stdout + result.stderr
    # a run makes none and deletes none: xdist had the controller make one, and at the run's end pytest deleted all
    # but the newest three (seconds of unlinking after the last scenario, once a test suite had run)
    assert sorted(others[0].parent.iterdir()) == others
    # the controller hands the scenarios out: it never loads a lab, a DCC User or a step (plugin.runs_scenarios)
    roles = sorted((r["role"], r["imported"]) for r in map(json.loads, probe.read_text().splitlines()))
    every = ["harness.emulators", "harness.lab.emulated", "harness.adapters", "harness.gbcs", "steps.lab"]
    assert roles == [("controller", []), ("worker", every), ("worker", every)], roles
    summary = json.loads((tmp_path / "summary.json").read_text())
    # 2 variants on 9 targets, and on the 2 functional (B6) targets with the second meter too (lab.casts)
    assert summary["totals"]["passed"] == 2 * 9 + 2 * 2 and summary["totals"]["failed"] == 0
    assert len({(e["scenario_id"], e["baseline"], e["test_set"], e["cast"]) for e in summary["executions"]
                if e["outcome"] == "passed"}) == 22
