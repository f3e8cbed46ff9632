"""Evidence files under <report-dir>/evidence/<scenario>@<baseline>-<test set>/: every step's DUIS and GBCS messages
as the steps gather them, and what the bench saw beside them -- the HAN as sniffers on every channel captured it
(han.pcap) and every serial console's transcript (console-<device>.txt); the certificates they verify with go to
<report-dir>/keystore/ (`dit gbcs decode --keystore`, `dit duis check --keystore`). Written in the process that
runs the scenario."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Protocol

from harness.adapters.service_user import Evidence
from harness.han import capture
from harness.han.capture import CapturedFrame
from harness.ledger import ExecutionRecord
from harness.pki import Credential
from harness.pki.keystore import write as write_keystore

SUFFIX = {"duis": "xml", "mmc": "mmc.xml", "gbcs": "hex"}


class BenchEvidence(Protocol):
    """What a lab, emulated or real, keeps of a scenario beside its steps' messages."""

    def han_capture(self) -> list[CapturedFrame]: ...

    def console_transcripts(self) -> dict[str, list[str]]: ...

    def evidence_credentials(self) -> list[Credential]: ...


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

    def folder(self, record: ExecutionRecord) -> Path:
        where = f"@{record.baseline}-{record.test_set}" if record.baseline else ""
        path = self.report_dir / "evidence" / (record.scenario_id.replace("/", "__") + where)
        path.mkdir(parents=True, exist_ok=True)
        return path

    def keep_keystore(self, lab: BenchEvidence) -> None:
        """Every key a party had, so messages from before and after a device rekey both verify offline."""
        write_keystore(self.report_dir / "keystore", lab.evidence_credentials())


def keep_step(folder: Path, number: int, label: str, item: Evidence) -> None:
    name = re.sub(r"[^A-Za-z0-9.]+", "-", step_name(number, label))
    (folder / f"{name}.{SUFFIX.get(item.kind, 'txt')}").write_bytes(content(item))


def keep_bench(folder: Path, lab: BenchEvidence) -> bool:
    """The HAN capture and the console transcripts; whether there was any."""
    frames, transcripts = lab.han_capture(), lab.console_transcripts()
    if frames:
        capture.write_pcap(folder / "han.pcap", frames)
    for name, lines in transcripts.items():
        (folder / f"console-{re.sub(r'[^A-Za-z0-9]+', '-', name)}.txt").write_text("\n".join(lines) + "\n")
    return bool(frames or transcripts)
