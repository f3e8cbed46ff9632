"""11.1 to many devices at once: each meter still verifies the image with its own manufacturer key, and a HAN
crowded by their answers gives each frame its turn after the channel frees, without a draw per backoff."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from harness.adapters.duis_client import accept_response
from harness.catalogue import DeviceType
from harness.clock import VirtualClock
from harness.dcc.base import Transcript
from harness.duis import xml
from harness.duis.request_id import RequestId
from harness.duis.responses import build_response, dcc_alert_message, device_alert_message
from harness.duis.xml import E
from harness.emulators.han import _LONGEST_BACKOFF, BAND_24GHZ, O_QPSK_2400, HanNetwork
from harness.eui import EntityId
from harness.gbcs import asn1, axdr, dlms, firmware_image
from harness.gbcs.firmware_image import build_image
from harness.pki import derive_private_key, signatures
from harness.usecases.device import alert_date_time
from harness.usecases.firmware import TRANSFER_RESPONSES, receipt_alert, transfer_alert
from tests.test_emulators import hub  # noqa: F401  (hub: the fixture)

HUB_EUI = EntityId("00-DB-12-34-56-78-90-A2")
SUPPLIER = "the Import Supplier"


def test_an_image_another_meter_verified_is_refused_by_a_meter_of_another_manufacturer(hub):  # noqa: F811
    (_, esme, _, _) = hub
    maker, other = derive_private_key(b"test", "manufacturer"), derive_private_key(b"test", "someone else")
    image = build_image(manufacturer_code=esme.manufacturer_code, image_type=esme.image_type, file_version=0x00020002,
                        body=bytes(1000), signing_key=maker)
    esme.init_firmware("00010001", maker.public_key())
    assert esme.receive_firmware(image)
    esme.init_firmware("00010001", other.public_key())         # the same bytes, a meter built with another key
    assert not esme.receive_firmware(image) and not esme.verified_images


def test_each_receipt_of_an_image_verifies_its_signature_anew(hub, monkeypatch):  # noqa: F811
    """The parse of the same bytes is shared; the verification, a device's own, is not remembered."""
    (_, esme, _, _) = hub
    maker = derive_private_key(b"test", "manufacturer")
    image = build_image(manufacturer_code=esme.manufacturer_code, image_type=esme.image_type, file_version=0x00020003,
                        body=bytes(1000), signing_key=maker)
    esme.init_firmware("00010001", maker.public_key())
    verified: list[bytes] = []

    def counted(digest, signature, key):
        verified.append(digest)
        return signatures.verify_digest(digest, signature, key)
    monkeypatch.setattr(firmware_image, "verify_digest", counted)
    assert esme.receive_firmware(image) and esme.receive_firmware(image)
    assert len(verified) == 2


def test_an_image_verifies_over_its_digest_as_over_its_bytes():
    """signed_by verifies the manufacturer's signature over the signed bytes' SHA-256 taken once: the verdict is
    pki.signatures.verify's over the bytes, for the image, a changed byte of it, a changed signature, another key."""
    maker, other = derive_private_key(b"test", "manufacturer"), derive_private_key(b"test", "someone else")
    data = build_image(manufacturer_code=0x1234, image_type=1, file_version=2, body=bytes(range(256)) * 4,
                       signing_key=maker)
    image = firmware_image.parse_image(data)
    signed = len(image.signed_bytes)
    tampered_body = firmware_image.parse_image(data[:100] + bytes([data[100] ^ 1]) + data[101:])
    tampered_signature = firmware_image.parse_image(data[:-1] + bytes([data[-1] ^ 1]))
    for candidate, key, expected in ((image, maker, True), (image, other, False), (tampered_body, maker, False),
                                     (tampered_signature, maker, False)):
        assert candidate.signed_by(key.public_key()) is expected
        assert signatures.verify(candidate.data[:signed], candidate.signature, key.public_key()) is expected


class _CountingRandom(random.Random):
    draws = 0

    def getrandbits(self, k):                       # type: ignore[override]  (randrange draws through it too)
        self.draws += 1
        return super().getrandbits(k)

    def gauss(self, *args, **kwargs):               # type: ignore[override]
        self.draws += 1
        return super().gauss(*args, **kwargs)


def test_a_frame_behind_a_crowd_starts_within_one_backoff_of_the_channel_freeing():
    clock = VirtualClock()
    han = HanNetwork(clock, hub=HUB_EUI)
    han._random = counting = _CountingRandom(1)
    now = clock.now().timestamp()
    for busy_s in (0.001, 0.5, 100.0, 5000.0):       # up to 50,000 meters' alerts ahead of it
        han._free_at[BAND_24GHZ] = free = now + busy_s
        start = han._channel_access(O_QPSK_2400, now)
        assert free <= start < free + _LONGEST_BACKOFF * O_QPSK_2400.symbol_s
    assert counting.draws < 400                      # a backoff at a time: about 1,000,000 draws


def test_an_uncrowded_channel_draws_backoff_by_backoff():
    clock = VirtualClock()
    han = HanNetwork(clock, hub=HUB_EUI)
    han._random = counting = _CountingRandom(1)
    now = clock.now().timestamp()
    han._free_at[BAND_24GHZ] = now + 0.02                 # a frame or two on air
    assert han._channel_access(O_QPSK_2400, now) >= now + 0.02
    assert counting.draws >= 3


# -- what is kept of a crowd's documents: what a triager needs, in bounded memory ------------------------------

def _signed_alert(lab, code: int, gbcs: bytes, counter: int) -> bytes:
    user = lab.user(SUPPLIER)
    return lab.dcc.dsp.sign(build_response(device_alert_message(code, gbcs), response_code="I0",
                                           response_date_time=lab.now(),
                                           response_id=RequestId(lab.device("ESME").eui, user.eui, counter)))


def test_the_supplier_holds_every_dcc_alert_and_reads_back_the_spilled_device_alerts_byte_for_byte(lab):
    user = lab.user(SUPPLIER)
    receiver = lab.receivers[user.eui]
    receiver.held = len(receiver.inbox) + 1                  # one more document held; then only DCC alerts
    n20 = lab.dcc.dsp.sign(build_response(
        dcc_alert_message("N20", E.FirmwareDistributionFailure(E.UpdateFirmwareRequestID("00-DB-00-00-00-00-00-01:"
                                                                                          "00-DB-00-00-00-00-00-02:1"),
                                                               E.MeterIDs(lab.device("ESME").eui.duis))),
        response_code="I0", response_date_time=lab.now(),
        response_id=RequestId(lab.dcc.dsp.identity.acb, user.eui, 7)))
    posted = [_signed_alert(lab, 0x8F72, b"receipt %d" % n, n) for n in (1, 2)] + [n20] + \
        [_signed_alert(lab, 0x8F72, b"receipt 3", 3)]
    before = len(receiver.inbox)
    for data in posted:
        assert receiver._on_post(receiver.path, data)[0] == 204
    kept = receiver.snapshot()[before:]
    assert [r.held for r in kept] == [True, False, True, False]      # the N20 stays in memory, past the bound
    assert [r.data for r in kept] == posted                          # the spilled ones read back as received
    assert [r.response.alert_code for r in kept] == ["8F72", "8F72", "N20", "8F72"]
    assert all(r.response.element is None for r in kept)            # no parsed tree kept per document


def test_the_dcc_transcript_counts_and_digests_every_document_and_holds_the_dcc_alerts():
    def transcript(documents):
        kept = Transcript(recent=2, notable_held=1)
        for label, data in documents:
            kept.add(label, data)
        return kept

    documents = [("device alert 8F72", b"a"), ("DCC alert N20", b"n20"), ("device alert 8F72", b"b"),
                 ("DCC alert N21", b"n21"), ("device alert 8F72", b"c")]
    kept = transcript(documents)
    assert kept.count == 5 and kept.notable_count == 2
    assert kept.documents == documents[-2:]                 # the latest
    assert kept.notable == [("DCC alert N20", b"n20")]     # the first DCC alert, past the recent ones
    assert kept.digest() == transcript(documents).digest()
    assert kept.digest() != transcript([*documents[:-1], ("device alert 8F72", b"C")]).digest()


def test_a_ch_writes_each_ccs08_from_one_encoding_as_asn1tools_would_encode_it():
    london = dt.timezone(dt.timedelta(hours=1))
    ok, failed = (0x8F8A, "FileTransferSuccess"), (0x8F89, "FileTransferFailure")
    for (code, response), device, version, when in (
            (ok, "00-DB-00-00-00-00-00-01", "00040001", dt.datetime(2026, 12, 5, 9, 1, 2, 345, tzinfo=dt.UTC)),
            (ok, "00-DB-00-00-00-00-C3-50", "00040001", dt.datetime(2027, 1, 1, 0, 0, 59, tzinfo=london)),
            (failed, "90-B3-D5-1F-30-01-00-00", "12345678", dt.datetime(2030, 6, 30, 23, 59, 0, tzinfo=dt.UTC))):
        expected = asn1.encode("FirmwareTransferAlert", {
            "alertCode": code, "executionDateTime": when.astimezone(dt.UTC).replace(microsecond=0),
            "entityId": bytes(EntityId(device)), "firmwareVersion": bytes.fromhex(version),
            "responseCode": TRANSFER_RESPONSES[response]})
        assert transfer_alert(code, EntityId(device), version, response)(1, when) == expected


def _without_signature_value(data: bytes) -> bytes:
    root = xml.parse(data)
    root.find("ds:Signature/ds:SignatureValue", xml.NSMAP).text = ""
    return xml.serialize(root)


@pytest.mark.parametrize("code, gbcs, counter", [(0x8F72, bytes(range(256)) * 2, 1), (0x8F1C, b"\x01", 2**40),
                                                 (0x0001, b"\x00", 9)])
def test_a_device_alert_signed_from_the_template_is_the_document_building_and_signing_it_gives(lab, code, gbcs,
                                                                                                counter):
    dsp, user = lab.dcc.dsp, lab.user(SUPPLIER)
    rid, at = RequestId(lab.device("ESME").eui, user.eui, counter), dt.datetime(2026, 12, 5, 9, 1, 2, 345678,
                                                                                tzinfo=dt.UTC)
    templated = dsp._alert_signer.sign(code, gbcs, response_id=rid, at=at)
    built = dsp.sign(build_response(device_alert_message(code, gbcs), response_code="I0", response_date_time=at,
                                    response_id=rid))
    assert _without_signature_value(templated) == _without_signature_value(built)
    read = accept_response(templated, keystore=lab.receivers[user.eui].keystore, schema=None)   # the User verifies it
    assert (read.alert_code, read.gbcs_payload, read.response_id) == (f"{code:04X}", gbcs, rid)


def test_a_templated_device_alert_is_valid_duis(lab, duis_schema):
    user = lab.user(SUPPLIER)
    templated = lab.dcc.dsp._alert_signer.sign(0x8F72, b"\x0f" * 40, at=lab.now(),
                                               response_id=RequestId(lab.device("ESME").eui, user.eui, 5))
    read = accept_response(templated, keystore=lab.receivers[user.eui].keystore, schema=duis_schema)
    assert read.alert_code == "8F72"


def test_a_meter_writes_each_receipt_from_one_encoding_as_the_dlms_codec_would_encode_it():
    london = dt.timezone(dt.timedelta(hours=1))
    for code, image_hash, counter, when in (
            (0x8F72, bytes(range(32)), 1, dt.datetime(2026, 12, 5, 9, 1, 2, 345, tzinfo=dt.UTC)),
            (0x8F72, bytes(32), 0x1234_5678_9A, dt.datetime(2027, 1, 1, 0, 0, 59, tzinfo=london)),
            (0x8F1C, b"\xff" * 32, 2**24 - 1, dt.datetime(2030, 6, 30, 23, 59, 0, tzinfo=dt.UTC))):
        body = axdr.structure(axdr.long_unsigned(code), axdr.octet_string(alert_date_time(when)),
                              axdr.octet_string(image_hash))
        expected = dlms.DataNotification(dlms.invoke_id(counter), body).encode()
        assert receipt_alert(DeviceType.ESME, code, image_hash)(counter, when) == expected
