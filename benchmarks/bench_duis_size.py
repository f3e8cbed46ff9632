"""Peak memory of `dit duis sign` and `dit duis check` on large DUIS documents (issue 15, item 13).

Run:  .venv/bin/python benchmarks/bench_duis_size.py [--mb 1 5 50]
Builds an 8.9 request padded with N MB of small elements (the worst case for a tree: many nodes per byte)
and of one long text value, runs each command in its own process and prints its exit code, first line of
output, wall time and peak resident memory (the child's own ru_maxrss).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DIT = [sys.executable, "-m", "harness.cli"]


def write_padded(path: Path, kind: str, megabytes: float) -> None:
    """The padded document, written by a child: the parent stays small, because a child's peak RSS counts
    the pages it had from the parent before its exec."""
    head = subprocess.run([*DIT, "duis", "example", "8.9"], capture_output=True, check=True).stdout
    size = int(megabytes * 1024 * 1024)
    filler = f"b'<a>1</a>' * ({size} // 8)" if kind == "elements" else f"b'<a>' + b'x' * {size} + b'</a>'"
    code = (f"import sys; head = sys.stdin.buffer.read(); open({str(path)!r}, 'wb').write(head.replace("
            f"b'<sr:ReadDeviceLog/>', b'<sr:ReadDeviceLog>' + {filler} + b'</sr:ReadDeviceLog>'))")
    subprocess.run([sys.executable, "-c", code], input=head, check=True)


def run(command: list[str]) -> tuple[int, str, float, float]:
    """Exit code, first line of output, seconds and peak RSS (MB) of this one child (os.wait4's rusage)."""
    with tempfile.TemporaryFile() as out:
        started = time.perf_counter()
        child = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        lines = out.read().decode(errors="replace").strip().splitlines()
    return child.returncode, (lines[0] if lines else "")[:150], seconds, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=float, nargs="*", default=[1, 5, 50])
    args = parser.parse_args()
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs")
    with tempfile.TemporaryDirectory() as folder:
        for megabytes in sorted(args.mb):
            for kind in ("elements", "text"):
                path = Path(folder) / f"{kind}-{megabytes:g}MB.xml"
                write_padded(path, kind, megabytes)
                for verb, extra in (("sign", ["--out", str(path) + ".signed"]), ("check", [])):
                    code, line, seconds, peak = run([*DIT, "duis", verb, str(path), *extra])
                    print(f"{verb:5} {megabytes:>5g} MB of {kind:8}: exit {code}, {seconds:6.2f} s, "
                          f"peak {peak:7.0f} MB  {line}")


if __name__ == "__main__":
    main()
