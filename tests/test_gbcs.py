"""GBCS framing, signatures, KDF and MACs: public test vectors, RTDS messages, and our own round trips."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from hypothesis import given, settings
from hypothesis import strategies as st

from harness import catalogue
from harness.errors import DitError
from harness.eui import DCC_ACCESS_CONTROL_BROKER, EntityId
from harness.gbcs import crypto
from harness.gbcs import payload as gbcs_payload
from harness.gbcs.decode import Check, decode
from harness.gbcs.frame import (
    CraFlag,
    GbcsMessage,
    GeneralSigning,
    MalformedMessage,
    ber_length,
    decode_date_time,
    encode_date_time,
    frame_with_mac,
)
from harness.pki import Keystore, KeyUsage
from harness.pki.keystore import credential_of, write

SUPPLIER = EntityId("90-B3-D5-1F-30-01-00-00")
ESME = EntityId("00-DB-12-34-56-78-90-A0")
KEY_0F = bytes.fromhex("000102030405060708090a0b0c0d0e0f")


def _rtds(conformance) -> list[Path]:
    return sorted((conformance / "gbcs" / "rtds").rglob("*.HEX"))


# -- public vectors (gbcs-parser test suite facts) ---------------------------------------------------

def test_gcm_vectors():
    originator = EntityId("90b3d51f30030000")
    assert crypto.gcm_encrypt(KEY_0F, originator, b"", b"helloworld")[1].hex() == "fb3afed43b78508864f00da3"
    ciphertext, tag = crypto.gcm_encrypt(KEY_0F, originator, b"one two three", b"helloworld")
    assert (ciphertext.hex(), tag.hex()) == ("584fa806b24491178829d46c38", "6b33bdcb1e223242ec20b957")
    assert crypto.gcm_decrypt(KEY_0F, originator, ciphertext, tag, b"helloworld") == b"one two three"
    assert crypto.gcm_decrypt(KEY_0F, originator, ciphertext, bytes(12), b"helloworld") is None


def test_gmac_is_the_gcm_tag_over_the_mac_aad_cut_to_12_bytes(conformance, conformance_keystore):
    """GMAC through AESGCM's one-shot AEAD: the streaming GCM's tag over 11 00000000 || APDU (this vector's), cut
    to 12 bytes, and the MAC the DCC put on its RTDS commands."""
    originator = EntityId("90b3d51f30030000")
    assert crypto.gmac(KEY_0F, originator, b"helloworld").hex() == "78937b1ccd8b630300c76cea"
    assert crypto.gmac(KEY_0F, originator, b"helloworld") == crypto.gcm_encrypt(
        KEY_0F, originator, b"", crypto.MAC_AAD_PREFIX + b"helloworld")[1]
    acb_ka = conformance_keystore.private_key(DCC_ACCESS_CONTROL_BROKER, KeyUsage.KEY_AGREEMENT)
    macs = 0
    for path in _rtds(conformance):
        if "_COMMAND_GBCS" not in path.name or "PRECOMMAND" in path.name:
            continue
        message = GbcsMessage.decode(bytes.fromhex(re.sub(r"\s", "", path.read_text())))
        device = conformance_keystore.find(message.apdu.recipient, KeyUsage.KEY_AGREEMENT)
        if message.mac is None or device is None:
            continue
        key = crypto.mac_key(message.apdu, acb_ka, device.public_key)
        assert crypto.gmac(key, message.apdu.originator, message.apdu_bytes) == message.mac, path.name
        macs += 1
    assert macs >= 5


def test_kdf_vectors(conformance_keystore):
    acb_ka = conformance_keystore.private_key(DCC_ACCESS_CONTROL_BROKER, KeyUsage.KEY_AGREEMENT)
    esme_ka = conformance_keystore.public_key(ESME, KeyUsage.KEY_AGREEMENT)
    key = crypto.derive_key(acb_ka, esme_ka, originator=SUPPLIER, counter=0x0000000100000000, recipient=ESME, mode=1)
    assert key.hex().upper() == "6A93E360717394015DF93E031218C9A6"
    supplier_ka = conformance_keystore.private_key(SUPPLIER, KeyUsage.KEY_AGREEMENT)
    key = crypto.derive_key(supplier_ka, esme_ka, originator=ESME, counter=0x0000000100000000, recipient=SUPPLIER,
                            mode=2)
    assert key.hex().upper() == "03FD30815577C49EB7E3834B63EF8302"
    key = crypto.derive_key(supplier_ka, esme_ka, originator=ESME, counter=0x07D1, recipient=SUPPLIER, mode=3)
    assert key.hex().upper() == "558FB1FA6660AF0D9E8365C47804B8FA"


# -- RTDS messages ------------------------------------------------------------------------------------

def test_every_rtds_message_round_trips_byte_for_byte(conformance):
    for path in _rtds(conformance):
        raw = bytes.fromhex(path.read_text().strip())
        assert GbcsMessage.decode(raw).encode() == raw, path.name


def test_rtds_message_codes_match_the_use_case_in_the_file_name(conformance):
    for path in _rtds(conformance):
        result = decode(path.read_text(), file=path.name)
        assert result.error is None, path.name
        use_case = path.name.split("_")[0]
        srv = path.parent.name.split("_")[0]
        code = int(result.message_code, 16)
        allowed = set(catalogue.use_case(use_case).message_codes)
        named = re.search(r"_ALERT_([A-Z]+[0-9]+[A-Za-z0-9]*)_GBCS", path.name)
        if named:   # an alert named after the use case that raises it (DBCH04 ... ALERT_DBCH09)
            allowed |= set(catalogue.use_case(named.group(1)).message_codes)
        if srv != "NA":
            allowed |= set(catalogue.service_request(srv).fd_alert_codes)
        assert code in allowed, (path.name, result.message_code)


def test_rtds_signatures_and_macs_verify(conformance, conformance_keystore):
    checked = {"signature": 0, "mac": 0}
    for path in _rtds(conformance):
        result = decode(path.read_text(), keystore=conformance_keystore, file=path.name)
        if "PRECOMMAND" in path.name:
            assert result.signature == Check.ABSENT.value and result.mac == Check.ABSENT.value
            continue
        assert result.signature in (Check.VALID.value, Check.ABSENT.value), path.name
        assert result.mac in (Check.VALID.value, Check.ABSENT.value), path.name
        checked["signature"] += result.signature == Check.VALID.value
        checked["mac"] += result.mac == Check.VALID.value
        critical = path.parent.name.split("_")[0] in ("1.1.1", "6.23", "6.21", "11.3")
        if critical and ("COMMAND" in path.name or "ALERT" in path.name or "RESPONSE" in path.name):
            assert result.signature == Check.VALID.value, path.name
    assert checked["signature"] >= 40 and checked["mac"] >= 20


def test_rtds_alert_codes(conformance):
    """Every RTDS alert whose file names its code (CS14_NA_8F12_ALERT, ..._8F66_FUTURE_DATED_...) carries that
    code, DLMS, GBZ and ASN.1 alike."""
    named = re.compile(r"^[A-Za-z0-9-]+_(?:[\d.]+|NA)_([0-9A-F]{4})_")
    checked = 0
    for path in _rtds(conformance):
        match = named.match(path.name)
        if "ALERT" in path.name and match:
            msg = GbcsMessage.decode(bytes.fromhex(path.read_text().strip()))
            assert gbcs_payload.alert_code(msg.apdu) == int(match[1], 16), path.name
            checked += 1
    assert checked >= 3


def test_an_asn1_alert_code_is_the_one_its_field_view_shows(conformance):
    """alert_code_of reads an ASN.1 payload's alertCode off the decoded value: what fields() shows, for every RTDS
    message with an ASN.1 payload (alerts and the responses and commands that carry none)."""
    checked = codes = 0
    for path in _rtds(conformance):
        apdu = GbcsMessage.decode(bytes.fromhex(path.read_text().strip())).apdu
        try:
            decoded = gbcs_payload.decode(apdu)
        except DitError:
            continue
        if decoded.kind is not gbcs_payload.PayloadKind.ASN1:
            continue
        shown = decoded.value.fields()
        code = shown.get("alertCode", {}).get("code") if isinstance(shown, dict) else None
        assert gbcs_payload.alert_code_of(decoded) == (None if code is None else int(code, 16)), path.name
        checked, codes = checked + 1, codes + (code is not None)
    assert checked >= 10 and codes >= 2


@pytest.mark.parametrize("offset", [0, 30, 60, -1])
def test_a_tampered_rtds_command_is_reported_invalid(conformance, conformance_keystore, offset):
    path = conformance / "gbcs" / "rtds" / "11.3_CS06" / "CS06_11.3_IMMEDIATE_SUCCESS_COMMAND_GBCS.HEX"
    raw = bytearray(bytes.fromhex(path.read_text().strip()))
    position = len(raw) - 20 if offset == -1 else 40 + offset    # inside the APDU, past the frame header
    raw[position] ^= 0x01
    result = decode(bytes(raw), keystore=conformance_keystore)
    assert result.error is None
    assert Check.INVALID.value in (result.signature, result.mac)
    assert not result.ok


def test_the_ccs01_command_mac_needs_the_acb(conformance, conformance_keystore):
    text = (conformance / "gbcs" / "rtds" / "8.11_CCS01" / "CCS01_8.11_SUCCESS_COMMAND_GBCS.HEX").read_text()
    assert decode(text, keystore=conformance_keystore).mac == Check.VALID.value
    wrong_acb = decode(text, keystore=conformance_keystore, access_control_broker=EntityId("90b3d51f30000007"))
    assert wrong_acb.mac == Check.INVALID.value


def test_decode_without_a_keystore_reports_unknown_keys(conformance):
    path = conformance / "gbcs" / "rtds" / "1.1.1_ECS01a" / "ECS01a_1.1.1_IMMEDIATE_TOU_SUCCESS_COMMAND_GBCS.HEX"
    result = decode(path.read_text())
    assert (result.signature, result.mac) == (Check.UNKNOWN_KEY.value, Check.UNKNOWN_KEY.value)
    assert result.use_case == "ECS01a" and result.service_requests == ["1.1.1"]



CCS01_COMMAND = ("8.11_CCS01", "CCS01_8.11_SUCCESS_COMMAND_GBCS.HEX")


@pytest.mark.parametrize("what", ["segmented", "security header", "service length"])
def test_a_general_ciphering_frame_that_is_not_gbcs_is_refused(conformance, what):
    """DD 000000000000 <length> 11 00000000 | APDU | MAC: a GBT (segmented) frame, another security header, or a
    ciphered service length that does not reach the end of the frame is not a GBCS message, however readable the
    APDU inside it is."""
    raw = bytearray(bytes.fromhex((conformance / "gbcs" / "rtds" / CCS01_COMMAND[0] / CCS01_COMMAND[1])
                                  .read_text().strip()))
    assert raw[:9].hex().upper() == "DD0000000000008191" and raw[9] == 0x11   # 81 91: the length, then the header
    if what == "segmented":
        raw[6] = 0x01
    elif what == "security header":
        raw[10] = 0x01
    else:
        raw[8] -= 1
    with pytest.raises(MalformedMessage):
        GbcsMessage.decode(bytes(raw))
    result = decode(bytes(raw))
    assert result.error and not result.ok


def test_decode_with_a_keystore_fails_a_signature_it_has_no_key_for(conformance, conformance_keystore):
    """Triage with keys: the RTDS tariff command's APDU with its originator changed to a party the keystore does not
    know is not a pass; without a keystore nothing can be checked, and that alone does not fail a message."""
    path = conformance / "gbcs" / "rtds" / "1.1.1_ECS01a" / "ECS01a_1.1.1_IMMEDIATE_TOU_SUCCESS_COMMAND_GBCS.HEX"
    apdu = GbcsMessage.decode(bytes.fromhex(path.read_text().strip())).apdu_bytes
    assert decode(apdu, keystore=conformance_keystore).ok             # signed, no MAC frame, payload decodes
    stranger = apdu.replace(bytes(SUPPLIER), bytes(EntityId("90-B3-D5-1F-30-0F-00-00")), 1)
    with_keys = decode(stranger, keystore=conformance_keystore)
    assert (with_keys.signature, with_keys.mac, with_keys.error) == (Check.UNKNOWN_KEY.value, Check.ABSENT.value, None)
    assert not with_keys.ok
    without = decode(stranger)
    assert without.signature == Check.UNKNOWN_KEY.value and without.ok

# -- our own messages ---------------------------------------------------------------------------------

def _command(counter: int = 1001, payload: bytes = b"\xd9\x01\x02\x03") -> GeneralSigning:
    return GeneralSigning(cra_flag=CraFlag.COMMAND, originator_counter=counter, originator=SUPPLIER, recipient=ESME,
                          message_code=0x0019, payload=payload)


def test_sign_and_verify_a_critical_command(smki):
    signed = crypto.sign_apdu(_command(), smki.keystore.private_key(SUPPLIER, KeyUsage.DIGITAL_SIGNING))
    assert crypto.verify_apdu(signed, smki.keystore.public_key(SUPPLIER, KeyUsage.DIGITAL_SIGNING))
    decoded = GeneralSigning.decode(signed.encode())
    assert decoded == signed
    assert crypto.verify_apdu(decoded, smki.keystore.public_key(SUPPLIER, KeyUsage.DIGITAL_SIGNING))
    # signed by another supplier: the supplier's certificate does not verify it
    forged = crypto.sign_apdu(_command(),
                              smki.keystore.private_key("90-B3-D5-1F-30-03-00-00", KeyUsage.DIGITAL_SIGNING))
    assert not crypto.verify_apdu(forged, smki.keystore.public_key(SUPPLIER, KeyUsage.DIGITAL_SIGNING))


def test_signature_covers_the_counter_and_payload(smki):
    key = smki.keystore.private_key(SUPPLIER, KeyUsage.DIGITAL_SIGNING)
    public = smki.keystore.public_key(SUPPLIER, KeyUsage.DIGITAL_SIGNING)
    signed = crypto.sign_apdu(_command(), key)
    replayed_counter = GeneralSigning.decode(signed.encode().replace((1001).to_bytes(8, "big"),
                                                                     (1002).to_bytes(8, "big")))
    assert not crypto.verify_apdu(replayed_counter, public)
    assert not crypto.verify_apdu(_command(payload=b"\xd9\x01\x02\x04").with_signature(signed.signature), public)


def test_pre_command_signing_accepts_both_dcc_boxed_endings(smki):
    key = smki.keystore.private_key(SUPPLIER, KeyUsage.DIGITAL_SIGNING)
    public = smki.keystore.public_key(SUPPLIER, KeyUsage.DIGITAL_SIGNING)
    pre = _command().pre_command()
    for received in (pre, pre + b"\x00"):               # Boxed >= 1.4.1 appends a 00 length byte
        signed = GeneralSigning.decode(crypto.sign_pre_command(received, key))
        assert signed.signed_bytes == _command().signed_bytes
        assert crypto.verify_apdu(signed, public)


def test_mac_round_trip_either_side_derives_the_same_key(smki):
    ks = smki.keystore
    apdu = _command()
    acb_side = crypto.mac_key(apdu, ks.private_key(DCC_ACCESS_CONTROL_BROKER, KeyUsage.KEY_AGREEMENT),
                              ks.public_key(ESME, KeyUsage.KEY_AGREEMENT))
    device_side = crypto.mac_key(apdu, ks.private_key(ESME, KeyUsage.KEY_AGREEMENT),
                                 ks.public_key(DCC_ACCESS_CONTROL_BROKER, KeyUsage.KEY_AGREEMENT))
    assert acb_side == device_side
    raw = frame_with_mac(apdu.encode(), crypto.gmac(acb_side, apdu.originator, apdu.encode()))
    assert decode(raw, keystore=ks).mac == Check.VALID.value
    tampered = bytearray(raw)
    tampered[-1] ^= 0xFF
    assert decode(bytes(tampered), keystore=ks).mac == Check.INVALID.value


def test_decode_tries_every_key_a_rekeyed_device_had(smki, tmp_path):
    """A run's evidence holds messages from before and after a rekey: each verifies with the key of its time."""
    old_ds, old_ka = (smki.keystore.private_key(ESME, u) for u in (KeyUsage.DIGITAL_SIGNING, KeyUsage.KEY_AGREEMENT))
    new_ds, new_ka = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    rekeyed = [credential_of(smki.device_certificate(ESME, u, k.public_key()))
               for u, k in ((KeyUsage.DIGITAL_SIGNING, new_ds), (KeyUsage.KEY_AGREEMENT, new_ka))]
    supplier_ka = smki.keystore.credential(SUPPLIER, KeyUsage.KEY_AGREEMENT, private=True)
    public = [replace(c, private_key=None) for c in smki.keystore.certificates() if c is not supplier_ka]
    write(tmp_path, [*public, supplier_ka, *rekeyed])
    ks = Keystore.load(tmp_path)
    assert len(ks.candidates(ESME, KeyUsage.DIGITAL_SIGNING)) == len(ks.candidates(ESME, KeyUsage.KEY_AGREEMENT)) == 2

    def response(ds, ka) -> bytes:
        apdu = crypto.sign_apdu(GeneralSigning(cra_flag=CraFlag.RESPONSE, originator_counter=7, originator=ESME,
                                               recipient=SUPPLIER, message_code=0x0019, payload=b"\xd9\x01"), ds)
        return crypto.seal(apdu, ka_private=ka, ka_public=supplier_ka.public_key)

    for ds, ka in ((old_ds, old_ka), (new_ds, new_ka)):
        result = decode(response(ds, ka), keystore=ks)
        assert (result.signature, result.mac) == (Check.VALID.value, Check.VALID.value)
    stranger = ec.generate_private_key(ec.SECP256R1())
    result = decode(response(stranger, stranger), keystore=ks)
    assert (result.signature, result.mac) == (Check.INVALID.value, Check.INVALID.value)
    # Public certificates alone check signatures; a MAC needs one side's KA private key.
    write(tmp_path / "public", [*public, replace(supplier_ka, private_key=None), *rekeyed])
    assert not list((tmp_path / "public").glob("*.key"))
    result = decode(response(new_ds, new_ka), keystore=Keystore.load(tmp_path / "public"))
    assert (result.signature, result.mac) == (Check.VALID.value, Check.UNKNOWN_KEY.value)


def test_encrypted_fields_go_end_to_end_to_the_supplementary_party(smki):
    ks = smki.keystore
    response = GeneralSigning(cra_flag=CraFlag.RESPONSE, originator_counter=5, originator=ESME,
                              recipient=DCC_ACCESS_CONTROL_BROKER, message_code=0x0019, payload=b"",
                              supplementary_remote_party=SUPPLIER, supplementary_remote_party_counter=7,
                              supplementary_originator_counter=9)
    device_key = crypto.encryption_key(response, ks.private_key(ESME, KeyUsage.KEY_AGREEMENT),
                                       ks.public_key(SUPPLIER, KeyUsage.KEY_AGREEMENT))
    supplier_key = crypto.encryption_key(response, ks.private_key(SUPPLIER, KeyUsage.KEY_AGREEMENT),
                                         ks.public_key(ESME, KeyUsage.KEY_AGREEMENT))
    assert device_key == supplier_key
    # OtherInfo of mode 04: the supplementary originator counter and remote party stand for the header's own
    assert device_key == crypto.derive_key(ks.private_key(SUPPLIER, KeyUsage.KEY_AGREEMENT),
                                           ks.public_key(ESME, KeyUsage.KEY_AGREEMENT), originator=ESME, counter=9,
                                           recipient=SUPPLIER, mode=4)
    sealed = crypto.encrypt_field(device_key, ESME, b"meter balance 1234")
    assert crypto.decrypt_field(supplier_key, ESME, sealed) == b"meter balance 1234"
    acb_key = crypto.encryption_key(response, ks.private_key(DCC_ACCESS_CONTROL_BROKER, KeyUsage.KEY_AGREEMENT),
                                    ks.public_key(ESME, KeyUsage.KEY_AGREEMENT))
    assert crypto.decrypt_field(acb_key, ESME, sealed) is None


def test_date_time_and_supplementary_fields_round_trip():
    when = dt.datetime(2026, 11, 21, 9, 30, 15, 250000, tzinfo=dt.UTC)
    apdu = GeneralSigning(cra_flag=CraFlag.RESPONSE, originator_counter=2**63, originator=ESME, recipient=SUPPLIER,
                          message_code=0x0107, payload=bytes(300), date_time=when,
                          supplementary_remote_party=DCC_ACCESS_CONTROL_BROKER,
                          supplementary_remote_party_counter=42)
    again = GeneralSigning.decode(apdu.encode())
    assert again == apdu and again.date_time == when and len(again.payload) == 300



def test_the_header_date_time_is_a_dlms_date_time():
    """DLMS date-time: year, month, day, day of week 1 (Monday) to 7 (Sunday), hour, minute, second, hundredths,
    deviation 8000 (unspecified), clock status; as the harness writes it and reads it back."""
    sunday = dt.datetime(2026, 11, 22, 23, 59, 58, 990000, tzinfo=dt.UTC)
    assert encode_date_time(sunday).hex().upper() == "0C07EA0B1607173B3A63800000"
    assert encode_date_time(sunday - dt.timedelta(days=6))[5] == 1          # a Monday
    assert encode_date_time(None) == b"\x00"
    assert decode_date_time(encode_date_time(sunday)[1:]) == sunday


@pytest.mark.parametrize(("size", "length"), [(127, "7F"), (128, "8180"), (255, "81FF"), (256, "820100")])
def test_payload_lengths_take_the_shortest_ber_form(size, length):
    """BER definite lengths: one byte up to 127, then 81 nn, then 82 nn nn (0x80 alone would be the indefinite
    form, which GBCS does not use)."""
    assert ber_length(size).hex().upper() == length
    apdu = _command(payload=bytes(size))
    encoded = apdu.encode()
    assert encoded[:-1].endswith(bytes.fromhex(length) + bytes(size))
    assert GbcsMessage.decode(encoded).apdu == apdu

def _shapes() -> list[bytes]:
    """APDUs of every shape the reader knows: date-time or not, other information of 2, 10, 18, 26 bytes and with a
    KA certificate, payload lengths in each BER form, signed and unsigned."""
    when = dt.datetime(2026, 11, 21, 9, 30, 15, 250000, tzinfo=dt.UTC)
    extras = [{}, {"supplementary_remote_party": SUPPLIER},
              {"supplementary_remote_party": SUPPLIER, "supplementary_remote_party_counter": 7},
              {"supplementary_remote_party": SUPPLIER, "supplementary_remote_party_counter": 7,
               "supplementary_originator_counter": 9},
              {"supplementary_remote_party": SUPPLIER, "supplementary_remote_party_counter": 7,
               "supplementary_remote_party_ka_certificate": bytes(range(40))}]
    shapes = []
    for extra in extras:
        for size in (0, 5, 127, 128, 300):
            for date_time in (None, when):
                payload = (bytes(range(256)) * 2)[:size]
                apdu = GeneralSigning(CraFlag.COMMAND, 5, SUPPLIER, ESME, 0x0107, payload, date_time=date_time,
                                      **extra)
                shapes += [apdu.encode(), apdu.pre_command(), apdu.with_signature(bytes(64)).encode()]
    return shapes


def test_the_quick_apdu_reader_reads_as_the_careful_one_or_leaves_it_to_it(conformance):
    """GeneralSigning._quick (offsets) stands in for _read (field by field) on the usual APDUs: whatever it reads must
    be what _read reads, and whatever _read refuses it must leave to _read (None): every RTDS message and every shape,
    whole, cut short at each byte and with each byte changed."""
    messages = [GbcsMessage.decode(bytes.fromhex(path.read_text().strip())).apdu_bytes
                for path in _rtds(conformance)] + _shapes()
    quick_reads = 0
    for message in messages:
        variants = [message[:cut] for cut in range(len(message))] + [message]
        variants += [message[:i] + bytes([message[i] ^ 0x81]) + message[i + 1:] for i in range(min(len(message), 48))]
        for data in variants:
            quick = GeneralSigning._quick(data, 0, len(data))
            try:
                careful = GeneralSigning._read(data)
            except MalformedMessage:
                assert quick is None, data.hex()
                continue
            assert quick is None or (quick == careful and quick.date_time_raw == careful.date_time_raw), data.hex()
            quick_reads += quick is not None
    assert quick_reads > len(messages)          # it does read the usual ones


# -- malformed input -----------------------------------------------------------------------------------

def test_every_truncation_is_a_clear_malformed_message(smki):
    signed = crypto.sign_apdu(_command(), smki.keystore.private_key(SUPPLIER, KeyUsage.DIGITAL_SIGNING))
    raw = signed.encode()
    framed = frame_with_mac(raw, bytes(12))
    pre_command_length = len(signed.pre_command())
    for message in (raw, framed):
        for cut in range(0, len(message) - 1):
            if message is raw and cut == pre_command_length:
                # Ending right after the payload is how a Pre-Command looks: valid, and unsigned.
                assert GbcsMessage.decode(message[:cut]).apdu.signature is None
                continue
            with pytest.raises(MalformedMessage) as info:
                GbcsMessage.decode(message[:cut])
            assert "byte" in str(info.value)


def test_truncated_message_is_reported_not_raised():
    result = decode("DF0901000000000000")
    assert result.error and "truncated" in result.error and not result.ok


@settings(max_examples=400, deadline=None)
@given(st.binary(min_size=0, max_size=120))
def test_arbitrary_bytes_never_crash_the_decoder(data):
    try:
        GbcsMessage.decode(data)
    except (MalformedMessage, DitError):
        pass


@settings(max_examples=200, deadline=None)
@given(st.binary(min_size=0, max_size=60))
def test_arbitrary_bytes_after_a_valid_header_never_crash(data):
    try:
        GbcsMessage.decode(bytes.fromhex("DF0901") + data)
    except (MalformedMessage, DitError):
        pass
