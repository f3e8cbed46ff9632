"""End-to-end Service Requests per second through the emulated lab, and the I&C suite's wall time.

Each SR travels as a real service user sends it: DUIS built and XML-signed, HTTP POST on loopback,
the DSP's signature, schema and DUIS checks, Transform and signed Pre-Command for critical SRs, ACB MAC,
SM WAN and HAN to the device model, the device's MAC/counter/signature checks and its signed or MAC'd
response, the DCC's signed asynchronous response POSTed back over HTTP and verified by the user.

Run:  .venv/bin/python benchmarks/bench_end_to_end.py [--seconds S] [--no-schema]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time

from scratch import scratch_folder

from harness.duis import schema as duis_schema
from harness.lab import EmulatedLab, load
from harness.lab import parameters as params
from harness.pki import SMKI

SUPPLIER = "the Import Supplier"


def commissioned_lab(smki: SMKI, schema) -> EmulatedLab:
    lab = EmulatedLab(load(), smki=smki, schema=schema).start()
    user, esme = lab.user(SUPPLIER), lab.device_config("ESME")
    assert user.send("12.2", device_id=esme.eui, device_type=esme.type).succeeded
    assert user.send("8.11", lab.device("CHF").eui, device_id=esme.eui, install_code=esme.install_code.hex()).succeeded
    lab.power_on("ESME")
    lab.let_time_pass(30)
    assert user.send("6.21", esme.eui, **params.certificates(lab, SUPPLIER, None)).succeeded
    assert user.send("8.1.1", esme.eui, current_date_time=lab.now()).succeeded
    return lab


def measure(lab: EmulatedLab, srv: str, seconds: float, **body) -> tuple[int, float]:
    user, esme = lab.user(SUPPLIER), lab.device("ESME").eui
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        exchange = user.send(srv, None if srv == "8.2" else esme, **body)
        assert exchange.succeeded, exchange.summary
        count += 1
    return count, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="time per measurement")
    parser.add_argument("--no-schema", action="store_true", help="skip DUIS schema validation")
    args = parser.parse_args()
    found = None if args.no_schema else duis_schema.locate()
    schema = duis_schema.load(found) if found else None
    smki = SMKI.open(scratch_folder("dit-bench-"))
    print(f"end-to-end through HTTP on loopback; DUIS schema validation: {'on' if schema else 'off'}")
    print(f"{'Service Request':58} {'SRs':>6} {'SR/s':>8}")
    lab = commissioned_lab(smki, schema)
    esme = lab.device("ESME").eui
    try:
        total, elapsed = 0, 0.0
        for label, srv, body in [
            ("6.2.9 Read Payment Mode (non-critical, CV 1, device)", "6.2.9", {}),
            ("1.6 Update Payment Mode (critical, CV 4 + CV 5, device)", "1.6", {"payment_mode": "credit"}),
            ("8.2 Read Inventory (non-device, CV 8)", "8.2", {"device_id": esme}),
        ]:
            n, t = measure(lab, srv, args.seconds, **body)
            total, elapsed = total + n, elapsed + t
            print(f"{label:58} {n:>6} {n / t:>8.0f}")
        print(f"{'all of the above':58} {total:>6} {total / elapsed:>8.0f}")
    finally:
        lab.stop()

    report = scratch_folder("dit-bench-run-")
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "harness.cli", "run", "-m", "install_commission",
                             "--report-dir", str(report)], capture_output=True, text=True,
                            env={**os.environ, "DIT_SMKI": str(report / "smki")})
    wall = time.perf_counter() - start
    status = "green" if result.returncode == 0 else f"FAILED (exit {result.returncode})"
    print(f"Install & Commission suite (4 variants, `dit run`, fresh SMKI): {wall:.2f} s wall, {status}")


if __name__ == "__main__":
    main()
