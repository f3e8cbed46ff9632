"""Protocol throughput on this machine: DUIS sign+verify, GBCS sign+verify, GBCS MAC.

Run:  .venv/bin/python benchmarks/bench_protocol.py [--seconds S]
Prints operations per second (best of five timed rounds) for each operation.
"""

from __future__ import annotations

import argparse
import platform
import time

from scratch import scratch_folder

from harness.duis import requests, xml, xmldsig
from harness.duis.request_id import RequestId
from harness.eui import DCC_ACCESS_CONTROL_BROKER, EntityId
from harness.gbcs import crypto
from harness.gbcs.frame import CraFlag, GbcsMessage, GeneralSigning, frame_with_mac
from harness.pki import SMKI, KeyUsage

SUPPLIER = EntityId("90-B3-D5-1F-30-01-00-00")
ESME = EntityId("00-DB-12-34-56-78-90-A0")
CHF = EntityId("00-DB-12-34-56-78-90-A2")


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
    ks = SMKI.open(scratch_folder("dit-bench-")).keystore

    xml_cred = ks.credential(SUPPLIER, KeyUsage.XML_SIGNING, private=True)
    rid = RequestId(SUPPLIER, CHF, 1000)

    def duis_sign_verify():
        root = requests.build("8.11", rid, device_id=ESME, install_code="00112233445566778899AABBCCDDEEFF")
        xmldsig.sign(root, xml_cred.private_key, xml_cred.certificate)
        parsed = xml.parse(xml.serialize(root))
        assert xmldsig.verify(parsed, ks).valid

    ds_key = ks.private_key(SUPPLIER, KeyUsage.DIGITAL_SIGNING)
    ds_pub = ks.public_key(SUPPLIER, KeyUsage.DIGITAL_SIGNING)
    apdu = GeneralSigning(cra_flag=CraFlag.COMMAND, originator_counter=1000, originator=SUPPLIER, recipient=ESME,
                          message_code=0x0019, payload=bytes(600))

    def gbcs_sign_verify():
        signed = crypto.sign_apdu(apdu, ds_key)
        assert crypto.verify_apdu(GeneralSigning.decode(signed.encode()), ds_pub)

    acb_ka = ks.private_key(DCC_ACCESS_CONTROL_BROKER, KeyUsage.KEY_AGREEMENT)
    esme_ka = ks.public_key(ESME, KeyUsage.KEY_AGREEMENT)
    apdu_bytes = apdu.encode()
    key = crypto.mac_key(apdu, acb_ka, esme_ka)

    def gbcs_mac_with_kdf():
        frame = frame_with_mac(apdu_bytes, crypto.gmac(crypto.mac_key(apdu, acb_ka, esme_ka), SUPPLIER, apdu_bytes))
        message = GbcsMessage.decode(frame)
        assert crypto.verify_gmac(crypto.mac_key(message.apdu, acb_ka, esme_ka), SUPPLIER, message.apdu_bytes,
                                  message.mac)

    def gbcs_mac_cached_key():
        tag = crypto.gmac(key, SUPPLIER, apdu_bytes)
        assert crypto.verify_gmac(key, SUPPLIER, apdu_bytes, tag)

    print(f"dit protocol benchmark on {platform.node()} ({platform.machine()}, Python {platform.python_version()})")
    print(f"{'operation':48} {'ops/s':>10}")
    for name, op in [("DUIS build + XMLDSig sign + parse + verify (8.11)", duis_sign_verify),
                     ("GBCS ECDSA sign + decode + verify (600 B APDU)", gbcs_sign_verify),
                     ("GBCS MAC: ECDH+KDF, GMAC, frame, decode, verify", gbcs_mac_with_kdf),
                     ("GBCS MAC with a cached key: GMAC + verify", gbcs_mac_cached_key)]:
        print(f"{name:48} {rate(op, args.seconds):>10,.0f}")


if __name__ == "__main__":
    main()
