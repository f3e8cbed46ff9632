"""An execution's evidence folder read back and verified, for DIT.EX.8 ("test results documented and evidence
captured"): what evidence_files wrote and sealed (SHA256SUMS) is still all there and unchanged, and every file is what
it says -- DUIS documents parse and their XML signatures verify, MMC documents parse, GBCS messages decode (framing and
payload) with their signatures and MACs verifying, the HAN capture reads. A device other than the hub that took part
(it answered, alerted or joined) did so over a HAN, so the capture must be there too. Signatures and MACs are checked
with the keys of the run's keystore (<report-dir>/keystore), where it is.

Decoding and verifying a matrix's 50,000 files takes a while (about 45 ms of CPU per execution), so the first report
that reads a folder keeps what it found beside the seal (VERIFIED.json), on every core when many folders are new
(`verify_all`). A later report checks every file against its digest (quick) and reuses what was found for that seal:
the keystore only grows, and more keys never make a verified file fail, so a clean result stays good while the keys
it used are still there; one with problems is looked at again once the keystore holds more. (Verifying in the run,
as each execution is sealed, costs the run a third more CPU; the report is where it is needed.)
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from collections import Counter
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from harness.criteria.evidence import FolderCheck
from harness.errors import DitError
from harness.ledger import ExecutionRecord
from harness.run.evidence_files import CACHE, MANIFEST, UNSEALED

# What reads the files (DUIS, GBCS, the HAN capture, the keys) is imported when a file is to be read: a report on
# evidence verified before, or kept elsewhere, needs none of it (0.1 s of each `dit report` process).
if TYPE_CHECKING:
    from harness.pki import Keystore

DUIS, MMC, GBCS, HAN, CONSOLE, OTHER = "DUIS", "MMC", "GBCS", "HAN", "console", "other"
HUB_ROLES = ("CHF", "GPF")              # in the Communications Hub: what they do crosses no HAN
MANY = 16                               # new folders worth verifying on every core


def kind_of(name: str) -> str:
    if name.endswith(".mmc.xml"):
        return MMC
    if name.endswith(".xml"):
        return DUIS
    if name.endswith(".hex"):
        return GBCS
    if name == "han.pcap":
        return HAN
    return CONSOLE if name.startswith("console-") else OTHER


@dataclass
class _Content:
    """What the files' contents showed, with the keystore files it verified with."""

    verified: Counter[str] = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)
    signatures: int = 0
    keys: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Keys:
    keystore: Keystore | None
    names: frozenset[str]


def verify(execution: ExecutionRecord) -> FolderCheck:
    """The execution's folder: complete and unchanged as sealed, and each file verifying."""
    folder = Path(execution.evidence or "")
    if not execution.evidence or not folder.is_dir():
        return FolderCheck({}, (f"the evidence folder {folder} is gone",))
    keys = _keystore(folder.parent.parent / "keystore")
    try:
        listed = _manifest(folder / MANIFEST)
    except OSError:
        names = sorted(p.name for p in folder.iterdir() if p.is_file() and p.name not in UNSEALED)
        unsealed = (f"{MANIFEST}: missing: the folder was never sealed (its execution stopped before its evidence "
                    "was complete, or an older dit wrote it)")
        return _check(execution, _verify_files(folder, names, keys), [unsealed], names)
    problems, present = [], []
    for name, digest in listed.items():
        try:
            with open(os.path.join(folder, name), "rb") as stream:     # os and open: a matrix has 50,000 files
                now = hashlib.sha256(stream.read()).hexdigest()
        except OSError:
            problems.append(f"{name}: missing")
            continue
        present.append(name)
        if now != digest:
            problems.append(f"{name}: changed since it was written (SHA-256 {now[:12]}…, sealed {digest[:12]}…)")
    if problems:            # what verifying found before no longer holds for every file: verify anew, keep nothing
        flagged = {p.split(": ")[0] for p in problems}      # a changed file is said once, as changed
        content = _verify_files(folder, present, keys)
        content.problems = [p for p in content.problems if p.split(": ")[0] not in flagged]
        return _check(execution, content, problems, present)
    return _check(execution, _found(folder, present, keys), [], present)


def verify_all(executions: Iterable[ExecutionRecord]) -> dict[int, FolderCheck]:
    """Each execution's folder by execution id (Phase.read's verify); the folders no report has verified yet are
    verified first, on every core when there are many."""
    executions = [e for e in executions if e.id is not None and e.evidence]
    new = [f for f in dict.fromkeys(Path(e.evidence or "") for e in executions) if _kept(f) is None]
    if len(new) >= MANY and (os.cpu_count() or 1) > 1:
        with ProcessPoolExecutor(os.cpu_count()) as pool:
            list(pool.map(warm, new, chunksize=4))
    return {e.id: verify(e) for e in executions if e.id is not None}


def warm(folder: Path) -> None:
    """Verify a sealed folder's files and keep what was found, unless that is kept already."""
    try:
        listed = _manifest(folder / MANIFEST)
    except OSError:
        return
    _found(folder, list(listed), _keystore(folder.parent.parent / "keystore"))


def _kept(folder: Path, keys: _Keys | None = None) -> _Content | None:
    """What verifying found before, if it still holds for the folder's seal and its keystore."""
    keys = keys or _keystore(folder.parent.parent / "keystore")
    try:
        seal = hashlib.sha256((folder / MANIFEST).read_bytes()).hexdigest()
        kept = json.loads((folder / CACHE).read_text())
        content = _Content(Counter(kept["verified"]), list(kept["problems"]), int(kept["signatures"]),
                           list(kept["keys"]))
        used = frozenset(content.keys)
        if kept["seal"] == seal and used <= keys.names and (not content.problems or used == keys.names):
            return content
    except (OSError, ValueError, KeyError, TypeError):
        pass
    return None


def _found(folder: Path, names: list[str], keys: _Keys) -> _Content:
    """What verifying the sealed files found: kept from before when it still holds, else found now and kept."""
    kept = _kept(folder, keys)
    if kept is not None:
        return kept
    seal = hashlib.sha256((folder / MANIFEST).read_bytes()).hexdigest()
    content = _verify_files(folder, names, keys)
    try:
        (folder / CACHE).write_text(json.dumps({"seal": seal, "keys": content.keys, "verified": content.verified,
                                                "problems": content.problems, "signatures": content.signatures}))
    except OSError:
        pass                    # evidence on a read-only copy: verified again next time
    return content


def _check(execution: ExecutionRecord, content: _Content, problems: list[str], names: list[str]) -> FolderCheck:
    """The seal's problems, the files', then what should be there and is not."""
    problems = [*problems, *content.problems]
    kinds = {kind_of(name) for name in names}
    if execution.service_requests and DUIS not in kinds:
        problems.append(f"no DUIS document, though the execution sent {execution.service_requests} service requests")
    over_the_han = sorted({p.asset for p in execution.participants if p.role.split()[-1] not in HUB_ROLES})
    if over_the_han and HAN not in kinds:
        problems.append(f"han.pcap: missing: {', '.join(over_the_han)} took part over a HAN no capture shows")
    return FolderCheck(dict(content.verified), tuple(problems), content.signatures)


def _manifest(path: Path) -> dict[str, str]:
    listed = {}
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        digest, _, name = line.partition("  ")
        if name:
            listed[name] = digest
    return listed


def _keystore(directory: Path) -> _Keys:
    try:
        changed = directory.stat().st_mtime_ns            # a file added to the keystore changes it
    except OSError:
        return _Keys(None, frozenset())
    return _loaded(directory, changed)


@functools.cache
def _loaded(directory: Path, changed: int) -> _Keys:
    from harness.pki import Keystore

    names = frozenset(p.name for p in directory.iterdir())
    try:
        return _Keys(Keystore.load(directory), names)
    except DitError:
        return _Keys(None, frozenset())


def _verify_files(folder: Path, names: list[str], keys: _Keys) -> _Content:
    content = _Content(keys=sorted(keys.names))
    for name in names:
        try:
            data = (folder / name).read_bytes()
        except OSError as exc:
            content.problems.append(f"{name}: cannot be read: {exc.strerror}")
            continue
        problem = _verify_file(name, data, folder / name, keys.keystore, content)
        if problem is None:
            content.verified[kind_of(name)] += 1
        else:
            content.problems.append(f"{name}: {problem}")
    return content


def _verify_file(name: str, data: bytes, path: Path, keystore: Keystore | None, content: _Content) -> str | None:
    """What is wrong with one file, or None."""
    from harness.duis import xml
    from harness.duis.check import check_document
    from harness.gbcs.decode import decode
    from harness.han import capture

    kind = kind_of(name)
    if kind == DUIS:
        checked = check_document(data, name, keystore=keystore)
        content.signatures += checked.signature == "valid"
        return checked.error
    if kind == MMC:
        try:
            xml.parse(data, name)
        except DitError as exc:
            return str(exc)
        return None
    if kind == GBCS:
        message = decode(data, keystore=keystore, file=name)
        if not message.ok:
            return message.error or f"signature {message.signature}, MAC {message.mac}"
        content.signatures += (message.signature == "valid") + (message.mac == "valid")
        return None
    if kind == HAN:
        try:
            frames = sum(1 for _ in capture.read(path))
        except DitError as exc:
            return str(exc)
        return None if frames else "no frames"
    if kind == CONSOLE:
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as exc:
            return f"not UTF-8 text at byte {exc.start}"
    return None
