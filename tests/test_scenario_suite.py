"""The business scenarios as a test engineer runs them: `dit run` and `dit scenarios`."""

from __future__ import annotations

import json

import pytest
from dit_command import dit
from seed_sequences import SEED_SEQUENCES

from harness import scenarios
from harness.duis import xml
from harness.ledger import Ledger


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    report = tmp_path_factory.mktemp("reports")
    result = dit("run", "--report-dir", str(report), DIT_SMKI=str(report / "smki"))
    return result, report


def _sequence(steps) -> str:
    return " ".join(s["sr"] + ("?" if s["optional"] else "") for s in steps if "sr" in s)


def test_scenarios_lists_every_variant_of_the_plan_in_the_seed_order():
    result = dit("scenarios", "--json")
    assert result.returncode == 0, result.stderr
    variants = {v["id"]: v for v in json.loads(result.stdout)}
    assert SEED_SEQUENCES.keys() <= variants.keys()
    families = {}
    for variant in variants.values():
        families[variant["family"]] = families.get(variant["family"], 0) + 1
    assert families == {**scenarios.FAMILIES, **scenarios.LAB_FAMILIES}
    assert sum(scenarios.FAMILIES.values()) == 80
    for variant_id, sequence in SEED_SEQUENCES.items():
        assert _sequence(variants[variant_id]["steps"]) == sequence, variant_id
        assert variants[variant_id]["priority"] in ("High", "Medium"), variant_id
        assert variants[variant_id]["family"] in variants[variant_id]["tags"], variant_id
        assert all(f"SR-{s['sr']}" in variants[variant_id]["tags"] for s in variants[variant_id]["steps"] if "sr" in s)
    esme = variants["install_commission/install-commission-esme-credit"]
    assert esme["business_critical"] and esme["priority"] == "High" and "N24" in esme["alerts"]
    assert esme["steps"][0] == {"sr": "8.11", "name": "Update HAN Device Log", "target": "CHF", "optional": False}
    assert {"ESME", "credit", "IS", "DIT.1"} <= set(esme["tags"]) and esme["requirements"] == ["DIT.1", "DIT.15",
                                                                                                 "DIT.9"]
    local = variants["no_wan_lcd/no-wan-installation-using-lcd-esme-credit"]["steps"]
    assert {"sr": "8.11", "name": "Update HAN Device Log", "target": "CHF", "optional": False,
            "delivery": "local"} in local


def test_dit_run_is_green_and_writes_the_summary(run):
    result, report = run
    assert result.returncode == 0, result.stdout + result.stderr
    summary = json.loads((report / "summary.json").read_text())
    assert summary["totals"]["passed"] == 80 and summary["totals"]["failed"] == 0
    passed = {e["scenario_id"] for e in summary["executions"] if e["outcome"] == "passed"}
    assert passed == set(SEED_SEQUENCES)
    # The lab scenarios need a v1.0 hub, a dual band hub or SMETS2 v2.0 meters: not planned on the default
    # test set, so not "not run" either.
    assert summary["totals"]["not_run"] == 0
    assert set(summary["families"]) == set(scenarios.FAMILIES)
    book = Ledger(f"sqlite:///{report / 'phase.db'}")
    assert [(r.status, r.executions) for r in book.runs()] == [("completed", 80)]
    assert len(book.planned()) == 80 and {e.outcome for e in book.executions()} == {"passed"}
    book.close()
    assert "DIT business scenario families" in result.stdout and "80 passed" in result.stdout
    assert all(family in result.stdout for family in scenarios.FAMILIES)
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
    documents = sorted(p for p in (report / "evidence").rglob("*.xml") if not p.name.endswith(".mmc.xml"))
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


def test_optional_srs_run_unless_left_out(tmp_path):
    def delete_schedule_sent(*extra) -> bool:
        report = tmp_path / ("without" if extra else "with")
        result = dit("run", "-m", "tariff_update and ESME", "--report-dir", str(report), *extra,
                     DIT_SMKI=str(tmp_path / "smki"))
        assert result.returncode == 0, result.stdout + result.stderr
        return any("SR-5.3-request" in p.name for p in (report / "evidence").rglob("*.xml"))

    assert delete_schedule_sent()
    assert not delete_schedule_sent("--without-optional")
