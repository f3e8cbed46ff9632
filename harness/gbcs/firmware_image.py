"""Firmware images as the DSP distributes them (11.1) and devices verify them before activation (11.3).

An image is a ZigBee OTA upgrade file: the 56-byte OTA header (file identifier 0x0BEEF11E, header
version 0x0100, manufacturer code, image type, file version, stack version, header string, total size)
followed by tag-length-value sub-elements: the upgrade image (tag 0x0000) and the manufacturer's ECDSA
P-256 signature over everything before it (a manufacturer-specific tag, 0xF000, raw r||s). A device
accepts an image only from its own manufacturer, for its own image type, with a signature that verifies
with the manufacturer key it was built with. 11.3 names the image by the SHA-256 of the whole file.
"""

from __future__ import annotations

import hashlib
import struct
from dataclasses import dataclass
from functools import cached_property

from cryptography.hazmat.primitives.asymmetric import ec

from harness.pki.signatures import sign, verify_digest

OTA_FILE_IDENTIFIER = 0x0BEEF11E
OTA_HEADER_VERSION = 0x0100
OTA_HEADER_LENGTH = 56
ZIGBEE_PRO_STACK = 0x0002
TAG_UPGRADE_IMAGE = 0x0000
TAG_MANUFACTURER_SIGNATURE = 0xF000
MAX_IMAGE_BYTES = 750 * 1024            # DIT: "the maximum firmware image size is 750 KB"
_HEADER = struct.Struct("<IHHHHHIH32sI")


class MalformedImage(ValueError):
    """Not an OTA upgrade file this model can read."""


@dataclass(frozen=True)
class FirmwareImage:
    manufacturer_code: int
    image_type: int
    file_version: int
    header_string: str
    body: bytes
    signature: bytes | None
    data: bytes                          # the whole file as distributed

    @property
    def version(self) -> str:
        """As DUIS writes a firmware version: 8 hex digits."""
        return f"{self.file_version:08X}"

    @property
    def hash(self) -> bytes:
        return hashlib.sha256(self.data).digest()

    @property
    def signed_bytes(self) -> bytes:
        return self.data[:OTA_HEADER_LENGTH + 6 + len(self.body)]

    @cached_property
    def signed_digest(self) -> bytes:
        """SHA-256 of the signed bytes: hashed once for all the devices an 11.1 hands this image to (an image
        is 200-750 KB, its hash three times the rest of a device's ECDSA verification)."""
        return hashlib.sha256(memoryview(self.data)[:OTA_HEADER_LENGTH + 6 + len(self.body)]).digest()

    def signed_by(self, manufacturer_key: ec.EllipticCurvePublicKey) -> bool:
        return self.signature is not None and verify_digest(self.signed_digest, self.signature, manufacturer_key)


def build_image(*, manufacturer_code: int, image_type: int, file_version: int, body: bytes,
                signing_key: ec.EllipticCurvePrivateKey | None, header_string: str = "DIT firmware") -> bytes:
    signature_length = 6 + 64 if signing_key is not None else 0
    total = OTA_HEADER_LENGTH + 6 + len(body) + signature_length
    header = _HEADER.pack(OTA_FILE_IDENTIFIER, OTA_HEADER_VERSION, OTA_HEADER_LENGTH, 0, manufacturer_code,
                          image_type, file_version, ZIGBEE_PRO_STACK,
                          header_string.encode("ascii")[:32].ljust(32, b"\0"), total)
    signed = header + struct.pack("<HI", TAG_UPGRADE_IMAGE, len(body)) + body
    if signing_key is None:
        return signed
    return signed + struct.pack("<HI", TAG_MANUFACTURER_SIGNATURE, 64) + sign(signed, signing_key)


def parse_image(data: bytes) -> FirmwareImage:
    if len(data) < OTA_HEADER_LENGTH + 6:
        raise MalformedImage(f"{len(data)} bytes is too short for an OTA header and an image")
    (identifier, header_version, header_length, _control, manufacturer, image_type, version, _stack,
     header_string, total) = _HEADER.unpack_from(data)
    if identifier != OTA_FILE_IDENTIFIER:
        raise MalformedImage(f"OTA file identifier is 0x{identifier:08X}, not 0x{OTA_FILE_IDENTIFIER:08X}")
    if header_version != OTA_HEADER_VERSION or header_length != OTA_HEADER_LENGTH:
        raise MalformedImage(f"OTA header version 0x{header_version:04X} length {header_length} is not supported")
    if total != len(data):
        raise MalformedImage(f"OTA header says {total} bytes, the file has {len(data)}")
    body, signature, pos = None, None, OTA_HEADER_LENGTH
    while pos < len(data):
        if pos + 6 > len(data):
            raise MalformedImage(f"truncated sub-element at byte {pos}")
        tag, length = struct.unpack_from("<HI", data, pos)
        value = data[pos + 6:pos + 6 + length]
        if len(value) != length:
            raise MalformedImage(f"sub-element 0x{tag:04X} at byte {pos} is truncated")
        if tag == TAG_UPGRADE_IMAGE and body is None:
            body = value
        elif tag == TAG_MANUFACTURER_SIGNATURE:
            signature = value
        pos += 6 + length
    if body is None:
        raise MalformedImage("no upgrade image sub-element")
    return FirmwareImage(manufacturer, image_type, version, header_string.rstrip(b"\0").decode("ascii", "replace"),
                         body, signature, bytes(data))
