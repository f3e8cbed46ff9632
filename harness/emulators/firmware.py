"""Firmware on a device: receiving a distributed image, verifying it, activating it (11.3), reading it (11.2).

A device verifies an image when it arrives over the HAN: its own manufacturer code and image type, and
a manufacturer signature that verifies with the key the device was built with. It tells its supplier
either way: 0x8F72 Firmware Verification Successful, 0x8F1C Firmware Verification Failed. Only a
verified image can be activated; 11.3 names it by its hash and may be future dated (device pattern:
0x8F66 / 0x8F67 at the execution time, carrying the new version).
"""

from __future__ import annotations

from functools import lru_cache

from cryptography.hazmat.primitives.asymmetric import ec

from harness.emulators.device import EmulatedDevice, GeneralSigning, execute_when_due, handles
from harness.gbcs.firmware_image import FirmwareImage, MalformedImage, parse_image
from harness.usecases.firmware import RECEIPT_ALERTS, calculated_hash, receipt_alert
from harness.usecases.firmware_activation import FDA_CS06, activation_outcome

FIRMWARE_VERIFIED, FIRMWARE_NOT_VERIFIED = 0x8F72, 0x8F1C


class FirmwareHost(EmulatedDevice):
    """An EmulatedDevice that runs upgradable firmware (a base, not a mixin: what it uses of the device is the
    EmulatedDevice's: its trace, its logs, its alerts and device-pattern future dating)."""

    manufacturer_code: int = 0x1234
    image_type: int = 0x0001

    firmware_version: str
    manufacturer_key: ec.EllipticCurvePublicKey | None
    verified_images: dict[bytes, FirmwareImage]

    def init_firmware(self, version: str, manufacturer_key: ec.EllipticCurvePublicKey | None) -> None:
        self.firmware_version = version
        self.manufacturer_key = manufacturer_key
        self.verified_images: dict[bytes, FirmwareImage] = {}

    def receive_firmware(self, data: bytes) -> bool:
        """An image has arrived over the HAN: verify it and say so to the supplier."""
        image, problem, digest = _read_image(data)
        if image is not None:
            problem = self._image_problem(image)
        if image is not None and problem is None:
            self.verified_images[digest] = image
            self.note(f"firmware {image.version} verified")
        else:
            assert problem is not None, "an image that is no OTA file says why"
            self.note(f"firmware image refused: {problem}")
            self.log_security(FIRMWARE_NOT_VERIFIED, problem)
        self._receipt(FIRMWARE_VERIFIED if problem is None else FIRMWARE_NOT_VERIFIED, digest)
        return problem is None

    def _receipt(self, code: int, image_hash: bytes) -> None:
        """The verdict to the supplier: a meter's Firmware Distribution Receipt Alert with the hash it calculated
        over the image, signed as the RTDS FDRA samples are; another device's, a Generic Non Critical Alert."""
        message_code = RECEIPT_ALERTS.get(self.device_type)
        if message_code is None:
            self.raise_alert(code)
            return
        self.raise_alert(code, critical=True, message_code=message_code,
                         payload=receipt_alert(self.device_type, code, image_hash))

    def _image_problem(self, image: FirmwareImage) -> str | None:
        if image.manufacturer_code != self.manufacturer_code:
            return f"manufacturer code 0x{image.manufacturer_code:04X} is not this device's"
        if image.image_type != self.image_type:
            return f"image type 0x{image.image_type:04X} is not this device's"
        if self.manufacturer_key is None or not image.signed_by(self.manufacturer_key):
            return "manufacturer signature does not verify"
        return None


    @handles("CS06")
    def _activate_firmware(self, fields: dict, apdu: GeneralSigning) -> dict:
        """11.3: run the verified image with the hash named, now or at the command's execution time (the
        outcome alert, 0x00CA, quotes the command's counter); the outcome names the version running."""
        try:
            wanted = bytes.fromhex(str(fields.get("FirmwareHash", "")))
        except ValueError:
            wanted = b""

        def activate() -> dict:
            image = self.verified_images.get(wanted)
            if image is None:
                # GBCS: hashMismatch when the device holds an image, but not that one
                return activation_outcome("hashMismatch" if self.verified_images else "noImageHeld",
                                          self.firmware_version)
            self.firmware_version = image.version
            self.log_event(0x8F43, f"executing firmware {image.version}")
            return activation_outcome("success", image.version)
        return execute_when_due(self, fields, apdu, activate, FDA_CS06)

    @handles("ECS52", "GCS38", "CS08")
    def _read_firmware_version(self, fields: dict, apdu: GeneralSigning) -> dict:
        return {"FirmwareVersion": self.firmware_version}


# An 11.1 hands one image to up to 50,000 devices behind a hub, and each reads the same bytes: the parse of them
# and the hash over them depend on the bytes alone, so they are worked out once, and the devices share one
# FirmwareImage (its body a slice of the file: 200 KB a device otherwise). The last image is kept, by content (an
# 11.1 sends one; more would outlive their scenario: a serial matrix kept four, 1.6 MB, to its end).
# The manufacturer's signature is not: each device verifies it itself, with the key it was built with.

@lru_cache(maxsize=1)
def _read_image(data: bytes) -> tuple[FirmwareImage | None, str | None, bytes]:
    """The image, or why it is no OTA upgrade file; and the hash a device calculates over it."""
    digest = calculated_hash(data)
    try:
        return parse_image(data), None, digest
    except MalformedImage as exc:
        return None, str(exc), digest
