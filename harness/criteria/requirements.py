"""The DIT requirements of seed Table 1 (DIT.1-DIT.15), judged from records.

DIT.1-6, 9, 10 and 12 ask for devices of given types, standards, bands, manufacturers and ZigBee silicon:
`device_requirements` decides them from device records alone (what `dit lab select` shows for a Device
Asset Library before testing); in the phase they count only devices that took part in tests run to a verdict
(answered, alerted or joined: harness.lab.participation), never a device a step merely names. DIT.13-15
are decided by the tests that exercise them; DIT.7 by the device selection's document (harness.criteria.evidence);
DIT.8 and 11 by the HAN capture figures of each test's latest execution (harness.criteria.captures). DIT.10 applies
once the Device Asset Library holds an HCALCS, and is then met only by one that took part in a completed test.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from harness.criteria import captures
from harness.criteria.evidence import decided, decision, with_records
from harness.criteria.phase import Phase, Test
from harness.criteria.verdict import MET, NOT_EVALUABLE, NOT_MET, Verdict, plural
from harness.ledger import DeviceRecord

NOT_APPLICABLE = "not_applicable"       # DIT.10 without HCALCS: the requirement is conditional
# DIT.EX.7 names the leading ZigBee silicon stack providers: "SiLabs and NPX" (NPX read as NXP).
LEADING_STACKS = ("Silicon Labs", "NXP")
V2, V3 = "SMETS2 v2.0", "SMETS2 v3.0"

# Table 1 wording, quoted as the seed has it. DIT.1 and DIT.2 say "SMETS v3.0": read as SMETS2 v3.0,
# the only SMETS with a v3.0.
REQUIREMENTS = {
    "DIT.1": "DIT shall test DCC Communications Hubs with a minimum of 2 ESME Devices from different "
             "manufacturers designed to meet SMETS v3.0",
    "DIT.2": "DIT shall test DCC Communications Hubs with a minimum of 2 GSME Devices from different "
             "manufacturers designed to meet SMETS v3.0",
    "DIT.3": "DIT shall test DCC Communications Hubs with a minimum of 2 GSME Devices from different "
             "manufacturers designed to meet SMETS2 v3.0 and capable of Sub GHz HAN communications",
    "DIT.4": "DIT shall test DCC Communications Hubs with a minimum of 2 PPMID Devices from different "
             "manufacturers designed to meet SMETS2 v3.0",
    "DIT.5": "DIT shall test DCC Communications Hubs with a minimum of 2 PPMID Devices from different "
             "manufacturers designed to meet SMETS2 v3.0 and capable of Sub GHz communications",
    "DIT.6": "DIT shall test DCC Communications Hubs with a minimum of one Device for each of the leading "
             "ZigBee silicon stack providers",
    "DIT.7": "DCC shall select Devices for DIT using dry-run qualification events and commercial support "
             "proposals",
    "DIT.8": "DIT shall specifically ensure that DCC Communications Hubs are verified as capable of complying "
             "with GBCS v2.0 10.6.2.6 (Frequency Agility) and 10.6.2.2 (Duty Cycle Monitoring)",
    "DIT.9": "DIT shall include risk based regression testing of DCC Communications Hubs with a minimum of 2 "
             "SMETS2 v2.0 ESME and GSME Devices selected to be representative of a significant proportion of "
             "the installed base of SMETS2 v2.0 Devices at the time of undertaking DIT",
    "DIT.10": "Should actual HCALCS Devices exist and be in a suitable state of readiness, DIT shall test DCC "
              "Communications Hubs with a minimum of 1 HCALCS Device.",
    "DIT.11": "DIT will include defined non-functional testing, limited to message and response timings across "
              "home area networks for both HAN radio frequencies",
    "DIT.12": "DIT shall test DCC Communications Hubs with a minimum of 2 IHD Devices from different manufacturers",
    "DIT.13": "DIT shall include end to end testing of the Local Command Interface using hand held terminal "
              "devices, if available, or using the DCC tool required to be developed for testing in SIT",
    "DIT.14": "DIT shall include regression testing of v1.0 Communications Hubs against devices designed to meet "
              "SMETS2 v3.0",
    "DIT.15": "DIT shall include regression testing of SMETS2 v2.0 meter with R2.0 of DSP.",
}
DEVICE_REQUIREMENTS = ("DIT.1", "DIT.2", "DIT.3", "DIT.4", "DIT.5", "DIT.6", "DIT.9", "DIT.10", "DIT.12")
# Requirements only recorded evidence can show; how to record it.
EVIDENCED = {"DIT.7": "the device selection report (dry-run qualification events, commercial support proposals)",
             "DIT.8": "HAN captures analysed for duty cycle monitoring and frequency agility (dit han analyse)",
             "DIT.11": "HAN message and response timings for both radio frequencies (dit han analyse)"}


def _verdict(req: str, status: str, evidence: str, devices: list[DeviceRecord]) -> Verdict:
    return Verdict(req, REQUIREMENTS[req], status, evidence, devices=[d.asset for d in devices])


def _label(device: DeviceRecord) -> str:
    return f"{device.asset} ({device.manufacturer})"


def _of(devices: list[DeviceRecord], kind: str, standard: str | None = None,
        sub_ghz: bool = False) -> list[DeviceRecord]:
    return [d for d in devices if d.device_type == kind and (standard is None or d.standard == standard)
            and (d.sub_ghz or not sub_ghz)]


def _two_manufacturers(req: str, devices: list[DeviceRecord], what: str) -> Verdict:
    """At least 2 of devices from different manufacturers; what names them, e.g. "ESME designed to SMETS2 v3.0"."""
    makers = sorted({d.manufacturer for d in devices})
    if len(makers) >= 2:
        return _verdict(req, MET, "met by " + ", ".join(_label(d) for d in devices), devices)
    if not devices:
        reason = f"no {what}; need 2 from different manufacturers"
    elif len(devices) == 1:
        reason = f"only 1 {what}: {_label(devices[0])}; need a second from another manufacturer"
    else:
        both = "both" if len(devices) == 2 else "all"
        reason = (f"{len(devices)} {what} ({', '.join(d.asset for d in devices)}) but {both} from {makers[0]}; "
                  f"need 2 manufacturers")
    return _verdict(req, NOT_MET, reason, devices)


def _leading_stacks(devices: list[DeviceRecord]) -> Verdict:
    found = {p: [d for d in devices if d.silicon == p] for p in LEADING_STACKS}
    missing = [p for p, held in found.items() if not held]
    have = "; ".join(f"{p}: {', '.join(d.asset for d in held)}" for p, held in found.items() if held)
    counted = [d for held in found.values() for d in held]
    if not missing:
        return _verdict("DIT.6", MET, f"met by {have}", counted)
    reason = f"no device on {' or '.join(missing)} silicon"
    if have:
        reason += f" (have {have})"
    return _verdict("DIT.6", NOT_MET, f"{reason}; need one per leading ZigBee stack provider "
                                      f"({', '.join(LEADING_STACKS)})", counted)


def _regression(devices: list[DeviceRecord]) -> Verdict:
    # The seed's "a minimum of 2 SMETS2 v2.0 ESME and GSME Devices" could mean 2 in all; it is read
    # strictly as 2 of each fuel, since DIT.9 regresses both meter types. Manufacturers may repeat.
    found = {kind: _of(devices, kind, V2) for kind in ("ESME", "GSME")}
    counted = [d for held in found.values() for d in held]
    short = [(kind, held) for kind, held in found.items() if len(held) < 2]
    if not short:
        return _verdict("DIT.9", MET, "met by " + "; ".join(
            f"{kind}: {', '.join(_label(d) for d in held)}" for kind, held in found.items()), counted)
    gaps = [f"only 1 {V2} {kind} ({held[0].asset})" if held else f"no {V2} {kind}" for kind, held in short]
    return _verdict("DIT.9", NOT_MET, f"{' and '.join(gaps)}; need at least 2 {V2} ESME and 2 {V2} GSME", counted)


def _hcalcs(devices: list[DeviceRecord]) -> Verdict:
    held = _of(devices, "HCALCS")
    if not held:
        return _verdict("DIT.10", NOT_APPLICABLE, "no HCALCS device; DIT.10 applies only should actual HCALCS "
                                                  "devices exist", held)
    return _verdict("DIT.10", MET, "met by " + ", ".join(_label(d) for d in held), held)


def device_requirements(devices: Iterable[DeviceRecord]) -> list[Verdict]:
    """DIT.1-6, DIT.9, DIT.10 and DIT.12 against a set of devices (hubs and tools count towards none)."""
    held = sorted({d.asset: d for d in devices if d.device_type not in ("CHF", "HHT")}.values(),
                  key=lambda d: d.asset)
    return [
        _two_manufacturers("DIT.1", _of(held, "ESME", V3), f"ESME designed to {V3}"),
        _two_manufacturers("DIT.2", _of(held, "GSME", V3), f"GSME designed to {V3}"),
        _two_manufacturers("DIT.3", _of(held, "GSME", V3, sub_ghz=True),
                           f"GSME designed to {V3} and capable of sub-GHz HAN"),
        _two_manufacturers("DIT.4", _of(held, "PPMID", V3), f"PPMID designed to {V3}"),
        _two_manufacturers("DIT.5", _of(held, "PPMID", V3, sub_ghz=True),
                           f"PPMID designed to {V3} and capable of sub-GHz"),
        _leading_stacks(held),
        _regression(held),
        _hcalcs(held),
        _two_manufacturers("DIT.12", _of(held, "IHD"), "IHD"),
    ]


# -- in the phase -----------------------------------------------------------------------------------------

def _outcomes(tests: list[Test]) -> str:
    counts: dict[str, int] = {}
    for t in tests:
        counts[t.outcome] = counts.get(t.outcome, 0) + 1
    return ", ".join(f"{n} {o.replace('_', ' ')}" for o, n in sorted(counts.items()))


def _by_tests(req: str, tests: list[Test], none: str) -> Verdict:
    """Met when the tests that exercise a requirement exist and all passed."""
    scenarios = sorted({t.planned.scenario_id for t in tests})
    if not tests:
        return Verdict(req, REQUIREMENTS[req], NOT_MET, none)
    failing = [t for t in tests if t.outcome != "passed"]
    status = MET if not failing else NOT_MET
    evidence = f"{plural(len(tests), 'test')} of {plural(len(scenarios), 'scenario')}: {_outcomes(tests)}"
    return Verdict(req, REQUIREMENTS[req], status, evidence,
                   details=[f"{t.label}: {t.outcome.replace('_', ' ')}" for t in failing[:20]], scenarios=scenarios)


def _decision(phase: Phase, req: str, what: str) -> Verdict:
    """A requirement only a document shows (DIT.7): its latest record, if the document holds up."""
    recorded = decision(phase.evidence, req)
    if recorded is None:
        return Verdict(req, REQUIREMENTS[req], NOT_EVALUABLE, f"no evidence recorded: needs {what}")
    if recorded.problem is not None:
        return Verdict(req, REQUIREMENTS[req], NOT_EVALUABLE, f"the evidence recorded does not hold up: "
                                                              f"{recorded.cite()}")
    how = "met with a workaround: " if recorded.record.status == "workaround" else ""
    return Verdict(req, REQUIREMENTS[req], NOT_MET if recorded.record.status == "not_met" else MET,
                   how + recorded.cite())


def _captured(phase: Phase, req: str, what: str) -> Verdict:
    """DIT.8 and DIT.11 from the HAN capture figures of each test's latest execution (automated evidence)."""
    judged = captures.judge(phase, req)
    if judged is None:
        return Verdict(req, REQUIREMENTS[req], NOT_EVALUABLE, f"no HAN capture analysed: needs {what}")
    status, shown, details = judged
    return Verdict(req, REQUIREMENTS[req], status, shown, details)


def _hcalcs_in_phase(phase: Phase, judged: Verdict) -> Verdict:
    """DIT.10 applies once the Device Asset Library holds an HCALCS ("should actual HCALCS devices exist"); it is
    then met only by an HCALCS that took part in a completed test."""
    library = sorted({d.asset: d for d in phase.devices if d.device_type == "HCALCS"}.values(), key=lambda d: d.asset)
    if not library or judged.status == MET:
        return judged
    held = ", ".join(_label(d) for d in library)
    if judged.status == NOT_EVALUABLE and not phase.tested_devices():
        return replace(judged, applies=True, devices=[d.asset for d in library])
    return replace(judged, status=NOT_MET, applies=True, devices=[d.asset for d in library],
                   evidence=f"the Device Asset Library holds {held}, but no HCALCS took part in a completed test "
                            "(put it in a test set and run the scenarios that use it)")


def evaluate(phase: Phase) -> list[Verdict]:
    """DIT.1-DIT.15 in the phase, each with its evidence and the scenarios that trace to it."""
    tagged: dict[str, list[Test]] = {}
    for t in phase.tests:
        for req in t.planned.requirements:
            tagged.setdefault(req, []).append(t)
    selected = phase.selected_devices()
    tested = [selected[a] for a in sorted(phase.tested_devices()) if a in selected]
    verdicts = {v.id: v for v in device_requirements(tested)}
    for req in DEVICE_REQUIREMENTS:
        v = verdicts[req]
        status = NOT_EVALUABLE if v.status == NOT_APPLICABLE else v.status
        evidence = f"devices that took part in completed tests: {v.evidence}"
        if not phase.tested_devices():
            completed = sum(t.completed for t in phase.tests)
            status, evidence = NOT_EVALUABLE, (
                f"no device took part in any of the {plural(completed, 'completed test')} (an execution recorded "
                "before participation was recorded counts no device)" if completed
                else "no test has run to a verdict yet")
        details = []
        if tagged.get(req):
            by_tests = _by_tests(req, tagged[req], "")
            details = [f"tagged scenarios: {by_tests.evidence}", *by_tests.details]
            if status == MET and by_tests.status != MET:
                status = NOT_MET
        verdicts[req] = Verdict(req, v.text, status, evidence, details,
                                sorted({t.planned.scenario_id for t in tagged.get(req, [])}), v.devices,
                                applies=v.status != NOT_APPLICABLE)
    for req, what in EVIDENCED.items():
        scenarios = sorted({t.planned.scenario_id for t in tagged.get(req, [])})
        judged = _decision(phase, req, what) if decided(req) else _captured(phase, req, what)
        verdicts[req] = replace(judged, scenarios=scenarios)
    verdicts["DIT.10"] = _hcalcs_in_phase(phase, verdicts["DIT.10"])
    lcd = tagged.get("DIT.13") or [t for t in phase.tests if t.planned.family == "no_wan_lcd"]
    verdicts["DIT.13"] = _by_tests("DIT.13", lcd, "no Local Command Delivery scenario was planned")
    v3 = {a for a, d in selected.items() if d.standard == V3}
    verdicts["DIT.14"] = _by_tests(
        "DIT.14", [t for t in phase.tests if t.planned.hub_standard == "CHTS v1.0" and v3 & set(t.devices)],
        f"no test ran a {V3} device on a CHTS v1.0 Communications Hub")
    verdicts["DIT.15"] = _by_tests(
        "DIT.15", [t for t in phase.tests if t.planned.dsp_csp == "R2.0" and t.planned.meter_standard == V2],
        f"no test ran {V2} meters with DSP R2.0 (baselines B2-B5)")
    return [verdicts[req] if decided(req) else with_records(verdicts[req], phase.evidence)
            for req in REQUIREMENTS]
