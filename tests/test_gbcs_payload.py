"""The GBCS payload codec: every RTDS message decodes to typed values and encodes back to the same
bytes; bad payloads are one error naming the use case, the offset and what was expected."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
import rtds
from dit_command import dit
from hypothesis import given, settings
from hypothesis import strategies as st

from harness.gbcs import axdr, dlms, gbz, payload
from harness.gbcs.axdr import Data, PayloadError, Tag
from harness.gbcs.frame import GbcsMessage


def _messages(conformance) -> list[tuple[Path, GbcsMessage]]:
    return [(p, rtds.message(p)) for p in sorted((conformance / "gbcs" / "rtds").rglob("*.HEX"))]


def test_every_rtds_payload_decodes_fully_and_encodes_back(conformance):
    kinds = {}
    for path, message in _messages(conformance):
        decoded = payload.decode(message.apdu)
        assert decoded.undecoded_bytes == 0, path.name
        assert decoded.encode() == message.apdu.payload, path.name
        json.dumps(decoded.fields())            # the triage view is plain JSON
        kinds[decoded.kind] = kinds.get(decoded.kind, 0) + 1
    assert set(kinds) == set(payload.PayloadKind), kinds


def test_tariff_command_decodes_to_seasons_prices_and_activation_time(conformance):
    path = rtds.rtds_file(conformance, "ECS01a_1.1.1_FUTURE_DATED_TOU_BLOCK_SUCCESS_COMMAND_GBCS.HEX")
    fields = payload.decode(rtds.message(path).apdu).fields()
    requests = {(r["object"], r["attribute"]): r for r in fields["requests"] if "object" in r}
    seasons = requests[("Tariff Switching Table", "season_profile_passive")]["value"]
    assert [s["season_profile_name"] for s in seasons] == ["winter", "summer"]
    assert seasons[0]["season_start"] == "2014-10-27T00:00:00Z"
    activation = requests[("Tariff Switching Table", "activate_passive_calendar_time")]["value"]
    assert activation.startswith("2030-01-15")
    specials = requests[("Tariff Switching Table Special Days", "entries")]["value"]
    assert specials[1]["specialday_date"] == "*-12-25"     # every year


def test_future_dated_alerts_name_the_command_and_instruction(conformance):
    dlms_alert = payload.decode(rtds.message(rtds.rtds_file(
        conformance, "ECS01a_1.1.1_8F66_FUTURE_DATED_TOU_BLOCK_SUCCESS_ALERT_CURRENCY_UNIT_GBCS.HEX")).apdu).fields()
    assert dlms_alert["alert_code"] == "0x8F66"
    assert dlms_alert["future_dated_command"]["message_code"] == "0x0019"
    assert dlms_alert["future_dated_command"]["object"] == "Currency Unit"
    gbz_alert = payload.decode(rtds.message(rtds.rtds_file(
        conformance, "GCS02_1.6_8F66_FUTURE_DATED_SUCCESS_ALERT_CHANGE_PAYMENT_MODE_GBCS.HEX")).apdu).fields()
    assert gbz_alert["future_dated_command"]["command"] == "Change Payment Mode"
    assert gbz_alert["future_dated_command"]["originator_counter"] == 1001


def test_gbz_command_decodes_to_zcl_fields(conformance):
    path = rtds.rtds_file(conformance, "GCS02_1.6_FUTURE_DATED_SUCCESS_COMMAND_GBCS.HEX")
    fields = payload.decode(rtds.message(path).apdu).fields()
    component = fields["components"][0]
    assert component["command"] == "Change Payment Mode"
    assert component["fields"]["issuer_event_id"] == 473385600           # the DSP clock, 2015-01-01
    assert component["fields"]["implementation_date_time"] == "2030-01-15T09:00:00Z"
    assert component["fields"]["cut_off_value"] == -1


# -- bad payloads: one error naming the use case, the offset and what was expected ---------------------

def _with_payload(message: GbcsMessage, raw: bytes, **changes):
    return replace(message.apdu, payload=raw, **changes)


def test_a_payload_that_does_not_match_its_message_code(conformance):
    gas = rtds.message(rtds.rtds_file(conformance, "GCS11_3.5_SUCCESS_COMMAND_GBCS.HEX"))
    electricity = rtds.message(rtds.rtds_file(conformance, "ECS14_3.5_SUCCESS_COMMAND_GBCS.HEX"))
    with pytest.raises(PayloadError) as error:
        payload.decode(_with_payload(electricity, gas.apdu.payload))
    assert str(error.value) == ("ECS14: DLMS COSEM payload: not a DLMS payload: expected D9, DA or 0F, found 0x01 "
                                "at payload byte 0")


def test_a_truncated_dlms_structure(conformance):
    message = rtds.message(rtds.rtds_file(conformance, "ECS01a_1.1.1_IMMEDIATE_TOU_SUCCESS_COMMAND_GBCS.HEX"))
    with pytest.raises(PayloadError) as error:
        payload.decode(_with_payload(message, message.apdu.payload[:200]))
    assert str(error.value).startswith("ECS01a: DLMS COSEM payload: truncated")
    assert error.value.offset <= 200


def test_a_dlms_array_that_announces_more_elements_than_it_has():
    body = axdr.array(axdr.unsigned(1), axdr.unsigned(2)).encode()
    with pytest.raises(PayloadError, match="truncated array: 3 elements announced, 2 present at payload byte 6"):
        axdr.decode(b"\x01\x03" + body[2:])


def test_a_gbz_component_count_that_lies(conformance):
    message = rtds.message(rtds.rtds_file(conformance, "GCS11_3.5_SUCCESS_COMMAND_GBCS.HEX"))
    lying = message.apdu.payload[:2] + b"\x02" + message.apdu.payload[3:]
    with pytest.raises(PayloadError) as error:
        payload.decode(_with_payload(message, lying))
    assert str(error.value) == ("GCS11: ZigBee GBZ payload: GBZ component count says 2 but 1 components are "
                                "present at payload byte 2")


def test_a_gbz_component_length_that_overruns(conformance):
    message = rtds.message(rtds.rtds_file(conformance, "GCS11_3.5_SUCCESS_COMMAND_GBCS.HEX"))
    raw = bytearray(message.apdu.payload)
    raw[7] += 1                         # the component's length, low byte
    with pytest.raises(PayloadError, match="GCS11: ZigBee GBZ payload: GBZ component length says 16 bytes but 15 "
                                           "follow at payload byte 6"):
        payload.decode(_with_payload(message, bytes(raw)))


def test_an_asn1_payload_with_a_wrong_tag(conformance):
    message = rtds.message(rtds.rtds_file(conformance, "CS03B_8.7.2_SUCCESS_COMMAND_GBCS.HEX"))
    raw = b"\x31" + message.apdu.payload[1:]            # SET where the command is a SEQUENCE
    with pytest.raises(PayloadError) as error:
        payload.decode(_with_payload(message, raw))
    assert str(error.value).startswith("CS03B: ASN.1 DER payload:")
    assert error.value.offset == 0


def test_an_unknown_message_code(conformance):
    message = rtds.message(rtds.rtds_file(conformance, "ECS14_3.5_SUCCESS_COMMAND_GBCS.HEX"))
    with pytest.raises(PayloadError, match="unknown message code 0x7FFE"):
        payload.decode(_with_payload(message, message.apdu.payload, message_code=0x7FFE))


# -- A-XDR round trip -----------------------------------------------------------------------------------

_SCALARS = st.one_of(
    st.integers(0, 255).map(axdr.unsigned), st.integers(-128, 127).map(axdr.integer),
    st.integers(0, 0xFFFF).map(axdr.long_unsigned), st.integers(-2**31, 2**31 - 1).map(axdr.double_long),
    st.integers(0, 2**64 - 1).map(axdr.long64_unsigned), st.integers(0, 255).map(axdr.enum),
    st.binary(max_size=300).map(axdr.octet_string), st.booleans().map(axdr.boolean), st.just(axdr.NULL),
    st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=40).map(axdr.visible_string),
    st.text(alphabet="01", max_size=30).map(axdr.bit_string))
_DATA = st.recursive(_SCALARS, lambda children: st.one_of(
    st.lists(children, max_size=5).map(lambda items: axdr.array(*items)),
    st.lists(children, max_size=5).map(lambda items: axdr.structure(*items))), max_leaves=40)


@settings(max_examples=300, deadline=None)
@given(_DATA)
def test_any_axdr_value_round_trips(value: Data):
    raw = value.encode()
    decoded, end = axdr.decode(raw)
    assert end == len(raw)
    assert decoded.encode() == raw
    assert decoded.plain() == value.plain()


@settings(max_examples=200, deadline=None)
@given(_DATA, st.data())
def test_any_truncation_of_a_dlms_request_is_a_payload_error(value: Data, data):
    request = dlms.AccessRequest(dlms.invoke_id(1000), (dlms.RequestSpec(
        dlms.RequestKind.SET, dlms.Descriptor(1, dlms.Obis.parse("0-0:94.44.3.1"), 2)),), (value,)).encode()
    cut = data.draw(st.integers(0, len(request) - 1))
    with pytest.raises(PayloadError):
        dlms.decode(request[:cut])


def test_compact_arrays_round_trip():
    description = axdr.TypeDescription(Tag.STRUCTURE, 0, (axdr.TypeDescription(Tag.LONG_UNSIGNED),
                                                           axdr.TypeDescription(Tag.OCTET_STRING)))
    value = Data(Tag.COMPACT_ARRAY, (description, (axdr.structure(axdr.long_unsigned(7), axdr.octet_string(b"ab")),
                                                   axdr.structure(axdr.long_unsigned(8), axdr.octet_string(b"")))))
    raw = value.encode()
    assert axdr.decode(raw)[0] == value


def test_gbz_alert_time_is_seconds_since_2000():
    assert gbz.gbz_time(0x1C374A80).isoformat() == "2015-01-01T00:00:00+00:00"


# -- the commands ----------------------------------------------------------------------------------------

def test_dit_gbcs_decode_json_shows_every_rtds_payload_fully_decoded(conformance):
    files = sorted(str(p) for p in (conformance / "gbcs" / "rtds").rglob("*.HEX"))
    result = dit("gbcs", "decode", "--json", *files)
    assert result.returncode == 0, result.stderr or result.stdout[-2000:]
    rows = json.loads(result.stdout)
    assert len(rows) == len(files)
    assert all(row["error"] is None and row["payload"]["undecoded_bytes"] == 0 for row in rows)
    assert {row["payload"]["kind"] for row in rows} == {"dlms", "gbz", "asn1"}


def test_dit_gbcs_decode_text_prints_the_payload_as_a_tree(conformance):
    path = rtds.rtds_file(conformance, "GCS02_1.6_FUTURE_DATED_SUCCESS_COMMAND_GBCS.HEX")
    result = dit("gbcs", "decode", str(path))
    assert result.returncode == 0, result.stderr
    assert "  payload gbz (undecoded bytes: 0)" in result.stdout
    assert "implementation_date_time: 2030-01-15T09:00:00Z" in result.stdout


def test_dit_gbcs_decode_a_bad_payload_is_one_line_and_exit_1(conformance):
    message = rtds.message(rtds.rtds_file(conformance, "ECS14_3.5_SUCCESS_RESPONSE_GBCS.HEX"))
    broken = GbcsMessage(replace(message.apdu, payload=message.apdu.payload[:-1]), None)
    result = dit("gbcs", "decode", "--hex", broken.encode().hex())
    assert result.returncode == 1
    assert len(result.stdout.strip().splitlines()) == 1
    assert result.stdout.startswith("FAIL --hex: response 0x0023 ECS14 (SR 3.5) ")
    assert result.stdout.strip().endswith(
        "; payload: ECS14: DLMS COSEM payload: truncated access-response-specification list: 1 announced, "
        "0 present at payload byte 10")
    assert "Traceback" not in result.stderr
