"""The Test Phase Completion Report: section order, criteria tables, escaping, not-run tests, and the page as a
person sees it (headless Chromium with JavaScript off) and as the board prints it (the PDF's pages)."""

from __future__ import annotations

import json
import random
import re
import shutil
import subprocess
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from harness.report import charts, render_html, write_report

CHROMIUM = Path("/usr/bin/chromium")
NO_CHROMIUM = "chromium not installed at /usr/bin/chromium (apt-get install chromium)"
NO_PLAYWRIGHT = "playwright not installed (pip install playwright; its browsers are not needed)"
NO_PDFTOPPM = "pdftoppm not installed (apt-get install poppler-utils)"
SECTIONS = ["summary", "deviations", "entry", "exit", "defect-mask", "results", "device-heatmap", "coverage",
            "suspensions", "issues", "risks", "residual-risk", "approval"]
HOSTILE_TITLE = 'Tariff <script>alert("x")</script> & "quotes"'

CH_VARIANTS = ["CHTS v1.0 Single Band", "CHTS v1.1 Single Band", "CHTS v1.1 Dual Band"]
# baseline, test set, CH variant, dual band, kind
TARGETS = [("B1", "SB10-regression", CH_VARIANTS[0], False, "regression"),
           ("B4", "SB10-regression", CH_VARIANTS[0], False, "regression"),
           ("B6", "SB11-core", CH_VARIANTS[1], False, "functional"),
           ("B5", "SB11-regression", CH_VARIANTS[1], False, "regression"),
           ("B6", "DB11-core", CH_VARIANTS[2], True, "functional"),
           ("B5", "DB11-regression", CH_VARIANTS[2], True, "regression")]
DEVICES = [("ESME-78-1-alder", "ESME", "Alder Metering"), ("ESME-78-2-birch", "ESME", "Birch Meters"),
           ("GSME-78-1-alder", "GSME", "Alder Metering"), ("GSME-78-2-birch", "GSME", "Birch Meters"),
           ("PPMID-78-1-damson", "PPMID", "Damson Displays"), ("PPMID-78-2-birch", "PPMID", "Birch Meters"),
           ("IHD-78-1-damson", "IHD", "Damson Displays"), ("IHD-78-2-larch", "IHD", "Larch Energy")]
FAMILIES = ["install_commission", "tariff_update", "price_update", "prepayment_top_up", "meter_reading", "firmware",
            "change_of_supplier", "change_of_tenancy", "ppmid", "ihd", "dual_band_hub", "decommission"]
SCENARIOS_PER_FAMILY = 28         # x 12 families x 6 targets = 2,016 planned tests
STATUSES = ["met", "not_met", "not_evaluable"]


def _issue(number: int, title: str, severity: int, owner: str, **extra) -> dict:
    manufacturer = owner not in ("DSP", "CSP N", "CSP C/S")
    issue = {"id": f"TI-{number:04d}", "title": title, "severity": severity, "owner": owner,
             "owner_kind": "manufacturer" if manufacturer else "provider", "status": "open", "outstanding": True,
             "security": False, "raised_at": "2026-11-03", "closed_at": None, "work_off_plan": None,
             "plan_due": None, "deadline": None, "overdue": False, "executions": [100 + number], "scenarios": [],
             "close_reason": None}
    issue.update(extra)
    return issue


def phase_assessment() -> dict:
    """A DIT R2.0 phase part-way through: 3 CH variants, 8 devices, ~2,000 planned tests of which some failed,
    some blocked and some never run, a few issues (one a device's, one overdue), criteria not all met."""
    pick = random.Random(20261121)
    issues = [_issue(1, HOSTILE_TITLE + " rejected by the DSP", 3, "DSP", scenarios=["tariff_update/tariff-1"]),
              _issue(2, "Dual band hub drops the sub-GHz join after a channel change", 2, "CSP N",
                     scenarios=["dual_band_hub/dual-band-3"], security=True),
              _issue(3, "Install and commission alert 0x8F84 late", 3, "CSP C/S", work_off_plan="Patch in CSP drop 7",
                     plan_due="2026-11-10", deadline="2026-11-14", overdue=True,
                     scenarios=["install_commission/install-2"]),
              _issue(4, "IHD shows the wrong tariff block after a price update", 3, "Larch Energy",
                     scenarios=["price_update/price-5"]),
              _issue(5, "Firmware image hash mismatch on retry", 4, "DSP", status="closed", outstanding=False,
                     closed_at="2026-11-12")]
    tests = []
    for family in FAMILIES:
        for k in range(SCENARIOS_PER_FAMILY):
            scenario = f"{family}/{family.split('_')[0]}-{k}"
            title = HOSTILE_TITLE if scenario == "tariff_update/tariff-1" else f"{family.replace('_', ' ')} case {k}"
            for baseline, test_set, variant, dual, kind in TARGETS:
                roll = pick.random()
                meter, display = pick.choice(DEVICES[:4]), pick.choice(DEVICES[4:])
                # Failures on dual band, many with one PPMID on v1.0 hubs, none on v1.1 single band: the heatmap
                # has amber, red and green cells.
                fails = (0.3 if display[0] == "PPMID-78-1-damson" else 0) if variant == CH_VARIANTS[0] else 0.06 * dual
                outcome = ("not_run" if k >= SCENARIOS_PER_FAMILY - 3 and dual else "failed" if roll < fails else
                           "blocked" if roll < fails + 0.04 else "skipped" if roll < fails + 0.045 else "passed")
                if scenario == "tariff_update/tariff-1" and test_set == "DB11-core":
                    outcome = "failed"
                tests.append({
                    "scenario_id": scenario, "title": title, "family": family, "baseline": baseline,
                    "test_set": test_set, "ch_variant": variant, "dual_band": dual, "kind": kind,
                    "business_critical": k % 3 == 0, "priority": "High" if k % 3 == 0 else None,
                    "requirements": [f"DIT.{1 + (k + FAMILIES.index(family)) % 15}"], "outcome": outcome,
                    "executions": 0 if outcome == "not_run" else 1 + (outcome == "failed"),
                    "last_execution": None if outcome == "not_run" else 1000 + len(tests),
                    "devices": [meter[0], display[0]],
                    "error": ("AssertionError: expected Response Code I0, got E60 " * 12 if outcome == "failed" else
                              f"device {meter[0]} suspended (condition 4)" if outcome == "blocked" else None),
                    "issues": [i["id"] for i in issues if scenario in i["scenarios"]]})
    outcomes = ("passed", "failed", "blocked", "skipped", "not_run")
    totals = Counter(t["outcome"] for t in tests)
    family_counts: dict[str, Counter] = defaultdict(Counter)
    pairs: dict[tuple[str, str], Counter] = defaultdict(Counter)
    for t in tests:
        family_counts[t["family"]][t["outcome"]] += 1
        for device in t["devices"]:
            pairs[(t["ch_variant"], device)][t["outcome"]] += 1
    cells = []
    for (variant, device), c in pairs.items():
        executed = c["passed"] + c["failed"]
        if executed + c["blocked"]:
            cells.append({"ch_variant": variant, "device": device, "executed": executed, "passed": c["passed"],
                          "failed": c["failed"], "blocked": c["blocked"],
                          "pass_rate": c["passed"] / executed if executed else None})
    # One pair only ever blocked: the grey cell.
    cells = [c for c in cells if (c["ch_variant"], c["device"]) != (CH_VARIANTS[0], "PPMID-78-2-birch")]
    cells.append({"ch_variant": CH_VARIANTS[0], "device": "PPMID-78-2-birch", "executed": 0, "passed": 0,
                  "failed": 0, "blocked": 7, "pass_rate": None})
    outstanding = Counter((i["owner"], i["severity"]) for i in issues if i["outstanding"])
    mask = {p: {str(s): {"open": outstanding[(p, s)], "allowed": allowed, "within": outstanding[(p, s)] <= allowed}
                for s, allowed in {1: 0, 2: 0, 3: 15, 4: 30, 5: 60}.items()} for p in ("DSP", "CSP N", "CSP C/S")}
    exit_statuses = ["met", "met", "not_met", "met", "not_met", "not_met", "met", "met", "met", "met",
                     "not_evaluable", "not_evaluable"]
    return {
        "generated": "2026-11-21T10:00:00+00:00",
        "phase": {"name": "DIT R2.0", "ledger": "sqlite:///reports/phase.db", "as_of": "2026-11-21",
                  "quality_gate": "2026-11-02",
                  "runs": [{"id": n, "started_at": f"2026-11-{10 + n}T09:00:00+00:00",
                            "finished_at": None if n == 3 else f"2026-11-{10 + n}T17:30:00+00:00",
                            "status": "interrupted" if n == 3 else "completed", "lab": "emulated",
                            "selection": "--matrix -n 2", "host": "bench-1", "executions": 700 + n}
                           for n in (1, 2, 3)]},
        "totals": {o: totals[o] for o in outcomes},
        "tests": tests,
        "families": [{"family": f, "planned": sum(family_counts[f].values()),
                      **{o: family_counts[f][o] for o in outcomes}} for f in FAMILIES],
        "entry_criteria": [{"id": f"DIT.EN.{n}", "text": f"Entry prerequisite {n} is in place",
                            "evidence_required": "Minutes of DCC DIT entry gate",
                            "status": "not_evaluable" if n == 6 else "met",
                            "evidence": "Recorded at the entry gate." if n != 6 else "No evidence recorded."}
                           for n in range(1, 7)],
        "exit_criteria": [{"id": f"DIT.EX.{n}", "text": f"Exit criterion {n} of Table 9", "status": status,
                           "evidence": f"Decided from the ledger as of 2026-11-21 ({status}).",
                           "details": ["CHTS v1.1 Dual Band: 12 planned tests not run"] if status == "not_met" else []}
                          for n, status in enumerate(exit_statuses, start=1)],
        "requirements": [{"id": f"DIT.{n}", "text": f"DIT requirement {n} of Table 1", "status": STATUSES[n % 3],
                          "evidence": "Devices and scenarios counted from the ledger.",
                          "scenarios": sorted({t["scenario_id"] for t in tests if t["requirements"] == [f"DIT.{n}"]})
                          + (["no_wan_lcd/never-planned"] if n == 13 else [])}
                         for n in range(1, 16)],
        "defect_mask": {"providers": mask, "within": False, "device_issues": [issues[3]], "overdue": [issues[2]]},
        "issues": issues,
        "heatmap": {"rows": CH_VARIANTS,
                    "columns": [{"device": d, "device_type": kind, "manufacturer": m} for d, kind, m in DEVICES],
                    "cells": cells,
                    "combinations": [{"ch_variant": v, "devices": [d for d, _, _ in DEVICES[::2]], "executed": 40,
                                      "passed": 40} for v in CH_VARIANTS]},
        "suspensions": [{"asset": "GSME-78-2-birch", "device_type": "GSME", "condition": 4,
                         "reason": "no response to any SR", "suspended_at": "2026-11-12T11:00:00+00:00",
                         "resumed_at": None, "fix_reference": None, "active": True}],
        "deviations": ["72 planned tests never run on CHTS v1.1 Dual Band",
                       "DIT.EX.11 not evaluable: the report is not yet approved"],
        "risks": ["TI-0002 (severity 2, CSP N) open", "TI-0003 work-off plan overdue"],
        "residual_risk": "Dual band functional testing is incomplete; a severity 2 CSP N issue remains open.",
        "verdict": {"can_exit": False, "text": "DIT cannot exit yet: 3 exit criteria not met, 2 not evaluable"},
        "approval": {"recorded": [{"criterion": "DIT.EN.1", "status": "met",
                                   "reference": "Entry gate minutes 2026-11-01", "recorded_by": "J. Smith",
                                   "recorded_at": "2026-11-01T16:00:00+00:00"}]},
    }


@pytest.fixture(scope="module")
def assessment() -> dict:
    return phase_assessment()


@pytest.fixture(scope="module")
def html(assessment) -> str:
    return render_html(assessment)


@pytest.fixture(scope="module")
def report(assessment, tmp_path_factory) -> dict[str, Path]:
    return write_report(assessment, tmp_path_factory.mktemp("report") / "out")


def _section(html: str, section_id: str) -> str:
    start = html.index(f'<section id="{section_id}">')
    return html[start:html.index("</section>", start)]


def _body_rows(html: str, table_id: str) -> list[str]:
    start = html.index(f'id="{table_id}"')
    body = html[html.index("<tbody>", start):html.index("</tbody>", start)]
    return re.findall(r"<tr\b.*?</tr>", body, flags=re.S)


def test_every_section_is_there_in_the_order_of_a_test_completion_report(html):
    positions = [html.index(f'<section id="{s}">') for s in SECTIONS]
    assert positions == sorted(positions)
    headings = re.findall(r"<section id=\"[^\"]+\">\s*<h2>(\d+) ", html)
    assert headings == [str(n) for n in range(1, 14)]


def test_the_exit_criteria_table_has_a_row_and_a_status_badge_per_criterion(html, assessment):
    rows = _body_rows(html, "exit-criteria")
    assert len(rows) == 12
    for row, criterion in zip(rows, assessment["exit_criteria"], strict=True):
        assert criterion["id"] in row
        assert f'class="status status-{criterion["status"]}"' in row
    assert 'class="status status-not_met">not met<' in rows[2]
    assert 'class="status status-not_evaluable">not evaluable<' in rows[10]
    assert "DIT cannot exit yet: 3 exit criteria not met, 2 not evaluable" in _section(html, "summary")
    assert len(_body_rows(html, "entry-criteria")) == 6


def test_text_from_the_ledger_is_escaped_and_the_page_has_no_script(html):
    assert "<script" not in html.lower()
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &#34;quotes&#34;" in html
    assert "&lt;script&gt;" in _section(html, "issues") and "&lt;script&gt;" in _section(html, "results")


def test_planned_tests_never_run_show_as_not_run_and_never_as_passed(html, assessment):
    never_run = [t for t in assessment["tests"] if t["outcome"] == "not_run"]
    deviations = _section(html, "deviations")
    assert f"Planned tests never run ({len(never_run)})" in deviations
    rows = _body_rows(html, "never-run")
    assert len(rows) == 51 and f"and {len(never_run) - 50} more planned tests never run" in rows[-1]
    assert all('<span class="outcome o-not_run">not run</span>' in row for row in rows[:-1])
    assert "passed" not in "".join(rows)

    summary = _section(html, "summary")
    passed = sum(t["outcome"] == "passed" for t in assessment["tests"])
    assert f'<td class="num">{passed}</td>' in summary
    assert f"{passed + sum(t['outcome'] == 'failed' for t in assessment['tests'])} executed" in summary
    # In the traceability a never-run target reads "not run" in its column and is not among the passed.
    trace_rows = [r for r in _body_rows(html, "traceability") if '<td class="o-not_run">not run</td>' in r]
    assert trace_rows
    for row in trace_rows:
        scenario, shown_passed, planned = re.search(r'<td class="id">(\S+) \((\d+) of (\d+)\)</td>', row).groups()
        expected = {(t["baseline"], t["test_set"]): t["outcome"] for t in assessment["tests"]
                    if t["scenario_id"] == scenario}
        assert (int(shown_passed), int(planned)) == (list(expected.values()).count("passed"), len(expected))
        cells = re.findall(r'<td class="(o-\w+|unplanned)">', row)
        assert cells == [f"o-{expected[(baseline, test_set)]}" for baseline, test_set, *_ in TARGETS]


def test_the_heatmap_has_a_cell_per_tested_pair_and_the_numbers_in_it(html, assessment):
    figure = html[html.index('<figure id="heatmap">'):html.index("</figure>", html.index('<figure id="heatmap">'))]
    cells = assessment["heatmap"]["cells"]
    assert figure.count('<g class="cell ') == len(cells)
    grey = next(c for c in cells if c["pass_rate"] is None)
    assert figure.count('<g class="cell unexecuted">') == 1 and f"{grey['blocked']} blocked" in figure
    some = cells[0]
    assert f"{some['passed']}/{some['executed']}</text>" in figure
    assert all(f">{m}</text>" in figure for m in ("Alder Metering", "Larch Energy"))
    assert all(f'<g class="cell {band}">' in figure for band in ("full", "partial", "low", "unexecuted"))
    assert len(_body_rows(html, "combinations")) == 3


def test_a_lab_with_many_devices_gets_one_heatmap_chart_per_few_device_types():
    columns = [{"device": f"{kind}-{n}", "device_type": kind, "manufacturer": "Alder Metering"}
               for kind in ("ESME", "GSME", "PPMID", "IHD") for n in range(5)]
    cells = [{"ch_variant": variant, "device": c["device"], "executed": 4, "passed": 4, "failed": 0, "blocked": 0,
              "pass_rate": 1.0} for variant in CH_VARIANTS for c in columns]
    figure = charts.heatmap(CH_VARIANTS, columns, cells)
    assert figure.count("<svg ") == 4 and figure.count('<g class="cell full">') == len(cells)
    assert figure.count("blocked only, none executed") == 1          # one legend, under the last chart


def test_a_heatmap_cell_short_of_100_percent_never_reads_100_percent():
    cell = {"ch_variant": CH_VARIANTS[1], "device": "ESME-78-1-alder", "executed": 250, "passed": 249, "failed": 1,
            "blocked": 0, "pass_rate": 249 / 250}
    figure = charts.heatmap(CH_VARIANTS[1:2], [{"device": "ESME-78-1-alder", "device_type": "ESME",
                                                "manufacturer": "Alder Metering"}], [cell])
    assert '<g class="cell partial">' in figure and ">99%</text>" in figure and ">100%</text>" not in figure


def test_the_defect_mask_lists_device_issues_apart_from_the_providers(html):
    mask = _section(html, "defect-mask")
    assert "do not count towards the defect mask" in mask
    assert "TI-0004" in mask[mask.index('id="device-issues"'):]
    assert "TI-0003" in mask[mask.index('id="overdue"'):mask.index('id="device-issues"')]
    provider_rows = _body_rows(html, "mask")
    assert [re.search(r"<th>(.*?)</th>", r).group(1) for r in provider_rows] == ["DSP", "CSP N", "CSP C/S"]
    assert 'class="num over">1 / 0' in provider_rows[1]


def test_render_does_not_list_every_test(html, assessment):
    # 2,000 planned tests, but only the capped lists name tests one by one.
    assert len(assessment["tests"]) > 2000
    assert html.count("<tr") < 700


def test_write_report_writes_the_page_the_pdf_and_the_assessment(report, assessment):
    assert set(report) == {"html", "pdf", "summary"}
    assert report["summary"].read_text().endswith("}\n")
    assert json.loads(report["summary"].read_text()) == assessment
    assert report["pdf"].read_bytes().startswith(b"%PDF")


def test_chromium_shows_the_criteria_and_the_heatmap_without_javascript(report, assessment, tmp_path):
    if not CHROMIUM.exists():
        pytest.skip(NO_CHROMIUM)
    sync_api = pytest.importorskip("playwright.sync_api", reason=NO_PLAYWRIGHT)
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-background-networking", "--disable-gpu", "--disable-component-update",
                  "--no-first-run"])
        try:
            page = browser.new_context(java_script_enabled=False, viewport={"width": 1200, "height": 900}).new_page()
            page.goto(report["html"].resolve().as_uri())
            for selector in ("#exit-criteria", "#heatmap"):
                box = page.locator(selector).bounding_box()
                assert page.locator(selector).is_visible() and box["width"] > 300 and box["height"] > 100, selector
            assert page.locator("#heatmap .cell").count() == len(assessment["heatmap"]["cells"])
            assert page.locator("#exit-criteria tbody tr").count() == 12
            page.locator("#heatmap").screenshot(path=str(tmp_path / "heatmap.png"))
        finally:
            browser.close()
    assert (tmp_path / "heatmap.png").stat().st_size > 1000


def test_the_pdf_has_pages_and_the_first_one_is_not_blank(report, tmp_path):
    if shutil.which("pdftoppm") is None:
        pytest.skip(NO_PDFTOPPM)
    image = pytest.importorskip("PIL.Image", reason="Pillow not installed (pip install pillow)")
    subprocess.run(["pdftoppm", "-png", "-r", "50", str(report["pdf"]), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) >= 5
    with image.open(pages[0]) as first:
        grey = first.convert("L")
        assert len(grey.getcolors(maxcolors=256) or []) > 1
        inked = sum(grey.histogram()[:200])
        assert inked > grey.width * grey.height * 0.01
