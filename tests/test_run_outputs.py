"""What `dit run` writes stays what it wrote: summary.json, junit.xml, the ledger, the evidence files, the Allure
results and the console, for three runs on one ledger -- a device suspended (two scenarios blocked), a bench fault
(one scenario blocked by it, the rest by the broken bench) and a resumed run -- compared with what the plugin wrote
before its execution record and output sinks (run_outputs.json), allowing times, ids, keys and paths.

`python tests/test_run_outputs.py` writes run_outputs.json anew: only for a change meant to show in the outputs."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from dit_command import PROJECT, dit

TESTS = Path(__file__).resolve().parent
EXPECTED = TESTS / "run_outputs.json"
# The DUIS schema the runs validate with, named outright: a copy of the project (checks/break_rules.py) is not beside
# ../shared, where dit looks by itself; DIT_SHARED says where it is.
SHARED = Path(os.environ.get("DIT_SHARED", PROJECT.parent / "shared"))
DUIS_XSD = SHARED / "reference" / "conformance" / "xsd" / "duis.xsd"
SELECTION = ("-m", "install_commission", "-k", "not ESME2 and not GSME2")     # as named (lab.casts)
SUSPENDED = "ESME-78-1-alder"
# Ledger columns that hold times, ids, hosts and process ids: they differ from run to run.
VARYING = {"id", "started_at", "finished_at", "suspended_at", "recorded_at", "host", "pid", "duration_s"}


def _runs(tmp: Path) -> dict:
    """The three runs' outputs, normalised, and the ledger they share."""
    ledger = f"sqlite:///{tmp / 'phase.db'}"
    smki = {"DIT_SMKI": str(tmp / "smki")}
    suspended = dit("lab", "suspend", SUSPENDED, "--condition", "4", "--reason", "no response to any SR",
                    "--ledger", ledger, **smki)
    assert suspended.returncode == 0, suspended.stderr
    outputs = {"suspended": _run(tmp, "suspended", ledger, smki)}
    outputs["bench_fault"] = _run(tmp, "bench_fault", ledger, {**smki, "DIT_FAULT": "dcc-down",
                                                                 "PYTEST_PLUGINS": "bench_faults",
                                                                 "PYTHONPATH": str(TESTS)})
    # A run stopped after two executions (its process gone, it still shows running): --resume runs the other two.
    assert _run(tmp, "stopped", ledger, smki)["exit"] == 0
    with sqlite3.connect(tmp / "phase.db") as db:
        run = db.execute("SELECT MAX(id) FROM runs").fetchone()[0]
        db.execute("UPDATE runs SET status = 'running', finished_at = NULL WHERE id = ?", (run,))
        db.execute("DELETE FROM executions WHERE run_id = ? AND id NOT IN (SELECT id FROM executions WHERE "
                   "run_id = ? ORDER BY id LIMIT 2)", (run, run))
        db.execute("DELETE FROM criterion_evidence WHERE reference LIKE ?", (f"run {run}:%",))
    outputs["resumed"] = _run(tmp, "stopped", ledger, smki, "--resume")
    outputs["ledger"] = _ledger(tmp / "phase.db")
    # The three runs plan the same tests: what they did not run, listed after what they ran, is kept once.
    outputs["not_run"] = [e for e in outputs["suspended"]["summary"]["executions"] if e["outcome"] == "not_run"]
    for name in ("suspended", "bench_fault", "resumed"):
        executions, count = outputs[name]["summary"]["executions"], len(outputs["not_run"])
        if executions[-count:] == outputs["not_run"]:
            executions[-count:] = ["<not_run>"]
    return json.loads(_paths(json.dumps(outputs), tmp))


def _run(tmp: Path, name: str, ledger: str, env: dict[str, str], *resume: str) -> dict:
    report = tmp / name
    selection = () if resume else SELECTION
    schema = {"DIT_DUIS_XSD": str(DUIS_XSD)} if DUIS_XSD.is_file() else {}
    result = dit("run", *resume, *selection, "--ledger", ledger, "--report-dir", str(report), **schema, **env)
    return {"exit": result.returncode, "stdout": _console(result.stdout), "stderr": _console(result.stderr),
            "summary": _summary(report), "junit": _junit(report / "junit.xml"),
            "evidence": _evidence(report / "evidence"),
            "keystore": sorted({re.sub(r"\.[0-9a-f]{16}\.", ".*.", p.name) for p in (report / "keystore").glob("*")}),
            "allure": _allure(report / "allure-results")}


def _paths(text: str, tmp: Path) -> str:
    """Where the run was, the emulated DCC's port and where in the harness pytest was told to skip."""
    for path, name in ((tmp, "<tmp>"), (SHARED, "<projects>/shared"), (PROJECT / "harness", "<harness>"),
                       (PROJECT, "<project>"), (PROJECT.parent, "<projects>")):
        text = text.replace(str(path), name)
    return re.sub(r"<harness>/[\w/]+\.py:\d+", "<harness>", re.sub(r"127\.0\.0\.1:\d+", "127.0.0.1:<port>", text))


def _console(text: str) -> list[str]:
    """The lines without times; table rules and padding collapsed, as column widths follow the times."""
    text = re.sub(r"\d+\.\d+ s\b", "<s>", text)
    text = re.sub(r"([─━═]+)", "─", text)
    return [re.sub(r" +", " ", line).strip() for line in text.splitlines() if line.strip()]


def _evidence(folder: Path) -> dict[str, list[str]]:
    return {d.name: sorted(p.name for p in d.iterdir()) for d in sorted(folder.glob("*"))}


def _summary(report: Path) -> dict:
    summary = json.loads((report / "summary.json").read_text())
    del summary["generated"], summary["wall_time_s"]
    for family in summary["families"].values():
        del family["wall_s"]
    for execution in summary["executions"]:
        del execution["duration_s"]
    for alert in summary["alert_coverage"]:                 # when each covering execution finished
        for execution in alert["executions"]:
            execution.pop("finished_at", None)
    return summary


def _junit(path: Path) -> list:
    def element(e: ET.Element) -> list:
        attributes = {k: v for k, v in e.attrib.items() if k not in ("time", "timestamp", "hostname")}
        return [e.tag, attributes, (e.text or "").strip(), [element(child) for child in e]]

    return element(ET.parse(path).getroot())


def _allure(folder: Path) -> list[dict]:
    results = []
    for path in folder.glob("*-result.json"):
        result = json.loads(path.read_text())
        labels = sorted(f"{label['name']}={label['value']}" for label in result["labels"]
                        if label["name"] not in ("host", "thread"))
        results.append({"name": result["name"], "status": result["status"], "labels": labels,
                        "links": sorted([link["name"], link.get("type", "")] for link in result.get("links", [])),
                        "message": result.get("statusDetails", {}).get("message"),
                        "attachments": [a["name"] for a in result.get("attachments", [])]})
    return sorted(results, key=lambda r: r["name"])


def _ledger(db: Path) -> dict:
    with sqlite3.connect(db) as conn:
        conn.row_factory = sqlite3.Row
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE "
                                                 "'sqlite_%' ORDER BY name")]
        found = {table: [{k: v for k, v in dict(row).items() if k not in VARYING}
                         for row in conn.execute(f"SELECT * FROM {table} ORDER BY rowid")] for table in tables}
    # Every run plans the same tests: each once, with the runs that planned it.
    planned: dict[str, dict] = {}
    for row in found["planned"]:
        run = row.pop("run_id")
        planned.setdefault(json.dumps(row, sort_keys=True), {**row, "runs": []})["runs"].append(run)
    found["planned"] = list(planned.values())
    return found


def _same_columns(expected: dict, found: dict) -> dict:
    """The ledger as the expectation has it: columns added since (the blocked reason) are checked on their own."""
    return {table: [{k: row.get(k) for k in (rows_expected[0] if rows_expected else row)} for row in found[table]]
            for table, rows_expected in expected.items()}


def _dump(value: object, indent: str = "") -> str:
    """JSON a person can read in a diff: what fits in 120 columns on one line, short values packed."""
    flat = json.dumps(value, sort_keys=True, ensure_ascii=False)
    if len(indent) + len(flat) <= 120 or not isinstance(value, dict | list) or not value:
        return flat
    inner = indent + " "
    if isinstance(value, dict):
        items = [f"{inner}{json.dumps(k)}: {_dump(v, inner)}" for k, v in sorted(value.items())]
    elif all(isinstance(v, str | int | float | None) for v in value):
        items, line = [], ""
        for word in (json.dumps(v, ensure_ascii=False) for v in value):
            if line and len(inner) + len(line) + len(word) + 2 > 120:
                items.append(inner + line)
                line = ""
            line = f"{line}, {word}" if line else word
        items.append(inner + line)
    else:
        items = [inner + _dump(v, inner) for v in value]
    brackets = "{}" if isinstance(value, dict) else "[]"
    return brackets[0] + "\n" + ",\n".join(items) + "\n" + indent + brackets[1]


def test_a_run_writes_what_it_wrote_before(tmp_path):
    expected, found = json.loads(EXPECTED.read_text()), _runs(tmp_path)
    for name in ("suspended", "bench_fault", "resumed", "not_run"):
        assert found[name] == expected[name], name
    assert _same_columns(expected["ledger"], found["ledger"]) == expected["ledger"]
    # What blocked each execution, as the ledger keeps it since: the ESME suspended in each run; in the second, the
    # DCC gone during the GSME's scenario and the bench broken for the two after it.
    assert [e["blocked"] for e in found["ledger"]["executions"]] == [
        "suspended", None, "suspended", None,
        "suspended", "bench_fault", "bench_broken", "bench_broken",
        "suspended", None, "suspended", None]


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        EXPECTED.write_text(_dump(_runs(Path(folder))) + "\n")
    sys.exit(0)


@pytest.mark.parametrize("count", [0, 1, 5])
def test_summary_json_written_entry_by_entry_is_what_json_dump_writes(tmp_path, count):
    """summary.json's executions and alert coverage are encoded one entry at a time as they are written (as one
    document a serial matrix's took 6 MB at the run's end): the file is json.dump's, indented by 2, to the byte."""
    from harness.ledger import ExecutionRecord, Outcome
    from harness.run import summary_json

    records = [ExecutionRecord(1, f"node {n}", f"demo/t{n}", Outcome.PASSED if n % 2 else Outcome.FAILED,
                               title=f"T{n}", family="demo", tags=["demo", "ESME"], devices=["ESME-1"],
                               alerts=["0x8F1C"] if n else [], error=None if n % 2 else 'said "no"\nthen more')
               for n in range(count)]
    summary_json.write(tmp_path, "lab.yaml", 1.5, records, [])
    text = (tmp_path / summary_json.FILE).read_text()
    found = json.loads(text)
    assert text == json.dumps(found, indent=2) + "\n"
    assert [e["scenario_id"] for e in found["executions"]] == [r.scenario_id for r in records]
    assert found["alert_coverage"] and found["totals"]["passed"] == count // 2
