"""GBCS payload codec throughput on this machine: decode and encode operations per second per payload
family (DLMS COSEM, ZigBee GBZ, ASN.1 DER), the DSP's Transform and a User's Parse to MMC.

Run:  .venv/bin/python benchmarks/bench_gbcs_codec.py [--seconds S]

The payloads are the Transforms of the DIT plan's example requests (`dit duis example SRV`), so the
benchmark needs nothing beyond the project: a two-rate tariff (1.1.1 to an ESME, a DLMS access-request
of 21 attributes; to a GSME, 17 GBZ components), Update Security Credentials (6.15.1, ASN.1 with two
certificates), and small ones (3.5 Disable Privacy PIN; 8.7.2 Join). With dlms-cosem installed it also
times that library's A-XDR parser on the same DLMS data (the codec's reason for its own A-XDR).
"""

from __future__ import annotations

import argparse
import datetime as dt
import platform
import tempfile
import time

from harness.catalogue import DeviceType
from harness.duis import xml
from harness.duis.examples import build_example
from harness.gbcs import axdr, dlms
from harness.gbcs import payload as gbcs_payload
from harness.gbcs.frame import CraFlag, GbcsMessage
from harness.pki import SMKI
from harness.usecases import DuisRequest, parse, transform

NOW = dt.datetime(2026, 12, 1, tzinfo=dt.timezone.utc)
CASES = (("dlms", "1.1.1", DeviceType.ESME, "tariff 21 attributes"), ("dlms", "3.5", DeviceType.ESME, "PIN"),
         ("gbz", "1.1.1", DeviceType.GSME, "tariff"), ("gbz", "3.5", DeviceType.GSME, "PIN"),
         ("asn1", "6.15.1", DeviceType.ESME, "CS02b, 2 certificates"), ("asn1", "8.7.2", DeviceType.CHF, "join"))


def rate(operation, seconds: float) -> float:
    """Best ops/s over five rounds of about seconds/5 each."""
    best = 0.0
    for _ in range(5):
        count, start = 0, time.perf_counter()
        deadline = start + seconds / 5
        while True:
            operation()
            count += 1
            now = time.perf_counter()
            if now >= deadline:
                break
        best = max(best, count / (now - start))
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.0, help="time per measurement")
    args = parser.parse_args()
    smki = SMKI.open(tempfile.mkdtemp(prefix="dit-bench-"))
    print(f"GBCS payload codec on {platform.python_implementation()} {platform.python_version()} "
          f"({platform.machine()}), best of 5 rounds of {args.seconds / 5:.1f} s")
    print(f"{'family':6} {'payload':34} {'bytes':>6} {'decode/s':>10} {'encode/s':>10} {'transform/s':>12}")
    for kind, srv, device, what in CASES:
        root = build_example(srv, smki, NOW, 1000)
        request = DuisRequest.parse(xml.serialize(root))
        try:
            apdu = transform(request, device_type=device, now=NOW).apdu
        except Exception as exc:      # a use case this build cannot transform yet: say so, carry on
            print(f"{kind:6} {srv + ' ' + what:34} not transformed: {exc}")
            continue
        decoded = gbcs_payload.decode(apdu)
        decode = rate(lambda: gbcs_payload.decode(apdu), args.seconds)
        encode = rate(decoded.encode, args.seconds)
        build = rate(lambda: transform(request, device_type=device, now=NOW), args.seconds)
        print(f"{kind:6} {srv + ' ' + what:34} {len(apdu.payload):6} {decode:10,.0f} {encode:10,.0f} {build:12,.0f}")
        if kind == "dlms" and srv == "1.1.1":
            tariff = apdu
    _library_comparison(tariff, args.seconds)
    _parse(smki, args.seconds)


def _library_comparison(apdu, seconds: float) -> None:
    request = dlms.decode(apdu.payload)
    data = axdr.encode_list(request.data)
    ours = rate(lambda: axdr.decode_list(data, 0, len(data), "data"), seconds)
    try:
        from dlms_cosem.dlms_data import DlmsDataParser
    except ImportError:
        print(f"A-XDR list of {len(data)} bytes: harness.gbcs.axdr {ours:,.0f}/s (pip install dlms-cosem to compare)")
        return
    theirs = rate(lambda: DlmsDataParser().parse(data[1:]), seconds)
    print(f"A-XDR list of {len(data)} bytes: harness.gbcs.axdr {ours:,.0f}/s, dlms-cosem DlmsDataParser "
          f"{theirs:,.0f}/s")


def _parse(smki: SMKI, seconds: float) -> None:
    """A User's Parse of a device's answer: an ESME's access-response to the tariff (21 results)."""
    root = build_example("1.1.1", smki, NOW, 1000)
    apdu = transform(DuisRequest.parse(xml.serialize(root)), device_type=DeviceType.ESME, now=NOW).apdu
    request = dlms.decode(apdu.payload)
    answer = dlms.AccessResponse(request.invoke_id, tuple(axdr.NULL for _ in request.specs), tuple(
        dlms.ResponseSpec(spec.kind, dlms.AccessResult.SUCCESS) for spec in request.specs))
    response = GbcsMessage(type(apdu)(CraFlag.RESPONSE, apdu.originator_counter, apdu.recipient, apdu.originator,
                                      apdu.message_code, answer.encode(), date_time=NOW))
    print(f"parse to MMC, tariff response ({len(answer.encode())} bytes): {rate(lambda: parse(response), seconds):,.0f}/s")


if __name__ == "__main__":
    main()
