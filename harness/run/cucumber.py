"""`dit run --cucumberjson FILE`: the run's executions as Cucumber JSON, the results format Jira Xray and ALM import.

One feature per feature file the run touched, one element per execution, named like its JUnit test (title and
target). An element's tags are all the variant's tags with their lines -- the feature's, the scenario's and its
Examples block's, as Cucumber gives a pickle -- so a test key tag (@TEST_DIT-123) links it in Xray. Its steps are the
feature file's (an outline's filled in from its row) with what each did: passed, failed with its error, the evidence
folder and the execution ID, or skipped (not reached, or the execution was blocked). A failure outside the steps (the
lab, a fixture) is a failed hook, so the element never looks green.

Written from the plugin's records and step log, not by pytest-bdd's --cucumberjson, which loses every result under
xdist (its step reports stay in the worker), leaves out the Examples tags and blocked executions, writes tags without
their @ (where Xray looks for @TEST_<KEY>), marks the steps after a failure failed, and gives every tag its scenario's
line."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from harness.ledger import ExecutionRecord, Outcome
from harness.run.gherkin import FeatureBook, GherkinScenario, GherkinStep, StepOutcome, StepStatus, Tag, step_results
from harness.run.junit import test_name


def write(path: Path, records: list[ExecutionRecord], steps: Mapping[str, list[StepOutcome]],
          book: FeatureBook) -> list[str]:
    """The executions that ran, as Cucumber JSON; the scenario ids of those no feature file has any more (renamed or
    withdrawn since a resumed run's first half ran). OSError when the disk refuses it."""
    features: dict[str, dict[str, Any]] = {}
    missing: list[str] = []
    for record in records:
        if record.outcome is Outcome.NOT_RUN:
            continue
        scenario = book.scenario(record.family or record.scenario_id.split("/")[0], record.title)
        if scenario is None:
            missing.append(record.scenario_id)
            continue
        feature = scenario.feature
        entry = features.setdefault(feature.uri, {
            "uri": feature.uri, "id": _slug(feature.name), "keyword": feature.keyword, "name": feature.name,
            "description": feature.description, "line": feature.line, "tags": _tags(feature.tags), "elements": []})
        entry["elements"].append(_element(entry["id"], scenario, record, steps.get(record.node)))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(list(features.values()), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return missing


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _tags(tags: list[Tag]) -> list[dict[str, Any]]:
    return [{"name": t.name, "line": t.line} for t in tags]


def _element(feature_id: str, scenario: GherkinScenario, record: ExecutionRecord,
             outcomes: list[StepOutcome] | None) -> dict[str, Any]:
    name = test_name(record)
    element: dict[str, Any] = {
        "keyword": scenario.keyword, "type": "scenario", "id": f"{feature_id};{_slug(name)}", "name": name,
        "description": scenario.description, "line": scenario.line, "tags": _tags(scenario.tags)}
    if record.started_at:
        element["start_timestamp"] = record.started_at
    results = step_results(scenario, record, outcomes)
    element["steps"] = [_step(step, outcome, record) for step, outcome in results]
    if record.outcome is Outcome.BLOCKED and element["steps"]:
        element["steps"][0]["result"]["error_message"] = f"blocked: {record.error}"
    elif record.outcome is Outcome.FAILED and not any(o.status is StepStatus.FAILED for _, o in results):
        ran = any(o.status is StepStatus.PASSED for _, o in results)
        element["after" if ran else "before"] = [{"match": {}, "result": {
            "status": "failed", "duration": 0, "error_message": _with_evidence(record.error or "failed", record)}}]
    return element


def _step(step: GherkinStep, outcome: StepOutcome, record: ExecutionRecord) -> dict[str, Any]:
    result: dict[str, Any] = {"status": outcome.status.value, "duration": int(outcome.duration_s * 1e9)}
    if outcome.status is StepStatus.FAILED:
        result["error_message"] = _with_evidence(outcome.error or record.error or "failed", record)
    found: dict[str, Any] = {"keyword": step.keyword, "name": step.text, "line": step.line,
                             "match": {"location": outcome.location} if outcome.location else {}, "result": result}
    if step.rows:
        found["rows"] = [{"cells": row} for row in step.rows]
    return found


def _with_evidence(error: str, record: ExecutionRecord) -> str:
    lines = [error, f"evidence: {record.evidence or 'none written'}"]
    if record.id is not None:
        lines.append(f"execution: {record.id}")
    return "\n".join(lines)
