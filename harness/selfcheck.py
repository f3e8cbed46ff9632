"""`dit selfcheck`: does this installation's protocol stack work end to end with its keys?

For every SR of the DIT plan it builds the example request, signs it with the originator's XML key,
parses it back, verifies the signature and validates it against the DUIS schema (when one is found);
for every SR that becomes a GBCS command it makes the command as the DSP's Transform does (its use case's
real DLMS, GBZ or ASN.1 payload), signs it as the User does a Pre-Command (critical SRs), MACs it as the
DCC's ACB does, and decodes and checks it as a device would, payload included; a tampered copy must then
fail. Results go to <report-dir>/selfcheck.json.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization

from harness import catalogue
from harness.catalogue import DeviceType
from harness.duis import examples, xml, xmldsig
from harness.duis import schema as duis_schema
from harness.errors import DitError
from harness.eui import DCC_ACCESS_CONTROL_BROKER
from harness.gbcs import crypto
from harness.gbcs.decode import Check, decode
from harness.gbcs.frame import GeneralSigning, frame_with_mac
from harness.pki import SMKI, KeyUsage, default_directory
from harness.usecases import DspRecords, DuisRequest, transform
from harness.usecases.records import DeviceLogBackup, DeviceLogEntry, GpfDeviceLogBackup


@dataclass
class Finding:
    area: str
    srv: str
    passed: bool
    detail: str


def _duis(srv: str, smki: SMKI, schema, now: dt.datetime, counter: int) -> Finding:
    root = examples.build_example(srv, smki, now, counter)
    xmldsig.sign_as(root, smki.keystore, examples.SUPPLIER_A)
    parsed = xml.parse(xml.serialize(root), f"SR {srv}")
    signature = xmldsig.verify(parsed, smki.keystore)
    errors = schema.errors(parsed) if schema else []
    if not signature.valid:
        return Finding("DUIS", srv, False, f"signature {signature.status.value}: {signature.reason}")
    if errors:
        return Finding("DUIS", srv, False, f"schema: {errors[0]}")
    return Finding("DUIS", srv, True, "signed, verified" + (", schema-valid" if schema else ""))


def example_records(ex: examples.Example, smki: SMKI) -> DspRecords:
    """What the DSP holds for an example request: the target's device type, the other device of a join
    and its KA certificate, and the device log backups of the hubs 8.12.1 and 8.12.2 replace."""
    types = {eui: device_type for device_type, eui in examples.DEVICES.items()} | {examples.IHD: DeviceType.IHD}
    other = ex.params.get("other_device_id")
    certificate = None
    ka = smki.keystore.find(other, KeyUsage.KEY_AGREEMENT) if other is not None else None
    if ka is not None and ka.certificate is not None:
        certificate = ka.certificate.public_bytes(serialization.Encoding.DER)
    joined = (examples.DEVICES[DeviceType.ESME], examples.DEVICES[DeviceType.GSME])
    return DspRecords(
        device_type=ex.target_type,
        other_device_type=types.get(other) if other is not None else None,
        other_device_ka_certificate=certificate,
        chf_device_log=DeviceLogBackup(bytes(8), tuple(DeviceLogEntry(eui, b"") for eui in joined)),
        gpf_device_log=GpfDeviceLogBackup(((examples.DEVICES[DeviceType.GSME], 0),), ex.params.get("old_gpf_id")))


def _gbcs(service: catalogue.ServiceRequest, smki: SMKI, counter: int, now: dt.datetime) -> Finding:
    ex = examples.example(service.srv, smki, now)
    if ex.target_type is None:          # only device SRs come here, and every one targets a device
        raise DitError(f"SR {service.srv}'s example targets no device")
    request = DuisRequest.parse(xml.serialize(examples.build_example(service.srv, smki, now, counter)),
                                f"SR {service.srv}")
    ks = smki.keystore
    try:
        command = transform(request, example_records(ex, smki), now=now)
    except DitError as exc:
        return Finding("GBCS", service.srv, False, f"Transform: {exc}")
    apdu = command.pre_command
    if service.critical:
        apdu = crypto.sign_pre_command(apdu, ks.private_key(request.originator, KeyUsage.DIGITAL_SIGNING))
    key = crypto.mac_key(GeneralSigning.decode(apdu), ks.private_key(DCC_ACCESS_CONTROL_BROKER, KeyUsage.KEY_AGREEMENT),
                         ks.public_key(ex.target, KeyUsage.KEY_AGREEMENT))
    framed = frame_with_mac(apdu, crypto.gmac(key, command.apdu.originator, apdu))
    result = decode(framed, keystore=ks)
    expected_signature = Check.VALID.value if service.critical else Check.ABSENT.value
    if (result.error or result.payload is None or result.signature != expected_signature
            or result.mac != Check.VALID.value):
        return Finding("GBCS", service.srv, False,
                       f"{command.use_case}: signature {result.signature}, mac {result.mac} {result.error or ''}")
    tampered = bytearray(framed)
    tampered[-20] ^= 0x01
    if decode(bytes(tampered), keystore=ks).ok:
        return Finding("GBCS", service.srv, False, "a tampered command still verified")
    what = "signed and MAC'd" if service.critical else "MAC'd"
    return Finding("GBCS", service.srv, True, f"{command.use_case} 0x{command.message_code:04X} to "
                                              f"{ex.target_type.value}: {result.payload['kind']} payload of "
                                              f"{result.payload_length} bytes, {what}; tampered copy rejected")


def run_selfcheck(*, report_dir: Path, smki_dir: Path | None = None, schema_path: str | None = None) -> int:
    smki = SMKI.open(smki_dir or default_directory())
    found = duis_schema.locate(schema_path)
    schema = duis_schema.load(found) if found else None
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    base = int(now.timestamp() * 1000)
    print(f"test SMKI: {len(smki.keystore)} certificates in {smki.directory}")
    print(f"DUIS schema: {found}" if schema else
          "DUIS schema: none found, schema validation skipped (set DIT_DUIS_XSD to duis.xsd)")

    findings = [_duis(srv, smki, schema, now, base + i) for i, srv in enumerate(examples.dit_examples())]
    device_srs = [s for s in catalogue.dit_service_requests() if not s.non_device and s.use_cases]
    findings += [_gbcs(s, smki, base + i, now) for i, s in enumerate(device_srs)]

    for area in ("DUIS", "GBCS"):
        rows = [f for f in findings if f.area == area]
        passed = sum(f.passed for f in rows)
        what = ("requests built, XML-signed, verified" + (", schema-valid" if schema else "")
                if area == "DUIS" else "commands transformed, signed (critical SRs), MAC'd, decoded and checked; "
                                       "tampering caught")
        print(f"{area}: {passed}/{len(rows)} DIT SRs: {what}")
        for f in rows:
            if not f.passed:
                print(f"  FAIL SR {f.srv}: {f.detail}")

    report_dir.mkdir(parents=True, exist_ok=True)
    report = {"generated": now.isoformat(), "smki": str(smki.directory), "schema": str(found) if found else None,
              "findings": [asdict(f) for f in findings]}
    (report_dir / "selfcheck.json").write_text(json.dumps(report, indent=2) + "\n")
    failed = [f for f in findings if not f.passed]
    print(f"\n{'PASS' if not failed else 'FAIL'}: {len(findings) - len(failed)} of {len(findings)} checks passed; "
          f"details in {report_dir / 'selfcheck.json'}")
    return 0 if not failed else 1
