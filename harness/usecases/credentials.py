"""Which security credentials a device holds (ASN.1 DER, GBCS 13.2 and 13.6): what a DIT step reads back,
for instance a device's trust anchors after a Change of Supplier (6.23) or a credentials update (6.15.1).

  6.24.1  CS02aMAC  Provide Security Credential Details: per remote party role the request names, the
          CS02fMAC  device's current sequence number and the trust anchor cells it holds (subject entity id and
                    subject key identifier of each); CS02fMAC when the roles include LoadController. The DCC's
                    Access Control Broker sends it alone, authorised by its key agreement cell.
  6.24.2  CS02e     Provide Device Certificate: the device's own certificate of the key usage the request names
                    (critical: the User signs the Pre-Command).

`trust_anchors` gives a Provide Security Credential Details response as typed TrustAnchor records; the MMC
response has one RemotePartyDetails per trust anchor cell (or per remote party whose details failed), and
`trust_anchor_holder` finds a cell's holder among a User's MMC values; `replaced_cell` what a credentials update's
response (6.15.1, 6.21, 6.23) says it placed in a cell.

Matched against the public RTDS 4.5.0 pairs (SmartDCCInnovation/gbcs-parser, templates from
SmartDCCInnovation/duis-templates): CS02aMAC, CS02fMAC and CS02e commands match; their SUCCESS responses
parse to valid MMC. (CS02fMAC's message code 0x011B carries the CS02a types: added to asn1.MESSAGE_TYPES.)
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

from lxml import etree

from harness.catalogue import DeviceType
from harness.eui import EntityId
from harness.gbcs import asn1
from harness.usecases import device
from harness.usecases.esme_config import choice
from harness.usecases.mmc import M
from harness.usecases.registry import (
    CommandContext,
    DeviceCommand,
    Originator,
    ResponseContext,
    accepts,
    answers,
    asn1_payload,
    command,
    response,
)
from harness.usecases.request import DuisRequest, TransformError, value_of
from harness.usecases.security import (
    CELL_KINDS,
    DIGITAL_SIGNATURE,
    KEY_AGREEMENT,
    MMC_ROLES,
    ROLE_NAMES,
    ROLES,
    STATUS_NAMES,
    asn1_choice,
    asn1_command_record,
    asn1_list,
    asn1_record,
    asn1_status,
    cell,
    certificate_type,
    credential_type,
    key_usage,
    mmc_entries,
    parsed_values,
    response_code,
)

DEVICES = (DeviceType.ESME, DeviceType.GSME, DeviceType.GPF)
ACCESS_CONTROL_BROKER = ROLES["ACB"]


# -- 6.24.1 Retrieve Device Security Credentials (KRP) --------------------------------------------------------

def _roles(request: DuisRequest) -> list[str]:
    return [value for node in request.all("RemotePartyRole") if (value := value_of(node))]


def _load_controller(request: DuisRequest) -> bool:
    return "LoadController" in _roles(request)


def provide_security_credential_details(request: DuisRequest, ctx: CommandContext) -> bytes:
    roles = _roles(request)
    if not roles:
        request.require("RemotePartyRole")
    unknown = [role for role in roles if role not in ROLES]
    if unknown:
        raise TransformError(f"{request.srv} sr:RemotePartyRole: {', '.join(map(repr, unknown))} is not one of "
                             f"{', '.join(ROLES)}", where=request.where)
    return asn1.encode("ProvideSecurityCredentialDetailsCommand", {
        "authorisingRemotePartyTACellIdentifier": cell(ACCESS_CONTROL_BROKER, KEY_AGREEMENT),
        "remotePartyRolesCredentialsRequired": [ROLES[role] for role in roles]})


command("6.24.1", "CS02aMAC", devices=DEVICES, originator=Originator.ACB_ALONE,
        applies=lambda request: not _load_controller(request))(provide_security_credential_details)
command("6.24.1", "CS02fMAC", devices=DEVICES, originator=Originator.ACB_ALONE,
        applies=_load_controller)(provide_security_credential_details)


@dataclass(frozen=True)
class TrustAnchor:
    """One trust anchor cell a device holds for a remote party role (GBCS names), or, with no cell, a role
    whose details the device could not give (its status says why)."""

    role: str                          # RemotePartyRole: supplier, networkOperator, loadController ...
    status: str                        # StatusCode: success, trustAnchorNotFound ...
    sequence_number: int | None        # the role's current sequence number (floor for its next command)
    certificate_usage: str | None      # MMC: DigitalSigning, KeyAgreement, KeyAgreementTopUp, KeyCertSign
    entity_id: EntityId | None         # the certificate's subject unique id
    key_identifier: bytes | None       # the certificate's subject key identifier


def trust_anchors(value: asn1.Asn1Payload) -> list[TrustAnchor]:
    """The trust anchors a ProvideSecurityCredentialDetailsResponse (CS02a, CS02f) reports."""
    out = []
    raws, views = asn1_list(value.value, value.type_name), asn1_list(value.fields(), value.type_name)
    for raw, view in zip(raws, views, strict=True):
        base = (view["targetRemotePartyRole"], view["statusCode"], raw.get("currentSeqNumber"))
        cells = list(zip(raw.get("trustAnchorCellDetails") or (), view.get("trustAnchorCellDetails") or ()))
        if not cells:
            out.append(TrustAnchor(*base, None, None, None))
        out.extend(TrustAnchor(*base, certificate_type(cell_view), EntityId(cell_raw["subjectUniqueID"]),
                               cell_raw["subjectKeyIdentifier"]) for cell_raw, cell_view in cells)
    return out


@response("CS02aMAC", "CS02fMAC")
def security_credential_details(ctx: ResponseContext, rsp: etree._Element) -> None:
    value = asn1_payload(ctx.payload, ctx.use_case)
    status_codes = {view["targetRemotePartyRole"]: raw["statusCode"]
                    for raw, view in zip(asn1_list(value.value, value.type_name),
                                         asn1_list(value.fields(), value.type_name))}
    anchors = trust_anchors(value)
    for anchor in anchors:
        details = M.RemotePartyDetails()
        if isinstance(anchor.role, str) and anchor.role in MMC_ROLES:
            details.append(M.RemotePartyRole(MMC_ROLES[anchor.role]))
        else:
            ctx.notes.append(f"{ctx.use_case}: remote party role {anchor.role} has no MMC name")
        details.append(asn1_status("StatusCode", anchor.status, status_codes[anchor.role]))
        if anchor.sequence_number is not None:
            details.append(M.RemotePartyFloorSeqNumber(str(anchor.sequence_number)))
        if anchor.entity_id is not None and anchor.key_identifier is not None:
            details.extend((M.CertificateUsage(anchor.certificate_usage),
                            M.ExistingRemotePartyID(anchor.entity_id.duis),
                            M.ExistingCertificateHash(base64.b64encode(anchor.key_identifier).decode("ascii"))))
        rsp.append(details)
    rsp.set("MessageSuccess", "true" if all(a.status == "success" for a in anchors) else "false")


# -- 6.24.2 Retrieve Device Security Credentials (Device) ---------------------------------------------------

CREDENTIAL_TYPES = {"Digital Signature": DIGITAL_SIGNATURE, "Key Agreement": KEY_AGREEMENT}


@command("6.24.2", "CS02e", devices=DEVICES)
def provide_device_certificate(request: DuisRequest, ctx: CommandContext) -> bytes:
    bit = choice(request, "CredentialType", CREDENTIAL_TYPES)
    return asn1.encode("ProvideDeviceCertificateCommand", {"keyUsage": key_usage(bit)})


@response("CS02e")
def device_certificate(ctx: ResponseContext, rsp: etree._Element) -> None:
    """The device's certificate (DER, base64), or why it gave none."""
    payload = asn1_payload(ctx.payload, ctx.use_case)
    name, value = asn1_choice(payload.value, payload.type_name)
    if name == "certificate":
        rsp.append(M.Certificate(base64.b64encode(value).decode("ascii")))
        return
    rsp.append(asn1_status("RetrieveDeviceSecurityCredentialsStatusCode",
                           asn1_record(payload.fields(), payload.type_name)["responseCode"], value))
    rsp.set("MessageSuccess", "false")


# -- Device side ----------------------------------------------------------------------------------------

OTHER = asn1.named_numbers("StatusCode")["other"]
CERTIFICATE_RETRIEVAL_FAILURE = asn1.named_numbers("ProvideDeviceCertificateResponseCode")[
    "certificateRetrievalFailure"]


@accepts("CS02aMAC", "CS02fMAC")
def security_credential_details_command(command: DeviceCommand) -> dict:
    """The remote party roles asked for (GBCS numbers), in order."""
    value = asn1_command_record(command, "ProvideSecurityCredentialDetailsCommand")
    return {"RemotePartyRoles": tuple(value["remotePartyRolesCredentialsRequired"])}


def credential_details_outcome(anchors: list[TrustAnchor]) -> dict[str, str]:
    """A device's answer to 6.24.1 (its cells, role by role in the order asked), in MMC names."""
    return parsed_values("CS02aMAC", asn1.Asn1Payload("ProvideSecurityCredentialDetailsResponse", _details(
        [(asn1.named_numbers("RemotePartyRole")[a.role], a.status, a.sequence_number,
          None if a.entity_id is None else _cell_contents(a.certificate_usage or "", bytes(a.entity_id),
                                                          a.key_identifier or b""))
         for a in anchors])))


def _cell_contents(usage: str, entity_id: bytes, key_identifier: bytes) -> dict:
    found = cell(0, *CELL_KINDS[usage])
    return {"trustAnchorCellKeyUsage": found["trustAnchorCellKeyUsage"],
            "trustAnchorCellUsage": found["trustAnchorCellUsage"], "subjectUniqueID": entity_id,
            "subjectKeyIdentifier": key_identifier}


def _details(rows: list[tuple[int, str, int | None, dict | None]]) -> list[dict]:
    """RemotePartyDetails from (role, status, sequence number, cell contents) rows, a role's cells together."""
    details: list[dict] = []
    for role, status, sequence, contents in rows:
        last = details[-1] if details else None
        if last is not None and last["targetRemotePartyRole"] == role and contents is not None \
                and "trustAnchorCellDetails" in last:
            last["trustAnchorCellDetails"].append(contents)
            continue
        entry: dict = {"targetRemotePartyRole": role, "statusCode": status}
        if sequence is not None:
            entry["currentSeqNumber"] = sequence
        if contents is not None:
            entry["trustAnchorCellDetails"] = [contents]
        details.append(entry)
    return details


@answers("CS02aMAC", "CS02fMAC")
def security_credential_details_answer(command: DeviceCommand, outcome: dict) -> bytes:
    """Each role asked for, with the MMC entries that name it (an entry with no role name, for a role MMC
    does not name, goes with the role the command names in that place); a role the outcome does not
    report, when the command failed, 'other'."""
    entries = mmc_entries(outcome, "RemotePartyDetails")
    rows: list[tuple[int, str, int | None, dict | None]] = []
    for role in security_credential_details_command(command)["RemotePartyRoles"]:
        name = MMC_ROLES.get(ROLE_NAMES.get(role, ""))
        mine = []
        while entries and entries[0].get("RemotePartyRole") == name:
            mine.append(entries.pop(0))
        if not mine:
            rows.append((role, "other" if not device.succeeded(outcome) else "trustAnchorNotFound", None, None))
        for entry in mine:
            sequence = entry.get("RemotePartyFloorSeqNumber")
            contents = None
            if "CertificateUsage" in entry:
                contents = _cell_contents(entry["CertificateUsage"], bytes(EntityId(entry["ExistingRemotePartyID"])),
                                          base64.b64decode(entry["ExistingCertificateHash"]))
            rows.append((role, STATUS_NAMES[response_code(entry, "StatusCode", OTHER)],
                         int(sequence) if sequence is not None else None, contents))
    return asn1.encode("ProvideSecurityCredentialDetailsResponse", _details(rows))


def trust_anchor_holder(values: dict[str, str], role: str, usage: str) -> str | None:
    """Whose certificate a 6.24.1 response (MMC values) says is in the cell of this MMC role ("Supplier")
    and certificate usage ("DigitalSigning", "KeyAgreementTopUp" ...)."""
    for entry in mmc_entries(values, "RemotePartyDetails"):
        if entry.get("RemotePartyRole") == role and entry.get("CertificateUsage") == usage:
            return entry.get("ExistingRemotePartyID")
    return None


def role_cells(values: dict[str, str], role: str) -> dict[str, tuple[str | None, str | None]]:
    """What a 6.24.1 response (MMC values) says the cells of one MMC role hold: by certificate usage, the holder's
    entity id and the subject key identifier (base64) of the certificate in it."""
    return {entry["CertificateUsage"]: (entry.get("ExistingRemotePartyID"), entry.get("ExistingCertificateHash"))
            for entry in mmc_entries(values, "RemotePartyDetails")
            if entry.get("RemotePartyRole") == role and "CertificateUsage" in entry}


def replaced_cell(values: dict[str, str], role: str, certificate_type: str) -> tuple[str, str, bytes] | None:
    """What a 6.15.1 / 6.21 / 6.23 response (MMC values) says of one cell it replaced, by MMC role ("Supplier") and
    certificate type ("DigitalSigning"): its status ("success"), the party now in it and the subject key identifier
    of the certificate now in it; None when the response names no such cell."""
    for entry in mmc_entries(values, "ExecutionOutcome/ReplacementOutcome"):
        if entry.get("RemotePartyRole") == role and entry.get("CertificateType") == certificate_type:
            return (entry.get("StatusCode/ASN1Status", ""), entry.get("NewRemotePartyID", ""),
                    base64.b64decode(entry.get("NewCertificateHash", "")))
    return None


@accepts("CS02e")
def device_certificate_command(command: DeviceCommand) -> dict:
    return credential_type(command, "ProvideDeviceCertificateCommand")


def device_certificate_outcome(certificate: bytes | None, reason: str | None = None) -> dict[str, str]:
    """A device's answer to 6.24.2: its certificate (DER), or why not (invalidKeyUsage, noCertificateHeld,
    certificateRetrievalFailure), in MMC names."""
    if certificate is not None:
        value: tuple = ("certificate", certificate)
    else:
        value = ("responseCode", asn1.named_numbers("ProvideDeviceCertificateResponseCode")[reason or ""])
    return parsed_values("CS02e", asn1.Asn1Payload("ProvideDeviceCertificateResponse", value))


@answers("CS02e")
def device_certificate_answer(command: DeviceCommand, outcome: dict) -> bytes:
    certificate = outcome.get("Certificate")
    if device.succeeded(outcome) and certificate:
        return asn1.encode("ProvideDeviceCertificateResponse", ("certificate", base64.b64decode(certificate)))
    code = response_code(outcome, "RetrieveDeviceSecurityCredentialsStatusCode", CERTIFICATE_RETRIEVAL_FAILURE)
    return asn1.encode("ProvideDeviceCertificateResponse", ("responseCode", code))
