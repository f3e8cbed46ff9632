"""HAN, inventory and Communications Hub SR bodies (8.x, 12.x) build schema-valid requests."""

from __future__ import annotations

import pytest

from harness.duis import requests, xml
from harness.duis.request_id import RequestId
from harness.errors import DitError

SUPPLIER = "90-B3-D5-1F-30-01-00-00"
DCC = "90-B3-D5-1F-30-00-00-02"
CHF = "00-DB-12-34-56-78-90-A2"
ESME = "00-DB-12-34-56-78-90-A0"


def _rid(target: str, counter: int = 1000) -> RequestId:
    return RequestId.parse(f"{SUPPLIER}:{target}:{counter}")


@pytest.mark.parametrize("srv, target, params", [
    ("8.2", DCC, {"device_id": ESME}),
    ("8.2", DCC, {"post_code": "AB1 2CD", "address_identifier": "12"}),
    ("8.3", DCC, {"device_id": ESME}),
    ("8.7.1", ESME, {"other_device_id": "00-DB-12-34-56-78-90-A4"}),
    ("8.7.2", "00-DB-12-34-56-78-90-A3", {"other_device_id": "00-DB-12-34-56-78-90-A1"}),
    ("8.8.1", ESME, {"other_device_id": "00-DB-12-34-56-78-90-A4"}),
    ("8.8.2", ESME, {"other_device_id": "00-DB-12-34-56-78-90-A6"}),
    ("8.9", CHF, {}),
    ("8.9", CHF, {"read_security_details": True}),
    ("8.11", CHF, {"device_id": ESME, "install_code": "30313233343536373839414243444546"}),
    ("8.11", CHF, {"device_id": ESME, "request_type": "Remove"}),
    ("8.12.1", "00-DB-12-34-56-78-90-B2", {"old_chf_id": CHF}),
    ("8.12.2", "00-DB-12-34-56-78-90-B3", {"old_gpf_id": "00-DB-12-34-56-78-90-A3"}),
    ("8.13", DCC, {"device_gbcs_response": bytes.fromhex("DF0902"), "original_request_id": f"{SUPPLIER}:{ESME}:999"}),
    ("8.14.1", DCC, {"device_id": CHF, "mpxn": "1312345678111"}),
    ("8.14.2", DCC, {"device_id": CHF, "mpxn": "1312345678111"}),
    ("12.1", DCC, {"uprn": 123456789012}),
    ("12.2", DCC, {"device_id": ESME, "device_type": "ESME", "esme_variant": "A"}),
    ("12.2", DCC, {"device_id": "00-DB-12-34-56-78-90-A7", "device_type": "HHT"}),
])
def test_han_bodies_are_schema_valid(duis_schema, srv, target, params):
    root = requests.build(srv, _rid(target), **params)
    assert duis_schema.errors(root) == []
    assert xml.text(root, "sr:Header/sr:ServiceReferenceVariant") == srv


def test_hht_is_prenotified_as_ihd():
    root = requests.build("12.2", _rid(DCC), device_id=ESME, device_type="HHT")
    assert xml.text(root, "sr:Body/sr:DevicePrenotification/sr:DeviceType") == "IHD"


def test_whitelisting_needs_an_install_code():
    with pytest.raises(DitError, match="install code"):
        requests.build("8.11", _rid(CHF), device_id=ESME)


def test_remove_carries_no_whitelist_entry():
    root = requests.build("8.11", _rid(CHF), device_id=ESME, request_type="Remove")
    assert root.find(".//sr:AddDeviceToCHFWhitelist", xml.NSMAP) is None


@pytest.mark.parametrize("word, expected", [("false", "false"), ("No", "false"), ("true", "true"), (True, "true"),
                                            (False, "false")])
def test_yes_no_words_from_gherkin_tables(word, expected):
    root = requests.build("8.14.2", _rid(DCC), device_id=CHF, mpxn="1312345678111", aerial_install=word)
    assert xml.text(root, ".//sr:AerialInstall") == expected


def test_a_yes_no_typo_is_refused():
    with pytest.raises(DitError, match="yes/no"):
        requests.build("8.14.2", _rid(DCC), device_id=CHF, mpxn="1312345678111", aerial_install="ture")
