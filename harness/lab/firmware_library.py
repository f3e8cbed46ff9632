"""A real lab's firmware library: the manufacturers' images a bench may distribute, per device model.

    firmware_library:
      - profile: ESME-alder-SMETS2-v4         # a device profile (the model its devices are)
        manufacturer_key: firmware/alder.pem  # the manufacturer's public key (PEM key or certificate)
        images:
          - {version: 00040001, file: firmware/esme-alder-00040001.ota}

An image is the OTA upgrade file the manufacturer released (harness.gbcs.firmware_image). A library image is
used only when it is the model's (manufacturer code, image type), of the version it is listed as, and signed
by the key the model's devices verify with: a file that is not is refused with one line, never sent. An image
"signed by someone else" (the firmware family's negative paths) is the library's own image signed anew with a
key nobody holds, as an attacker's would be.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from harness.errors import DitError, NotOnThisBench
from harness.lab.profiles import DeviceProfile
from harness.lab.yamlfile import Located, describe

MODEL_FIELDS = ("profile", "manufacturer_key", "images")
IMAGE_FIELDS = ("version", "file")
_FIX = "e.g. firmware_library: [{profile: ESME-alder-SMETS2-v4, manufacturer_key: firmware/alder.pem, " \
       "images: [{version: 00040001, file: firmware/esme-00040001.ota}]}]"


@dataclass(frozen=True)
class LibraryImage:
    version: int
    file: Path
    where: str = field(default="firmware_library", compare=False)    # "lab.yaml:40: firmware_library[0].images[0]"


@dataclass(frozen=True)
class ModelFirmware:
    """One device model's images and the manufacturer key its devices verify them with."""
    profile: DeviceProfile
    manufacturer_key: Path
    images: tuple[LibraryImage, ...]
    where: str = field(default="firmware_library", compare=False)


@dataclass
class FirmwareLibrary:
    models: dict[str, ModelFirmware] = field(default_factory=dict)      # profile id -> its images

    def image(self, profile: DeviceProfile | None, version: int, device: str = "device") -> bytes:
        """The library's image of `version` for the model, checked; NotOnThisBench when it has none or it is bad."""
        model = self.models.get(profile.id) if profile is not None else None
        if model is None or profile is None:
            raise NotOnThisBench(f"the firmware library has no images for the {device}'s model "
                                 f"{profile.id if profile else '(no device profile)'}", where="firmware_library",
                                 fix="add the model's profile, manufacturer key and images to firmware_library:")
        listed = next((i for i in model.images if i.version == version), None)
        if listed is None:
            raise NotOnThisBench(f"the firmware library has no image {version:08X} for {profile.id}", where=model.where,
                                 fix=f"add {{version: {version:08X}, file: ...}} to its images: "
                                     "the manufacturer's released image")
        problem = _problem(model, listed)
        if problem:
            raise NotOnThisBench(f"{listed.file.name}: {problem}", where=listed.where,
                                 fix="use the image exactly as the manufacturer released it")
        return listed.file.read_bytes()

    def problems(self) -> list[str]:
        """`dit lab check`: every image that is missing, malformed, another model's or badly signed, one line each."""
        found = []
        for model in self.models.values():
            for listed in model.images:
                problem = _problem(model, listed)
                if problem:
                    found.append(f"{listed.where}: {listed.file}: {problem}")
        return found


def signed_by_someone_else(image: bytes) -> bytes:
    """The image with its manufacturer signature replaced by one of a key the manufacturer never held."""
    from harness.gbcs.firmware_image import build_image, parse_image  # harness.gbcs: see _problem
    parsed = parse_image(image)
    return build_image(manufacturer_code=parsed.manufacturer_code, image_type=parsed.image_type,
                       file_version=parsed.file_version, body=parsed.body, header_string=parsed.header_string,
                       signing_key=ec.generate_private_key(ec.SECP256R1()))


def manufacturer_key_pem(key: ec.EllipticCurvePublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def _problem(model: ModelFirmware, listed: LibraryImage) -> str | None:
    """Why a listed image may not be distributed (None if it may)."""
    if not listed.file.is_file():
        return "no such file"
    # imported here: harness.gbcs brings the whole GBCS codec (asn1tools, pyparsing: 0.2 s), which a process that
    # only reads a lab config -- the xdist controller, `dit report` -- does not need when no image is listed
    from harness.gbcs.firmware_image import MalformedImage, parse_image
    try:
        image = parse_image(listed.file.read_bytes())
    except MalformedImage as exc:
        return f"not an OTA upgrade image: {exc}"
    profile = model.profile
    if (image.manufacturer_code, image.image_type) != (profile.manufacturer_code, profile.image_type):
        return (f"manufacturer code 0x{image.manufacturer_code:04X} image type 0x{image.image_type:04X} are not "
                f"{profile.id}'s (0x{profile.manufacturer_code:04X}, 0x{profile.image_type:04X})")
    if image.file_version != listed.version:
        return f"its OTA header says version {image.version}, the library lists {listed.version:08X}"
    key = _public_key(model.manufacturer_key)
    if isinstance(key, str):
        return key
    if not image.signed_by(key):
        return f"its manufacturer signature does not verify with {model.manufacturer_key.name}"
    return None


def _public_key(path: Path) -> ec.EllipticCurvePublicKey | str:
    """The manufacturer's P-256 key from a PEM public key or certificate, or why it cannot be read."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        return f"manufacturer key {path}: {exc.strerror or exc}"
    try:
        key = x509.load_pem_x509_certificate(data).public_key() if b"CERTIFICATE" in data \
            else serialization.load_pem_public_key(data)
    except ValueError as exc:
        return f"manufacturer key {path.name} is not a PEM public key or certificate: {exc}"
    if not isinstance(key, ec.EllipticCurvePublicKey) or not isinstance(key.curve, ec.SECP256R1):
        return f"manufacturer key {path.name} is not a P-256 key (GBCS signs images with ECDSA P-256)"
    return key


def load(doc: Located, folder: Path, profiles: Mapping[str, DeviceProfile], problems: list[str]) -> FirmwareLibrary:
    """The config's `firmware_library:` (shape only: `problems()` reads the files), every problem appended."""
    library = FirmwareLibrary()
    nodes = doc.get("firmware_library")
    if not isinstance(nodes, list) or not all(isinstance(n, Located) for n in nodes):
        problems.append(str(doc.fail("firmware_library", f"must be a list of device models, got {describe(nodes)}",
                                     _FIX)))
        return library
    for node in nodes:
        unknown = node.unknown(MODEL_FIELDS)
        if unknown:
            problems.append(str(unknown[0]))
            continue
        name = node.get("profile")
        profile = profiles.get(name) if isinstance(name, str) else None
        if profile is None:
            known = ", ".join(sorted(profiles)) or "none"
            problems.append(str(node.fail("profile", f"{name!r} is the profile of no device in this lab's test sets",
                                          f"profiles in use are {known}")))
            continue
        key = node.get("manufacturer_key")
        if not isinstance(key, str) or not key:
            problems.append(str(node.fail("manufacturer_key", "missing", "the manufacturer's PEM public key file")))
            continue
        images = []
        for item in node.get("images") or []:
            if not isinstance(item, Located) or item.unknown(IMAGE_FIELDS) or not isinstance(item.get("file"), str):
                problems.append(str(node.fail("images", f"{describe(item)} is not {{version, file}}", _FIX)))
                continue
            version = _version(item, problems)
            if version is not None:
                images.append(LibraryImage(version, folder / item["file"], where=f"{item.at()}: {item.path}"))
        if profile.id in library.models:
            problems.append(str(node.fail("profile", f"{profile.id} is listed twice", "one entry per model")))
        library.models[profile.id] = ModelFirmware(profile, folder / key, tuple(images),
                                                   where=f"{node.at()}: {node.path}")
    return library


def _version(item: Located, problems: list[str]) -> int | None:
    try:
        written = item.as_written("version")
    except DitError as exc:
        problems.append(str(exc))
        return None
    if len(written) > 8 or not all(c in "0123456789abcdefABCDEF" for c in written) or not written:
        problems.append(str(item.fail("version", f"{written!r} is not 1-8 hex digits", "e.g. version: 00040001")))
        return None
    return int(written, 16)
