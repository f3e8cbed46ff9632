"""The report as a document a board signs (ISO/IEC/IEEE 29119-3, test completion report): its identification
(ID, version, author, date, distribution), the lessons the lab lead learned, and the deliverables it rests on
with links to them."""

from __future__ import annotations

import datetime as dt
import getpass
import os
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from harness.errors import DitError

DEFAULT_DISTRIBUTION = ("DCC test assurance board", "DIT test lead")
# What a run writes (harness.cli.run: --dit-report-dir, --dit-junitxml, --dit-cucumberjson, --alluredir); --junitxml
# is pytest's own, which runs of earlier releases wrote.
_RUN_OUTPUTS = (("--dit-junitxml=", "JUnit XML", "the test results for CI (a suite per family, a test per scenario "
                                                 "on a target, the failed step and its evidence)"),
                ("--junitxml=", "JUnit XML", "the test results for CI (one testcase per scenario on a target)"),
                ("--dit-cucumberjson=", "Cucumber JSON", "the results for Jira Xray or ALM to import (every tag, "
                                                         "@TEST_ keys)"),
                ("--alluredir=", "Allure results", "Allure's results: steps, attachments (allure generate)"))


@dataclass(frozen=True)
class ReportDocument:
    """What the person issuing the report says about it: `dit report --author --distribution --version-label
    --lessons`."""

    author: str = ""
    distribution: Sequence[str] = DEFAULT_DISTRIBUTION
    version: str = "draft"
    lessons: Sequence[str] = field(default_factory=tuple)
    lessons_from: str = ""              # the file they came from


def read_lessons(path: Path) -> list[str]:
    """The lab lead's lessons learned: a text file, one lesson per paragraph or per list item ('- ', '* ')."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DitError("no such file", where=str(path), fix="give --lessons a text file, one lesson per line") from None
    except UnicodeDecodeError:
        raise DitError("not UTF-8 text", where=str(path), fix="save the lessons learned as UTF-8 text") from None
    except OSError as exc:
        raise DitError(f"cannot read it: {exc.strerror}", where=str(path)) from None
    lessons: list[str] = []
    paragraph: list[str] = []
    for line in [*text.splitlines(), ""]:
        stripped = line.strip()
        item = re.match(r"^[-*•]\s+(.*)$", stripped)
        if not stripped or item or stripped.startswith("#"):
            if paragraph:
                lessons.append(" ".join(paragraph))
                paragraph = []
            if item:
                paragraph = [item.group(1)]
            continue
        paragraph.append(stripped)
    if not lessons:
        raise DitError("holds no lesson", where=str(path), fix="write one lesson per paragraph or '- ' item")
    return lessons


def report_id(assessment: Mapping) -> str:
    """The phase, the runs the report covers and the day it judges: DIT-TCR-<phase>-R<first>-<last>-<as of>. The
    same ledger read on the same day gives the same ID; a later run or day gives another."""
    phase = assessment["phase"]
    name = re.sub(r"[^A-Za-z0-9.]+", "-", phase["name"]).strip("-") or "DIT"
    runs = [r["id"] for r in phase["runs"]]
    span = "R0" if not runs else f"R{min(runs)}" if min(runs) == max(runs) else f"R{min(runs)}-{max(runs)}"
    return f"{name}-TCR-{span}-{phase['as_of'].replace('-', '')}"


def identification(assessment: Mapping, document: ReportDocument | None = None) -> dict:
    document = document or ReportDocument()
    return {"id": report_id(assessment), "version": document.version,
            "author": document.author or _user(), "date": (assessment.get("generated") or "")[:10]
            or dt.date.today().isoformat(), "distribution": list(document.distribution),
            "lessons": list(document.lessons), "lessons_from": document.lessons_from}


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):            # no user name in the environment or passwd (a container)
        return "unknown"


def deliverables(assessment: Mapping, out_dir: Path, pdf: bool = True) -> list[dict]:
    """What the report rests on and where it is: the report's own files, the ledger, and what each run wrote in its
    report directory (JUnit, Allure results, the evidence folders). Paths a run recorded relative to where dit ran
    are taken from the working directory, as the evidence check takes them; each is linked relative to the report
    so that the folder can move as a whole, and marked when it is not there."""
    out_dir = out_dir.resolve()
    own = [("Completion report (HTML)", "report.html", "this report, as a web page"),
           *([("Completion report (PDF)", "report.pdf", "this report, as the board prints and signs it")] if pdf
             else []),
           ("Assessment (summary.json)", "summary.json", "every criterion, test and figure of this report as JSON")]
    # Written with this report: there once it is.
    found: list[dict] = [{**_item(what, out_dir / name, about, out_dir), "exists": True} for what, name, about in own]
    ledger = assessment["phase"]["ledger"]
    if "://" in ledger:
        found.append({"what": "Phase ledger", "path": ledger, "href": None, "exists": True,
                      "about": "the database every figure here is judged from"})
    elif ledger:
        found.append(_item("Phase ledger (SQLite)", Path(ledger), "the database every figure here is judged from",
                           out_dir))
    seen: set[Path] = set()
    for run in assessment["phase"]["runs"]:
        argv = run.get("argv") or []
        for prefix, what, about in _RUN_OUTPUTS:
            value = next((a[len(prefix):] for a in argv if a.startswith(prefix)), None)
            if value is None or Path(value).resolve() in seen:
                continue
            seen.add(Path(value).resolve())
            found.append(_item(f"{what}, run {run['id']}", Path(value), about, out_dir))
    # Each folder resolved once (a phase has thousands, resolving is a system call per path component).
    parents = Counter(Path(t["evidence"]).resolve().parent for t in assessment["tests"] if t.get("evidence"))
    for parent, count in sorted(parents.items()):
        found.append(_item("Evidence folders", parent, f"one sealed folder per execution the results rest on "
                                                       f"({count}): DUIS, GBCS, HAN capture, console", out_dir))
    return found


def _item(what: str, path: Path, about: str, out_dir: Path) -> dict:
    absolute = path.resolve()
    try:
        href = os.path.relpath(absolute, out_dir)
    except ValueError:                      # another drive (Windows): only an absolute link reaches it
        href = absolute.as_uri()
    href = href.replace(os.sep, "/") + ("/" if absolute.is_dir() else "")
    return {"what": what, "path": str(absolute), "href": href, "exists": absolute.exists(), "about": about}
