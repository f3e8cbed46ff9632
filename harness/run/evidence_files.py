"""Evidence files under <report-dir>/evidence/<scenario>@<baseline>-<test set>/: every step's DUIS and GBCS messages
as the steps gather them, and what the bench saw beside them -- the HAN as sniffers on every channel captured it
(han.pcap), every serial console's transcript (console-<device>.txt) and the bench operator's answers (operator.json
with any photo or file they gave); the certificates they verify with go to
<report-dir>/keystore/ (`dit gbcs decode --keystore`, `dit duis check --keystore`). Written in the process that
runs the scenario; a test run again starts from an empty folder, and when its execution ends the folder is sealed:
SHA256SUMS lists every file it wrote with its digest (`sha256sum -c SHA256SUMS`), so what it held can be shown to be
complete and unchanged (harness.run.evidence_check, DIT.EX.8)."""

from __future__ import annotations

import hashlib
import os
import re
from collections import deque
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from harness.han import capture
from harness.han.capture import CapturedFrame, Record
from harness.lab import operator
from harness.lab.operator import OperatorAnswer
from harness.ledger import ExecutionRecord
from harness.pki import Credential
from harness.pki.keystore import write as write_keystore

if TYPE_CHECKING:       # an xdist controller imports this module, and needs no DCC User (plugin.runs_scenarios)
    from harness.adapters.service_user import Evidence
    from harness.han.analysis import Analysis

MANIFEST = "SHA256SUMS"
CACHE = "VERIFIED.json"                 # evidence_check's: what verifying the sealed files found
UNSEALED = (MANIFEST, CACHE)            # the seal and that: not evidence themselves
SUFFIX = {"duis": "xml", "mmc": "mmc.xml", "gbcs": "hex", "json": "json"}


class BenchEvidence(Protocol):
    """What a lab, emulated or real, keeps of a scenario beside its steps' messages."""

    def han_capture(self) -> list[CapturedFrame]: ...

    def console_transcripts(self) -> dict[str, list[str]]: ...

    def evidence_credentials(self) -> list[Credential]: ...

    def operator_answers(self) -> list[OperatorAnswer]: ...


@runtime_checkable
class PackedHan(Protocol):
    """A lab whose sniffers keep their frames packed, every one heard with a good FCS at one RSSI and LQI (the
    emulated HAN): its han.pcap is written from those records, without a CapturedFrame a frame."""

    def han_records(self) -> tuple[list[Record], float, int]: ...


def step_name(number: int, label: str) -> str:
    """A step's piece of evidence, numbered in the order the scenario gathered it (file and Allure attachment)."""
    return f"{number:03d} {label}"


def content(item: Evidence) -> bytes:
    """GBCS as the hex `dit gbcs decode` reads; DUIS and MMC as their XML."""
    return item.data.hex().upper().encode() if item.kind == "gbcs" else item.data


class EvidenceFiles:
    """The run's report directory, as evidence goes in it."""

    def __init__(self, report_dir: Path):
        self.report_dir = report_dir
        # the folders of executions this process runs (a test runs once a run), made and emptied once
        self._folders: dict[tuple[str, str | None, str | None, str | None], Path] = {}
        self._digests: dict[Path, dict[str, str]] = {}      # by folder: the SHA-256 of each step file written there

    def folder(self, record: ExecutionRecord) -> Path:
        """The test's folder (scenario, target, cast), emptied of what an earlier execution of it left the first
        time this execution asks."""
        test = (record.scenario_id, record.baseline, record.test_set, record.cast)
        path = self._folders.get(test)
        if path is None:
            where = f"@{record.baseline}-{record.test_set}" if record.baseline else ""
            cast = "~" + re.sub(r"[^A-Za-z0-9.]+", "-", record.cast).strip("-") if record.cast else ""
            path = self._folders[test] = (self.report_dir / "evidence"
                                          / (record.scenario_id.replace("/", "__") + where + cast))
            if path.is_dir():
                for stale in path.iterdir():
                    if stale.is_file():
                        stale.unlink()
            path.mkdir(parents=True, exist_ok=True)
            self._digests[path] = {}
        return path

    def keep_step(self, folder: Path, number: int, label: str, item: Evidence) -> None:
        """A step's piece of evidence, its digest kept for the seal (the file is not read back)."""
        data = content(item)
        path = step_file(folder, number, label, item)
        _write(path, data)
        self._digests.setdefault(folder, {})[os.path.basename(path)] = hashlib.sha256(data).hexdigest()

    def keep_bench(self, folder: Path, lab: BenchEvidence, han: Analysis | None = None) -> bool:
        """keep_bench(), the seal reading back only what was not written as a step's evidence. The execution has
        ended: its folder is no longer held (a serial matrix held 1,315 of them to its end)."""
        self._folders = {test: path for test, path in self._folders.items() if path != folder}
        return keep_bench(folder, lab, self._digests.pop(folder, {}), han)

    def keep_keystore(self, lab: BenchEvidence) -> None:
        """Every key a party had, so messages from before and after a device rekey both verify offline."""
        write_keystore(self.report_dir / "keystore", lab.evidence_credentials())


def step_file(folder: Path, number: int, label: str, item: Evidence) -> str:
    """Where a step's piece of evidence is kept in the execution's folder. A text, not a Path: pathlib interns each
    part of a path it makes, and a run's tens of thousands of file names, each interned and freed, grew the
    interpreter's table of interned texts (3.8 MB more for the rest of the run, once 42,000 have come and gone)."""
    name = re.sub(r"[^A-Za-z0-9.]+", "-", step_name(number, label))
    return os.path.join(folder, f"{name}.{SUFFIX.get(item.kind, 'txt')}")


def _write(path: str, data: bytes) -> None:
    """The file's bytes in one write, without a buffered file object (a run writes tens of thousands)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
    except OSError as exc:          # named, as open's are: a refusal says which file (and is the disk's, run_end)
        raise OSError(exc.errno, exc.strerror, path) from None
    finally:
        os.close(fd)


def keep_bench(folder: Path, lab: BenchEvidence, digests: Mapping[str, str] | None = None,
               han: Analysis | None = None) -> bool:
    """The HAN capture and the console transcripts, the last of an execution's evidence; then the folder is sealed
    (digests: what is known of files already in it, by name). Whether there was any bench evidence. han, when
    given, is fed a packed capture's frames as han.pcap holds them while it is written (no reading it back)."""
    frames = _keep_han(folder / "han.pcap", lab, han)
    transcripts, answers = lab.console_transcripts(), operator.evidence(lab.operator_answers())
    for name, lines in transcripts.items():
        (folder / f"console-{re.sub(r'[^A-Za-z0-9]+', '-', name)}.txt").write_text("\n".join(lines) + "\n")
    for name, data in answers.items():
        (folder / name).write_bytes(data)
    seal(folder, digests)
    return bool(frames or transcripts or answers)


def _keep_han(path: Path, lab: BenchEvidence, han: Analysis | None) -> bool:
    """han.pcap when the sniffers captured anything; whether they did."""
    if isinstance(lab, PackedHan):
        records, rssi, lqi = lab.han_records()
        if records:
            written = capture.written_records(path, records, rssi=rssi, lqi=lqi)
            if han is None:
                deque(written, maxlen=0)
            else:
                han.add_records(written)
        return bool(records)
    frames = lab.han_capture()
    if frames:
        capture.write_pcap(path, frames)
    return bool(frames)


def seal(folder: Path, digests: Mapping[str, str] | None = None) -> None:
    """SHA256SUMS: every file of the execution's evidence with its SHA-256, in the form `sha256sum -c` reads; a file
    whose digest was taken as it was written (digests, by name) is not read again."""
    known = digests or {}
    with os.scandir(folder) as entries:        # a file's type from the directory listing: no stat a file
        names = sorted(entry.name for entry in entries if entry.is_file() and entry.name not in UNSEALED)
    lines = [f"{known.get(name) or hashlib.sha256((folder / name).read_bytes()).hexdigest()}  {name}\n"
             for name in names]
    if lines:                   # a scenario that kept nothing (blocked before its first step) has nothing to seal
        (folder / MANIFEST).write_text("".join(lines))
