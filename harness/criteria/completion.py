"""What the Test Phase Completion Report shows beyond the criteria: the test items with their versions, and the
HAN figures the runs recorded (DIT.8, DIT.11) laid out for charts -- judged from ledger records only."""

from __future__ import annotations

from collections import defaultdict

from harness.criteria.phase import TOOLS, Phase, Test
from harness.han import analysis, duty_cycle
from harness.ledger import DeviceRecord

# Latency bins in milliseconds, a 1-2-5 series: HAN exchanges span a few milliseconds on 2.4 GHz to seconds on a
# busy sub-GHz channel, and equal-width bins would put almost every exchange in the first.
LATENCY_EDGES_MS = (0, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000)
BANDS = ("2.4 GHz", "sub-GHz")


def test_items(phase: Phase) -> dict:
    """The items under test, as the ledger last recorded them: each release baseline with its DSP, service user,
    hub and meter standards (seed Table 7); each test set with its Communications Hub; each selected device with
    its model and the versions its profile gives."""
    baselines: dict[str, dict] = {}
    for t in phase.tests:
        p = t.planned
        if not p.baseline:
            continue
        entry = baselines.setdefault(p.baseline, {
            "baseline": p.baseline, "service_user": p.service_user, "dsp_csp": p.dsp_csp,
            "hub_standard": p.hub_standard, "meter_standard": p.meter_standard, "test_sets": []})
        if p.test_set and p.test_set not in entry["test_sets"]:
            entry["test_sets"].append(p.test_set)
    hubs = phase.hubs()
    test_sets: dict[str, dict] = {}
    for d in phase.devices:
        if not d.test_set:
            continue
        entry = test_sets.setdefault(d.test_set, {"test_set": d.test_set, "ch_variant": d.ch_variant, "hub": None,
                                                  "devices": 0})
        entry["devices"] += d.device_type not in TOOLS
    for name, hub in hubs.items():
        test_sets[name]["hub"] = _device(hub)
    devices = [_device(d) for d in sorted(phase.selected_devices().values(),
                                          key=lambda d: (d.test_set, _TYPE_ORDER.get(d.device_type, 9), d.asset))]
    return {"baselines": [baselines[b] for b in sorted(baselines)],
            "test_sets": [test_sets[s] for s in sorted(test_sets)], "devices": devices}


_TYPE_ORDER = {"ESME": 0, "GSME": 1, "PPMID": 2, "IHD": 3, "HCALCS": 4}


def _device(d: DeviceRecord) -> dict:
    return {"asset": d.asset, "test_set": d.test_set, "device_type": d.device_type, "manufacturer": d.manufacturer,
            "model": d.model, "standard": d.standard, "gbcs_version": d.gbcs_version,
            "zigbee_version": d.zigbee_version, "silicon": d.silicon, "sub_ghz": d.sub_ghz,
            "firmware_version": d.firmware_version}


def _latest_figures(phase: Phase, requirement: str) -> list[tuple[Test, dict]]:
    """Each test's latest execution with the HAN figures its run recorded for the requirement (as
    criteria.captures judges it: a later record of the same run replaces an earlier one)."""
    by_run: dict[int, dict[str, dict]] = {}
    for e in phase.evidence:
        if e.automated and e.criterion == requirement and e.run_id is not None and e.detail:
            by_run[e.run_id] = e.detail.get("executions", {})
    found = []
    for t in phase.tests:
        last = t.last
        if last is not None and last.run_id is not None:
            figures = by_run.get(last.run_id, {}).get(last.node)
            if figures is not None:
                found.append((t, figures))
    return found


def _histogram(values_ms: list[float]) -> list[dict]:
    """Counts per LATENCY_EDGES_MS bin; the last bin is open-ended."""
    uppers: list[float | None] = [*LATENCY_EDGES_MS[1:], None]
    counts = [0] * len(uppers)
    for v in values_ms:
        counts[next(i for i, hi in enumerate(uppers) if hi is None or v < hi)] += 1
    return [{"from_ms": lo, "to_ms": hi, "count": n}
            for lo, hi, n in zip(LATENCY_EDGES_MS, uppers, counts, strict=True)]


def han_figures(phase: Phase) -> dict:
    """DIT.11's request/response latencies per band as a histogram, and DIT.8's sub-GHz duty cycle over the phase:
    each test's latest execution with sub-GHz traffic, its busiest transmitter's peak rolling-hour duty cycle, in
    the order the executions finished."""
    latencies: dict[str, list[float]] = defaultdict(list)
    for _, figures in _latest_figures(phase, "DIT.11"):
        for band, values in (figures.get("latencies_s") or {}).items():
            latencies[band].extend(v * 1000 for v in values)
    bands = []
    for band in [*BANDS, *sorted(set(latencies) - set(BANDS))]:
        values = sorted(latencies.get(band, []))
        bands.append({"band": band, "exchanges": len(values), "bins": _histogram(values),
                      **({"p50_ms": round(analysis.percentile(values, 50), 3),
                          "p95_ms": round(analysis.percentile(values, 95), 3), "max_ms": round(values[-1], 3)}
                         if values else {})})
    points = []
    for t, figures in _latest_figures(phase, "DIT.8"):
        sub_ghz = figures.get("sub_ghz")
        if sub_ghz and t.last is not None:
            points.append({"finished_at": t.last.finished_at, "execution": t.last.id, "test": t.label,
                           "peak_percent": sub_ghz["peak_percent"], "busiest": sub_ghz["busiest"],
                           "channel_changes": len(figures.get("channel_changes") or ())})
    points.sort(key=lambda p: (p["finished_at"] or "", p["execution"] or 0))
    limits = duty_cycle.Thresholds()
    return {"latency": bands, "duty_cycle": points,
            "thresholds": {"limited": limits.limited, "critical": limits.critical, "regulated": limits.regulated}}
