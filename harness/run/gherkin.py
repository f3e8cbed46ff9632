"""The Gherkin side of a run's executions, for the JUnit XML and Cucumber JSON a run writes: how each step of a scenario
ran (the plugin logs it as the steps run, and it travels with the execution's report), and what the feature file says
of the scenario -- its feature, keyword, tags with their lines (the feature's, the scenario's and its Examples'), steps
with their lines and tables -- read with the Cucumber project's own parser and pickle compiler (gherkin-official), as
Cucumber itself reads a feature. A scenario variant is found by its family and title, as the ledger keys it."""

from __future__ import annotations

import functools
import re
import sys
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from gherkin.errors import CompositeParserException, ParserException
from gherkin.parser import Parser
from gherkin.pickles.compiler import Compiler

from harness.errors import DitError
from harness.ledger import ExecutionRecord, Outcome

# An Xray or ALM test key on a scenario: @TEST_DIT-123 links its results to the test DIT-123.
TEST_KEY = re.compile(r"^@?TEST_(?P<key>[A-Z][A-Z0-9_]*-\d+)$")


class StepStatus(StrEnum):
    """A step's result as Cucumber names it."""

    PASSED = "passed"
    FAILED = "failed"
    SKIPPED = "skipped"         # not reached: an earlier step failed, or the scenario was blocked


@dataclass(frozen=True, slots=True)
class StepOutcome:
    """One step as it ran (a run keeps every execution's to its end: slots, and its location's text shared)."""

    line: int                   # in its feature file
    status: StepStatus
    duration_s: float = 0.0
    error: str | None = None    # a failed step: what it raised, in full
    error_type: str = ""        # and its type (AssertionError, DitError ...)
    location: str = ""          # the step definition, "steps/service_requests.py:53"

    def as_json(self) -> dict[str, Any]:
        return {"line": self.line, "status": self.status.value, "duration_s": self.duration_s, "error": self.error,
                "error_type": self.error_type, "location": self.location}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> StepOutcome:
        return cls(int(data["line"]), StepStatus(data["status"]), float(data["duration_s"]), data.get("error"),
                   data.get("error_type", ""), sys.intern(data.get("location", "")))


class StepLog:
    """The steps of one scenario as they run (the plugin keeps one per scenario item)."""

    def __init__(self) -> None:
        self.outcomes: list[StepOutcome] = []
        self._started = time.monotonic()

    def start(self) -> None:
        self._started = time.monotonic()

    def end(self, line: int, location: str, exception: BaseException | None = None) -> None:
        took = round(time.monotonic() - self._started, 6)
        if exception is None:
            self.outcomes.append(StepOutcome(line, StepStatus.PASSED, took, location=location))
        else:
            self.outcomes.append(StepOutcome(line, StepStatus.FAILED, took, str(exception) or type(exception).__name__,
                                             type(exception).__name__, location))

    def as_json(self) -> list[dict[str, Any]]:
        return [o.as_json() for o in self.outcomes]


def step_location(function: object, root: Path) -> str:
    """Where a step definition is, relative to the project: "steps/service_requests.py:53"."""
    code = getattr(function, "__code__", None)
    if code is None:
        return ""
    return f"{_relative(code.co_filename, root)}:{code.co_firstlineno}"


@functools.lru_cache(maxsize=256)
def _relative(filename: str, root: Path) -> str:
    """Once a file (every step asks; pathlib's parts, interned and freed each time, grew the interned texts' table)."""
    path = Path(filename)
    try:
        path = path.relative_to(root)
    except ValueError:
        pass
    return path.as_posix()


# -- what the feature file says --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Tag:
    name: str                   # as written, with its @
    line: int


@dataclass(frozen=True)
class GherkinFeature:
    uri: str                    # "features/install_commission/install_commission.feature"
    keyword: str
    name: str
    description: str
    line: int
    tags: list[Tag]


@dataclass(frozen=True)
class GherkinStep:
    keyword: str                # as written, "And " included
    text: str                   # an outline's placeholders filled in from its Examples row
    line: int
    rows: list[list[str]] = field(default_factory=list)     # its data table


@dataclass(frozen=True)
class GherkinScenario:
    """A scenario variant as Cucumber compiles it (a pickle): an outline's Examples row is one variant, with the
    feature's, the outline's and that Examples block's tags."""

    feature: GherkinFeature
    keyword: str                # Scenario | Scenario Outline
    name: str
    description: str
    line: int                   # the scenario's, or for an outline its Examples row's (as Cucumber reports it)
    tags: list[Tag]
    steps: list[GherkinStep]

    @property
    def test_keys(self) -> list[str]:
        """The Xray/ALM test keys its @TEST_<KEY> tags give."""
        return [m["key"] for t in self.tags if (m := TEST_KEY.match(t.name))]


class FeatureBook:
    """The feature files under a features folder (features/<family>/*.feature), parsed as each family is first
    asked for."""

    def __init__(self, root: Path):
        self.root = root
        self._families: dict[str, dict[str, GherkinScenario]] = {}

    def scenario(self, family: str, title: str) -> GherkinScenario | None:
        """The variant of the family with this title (None: renamed or withdrawn since it ran)."""
        if family not in self._families:
            self._families[family] = {s.name: s for path in sorted((self.root / family).glob("*.feature"))
                                      for s in self._read(path)}
        return self._families[family].get(title)

    def _read(self, path: Path) -> Iterable[GherkinScenario]:
        uri = path.relative_to(self.root.parent).as_posix()        # "features/<family>/<name>.feature"
        try:
            # the compiler wants the document with its uri (a TypedDict only recent releases of gherkin name)
            document: Any = {**Parser().parse(path.read_text(encoding="utf-8")), "uri": uri}
        except (CompositeParserException, ParserException, OSError, UnicodeDecodeError) as exc:
            raise DitError(f"cannot read the feature file: {exc}", where=str(path),
                           fix="dit scenarios names what is wrong in it") from None
        feature = document["feature"]
        nodes = _nodes(feature)
        found = GherkinFeature(uri, feature["keyword"], feature["name"], (feature.get("description") or "").strip(),
                               feature["location"]["line"], [_tag(t) for t in feature.get("tags", [])])
        for pickle in Compiler().compile(document):
            outline = nodes[pickle["astNodeIds"][0]]
            # an outline's variant is located at its Examples row, a plain scenario at the scenario
            row = nodes[pickle["astNodeIds"][1]] if len(pickle["astNodeIds"]) > 1 else outline
            yield GherkinScenario(
                found, outline["keyword"], pickle["name"], (outline.get("description") or "").strip(),
                row["location"]["line"], [_tag(nodes[t["astNodeId"]]) for t in pickle.get("tags", [])],
                [_step(nodes[s["astNodeIds"][0]], s) for s in pickle["steps"]])


def _nodes(feature: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    """Every AST node with an id (scenarios, steps, tags, Examples rows), by id: how a pickle points back at them."""
    found: dict[str, Mapping[str, Any]] = {}

    def walk(node: Any) -> None:
        if isinstance(node, Mapping):
            if "id" in node and "location" in node:
                found[node["id"]] = node
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(feature)
    return found


def _tag(node: Mapping[str, Any]) -> Tag:
    return Tag(node["name"], node["location"]["line"])


def _step(node: Mapping[str, Any], pickled: Mapping[str, Any]) -> GherkinStep:
    table = pickled.get("argument", {}).get("dataTable", {})
    return GherkinStep(node["keyword"], pickled["text"], node["location"]["line"],
                       [[c["value"] for c in row["cells"]] for row in table.get("rows", [])])


# -- the two together ---------------------------------------------------------------------------------------------

def step_results(scenario: GherkinScenario, record: ExecutionRecord,
                 outcomes: list[StepOutcome] | None) -> list[tuple[GherkinStep, StepOutcome]]:
    """Each step of the variant with how it ended in this execution. Steps an execution did not reach are skipped.
    Without the steps' own log (an execution a resumed run finished before it was resumed) the record says it: a
    passed execution passed every step; a failed one, those before its failed step."""
    if outcomes is not None:
        by_line = {o.line: o for o in outcomes}
        return [(s, by_line.get(s.line, StepOutcome(s.line, StepStatus.SKIPPED))) for s in scenario.steps]
    found: list[tuple[GherkinStep, StepOutcome]] = []
    reached = record.outcome in (Outcome.PASSED, Outcome.FAILED)
    for step in scenario.steps:
        failed = (reached and record.outcome is Outcome.FAILED
                  and record.failed_step == f"{step.keyword.strip()} {step.text}")
        status = StepStatus.FAILED if failed else StepStatus.PASSED if reached else StepStatus.SKIPPED
        found.append((step, StepOutcome(step.line, status, error=record.error if failed else None)))
        reached = reached and not failed
    return found
