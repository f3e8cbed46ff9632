"""GBCS payload codec throughput on this machine: decode and encode operations per second per payload
family (DLMS COSEM, ZigBee GBZ, ASN.1 DER), the DSP's Transform and a User's Parse to MMC.

Run:  .venv/bin/python benchmarks/bench_gbcs_codec.py [--seconds S]

The payloads are the Transforms of the DIT plan's example requests (`dit duis example SRV`), so the
benchmark needs nothing beyond the project: a tariff (1.1.1 to an ESME, a DLMS access-request; to a GSME,
GBZ components), Update Security Credentials (6.15.1, ASN.1 carrying certificates) and small ones (3.5
Disable Privacy PIN, 8.8.1 Unjoin). With dlms-cosem installed it also times that library's A-XDR parser
on the same DLMS data (the codec's reason for its own A-XDR).
"""

from __future__ import annotations

import argparse
import datetime as dt
import platform

from bench_protocol import rate
from scratch import scratch_folder

from harness.catalogue import DeviceType
from harness.duis import requests, xml
from harness.duis.examples import DEVICES, SUPPLIER_A, build_example
from harness.duis.request_id import RequestId
from harness.gbcs import axdr, dlms
from harness.gbcs import payload as gbcs_payload
from harness.gbcs.frame import CraFlag, GbcsMessage
from harness.pki import SMKI
from harness.usecases import DuisRequest, parse, transform

NOW = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
CASES = (("dlms", "1.1.1", DeviceType.ESME, "tariff"), ("dlms", "3.5", DeviceType.ESME, "PIN"),
         ("gbz", "1.1.1", DeviceType.GSME, "tariff"), ("gbz", "3.5", DeviceType.GSME, "PIN"),
         ("asn1", "6.15.1", DeviceType.ESME, "CS02b"), ("asn1", "8.8.1", DeviceType.ESME, "unjoin"))


def size(value) -> str:
    """What a payload holds: COSEM attributes, GBZ components, or its ASN.1 type."""
    if hasattr(value, "specs"):
        return f"{len(value.specs)} attribute" + "s" * (len(value.specs) > 1)
    if hasattr(value, "components"):
        return f"{len(value.components)} component" + "s" * (len(value.components) > 1)
    return value.type_name


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.0, help="time per measurement")
    args = parser.parse_args()
    smki = SMKI.open(scratch_folder("dit-bench-"))
    print(f"GBCS payload codec on {platform.python_implementation()} {platform.python_version()} "
          f"({platform.machine()}), best of 5 rounds of {args.seconds / 5:.1f} s")
    print(f"{'family':6} {'payload':44} {'bytes':>6} {'decode/s':>10} {'encode/s':>10} {'transform/s':>12}")
    for kind, srv, device, what in CASES:
        if kind == "gbz":           # the examples are the ESME's; the gas meter gets the gas form
            root = requests.build(srv, RequestId(SUPPLIER_A, DEVICES[device], 1000), fuel="gas") if srv == "1.1.1" \
                else requests.build(srv, RequestId(SUPPLIER_A, DEVICES[device], 1000))
        else:
            root = build_example(srv, smki, NOW, 1000)
        request = DuisRequest.parse(xml.serialize(root))
        apdu = transform(request, device_type=device, now=NOW, other_device_type=DeviceType.PPMID).apdu
        decoded = gbcs_payload.decode(apdu)
        what = f"{what}, {size(decoded.value)}"
        decode = rate(lambda apdu=apdu: gbcs_payload.decode(apdu), args.seconds)
        encode = rate(decoded.encode, args.seconds)
        build = rate(lambda request=request, device=device: transform(request, device_type=device, now=NOW),
                     args.seconds)
        print(f"{kind:6} {srv + ' ' + what:44} {len(apdu.payload):6} {decode:10,.0f} {encode:10,.0f} {build:12,.0f}")
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
    print(f"parse to MMC, tariff response ({len(answer.encode())} bytes): "
          f"{rate(lambda: parse(response), seconds):,.0f}/s")


if __name__ == "__main__":
    main()
