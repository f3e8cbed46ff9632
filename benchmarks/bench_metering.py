"""Metering cost on this machine: a 13-month 4.8.1 profile read and a 13-month settlement.

Run:  .venv/bin/python benchmarks/bench_metering.py
Prints seconds per operation (best of five, each on a fresh meter so no cache is warm), with a
single-rate and a two-rate (night / day) tariff. Both should stay well under a second: a scenario
may read a whole profile log or let a meter run for a year of virtual time.
"""

from __future__ import annotations

import platform
import time

from harness.catalogue import PaymentMode
from harness.clock import VirtualClock
from harness.duis import requests, xml
from harness.duis.examples import two_rate_tariff
from harness.emulators.meters import ElectricityMeter
from harness.eui import EntityId

ESME = EntityId("00-DB-12-34-56-78-90-A0")
THIRTEEN_MONTHS = 397 * 86400


def single_rate() -> dict:
    return xml.flatten(requests.builder("1.1.1")())


def meter_after_thirteen_months(tariff: dict) -> ElectricityMeter:
    clock = VirtualClock()
    meter = ElectricityMeter(ESME, install_code=bytes(16), clock=clock, keys=None, trust=None, key_seed=b"bench")
    meter.tariff, meter.payment_mode, meter.meter_balance = dict(tariff), PaymentMode.PREPAYMENT, 10_000_000
    meter.metering.start(clock.now())
    clock.advance(THIRTEEN_MONTHS)
    return meter


def best_of_five(operation, tariff: dict) -> float:
    best = float("inf")
    for _ in range(5):
        meter = meter_after_thirteen_months(tariff)
        start = time.perf_counter()
        operation(meter)
        best = min(best, time.perf_counter() - start)
    return best


def profile_read(meter: ElectricityMeter) -> None:
    fields = {"UseCase": "ECS22b", **xml.flatten(requests.builder("4.8.1")())}
    response = type(meter)._handlers["ECS22b"](meter, fields, None)
    assert int(response["ProfileDataLogEntries"]) > 18_000


def settle(meter: ElectricityMeter) -> None:
    meter.metering.settle()


def main() -> None:
    print(f"Python {platform.python_version()} on {platform.machine()}")
    for name, tariff in (("single rate", single_rate()), ("two rates", two_rate_tariff(single_rate()))):
        for label, operation in (("4.8.1 profile read, 13 months", profile_read), ("settle, 13 months", settle)):
            print(f"{label:32} {name:12} {best_of_five(operation, tariff) * 1000:8.1f} ms")


if __name__ == "__main__":
    main()
