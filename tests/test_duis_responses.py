"""DUIS responses and alerts: parse what DCC Boxed sends, and build what the emulated DCC will send."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from lxml import etree

from harness.duis import xml
from harness.duis.request_id import RequestId
from harness.duis.responses import (
    ResponseKind,
    build_response,
    dcc_alert_message,
    device_alert_message,
    gbcs_payload,
    parse_response,
    pre_command,
    response_message,
)
from harness.duis.xml import E
from harness.errors import CheckFailed

WHEN = dt.datetime(2026, 11, 21, 10, 0, tzinfo=dt.UTC)
RID = RequestId.parse("90-B3-D5-1F-30-01-00-00:00-DB-12-34-56-78-90-A2:1000")


def test_real_inventory_response(conformance):
    r = parse_response((conformance / "duis" / "signed" / "read-inventory-response-5.4.xml").read_bytes())
    assert r.kind is ResponseKind.RESPONSE and r.success and r.service_reference_variant == "8.2"
    assert [d["DeviceType"] for d in r.inventory] == ["CHF", "CAD", "GPF"]
    assert r.inventory[2]["DeviceStatus"] == "InstalledNotCommissioned"


def test_real_device_response_carries_gbcs(conformance):
    r = parse_response((conformance / "duis" / "signed" / "readfw-response.xml").read_bytes())
    assert r.content == "GBCSPayload" and r.gbcs_payload[:1] == b"\xdd"
    assert r.response_id == r.request_id.response_id()


@pytest.mark.parametrize("body, kind, code", [
    (response_message("8.11"), ResponseKind.RESPONSE, None),
    (response_message("1.1.1", pre_command(bytes.fromhex("DF0901"))), ResponseKind.RESPONSE, None),
    (response_message("8.11", gbcs_payload(bytes.fromhex("DD00"))), ResponseKind.RESPONSE, None),
    (device_alert_message(0x8F12, bytes.fromhex("DD00")), ResponseKind.DEVICE_ALERT, "8F12"),
    (dcc_alert_message("N24", E.UpdateHANDeviceLogResult(E.UpdateHANDeviceLogServiceRequestID(str(RID)))),
     ResponseKind.DCC_ALERT, "N24"),
])
def test_built_responses_are_schema_valid_and_parse_back(duis_schema, body, kind, code):
    root = build_response(body, response_code="I0", response_date_time=WHEN, request_id=RID)
    assert duis_schema.errors(root) == []
    parsed = parse_response(xml.serialize(root))
    assert parsed.kind is kind and parsed.alert_code == code and parsed.request_id == RID
    assert parsed.stamped == WHEN                       # ResponseDateTime, the DCC's clock when it answered


def test_dcc_alert_names_the_request_it_concerns():
    root = build_response(dcc_alert_message("N24", E.UpdateHANDeviceLogResult(
        E.UpdateHANDeviceLogServiceRequestID(str(RID)))), response_code="I0", response_date_time=WHEN)
    parsed = parse_response(root)
    assert parsed.alert_body == "UpdateHANDeviceLogResult" and parsed.referenced_request_id == RID
    assert parsed.label == "DCC alert N24"


def test_pre_command_is_returned_to_be_signed():
    root = build_response(response_message("1.1.1", pre_command(b"\xdf\x09\x01", "2.0")), response_code="I0",
                          response_date_time=WHEN, request_id=RID)
    parsed = parse_response(root)
    assert parsed.pre_command == b"\xdf\x09\x01" and parsed.gbcs_version == "2.0"


def test_a_request_is_not_a_response():
    with pytest.raises(CheckFailed, match="expected sr:Response"):
        parse_response(b"<sr:Request xmlns:sr='http://www.dccinterface.co.uk/ServiceUserGateway'/>")


def test_error_codes():
    root = build_response(response_message("8.11"), response_code="E081103", response_date_time=WHEN, request_id=RID)
    parsed = parse_response(root)
    assert parsed.error and not parsed.success and not parsed.acknowledged


@pytest.mark.parametrize("tag", ["{http://www.dccinterface.co.uk/ServiceUserGateway}DeviceID", "DeviceID",
                                 "{urn:x}A_b-1.2"])
def test_local_names_are_what_lxml_says(tag):
    assert xml.local(tag) == etree.QName(tag).localname


def test_a_parser_reused_after_a_broken_document_reads_the_next_as_it_is():
    """Each thread parses with one parser: a document it refused leaves nothing behind for the next."""
    for _ in range(2):
        with pytest.raises(CheckFailed, match=r"x:2: not well-formed XML"):
            xml.parse(b"<sr:Response xmlns:sr='urn:x'>\n<sr:Header>", where="x")
        assert xml.parse(b"<a><b>1</b></a>").findtext("b") == "1"
    seen = []
    thread = threading.Thread(target=lambda: seen.append(xml._parser()))
    thread.start()
    thread.join()
    assert seen[0] is not xml._parser() and xml._parser() is xml._parser()


def test_an_acknowledgement_is_neither_a_success_nor_an_error():
    """I99 only says the DCC took a device command; the outcome comes later, so an exchange cannot succeed on it."""
    parsed = parse_response(build_response(response_message("11.2"), response_code="I99", response_date_time=WHEN,
                                           request_id=RID))
    assert parsed.acknowledged and not parsed.success and not parsed.error


def test_a_future_dated_commands_outcome_names_its_alert(duis_schema):
    """A device-pattern future-dated command's outcome comes as a ResponseMessage carrying the 0x8F66 / 0x8F67 alert
    code and the device's GBCS alert (dcc_interface.md section 6)."""
    content = E.FutureDatedDeviceAlertMessage(E.FutureDatedAlertCode("8F67"), gbcs_payload(bytes.fromhex("DF0902")),
                                              E.InstructionNumber("1"), E.TotalCommandInstructions("1"))
    root = build_response(response_message("11.1", content), response_code="I0", response_date_time=WHEN,
                          response_id=RID.response_id())
    assert duis_schema.errors(root) == []
    parsed = parse_response(xml.serialize(root))
    assert parsed.content == "FutureDatedDeviceAlertMessage"
    assert (parsed.alert_code, parsed.gbcs_payload) == ("8F67", bytes.fromhex("DF0902"))
