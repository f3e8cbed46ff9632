"""What Allure shows of a run as a whole, written in allure-results once its scenarios are done (by the process where
the records come together): environment.properties (the lab, baselines, test sets, releases, dit and Python),
executor.json (the CI job that ran it, from the CI's own variables, else this host and the ledger's run) and
categories.json (failed, broken and each way of being blocked, on the project's own reasons); and, before `allure
generate` runs again, the history of the last generated report carried into the new results so its Trend goes on
(Allure's documented way: allure-report/history into allure-results/history)."""

from __future__ import annotations

import importlib.metadata
import json
import os
import platform
import shutil
import socket
import sys
from pathlib import Path

from harness.lab.config import LabConfig
from harness.lab.targets import RunTarget
from harness.ledger import Blocker

RESULTS, REPORT, HISTORY = "allure-results", "allure-report", "history"

# Each way an execution is blocked, as allure_scenario words its status message: nothing the system under test did.
BLOCKED_CATEGORIES = {
    Blocker.BENCH_FAULT: "Blocked: the bench broke during the scenario",
    Blocker.BENCH_BROKEN: "Blocked: the bench had broken earlier in the run",
    Blocker.NOT_ON_THIS_BENCH: "Blocked: a step needs a person or the industry, not this bench",
    Blocker.SUSPENDED: "Blocked: a device it uses is suspended (or DIT is)",
}


def categories() -> list[dict[str, object]]:
    """Allure's categories, first match wins: blocked ones by their reason, then failed and broken."""
    found: list[dict[str, object]] = [
        {"name": name, "matchedStatuses": ["skipped"], "messageRegex": rf"blocked \({blocker.value}\):[\s\S]*"}
        for blocker, name in BLOCKED_CATEGORIES.items()]
    return found + [
        {"name": "Failed: the system under test did not do what a step expects", "matchedStatuses": ["failed"]},
        {"name": "Broken: a step could not be carried out (harness, lab or input)", "matchedStatuses": ["broken"]},
    ]


def environment(lab: LabConfig | None, targets: list[RunTarget], run_id: int | None) -> dict[str, str]:
    baselines = list(dict.fromkeys(t.baseline for t in targets))
    found = {"lab": f"{lab.name} ({lab.kind}, {lab.source})" if lab is not None else "none",
             "baselines": ", ".join(b.id for b in baselines),
             "test sets": ", ".join(dict.fromkeys(t.test_set for t in targets)),
             "DSP/CSP release": ", ".join(sorted({b.dsp_csp for b in baselines})),
             "service user release": ", ".join(sorted({b.service_user for b in baselines})),
             "dit": _version("dit-harness"), "python": platform.python_version(),
             "pytest-bdd": _version("pytest-bdd")}
    if run_id is not None:
        found["ledger run"] = str(run_id)
    return found


def executor(run_id: int | None) -> dict[str, object]:
    """The CI job from its variables (GitHub Actions, GitLab CI, Jenkins), else this host."""
    env = os.environ
    if env.get("GITHUB_ACTIONS") == "true":
        repo = f"{env.get('GITHUB_SERVER_URL', 'https://github.com')}/{env.get('GITHUB_REPOSITORY', '')}"
        number = env.get("GITHUB_RUN_NUMBER", "")
        return _build("GitHub Actions", "github", repo, number, f"{env.get('GITHUB_WORKFLOW', 'workflow')} #{number}",
                      f"{repo}/actions/runs/{env.get('GITHUB_RUN_ID', '')}")
    if env.get("GITLAB_CI") == "true":
        number = env.get("CI_PIPELINE_IID", "")
        return _build("GitLab CI", "gitlab", env.get("CI_PROJECT_URL", ""), number,
                      f"{env.get('CI_JOB_NAME', 'job')} #{number}", env.get("CI_JOB_URL", ""))
    if env.get("JENKINS_URL"):
        number = env.get("BUILD_NUMBER", "")
        return _build("Jenkins", "jenkins", env["JENKINS_URL"], number, f"{env.get('JOB_NAME', 'job')} #{number}",
                      env.get("BUILD_URL", ""))
    host = socket.gethostname()
    found: dict[str, object] = {"name": host, "type": "local"}
    if run_id is not None:      # the ledger's run: the Trend's x axis
        found.update(buildOrder=run_id, buildName=f"dit run {run_id} on {host}")
    return found


def _build(name: str, kind: str, url: str, number: str, build: str, build_url: str) -> dict[str, object]:
    found: dict[str, object] = {"name": name, "type": kind, "url": url, "buildName": build, "buildUrl": build_url}
    if number.isdigit():
        found["buildOrder"] = int(number)
    return found


def write(results: Path, lab: LabConfig | None, targets: list[RunTarget], run_id: int | None) -> None:
    """environment.properties, executor.json and categories.json in allure-results."""
    results.mkdir(parents=True, exist_ok=True)
    (results / "environment.properties").write_text(
        "".join(f"{_escaped(k, key=True)}={_escaped(v)}\n" for k, v in environment(lab, targets, run_id).items()),
        encoding="ascii")
    (results / "executor.json").write_text(json.dumps(executor(run_id), indent=1) + "\n")
    (results / "categories.json").write_text(json.dumps(categories(), indent=1) + "\n")


def keep_history(report_dir: Path) -> bool:
    """The last generated report's history into the new results, before `allure generate` runs again; whether it
    was kept. A copy that fails is said on stderr and costs the run nothing: the history is still in allure-report."""
    history = report_dir / REPORT / HISTORY
    if not history.is_dir():
        return False
    try:
        shutil.copytree(history, report_dir / RESULTS / HISTORY, dirs_exist_ok=True)
    except OSError as exc:
        print(f"dit run: Allure's history not carried on: cannot copy {history}: {exc.strerror or exc} (copy it into "
              f"{report_dir / RESULTS / HISTORY} before allure generate)", file=sys.stderr)
        return False
    return True


def _version(distribution: str) -> str:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return "not installed as a package"


def _escaped(text: str, key: bool = False) -> str:
    """A Java properties key or value (ISO 8859-1 with \\u escapes), as Allure reads environment.properties."""
    out = []
    for i, char in enumerate(text):
        if char in "\\#!=:" or (char == " " and (key or i == 0)):
            out.append("\\" + char)
        elif char in "\t\n\r\f":
            out.append({"\t": "\\t", "\n": "\\n", "\r": "\\r", "\f": "\\f"}[char])
        elif not 0x20 <= ord(char) < 0x7F:          # beyond the BMP: its UTF-16 surrogates
            data = char.encode("utf-16-be")
            out += [f"\\u{int.from_bytes(data[j:j + 2]):04x}" for j in range(0, len(data), 2)]
        else:
            out.append(char)
    return "".join(out)
