"""ZigBee install codes: the CRC that protects them and the trust-centre link key derived from them.

gbcs_security.md section 7: 6, 8, 12 or 16 bytes plus a CRC-16/X.25 appended least-significant byte
first; the preconfigured link key is the AES-MMO hash of the code including its CRC. A CHF lets a
device join only if the key the device presents matches the one derived from the whitelisted code.
"""

from __future__ import annotations

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from harness.errors import DitError

INSTALL_CODE_SIZES = (6, 8, 12, 16)


def crc16_x25(data: bytes) -> int:
    crc = 0xFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0x8408 if crc & 1 else crc >> 1
    return crc ^ 0xFFFF


def with_crc(code: bytes) -> bytes:
    """The install code as a device label carries it: the code and its CRC, LSB first."""
    if len(code) not in INSTALL_CODE_SIZES:
        raise DitError(f"a ZigBee install code is 6, 8, 12 or 16 bytes, not {len(code)}")
    crc = crc16_x25(code)
    return code + bytes([crc & 0xFF, crc >> 8])


def check_crc(code_with_crc: bytes) -> bool:
    code, crc = code_with_crc[:-2], code_with_crc[-2:]
    return len(code) in INSTALL_CODE_SIZES and with_crc(code)[-2:] == crc


def _aes(key: bytes, block: bytes) -> bytes:
    encryptor = Cipher(algorithms.AES(key), modes.ECB()).encryptor()
    return encryptor.update(block) + encryptor.finalize()


def aes_mmo(message: bytes) -> bytes:
    """Matyas-Meyer-Oseas hash over AES-128 with the ZigBee padding (bit 1, zeros, 16-bit length)."""
    bits = len(message) * 8
    padded = message + b"\x80"
    while len(padded) % 16 != 14:
        padded += b"\x00"
    padded += bits.to_bytes(2, "big")
    digest = bytes(16)
    for i in range(0, len(padded), 16):
        block = padded[i:i + 16]
        digest = bytes(a ^ b for a, b in zip(_aes(digest, block), block, strict=True))
    return digest


def link_key(install_code: bytes) -> bytes:
    """The trust-centre link key for an install code given without its CRC (as DUIS carries it)."""
    return aes_mmo(with_crc(install_code))
