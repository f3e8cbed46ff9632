"""Every Service Request of the DIT plan builds, signs and validates: the issue's 'build them all' check."""

from __future__ import annotations

import datetime as dt

import pytest

from harness import catalogue
from harness.duis import examples, requests, xml, xmldsig
from harness.pki import KeyUsage

NOW = dt.datetime(2026, 11, 21, 9, 0, tzinfo=dt.UTC)


def test_every_dit_sr_has_a_builder_and_an_example():
    buildable = set(requests.buildable())
    dit = [s.srv for s in catalogue.dit_service_requests()]
    assert [srv for srv in dit if srv not in buildable] == []
    assert examples.dit_examples() == dit


@pytest.mark.parametrize("srv", examples.dit_examples())
def test_dit_request_is_schema_valid_and_verifies_once_signed(srv, smki, duis_schema):
    root = examples.build_example(srv, smki, NOW, 1000)
    cred = smki.keystore.credential(examples.SUPPLIER_A, KeyUsage.XML_SIGNING, private=True)
    xmldsig.sign(root, cred.private_key, cred.certificate)
    parsed = xml.parse(xml.serialize(root))
    assert duis_schema.errors(parsed) == []
    assert xmldsig.verify(parsed, smki.keystore).valid
    service = catalogue.service_request(srv)
    assert int(xml.text(parsed, "sr:Header/sr:CommandVariant")) == service.default_command_variant
    assert parsed.find(f"sr:Body/sr:{service.body}", xml.NSMAP) is not None


def test_critical_srs_continue_with_a_signed_pre_command(duis_schema):
    from harness.duis.request_id import RequestId

    rid = RequestId.parse("90-B3-D5-1F-30-01-00-00:00-DB-12-34-56-78-90-A0:1000")
    for srv in [s.srv for s in catalogue.dit_service_requests() if s.critical]:
        root = requests.build_signed_pre_command(srv, rid, bytes.fromhex("DF0901"), execution_date_time=NOW)
        assert duis_schema.errors(root) == [], srv
        assert xml.text(root, "sr:Header/sr:CommandVariant") == "5"


def test_command_variants_are_enforced():
    from harness.duis.request_id import RequestId
    from harness.errors import DitError

    rid = RequestId.parse("90-B3-D5-1F-30-01-00-00:00-DB-12-34-56-78-90-A0:1000")
    with pytest.raises(DitError, match="does not allow command variant 1"):
        requests.build("1.6", rid, command_variant=1)
    with pytest.raises(DitError, match="signed Pre-Command"):
        requests.build("1.6", rid, command_variant=5)
    with pytest.raises(DitError, match="cannot carry a signed Pre-Command"):
        requests.build_signed_pre_command("8.11", rid, b"\xdf")
    assert xml.text(requests.build("2.2", rid, command_variant=2, utrn="73946144332040217315"),
                    "sr:Header/sr:CommandVariant") == "2"
