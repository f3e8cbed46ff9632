"""<report-dir>/junit.xml (or `dit run --junitxml FILE`): the run's executions as CI servers read JUnit XML.

One <testsuite> per family within <testsuites>; a test is named by the scenario's title and its target
("Install & Commission - ESME Credit [B6 SB11-core]"); a failure says the failed Gherkin step and its assertion in its
message, and adds the evidence folder and the execution ID (what `dit issue raise --execution` takes) in its body; a
blocked execution is skipped with its reason. Each execution's tags, requirements (DIT.n), Xray test keys, target and
ledger ID are properties.

The file is valid against the JUnit schema Jenkins validates with (junit-10.xsd), which gives a <testcase> no
properties but lets a <testsuite> hold suites: each execution is a suite of its own holding its properties and its one
<testcase> (the nesting PHPUnit writes, which Jenkins and GitLab read), inside its family's suite."""

from __future__ import annotations

import re
import socket
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from pathlib import Path

from harness import scenarios
from harness.ledger import ExecutionRecord, Outcome
from harness.run.gherkin import TEST_KEY, StepOutcome, StepStatus

FILE = "junit.xml"
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")     # no XML 1.0 document may hold these


def test_name(record: ExecutionRecord) -> str:
    """The scenario's title and where it ran: "Install & Commission - ESME Credit [B6 SB11-core, ESME=ESME 2]"."""
    if not record.baseline:
        return record.title or record.scenario_id
    return f"{record.title} [{record.baseline} {record.test_set}" + (f", {record.cast}" if record.cast else "") + "]"


def failure_message(record: ExecutionRecord) -> str:
    """"<step keyword and text>: <assertion line>", or the error alone when no step failed (a fixture, the lab)."""
    error = record.error or "failed"
    return f"{record.failed_step}: {error}" if record.failed_step else error


def write(path: Path, records: list[ExecutionRecord], steps: Mapping[str, list[StepOutcome]], *,
          run_id: int | None, lab: str) -> None:
    """OSError when the disk refuses it (the ledger has every execution)."""
    ran = [r for r in records if r.outcome is not Outcome.NOT_RUN]
    families: dict[str, list[ExecutionRecord]] = {}
    for r in ran:
        families.setdefault(r.family or r.scenario_id.split("/")[0], []).append(r)
    totals = {k: v for k, v in _counts(ran).items() if k != "skipped"}      # <testsuites> has no skipped count
    root = ET.Element("testsuites", {"name": "DIT business scenarios" + (f", run {run_id}" if run_id else ""),
                                     **totals, "time": _seconds(ran)})
    host = socket.gethostname()
    path.parent.mkdir(parents=True, exist_ok=True)
    if not families:
        ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)
        return
    # written a family at a time, as ET.indent and write() would write the whole tree: as one tree, a serial
    # matrix's 1,315 executions took 4.6 MB at the run's end
    root.text = "\n "
    whole = ET.tostring(root, encoding="utf-8")
    with path.open("wb") as out:
        out.write(b"<?xml version='1.0' encoding='utf-8'?>\n" + whole[:whole.rindex(b"</testsuites>")])
        for n, (family, executions) in enumerate(families.items(), 1):
            suite = ET.Element("testsuite", {
                "name": family, **_counts(executions), "time": _seconds(executions),
                "timestamp": min(r.started_at or "" for r in executions), "hostname": host,
                "package": f"features.{family}"})
            _properties(suite, [("lab", lab)] + ([("run_id", str(run_id))] if run_id else []))
            for record in executions:
                _execution(suite, record, steps.get(record.node))
            ET.indent(suite, space=" ", level=1)
            suite.tail = "\n" if n == len(families) else "\n "
            out.write(ET.tostring(suite, encoding="utf-8"))
        out.write(b"</testsuites>")


def _counts(records: list[ExecutionRecord]) -> dict[str, str]:
    failed = sum(r.outcome is Outcome.FAILED for r in records)
    skipped = sum(r.outcome in (Outcome.BLOCKED, Outcome.SKIPPED) for r in records)
    return {"tests": str(len(records)), "failures": str(failed), "errors": "0", "skipped": str(skipped)}


def _seconds(records: list[ExecutionRecord]) -> str:
    return f"{sum(r.duration_s for r in records):.3f}"


def _text(value: str) -> str:
    return _NOT_XML.sub("\ufffd", value)


def _properties(parent: ET.Element, pairs: list[tuple[str, str]]) -> None:
    properties = ET.SubElement(parent, "properties")
    for name, value in pairs:
        ET.SubElement(properties, "property", name=name, value=_text(value))


def _execution(family: ET.Element, record: ExecutionRecord, steps: list[StepOutcome] | None) -> None:
    name = _text(test_name(record))
    suite = ET.SubElement(family, "testsuite", {"name": name, **_counts([record]), "time": _seconds([record])})
    tags = record.tags
    pairs = [("scenario_id", record.scenario_id),
             ("tags", ", ".join(tags)),
             ("requirements", ", ".join(requirements(tags))),
             *(("test_key", m["key"]) for t in tags if (m := TEST_KEY.match(t))),
             *((key, value) for key, value in (("baseline", record.baseline), ("test_set", record.test_set),
                                               ("cast", record.cast), ("execution_id", str(record.id or "")),
                                               ("evidence", record.evidence)) if value)]
    _properties(suite, pairs)
    case = ET.SubElement(suite, "testcase", name=name, classname=record.family or record.scenario_id.split("/")[0],
                         time=f"{record.duration_s:.3f}")
    if record.outcome is Outcome.FAILED:
        failed = next((s for s in steps or [] if s.status is StepStatus.FAILED), None)
        failure = ET.SubElement(case, "failure", message=_text(failure_message(record)),
                                type=failed.error_type if failed and failed.error_type else "AssertionError")
        failure.text = _text(_failure_body(record, failed))
    elif record.outcome in (Outcome.BLOCKED, Outcome.SKIPPED):
        ET.SubElement(case, "skipped", message=_text(f"{record.outcome}: {record.error or ''}".rstrip(": ")),
                      type=record.outcome.value)


def requirements(tags: list[str]) -> list[str]:
    """The DIT requirements a scenario's tags name, in the plan's order: DIT.1, DIT.9, DIT.15."""
    return sorted((t for t in tags if scenarios.REQUIREMENT_TAG.match(t)), key=lambda t: int(t.split(".")[1]))


def _failure_body(record: ExecutionRecord, failed: StepOutcome | None) -> str:
    """What a triager needs without opening anything else: the step, what it asserted in full, where its evidence
    is and the execution to raise a test issue against."""
    lines = [f"step: {record.failed_step}" + (f" ({failed.location})" if failed and failed.location else "")
             if record.failed_step else "step: none failed (the scenario failed outside its steps)",
             f"assertion: {(failed.error if failed and failed.error else record.error) or 'failed'}",
             f"evidence: {record.evidence or 'none written'}"]
    if record.id is not None:
        lines.append(f"execution: {record.id} (dit issue raise --execution {record.id} links a test issue to it)")
    return "\n".join(lines) + "\n"
