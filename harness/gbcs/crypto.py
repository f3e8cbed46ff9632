"""GBCS security: ECDSA signatures over the grouping header, the KDF, GMAC tags and payload encryption.

gbcs_security.md sections 2 and 3:
- signatures: ECDSA P-256 / SHA-256 over GeneralSigning.signed_bytes, encoded raw r||s (64 bytes);
- key derivation: SHA-256(00000001 || Z || OtherInfo)[:16], Z = ECDH of the two parties' KA keys,
  OtherInfo = algorithm id || originator || 09 || mode || counter || recipient;
- MAC: AES-128-GCM with no plaintext, IV = originator || 00000000, AAD = 11 00 00 00 00 00 || APDU,
  tag truncated to 12 bytes; mode = the CRA flag;
- encrypted payload fields: AES-128-GCM, same IV, AAD = 31, mode 04.
"""

from __future__ import annotations

import hashlib
import hmac
from collections import OrderedDict

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from harness.eui import EntityId
from harness.gbcs.frame import MAC_LENGTH, CraFlag, GbcsMessage, GeneralSigning, frame_with_mac
from harness.pki.signatures import sign, verify

KDF_ALGORITHM_ID = bytes.fromhex("60857406080300")
MAC_AAD_PREFIX = bytes.fromhex("110000000000")
ENCRYPTION_AAD = b"\x31"
ENCRYPTION_MODE = 4


def sign_apdu(apdu: GeneralSigning, key: ec.EllipticCurvePrivateKey) -> GeneralSigning:
    return apdu.with_signature(sign(apdu.signed_bytes, key))


def sign_pre_command(pre_command: bytes, key: ec.EllipticCurvePrivateKey) -> bytes:
    """Sign a Pre-Command as a User does after CV 4: drop a trailing 00 signature-length byte if the
    DCC sent one (DCC Boxed >= 1.4.1), then append 40 and the signature."""
    apdu = GeneralSigning.decode(pre_command)
    return sign_apdu(apdu.with_signature(None), key).encode()


def verify_apdu(apdu: GeneralSigning, public_key: ec.EllipticCurvePublicKey) -> bool:
    return apdu.signature is not None and verify(apdu.signed_bytes, apdu.signature, public_key)


_SHARED_SECRETS: dict[tuple[int, bytes], bytes] = {}
_SHARED_SECRETS_MAX = 4096     # numbers and bytes only: 0.2 KB a pair
# The same pair again, by the key objects themselves: reading a private key's number back out of OpenSSL costs more
# than the MAC it keys. Each entry holds its two keys, so their ids cannot be reused while it is there, and so keeps
# them alive: 4 KB of OpenSSL's memory a pair. A lab MACs with a few dozen pairs; each new lab loads its keys anew,
# so the entries of finished labs' keys are dropped oldest first (at 4,096, 424 were held after the 198
# executions of a serial --matrix -m change_of_supplier, 2 more a scenario).
_BY_OBJECTS: OrderedDict[tuple[int, int], tuple[object, object, bytes]] = OrderedDict()
_BY_OBJECTS_MAX = 256


def _shared_secret(private_key: ec.EllipticCurvePrivateKey, public_key: ec.EllipticCurvePublicKey) -> bytes:
    """ECDH Z, remembered per key pair: it does not depend on the message, and a lab MACs thousands."""
    ids = (id(private_key), id(public_key))
    held = _BY_OBJECTS.get(ids)
    if held is not None and held[0] is private_key and held[1] is public_key:
        return held[2]
    point = public_key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.CompressedPoint)
    key = (private_key.private_numbers().private_value, point)
    z = _SHARED_SECRETS.get(key)
    if z is None:
        z = _SHARED_SECRETS[key] = private_key.exchange(ec.ECDH(), public_key)
        if len(_SHARED_SECRETS) > _SHARED_SECRETS_MAX:      # an 11.1's 50,000 devices: each pair used twice at most
            del _SHARED_SECRETS[next(iter(_SHARED_SECRETS))]
    _BY_OBJECTS[ids] = (private_key, public_key, z)
    if len(_BY_OBJECTS) > _BY_OBJECTS_MAX:
        _BY_OBJECTS.popitem(last=False)
    return z


def derive_key(private_key: ec.EllipticCurvePrivateKey, public_key: ec.EllipticCurvePublicKey, *,
               originator: EntityId, counter: int, recipient: EntityId, mode: int) -> bytes:
    """The GBCS single-step KDF (one SHA-256 round) over the ECDH shared secret: a 16-byte AES key."""
    z = _shared_secret(private_key, public_key)
    other_info = (KDF_ALGORITHM_ID + bytes(originator) + bytes([0x09, mode])
                  + counter.to_bytes(8, "big") + bytes(recipient))
    return hashlib.sha256(b"\x00\x00\x00\x01" + z + other_info).digest()[:16]


def _iv(originator: EntityId) -> bytes:
    return bytes(originator) + b"\x00\x00\x00\x00"


def gcm_encrypt(key: bytes, originator: EntityId, plaintext: bytes, aad: bytes) -> tuple[bytes, bytes]:
    """AES-128-GCM as GBCS uses it: IV = originator system title || 00000000, tag cut to 12 bytes."""
    encryptor = Cipher(algorithms.AES(key), modes.GCM(_iv(originator))).encryptor()
    encryptor.authenticate_additional_data(aad)
    ciphertext = encryptor.update(plaintext) + encryptor.finalize()
    return ciphertext, encryptor.tag[:MAC_LENGTH]


def gcm_decrypt(key: bytes, originator: EntityId, ciphertext: bytes, tag: bytes, aad: bytes) -> bytes | None:
    """Plaintext, or None when the tag does not verify."""
    decryptor = Cipher(algorithms.AES(key), modes.GCM(_iv(originator), tag, min_tag_length=MAC_LENGTH)).decryptor()
    decryptor.authenticate_additional_data(aad)
    try:
        return decryptor.update(ciphertext) + decryptor.finalize()
    except InvalidTag:
        return None


def gmac(key: bytes, originator: EntityId, apdu: bytes) -> bytes:
    """The 12-byte MAC of a General-Ciphering frame over its APDU: GMAC is AES-GCM with no plaintext, so the
    one-shot AEAD's output is the bare 16-byte tag (several times faster than the streaming Cipher API)."""
    return AESGCM(key).encrypt(_iv(originator), b"", MAC_AAD_PREFIX + apdu)[:MAC_LENGTH]


def verify_gmac(key: bytes, originator: EntityId, apdu: bytes, tag: bytes) -> bool:
    return hmac.compare_digest(gmac(key, originator, apdu), tag)


def mac_key(apdu: GeneralSigning, private_key: ec.EllipticCurvePrivateKey,
            public_key: ec.EllipticCurvePublicKey) -> bytes:
    """Key for the MAC of this APDU. The KA pair is (ACB, device) for commands and (originator,
    recipient) for responses and alerts; either side's private key gives the same key."""
    return derive_key(private_key, public_key, originator=apdu.originator, counter=apdu.originator_counter,
                      recipient=apdu.recipient, mode=int(apdu.cra_flag))


def mac_parties(apdu: GeneralSigning, access_control_broker: EntityId) -> tuple[EntityId, EntityId]:
    """The two parties whose KA keys protect this message's MAC."""
    if apdu.cra_flag is CraFlag.COMMAND:
        return access_control_broker, apdu.recipient
    return apdu.originator, apdu.recipient


def encryption_key(apdu: GeneralSigning, private_key: ec.EllipticCurvePrivateKey,
                   public_key: ec.EllipticCurvePublicKey) -> bytes:
    """Key for encrypted payload fields (mode 04): end-to-end to the supplementary party when present."""
    counter = apdu.supplementary_originator_counter
    recipient = apdu.supplementary_remote_party
    return derive_key(private_key, public_key, originator=apdu.originator,
                      counter=apdu.originator_counter if counter is None else counter,
                      recipient=apdu.recipient if recipient is None else recipient, mode=ENCRYPTION_MODE)


def encrypt_field(key: bytes, originator: EntityId, plaintext: bytes) -> bytes:
    """An encrypted payload field: ciphertext followed by its 12-byte tag."""
    ciphertext, tag = gcm_encrypt(key, originator, plaintext, ENCRYPTION_AAD)
    return ciphertext + tag


def decrypt_field(key: bytes, originator: EntityId, data: bytes) -> bytes | None:
    if len(data) < MAC_LENGTH:
        return None
    return gcm_decrypt(key, originator, data[:-MAC_LENGTH], data[-MAC_LENGTH:], ENCRYPTION_AAD)


def seal(apdu: GeneralSigning, *, signing_key: ec.EllipticCurvePrivateKey | None = None,
         ka_private: ec.EllipticCurvePrivateKey | None = None,
         ka_public: ec.EllipticCurvePublicKey | None = None) -> bytes:
    """The message as it travels: signed if a signing key is given, MAC-framed if a KA pair is given
    (one side's private key, the other's public key), else a bare DF APDU."""
    if signing_key is not None:
        apdu = sign_apdu(apdu, signing_key)
    raw = apdu.encode()
    if ka_private is None or ka_public is None:
        return raw
    return frame_with_mac(raw, gmac(mac_key(apdu, ka_private, ka_public), apdu.originator, raw))


def mac_holds(message: GbcsMessage, ka_private: ec.EllipticCurvePrivateKey,
              ka_public: ec.EllipticCurvePublicKey) -> bool:
    """Whether a MAC-framed message's MAC verifies for this KA pair (False when it has no MAC)."""
    if message.mac is None:
        return False
    return verify_gmac(mac_key(message.apdu, ka_private, ka_public), message.apdu.originator,
                       message.apdu_bytes, message.mac)
