"""11.1 Update Firmware to 50,000 devices behind one hub (the DUIS limit), end to end through the DSP and the hub.

The emulated lab's ESME is commissioned the way a scenario does it; then as many more ESMEs of its model
(keys of their own, the same supplier in the trust anchor cell) are put behind the same hub: in the SMI
Commissioned, in the CHF's device log, joined to the HAN. That set-up is not measured. Measured is one 11.1
as the Import Supplier sends it (DUIS built and XML-signed, HTTP POST), the DSP's checks over the device list,
the image over the SM WAN to the hub and over the HAN to every device, each device's verification and its
signed 0x8F72 to the supplier, the CH's signed CCS08 per device to the DCC, and every device alert the DCC
signs and POSTs to the supplier's Receive Response Service, which verifies each: until the supplier holds an
alert from every device. Printed: wall and CPU seconds, per device, the process's peak RSS and what the 11.1
allocated at its peak (tracemalloc, --tracemalloc: slower).

Then, as ceiling.py does for 1.6 and 8.2, 11.1's ceiling per device on the run's own documents: the crypto and
XML a device's share of the fan-out cannot avoid, done directly with `cryptography` and lxml -- the device
verifies the manufacturer's signature over the image (its digest taken once for all, as the lab does) and signs
its 0x8F72, the CH signs its CCS08, the DSP builds, digests, signs and serialises the DUIS alert, which crosses
a minimal HTTP round trip answered in the posting thread (as the lab's in-process HTTP is) to the supplier,
who parses, digests and verifies it -- and the ratio of that to the end-to-end CPU per device (issue 19's
measure: at least 0.5).

Run:  .venv/bin/python benchmarks/bench_firmware.py [--devices N] [--tracemalloc] [--profile FILE]
                                                     [--ceiling-rounds N]
"""

from __future__ import annotations

import argparse
import base64
import cProfile
import dataclasses
import gc
import resource
import time
import tracemalloc

from bench_end_to_end import SUPPLIER, commissioned_lab  # the same commissioned ESME the SR benchmarks start from
from ceiling import MinimalHttp, Party, best, ecdsa_raw, rate, receive, unsigned
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed, encode_dss_signature
from scratch import scratch_folder

from harness.catalogue import DeviceStatus
from harness.dcc.wan import WAN_FIRMWARE_BYTES_PER_S
from harness.emulators import zigbee
from harness.emulators.chf import DeviceLogEntry
from harness.emulators.device import DeviceKeys
from harness.emulators.firmware import FirmwareHost
from harness.emulators.hub import CCS08_FIRMWARE_TRANSFER, HAN_FIRMWARE_BYTES_PER_S, TRANSFER_SUCCEEDED
from harness.eui import EntityId
from harness.gbcs.firmware_image import parse_image
from harness.gbcs.frame import CraFlag, GbcsMessage, GeneralSigning
from harness.lab import EmulatedLab
from harness.pki import SMKI, KeyUsage
from harness.usecases import firmware as firmware_alerts

VERIFIED = "8F72"


def more_meters(lab: EmulatedLab, count: int) -> list[EntityId]:
    """`count` more ESMEs like the lab's, Commissioned in the SMI and joined to its hub (set-up, not measured)."""
    model = lab.device("ESME")
    assert isinstance(model, FirmwareHost)
    record = lab.dcc.inventory.get(model.eui)
    assert record is not None and record.status is DeviceStatus.COMMISSIONED
    hub = lab.hubs[lab.site.name]
    cls, install_code = type(model), lab.device_config("ESME").install_code
    now = lab.now()
    ids = []
    with lab.clock.lock:
        for n in range(count):
            eui = EntityId(f"00DB{n + 1:012X}")
            keys = DeviceKeys(ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1()))
            meter = cls(eui, install_code=install_code, clock=lab.clock, keys=keys, trust=model.trust,
                        key_seed=b"bench")
            meter.init_firmware(model.firmware_version, model.manufacturer_key)
            meter.manufacturer_code, meter.image_type = model.manufacturer_code, model.image_type
            meter.bands, meter.zigbee_version, meter.hub = model.bands, model.zigbee_version, hub
            lab.dcc.inventory.add(dataclasses.replace(record, device_id=eui, history=[]), now)
            # joined before: no device log backup nor join alert per meter (n of them, each the whole log)
            link_key = zigbee.link_key(install_code)
            hub.chf.device_log[eui] = DeviceLogEntry(eui, install_code, now, link_key=link_key, last_communication=now)
            assert hub.join(meter, link_key)
            meter.joined_to = hub.chf.eui
            meter.joined_before.add(hub.chf.eui)
            ids.append(eui)
    return [model.eui, *ids]


def ceiling_per_device(lab: EmulatedLab, image: bytes, alert_document: bytes, rounds: int) -> float:
    """11.1's unavoidable crypto and XML for one device, on this run's documents: CPU ms, the best of the rounds."""
    ks, model = lab.smki.keystore, lab.device("ESME")
    assert isinstance(model, FirmwareHost) and model.manufacturer_key is not None and model.keys is not None
    chf = lab.hubs[lab.site.name].chf
    assert chf.keys is not None
    manufacturer_key, device_key, hub_key = model.manufacturer_key, model.keys.digital_signing, chf.keys.digital_signing
    firmware = parse_image(image)
    assert firmware.signature is not None
    manufacturer_signature = encode_dss_signature(int.from_bytes(firmware.signature[:32], "big"),
                                                  int.from_bytes(firmware.signature[32:], "big"))
    prehashed = ec.ECDSA(Prehashed(hashes.SHA256()))
    dsp_key = ks.private_key(lab.config.access_control_broker, KeyUsage.XML_SIGNING)
    document, dsp_signature = unsigned(alert_document)
    dsp = Party(dsp_key, dsp_signature)
    receipt = GbcsMessage.decode(base64.b64decode(document.findtext(".//{*}GBCSPayload") or "")).apdu
    assert receipt.signature is not None, "the device's 0x8F72 is signed"
    report = firmware_alerts.transfer_alert(TRANSFER_SUCCEEDED, model.eui, "00040001", "FileTransferSuccess")
    transfer = GeneralSigning(cra_flag=CraFlag.ALERT, originator_counter=1, originator=chf.eui,
                              recipient=EntityId(lab.config.access_control_broker),
                              message_code=CCS08_FIRMWARE_TRANSFER, payload=report(1, lab.now()))
    dsp_public = dsp_key.public_key()

    def supplier(path: bytes, body: bytes) -> bytes:         # the Receive Response Service: 200, no body
        receive(body, dsp_public, None)
        return b""
    to_supplier = MinimalHttp(supplier, threaded=False)

    def one_device() -> None:
        manufacturer_key.verify(manufacturer_signature, firmware.signed_digest, prehashed)
        ecdsa_raw(device_key, receipt.signed_bytes)
        ecdsa_raw(hub_key, transfer.signed_bytes)
        to_supplier.post(b"/smartdcc/duis", dsp.sign(document))

    return best([rate(one_device, 1.0) for _ in range(rounds)]).cpu_ms


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, default=50_000, help="devices in the 11.1 (the DUIS limit: 50,000)")
    parser.add_argument("--tracemalloc", type=int, default=0, metavar="FRAMES",
                        help="also trace what the 11.1 allocates, with FRAMES frames a trace (slower)")
    parser.add_argument("--profile", metavar="FILE", help="write a cProfile of the 11.1 to FILE")
    parser.add_argument("--ceiling-rounds", type=int, default=5, metavar="N",
                        help="rounds of a second of the ceiling per device (the best is taken); 0: none")
    args = parser.parse_args()
    smki = SMKI.open(scratch_folder("dit-bench-firmware-"))
    lab = commissioned_lab(smki, None)                      # no schema: the fan-out is what is measured
    try:
        start = time.perf_counter()
        devices = more_meters(lab, args.devices - 1)
        print(f"set-up: {len(devices):,} commissioned ESMEs behind one hub in {time.perf_counter() - start:.1f} s, "
              f"peak RSS {rss_mb():.0f} MB")
        user = lab.user(SUPPLIER)
        image = lab.firmware_image("ESME", 0x00040001)
        inbox_before = len(user.receiver.snapshot())
        gc.collect()
        rss_before = rss_mb()
        if args.tracemalloc:
            tracemalloc.start(args.tracemalloc)
        profile = cProfile.Profile() if args.profile else None
        wall, cpu = time.perf_counter(), time.process_time()
        if profile:
            profile.enable()
        exchange = user.send("11.1", device_id_list=devices, firmware_image=image, firmware_version="00040001")
        assert exchange.succeeded, exchange.summary
        # the image over the SM WAN, then over the HAN; then the crowd of alerts on the HAN, the CCS08s, the posts
        lab.let_time_pass(len(image) / WAN_FIRMWARE_BYTES_PER_S + len(image) / HAN_FIRMWARE_BYTES_PER_S)
        heard = inbox_before
        for _ in range(24 * 60):                        # a virtual day at most, a minute at a time
            lab.let_time_pass(60)
            arrived = len(user.receiver.snapshot())
            if arrived >= inbox_before + len(devices) and arrived == heard:
                break
            heard = arrived
        if profile:
            profile.disable()
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        traced = tracemalloc.get_traced_memory()[1] / 2**20 if args.tracemalloc else None
        if args.tracemalloc:
            for stat in tracemalloc.take_snapshot().statistics("traceback")[:8]:
                where = " < ".join(str(frame) for frame in stat.traceback[:args.tracemalloc])
                print(f"  {stat.size / 2**20:7.1f} MB  {stat.count:>8}  {where}")
        tracemalloc.stop()
        alerts = [r.response for r in user.receiver.snapshot()[inbox_before:]]
        verified = {a.response_id.originator for a in alerts if a.alert_code == VERIFIED and a.response_id}
        failures = [a for a in alerts if a.alert_code and a.alert_code.startswith("N")]
        print(f"11.1 to {len(devices):,} devices: {wall:.2f} s wall, {cpu:.2f} s CPU "
              f"({cpu / len(devices) * 1e3:.3f} ms CPU per device); {len(alerts):,} alerts to the supplier, "
              f"0x8F72 from {len(verified):,} devices, {len(failures)} DCC alerts")
        print(f"peak RSS {rss_mb():.0f} MB (before the 11.1: {rss_before:.0f} MB)"
              + (f"; the 11.1 allocated at its peak {traced:.0f} MB (tracemalloc)" if traced is not None else ""))
        kept = lab.receivers[user.eui].snapshot()
        transcript = lab.dcc.dsp.transcript
        print(f"kept: the supplier's receiver {sum(r.held for r in kept):,} documents in memory, "
              f"{sum(not r.held for r in kept):,} in its spill file; the DCC's transcript {transcript.count:,} "
              f"documents counted and digested ({transcript.digest()[:16]}...), {len(transcript.documents):,} held, "
              f"{transcript.notable_count} DCC alerts")
        if profile and args.profile:
            profile.dump_stats(args.profile)
        assert len(verified) == len(devices), f"0x8F72 from {len(verified):,} of {len(devices):,} devices"
        if args.ceiling_rounds:
            alert = next(r.data for r in user.receiver.snapshot()[inbox_before:] if r.response.alert_code == VERIFIED)
            ceiling = ceiling_per_device(lab, image, alert, args.ceiling_rounds)
            per_device = cpu / len(devices) * 1e3
            print(f"ceiling per device (best of {args.ceiling_rounds} rounds): {ceiling:.3f} ms CPU against "
                  f"{per_device:.3f} ms end to end: ratio {ceiling / per_device:.2f} (issue 19: >= 0.5); "
                  f"{len(devices):,} devices at the ceiling: {ceiling * len(devices) / 1e3:.1f} s of one core")
    finally:
        lab.stop()


if __name__ == "__main__":
    main()
