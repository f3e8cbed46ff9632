"""The `dit` triage commands as a user runs them: real process, real exit codes, one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from dit_command import dit

from harness import catalogue
from harness.duis import requests, xml, xmldsig
from harness.duis.request_id import RequestId
from harness.pki import KeyUsage


def _one_error_line(result: subprocess.CompletedProcess) -> str:
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]


# -- dit duis check ----------------------------------------------------------------------------------

def test_real_signed_responses_are_valid(conformance):
    keys = conformance / "keys"
    signed = conformance / "duis" / "signed"
    result = dit("duis", "check", "--keystore", str(keys), "--json",
                 str(signed / "readfw-response.xml"), str(signed / "read-inventory-response-5.4.xml"))
    assert result.returncode == 0, result.stdout + result.stderr
    rows = json.loads(result.stdout)
    assert [r["signature_valid"] for r in rows] == [True, True]
    assert rows[1]["service_reference_variant"] == "8.2"


def test_bad_signature_sample_fails_with_exit_1(conformance):
    result = dit("duis", "check", "--keystore", str(conformance / "keys"),
                 str(conformance / "duis" / "signed" / "readfw-response-badsignature.xml"))
    assert result.returncode == 1
    assert result.stdout.startswith("FAIL") and "signature invalid" in result.stdout


def test_every_template_is_schema_valid(conformance):
    templates = sorted(str(p) for p in (conformance / "duis" / "templates").iterdir())
    result = dit("duis", "check", "--schema", str(conformance / "xsd" / "duis.xsd"), "--json", *templates)
    assert result.returncode == 0, result.stdout
    rows = json.loads(result.stdout)
    assert len(rows) == len(templates) and all(r["schema_valid"] for r in rows)
    for row in rows:   # whatever templates are there, each uses a command variant its SR allows
        sr = catalogue.service_request(row["service_reference_variant"])
        assert sr.allows(row["command_variant"]), (row["file"], row["command_variant"])


def test_schema_invalid_request_fails_with_the_line(conformance, tmp_path):
    bad = tmp_path / "bad.xml"
    text = (conformance / "duis" / "templates" / "CCS01_8.11_SUCCESS_REQUEST_DUIS.XML").read_text()
    bad.write_text(text.replace("<sr:JoinTimePeriod>90</sr:JoinTimePeriod>",
                                "<sr:JoinTimePeriod>9000</sr:JoinTimePeriod>"))
    result = dit("duis", "check", "--schema", str(conformance / "xsd" / "duis.xsd"), str(bad))
    assert result.returncode == 1
    assert "schema: line" in result.stdout and "JoinTimePeriod" in result.stdout


@pytest.mark.parametrize("content, expect", [
    (b"<sr:Request xmlns:sr='x'><sr:Header>", "not well-formed"),
    (b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>', "DOCTYPE"),
])
def test_malformed_and_hostile_xml_fail_cleanly(tmp_path, content, expect):
    path = tmp_path / "input.xml"
    path.write_bytes(content)
    result = dit("duis", "check", str(path))
    assert result.returncode == 1
    assert expect in result.stdout and "Traceback" not in result.stdout + result.stderr


def test_signature_by_the_wrong_key(smki, tmp_path):
    rid = RequestId.parse("90-B3-D5-1F-30-01-00-00:00-DB-12-34-56-78-90-A2:1000")
    root = requests.build("8.11", rid, device_id="00-DB-12-34-56-78-90-A0",
                          install_code="00112233445566778899AABBCCDDEEFF")
    wrong = smki.keystore.credential("90-B3-D5-1F-30-03-00-00", KeyUsage.XML_SIGNING, private=True)
    claimed = smki.keystore.credential("90-B3-D5-1F-30-01-00-00", KeyUsage.XML_SIGNING).certificate
    xmldsig.sign(root, wrong.private_key, claimed)          # supplier B's key, supplier A's certificate
    path = tmp_path / "forged.xml"
    path.write_bytes(xml.serialize(root))
    result = dit("duis", "check", "--keystore", str(smki.directory), str(path))
    assert result.returncode == 1 and "signature invalid" in result.stdout


def test_missing_file_and_missing_keystore_are_usage_errors(tmp_path):
    result = dit("duis", "check", str(tmp_path / "nope.xml"))
    assert result.returncode == 2 and "cannot read" in _one_error_line(result)
    (tmp_path / "a.xml").write_bytes(b"<a/>")
    result = dit("duis", "check", "--keystore", str(tmp_path / "nowhere"), str(tmp_path / "a.xml"))
    assert result.returncode == 2 and "keystore directory not found" in _one_error_line(result)


def test_unknown_flag_is_a_one_line_usage_error():
    result = dit("duis", "check", "--frobnicate", "x.xml")
    assert result.returncode == 2
    assert "unrecognized arguments" in _one_error_line(result)


# -- dit duis sign -----------------------------------------------------------------------------------

def test_sign_a_template_then_check_it(conformance, tmp_path):
    template = conformance / "duis" / "templates" / "CCS01_8.11_SUCCESS_REQUEST_DUIS.XML"
    signed = tmp_path / "signed.xml"
    env_smki = tmp_path / "smki"
    result = subprocess.run([sys.executable, "-m", "harness.cli", "duis", "sign", str(template), "--out", str(signed),
                             "--keystore", str(_smki_dir(env_smki)), "--schema", str(conformance / "xsd" / "duis.xsd")],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    check = dit("duis", "check", "--schema", str(conformance / "xsd" / "duis.xsd"), "--keystore", str(env_smki),
                "--json", str(signed))
    assert check.returncode == 0, check.stdout
    row = json.loads(check.stdout)[0]
    assert row["signature"] == "valid" and row["schema_valid"]
    assert not row["request_id"].endswith(":1002")         # a fresh counter, as the DCC signing tool does


def test_sign_preserving_the_counter(conformance, tmp_path):
    template = conformance / "duis" / "templates" / "CCS01_8.11_SUCCESS_REQUEST_DUIS.XML"
    result = dit("duis", "sign", "--preserve-counter", "--keystore", str(_smki_dir(tmp_path / "smki")),
                 str(template))
    assert result.returncode == 0, result.stderr
    assert "90-B3-D5-1F-30-01-00-00:00-DB-12-34-56-78-90-A2:1002" in result.stdout


def _smki_dir(path: Path) -> Path:
    from harness.pki import SMKI

    SMKI.open(path)
    return path


# -- dit gbcs decode ---------------------------------------------------------------------------------

def test_decode_every_rtds_file(conformance):
    files = sorted(str(p) for p in (conformance / "gbcs" / "rtds").rglob("*.HEX"))
    result = dit("gbcs", "decode", "--keystore", str(conformance / "gbcs" / "keystore"), "--json", *files)
    assert result.returncode == 0, result.stdout[-2000:]
    rows = json.loads(result.stdout)
    assert len(rows) == len(files) and not any(r["error"] for r in rows)
    assert {r["signature"] for r in rows} <= {"valid", "absent"} and {r["mac"] for r in rows} <= {"valid", "absent"}


def test_decode_tampered_and_truncated(conformance, tmp_path):
    source = conformance / "gbcs" / "rtds" / "6.23_CS02bSupplierByTransCoS" / \
        "CS02bSupplierByTransCoS_6.23_IMMEDIATE_SUCCESS_COMMAND_GBCS.HEX"
    raw = bytearray(bytes.fromhex(source.read_text().strip()))
    raw[60] ^= 0x80
    tampered, truncated = tmp_path / "tampered.hex", tmp_path / "truncated.hex"
    tampered.write_text(raw.hex())
    truncated.write_text(source.read_text().strip()[:150])
    keystore = str(conformance / "gbcs" / "keystore")
    result = dit("gbcs", "decode", "--keystore", keystore, str(tampered))
    assert result.returncode == 1 and "invalid" in result.stdout
    result = dit("gbcs", "decode", str(truncated))
    assert result.returncode == 1
    assert result.stdout.count("\n") == 1 and "truncated" in result.stdout


def test_decode_hex_argument_and_missing_file(tmp_path):
    result = dit("gbcs", "decode", "--hex", "DF 09 01 00")
    assert result.returncode == 1 and "FAIL --hex" in result.stdout
    result = dit("gbcs", "decode", str(tmp_path / "none.hex"))
    assert result.returncode == 2 and "cannot read" in _one_error_line(result)
    result = dit("gbcs", "decode")
    assert result.returncode == 2 and "nothing to decode" in _one_error_line(result)


# -- other commands ----------------------------------------------------------------------------------

def test_catalogue_lists_a_service_request():
    result = dit("catalogue", "--json", "8.11", "6.15.1")
    rows = json.loads(result.stdout)
    assert [r["srv"] for r in rows] == ["8.11", "6.15.1"] and rows[1]["critical"]
    result = dit("catalogue", "9.99")
    assert result.returncode == 2 and "unknown Service Reference Variant" in _one_error_line(result)


def test_pki_init_lists_credentials_without_private_keys(tmp_path):
    result = dit("pki", "init", str(tmp_path / "smki"), "--json")
    assert result.returncode == 0
    rows = json.loads(result.stdout)
    assert any(r["eui"] == "90-B3-D5-1F-30-00-00-02" and r["usage"] == "xml" for r in rows)
    assert "PRIVATE KEY" not in result.stdout + result.stderr


def test_decode_with_a_keystore_fails_a_message_whose_mac_it_cannot_check(conformance, tmp_path):
    """A flipped recipient bit leaves the MAC with no key to check it by: with --keystore given that is a
    failure (exit 1), not a pass; the untouched message passes."""
    keystore = conformance / "gbcs" / "keystore"
    path = conformance / "gbcs" / "rtds" / "6.2.9_ECS26j" / "ECS26j_6.2.9_SUCCESS_COMMAND_GBCS.HEX"
    raw = bytearray(bytes.fromhex(path.read_text().strip()))
    assert raw[0] == 0xDD                                   # MAC'd
    honest = dit("gbcs", "decode", "--keystore", str(keystore), str(path))
    assert honest.returncode == 0 and honest.stdout.startswith("PASS") and "mac valid" in honest.stdout, honest.stdout
    recipient = raw.index(bytes.fromhex("00DB1234567890A0"))  # the ESME, as the command's recipient
    raw[recipient] ^= 0x80                                 # a party the keystore does not know
    tampered = tmp_path / "tampered.hex"
    tampered.write_text(raw.hex().upper())
    result = dit("gbcs", "decode", "--keystore", str(keystore), str(tampered))
    assert result.returncode == 1 and result.stdout.startswith("FAIL") and "mac unknown_key" in result.stdout, \
        result.stdout
