"""`dit selfcheck`: does this installation's protocol stack work end to end with its keys?

For every SR of the DIT plan it builds the example request, signs it with the originator's XML key,
parses it back, verifies the signature and validates it against the DUIS schema (when one is found);
for every SR that becomes a GBCS command it frames a command for the target device, signs it as the
User does after a Transform (critical SRs), MACs it as the DCC's ACB does, and decodes and checks it
as a device would; a tampered copy must then fail. Results go to <report-dir>/selfcheck.json.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass
from pathlib import Path

from harness import catalogue
from harness.duis import examples, xml, xmldsig
from harness.duis import schema as duis_schema
from harness.eui import DCC_ACCESS_CONTROL_BROKER
from harness.gbcs import crypto
from harness.gbcs.decode import Check, decode
from harness.gbcs.frame import CraFlag, GeneralSigning, frame_with_mac
from harness.pki import SMKI, KeyUsage, default_directory


@dataclass
class Finding:
    area: str
    srv: str
    passed: bool
    detail: str


def _duis(srv: str, smki: SMKI, schema, now: dt.datetime, counter: int) -> Finding:
    root = examples.build_example(srv, smki, now, counter)
    cred = smki.keystore.credential(examples.SUPPLIER_A, KeyUsage.XML_SIGNING, private=True)
    xmldsig.sign(root, cred.private_key, cred.certificate)
    parsed = xml.parse(xml.serialize(root), f"SR {srv}")
    signature = xmldsig.verify(parsed, smki.keystore)
    errors = schema.errors(parsed) if schema else []
    if not signature.valid:
        return Finding("DUIS", srv, False, f"signature {signature.status.value}: {signature.reason}")
    if errors:
        return Finding("DUIS", srv, False, f"schema: {errors[0]}")
    return Finding("DUIS", srv, True, "signed, verified" + (", schema-valid" if schema else ""))


def _gbcs(service: catalogue.ServiceRequest, smki: SMKI, counter: int) -> Finding:
    ex = examples.example(service.srv, smki, dt.datetime.now(dt.timezone.utc))
    device_type = ex.target_type
    use_case = service.use_case_for(device_type)
    ks = smki.keystore
    # A stand-in payload: this checks framing, signature and MAC; use-case payloads are the DCC's job.
    command = GeneralSigning(cra_flag=CraFlag.COMMAND, originator_counter=counter, originator=examples.SUPPLIER_A,
                             recipient=ex.target, message_code=use_case.message_codes[0], payload=b"\xd9\x00")
    apdu = command.encode()
    if service.critical:
        apdu = crypto.sign_pre_command(command.pre_command(), ks.private_key(examples.SUPPLIER_A,
                                                                             KeyUsage.DIGITAL_SIGNING))
    key = crypto.mac_key(GeneralSigning.decode(apdu), ks.private_key(DCC_ACCESS_CONTROL_BROKER, KeyUsage.KEY_AGREEMENT),
                         ks.public_key(ex.target, KeyUsage.KEY_AGREEMENT))
    framed = frame_with_mac(apdu, crypto.gmac(key, examples.SUPPLIER_A, apdu))
    result = decode(framed, keystore=ks)
    expected_signature = Check.VALID.value if service.critical else Check.ABSENT.value
    if result.error or result.signature != expected_signature or result.mac != Check.VALID.value:
        return Finding("GBCS", service.srv, False,
                       f"{use_case.name}: signature {result.signature}, mac {result.mac} {result.error or ''}")
    tampered = bytearray(framed)
    tampered[-20] ^= 0x01
    if decode(bytes(tampered), keystore=ks).ok:
        return Finding("GBCS", service.srv, False, "a tampered command still verified")
    what = "signed and MAC'd" if service.critical else "MAC'd"
    return Finding("GBCS", service.srv, True, f"{use_case.name} 0x{use_case.message_codes[0]:04X} to "
                                              f"{device_type.value} {what}; tampered copy rejected")


def run_selfcheck(*, report_dir: Path, smki_dir: Path | None = None, schema_path: str | None = None) -> int:
    smki = SMKI.open(smki_dir or default_directory())
    found = duis_schema.locate(schema_path)
    schema = duis_schema.load(found) if found else None
    now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    base = int(now.timestamp() * 1000)
    print(f"test SMKI: {len(smki.keystore)} certificates in {smki.directory}")
    print(f"DUIS schema: {found}" if schema else
          "DUIS schema: none found, schema validation skipped (set DIT_DUIS_XSD to duis.xsd)")

    findings = [_duis(srv, smki, schema, now, base + i) for i, srv in enumerate(examples.dit_examples())]
    device_srs = [s for s in catalogue.dit_service_requests() if not s.non_device and s.use_cases]
    findings += [_gbcs(s, smki, base + i) for i, s in enumerate(device_srs)]

    for area in ("DUIS", "GBCS"):
        rows = [f for f in findings if f.area == area]
        passed = sum(f.passed for f in rows)
        what = ("requests built, XML-signed, verified" + (", schema-valid" if schema else "")
                if area == "DUIS" else "commands framed, signed (critical SRs), MAC'd, checked; tampering caught")
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
