"""A device is tested in an execution only when it took part, as the DCC Users observed it (harness.lab.participation):
it answered a command with its own response, raised an alert the scenario waited for, or joined. The records say
which devices and in what role; the heatmap, the device combinations and every device rule count only those
(harness.criteria). And the plan's 27 alerts: which executions received each (harness.criteria.alerts).

On the emulated lab through real DUIS, on crafted phases, and on a real `dit run` of the firmware, LCD and IHD
families (the firmware run no longer counts ESME 2, which was only pre-notified and refused by the DCC)."""

from __future__ import annotations

import json
import re

import pytest
from dit_command import dit

from harness import catalogue
from harness.criteria import Phase, assess
from harness.criteria.alerts import COVERED, NOT_COVERED, NOT_PASSED, alert_coverage
from harness.criteria.assessment import heatmap
from harness.criteria.exit import exit_criteria
from harness.criteria.requirements import evaluate as requirements
from harness.lab import parameters as params
from harness.lab import participation
from harness.ledger import DeviceRecord, ExecutionRecord, Ledger, Part, Participant, PlannedTest
from harness.report import render_html

IS = "the Import Supplier"
SB11, SB10 = "CHTS v1.1 Single Band", "CHTS v1.0 Single Band"


def eui(lab, name):
    return params.device(lab.config, name)[1]


def took_part(lab) -> dict[str, Participant]:
    return {p.role: p for p in participation.of_lab(lab).participants}


# -- what the DCC Users observed, on the emulated lab -------------------------------------------------------------

def test_a_device_only_prenotified_and_refused_by_the_dcc_takes_no_part_and_one_that_answered_does(lab, do):
    do.install_and_commission(IS, "ESME")
    do.prenotify(IS, "ESME 2")
    image = lab.firmware_image("ESME", 0x00040001)
    refused = lab.user(IS).send("11.1", device_id_list=[eui(lab, "ESME 2")], firmware_image=image,
                                firmware_version="00040001")
    assert refused.response_code == "E110103", refused.summary
    seen = took_part(lab)
    assert "ESME 2" not in seen
    # answered (8.1.1 ...) and joined (8.11 Add, then the SMI showed it Installed Not Commissioned)
    assert seen["ESME"] == Participant("ESME-78-1-alder", "ESME", (Part.ANSWERED, Part.JOINED))
    assert seen["CHF"].asset == "CH-78-1" and seen["CHF"].parts == (Part.ANSWERED,)


def test_the_second_meter_answering_takes_part_in_its_own_role(lab, do):
    do.install_and_commission(IS, "ESME 2")
    assert took_part(lab)["ESME 2"].asset == "ESME-78-2-birch"
    assert "ESME" not in took_part(lab)


def test_a_device_alert_the_scenario_waited_for_makes_its_device_take_part(lab, do):
    do.install_and_commission(IS, "ESME")
    assert Part.ALERTED not in took_part(lab)["ESME"].parts
    image = lab.firmware_image("ESME", 0x00040001)
    assert lab.user(IS).send("11.1", device_id_list=[eui(lab, "ESME")], firmware_image=image,
                             firmware_version="00040001").succeeded
    assert lab.user(IS).wait_for_alert("8F72", device=eui(lab, "ESME")) is not None
    assert Part.ALERTED in took_part(lab)["ESME"].parts
    assert participation.of_lab(lab).alerts == ["N24", "0x8F72"]


def test_an_alert_looked_for_so_as_not_to_come_is_not_one_the_scenario_waited_for(lab, do):
    do.prenotify(IS, "ESME")
    assert do.send(IS, "8.11", "CHF", device_id="the ESME").succeeded
    assert lab.user(IS).wait_for_alert("N24", expected=False) is not None     # came, though it should not have
    assert participation.of_lab(lab).alerts == []


def test_a_device_whitelisted_and_seen_installed_in_the_smi_joined(lab, do):
    do.prenotify(IS, "IHD")
    do.whitelist(IS, "IHD")
    assert "IHD" not in took_part(lab)              # whitelisted only: the CHF answered, the IHD did nothing yet
    do.join_han(IS, "IHD")
    assert took_part(lab)["IHD"] == Participant("IHD-78-1-damson", "IHD", (Part.JOINED,))


def test_a_device_alert_that_it_joined_the_smhan_is_a_join(lab, do):
    do.install_and_commission(IS, "ESME")
    lab.upgrade_communications_hub()                 # the hub restarts: the ESME joins its SMHAN again
    rejoined = lab.user(IS).wait_for_alert("8183", device=eui(lab, "ESME"))
    assert rejoined is not None
    alone = participation.observe(lab.config.premises[0], [], [rejoined])
    assert alone == participation.Observed([Participant("ESME-78-1-alder", "ESME", (Part.ALERTED, Part.JOINED))],
                                           ["0x8183"])


def test_the_smi_showing_a_device_installed_is_no_join_unless_the_scenario_whitelisted_it(lab, do):
    do.install_and_commission(IS, "ESME")
    read = do.send(IS, "8.2", None, device_id="the ESME")
    assert read.response.inventory[0]["DeviceStatus"] == "Commissioned"
    alone = participation.observe(lab.config.premises[0], [read], [])     # a read of a device installed before
    assert alone.participants == []


# -- the criteria count only participants --------------------------------------------------------------------------

LAB = [DeviceRecord("CH-A", "SB-A", SB11, "CHF", "Elm", silicon="Silicon Labs"),
       DeviceRecord("ESME-A", "SB-A", SB11, "ESME", "Alder", standard="SMETS2 v3.0", silicon="Silicon Labs"),
       DeviceRecord("ESME-B", "SB-A", SB11, "ESME", "Birch", standard="SMETS2 v3.0", silicon="NXP"),
       DeviceRecord("CH-R", "R10", SB10, "CHF", "Elm", silicon="Silicon Labs"),
       DeviceRecord("ESME-R", "R10", SB10, "ESME", "Alder", standard="SMETS2 v2.0", silicon="Silicon Labs")]


def _planned(scenario: str, devices: tuple[str, ...], test_set: str = "SB-A",
             family: str = "firmware") -> PlannedTest:
    variant, kind = (SB10, "regression") if test_set == "R10" else (SB11, "functional")
    return PlannedTest(f"{scenario}[{test_set}]", f"{family}/{scenario}", scenario, family, [], "High", False, [],
                       "B6", test_set, variant, False, kind, "R2.0", "R2.0", variant[:9], "SMETS2 v3.0",
                       list(devices))


def _executed(test: PlannedTest, outcome: str, took_part: tuple[str, ...], alerts=(), number: int = 1):
    return ExecutionRecord(1, test.node, test.scenario_id, outcome, f"2026-11-20T10:00:0{number}+00:00",
                           test.baseline, test.test_set, test.ch_variant, test.devices, evidence="evidence/x",
                           id=number, alerts=list(alerts),
                           participants=[Participant(a, "ESME", (Part.ANSWERED,)) for a in took_part])


def test_a_named_device_that_did_not_take_part_counts_nowhere():
    fw = _planned("fw", ("ESME-A", "ESME-B"))          # names both, as the firmware update names ESME 2
    p = Phase.build([fw], [_executed(fw, "passed", ("ESME-A",))], LAB)
    assert p.tested_devices() == {"ESME-A"}
    heat = assess(p)["heatmap"]
    assert [(c["device"], c["executed"], c["passed"]) for c in heat["cells"]] == [("ESME-A", 1, 1)]
    assert heat["combinations"] == [{"ch_variant": SB11, "devices": ["ESME-A"], "executed": 1, "passed": 1}]
    dit1 = next(v for v in requirements(p) if v.id == "DIT.1")
    assert dit1.status == "not_met" and "ESME-B" not in dit1.devices
    both = Phase.build([fw], [_executed(fw, "passed", ("ESME-A", "ESME-B"))], LAB)
    assert next(v for v in requirements(both) if v.id == "DIT.1").status == "met"


def test_an_execution_recorded_before_participation_was_recorded_counts_no_device():
    fw = _planned("fw", ("ESME-A",))
    p = Phase.build([fw], [_executed(fw, "passed", ())], LAB)
    assert p.tested_devices() == set() and assess(p)["heatmap"]["cells"] == []
    a = assess(p)
    assert any("1 completed test with no device recorded as taking part" in d for d in a["deviations"])
    dit1 = next(v for v in a["requirements"] if v["id"] == "DIT.1")
    assert dit1["status"] == "not_evaluable" and "recorded before participation was recorded" in dit1["evidence"]


def test_ex1_a_regression_test_that_passed_without_its_device_does_not_complete_it():
    reg = _planned("r", ("ESME-R",), "R10", "install_commission")
    without = Phase.build([reg], [_executed(reg, "passed", ())], LAB)
    ex1 = next(v for v in exit_criteria(without, requirements(without)) if v.id == "DIT.EX.1")
    assert "ESME-R: 1 of 1 planned regression test passed, in none of which it took part" in ex1.details


def test_ex7_counts_a_meter_only_where_it_took_part():
    ic, fw = _planned("ic", ("ESME-A", "ESME-B"), family="install_commission"), _planned("fw", ("ESME-A", "ESME-B"))
    p = Phase.build([ic, fw], [_executed(ic, "passed", ("ESME-A", "ESME-B"), number=1),
                               _executed(fw, "passed", ("ESME-A",), number=2)], LAB)
    ex7 = next(v for v in exit_criteria(p, requirements(p)) if v.id == "DIT.EX.7")
    assert ex7.status == "not_met" and ex7.details == ["NXP meter / Silicon Labs CH: no passed firmware test"]


# -- alert coverage --------------------------------------------------------------------------------------------------

def test_the_plan_has_27_alerts_and_an_alert_no_execution_received_is_not_covered():
    # Coverage reads executions only: an alert none of the phase's executions received (here 0x8F1C) is not covered.
    fw = _planned("fw", ("ESME-A",))
    p = Phase.build([fw], [_executed(fw, "passed", ("ESME-A",), alerts=("N24", "0x8F72"))], LAB)
    rows = {r["alert"]: r for r in alert_coverage(p)}
    assert len(rows) == 27 and list(rows) == catalogue.dit_alerts()
    assert rows["0x8F1C"]["status"] == NOT_COVERED and rows["0x8F1C"]["executions"] == []
    assert rows["0x8F72"]["status"] == COVERED and [e["execution"] for e in rows["0x8F72"]["executions"]] == [1]
    html = render_html(assess(p))
    table = html[html.index('id="alert-coverage-table"'):]
    table = table[:table.index("</table>")]
    assert len(re.findall(r"<tr><td", table)) == 27
    assert re.search(r"0x8F1C</td><td>Firmware Verification Failed</td>\s*<td><span[^>]*>not covered by the phase",
                     table)


def test_an_alert_received_only_by_a_failed_or_superseded_execution_is_received_not_passed():
    fw, other = _planned("fw", ("ESME-A",)), _planned("other", ("ESME-A",))
    p = Phase.build([fw, other], [_executed(fw, "passed", ("ESME-A",), alerts=("N20",), number=1),
                                  _executed(fw, "failed", ("ESME-A",), number=2),
                                  _executed(other, "failed", ("ESME-A",), alerts=("0x8F67",), number=3)], LAB)
    rows = {r["alert"]: r for r in alert_coverage(p)}
    assert rows["N18-N23"]["status"] == NOT_PASSED and rows["N18-N23"]["latest_outcome"] == "passed"
    assert rows["0x8F67"]["status"] == NOT_PASSED and rows["0x8F67"]["latest_outcome"] == "failed"


# -- a real run ------------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def run(tmp_path_factory):
    report = tmp_path_factory.mktemp("participation")
    result = dit("run", "-m", "firmware or no_wan_lcd or ihd", "-k", "not repairing", "--report-dir", str(report),
                 DIT_SMKI=str(report / "smki"))
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    book = Ledger(f"sqlite:///{report / 'phase.db'}")
    try:
        yield report, book.executions(), assess(Phase.read(book)), book.devices(), book.planned()
    finally:
        book.close()


def _by_scenario(executions) -> dict[str, ExecutionRecord]:
    return {e.scenario_id: e for e in executions}


def test_the_firmware_run_no_longer_counts_the_meter_it_only_prenotified(run):
    _, executions, a, _, _ = run
    updates = [e for e in executions if e.scenario_id == "firmware/firmware-update-electricity"]
    assert updates
    for update in updates:                   # in each cast the plan gives it: the meter and the one only named
        meter = next(p for p in update.participants if p.role == "ESME")
        assert meter.parts == (Part.ANSWERED, Part.ALERTED, Part.JOINED)
        assert update.alerts == ["N24", "0x8F72", "0x8F1C", "N18"]          # verified, refused, off the SM WAN
        assert [p.role for p in update.participants] == ["ESME", "CHF"]
        (other,) = set(update.devices) - {meter.asset}     # its steps name it (what a suspension blocks) ...
        phase = Phase.build([t for t in run[4] if t.key == update.key], [update], run[3])
        cells = {c["device"]: (c["executed"], c["passed"]) for c in heatmap(phase)["cells"]}
        assert cells == {meter.asset: (1, 1)}               # ... but only the meter that took part was tested
        test = next(t for t in a["tests"] if t["last_execution"] == update.id)
        assert test["devices"] == [meter.asset, "CH-78-1"] and other in test["named"]
    default = next(u for u in updates if not u.cast)
    assert "ESME-78-2-birch" in default.devices and "ESME-78-2-birch" not in {p.asset for p in default.participants}


def test_a_device_answering_by_local_command_delivery_and_one_only_joining_take_part(run):
    _, executions, *_ = run
    found = _by_scenario(executions)
    lcd_run = found["no_wan_lcd/no-wan-installation-using-lcd-esme-credit"]
    lcd = {p.role: p for p in lcd_run.participants}
    assert lcd["ESME"].parts == (Part.ANSWERED, Part.JOINED)       # its answers came back by 8.13
    assert "HHT" not in lcd
    # the CHF's 0x8F12 the terminal brought back, returned with an 8.13 the DCC accepted
    assert lcd["CHF"].parts == (Part.ANSWERED, Part.ALERTED) and lcd_run.alerts == ["0x8F12", "N24", "N42"]
    ihd = {p.role: p for p in found["ihd/ihd-exchange-electricity-site"].participants}
    assert ihd["IHD"].parts == ihd["IHD 2"].parts == (Part.JOINED,)


def test_a_real_run_covering_an_alert_lists_its_executions_in_the_report_and_summary_json(run):
    report, executions, a, *_ = run
    received = sorted(e.id for e in executions if "0x8F72" in e.alerts)
    assert {e.scenario_id for e in executions if e.id in received} == {     # updates; activations' distribution
        f"firmware/firmware-{step}-{fuel}" for step in ("update", "activation") for fuel in ("electricity", "gas")} | {
        "firmware/firmware-update-and-activation-electricity-several-devices"}
    rows = {r["alert"]: r for r in a["alert_coverage"]}
    assert rows["0x8F72"]["status"] == COVERED and sorted(e["execution"] for e in rows["0x8F72"]["executions"]) \
        == received
    assert rows["N27"]["status"] == NOT_COVERED                       # a change of supplier's: not in this run
    summary = json.loads((report / "summary.json").read_text())
    run_rows = {r["alert"]: r for r in summary["alert_coverage"]}
    assert sorted(e["scenario_id"] for e in run_rows["0x8F72"]["executions"]) == sorted(
        e.scenario_id for e in executions if "0x8F72" in e.alerts)
    assert run_rows["N27"]["status"] == "not covered by this run"
    listed = next(e for e in summary["executions"] if e["scenario_id"] == "firmware/firmware-update-gas")
    assert [p["role"] for p in listed["participants"]] == ["GSME", "CHF", "GPF"]
    assert listed["alerts"] == ["N24", "0x8F72", "0x8F1C", "N18"]
