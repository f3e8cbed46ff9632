"""Evidence with substance: the documents people record for the decisions only a document shows, the waivers they
record for criteria dit judges, and what dit verified of each execution's evidence files.

- Decisions: the entry gate (DIT.EN.1-6), the device selection (DIT.7) and the DCC test assurance board's approval
  and certificate (DIT.EX.11, DIT.EX.12) are met only by a person's record, and that record counts only with a
  document: an http(s) URL, or a file whose SHA-256 (taken when it was recorded) still matches.
- Every other criterion and requirement dit judges from the phase's records (tests, executions and their evidence
  files, issues, the HAN captures `dit run` analysed). A person's record never changes such a verdict: it can only
  waive it (status `waived`, with the document that approves the deviation); the verdict keeps its own status, the
  waiver is listed with it and among the report's deviations.
- Automated evidence (`dit run`'s, `automated`, with the run it came from) and people's records are kept apart:
  neither is read as the other.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from harness.criteria.verdict import MET, Verdict
from harness.errors import DitError
from harness.ledger import CriterionEvidence, ExecutionRecord

WAIVED = "waived"
ENTRY_IDS = tuple(f"DIT.EN.{n}" for n in range(1, 7))
BOARD = ("DIT.EX.11", "DIT.EX.12")               # the board's own: its approval of the report, its certificate
DECISIONS = (*ENTRY_IDS, "DIT.7", *BOARD)
_URL = re.compile(r"https?://[^\s/?#]+\S*", re.IGNORECASE)


def decided(criterion: str) -> bool:
    """Whether only a person's record can show the criterion (else dit judges it from the records)."""
    return criterion in DECISIONS


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def document(reference: str) -> tuple[str, str | None]:
    """What `dit evidence record --reference` keeps: an http(s) URL as given, or an existing file as its absolute
    path with its SHA-256."""
    text = reference.strip()
    if _URL.fullmatch(text):
        return text, None
    path = Path(text).expanduser()
    if path.is_file():
        try:
            return str(path.resolve()), sha256_of(path)
        except OSError as exc:
            raise DitError(f"--reference {reference!r} cannot be read: {exc.strerror}",
                           fix="give a file you can read, or the document's URL") from None
    raise DitError(f"--reference {reference!r} is neither an existing file nor an http(s) URL",
                   fix="give the document's path (its SHA-256 is recorded with it) or its http(s) URL")


def check_status(criterion: str, status: str) -> None:
    """A decision is recorded met, workaround or not met; a criterion dit judges can only be waived."""
    if decided(criterion) and status == WAIVED:
        raise DitError(f"{criterion} is a decision its document shows: it is recorded, not waived",
                       fix="give --status met, workaround or not_met with the document")
    if not decided(criterion) and status != WAIVED:
        raise DitError(f"{criterion} is judged by dit from the phase's records: a person's record cannot make it "
                       f"{status.replace('_', ' ')}", fix=f"record a deviation the board approved: dit evidence record "
                                                           f"{criterion} --status waived --reference DOCUMENT")


@dataclass(frozen=True)
class Document:
    """A person's record and whether its document holds up now."""

    record: CriterionEvidence
    problem: str | None             # None: a URL, or a file whose SHA-256 still matches

    @property
    def state(self) -> str:
        """For listings: url, matches, or what is wrong in a word (changed, missing, unverifiable)."""
        if self.problem is None:
            return "matches" if self.record.sha256 else "url"
        return "changed" if "changed" in self.problem else "missing" if "gone" in self.problem else "unverifiable"

    def cite(self) -> str:
        r = self.record
        digest = f", SHA-256 {r.sha256[:12]}…" if r.sha256 else ""
        flag = f" -- {self.problem}" if self.problem else ""
        return f"{r.reference} ({r.recorded_by}, {r.recorded_at[:10]}{digest}){flag}"


def examine(record: CriterionEvidence) -> Document:
    reference = record.reference.strip()
    if record.sha256 is None:
        if _URL.fullmatch(reference):
            return Document(record, None)
        if Path(reference).is_file():
            return Document(record, "a file recorded without its SHA-256: record it again (dit evidence record)")
        return Document(record, "not a document (neither a file nor an http(s) URL): record it again with one")
    path = Path(reference)
    try:
        now = sha256_of(path)
    except OSError:
        return Document(record, f"the document is gone from {reference}")
    if now != record.sha256:
        return Document(record, f"the document changed since it was recorded (SHA-256 now {now[:12]}…)")
    return Document(record, None)


def _people(evidence: Iterable[CriterionEvidence], criterion: str) -> list[CriterionEvidence]:
    return [e for e in evidence if e.criterion == criterion and not e.automated]


def decision(evidence: Iterable[CriterionEvidence], criterion: str) -> Document | None:
    """The latest record of a decision (a waiver is none)."""
    found = [e for e in _people(evidence, criterion) if e.status != WAIVED]
    return examine(found[-1]) if found else None


def waiver(evidence: Iterable[CriterionEvidence], criterion: str) -> Document | None:
    """The latest waiver of a criterion dit judges, if its document holds up."""
    found = [examine(e) for e in _people(evidence, criterion) if e.status == WAIVED]
    return found[-1] if found else None


def not_counted(evidence: Iterable[CriterionEvidence], criterion: str) -> list[str]:
    """People's records that claim a status for a criterion dit judges (an older dit took them): said, not counted."""
    return [f"not counted: {e.status.replace('_', ' ')} recorded by {e.recorded_by} ({e.reference}); dit judges "
            f"{criterion} from the records, a person's record can only waive it"
            for e in _people(evidence, criterion) if e.status != WAIVED]


def with_records(verdict: Verdict, evidence: Iterable[CriterionEvidence]) -> Verdict:
    """A verdict dit judged, with what people recorded for it: its waiver, when it is not met and the waiver's
    document holds up (the status stays as judged); records that claim a status, said and not counted."""
    waived = waiver(evidence, verdict.id)
    said = not_counted(evidence, verdict.id)
    if waived is not None and verdict.status != MET:
        if waived.problem is None:
            return replace(verdict, waiver=waived.cite(), details=[f"waived: {waived.cite()}", *verdict.details, *said])
        said.append(f"waiver not counted: {waived.cite()}")
    return replace(verdict, details=[*verdict.details, *said]) if said else verdict


# -- what dit verified of an execution's evidence files ---------------------------------------------------------

@dataclass(frozen=True)
class FolderCheck:
    """An execution's evidence folder as verified (harness.run.evidence_check): how many files of each kind hold
    up, and one line per file that does not or is missing."""

    verified: dict[str, int]            # DUIS, MMC, GBCS, HAN, console, other -> files that verified
    problems: Sequence[str] = ()        # "<file>: what is wrong"
    signatures: int = 0                 # DUIS and GBCS signatures and MACs verified with the run's keystore


# Given the executions that count (each completed test's latest), what their evidence folders hold up to, by id.
Verifier = Callable[[list[ExecutionRecord]], dict[int, FolderCheck]]
