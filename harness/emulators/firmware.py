"""Firmware on a device: receiving a distributed image, verifying it, activating it (11.3), reading it (11.2).

A device verifies an image when it arrives over the HAN: its own manufacturer code and image type, and
a manufacturer signature that verifies with the key the device was built with. It tells its supplier
either way: 0x8F72 Firmware Verification Successful, 0x8F1C Firmware Verification Failed. Only a
verified image can be activated; 11.3 names it by its hash and may be future dated (device pattern:
0x8F66 / 0x8F67 at the execution time, carrying the new version).
"""

from __future__ import annotations

from cryptography.hazmat.primitives.asymmetric import ec

from harness.emulators.device import CommandFailed, GeneralSigning, handles
from harness.gbcs.firmware_image import FirmwareImage, MalformedImage, parse_image

FIRMWARE_VERIFIED, FIRMWARE_NOT_VERIFIED = 0x8F72, 0x8F1C
FIRMWARE_RECEIPT_ALERT = {"ESME": 0x00CE, "GSME": 0x00CF}     # Firmware Distribution Receipt Alert


class FirmwareHost:
    """Mixin for an EmulatedDevice that runs upgradable firmware."""

    manufacturer_code: int = 0x1234
    image_type: int = 0x0001

    def init_firmware(self, version: str, manufacturer_key: ec.EllipticCurvePublicKey | None) -> None:
        self.firmware_version = version
        self.manufacturer_key = manufacturer_key
        self.verified_images: dict[bytes, FirmwareImage] = {}

    def receive_firmware(self, data: bytes) -> bool:
        """An image has arrived over the HAN: verify it and say so to the supplier."""
        try:
            image = parse_image(data)
            problem = self._image_problem(image)
        except MalformedImage as exc:
            image, problem = None, str(exc)
        kind = self.device_type.value
        if problem is None:
            self.verified_images[image.hash] = image
            self.note(f"firmware {image.version} verified")
            self.raise_alert(FIRMWARE_VERIFIED, {"FirmwareVersion": image.version, "FirmwareHash": image.hash.hex()},
                             message_code=FIRMWARE_RECEIPT_ALERT.get(kind))
            return True
        self.note(f"firmware image refused: {problem}")
        self.log_security(FIRMWARE_NOT_VERIFIED, problem)
        self.raise_alert(FIRMWARE_NOT_VERIFIED, {"Reason": problem}, message_code=FIRMWARE_RECEIPT_ALERT.get(kind))
        return False

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
        wanted = bytes.fromhex(str(fields.get("FirmwareHash", "")))

        def activate() -> dict:
            image = self.verified_images.get(wanted)
            if image is None:
                raise CommandFailed("no verified image with that hash")
            self.firmware_version = image.version
            self.log_event(0x8F43, f"executing firmware {image.version}")
            return {"FirmwareVersion": image.version}
        return self.now_or_later(fields, apdu, activate, alert_message_code=0x00CA)

    @handles("ECS52", "GCS38", "CS08")
    def _read_firmware_version(self, fields: dict, apdu: GeneralSigning) -> dict:
        return {"FirmwareVersion": self.firmware_version}
