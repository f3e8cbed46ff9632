"""Allure for each scenario execution, written in the process that runs it. allure-pytest-bdd (the Allure team's
plugin for pytest-bdd) writes the scenario under its title with its Gherkin steps; `AllureScenarios` adds what DIT
knows of it and keeps the results small:

- labels, each once: epic = family, feature, story = title, severity from its priority, suites by target (baseline
  on test set, then family, then cast), its tags as the Gherkin writes them (pytest's marker spellings, SR_8_11,
  left out); parameters baseline, test set and cast instead of the run target's repr;
- links that are URLs, from link patterns: each DIT requirement it serves and its evidence folder
  (`--allure-link-pattern TYPE:PATTERN`, allure-pytest-bdd's own option, then DIT_ALLURE_LINK_PATTERN, then
  DEFAULT_PATTERNS: the completion report's requirement and the evidence folder, beside allure-report);
- the evidence each step made, referenced rather than copied: under the step, a sub-step per exchange naming its
  numbered files in the execution's sealed evidence folder, which holds every byte (SHA256SUMS). Attachments go in
  only where a triager reads them in Allure: a failed step's evidence (or, for a check, the exchange it judged), and
  for a scenario that did not pass its han.pcap, console transcripts and the whole sealed folder as one zip. Those
  that are evidence files are hard links to them, so their bytes are on disk once (a copy only where the results
  are on another file system). A passed scenario's bench evidence is one text/uri-list of links (han.pcap,
  consoles, SHA256SUMS);
- a scenario blocked before it ran, of which allure-pytest-bdd writes nothing: its result, its steps skipped."""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
import zipfile
from collections.abc import Sequence
from itertools import groupby
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import allure
import allure_commons
import pytest
from allure_commons.model2 import Label, Link, Parameter, Status, StatusDetails, TestResult, TestStepResult
from allure_commons.types import AttachmentType, LabelType
from allure_commons.utils import host_tag, md5, now, platform_label, represent, thread_tag, uuid4
from allure_pytest_bdd import utils as bdd_utils

from harness import scenarios
from harness.errors import DitError
from harness.lab.targets import RunTarget
from harness.ledger import ExecutionRecord, Outcome
from harness.run.evidence_files import MANIFEST, content, step_file, step_name

if TYPE_CHECKING:       # as in evidence_files
    from harness.adapters.service_user import Evidence

REQUIREMENT, EVIDENCE = "requirement", "evidence"       # link types
# Relative to allure-report/ in the report directory: the completion report's requirement, the evidence folder.
DEFAULT_PATTERNS = {REQUIREMENT: "../report/report.html#{}", EVIDENCE: "../evidence/{}"}
PATTERN_ENV = "DIT_ALLURE_LINK_PATTERN"
PATTERN_EXAMPLE = "requirement:https://jira.example.com/browse/{}"
SEVERITY = {"High": allure.severity_level.CRITICAL.value, "Medium": allure.severity_level.NORMAL.value,
            "Low": allure.severity_level.MINOR.value}
BLOCKED = "dit_blocked"         # carries a blocked execution's status message to the result as it is written
DATATABLE = "Data table"        # what allure-pytest-bdd names a step's data table, a CSV file
TARGET = "dit_target"           # the plugin's fixture, a run target: a parameter allure-pytest-bdd writes as its repr


def link_pattern(text: str, where: str) -> tuple[str, str]:
    """TYPE:PATTERN, as allure-pytest-bdd's --allure-link-pattern reads it, with {} where the value goes."""
    kind, colon, pattern = text.partition(":")
    if not colon or not re.fullmatch(r"[A-Za-z][\w-]*", kind) or "{}" not in pattern:
        raise DitError(f"{where} {text!r} is not a link pattern", where="dit run",
                       fix=f"TYPE:PATTERN with {{}} where the value goes, e.g. {PATTERN_EXAMPLE}")
    return kind, pattern


def env_patterns() -> list[tuple[str, str]]:
    """DIT_ALLURE_LINK_PATTERN: link patterns separated by spaces."""
    return [link_pattern(text, PATTERN_ENV) for text in os.environ.get(PATTERN_ENV, "").split()]


def _written(tag: str) -> str:
    """A tag as pytest marks it (harness.plugin.marker_name): SR-8.11 -> SR_8_11."""
    return re.sub(r"[^0-9A-Za-z_]", "_", tag)


class AllureScenarios:
    """The run's Allure output where its scenarios run; None of it when the run writes no Allure results."""

    def __init__(self, config: pytest.Config):
        patterns: list[list[str]] = config.option.allure_link_pattern
        try:
            given = env_patterns()
        except DitError as bad:
            raise pytest.UsageError(str(bad)) from None
        for kind, pattern in [*given, *DEFAULT_PATTERNS.items()]:       # --allure-link-pattern first
            if kind not in {k for k, _ in patterns}:
                patterns.append([kind, pattern])
        self.patterns = {kind: pattern for kind, pattern in patterns}
        self.results = Path(config.option.allure_report_dir)
        self.targets: dict[str, RunTarget] = {}         # by the repr allure-pytest-bdd gives the parameter
        self._linking = False                           # an evidence file is being attached: its entry's file name
        self._linked: str | None = None
        allure_commons.plugin_manager.register(self)
        config.add_cleanup(lambda: allure_commons.plugin_manager.unregister(self))

    @classmethod
    def of(cls, config: pytest.Config) -> AllureScenarios | None:
        """Called before allure-pytest-bdd configures itself, so the link patterns are settled when it reads them."""
        return cls(config) if getattr(config.option, "allure_report_dir", None) else None

    def link(self, kind: str, value: str) -> str:
        return self.patterns[kind].format(value)

    # -- a scenario as it runs ----------------------------------------------------------------------------------

    def began(self, record: ExecutionRecord, feature: str, target: RunTarget | None) -> None:
        """Labels and links, as the scenario begins (allure-pytest-bdd has scheduled its result)."""
        if target is not None:
            self.targets[represent(target)] = target
        for name, value in self._labels(record, feature, target):
            allure.dynamic.label(name, value)
        for requirement in self._requirements(record):
            allure.dynamic.link(requirement, link_type=REQUIREMENT, name=requirement)

    def step_evidence(self, evidence: Sequence[tuple[str, Evidence]], kept: int, failed: bool,
                      folder: Path | None) -> None:
        """The evidence a step gathered (evidence[kept:]) under the step, while it is still open: named, and attached
        when the step failed -- for a check that made none, the exchange it judged: its files in `folder`, the
        execution's evidence folder (its bytes when there is none)."""
        new = list(enumerate(evidence, 1))[kept:]
        judged = failed and not new
        if judged and kept:
            last = _exchange(evidence[kept - 1][0])
            earlier = list(enumerate(evidence, 1))[:kept]
            while earlier and _exchange(earlier[-1][1][0]) == last:
                new.insert(0, earlier.pop())
        for exchange, group in groupby(new, key=lambda numbered: _exchange(numbered[1][0])):
            items = list(group)
            with allure.step(("the exchange it judged: " if judged else "") + _evidence_title(exchange, items)):
                for number, (label, item) in items if failed else ():
                    kind = AttachmentType.XML if item.kind in ("duis", "mmc") else AttachmentType.TEXT
                    kept_in = step_file(folder, number, label, item) if folder is not None else None
                    if kept_in is not None and os.path.isfile(kept_in):
                        self._attach_file(Path(kept_in), step_name(number, label), kind)
                    else:
                        allure.attach(content(item), name=step_name(number, label), attachment_type=kind)

    def ended(self, record: ExecutionRecord) -> None:
        """Once its outcome is known: the evidence folder linked, and what did not pass carried in full."""
        if record.blocked is not None:
            allure.dynamic.label(BLOCKED, _blocked_message(record))
        folder = Path(record.evidence) if record.evidence else None
        if folder is None or not folder.is_dir():
            return
        allure.dynamic.link(quote(folder.name), link_type=EVIDENCE, name="evidence folder")
        bench = sorted(p for p in folder.iterdir() if p.name == "han.pcap" or p.name.startswith("console-"))
        listed = [*bench, *(p for p in [folder / MANIFEST] if p.exists())]
        if listed:
            allure.attach("".join(self.link(EVIDENCE, quote(f"{folder.name}/{p.name}")) + "\n" for p in listed),
                          name="bench evidence and SHA256SUMS (links)", attachment_type=AttachmentType.URI_LIST)
        if record.outcome is Outcome.PASSED:
            return
        for path in bench:
            self._attach_file(path, path.name, AttachmentType.PCAP if path.suffix == ".pcap" else AttachmentType.TEXT)
        allure.attach(_zipped(folder), name=f"{folder.name}.zip (the sealed evidence folder)",
                      attachment_type=AttachmentType.ZIP)

    def _attach_file(self, path: Path, name: str, kind: AttachmentType) -> None:
        """An evidence file attached where Allure is at, its bytes not written again: the attachment Allure names
        (written empty) becomes a hard link to the file, or a copy where the link cannot be made."""
        self._linking, self._linked = True, None
        try:
            allure.attach(b"", name=name, attachment_type=kind)
        finally:
            self._linking = False
        if self._linked is None:        # no Allure reporter took the attachment
            return
        attachment = self.results / self._linked
        staged = attachment.with_name(attachment.name + ".link")
        staged.unlink(missing_ok=True)
        try:
            os.link(path, staged)
        except OSError:                 # another file system, or one without hard links
            shutil.copyfile(path, staged)
        os.replace(staged, attachment)

    @allure_commons.hookimpl
    def report_attached_data(self, body: bytes, file_name: str) -> None:
        """Which file an evidence attachment is written to (allure's file logger writes it)."""
        if self._linking:
            self._linked = file_name

    # -- a scenario blocked before it ran ---------------------------------------------------------------------

    def blocked(self, item: pytest.Item, record: ExecutionRecord, feature: Any, scenario: Any,
                target: RunTarget | None) -> None:
        """What allure-pytest-bdd would have written had it run, with its steps skipped and why."""
        outline, params = bdd_utils.get_outline_params(item), bdd_utils.get_pytest_params(item)
        if target is not None:
            self.targets[represent(target)] = target
        full_name = bdd_utils.get_full_name(feature, scenario)
        parameters = bdd_utils.convert_params(outline, params)
        test_case = md5(full_name)
        labels = [Label(LabelType.HOST, host_tag()), Label(LabelType.THREAD, thread_tag()),
                  Label(LabelType.FRAMEWORK, "pytest-bdd"), Label(LabelType.LANGUAGE, platform_label()),
                  *(Label(name, value) for name, value in self._labels(record, feature.name, target)),
                  Label(BLOCKED, _blocked_message(record))]
        at = now()
        result = TestResult(
            uuid=uuid4(), name=scenario.name, fullName=full_name, testCaseId=test_case,
            historyId=bdd_utils.get_history_id(test_case, parameters, {**params, **outline}),
            titlePath=bdd_utils.get_title_path(item, feature), start=at, stop=at, status=Status.SKIPPED,
            description=bdd_utils.get_allure_description(item, feature, scenario), labels=labels,
            links=[Link(REQUIREMENT, self.link(REQUIREMENT, r), r) for r in self._requirements(record)],
            parameters=parameters,
            steps=[TestStepResult(name=f"{step.keyword} {step.name}", status=Status.SKIPPED, start=at, stop=at)
                   for step in scenario.steps])
        allure_commons.plugin_manager.hook.report_result(result=result)

    # -- each result as it is written ---------------------------------------------------------------------------

    @allure_commons.hookimpl(tryfirst=True)         # before allure's file logger writes it
    def report_result(self, result: TestResult) -> None:
        """Labels once, in the Gherkin's spelling; the target as its baseline, test set and cast; a blocked
        execution's reason; Gherkin steps without their step functions' fixtures as parameters."""
        labels: list[Label] = []
        kept: set[tuple[str, str]] = set()
        tags = {label.value for label in result.labels if label.name == LabelType.TAG}
        # pytest's markers for tags written otherwise: SR_8_11 for SR-8.11
        markers = {written for tag in tags if (written := _written(tag)) != tag}
        for label in result.labels:
            if label.name == BLOCKED:
                result.status = Status.SKIPPED
                result.statusDetails = StatusDetails(message=label.value,
                                                     trace=result.statusDetails.trace if result.statusDetails else None)
            elif (label.name, label.value) in kept:
                continue
            elif label.name == LabelType.TAG and label.value in markers:
                continue
            else:
                labels.append(label)
                kept.add((label.name, label.value))
        result.labels = labels
        parameters: list[Parameter] = []
        for parameter in result.parameters:
            target = self.targets.get(parameter.value) if parameter.name == TARGET else None
            if target is None:
                parameters.append(parameter)
                continue
            parameters += [Parameter("baseline", target.baseline.id), Parameter("test set", target.test_set)]
            if target.cast:
                parameters.append(Parameter("cast", str(target.cast)))
        result.parameters = parameters
        for step in result.steps:       # its text names what it was given: the rest is the step function's fixtures
            step.parameters = []
            tables = [a for a in step.attachments if a.name == DATATABLE and a.type == AttachmentType.CSV.mime_type]
            for attachment in tables:
                step.parameters = self._datatable(attachment.source)
                step.attachments.remove(attachment)

    def _datatable(self, source: str) -> list[Parameter]:
        """A step's data table as its parameters, one a row, instead of a CSV file each (a dozen a scenario)."""
        path = self.results / source
        with path.open(newline="", encoding="utf-8") as table:
            rows = [row for row in csv.reader(table) if row]
        path.unlink()
        return [Parameter(row[0], " | ".join(row[1:])) for row in rows]

    # -- what labels and links say ------------------------------------------------------------------------------

    @staticmethod
    def _labels(record: ExecutionRecord, feature: str, target: RunTarget | None) -> list[tuple[str, str]]:
        labels = [(LabelType.EPIC, record.family), (LabelType.FEATURE, feature), (LabelType.STORY, record.title)]
        priority = next((t for t in record.tags if t in SEVERITY), None)
        if priority:
            labels.append((LabelType.SEVERITY, SEVERITY[priority]))
        if target is not None:
            labels += [(LabelType.PARENT_SUITE, f"{target.baseline.id} on {target.test_set}"),
                       (LabelType.SUITE, feature)]
            if target.cast:
                labels.append((LabelType.SUB_SUITE, str(target.cast)))
        return labels + [(LabelType.TAG, tag) for tag in record.tags]

    @staticmethod
    def _requirements(record: ExecutionRecord) -> list[str]:
        return [tag for tag in record.tags if scenarios.REQUIREMENT_TAG.match(tag)]


def _exchange(label: str) -> str:
    """Which exchange a piece of evidence belongs to: 'SR 8.11' of 'SR 8.11 request to serviceS', else itself."""
    found = re.match(r"SR \S+", label)
    return found.group(0) if found else label


def _evidence_title(exchange: str, items: list[tuple[int, tuple[str, Evidence]]]) -> str:
    first, last = items[0][0], items[-1][0]
    numbers = f"{first:03d}" if first == last else f"{first:03d}-{last:03d}"
    what = "; ".join(label.removeprefix(exchange).strip() or label for _, (label, _item) in items)
    return f"evidence {numbers}, {exchange}: {what}" if what != exchange else f"evidence {numbers}: {exchange}"


def _blocked_message(record: ExecutionRecord) -> str:
    """How categories.json knows a blocked execution: 'blocked (bench_fault): ...'."""
    assert record.blocked is not None, "for a blocked execution"
    return f"blocked ({record.blocked.blocker.value}): {record.blocked.text}"


def _zipped(folder: Path) -> bytes:
    """The sealed folder as one zip (its SHA256SUMS inside, so `sha256sum -c` checks it unpacked)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.iterdir()):
            if path.is_file():
                archive.write(path, f"{folder.name}/{path.name}")
    return buffer.getvalue()
