"""HAN capture reading on this machine: our read + decode of every frame against tshark on the same file.

Run:  .venv/bin/python benchmarks/bench_han_capture.py [--frames N] [--pcapng]
Writes an N-frame TAP capture (default 1,000,000: a HAN of a hub and four devices on 2.4 GHz and sub-GHz, data
frames with short addresses both ways, their MAC ACKs, some long-address commands and data), then prints frames
per second of (a) capture.read + mac.decode of every frame, (b) the whole analysis, (c) `dit han analyse --json`
as the command runs it (analysis and its JSON written) and (d) `tshark -T fields` of three fields, when tshark is
installed, with wall and CPU time and the ratio of (c) to (d) in the same run; and the peak memory of each (max RSS of
this process, and separately of child processes).
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import resource
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from harness.han import analysis, capture, mac
from harness.han.capture import CapturedFrame

PAN = 0x1A2B
HUB = 0x0000
DEVICES = [0x1234, 0x5678, 0x9ABC, 0xDEF0]
LONGS = [0x00DB123456789AA0, 0x00DB123456789AA1, 0x00DB123456789AA3]


def han_traffic(count: int, seed: int = 1) -> Iterator[CapturedFrame]:
    """count frames of a busy HAN: each data frame is acknowledged; one frame in twenty uses a long address."""
    rng = random.Random(seed)
    when, sequence, made = 1_700_000_000.0, 0, 0
    payloads = [rng.randbytes(size) for size in (12, 30, 45, 80, 100)]
    while made < count:
        when += rng.uniform(0.001, 0.05)
        sequence = (sequence + 1) & 0xFF
        channel, page = (15, 0) if rng.random() < 0.6 else (rng.choice([1, 2]), 28)
        device = rng.choice(DEVICES)
        if rng.random() < 0.05:
            mpdu = mac.encode(mac.COMMAND if rng.random() < 0.5 else mac.DATA, sequence, dst_pan=PAN, dst=HUB,
                              src=rng.choice(LONGS), src_long=True, ack_request=True, payload=b"\x04")
        else:
            dst, src = (HUB, device) if rng.random() < 0.5 else (device, HUB)
            mpdu = mac.encode(mac.DATA, sequence, dst_pan=PAN, dst=dst, src=src, ack_request=True,
                              payload=_nwk_aps(dst, src, sequence) + rng.choice(payloads))
        rssi = float(rng.randrange(-90, -40))
        yield CapturedFrame(when, mpdu, channel, page, True, rssi, 255)
        made += 1
        if made < count:
            yield CapturedFrame(when + 0.0006, mac.encode(mac.ACK, sequence), channel, page, True, rssi, 255)
            made += 1


def _nwk_aps(dst: int, src: int, sequence: int) -> bytes:
    """ZigBee NWK data header (version 2) and an APS data header (Tunneling cluster, Smart Energy profile)."""
    nwk = (2 << 2).to_bytes(2, "little") + dst.to_bytes(2, "little") + src.to_bytes(2, "little") + bytes([30, sequence])
    return nwk + bytes([0x40, 1, 0x04, 0x07, 0x09, 0x01, 1, sequence])


def analysed(path: Path) -> tuple[int, float]:
    """`dit han analyse`'s whole analysis: bands, messages, request/response pairing, duty cycle, channels."""
    start = time.perf_counter()
    result = analysis.Analysis().add_records(capture.records(path)).result()
    return result["frames"], time.perf_counter() - start


def analyse_json(path: Path, out: Path) -> tuple[int, float, float]:
    """`dit han analyse --json` as the command runs it after parsing its arguments: the analysis, its JSON form
    (channel changes listed up to the default cap, all counted) written to a file. Frames, wall s, CPU s."""
    from harness.cli.han import _han_results
    from harness.han.duty_cycle import Thresholds

    start, cpu = time.perf_counter(), time.process_time()
    results = _han_results([str(path)], Thresholds())
    with out.open("w", encoding="utf-8") as file:
        json.dump(results, file, indent=2)
    return results[0]["frames"], time.perf_counter() - start, time.process_time() - cpu


def fast_path(path: Path) -> tuple[int, float]:
    decode, frames, start = mac.decode, 0, time.perf_counter()
    for frame in capture.read(path):
        decode(frame.mpdu)
        frames += 1
    return frames, time.perf_counter() - start


def tshark(path: Path, binary: str) -> tuple[int, float, float | None, float]:
    """Frames, seconds, tshark's own peak RSS in MiB and its CPU seconds: the memory measured by /usr/bin/time
    when it is there, since this process's rusage of children counts the memory a child had before exec (our own,
    at fork)."""
    timer = ["/usr/bin/time", "-f", "%M"] if Path("/usr/bin/time").exists() else []
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = subprocess.run([*timer, binary, "-r", str(path), "-T", "fields", "-e", "frame.time_epoch", "-e",
                             "wpan.src16", "-e", "wpan.dst16"], capture_output=True, check=True)
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - children.ru_utime - children.ru_stime
    peak = int(result.stderr.split()[-1]) / 1024 if timer else None
    return result.stdout.count(b"\n"), seconds, peak, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=1_000_000, help="frames in the capture")
    parser.add_argument("--pcapng", action="store_true", help="write pcapng instead of pcap")
    args = parser.parse_args()
    print(f"Python {platform.python_version()} on {platform.machine()}")
    with tempfile.TemporaryDirectory(prefix="dit-bench-han-") as folder:
        path = Path(folder) / ("han.pcapng" if args.pcapng else "han.pcap")
        start = time.perf_counter()
        writer = capture.write_pcapng if args.pcapng else capture.write_pcap
        written = writer(path, han_traffic(args.frames))
        size = path.stat().st_size / 1e6
        print(f"wrote {written:,} frames ({size:.1f} MB, TAP) in {time.perf_counter() - start:.1f} s")

        frames, seconds = fast_path(path)
        own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"read + decode: {frames:,} frames in {seconds:.2f} s = {frames / seconds:,.0f} frames/s; "
              f"peak RSS (this process) {own:.0f} MiB")
        frames, seconds = analysed(path)
        own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"full analysis (dit han analyse): {frames:,} frames in {seconds:.2f} s = {frames / seconds:,.0f} "
              f"frames/s; peak RSS (this process) {own:.0f} MiB")
        written = Path(folder) / "analysis.json"
        frames, seconds, cpu = analyse_json(path, written)
        print(f"dit han analyse --json: {frames:,} frames in {seconds:.2f} s (CPU {cpu:.2f} s) = "
              f"{frames / seconds:,.0f} frames/s; {written.stat().st_size / 1e3:,.0f} kB of JSON")

        binary = shutil.which("tshark")
        if binary is None:
            print("tshark: not installed (apt-get install tshark), no comparison")
            return
        shark_frames, shark_seconds, peak, shark_cpu = tshark(path, binary)
        memory = f"{peak:.0f} MiB" if peak is not None else "not measured (no /usr/bin/time)"
        print(f"tshark -T fields: {shark_frames:,} frames in {shark_seconds:.2f} s (CPU {shark_cpu:.2f} s) = "
              f"{shark_frames / shark_seconds:,.0f} frames/s; peak RSS (tshark) {memory}")
        print(f"dit han analyse --json against tshark: {(frames / seconds) / (shark_frames / shark_seconds):.2f}x "
              f"its frames/s (wall), {(frames / cpu) / (shark_frames / shark_cpu):.2f}x per CPU second "
              f"(issue 19 aims at 3x)")


if __name__ == "__main__":
    main()
