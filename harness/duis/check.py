"""Checking DUIS documents as `dit duis check` does: well-formed, schema-valid, signed by a known key."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

from lxml import etree

from harness.duis import xmldsig
from harness.duis.request_id import RequestId
from harness.duis.schema import DuisSchema
from harness.duis.xml import MalformedXml, parse, read, sr, text
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
    try:
        root = parse(data, where)
    except DitError as exc:
        return _not_a_document(where, exc, schema, keystore)
    out = DocumentCheck(file=where)
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
        elif root.tag == sr("Request") and (wrong := _signed_by_another(root, result)):
            # The DCC takes a request only from the party its RequestID names (DUIS: E1 otherwise).
            out.signature, out.signature_valid = xmldsig.SignatureStatus.INVALID.value, False
            problems.append(f"signature invalid: {wrong}")
    out.error = "; ".join(problems) or None
    return out


def _signed_by_another(root: etree._Element, result: xmldsig.SignatureCheck) -> str | None:
    """Why a validly signed request was not signed by its RequestID's originator, or None."""
    signer = result.signer
    try:     # a valid signature admits no comment inside a value, so .text is the whole signed text
        originator = RequestId.parse(text(root, "sr:Header/sr:RequestID") or "").originator
    except DitError:
        return None                       # the schema check says what is wrong with the RequestID
    if signer is not None and signer.eui != originator:
        return f"signed by {signer.eui} but the RequestID's originator is {originator}"
    return None


def _not_a_document(where: str, exc: DitError, schema: DuisSchema | None, keystore: Keystore | None) -> DocumentCheck:
    return DocumentCheck(file=where, error=str(exc), schema_valid=False if schema is not None else None,
                         signature_valid=False if keystore is not None else None)


def check_file(path: Path, *, schema: DuisSchema | None = None, keystore: Keystore | None = None) -> DocumentCheck:
    try:
        data = read(path)
    except MalformedXml as exc:           # too large to read: as failed as a document that does not parse
        return _not_a_document(str(path), exc, schema, keystore)
    return check_document(data, str(path), schema=schema, keystore=keystore)
