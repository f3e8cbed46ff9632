"""The HAN evidence step of a run, on that run's captures: each execution's han.pcap written again from its records
and analysed for DIT.8/DIT.11 as it is written (what evidence_files does with the lab's packed frame records),
timed in CPU seconds, best of --repeat. Each capture written again must be the same bytes as the one the run
wrote, else the script says which and exits 1: the figures are of the code as it is.

    .venv/bin/python benchmarks/bench_han_evidence.py reports/evidence [--repeat 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from harness.emulators.han import FrameLog
from harness.han import analysis, capture


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("evidence", type=Path, help="a run's evidence folder (reports/evidence after `dit run`)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    paths = sorted(args.evidence.glob("*/han.pcap"))
    if not paths:
        print(f"no */han.pcap under {args.evidence}: give the evidence folder of a `dit run`", file=sys.stderr)
        return 2
    captures = [(path, list(capture.records(path))) for path in paths]
    frames = sum(len(records) for _, records in captures)
    best: dict[Path, float] = {}
    with tempfile.TemporaryDirectory() as folder:
        again = Path(folder) / "han.pcap"
        for _ in range(args.repeat):
            for path, records in captures:
                start = time.process_time()
                analysis.Analysis().add_records(
                    capture.written_records(again, records, rssi=FrameLog.RSSI, lqi=FrameLog.LQI)).figures()
                spent = time.process_time() - start
                best[path] = min(best.get(path, spent), spent)
                if again.read_bytes() != path.read_bytes():
                    print(f"{path} written again differs from the run's: the writer changed its bytes", file=sys.stderr)
                    return 1
    total, size = sum(best.values()), sum(path.stat().st_size for path in paths)
    per_capture = [seconds * 1000 for seconds in best.values()]
    print(f"{len(paths)} captures, {frames:,} frames, {size / 1e6:.1f} MB, each written again byte for byte")
    print(f"HAN evidence (write + DIT.8/DIT.11 figures): {total:.3f} s CPU, {total / frames * 1e6:.2f} us a frame; "
          f"per capture median {statistics.median(per_capture):.1f} ms, max {max(per_capture):.1f} ms "
          f"(best of {args.repeat})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
