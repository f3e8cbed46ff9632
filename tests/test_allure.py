"""What Allure reads of a run (harness/run/allure_scenario.py, allure_run.py): scenario titles and Gherkin steps, each
step's evidence under the step that made it, labels once, links that are URLs, environment, executor, categories and
history, and the size of it all. One small run made once: install & commission on B6 with the ESME suspended (its two
scenarios blocked), the GSME credit scenario failing on purpose at its first check (tests/allure_failure.py) and the
GSME prepayment one passing."""

from __future__ import annotations

import csv
import json
import re
import zipfile
from pathlib import Path
from types import SimpleNamespace

import pytest
from dit_command import dit

from harness.ledger import BlockedReason, Blocker, ExecutionRecord, Outcome
from harness.run import allure_run, allure_scenario

TESTS = Path(__file__).resolve().parent
PASSING, FAILING = "Install & Commission - GSME Prepayment", "Install & Commission - GSME Credit"
BLOCKED = {"Install & Commission - ESME Credit", "Install & Commission - ESME Prepayment"}
FAILED_STEP = "Then the request succeeds"
REQUIREMENTS = "requirement:https://jira.example.com/browse/{}"
TREND = [{"buildOrder": 7, "reportName": "the report before", "data": {"passed": 3, "total": 3}}]
# Before allure-pytest-bdd, the default run (158 scenarios on B6) wrote 20,559 files and 36,867,414 bytes of
# allure-results: 130 files and 233 KB a scenario. At most a tenth of that a scenario.
FILES_BEFORE, BYTES_BEFORE = 20_559 / 158, 36_867_414 / 158


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    report = tmp_path_factory.mktemp("allure")
    (report / "allure-report" / "history").mkdir(parents=True)
    (report / "allure-report" / "history" / "history-trend.json").write_text(json.dumps(TREND))
    ledger = f"sqlite:///{report / 'phase.db'}"
    smki = {"DIT_SMKI": str(report / "smki")}
    suspended = dit("lab", "suspend", "ESME-78-1-alder", "--condition", "4", "--reason", "no response to any SR",
                    "--ledger", ledger, **smki)
    assert suspended.returncode == 0, suspended.stderr
    result = dit("run", "-m", "install_commission", "-k", "not ESME2 and not GSME2", "--report-dir", str(report),
                 **smki, PYTEST_PLUGINS="allure_failure", PYTHONPATH=str(TESTS),
                 DIT_FAIL_STEP=f"{FAILING}|{FAILED_STEP}", DIT_ALLURE_LINK_PATTERN=REQUIREMENTS)
    assert result.returncode == 1, result.stdout + result.stderr       # the failure, on purpose
    results = report / "allure-results"
    found = {}
    for path in results.glob("*-result.json"):
        data = json.loads(path.read_text())
        found[data["name"]] = data
    summary = {e["title"]: e for e in json.loads((report / "summary.json").read_text())["executions"]
               if e["outcome"] != "not_run"}          # those run, not the casts -k left out
    return SimpleNamespace(report=report, results=results, found=found, summary=summary)


def _substeps(step: dict) -> list[dict]:
    return step.get("steps", [])


def _numbers(title: str) -> list[int]:
    first, last = re.search(r"evidence (\d{3})(?:-(\d{3}))?", title).groups()
    return list(range(int(first), int(last or first) + 1))


def test_scenarios_by_their_titles_with_their_gherkin_steps(run):
    assert set(run.found) == {PASSING, FAILING} | BLOCKED
    passed = run.found[PASSING]
    assert passed["status"] == "passed" and passed["fullName"].endswith(f".feature:{PASSING}")
    names = [step["name"] for step in passed["steps"]]
    assert names[:3] == ["Given the Import Supplier sees the Communications Hub installed and commissioned",
                         "And the Import Supplier has completed the WAN matrix check for the premises",
                         "Given the Gas Supplier has pre-notified the GSME to the DCC"]
    assert all(re.match(r"(Given|When|Then|And|But) ", name) for name in names) and len(names) > 40
    # a data table as the step's parameters, not a file; no step function's fixture shown as a parameter
    sr_811 = next(s for s in passed["steps"] if 'SR 8.11 "Update HAN Device Log"' in s["name"])
    assert sr_811["parameters"] == [{"name": "device_id", "value": "the GSME"}] and "attachments" not in sr_811
    assert not [s for s in passed["steps"] if any("object at 0x" in p["value"] for p in s.get("parameters", []))]


def test_each_step_names_the_evidence_it_made_and_a_passed_one_copies_none(run):
    passed, folder = run.found[PASSING], Path(run.summary[PASSING]["evidence"])
    numbered = sorted(int(p.name[:3]) for p in folder.iterdir() if p.name[:3].isdigit())
    named = []
    for step in passed["steps"]:
        for sub in _substeps(step):
            assert "attachments" not in sub, sub["name"]          # referenced, not copied
            named += _numbers(sub["name"])
            sent = re.search(r"sends SR (\S+) ", step["name"])
            if sent:                    # under the step that sent it
                assert f", SR {sent.group(1)}:" in sub["name"], (step["name"], sub["name"])
    assert named == numbered


def test_a_failed_step_carries_the_exchange_it_judged(run):
    failed, folder = run.found[FAILING], Path(run.summary[FAILING]["evidence"])
    assert failed["status"] == "failed" and "deliberately failed" in failed["statusDetails"]["message"]
    step = next(s for s in failed["steps"] if s["status"] == "failed")
    assert step["name"] == FAILED_STEP
    (judged,) = _substeps(step)
    assert judged["name"].startswith("the exchange it judged: evidence 007-011, SR 8.11:")
    copies = judged["attachments"]
    assert [a["name"] for a in copies] == [f"{n:03d} SR 8.11 {what}" for n, what in zip(range(7, 12), (
        "request to serviceS", "synchronous response", "asynchronous response I0", "device response",
        "device response parsed (MMC)"))]
    files = sorted(p for p in folder.iterdir() if p.name[:3] in {"007", "008", "009", "010", "011"})
    # the evidence files themselves, hard-linked: their bytes on disk once
    assert all((run.results / a["source"]).samefile(p) for a, p in zip(copies, files, strict=True))
    # the whole sealed folder, as one zip
    (archive,) = [a for a in failed["attachments"] if a["type"] == "application/zip"]
    with zipfile.ZipFile(run.results / archive["source"]) as zipped:
        assert sorted(zipped.namelist()) == sorted(f"{folder.name}/{p.name}" for p in folder.iterdir())
        assert zipped.read(f"{folder.name}/SHA256SUMS") == (folder / "SHA256SUMS").read_bytes()
    assert [s["status"] for s in failed["steps"][failed["steps"].index(step) + 1:]] == ["skipped"] * (
        len(failed["steps"]) - failed["steps"].index(step) - 1)


def test_blocked_scenarios_are_written_with_their_reason_and_category(run):
    categories = json.loads((run.results / "categories.json").read_text())
    for title in BLOCKED:
        blocked = run.found[title]
        message = blocked["statusDetails"]["message"]
        assert blocked["status"] == "skipped" and message.startswith("blocked (suspended): ESME-78-1-alder")
        assert {s["status"] for s in blocked["steps"]} == {"skipped"} and len(blocked["steps"]) > 40
        assert blocked["historyId"].startswith(blocked["testCaseId"] + ".")
        # Allure takes the first category whose regex matches the whole message
        first = next(c for c in categories if "skipped" in c["matchedStatuses"]
                     and re.fullmatch(c["messageRegex"], message))
        assert first["name"] == allure_run.BLOCKED_CATEGORIES[Blocker.SUSPENDED]


def test_labels_once_each_as_the_gherkin_writes_the_tags(run):
    for title, result in run.found.items():
        pairs = [(label["name"], label["value"]) for label in result["labels"]]
        assert len(pairs) == len(set(pairs)), title
        assert sorted(v for n, v in pairs if n == "tag") == sorted(run.summary[title]["tags"]), title
        assert ("epic", "install_commission") in pairs and ("story", title) in pairs
        assert ("parentSuite", "B6 on SB11-core") in pairs and ("severity", "critical") in pairs
        assert result["parameters"] == [{"name": "baseline", "value": "B6"}, {"name": "test set", "value": "SB11-core"}]


def test_links_are_urls_from_the_patterns(run):
    for title, result in run.found.items():
        requirements = [t for t in run.summary[title]["tags"] if re.fullmatch(r"DIT\.\d+", t)]
        assert [(link["url"], link["name"]) for link in result["links"] if link["type"] == "requirement"] == [
            (f"https://jira.example.com/browse/{r}", r) for r in requirements]
    # the evidence folder by default beside allure-report: links that resolve from where the report is generated
    generated = run.report / "allure-report"
    for title in (PASSING, FAILING):
        (folder,) = [link["url"] for link in run.found[title]["links"] if link["type"] == "evidence"]
        assert (generated / folder.replace("%40", "@")).resolve() == Path(run.summary[title]["evidence"]).resolve()
    (listed,) = [a for a in run.found[PASSING]["attachments"] if a["type"] == "text/uri-list"]
    lines = (run.results / listed["source"]).read_text().split()
    assert [Path(u).name for u in lines] == ["han.pcap", "SHA256SUMS"]
    assert all((generated / u.replace("%40", "@")).is_file() for u in lines)


def test_environment_executor_and_categories_are_written(run):
    properties = dict(line.split("=", 1) for line in (run.results / "environment.properties").read_text().splitlines())
    assert properties["baselines"] == "B6" and properties["test\\ sets"] == "SB11-core"
    assert properties["DSP/CSP\\ release"] == "R2.0" and properties["python"].startswith("3.")
    assert properties["lab"].startswith("Emulated lab (emulated, ")
    executor = json.loads((run.results / "executor.json").read_text())
    assert executor["type"] == "local" and executor["buildOrder"] == 1 and executor["buildName"].startswith("dit run 1")
    assert json.loads((run.results / "categories.json").read_text()) == allure_run.categories()


def test_the_history_of_the_last_report_is_carried_on(run):
    assert json.loads((run.results / "history" / "history-trend.json").read_text()) == TREND


def test_a_tenth_of_the_files_and_bytes_a_scenario(run):
    files = [p for p in run.results.rglob("*") if p.is_file() and "history" not in p.parts]
    scenarios = len(run.found)
    assert len(files) / scenarios <= FILES_BEFORE / 10
    assert sum(p.stat().st_size for p in files) / scenarios <= BYTES_BEFORE / 10
    # a passed scenario: its result and one list of links
    passed = [a for a in run.found[PASSING]["attachments"]]
    assert [a["type"] for a in passed] == ["text/uri-list"]


def test_a_link_pattern_that_is_none_is_refused_in_one_line(tmp_path):
    for args, env in ((("--allure-link-pattern", "requirement"), {}),
                      ((), {"DIT_ALLURE_LINK_PATTERN": "requirement:https://no.placeholder.example"})):
        result = dit("run", "-k", "install_commission", *args, "--report-dir", str(tmp_path), **env)
        assert result.returncode == 2, result.stderr
        assert len(result.stderr.strip().splitlines()) == 1 and "is not a link pattern" in result.stderr
        assert not (tmp_path / "phase.db").exists()          # refused before the run is recorded


# -- units --------------------------------------------------------------------------------------------------

def _config(tmp_path, given: list[list[str]]) -> SimpleNamespace:
    cleanups = []
    return SimpleNamespace(option=SimpleNamespace(allure_report_dir=str(tmp_path), allure_link_pattern=given),
                           add_cleanup=cleanups.append, cleanups=cleanups)


def test_link_patterns_given_then_environment_then_defaults(tmp_path, monkeypatch):
    monkeypatch.setenv("DIT_ALLURE_LINK_PATTERN", "requirement:https://env.example/{} evidence:https://ci.example/{}")
    config = _config(tmp_path, [["evidence", "https://given.example/{}"]])
    scenarios = allure_scenario.AllureScenarios(config)
    try:
        assert scenarios.patterns == {"evidence": "https://given.example/{}", "requirement": "https://env.example/{}"}
        assert config.option.allure_link_pattern[1:] == [["requirement", "https://env.example/{}"]]
    finally:
        for cleanup in config.cleanups:
            cleanup()
    monkeypatch.delenv("DIT_ALLURE_LINK_PATTERN")
    config = _config(tmp_path, [])
    scenarios = allure_scenario.AllureScenarios(config)
    for cleanup in config.cleanups:
        cleanup()
    assert scenarios.patterns == allure_scenario.DEFAULT_PATTERNS
    assert scenarios.link("requirement", "DIT.1") == "../report/report.html#DIT.1"


def test_the_link_pattern_goes_to_pytest():
    from harness.cli.run import RunSelection

    argv = RunSelection(allure_link_patterns=(REQUIREMENTS,)).pytest_args(Path("reports"))
    assert f"--allure-link-pattern={REQUIREMENTS}" in argv


def test_each_way_of_being_blocked_has_its_category():
    categories = allure_run.categories()
    for blocker in Blocker:
        record = ExecutionRecord(None, "n", "s/x", Outcome.NOT_RUN).blocked_by(BlockedReason(blocker, "why"))
        message = allure_scenario._blocked_message(record)
        first = next(c for c in categories if "skipped" in c.get("matchedStatuses", [])
                     and re.fullmatch(c["messageRegex"], message))
        assert first["name"] == allure_run.BLOCKED_CATEGORIES[blocker]


def test_the_executor_is_the_ci_job_when_there_is_one(monkeypatch):
    for name in ("GITLAB_CI", "JENKINS_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_SERVER_URL", "https://github.example")
    monkeypatch.setenv("GITHUB_REPOSITORY", "lab/dit")
    monkeypatch.setenv("GITHUB_RUN_ID", "99")
    monkeypatch.setenv("GITHUB_RUN_NUMBER", "12")
    monkeypatch.setenv("GITHUB_WORKFLOW", "DIT")
    assert allure_run.executor(3) == {"name": "GitHub Actions", "type": "github", "url": "https://github.example/lab/dit",
                                      "buildName": "DIT #12", "buildOrder": 12,
                                      "buildUrl": "https://github.example/lab/dit/actions/runs/99"}


def test_environment_properties_escape_as_java_reads_them():
    assert allure_run._escaped("test sets", key=True) == "test\\ sets"
    assert allure_run._escaped(" a=b:c#d\\é€") == "\\ a\\=b\\:c\\#d\\\\\\u00e9\\u20ac"
    assert allure_run._escaped("𝄞") == "\\ud834\\udd1e"


def test_a_data_table_becomes_the_steps_parameters(tmp_path):
    config = _config(tmp_path, [])
    scenarios = allure_scenario.AllureScenarios(config)
    for cleanup in config.cleanups:
        cleanup()
    with (tmp_path / "t-attachment.csv").open("w", newline="") as table:
        csv.writer(table).writerows([["payment_mode", "credit"], ["adjustment", "0"]])
    assert [(p.name, p.value) for p in scenarios._datatable("t-attachment.csv")] == [
        ("payment_mode", "credit"), ("adjustment", "0")]
    assert not (tmp_path / "t-attachment.csv").exists()
