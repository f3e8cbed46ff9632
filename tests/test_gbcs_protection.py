"""What a hand-held terminal picks out of a hub's collected messages after Local Command Delivery, and the
manufacturer's OTA image as a device and the DSP read it: its signature, its size field, its hash."""

from __future__ import annotations

import hashlib
import struct
from dataclasses import replace

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from harness.eui import EntityId
from harness.gbcs import local_delivery
from harness.gbcs.firmware_image import MalformedImage, build_image, parse_image
from harness.gbcs.frame import CraFlag, GbcsMessage, GeneralSigning, frame_with_mac
from tests.rtds import rtds_file

SUPPLIER = EntityId("90-B3-D5-1F-30-01-00-00")
ESME = EntityId("00-DB-12-34-56-78-90-A0")
GSME = EntityId("00-DB-12-34-56-78-90-A3")
CHF = EntityId("00-DB-12-34-56-78-90-A2")


def _message(cra: CraFlag, counter: int, originator: EntityId, recipient: EntityId, payload: bytes = b"\xd9\x01",
             code: int = 0x0019) -> bytes:
    return GeneralSigning(cra, counter, originator, recipient, code, payload).encode()


# -- Local Command Delivery ------------------------------------------------------------------------------

def test_the_response_to_a_delivered_command_comes_from_the_device_it_was_for():
    """Counters are the originator's own: another device may answer another command with the same counter,
    and it must not be taken for the response the terminal waits for."""
    command = _message(CraFlag.COMMAND, 1001, SUPPLIER, ESME)
    mine = _message(CraFlag.RESPONSE, 1001, ESME, SUPPLIER)
    other_device = _message(CraFlag.RESPONSE, 1001, GSME, SUPPLIER)
    assert local_delivery.response_to([mine, other_device], command) == mine
    assert local_delivery.response_to([other_device], command) is None
    assert local_delivery.response_to([_message(CraFlag.RESPONSE, 1002, ESME, SUPPLIER)], command) is None


def test_the_alert_brought_back_is_the_newest_with_that_code(conformance):
    """0x8F12: the CHF's device log backup (the RTDS alert); after two of them, the terminal brings back the latest."""
    older = bytes.fromhex(rtds_file(conformance, "CS14_NA_8F12_ALERT_GBCS.HEX").read_text().strip())
    message = GbcsMessage.decode(older)
    apdu = replace(message.apdu, originator_counter=message.apdu.originator_counter + 1)
    newer = frame_with_mac(apdu.encode(), message.mac or bytes(12))
    collected = [older, _message(CraFlag.RESPONSE, 5, ESME, SUPPLIER), newer, b"not gbcs"]
    assert local_delivery.alert(collected, 0x8F12) == newer
    assert local_delivery.alert(collected[:2], 0x8F12) == older
    assert local_delivery.alert(collected, 0x8F13) is None


# -- manufacturer images ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def manufacturer_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def _image(key: ec.EllipticCurvePrivateKey | None) -> bytes:
    return build_image(manufacturer_code=0x1234, image_type=0x0001, file_version=0x00020002, body=bytes(range(200)),
                       signing_key=key)


def test_an_image_is_named_by_the_sha256_of_the_whole_file(manufacturer_key):
    """11.3 names the image by the hash a User computes over the file it sent in 11.1: header, body and
    signature alike, not the upgrade image alone."""
    data = _image(manufacturer_key)
    assert parse_image(data).hash == hashlib.sha256(data).digest()


def test_an_unsigned_image_is_not_the_manufacturers(manufacturer_key):
    image = parse_image(_image(None))
    assert image.signature is None and not image.signed_by(manufacturer_key.public_key())
    assert parse_image(_image(manufacturer_key)).signed_by(manufacturer_key.public_key())


def test_an_image_whose_header_states_another_size_is_refused(manufacturer_key):
    """The OTA header's total image size is the file's size: a file with bytes added is not the one built."""
    data = _image(manufacturer_key)
    with pytest.raises(MalformedImage, match="OTA header says"):
        parse_image(data + b"\x00" * 6)
    shorter = bytearray(data)
    struct.pack_into("<I", shorter, 52, len(data) - 1)
    with pytest.raises(MalformedImage, match="OTA header says"):
        parse_image(bytes(shorter))
