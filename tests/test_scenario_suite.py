"""The business scenarios as a test engineer runs them: `dit run` and `dit scenarios`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from harness import scenarios
from harness.duis import xml

PROJECT = Path(__file__).resolve().parents[1]

# The Install & Commission SR sequences of the DIT business scenario pack (seed 001), in order.
SEED_SEQUENCES = {
    "install_commission/install-commission-esme-credit":
        "8.11 6.21 8.1.1 6.20.1 1.1.1 1.6 6.8 5.1 6.22 4.4.2 1.5 3.4 6.4.1 6.12 6.25 6.17 6.15.2 6.17 6.15.2 6.21",
    "install_commission/install-commission-gsme-credit":
        "8.11 6.21 6.21 8.1.1 6.20.1 1.1.1 1.6 6.8 5.1 6.22 4.4.2 8.7.2 3.4 6.6 1.5 "
        "6.17 6.15.2 6.17 6.15.2 6.17 6.15.2 6.17 6.15.2 6.21",
    "install_commission/install-commission-esme-prepayment":
        "8.11 6.21 8.1.1 6.20.1 1.1.1 2.1 1.6 6.8 5.1 6.22 4.4.2 2.3 1.5 3.4 6.4.1 6.12 6.25 "
        "6.17 6.15.2 6.17 6.15.2 6.21",
    "install_commission/install-commission-gsme-prepayment":
        "8.11 6.21 6.21 8.1.1 6.20.1 1.1.1 2.1 1.6 6.8 5.1 6.22 4.4.2 8.7.2 1.5 3.4 6.6 2.3 "
        "6.17 6.15.2 6.17 6.15.2 6.17 6.15.2 6.17 6.15.2 6.21",
}


def dit(*args: str, cwd: Path = PROJECT, **env) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "harness.cli", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=600, env={**os.environ, **env})


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    report = tmp_path_factory.mktemp("reports")
    result = dit("run", "--report-dir", str(report), DIT_SMKI=str(report / "smki"))
    return result, report


def test_scenarios_lists_install_and_commission_in_the_seed_order():
    result = dit("scenarios", "--json")
    assert result.returncode == 0, result.stderr
    variants = {v["id"]: v for v in json.loads(result.stdout)}
    for variant_id, sequence in SEED_SEQUENCES.items():
        steps = variants[variant_id]["steps"]
        assert " ".join(s["sr"] for s in steps if "sr" in s) == sequence
        assert variants[variant_id]["family"] == "install_commission"
        assert variants[variant_id]["business_critical"] and variants[variant_id]["priority"] == "High"
        assert "N24" in variants[variant_id]["alerts"]
    whitelist = variants["install_commission/install-commission-esme-credit"]["steps"][0]
    assert whitelist == {"sr": "8.11", "name": "Update HAN Device Log", "target": "CHF", "optional": False}


def test_dit_run_is_green_and_writes_the_summary(run):
    result, report = run
    assert result.returncode == 0, result.stdout + result.stderr
    summary = json.loads((report / "summary.json").read_text())
    assert summary["totals"]["passed"] >= 4 and summary["totals"]["failed"] == 0
    ids = {e["scenario_id"]: e for e in summary["executions"]}
    assert set(SEED_SEQUENCES) <= set(ids)
    assert all(ids[i]["outcome"] == "passed" for i in SEED_SEQUENCES)
    assert "DIT scenarios" in result.stdout and "passed" in result.stdout
    assert (report / "junit.xml").exists() and list((report / "allure-results").glob("*-result.json"))


def test_allure_labels_on_every_scenario(run):
    _, report = run
    for path in (report / "allure-results").glob("*-result.json"):
        labels = {(label["name"], label["value"]) for label in json.loads(path.read_text())["labels"]}
        names = {name for name, _ in labels}
        assert {"epic", "feature", "story", "severity", "tag"} <= names, path.name
        epic = next(value for name, value in labels if name == "epic")
        assert epic in scenarios.FAMILIES and ("tag", epic) in labels, path.name


def test_every_duis_message_of_the_run_is_schema_valid(run, duis_schema):
    _, report = run
    documents = sorted((report / "evidence").rglob("*.xml"))
    assert len(documents) > 400          # requests, synchronous and asynchronous responses, alerts
    kinds = set()
    for path in documents:
        root = xml.parse(path.read_bytes(), str(path))
        assert duis_schema.errors(root) == [], path.name
        kinds.add(xml.local_name(root))
    assert kinds == {"Request", "Response"}


def test_a_selection_that_matches_nothing_is_a_usage_error(tmp_path):
    result = dit("run", "-k", "no_such_scenario", "--report-dir", str(tmp_path), DIT_SMKI=str(tmp_path / "smki"))
    assert result.returncode == 2 and "no scenario matches" in result.stderr
