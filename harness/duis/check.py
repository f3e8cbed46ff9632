"""Checking DUIS documents as `dit duis check` does: well-formed, schema-valid, signed by a known key."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

from harness.duis import xmldsig
from harness.duis.schema import DuisSchema
from harness.duis.xml import parse, sr, text
from harness.errors import DitError
from harness.pki import Keystore


@dataclass
class DocumentCheck:
    file: str
    schema_valid: bool | None = None        # None: no schema check was asked for
    signature_valid: bool | None = None     # None: no keystore was given
    signature: str | None = None            # valid | invalid | absent | unknown_key | unsupported
    service_reference_variant: str | None = None
    command_variant: int | None = None
    request_id: str | None = None
    error: str | None = None

    @property
    def passed(self) -> bool:
        return self.error is None and self.schema_valid is not False and self.signature_valid is not False

    def as_dict(self) -> dict:
        return asdict(self)


def check_document(data: bytes, where: str, *, schema: DuisSchema | None = None,
                   keystore: Keystore | None = None) -> DocumentCheck:
    out = DocumentCheck(file=where)
    try:
        root = parse(data, where)
    except DitError as exc:
        out.error = str(exc)
        if schema is not None:
            out.schema_valid = False
        if keystore is not None:
            out.signature_valid = False
        return out
    out.request_id = text(root, "sr:Header/sr:RequestID")
    if root.tag == sr("Request"):
        out.service_reference_variant = text(root, "sr:Header/sr:ServiceReferenceVariant")
        cv = text(root, "sr:Header/sr:CommandVariant")
        out.command_variant = int(cv) if cv and cv.isdigit() else None
    else:
        out.service_reference_variant = text(root, "sr:Body/sr:ResponseMessage/sr:ServiceReferenceVariant")
    problems = []
    if schema is not None:
        errors = schema.errors(root)
        out.schema_valid = not errors
        if errors:
            more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
            problems.append(f"schema: {errors[0]}{more}")
    if keystore is not None:
        result = xmldsig.verify(root, keystore)
        out.signature = result.status.value
        out.signature_valid = result.valid
        if not result.valid:
            problems.append(f"signature {result.status.value}: {result.reason}")
    out.error = "; ".join(problems) or None
    return out


def check_file(path: Path, **kwargs) -> DocumentCheck:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DitError(f"cannot read: {exc.strerror}", where=str(path)) from None
    return check_document(data, str(path), **kwargs)
