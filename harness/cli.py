"""The `dit` command.

Exit codes: 0 every requested check passed; 1 some check failed; 2 usage or I/O error.
Errors are one line (what, where, how to fix); --debug shows the traceback.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn

from harness import catalogue
from harness.errors import DitError, RunInterrupted
from harness.run_end import RunEnd

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:   # one line, exit 2, like every other usage error
        raise DitError(message, where=self.prog, fix=f"see {self.prog} --help")


def _keystore(dirs: list[str] | None):
    from harness.pki import SMKI, Keystore, default_directory

    if dirs:
        return Keystore.load(*dirs)
    return SMKI.open(default_directory()).keystore


def _emit(args, rows: list[dict], line: Callable[[dict], str]) -> None:
    if args.json:
        json.dump(rows, sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        for row in rows:
            print(line(row))


# -- what a flag may say, and where a command may write -------------------------------------------------

def _positive_number(value: str) -> float:
    """A finite number above zero (a clock's speed-up): argparse turns the error into the usage line."""
    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number") from None
    if not (math.isfinite(number) and number > 0):
        raise argparse.ArgumentTypeError(f"{value!r} is not a finite number above 0")
    return number


def _percent(value: str) -> float:
    """A duty cycle threshold: a share of an hour, above 0 and at most 100 %."""
    number = _positive_number(value)
    if number > 100:
        raise argparse.ArgumentTypeError(f"{value!r} is more than 100 %")
    return number


def _counter(value: str) -> int:
    """An originator counter: GBCS and DUIS carry it as 8 unsigned bytes."""
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None
    if not 0 <= number < 1 << 64:
        raise argparse.ArgumentTypeError(f"{value!r} is outside 0..2^64-1")
    return number


def _output_dir(path: Path, flag: str) -> Path:
    """A directory a command writes into, made and proved writable before any work starts: a file in its
    way or a read-only disk is one line up front, not a traceback (or a recorded run) half-way through."""
    if path.exists() and not path.is_dir():
        raise DitError(f"{flag} {path} is a file, not a directory", fix="give a directory, or a path that is free")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DitError(f"{flag} {path}: cannot make it: {exc.strerror}", fix="give a directory you can write to") \
            from None
    if reason := _unwritable(path):
        raise DitError(f"{flag} {path}: cannot write there: {reason}", fix="give a directory you can write to")
    return path


def _output_file(path: Path, flag: str) -> Path:
    """A file a command writes, checked like _output_dir; its directory must exist (nothing is made for it)."""
    if path.is_dir():
        raise DitError(f"{flag} {path} is a directory", fix="give a file name")
    folder = path.parent
    reason = (_unwritable(folder) if folder.is_dir() else
              f"{folder} is not a directory" if folder.exists() else f"no directory {folder}")
    if reason is None and path.exists() and not os.access(path, os.W_OK):
        reason = "the file is read-only"
    if reason:
        raise DitError(f"{flag} {path}: cannot write there: {reason}", fix="give a file you can write")
    return path


def _write_out(path: Path, data: bytes, flag: str) -> None:
    """Write what a command made; a disk that fills up or a name taken by a folder is one line."""
    try:
        path.write_bytes(data)
    except OSError as exc:
        raise DitError(f"{flag}: cannot write {path}: {exc.strerror}", fix="free some space, or give another place") \
            from None


def _unwritable(directory: Path) -> str | None:
    """Why no file can be made in directory (the OS's words), or None: tried, not guessed from mode bits."""
    try:
        with tempfile.TemporaryFile(dir=directory):
            return None
    except OSError as exc:
        return exc.strerror or str(exc)


# -- dit gbcs decode ---------------------------------------------------------------------------------

def cmd_gbcs_decode(args) -> int:
    from harness.eui import EntityId
    from harness.gbcs.decode import DecodedMessage, decode
    from harness.pki import Keystore

    if not args.files and not args.hex:
        raise DitError("nothing to decode", where="dit gbcs decode", fix="give FILE... or --hex HEX")
    keystore = Keystore.load(*args.keystore) if args.keystore else None
    acb = EntityId(args.acb)
    results = []
    for name in args.files:
        path = Path(name)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise DitError(f"cannot read: {exc.strerror}", where=name) from None
        results.append(decode(data, keystore=keystore, file=name, access_control_broker=acb))
    for value in args.hex or ():
        results.append(decode(value, keystore=keystore, file=None, access_control_broker=acb))

    def line(row: dict) -> str:
        name = row["file"] or "--hex"
        if row["error"] and row["message_code"] is None:      # not even the framing could be read
            return f"FAIL {name}: {row['error']}"
        srs = ",".join(row["service_requests"]) or "-"
        alert = f" alert {row['alert_code']}" if row["alert_code"] else ""
        status = "PASS" if DecodedMessage(**row).ok else "FAIL"
        text = (f"{status} {name}: {row['cra_flag']} {row['message_code']} {row['use_case'] or '?'} (SR {srs}){alert} "
                f"{row['originator']} -> {row['recipient']} counter {row['originator_counter']} "
                f"signature {row['signature']} mac {row['mac']}")
        return f"{text}; {row['error']}" if row["error"] else text

    rows = [r.as_dict() for r in results]
    if args.json:
        _emit(args, rows, line)
    else:
        from harness.gbcs.decode import tree

        for row in rows:
            print(line(row))
            if row["payload"]:
                payload = row["payload"]
                print(f"  payload {payload['kind']} (undecoded bytes: {payload['undecoded_bytes']})")
                print("\n".join(tree(payload["fields"], "    ")))
    return EXIT_OK if all(r.ok for r in results) else EXIT_FAILED


# -- dit gbcs parse -------------------------------------------------------------------------------------

def _gbcs_inputs(name: str) -> list[tuple[str, bytes]]:
    """The GBCS messages in a file: hex, base64 or binary GBCS, or a DUIS response or alert XML whose
    sr:GBCSPayload elements carry them (as DCC Boxed delivers device responses)."""
    from harness.duis import xml
    from harness.gbcs.decode import parse_text
    from harness.usecases.request import value_of

    try:
        data = Path(name).read_bytes()
    except OSError as exc:
        raise DitError(f"cannot read: {exc.strerror}", where=name) from None
    if data.lstrip()[:1] == b"<":
        root = xml.parse(data, name)
        payloads = [node for node in root.iter(xml.sr("GBCSPayload"))]
        if not payloads:
            raise DitError("no sr:GBCSPayload in this DUIS document", where=name,
                           fix="give a DUIS response or alert that carries a device's GBCS message")
        return [(f"{name}#{i + 1}" if len(payloads) > 1 else name, parse_text(value_of(node)))
                for i, node in enumerate(payloads)]
    return [(name, parse_text(data))]


def cmd_gbcs_parse(args) -> int:
    from lxml import etree

    from harness.gbcs.axdr import PayloadError
    from harness.gbcs.frame import GbcsMessage, MalformedMessage
    from harness.pki import Keystore
    from harness.usecases import parse

    keystore = Keystore.load(*args.keystore) if args.keystore else None
    if args.out_dir:
        _output_dir(Path(args.out_dir), "--out-dir")
    status = EXIT_OK
    for name in args.files:
        for label, data in _gbcs_inputs(name):
            try:
                message = GbcsMessage.decode(data)
                if message.apdu.cra_flag.name == "COMMAND":
                    raise DitError("a command, not a response or alert: Parse reads what devices send",
                                   where=label, fix="give a RESPONSE or ALERT message")
                document, notes = parse(message, keystore=keystore, srv=args.srv)
            except (MalformedMessage, PayloadError) as exc:
                print(f"dit: error: {label}: {exc}", file=sys.stderr)
                status = EXIT_FAILED
                continue
            for note in notes:
                print(f"dit: note: {label}: {note}", file=sys.stderr)
            text = etree.tostring(document, pretty_print=True, xml_declaration=True, encoding="UTF-8")
            if args.out_dir:
                _write_out(Path(args.out_dir) / (Path(label.split("#")[0]).stem + ".mmc.xml"), text, "--out-dir")
            else:
                sys.stdout.write(text.decode("utf-8"))
    return status


# -- dit duis transform ---------------------------------------------------------------------------------

def _dsp_records(args):
    """The DSP's records the options give: the target's and the other device's types, twin element, GBCS
    version, the User's role, the other device's KA certificate, and old hubs' device log backups."""
    from harness.catalogue import DeviceType, UserRole
    from harness.gbcs.axdr import PayloadError
    from harness.gbcs.frame import GbcsMessage, MalformedMessage
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    from harness.usecases import DspRecords
    from harness.usecases.chf import device_log_backup
    from harness.usecases.joins import gpf_device_log_backup

    def backup(name: str | None, read, what: str):
        if not name:
            return None
        try:
            return read(GbcsMessage.decode(_gbcs_inputs(name)[0][1]))
        except (MalformedMessage, PayloadError) as exc:
            raise DitError(f"not a {what} alert: {exc}", where=name) from None

    certificate = None
    if args.other_device_ka_certificate:
        name = args.other_device_ka_certificate
        try:
            data = Path(name).read_bytes()
            cert = x509.load_pem_x509_certificate(data) if b"-----BEGIN" in data else x509.load_der_x509_certificate(data)
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


def cmd_duis_transform(args) -> int:
    import datetime as dt

    from harness.duis import xml
    from harness.usecases import DuisRequest, transform

    records = _dsp_records(args)
    now = dt.datetime.fromisoformat(args.now.replace("Z", "+00:00")) if args.now else None
    if now is not None and now.tzinfo is None:
        now = now.replace(tzinfo=dt.timezone.utc)
    rows = []
    for name in args.files:
        row: dict = {"file": name, "use_case": None, "message_code": None, "pre_command": None, "error": None}
        data = xml.read(Path(name))
        try:
            out = transform(DuisRequest.parse(data, name), records, now=now, dsp_counter=args.dsp_counter)
        except DitError as exc:
            row["error"] = str(exc)
        else:
            row.update(use_case=out.use_case, message_code=f"0x{out.message_code:04X}",
                       pre_command=out.pre_command.hex().upper())
        rows.append(row)

    def line(row: dict) -> str:
        if row["error"]:
            return f"FAIL {row['file']}: {row['error']}"
        return f"PASS {row['file']}: {row['use_case']} {row['message_code']} {row['pre_command']}"

    _emit(args, rows, line)
    return EXIT_OK if all(r["error"] is None for r in rows) else EXIT_FAILED


# -- dit duis check / sign ---------------------------------------------------------------------------

def cmd_duis_check(args) -> int:
    from harness.duis import schema as duis_schema
    from harness.duis.check import check_file
    from harness.pki import Keystore

    schema = duis_schema.load(duis_schema.locate(args.schema)) if args.schema else None
    keystore = Keystore.load(*args.keystore) if args.keystore else None
    results = [check_file(Path(f), schema=schema, keystore=keystore) for f in args.files]

    def line(row: dict) -> str:
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

    _emit(args, [r.as_dict() for r in results], line)
    return EXIT_OK if all(r.passed for r in results) else EXIT_FAILED


def cmd_duis_sign(args) -> int:
    import time

    from harness.duis import schema as duis_schema
    from harness.duis import xml, xmldsig
    from harness.duis.request_id import RequestId
    from harness.eui import DCC_ACCESS_CONTROL_BROKER, EntityId
    from harness.pki import KeyUsage

    if len(args.files) > 1 and not args.out_dir:
        raise DitError("several files need --out-dir", where="dit duis sign")
    if args.out_dir:
        _output_dir(Path(args.out_dir), "--out-dir")
    elif args.out:
        _output_file(Path(args.out), "--out")
    keystore = _keystore(args.keystore)
    schema = duis_schema.load(duis_schema.locate(args.schema)) if args.schema else None
    status = EXIT_OK
    for name in args.files:
        path = Path(name)
        root = xml.parse(xml.read(path), name)
        header_id = root.find("sr:Header/sr:RequestID", xml.NSMAP)
        if root.tag == xml.sr("Request"):
            if header_id is None:
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
        cred = keystore.credential(signer, KeyUsage.XML_SIGNING, private=True)
        xmldsig.sign(root, cred.private_key, cred.certificate)
        data = xml.serialize(root)
        if args.out_dir:
            target = Path(args.out_dir) / path.name
            _write_out(target, data, "--out-dir")
            print(f"signed {name} -> {target} as {signer}", file=sys.stderr)
        elif args.out:
            _write_out(Path(args.out), data, "--out")
            print(f"signed {name} -> {args.out} as {signer}", file=sys.stderr)
        else:
            sys.stdout.buffer.write(data + b"\n")
    return status


# -- dit pki -----------------------------------------------------------------------------------------

def cmd_pki_init(args) -> int:
    from harness.pki import SMKI, default_directory

    directory = Path(args.directory) if args.directory else default_directory()
    smki = SMKI.open(directory)
    rows = []
    for cred in sorted(smki.keystore.credentials(), key=lambda c: (bytes(c.eui), c.usage.value)):
        subject = cred.certificate.subject.rfc4514_string() if cred.certificate else ""
        rows.append({"eui": cred.eui.duis, "usage": cred.usage.value, "private_key": cred.private_key is not None,
                     "subject": subject, "file": str(cred.path) if cred.path else None})
    _emit(args, rows, lambda r: f"{r['eui']}  {r['usage']:6} {'key ' if r['private_key'] else 'cert'}  {r['subject']}")
    if not args.json:
        print(f"test SMKI in {directory}: {len(rows)} credentials", file=sys.stderr)
    return EXIT_OK


# -- dit lab ------------------------------------------------------------------------------------------

def cmd_lab_check(args) -> int:
    from harness.lab import config

    failed = False
    for path in args.files:
        problems = config.check(path, reachable=not args.offline)
        for line in problems:
            print(line)
        if problems:
            failed = True
        else:
            lab = config.load(path)
            assets = len(lab.asset_library.devices) + len(lab.asset_library.hubs) if lab.asset_library else 0
            bench = ""
            if lab.bench:
                reached = "" if args.offline else " open, DCC endpoint answers"
                bench = f", {len(lab.bench.serial_ports)} serial ports, {len(lab.bench.sniffers)} sniffers{reached}"
            print(f"{path}: ok ({len(lab.premises)} test sets, {assets} assets{bench})", file=sys.stderr)
    return EXIT_FAILED if failed else EXIT_OK


def cmd_lab_serve(args) -> int:
    import signal

    from harness.duis import schema as duis_schema
    from harness.lab.served import ServedBench
    from harness.pki import SMKI, default_directory

    out = _output_dir(Path(args.out), "--out")
    found = duis_schema.locate()
    bench = ServedBench(args.lab, out, smki=SMKI.open(default_directory()),
                        schema=duis_schema.load(found) if found else None, test_set=args.test_set,
                        time_scale=args.time_scale).start()
    stopped = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stopped.set())
    print(f"bench ready: {bench.config_file} (test set {bench.site.name}, DCC {bench.lab.dcc.url}, "
          f"clock x{bench.time_scale:g}); Ctrl-C stops it", flush=True)
    stopped.wait()
    bench.stop()
    print(f"bench stopped after {bench.resets} resets", file=sys.stderr)
    return EXIT_OK


def _ledger(args, *, create: bool = True):
    """The phase ledger: the commands that record may start one (create); those that read or change what is
    recorded only open an existing one, and never add tables to a database that is not a ledger."""
    from harness.ledger import DEFAULT_DSN, Ledger

    return Ledger(args.ledger or DEFAULT_DSN, create=create)


def cmd_lab_suspend(args) -> int:
    from harness.lab import config

    lab = config.load(args.lab)
    asset = lab.asset_library.device(args.asset) if lab.asset_library else None
    if asset is None:
        hub = lab.asset_library.hub(args.asset) if lab.asset_library else None
        raise DitError(f"{args.asset} is a Communications Hub" if hub else f"no device {args.asset!r} in the "
                       "lab's Device Asset Library", where=lab.source,
                       fix="DIT suspends devices, never a CH" if hub else "give an asset name from the DAL")
    book = _ledger(args)
    try:
        print(book.suspend(asset.name, asset.device_type.value, args.condition, args.reason).summary)
        if book.all_suspended(lab.meter_assets()):
            print("every meter of the lab is suspended: DIT is suspended until a fix is implemented (DIT.R.12)")
    finally:
        book.close()
    return EXIT_OK


def cmd_lab_resume(args) -> int:
    book = _ledger(args, create=False)
    try:
        book.resume(args.asset, args.fix)
        print(f"{args.asset} resumed with fix {args.fix}")
    finally:
        book.close()
    return EXIT_OK


def cmd_lab_suspensions(args) -> int:
    book = _ledger(args, create=False)
    try:
        rows = [{"asset": s.asset, "device_type": s.device_type, "condition": s.condition, "reason": s.reason,
                 "suspended_at": s.suspended_at, "resumed_at": s.resumed_at, "fix": s.fix_reference}
                for s in book.suspensions()]
    finally:
        book.close()

    def line(r: dict) -> str:
        state = f"resumed {r['resumed_at']} ({r['fix']})" if r["resumed_at"] else "ACTIVE"
        return f"{r['asset']:22} condition {r['condition']}  {state}  {r['reason']}"

    _emit(args, rows, line)
    return EXIT_OK


def cmd_lab_select(args) -> int:
    from harness.lab import config, selection

    problems: list[str] = []       # selection judges the DAL; a bench's missing keys do not change it
    lab = config.load(args.file, problems=problems)
    if problems:
        print(f"{lab.source}: {len(problems)} problems besides selection: `dit lab check` lists them",
              file=sys.stderr)
    if lab.asset_library is None:
        raise DitError("the lab config has no device_asset_library", where=lab.source,
                       fix="device selection is evaluated against a Device Asset Library")
    results = selection.evaluate(lab.asset_library.selected())
    rows = [{"id": r.id, "status": r.status, "reason": r.evidence, "devices": r.devices, "text": r.text}
            for r in results]
    _emit(args, rows, lambda r: f"{r['id']:7} {r['status']:14} {r['reason']}")
    return EXIT_OK if all(r.status != selection.NOT_MET for r in results) else EXIT_FAILED


# -- dit catalogue -----------------------------------------------------------------------------------

def cmd_catalogue(args) -> int:
    wanted = [catalogue.service_request(s) for s in args.srv] if args.srv else catalogue.service_requests()
    rows = [{"srv": s.srv, "name": s.name, "critical": s.critical,
             "command_variants": sorted(int(v) for v in s.command_variants),
             "future_dated": s.future_dated.value, "non_device": s.non_device,
             "roles": sorted(r.value for r in s.roles), "targets": [t.value for t in s.targets],
             "use_cases": {u.name: [f"0x{c:04X}" for c in u.message_codes] for u in s.use_cases}}
            for s in wanted]

    def line(r: dict) -> str:
        crit = "critical" if r["critical"] else "        "
        cvs = ",".join(map(str, r["command_variants"]))
        return f"{r['srv']:7} {crit} CV {cvs:8} {'/'.join(r['roles']) or '-':18} {r['name']}"

    _emit(args, rows, line)
    return EXIT_OK


# -- dit run / dit scenarios ------------------------------------------------------------------------

def _workers(value: str) -> str:
    if value != "auto" and not (value.isdigit() and int(value) > 0):
        raise argparse.ArgumentTypeError(f"{value!r} is neither a number of workers nor auto")
    return value


def _selection(args) -> str:
    """The run's options as the engineer would type them (shown in the ledger and the report)."""
    words = [f"--lab {args.lab}"] if args.lab else []
    words += [f"-k {args.k!r}"] if args.k else []
    words += [f"-m {args.m!r}"] if args.m else []
    words += ["--without-optional"] if args.without_optional else []
    words += [f"--baseline {b}" for b in args.baseline or []] + [f"--test-set {t}" for t in args.test_set or []]
    words += ["--matrix"] if args.matrix else []
    words += [f"-n {args.workers}"] if args.workers else []
    words += ["--serial-consoles"] if args.serial_consoles else []
    return " ".join(words)


def _check_bench(lab) -> None:
    """A real lab's run starts only on a bench this machine can reach: endpoint, keys, clock, ports, sniffers."""
    from harness.lab import bench

    problems = bench.unreachable(lab.bench, {u.name: u.eui for u in lab.users})
    for line in problems:
        print(line, file=sys.stderr)
    if problems:
        raise DitError(f"the bench is not ready: {len(problems)} problems above", where=lab.source,
                       fix="dit lab check lists them with their fixes")


def _pytest_args(args, report_dir: Path) -> list[str]:
    from harness import scenarios

    argv = [str(scenarios.FEATURES), "-p", "no:cacheprovider", "-p", "no:terminal", "--dit-progress",
            f"--dit-report-dir={report_dir}", f"--junitxml={report_dir / 'junit.xml'}",
            f"--alluredir={report_dir / 'allure-results'}", "--clean-alluredir",
            f"--rootdir={scenarios.FEATURES.parent}"]
    if args.lab:
        argv.append(f"--lab={args.lab}")
    if args.k:
        argv += ["-k", args.k]
    if args.m:
        argv += ["-m", args.m]
    if args.without_optional:
        argv.append("--without-optional")
    for option in ("baseline", "test_set"):
        for value in getattr(args, option) or []:
            argv.append(f"--{option.replace('_', '-')}={value}")
    if args.matrix:
        argv.append("--matrix")
    if args.workers:
        argv += ["-n", str(args.workers), "--dist", "loadgroup"]
    if args.serial_consoles:
        argv.append("--serial-consoles")
    return argv


def _run_report_dir(path: Path) -> Path:
    """--report-dir and what a run writes in it, checked before the run is recorded: a file where the run makes
    a folder (or the other way round) was a pytest INTERNALERROR after the run had started."""
    _output_dir(path, "--report-dir")
    for name, folder in _RUN_OUTPUTS.items():
        inside = path / name
        if not inside.exists():
            continue
        if inside.is_dir() != folder:
            raise DitError(f"--report-dir {path}: {inside} is {'a file' if folder else 'a directory'}, where a run "
                           f"writes its {name}", fix="move it away, or give another --report-dir")
        reason = _unwritable(inside) if folder else None if os.access(inside, os.W_OK) else "the file is read-only"
        if reason:
            raise DitError(f"--report-dir {path}: cannot write {inside}: {reason}",
                           fix="give a directory you can write to")
    return path


_RUN_OUTPUTS = {"evidence": True, "allure-results": True, "keystore": True, "report": True, "junit.xml": False,
                "summary.json": False}       # name -> a folder (True) or a file


def _expression(flag: str, expression: str):
    """-k or -m compiled as pytest will, so a malformed one is refused before a run is recorded."""
    from _pytest.mark import expression as grammar

    malformed = tuple(e for e in (getattr(grammar, "ParseError", None), SyntaxError) if e)  # pytest 8 | 9
    try:
        return grammar.Expression.compile(expression)
    except malformed as exc:
        column, message = getattr(exc, "column", None) or exc.offset, getattr(exc, "message", None) or exc.msg
        raise DitError(f"{flag} {expression!r} is not a selection expression: at column {column}: {message}",
                       where="dit run", fix=f"names joined by and, or, not and parentheses, e.g. {_EXAMPLES[flag]}"
                       ) from None


_EXAMPLES = {"-k": "-k 'install_commission and not gas'", "-m": "-m 'ESME and credit'"}


def _checked_selection(args):
    """What a new run selects, refused in one line before the ledger records it: -k, -m, the lab, its
    baselines and test sets (each error names the value and the known ones)."""
    from harness.lab import load, targets

    for flag, expression in (("-k", args.k), ("-m", args.m)):
        if expression:
            _expression(flag, expression)
    lab = load(args.lab)
    targets.targets(lab, args.baseline, args.test_set, args.matrix)
    return lab


def _refuse_empty_selection(dsn: str, run_id: int, args) -> None:
    """A selection that matched no scenario is not a run of the phase: it leaves no run for --resume to repeat.
    Whether one matches is pytest's to say (-k reads node names), so it is known only once pytest collected."""
    from harness import scenarios
    from harness.ledger import Ledger
    from harness.plugin import marker_name

    with Ledger(dsn) as book:
        book.discard_run(run_id)
    idents = getattr(_expression("-m", args.m), "idents", frozenset)() if args.m else frozenset()
    tags = {t for v in scenarios.discover() for t in v.tags}
    unknown = sorted(idents - tags - {marker_name(t) for t in tags})
    hint = f": no scenario has the tag {', '.join(unknown)}" if unknown else ""
    raise DitError(f"no scenario matches {_selection(args) or 'the default selection'}{hint}", where="dit run",
                   fix="dit scenarios lists them; -k matches their names, -m their tags")


def _record_kept(book, report_dir: Path) -> None:
    """What an earlier run finished while the ledger could not take it goes in now."""
    from harness.ledger import journal

    recorded = journal.replay(book, report_dir)
    if recorded:
        print(f"recorded {recorded} executions kept in {report_dir / journal.FILE} while the ledger could not take them")


def _stopped_early(dsn: str, run_id: int, end: RunEnd, run_dir: Path) -> NoReturn:
    """A run stopped before its end: the ledger learns why (or, lost, the report directory keeps it for the next
    `dit run` to tell it), and the engineer gets one line."""
    from harness.ledger import Ledger, journal

    try:
        with Ledger(dsn) as book:
            book.finish_run(run_id, "interrupted", end.stopped)
    except DitError:
        try:
            if end.ledger is not None:
                journal.keep_interruption(run_dir, end.ledger, run_id, end.stopped)
        except OSError:
            pass                # the ledger shows it running: --resume takes it up all the same
    raise RunInterrupted(end.told(run_id), exit_code=end.exit_code, where="dit run",
                         fix="dit run --resume carries on")


def cmd_run(args) -> int:
    import pytest

    from harness.duis import schema as duis_schema
    from harness.ledger import Ledger

    report_dir = _run_report_dir(Path(args.report_dir))
    lab = None if args.resume else _checked_selection(args)
    dsn = args.ledger or f"sqlite:///{report_dir / 'phase.db'}"
    with Ledger(dsn, create=not args.resume) as book:        # nothing to resume in a ledger it would make
        _record_kept(book, report_dir)
        if args.resume:
            run = book.unfinished_run()
            if run is None:
                raise DitError("no unfinished run to resume", where=book.where, fix="dit run starts a new one")
            argv, run_id = run.argv, run.id
            book.reopen_run(run_id)
            print(f"resuming run {run_id} ({run.selection or 'default selection'}): "
                  f"{run.executions} executions already recorded")
        else:
            argv = _pytest_args(args, report_dir)
            if lab.kind == "real":
                _check_bench(lab)
            run_id = book.start_run(lab.name, _selection(args), argv)
            print(f"lab: {lab.name} ({lab.source})")
    found = duis_schema.locate()
    print(f"DUIS schema validation: {found}" if found else
          "DUIS schema validation: off (no duis.xsd found; set DIT_DUIS_XSD to turn it on)")
    run_dir = Path(next(a for a in argv if a.startswith("--dit-report-dir=")).split("=", 1)[1])
    end = RunEnd()
    code = pytest.main([*argv, f"--ledger={dsn}", f"--dit-run={run_id}"], plugins=[end])
    if end.stopped is not None:
        _stopped_early(dsn, run_id, end, run_dir)
    if code == pytest.ExitCode.NO_TESTS_COLLECTED and not args.resume:
        _refuse_empty_selection(dsn, run_id, args)
    with Ledger(dsn) as book:        # here NO_TESTS_COLLECTED is a resumed run with nothing left: it has finished
        book.finish_run(run_id, "completed" if code in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED,
                                                        pytest.ExitCode.NO_TESTS_COLLECTED) else "interrupted")
        _record_han_evidence(book, run_id)
    if code == pytest.ExitCode.NO_TESTS_COLLECTED:       # resumed, and every scenario it planned had run
        raise DitError(f"nothing left to run: run {run_id} is complete", where="dit run",
                       fix="dit report reads it; dit run starts a new one")
    if code not in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED):
        raise DitError(f"the scenario run did not complete (pytest exit code {int(code)}); what finished is in the "
                       "ledger", where="dit run", fix="dit run --resume carries on")
    print(f"results: {run_dir / 'summary.json'}, {run_dir / 'junit.xml'}, evidence in {run_dir / 'evidence'} "
          f"(verify with --keystore {run_dir / 'keystore'}); ledger {dsn} (run {run_id})")
    if args.report:
        _write_report(dsn, run_dir / "report", None, pdf=True)
    summary = json.loads((run_dir / "summary.json").read_text())
    totals = summary["totals"]
    faults = [e["error"] for e in summary["executions"] if (e["error"] or "").startswith("bench fault: ")]
    if faults:
        print(f"the bench broke: {faults[0].removeprefix('bench fault: ')}; the scenarios after it are blocked, "
              "not failed (fix the bench, then dit run again)", file=sys.stderr)
        return EXIT_FAILED
    if totals["blocked"] and not (totals["passed"] or totals["failed"]):
        reasons = sorted({e["error"] for e in summary["executions"] if e["outcome"] == "blocked"})
        print(f"nothing could run: every scenario of the selection is blocked ({reasons[0]}"
              + (f", and {len(reasons) - 1} other reasons" if len(reasons) > 1 else "") + ")", file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK if code == pytest.ExitCode.OK else EXIT_FAILED


# -- dit han analyse ---------------------------------------------------------------------------------

def _han_results(paths: list[str], thresholds, channel: int | None = None, page: int | None = None) -> list[dict]:
    """One analysis per capture; a capture that breaks off is analysed up to the break and says where."""
    from harness.han import analysis, capture

    results = []
    for path in paths:
        study = analysis.Analysis(thresholds)
        error = None
        try:
            study.add(capture.read(path, channel=channel, page=page))
        except capture.CaptureError as exc:
            if not study.frames:
                raise
            error = str(exc)
        results.append({"capture": str(path), **study.result(), "error": error})
    return results


def _han_line(r: dict) -> str:
    lines = [f"{r['capture']}: {r['frames']} frames" + (f" (malformed {r['malformed']})" if r["malformed"] else "")
             + (f"; {r['error']}" if r["error"] else "")]
    for band, b in r["bands"].items():
        lat = b["latency"]["overall"]
        timing = (f"response p50 {lat['p50_s'] * 1000:.1f} ms, p95 {lat['p95_s'] * 1000:.1f} ms, max "
                  f"{lat['max_s'] * 1000:.1f} ms over {lat['count']} exchanges") if lat else "no request/response pairs"
        busiest = max(b["duty_cycle"]["devices"].items(), key=lambda i: i[1]["max_percent"], default=None)
        duty = (f"busiest {busiest[0]} {busiest[1]['max_percent']:.3f} % of an hour ({busiest[1]['max_state']})"
                if busiest else "no transmitters")
        channels = ", ".join(f"ch {c}: {n}" for c, n in b["channels"].items())
        lines.append(f"  {band}: {b['frames']} frames ({channels}); {b['messages']} messages; {timing}; {duty}")
    lines += [f"  channel change {c['band']} {c['from']} -> {c['to']} at {c['time']} ({c['how']}; trigger "
              f"{c['trigger']})" for c in r["channel_changes"]]
    return "\n".join(lines)


def cmd_han_analyse(args) -> int:
    from harness.han import analysis, capture

    if args.channel is not None or args.page is not None:
        try:                         # no page: the analysis takes the channel as 2.4 GHz, so it must be one
            capture.check_channel(0 if args.page is None else args.page, args.channel)
        except DitError as exc:
            raise DitError(exc.what, where="dit han analyse --channel/--page", fix=exc.fix) from None
    if not args.limited < args.critical < args.regulated:
        raise DitError("duty cycle thresholds must rise: --limited < --critical < --regulated",
                       fix="e.g. --limited 1.3 --critical 2.2 --regulated 2.5")
    results = _han_results(args.capture, analysis.Thresholds(args.limited, args.critical, args.regulated),
                           args.channel, args.page)
    _emit(args, results, _han_line)
    return EXIT_FAILED if any(r["error"] for r in results) else EXIT_OK


def _record_han_evidence(book, run_id: int) -> None:
    """The run's HAN captures as DIT.11 (timings on both bands) and DIT.8 (duty cycle, frequency agility)
    evidence in the ledger, where the report reads it."""
    from harness.han import analysis, capture

    studies = []
    for execution in book.executions(run_id):
        path = Path(execution.evidence or "") / "han.pcap"
        if execution.evidence and path.is_file():
            try:
                studies.append(analysis.Analysis().add(capture.read(path)))
            except capture.CaptureError as exc:
                print(f"HAN capture not analysed: {exc}", file=sys.stderr)
    for requirement, (status, reference) in analysis.phase_evidence(studies).items():
        book.record_evidence(requirement, status, f"run {run_id}: {reference}", "dit run")
        print(f"{requirement} {status.replace('_', ' ')}: {reference}")


# -- the phase: dit report, dit issue, dit evidence, dit phase ----------------------------------------

def _write_report(dsn: str, out: Path, as_of, pdf: bool) -> dict:
    import datetime as dt

    from harness import criteria, report
    from harness.ledger import Ledger

    with Ledger(dsn, create=False) as book:
        phase = criteria.Phase.read(book, as_of=dt.date.fromisoformat(as_of) if as_of else None)
    assessment = criteria.assess(phase)
    written = report.write_report(assessment, out, pdf=pdf)
    exits = assessment["exit_criteria"]
    met = sum(v["status"] == "met" for v in exits)
    print(f"report: {', '.join(str(p) for p in written.values())}")
    print(f"exit criteria: {met} of {len(exits)} met -- {assessment['verdict']['text']}")
    return assessment


def cmd_report(args) -> int:
    from harness.ledger import DEFAULT_DSN

    if args.as_of:
        _iso_date(args.as_of, "--as-of")
    out = _output_dir(Path(args.out), "--out")
    assessment = _write_report(args.ledger or DEFAULT_DSN, out, args.as_of, pdf=not args.no_pdf)
    return EXIT_OK if all(v["status"] == "met" for v in assessment["exit_criteria"]) else EXIT_FAILED


def _iso_date(value: str, flag: str) -> str:
    import datetime as dt

    try:
        return dt.date.fromisoformat(value).isoformat()
    except ValueError:
        raise DitError(f"{flag} {value!r} is not a date", fix="write it as YYYY-MM-DD") from None


def _owner(args) -> str | None:
    return f"{args.manufacturer}" if args.manufacturer else args.owner


def _issue_line(i: dict) -> str:
    plan = f"  plan {i['work_off_plan']} due {i['plan_due']}" if i["work_off_plan"] else ""
    return f"{i['id']:10} sev {i['severity']}  {i['owner']:18} {i['status']:8} {i['title']}{plan}"


def _issue_row(issue) -> dict:
    from dataclasses import asdict

    return {**asdict(issue), "provider": issue.provider}


def cmd_issue_raise(args) -> int:
    with _ledger(args) as book:
        if not (args.owner or args.manufacturer):
            raise DitError("a test issue needs an owner", fix="give --owner DSP|'CSP N'|'CSP C/S' or --manufacturer")
        issue = book.raise_issue(args.title, args.severity, _owner(args), issue_id=args.id, security=args.security,
                                 executions=args.execution or [], scenarios=args.scenario or [],
                                 raised_at=args.raised)
    print(_issue_line(_issue_row(issue)))
    return EXIT_OK


def cmd_issue_update(args) -> int:
    with _ledger(args, create=False) as book:
        issue = book.update_issue(args.id, status=args.status, severity=args.severity, owner=_owner(args),
                                  work_off_plan=args.work_off_plan, plan_due=args.due,
                                  executions=args.execution or [], scenarios=args.scenario or [], on=args.on)
    print(_issue_line(_issue_row(issue)))
    return EXIT_OK


def cmd_issue_list(args) -> int:
    with _ledger(args, create=False) as book:
        rows = [_issue_row(i) for i in book.issues()]
    _emit(args, rows, _issue_line)
    return EXIT_OK


def cmd_evidence_record(args) -> int:
    import getpass

    with _ledger(args) as book:
        record = book.record_evidence(args.criterion, args.status, args.reference, args.by or getpass.getuser())
    print(f"{record.criterion}: {record.status} -- {record.reference} ({record.recorded_by}, {record.recorded_at})")
    return EXIT_OK


def _records(args, records, line: Callable[[dict], str]) -> int:
    from dataclasses import asdict

    _emit(args, [asdict(r) for r in records], line)
    return EXIT_OK


def cmd_evidence_list(args) -> int:
    with _ledger(args, create=False) as book:
        return _records(args, book.evidence(), lambda e: f"{e['criterion']:10} {e['status']:10} {e['reference']}  "
                                                         f"({e['recorded_by']}, {e['recorded_at']})")


def cmd_phase_set(args) -> int:
    with _ledger(args) as book:
        book.set_phase(args.name, args.quality_gate)
        print(f"phase {book.setting('name') or '(unnamed)'}; quality gate {book.setting('quality_gate') or '-'}")
    return EXIT_OK


def cmd_phase_runs(args) -> int:
    with _ledger(args, create=False) as book:
        return _records(args, book.runs(), lambda r: f"run {r['id']:<4} {r['status']:11} {r['started_at']}  "
                                                     f"{r['executions']:>5} executions  "
                                                     f"{r['selection'] or '(default selection)'}"
                                                     + (f"  ({r['reason']})" if r.get("reason") else ""))


def cmd_scenarios(args) -> int:
    from harness import scenarios

    variants = scenarios.discover()
    if args.json:
        json.dump([v.as_dict() for v in variants], sys.stdout, indent=2)
        sys.stdout.write("\n")
        return EXIT_OK
    for v in variants:
        srs = " ".join(s["sr"] for s in v.steps if "sr" in s)
        print(f"{v.id}  [{v.priority or '-'}{', business critical' if v.business_critical else ''}]  {srs}")
    print(f"{len(variants)} scenario variants in {len({v.family for v in variants})} families", file=sys.stderr)
    return EXIT_OK


def cmd_selfcheck(args) -> int:
    from harness.selfcheck import run_selfcheck

    return run_selfcheck(report_dir=_output_dir(Path(args.report_dir), "--report-dir"), schema_path=args.schema)


def cmd_duis_example(args) -> int:
    import datetime as dt

    from lxml import etree

    from harness.duis import examples, xml, xmldsig
    from harness.pki import SMKI, KeyUsage, default_directory

    smki = SMKI.open(default_directory())
    now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    root = examples.build_example(args.srv, smki, now, int(now.timestamp() * 1000))
    if args.sign:                # unindented: the DCC signs (and checks) the document without indentation
        cred = smki.keystore.credential(examples.SUPPLIER_A, KeyUsage.XML_SIGNING, private=True)
        xmldsig.sign(root, cred.private_key, cred.certificate)
    else:
        etree.indent(root)
    sys.stdout.buffer.write(xml.serialize(root) + b"\n")
    return EXIT_OK


# -- dit utrn ----------------------------------------------------------------------------------------

def cmd_utrn(args) -> int:
    import datetime as dt

    from harness.eui import EntityId
    from harness.gbcs import utrn
    from harness.pki import KeyUsage

    supplier, device = EntityId(args.supplier), EntityId(args.device)
    pence = utrn.parse_amount(args.amount)
    if args.value_class == "pounds":
        if pence % 100:
            raise DitError(f"{args.amount} is not whole pounds", where="dit utrn", fix="drop --value-class pounds")
        amount = {"pounds": pence // 100}
    else:
        if args.value_class == "pennies" and pence > utrn.MAX_VALUE:
            raise DitError(f"{args.amount} is more than {utrn.MAX_VALUE} pennies", where="dit utrn",
                           fix="drop --value-class pennies")
        amount = {"amount_pence": pence}
    if args.counter_from_time:
        counter = utrn.next_utrn_counter(None, dt.datetime.now(dt.UTC))
    else:
        counter = args.counter
    keystore = _keystore(args.keystore)
    private = keystore.private_key(supplier, KeyUsage.PREPAYMENT_KEY_AGREEMENT)
    public = keystore.public_key(device, KeyUsage.KEY_AGREEMENT)
    code = utrn.generate_utrn(supplier=supplier, device=device, counter=counter, supplier_pp_ka_private=private,
                              device_ka_public=public, **amount)
    if args.json:
        ptut = utrn.parse_utrn(code)
        json.dump({"utrn": code, "ptut": int(ptut), "counter": counter, "value_class": ptut.value_class.name.lower(),
                   "value": ptut.value}, sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        print(code)
    return EXIT_OK


# -- wiring ------------------------------------------------------------------------------------------

def _ledger_listing(commands, name: str, help_text: str, func) -> None:
    """A `dit ... list`-style command reading the phase ledger, as lines or --json."""
    listing = commands.add_parser(name, help=help_text)
    listing.add_argument("--ledger", metavar="DSN")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(func=func)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="dit", description="Device Integration Testing for GB smart metering")
    parser.add_argument("--debug", action="store_true", help="show tracebacks")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    run = sub.add_parser("run", help="run the business scenarios on a lab (default: the built-in emulated lab)")
    run.add_argument("--lab", metavar="FILE", help="lab config (default lab_configs/emulated.yaml)")
    run.add_argument("-k", metavar="EXPR", help="only scenarios whose names match (pytest -k)")
    run.add_argument("-m", metavar="MARKEXPR", help="only scenarios whose tags match, e.g. 'ESME and credit'")
    run.add_argument("--report-dir", default="reports", help="where to write results (default reports/)")
    run.add_argument("--without-optional", action="store_true",
                     help="leave out the SRs the seed marks optional (scenarios with them are tagged optional_srs)")
    run.add_argument("--baseline", action="append", metavar="ID",
                     help="release baseline of seed Table 7 (B1-B6; default B6); repeat for several")
    run.add_argument("--test-set", action="append", metavar="NAME",
                     help="test set of the lab (default: the first that fits the baseline); repeat for several")
    run.add_argument("--matrix", action="store_true",
                     help="every release baseline of Table 7 on every test set that fits it")
    run.add_argument("--ledger", metavar="DSN", help="phase ledger the run is recorded in, with the suspensions "
                     "(default phase.db in the report directory: sqlite:///reports/phase.db)")
    run.add_argument("--resume", action="store_true",
                     help="carry on the ledger's last unfinished run: what it finished is not run again")
    run.add_argument("--serial-consoles", action="store_true",
                     help="drive every emulated device and hand-held terminal through its serial console on a "
                          "pseudo-terminal (pyserial), as on a real bench")
    run.add_argument("--report", action="store_true",
                     help="end with the Test Phase Completion Report of the ledger (in <report-dir>/report/)")
    run.add_argument("-n", "--workers", type=_workers, metavar="N", help="parallel workers (pytest-xdist; a number "
                     "or auto, one per core); "
                     "scenarios of one test set of a real lab never run at the same time")
    run.set_defaults(func=cmd_run)

    scen = sub.add_parser("scenarios", help="list the business scenario variants and their SR sequences")
    scen.add_argument("--json", action="store_true")
    scen.set_defaults(func=cmd_scenarios)

    gbcs = sub.add_parser("gbcs", help="GBCS triage tools").add_subparsers(dest="gbcs_command", required=True,
                                                                          parser_class=_Parser)
    dec = gbcs.add_parser("decode", help="decode GBCS messages and check signatures and MACs")
    dec.add_argument("files", nargs="*", metavar="FILE", help="hex, base64 or binary GBCS message files")
    dec.add_argument("--hex", action="append", metavar="HEX", help="a message given on the command line")
    dec.add_argument("--keystore", action="append", metavar="DIR", help="keystore directory (repeatable)")
    dec.add_argument("--acb", default="90-B3-D5-1F-30-00-00-02", metavar="EUI",
                     help="the Access Control Broker that MACs commands (default the DCC)")
    dec.add_argument("--json", action="store_true")
    dec.set_defaults(func=cmd_gbcs_decode)
    prs = gbcs.add_parser("parse", help="a GBCS response or alert as MMC XML, as a DCC User's Parse makes it")
    prs.add_argument("files", nargs="+", metavar="FILE",
                     help="GBCS message files (hex, base64, binary) or DUIS responses carrying sr:GBCSPayload")
    prs.add_argument("--keystore", action="append", metavar="DIR",
                     help="keystore to decrypt encrypted content with (the recipient's KA private key)")
    prs.add_argument("--srv", metavar="SRV", help="the SR the response answers, where its message code is shared")
    prs.add_argument("--out-dir", metavar="DIR", help="write <file>.mmc.xml here instead of printing")
    prs.set_defaults(func=cmd_gbcs_parse)

    duis = sub.add_parser("duis", help="DUIS tools").add_subparsers(dest="duis_command", required=True,
                                                                   parser_class=_Parser)
    chk = duis.add_parser("check", help="check DUIS documents: schema and XML signature")
    chk.add_argument("files", nargs="+", metavar="FILE")
    chk.add_argument("--schema", metavar="XSD", help="DUIS schema (duis.xsd) to validate against")
    chk.add_argument("--keystore", action="append", metavar="DIR", help="keystore to verify signatures with")
    chk.add_argument("--json", action="store_true")
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
    tra.add_argument("--dsp-counter", type=_counter, metavar="N",
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
    sig.set_defaults(func=cmd_duis_sign)

    ex = duis.add_parser("example", help="print an example request of an SR, from the test SMKI's parties")
    ex.add_argument("srv", metavar="SRV")
    ex.add_argument("--sign", action="store_true", help="sign it as supplier A")
    ex.set_defaults(func=cmd_duis_example)

    selfcheck = sub.add_parser("selfcheck", help="build, sign and check every DIT SR with this installation's keys")
    selfcheck.add_argument("--report-dir", default="reports")
    selfcheck.add_argument("--schema", metavar="XSD", help="DUIS schema (default: $DIT_DUIS_XSD or ../shared)")
    selfcheck.set_defaults(func=cmd_selfcheck)

    pki = sub.add_parser("pki", help="test SMKI").add_subparsers(dest="pki_command", required=True,
                                                                parser_class=_Parser)
    init = pki.add_parser("init", help="create (or load) the test SMKI and list its credentials")
    init.add_argument("directory", nargs="?", help="keystore directory (default $DIT_SMKI or .dit/smki)")
    init.add_argument("--json", action="store_true")
    init.set_defaults(func=cmd_pki_init)

    lab = sub.add_parser("lab", help="lab configs and their Device Asset Library").add_subparsers(
        dest="lab_command", required=True, parser_class=_Parser)
    check = lab.add_parser("check", help="validate lab configs, their Device Asset Library and device profiles")
    check.add_argument("files", nargs="+", metavar="FILE")
    check.add_argument("--offline", action="store_true",
                       help="the config's shape only: open no serial port, contact no endpoint")
    check.set_defaults(func=cmd_lab_check)
    select = lab.add_parser("select", help="the DIT device selection requirements against the lab's DAL")
    select.add_argument("file", nargs="?", default=None, metavar="FILE")
    select.add_argument("--json", action="store_true")
    select.set_defaults(func=cmd_lab_select)
    suspend = lab.add_parser("suspend", help="suspend a device (never a CH) on one of the seed's four conditions")
    suspend.add_argument("asset", help="the device's name in the Device Asset Library")
    suspend.add_argument("--condition", type=int, required=True, choices=(1, 2, 3, 4),
                         help="1 I&C failed on the device; 2 cannot be put in credit/prepayment mode; "
                              "3 damaged and dangerous; 4 bricked or frozen")
    suspend.add_argument("--reason", required=True, help="what triage found")
    suspend.add_argument("--lab", metavar="FILE")
    suspend.add_argument("--ledger", metavar="DSN")
    suspend.set_defaults(func=cmd_lab_suspend)
    resume = lab.add_parser("resume", help="resume a suspended device once its fix is approved by the CRB")
    resume.add_argument("asset")
    resume.add_argument("--fix", required=True, metavar="REF", help="the change release board approval reference")
    resume.add_argument("--ledger", metavar="DSN")
    resume.set_defaults(func=cmd_lab_resume)
    _ledger_listing(lab, "suspensions", "list suspensions, active and resumed", cmd_lab_suspensions)
    serve = lab.add_parser("serve", help="serve one emulated test set as a real bench (mutual TLS DCC, serial "
                                         "consoles, ZEP sniffers) and write its real-lab config")
    serve.add_argument("--lab", metavar="FILE", help="an emulated lab config (default lab_configs/emulated.yaml)")
    serve.add_argument("--test-set", help="the test set to serve (default the first)")
    serve.add_argument("--out", default="reports/bench", help="where lab.yaml, tls/ and smki/ go")
    serve.add_argument("--time-scale", type=_positive_number, default=20.0,
                       help="bench seconds per wall second (a finite number above 0)")
    serve.set_defaults(func=cmd_lab_serve)

    han = sub.add_parser("han", help="HAN captures (DIT.8, DIT.11)").add_subparsers(
        dest="han_command", required=True, parser_class=_Parser)
    analyse = han.add_parser("analyse", help="frames, request/response timings, duty cycle and channel changes per "
                                             "band of pcap/pcapng captures (IEEE 802.15.4 link types 195, 230, 283)")
    analyse.add_argument("capture", nargs="+")
    analyse.add_argument("--limited", type=_percent, default=1.3, metavar="PERCENT",
                         help="Normal-Limited duty cycle threshold (SR 6.28; default 1.3)")
    analyse.add_argument("--critical", type=_percent, default=2.2, metavar="PERCENT",
                         help="Limited-Critical threshold (SR 6.28; default 2.2)")
    analyse.add_argument("--regulated", type=_percent, default=2.5, metavar="PERCENT",
                         help="Critical-Regulated threshold (not a DUIS field; default 2.5)")
    analyse.add_argument("--channel", type=int, help="the channel, for link types that do not record it (195, 230)")
    analyse.add_argument("--page", type=int, help="the channel page (0 = 2.4 GHz, 28-31 sub-GHz), likewise")
    analyse.add_argument("--json", action="store_true")
    analyse.set_defaults(func=cmd_han_analyse)

    rep = sub.add_parser("report", help="the Test Phase Completion Report from the phase ledger: HTML, PDF, JSON")
    rep.add_argument("--ledger", metavar="DSN", help="phase ledger (default sqlite:///reports/phase.db)")
    rep.add_argument("--out", default="reports/report", metavar="DIR", help="where to write (default reports/report)")
    rep.add_argument("--as-of", metavar="DATE", help="judge work-off plans on this day (default today)")
    rep.add_argument("--no-pdf", action="store_true", help="HTML and JSON only")
    rep.set_defaults(func=cmd_report)

    issue = sub.add_parser("issue", help="test issues in the phase ledger").add_subparsers(
        dest="issue_command", required=True, parser_class=_Parser)
    owners = "DSP, 'CSP N' or 'CSP C/S' (counted in the defect mask)"
    raise_ = issue.add_parser("raise", help="record a test issue")
    raise_.add_argument("--title", required=True)
    raise_.add_argument("--severity", required=True, type=int, choices=range(1, 6), help="1 (highest) to 5")
    raise_.add_argument("--id", metavar="REF", help="its reference, e.g. the ALM defect number (default TI-nnnn)")
    raise_.add_argument("--raised", metavar="DATE", help="when it was raised (default today)")
    raise_.add_argument("--security", action="store_true", help="a security defect (counted in the mask too)")
    update = issue.add_parser("update", help="change a test issue: status, severity, owner, work-off plan, links")
    update.add_argument("id")
    update.add_argument("--status", choices=("open", "fixed", "closed", "rejected"))
    update.add_argument("--severity", type=int, choices=range(1, 6))
    update.add_argument("--work-off-plan", metavar="REF", help="the agreed work-off plan's reference")
    update.add_argument("--due", metavar="DATE", help="the date the work-off plan is due")
    update.add_argument("--on", metavar="DATE", help="when the change happened (default today)")
    for command in (raise_, update):
        who = command.add_mutually_exclusive_group()
        who.add_argument("--owner", choices=("DSP", "CSP N", "CSP C/S"), help=owners)
        who.add_argument("--manufacturer", metavar="NAME", help="a device manufacturer (not in the defect mask)")
        command.add_argument("--execution", type=int, action="append", metavar="ID", help="link an execution")
        command.add_argument("--scenario", action="append", metavar="ID", help="link a scenario as a whole")
        command.add_argument("--ledger", metavar="DSN")
    raise_.set_defaults(func=cmd_issue_raise)
    update.set_defaults(func=cmd_issue_update)
    _ledger_listing(issue, "list", "list test issues", cmd_issue_list)

    evidence = sub.add_parser("evidence", help="evidence for entry criteria, board decisions and other criteria "
                                               "the records cannot show").add_subparsers(
        dest="evidence_command", required=True, parser_class=_Parser)
    record = evidence.add_parser("record", help="record evidence for DIT.EN.n, DIT.EX.11/12, DIT.7, DIT.8 ...")
    record.add_argument("criterion", help="e.g. DIT.EN.1")
    record.add_argument("--status", required=True, choices=("met", "workaround", "not_met"))
    record.add_argument("--reference", required=True, help="the minutes, certificate or document that shows it")
    record.add_argument("--by", help="who records it (default: your user name)")
    record.add_argument("--ledger", metavar="DSN")
    record.set_defaults(func=cmd_evidence_record)
    _ledger_listing(evidence, "list", "list recorded evidence", cmd_evidence_list)

    phase = sub.add_parser("phase", help="the phase: name, quality gate, runs").add_subparsers(
        dest="phase_command", required=True, parser_class=_Parser)
    setp = phase.add_parser("set", help="name the phase and record its quality gate meeting date")
    setp.add_argument("--name")
    setp.add_argument("--quality-gate", metavar="DATE", help="work-off plans are due in working days from it")
    setp.add_argument("--ledger", metavar="DSN")
    setp.set_defaults(func=cmd_phase_set)
    _ledger_listing(phase, "runs", "list the runs recorded in the ledger", cmd_phase_runs)

    utrn = sub.add_parser("utrn", help="vend a UTRN (prepayment top-up code) as a supplier would")
    utrn.add_argument("--supplier", required=True, metavar="EUI",
                      help="the vending supplier (its Prepayment KA key makes the tag)")
    utrn.add_argument("--device", required=True, metavar="EUI", help="the meter the UTRN is for")
    counter = utrn.add_mutually_exclusive_group(required=True)
    counter.add_argument("--counter", type=int, metavar="N", help="UTRN counter, a multiple of 2^32")
    counter.add_argument("--counter-from-time", action="store_true",
                         help="counter = seconds since the epoch << 32 (a first UTRN, or one sent by SR 2.2)")
    utrn.add_argument("--amount", required=True, metavar="POUNDS", help="top-up in pounds, e.g. 10.00")
    utrn.add_argument("--value-class", choices=("pennies", "pounds"),
                      help="force the PTUT value class (default: pennies when the amount fits, else pounds)")
    utrn.add_argument("--keystore", action="append", metavar="DIR",
                      help="keystore with the supplier's pp-ka key and the device's ka certificate "
                           "(default: the test SMKI, created on first use)")
    utrn.add_argument("--json", action="store_true")
    utrn.set_defaults(func=cmd_utrn)

    cat = sub.add_parser("catalogue", help="list DUIS Service Requests")
    cat.add_argument("srv", nargs="*", metavar="SRV")
    cat.add_argument("--json", action="store_true")
    cat.set_defaults(func=cmd_catalogue)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    debug = "--debug" in argv
    try:
        args = build_parser().parse_args(argv)
        return args.func(args)
    except DitError as exc:
        if debug:
            raise
        print(f"dit: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("dit: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
