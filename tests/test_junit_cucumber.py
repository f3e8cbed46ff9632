"""What CI servers and Jira Xray read of a run: its JUnit XML (valid against the Jenkins JUnit schema, one suite per
family, tests named by scenario and target, tags and requirements as properties, a failure naming its step, assertion,
evidence and execution) and its Cucumber JSON (valid against the Cucumber JSON schema, every tag with its line,
Examples' too, test keys for Xray). One small run makes both: two variants of a Scenario Outline and one scenario an
ESME firmware defect makes fail, loaded into `dit run` through `--` (tests/device_defects.py)."""

from __future__ import annotations

import json
import sqlite3
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

import jsonschema
import pytest
from dit_command import PROJECT, dit
from lxml import etree

from harness.ledger import BlockedReason, Blocker, ExecutionRecord, Outcome
from harness.run import cucumber, junit
from harness.run.gherkin import FeatureBook, StepOutcome, StepStatus, step_results

DATA = Path(__file__).resolve().parent / "data" / "junit_cucumber"
SELECTION = "(install__commission__esme_credit or pp_to_cr_product_change) and not ESME2 and not GSME2"
FAILING = "Install & Commission - ESME Credit [B6 SB11-core]"
TESTS = {FAILING: "install_commission", "Change of Mode - PP to CR (Product Change) - Elec [B6 SB11-core]":
         "change_of_mode", "Change of Mode - PP to CR (Product Change) - Gas [B6 SB11-core]": "change_of_mode"}


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    root = tmp_path_factory.mktemp("junit_cucumber")
    (root / "ci").mkdir()
    done = dit("run", "-k", SELECTION, "--report-dir", str(root / "reports"),
               "--junitxml", str(root / "ci" / "dit.xml"), "--cucumberjson", str(root / "xray.json"),
               "--", "-p", "device_defects",
               DIT_SMKI=str(root / "smki"), DIT_DEFECT="ESME:ECS16", PYTHONPATH=str(Path(__file__).parent))
    assert done.returncode == 1, done.stdout + done.stderr          # the defect fails one scenario
    return root, done


def _junit(root: Path) -> etree._ElementTree:
    return etree.parse(str(root / "ci" / "dit.xml"))


def _cucumber(root: Path) -> list[dict]:
    return json.loads((root / "xray.json").read_text())


def _elements(root: Path) -> dict[str, dict]:
    return {e["name"]: e for f in _cucumber(root) for e in f["elements"]}


def test_the_junit_xml_is_valid_against_the_jenkins_junit_schema(run):
    root, done = run
    schema = etree.XMLSchema(etree.parse(str(DATA / "junit-10.xsd")))
    assert schema.validate(_junit(root)), schema.error_log
    assert not (root / "reports" / "junit.xml").exists()        # --junitxml put it elsewhere
    assert str(root / "ci" / "dit.xml") in done.stdout and str(root / "xray.json") in done.stdout


def test_one_suite_per_family_and_a_test_per_scenario_on_its_target(run):
    root, _ = run
    top = _junit(root).getroot()
    assert [s.get("name") for s in top.findall("testsuite")] == ["change_of_mode", "install_commission"]
    assert (top.get("tests"), top.get("failures")) == ("3", "1")
    found = {case.get("name"): case.get("classname") for case in top.iter("testcase")}
    assert found == TESTS
    family = top.find("testsuite[@name='change_of_mode']")
    assert (family.get("tests"), family.get("failures"), family.get("skipped")) == ("2", "0", "0")


def test_tags_requirements_and_where_it_ran_are_properties_of_each_test(run):
    root, _ = run
    for suite in _junit(root).getroot().iter("testsuite"):
        if suite.find("testcase") is None:
            continue
        properties = {p.get("name"): p.get("value") for p in suite.find("properties")}
        tags = properties["tags"].split(", ")
        assert properties["requirements"].split(", ") == sorted((t for t in tags if t.startswith("DIT.")),
                                                               key=lambda t: int(t[4:]))
        assert (properties["baseline"], properties["test_set"]) == ("B6", "SB11-core")
        assert Path(properties["evidence"]).is_dir() and properties["execution_id"].isdigit()
        name = suite.find("testcase").get("name")
        # the Examples block's tags are the variant's own: Elec is the ESME's, Gas the GSME's
        assert ("ESME" in tags) == ("Gas" not in name) and ("GSME" in tags) == ("Gas" in name)
        assert ("DIT.2" in tags) == ("Gas" in name)


def test_a_failure_says_the_step_its_assertion_the_evidence_and_the_execution(run):
    root, _ = run
    failures = list(_junit(root).getroot().iter("failure"))
    assert len(failures) == 1
    failure = failures[0]
    assert failure.get("message").startswith("Then the request succeeds: SR 3.4 to ")
    assert failure.get("message").endswith("device: Failure") and failure.get("type") == "AssertionError"
    body = dict(line.split(": ", 1) for line in failure.text.splitlines() if line[:1].isalpha() and ": " in line)
    assert body["step"].startswith("Then the request succeeds (steps/service_requests.py:")
    assert body["assertion"].startswith("SR 3.4 to ")
    evidence = Path(body["evidence"])
    assert evidence.is_dir() and any(p.name.endswith(".xml") for p in evidence.iterdir())
    with sqlite3.connect(root / "reports" / "phase.db") as db:
        ledger_id, folder = db.execute("SELECT id, evidence FROM executions WHERE outcome = 'failed'").fetchone()
    assert body["execution"].startswith(f"{ledger_id} (dit issue raise --execution {ledger_id}")
    assert folder == str(evidence)


def test_the_cucumber_json_is_valid_against_the_cucumber_json_schema(run):
    root, _ = run
    schema = json.loads((DATA / "cucumber-json.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.Draft202012Validator(schema).validate(_cucumber(root))
    assert [f["uri"] for f in _cucumber(root)] == ["features/change_of_mode/change_of_mode.feature",
                                                  "features/install_commission/install_commission.feature"]
    assert set(_elements(root)) == set(TESTS)


def test_every_tag_is_there_with_the_line_it_is_written_on_examples_tags_too(run):
    root, _ = run
    for feature in _cucumber(root):
        lines = (PROJECT / feature["uri"]).read_text().splitlines()
        for element in feature["elements"]:
            for tag in [*feature["tags"], *element["tags"]]:
                assert tag["name"] in lines[tag["line"] - 1].split(), (element["name"], tag)
    elec, gas = (_elements(root)[f"Change of Mode - PP to CR (Product Change) - {fuel} [B6 SB11-core]"]
                 for fuel in ("Elec", "Gas"))
    names = {e: {t["name"] for t in e_["tags"]} for e, e_ in (("elec", elec), ("gas", gas))}
    assert {"@ESME", "@IS", "@DIT.1"} <= names["elec"] and not {"@GSME", "@GS", "@DIT.2"} & names["elec"]
    assert {"@GSME", "@GS", "@DIT.2"} <= names["gas"] and not {"@ESME", "@IS", "@DIT.1"} & names["gas"]
    assert {"@change_of_mode", "@prepayment", "@SR-1.6"} <= names["elec"]          # the feature's and the outline's
    assert elec["keyword"] == "Scenario Outline" and elec["line"] != gas["line"]   # each at its Examples row


def test_the_steps_say_what_ran_failed_and_was_never_reached(run):
    root, _ = run
    elements = _elements(root)
    assert all(s["result"]["status"] == "passed" for name, e in elements.items() if name != FAILING
               for s in e["steps"])
    steps = elements[FAILING]["steps"]
    statuses = [s["result"]["status"] for s in steps]
    failed = statuses.index("failed")
    assert set(statuses[:failed]) == {"passed"} and set(statuses[failed + 1:]) == {"skipped"} and failed > 3
    step = steps[failed]
    assert (step["keyword"], step["name"]) == ("Then ", "the request succeeds")
    assert steps[failed - 1]["name"] == 'the Import Supplier sends SR 3.4 "Update Supplier Name" to the ESME'
    assert step["match"]["location"].startswith("steps/service_requests.py:")
    message = step["result"]["error_message"]
    assert message.startswith("SR 3.4 to ") and "\nevidence: " in message and "\nexecution: " in message
    # the Background's steps come first, and a step's data table comes with it
    assert steps[0]["name"] == "the Import Supplier sees the Communications Hub installed and commissioned"
    assert steps[3]["rows"] == [{"cells": ["device_id", "the ESME"]}]


def test_arguments_pytest_does_not_take_are_refused_and_leave_no_run(tmp_path):
    ledger = tmp_path / "phase.db"
    done = dit("run", "-k", SELECTION, "--report-dir", str(tmp_path / "r"), "--ledger", f"sqlite:///{ledger}", "--",
               "--no-such-option", DIT_SMKI=str(tmp_path / "smki"))
    assert done.returncode == 2, done.stdout + done.stderr
    said = [line for line in done.stderr.splitlines() if line.startswith("dit: error:")]
    assert said == [line for line in said if "pytest did not take the arguments after --: --no-such-option" in line]
    assert len(said) == 1 and "Traceback" not in done.stderr
    with sqlite3.connect(ledger) as db:
        assert db.execute("SELECT COUNT(*) FROM runs").fetchone() == (0,)


def test_an_output_file_that_cannot_be_written_is_refused_before_the_run(tmp_path):
    done = dit("run", "--report-dir", str(tmp_path / "r"), "--cucumberjson", str(tmp_path / "no" / "x.json"))
    assert done.returncode == 2 and "--cucumberjson" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "r" / "phase.db").exists()


# -- the writers on their own: test keys, a resumed run's executions, what XML cannot hold ----------------------

FEATURE = """@demo
Feature: Demo
  @TEST_DIT-7
  Scenario: Keyed
    Given a step
    Then another step

  Scenario Outline: Keyed by example - <fuel>
    Given a <fuel> step

    @TEST_DIT-8 @ESME
    Examples: Electricity
      | fuel |
      | Elec |
"""


def _book(tmp_path: Path) -> FeatureBook:
    (tmp_path / "features" / "demo").mkdir(parents=True)
    (tmp_path / "features" / "demo" / "demo.feature").write_text(FEATURE)
    return FeatureBook(tmp_path / "features")


def _record(title: str, outcome: Outcome, **more) -> ExecutionRecord:
    return ExecutionRecord(1, f"node {title}", f"demo/{title}", outcome, title=title, family="demo",
                           baseline="B6", test_set="SB11-core", **more)


def test_test_keys_go_to_xray_as_tags_and_to_junit_as_properties(tmp_path):
    records = [_record("Keyed", Outcome.PASSED, tags=["demo", "TEST_DIT-7"]),
               _record("Keyed by example - Elec", Outcome.PASSED, tags=["demo", "TEST_DIT-8", "ESME"])]
    assert cucumber.write(tmp_path / "x.json", records, {}, _book(tmp_path)) == []
    elements = json.loads((tmp_path / "x.json").read_text())[0]["elements"]
    assert {"name": "@TEST_DIT-7", "line": 3} in elements[0]["tags"]
    assert {"name": "@TEST_DIT-8", "line": 11} in elements[1]["tags"] and elements[1]["line"] == 14
    junit.write(tmp_path / "j.xml", records, {}, run_id=1, lab="lab.yaml")
    properties = etree.parse(str(tmp_path / "j.xml")).iter("property")
    keys = [p.get("value") for p in properties if p.get("name") == "test_key"]
    assert keys == ["DIT-7", "DIT-8"]


def test_without_a_step_log_the_record_says_how_far_it_got(tmp_path):
    """An execution a resumed run finished before it was resumed has no step log in this process."""
    scenario = _book(tmp_path).scenario("demo", "Keyed")
    failed = _record("Keyed", Outcome.FAILED, failed_step="Then another step", error="it broke")
    assert [o.status for _, o in step_results(scenario, failed, None)] == [StepStatus.PASSED, StepStatus.FAILED]
    first = _record("Keyed", Outcome.FAILED, failed_step="Given a step", error="it broke")
    assert [(o.status, o.error) for _, o in step_results(scenario, first, None)] == [
        (StepStatus.FAILED, "it broke"), (StepStatus.SKIPPED, None)]
    blocked = _record("Keyed", Outcome.BLOCKED, error="ESME suspended")
    assert {o.status for _, o in step_results(scenario, blocked, None)} == {StepStatus.SKIPPED}
    logged = [StepOutcome(5, StepStatus.FAILED, 0.1, "boom", "DitError")]
    assert [o.status for _, o in step_results(scenario, failed, logged)] == [StepStatus.FAILED, StepStatus.SKIPPED]


def test_what_xml_cannot_hold_is_replaced_not_written(tmp_path):
    """A device's console or a terminal colour in an assertion: control characters no XML 1.0 file may hold."""
    record = _record("Keyed", Outcome.FAILED, failed_step="Then another step", error="meter said \x1b[31mNO\x00")
    junit.write(tmp_path / "j.xml", [record], {}, run_id=None, lab="lab.yaml")
    failure = next(etree.parse(str(tmp_path / "j.xml")).iter("failure"))
    assert failure.get("message") == "Then another step: meter said \ufffd[31mNO\ufffd"


def test_blocked_and_failed_outside_its_steps_never_look_green_in_xray(tmp_path):
    records = [_record("Keyed", Outcome.BLOCKED, error="ESME-78-1-alder suspended"),
               _record("Keyed by example - Elec", Outcome.FAILED, error="the lab could not be built", evidence="/e")]
    cucumber.write(tmp_path / "x.json", records, {records[1].node: []}, _book(tmp_path))
    blocked, failed = json.loads((tmp_path / "x.json").read_text())[0]["elements"]
    assert {s["result"]["status"] for s in blocked["steps"]} == {"skipped"}
    assert blocked["steps"][0]["result"]["error_message"] == "blocked: ESME-78-1-alder suspended"
    assert {s["result"]["status"] for s in failed["steps"]} == {"skipped"}
    assert failed["before"][0]["result"] == {"status": "failed", "duration": 0,
                                             "error_message": "the lab could not be built\nevidence: /e"}


def test_a_blocked_execution_is_skipped_with_its_reason_in_junit_never_passed(tmp_path):
    """A CI server counts a <testcase> with neither <failure> nor <skipped> as passed: a blocked execution (a
    suspension, a broken bench) is skipped with its reason, and counted so in its suites."""
    suspended = BlockedReason(Blocker.SUSPENDED, "ESME-78-1-alder suspended (condition 4)")
    records = [_record("Keyed", Outcome.PASSED),
               _record("Keyed by example - Elec", Outcome.NOT_RUN).blocked_by(suspended)]
    junit.write(tmp_path / "j.xml", records, {}, run_id=2, lab="lab.yaml")
    top = etree.parse(str(tmp_path / "j.xml")).getroot()
    cases = {case.get("name"): case for case in top.iter("testcase")}
    assert len(cases["Keyed [B6 SB11-core]"]) == 0
    [skipped] = cases["Keyed by example - Elec [B6 SB11-core]"]
    assert (skipped.tag, skipped.get("type")) == ("skipped", "blocked")
    assert skipped.get("message") == "blocked: ESME-78-1-alder suspended (condition 4)"
    family = top.find("testsuite[@name='demo']")
    assert (family.get("tests"), family.get("failures"), family.get("skipped")) == ("2", "0", "1")


@pytest.mark.parametrize("families", [0, 1, 3])
def test_the_junit_xml_written_a_family_at_a_time_is_the_whole_tree_indented(tmp_path, families):
    """junit.write writes each family's suite as it is built (one tree of a serial matrix's 1,315 executions took
    4.6 MB at the run's end): the file is what ElementTree writes of the whole tree, indented, byte for byte."""
    records = [replace(_record(f"T{n}", Outcome.PASSED if n % 3 else Outcome.FAILED, error="x"),
                       family=f"f{n % families}") for n in range(7 * families)]
    junit.write(tmp_path / "j.xml", records, {}, run_id=4, lab="lab.yaml")
    written = (tmp_path / "j.xml").read_bytes()
    root = ET.fromstring(written)
    for element in root.iter():
        element.text = element.text if element.text and element.text.strip() else None
        element.tail = None
    ET.indent(root, space=" ")
    assert written == b"<?xml version='1.0' encoding='utf-8'?>\n" + ET.tostring(root, encoding="utf-8")
    assert len(root) == families and sum(len(suite.findall("testsuite")) for suite in root) == len(records)
