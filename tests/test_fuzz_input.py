"""Hostile input fuzzed through the CLI a user runs (issue 15): lab YAML (`dit lab check`), DUIS documents
(`dit duis check`) and GBCS messages (`dit gbcs decode`). Whatever the bytes, the command answers with an
exit code of 0, 1 or 2 and, when it fails, one line per file; never a traceback, never an exception out of
`main`, and within a memory bound (tracemalloc's peak, which does not depend on machine load). Time is
bounded by Hypothesis's deadline, set far above what any one of these small inputs needs."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import tracemalloc
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from harness import cli
from harness.catalogue import DeviceType
from harness.duis import requests, xml
from harness.duis.request_id import RequestId
from harness.eui import EntityId
from harness.lab.config import DEFAULT
from harness.usecases import DuisRequest, transform

SUPPLIER = EntityId("90-B3-D5-1F-30-01-00-00")
ESME = EntityId("00-DB-12-34-56-78-90-A0")
MEMORY_BOUND = 64 * 1024 * 1024
FUZZ = settings(max_examples=120, deadline=dt.timedelta(seconds=10), derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

# The shipped lab, its asset library named by absolute path so that the copy checks from anywhere.
LAB_YAML = Path(DEFAULT).read_bytes().replace(b"dal/emulated.yaml",
                                              str(Path(DEFAULT).parent / "dal/emulated.yaml").encode())
DUIS = xml.serialize(requests.build("8.11", RequestId(SUPPLIER, EntityId("00-DB-12-34-56-78-90-A2"), 1000),
                                    device_id=ESME, install_code="00112233445566778899AABBCCDDEEFF"))
GBCS = transform(DuisRequest.of(requests.build("4.13", RequestId(SUPPLIER, ESME, 1000))),
                 device_type=DeviceType.ESME, now=dt.datetime(2026, 1, 1, tzinfo=dt.UTC)).apdu.encode()


def _mutated(seed: bytes) -> st.SearchStrategy[bytes]:
    """The seed cut, with bytes flipped, or with random bytes or text spliced in: mostly almost-valid input,
    which reaches further into a reader than noise does."""
    def splice(cut: int, end: int, middle: bytes) -> bytes:
        return seed[:cut % (len(seed) + 1)] + middle + seed[max(cut % (len(seed) + 1), end % (len(seed) + 1)):]

    def flip(positions: list[int]) -> bytes:
        out = bytearray(seed)
        for position in positions:
            out[position % len(out)] ^= 1 << (position % 8)
        return bytes(out)

    return st.one_of(
        st.binary(max_size=2048),
        st.builds(splice, st.integers(0, 1 << 16), st.integers(0, 1 << 16), st.binary(max_size=64)),
        st.builds(splice, st.integers(0, 1 << 16), st.integers(0, 1 << 16),
                  st.text(max_size=64).map(lambda t: t.encode("utf-8", "surrogatepass"))),
        st.builds(flip, st.lists(st.integers(0, 1 << 20), min_size=1, max_size=8)),
    )


def _run(argv: list[str]) -> tuple[int, list[str], int]:
    """`dit argv` in this process: exit code, the non-empty lines it wrote, and its peak traced memory."""
    out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    err = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    tracemalloc.start()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = cli.main(argv)
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    lines = []
    for stream in (out, err):
        stream.flush()
        lines += [line for line in stream.buffer.getvalue().decode("utf-8", "replace").splitlines() if line.strip()]
    return code, lines, peak


def _one_answer(tmp_path: Path, name: str, data: bytes, *argv: str) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    code, lines, peak = _run([*argv, str(path)])
    assert code in (0, 1, 2), (code, lines)
    assert not any("Traceback" in line for line in lines), lines
    assert peak < MEMORY_BOUND, f"{peak:,} bytes traced"
    if code:
        failures = [line for line in lines if str(path) in line or line.startswith("dit: error:")]
        assert failures, lines                      # it says which file, or what was wrong with the command
        return failures


@settings(FUZZ, max_examples=60)              # a lab check reads the asset library too: ~0.2 s an example
@given(_mutated(LAB_YAML))
def test_any_lab_yaml_is_checked_in_lines_never_a_traceback(tmp_path, data):
    _one_answer(tmp_path, "lab.yaml", data, "lab", "check", "--offline")


@FUZZ
@given(st.binary(max_size=512))
def test_lab_yaml_that_is_not_yaml_is_one_line(tmp_path, data):
    failures = _one_answer(tmp_path, "noise.yaml", b"name: [" + data, "lab", "check", "--offline")
    assert failures and len(failures) == 1, failures


@FUZZ
@given(_mutated(DUIS))
def test_any_duis_document_is_one_line(tmp_path, data):
    path = tmp_path / "request.xml"
    path.write_bytes(data)
    code, lines, peak = _run(["duis", "check", str(path)])
    assert code in (0, 1, 2) and peak < MEMORY_BOUND, (code, lines, peak)
    assert len(lines) == 1 and not lines[0].startswith("Traceback"), lines


@FUZZ
@given(_mutated(GBCS))
def test_any_gbcs_message_is_one_line(tmp_path, data):
    for name, body in (("message.bin", data), ("message.hex", data.hex().encode())):
        path = tmp_path / name
        path.write_bytes(body)
        code, lines, peak = _run(["gbcs", "decode", str(path)])
        assert code in (0, 1, 2) and peak < MEMORY_BOUND, (code, lines, peak)
        assert lines and not any("Traceback" in line for line in lines), lines
        if code:
            assert len(lines) == 1, lines


def test_the_seeds_are_valid_input(tmp_path):
    """Mutations start from input the commands accept, so they exercise more than the first check."""
    for name, data, argv in (("lab.yaml", LAB_YAML, ["lab", "check", "--offline"]),
                             ("request.xml", DUIS, ["duis", "check"]), ("message.bin", GBCS, ["gbcs", "decode"])):
        path = tmp_path / name
        path.write_bytes(data)
        code, lines, _ = _run([*argv, str(path)])
        assert code == 0, lines


@pytest.mark.parametrize("argv", [["lab", "check", "--offline"], ["duis", "check"], ["gbcs", "decode"]])
def test_a_file_that_is_not_there_is_one_line(tmp_path, argv):
    code, lines, _ = _run([*argv, str(tmp_path / "nope")])
    assert code == 2 and len(lines) == 1 and "nope" in lines[0], lines
