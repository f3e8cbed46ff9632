"""`dit duis`: DUIS documents: check (schema, XML signature), sign, the DSP's Transform into GBCS commands, and
example requests."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from harness import catalogue
from harness.cli.common import (
    EXIT_FAILED,
    EXIT_OK,
    Commands,
    Row,
    emit,
    group,
    load_keystore,
    notes,
    output_dir,
    output_file,
    write_out,
)
from harness.cli.gbcs import gbcs_inputs
from harness.errors import DitError

if TYPE_CHECKING:
    from harness.usecases import DspRecords

Backup = TypeVar("Backup")


def register(commands: Commands) -> None:
    duis = group(commands, "duis", "DUIS tools")
    chk = duis.add_parser("check", help="check DUIS documents: schema and XML signature")
    chk.add_argument("files", nargs="+", metavar="FILE")
    chk.add_argument("--schema", metavar="XSD", help="DUIS schema (duis.xsd) to validate against")
    chk.add_argument("--keystore", action="append", metavar="DIR", help="keystore to verify signatures with")
    chk.add_argument("--json", action="store_true")
    chk.epilog = notes([
        ("dit duis check --keystore reports/keystore reports/evidence/*/*.xml",
         "the evidence of a run, offline"),
        ("dit duis check --schema duis.xsd --keystore keys/ response.xml --json",
         "schema and signature, as JSON"),
    ], {
        0: "every document is well-formed, schema-valid and signed by a key the keystore has",
        1: "a document failed a check",
        2: "bad input: a file or schema that cannot be read",
    })
    chk.set_defaults(func=cmd_duis_check)

    tra = duis.add_parser("transform", help="the DSP's Transform of DUIS requests into GBCS commands")
    tra.add_argument("files", nargs="+", metavar="REQUEST")
    tra.add_argument("--device-type", choices=[d.value for d in catalogue.DeviceType], metavar="TYPE",
                     help="the target's device type, where the request does not say (ESME, GSME, GPF, CHF ...)")
    tra.add_argument("--twin-element", action="store_true", help="the target ESME is twin element")
    tra.add_argument("--gbcs-version", choices=("1.0", "2.0"), help="the target's GBCS version (default 2.0)")
    tra.add_argument("--user-role", choices=[r.value for r in catalogue.UserRole], metavar="ROLE",
                     help="the requesting User's role (IS, GS, ED ...), where the use case depends on it")
    tra.add_argument("--now", metavar="DATETIME", help="the DSP's clock (default now), e.g. 2015-01-01T00:00:00Z")
    tra.add_argument("--dsp-counter", type=_originator_counter, metavar="N",
                     help="originator counter for commands the DCC originates (default the RequestID's)")
    tra.add_argument("--chf-device-log", metavar="CS14",
                     help="the old CHF's last CHF Device Log backup (a CS14 alert, hex), which 8.12.1 restores")
    tra.add_argument("--gpf-device-log", metavar="GCS62",
                     help="the old GPF's last GPF Device Log backup (a GCS62 alert, hex), which 8.12.2 restores")
    tra.add_argument("--other-device-type", choices=[d.value for d in catalogue.DeviceType], metavar="TYPE",
                     help="the type of the device a join or unjoin (8.7, 8.8) names")
    tra.add_argument("--other-device-ka-certificate", metavar="PEM",
                     help="that device's KA certificate, which a method C join carries")
    tra.add_argument("--json", action="store_true")
    tra.epilog = notes([
        ("dit duis transform request.xml --device-type ESME --json",
         "file, use case, message code and Pre-Command"),
        ("dit duis transform 2.1.xml --device-type ESME --gbcs-version 1.0",
         "as the DSP's records would make it"),
    ], {
        0: "every request transformed",
        1: "the DSP would refuse a request (its error is listed)",
        2: "bad input: a file that cannot be read, a date-time that is not one",
    })
    tra.set_defaults(func=cmd_duis_transform)

    sig = duis.add_parser("sign", help="sign DUIS requests with the originator's XML-signing key")
    sig.add_argument("files", nargs="+", metavar="FILE")
    sig.add_argument("--keystore", action="append", metavar="DIR",
                     help="keystore with XML-signing keys (default: the test SMKI, created on first use)")
    sig.add_argument("--signer", metavar="EUI", help="sign as this party instead of the RequestID originator")
    sig.add_argument("--preserve-counter", action="store_true",
                     help="keep the RequestID counter (default: replace it with the time in ms)")
    sig.add_argument("--counter", type=int, help="use this RequestID counter")
    sig.add_argument("--schema", metavar="XSD", help="refuse to sign documents that are not schema-valid")
    sig.add_argument("--out", metavar="FILE", help="write the signed document here (default stdout)")
    sig.add_argument("--out-dir", metavar="DIR", help="write signed documents into this directory")
    sig.epilog = notes([
        ("dit duis sign request.xml --out signed.xml",
         "signed as its originator, with a fresh RequestID counter"),
        ("dit duis sign *.xml --out-dir signed/ --preserve-counter",
         "several, keeping their counters"),
    ], {
        0: "signed",
        2: "bad input: no RequestID, no key for the signer, several files without --out-dir",
    })
    sig.set_defaults(func=cmd_duis_sign)

    ex = duis.add_parser("example", help="print an example request of an SR, from the test SMKI's parties")
    ex.add_argument("srv", metavar="SRV")
    ex.add_argument("--sign", action="store_true", help="sign it as supplier A")
    ex.epilog = notes([
        ("dit duis example 6.21",
         "a valid example request of an SR"),
        ("dit duis example 8.1.1 --sign",
         "signed as the Import Supplier"),
    ], {
        0: "printed",
        2: "bad input: an SR the catalogue has no example of",
    })
    ex.set_defaults(func=cmd_duis_example)


def _originator_counter(value: str) -> int:
    """An originator counter: GBCS and DUIS carry it as 8 unsigned bytes."""
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None
    if not 0 <= number < 1 << 64:
        raise argparse.ArgumentTypeError(f"{value!r} is outside 0..2^64-1")
    return number


def cmd_duis_check(args: argparse.Namespace) -> int:
    from harness.duis import schema as duis_schema
    from harness.duis.check import check_file
    from harness.pki import Keystore

    schema = duis_schema.load(duis_schema.locate(args.schema)) if args.schema else None
    keystore = Keystore.load(*args.keystore) if args.keystore else None
    results = [check_file(Path(f), schema=schema, keystore=keystore) for f in args.files]

    def line(row: Row) -> str:
        what = f"SR {row['service_reference_variant'] or '?'}"
        if row["command_variant"] is not None:
            what += f" CV {row['command_variant']}"
        checks = []
        if row["schema_valid"] is not None:
            checks.append("schema " + ("valid" if row["schema_valid"] else "invalid"))
        if row["signature"] is not None:
            checks.append(f"signature {row['signature']}")
        if row["error"]:
            return f"FAIL {row['file']}: {what}: {row['error']}"
        return f"PASS {row['file']}: {what} {', '.join(checks) or 'well-formed'}"

    emit(args, [r.as_dict() for r in results], line)
    return EXIT_OK if all(r.passed for r in results) else EXIT_FAILED


def cmd_duis_sign(args: argparse.Namespace) -> int:
    import time

    from harness.duis import schema as duis_schema
    from harness.duis import xml, xmldsig
    from harness.duis.request_id import RequestId
    from harness.eui import DCC_ACCESS_CONTROL_BROKER, EntityId

    if len(args.files) > 1 and not args.out_dir:
        raise DitError("several files need --out-dir", where="dit duis sign")
    if args.out_dir:
        output_dir(Path(args.out_dir), "--out-dir")
    elif args.out:
        output_file(Path(args.out), "--out")
    keystore = load_keystore(args.keystore)
    schema = duis_schema.load(duis_schema.locate(args.schema)) if args.schema else None
    status = EXIT_OK
    for name in args.files:
        path = Path(name)
        root = xml.parse(xml.read(path), name)
        header_id = root.find("sr:Header/sr:RequestID", xml.NSMAP)
        if root.tag == xml.sr("Request"):
            if header_id is None or header_id.text is None:
                raise DitError("request has no RequestID", where=name)
            request_id = RequestId.parse(header_id.text)
            if not args.preserve_counter:
                # As the DCC Boxed signing tool does: a fresh counter (ms since the epoch) so that the
                # device does not reject the command as a replay.
                counter = args.counter if args.counter is not None else time.time_ns() // 1_000_000
                header_id.text = str(request_id.with_counter(counter))
            signer = EntityId(args.signer) if args.signer else request_id.originator
        else:
            signer = EntityId(args.signer) if args.signer else DCC_ACCESS_CONTROL_BROKER
        if schema is not None:
            errors = schema.errors(root)
            if errors:
                print(f"FAIL {name}: schema: {errors[0]}", file=sys.stderr)
                status = EXIT_FAILED
                continue
        xmldsig.sign_as(root, keystore, signer)
        data = xml.serialize(root)
        if args.out_dir:
            target = Path(args.out_dir) / path.name
            write_out(target, data, "--out-dir")
            print(f"signed {name} -> {target} as {signer}", file=sys.stderr)
        elif args.out:
            write_out(Path(args.out), data, "--out")
            print(f"signed {name} -> {args.out} as {signer}", file=sys.stderr)
        else:
            sys.stdout.buffer.write(data + b"\n")
    return status


def _dsp_records(args: argparse.Namespace) -> DspRecords:
    """The DSP's records the options give: the target's and the other device's types, twin element, GBCS
    version, the User's role, the other device's KA certificate, and old hubs' device log backups."""
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    from harness.catalogue import DeviceType, UserRole
    from harness.gbcs.axdr import PayloadError
    from harness.gbcs.frame import GbcsMessage, MalformedMessage
    from harness.usecases import DspRecords
    from harness.usecases.chf import device_log_backup
    from harness.usecases.joins import gpf_device_log_backup

    def backup(name: str | None, read: Callable[[GbcsMessage], Backup], what: str) -> Backup | None:
        if not name:
            return None
        try:
            return read(GbcsMessage.decode(gbcs_inputs(name)[0][1]))
        except (MalformedMessage, PayloadError) as exc:
            raise DitError(f"not a {what} alert: {exc}", where=name) from None

    certificate = None
    if args.other_device_ka_certificate:
        name = args.other_device_ka_certificate
        try:
            data = Path(name).read_bytes()
            load = x509.load_pem_x509_certificate if b"-----BEGIN" in data else x509.load_der_x509_certificate
            cert = load(data)
        except OSError as exc:
            raise DitError(f"cannot read: {exc.strerror}", where=name) from None
        except ValueError:
            raise DitError("not a PEM or DER X.509 certificate", where=name) from None
        certificate = cert.public_bytes(serialization.Encoding.DER)
    return DspRecords(
        device_type=DeviceType(args.device_type) if args.device_type else None, twin_element=args.twin_element,
        gbcs_version=args.gbcs_version, user_role=UserRole(args.user_role) if args.user_role else None,
        chf_device_log=backup(args.chf_device_log, device_log_backup, "CS14"),
        other_device_type=DeviceType(args.other_device_type) if args.other_device_type else None,
        other_device_ka_certificate=certificate,
        gpf_device_log=backup(args.gpf_device_log, gpf_device_log_backup, "GCS62"))


def cmd_duis_transform(args: argparse.Namespace) -> int:
    import datetime as dt

    from harness.duis import xml
    from harness.usecases import DuisRequest, transform

    records = _dsp_records(args)
    now = dt.datetime.fromisoformat(args.now) if args.now else None
    if now is not None and now.tzinfo is None:
        now = now.replace(tzinfo=dt.UTC)
    rows = []
    for name in args.files:
        row: Row = {"file": name, "use_case": None, "message_code": None, "pre_command": None, "error": None}
        data = xml.read(Path(name))
        try:
            out = transform(DuisRequest.parse(data, name), records, now=now, dsp_counter=args.dsp_counter)
        except DitError as exc:
            row["error"] = str(exc)
        else:
            row.update(use_case=out.use_case, message_code=f"0x{out.message_code:04X}",
                       pre_command=out.pre_command.hex().upper())
        rows.append(row)

    def line(row: Row) -> str:
        if row["error"]:
            return f"FAIL {row['file']}: {row['error']}"
        return f"PASS {row['file']}: {row['use_case']} {row['message_code']} {row['pre_command']}"

    emit(args, rows, line)
    return EXIT_OK if all(r["error"] is None for r in rows) else EXIT_FAILED


def cmd_duis_example(args: argparse.Namespace) -> int:
    import datetime as dt

    from lxml import etree

    from harness.duis import examples, xml, xmldsig
    from harness.pki import SMKI, default_directory

    smki = SMKI.open(default_directory())
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    root = examples.build_example(args.srv, smki, now, int(now.timestamp() * 1000))
    if args.sign:                # unindented: the DCC signs (and checks) the document without indentation
        xmldsig.sign_as(root, smki.keystore, examples.SUPPLIER_A)
    else:
        etree.indent(root)
    sys.stdout.buffer.write(xml.serialize(root) + b"\n")
    return EXIT_OK
