"""Enveloped XML signatures on DUIS requests and responses, exactly as the DCC makes and checks them.

gbcs_security.md section 11:
- one ds:Signature, the last child of sr:Request / sr:Response;
- SignedInfo canonicalised with exclusive C14N, signed with ecdsa-sha256, value = base64 raw r||s;
- one Reference URI="" with only the enveloped-signature transform, so its SHA-256 digest is over the
  *inclusive* C14N 1.0 form of the document without the Signature (the XMLDSig default);
- KeyInfo/X509Data/X509IssuerSerial names the signer's certificate.

Whitespace: the DCC Boxed signing tool reads DUIS with the schema and ignoring element-content whitespace
(dccboxed-signing-tool Util.create_document_builder_factory: setSchema + setIgnoringElementContentWhitespace), so
the digest it signs and checks is over the document without the whitespace between elements. We sign that form
too, and remove that whitespace from the document we sign, so that it verifies whether or not a verifier ignores it.
"""

from __future__ import annotations

import base64
import binascii
import copy
import hashlib
import re
from dataclasses import dataclass
from enum import Enum

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from lxml import etree

from harness.duis.xml import DS, Maker, canonical, copy_tree, ds, first
from harness.errors import DitError
from harness.eui import EntityId
from harness.pki import Credential, Keystore, KeyUsage
from harness.pki.certificates import per_certificate
from harness.pki.signatures import sign as ecdsa_sign
from harness.pki.signatures import verify as ecdsa_verify

EXC_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#"
ECDSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256"
ENVELOPED = "http://www.w3.org/2000/09/xmldsig#enveloped-signature"
SHA256 = "http://www.w3.org/2001/04/xmlenc#sha256"


class SignatureStatus(str, Enum):
    VALID = "valid"
    INVALID = "invalid"
    ABSENT = "absent"
    UNKNOWN_KEY = "unknown_key"
    UNSUPPORTED = "unsupported"


@dataclass(frozen=True)
class SignatureCheck:
    status: SignatureStatus
    reason: str | None = None
    issuer: str | None = None
    serial: int | None = None
    signer: Credential | None = None        # the keystore's credential that verified a valid signature

    @property
    def valid(self) -> bool:
        return self.status is SignatureStatus.VALID


def _issuer_name(cert: x509.Certificate) -> str:
    """X509IssuerName as the DCC writes it: RFC 4514 (CN=Z1,OU=07)."""
    return cert.issuer.rfc4514_string()


issuer_name = per_certificate(_issuer_name)      # a signer signs thousands of documents with one certificate


def _detach(parent: etree._Element, node: etree._Element) -> None:
    """Remove an element but keep the text that followed it, as the enveloped-signature transform does."""
    if node.tail:
        prev = node.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + node.tail
        else:
            parent.text = (parent.text or "") + node.tail
    parent.remove(node)


_SIGNATURE_TAG = ds("Signature")


def _signatures(root: etree._Element) -> list[etree._Element]:
    return list(root.iterchildren(_SIGNATURE_TAG))


_XML_SPACE = " \t\r\n"


_BLANK_TEXT = etree.XPath("descendant-or-self::*[*]/text()[normalize-space() = '']")


def strip_element_content_whitespace(root: etree._Element) -> etree._Element:
    """Drop whitespace-only text between elements in place, as a parser that ignores element-content whitespace does.

    Only where an element has child elements (element-only content: DUIS has no mixed content); the text of a value,
    even whitespace only, is kept. Returns root."""
    # One XPath finds the candidates (whitespace-only text of elements with element children), so a document
    # built without indentation, as every one the framework signs, costs next to nothing.
    found = _BLANK_TEXT(root)                 # normalize-space() strips exactly XML's four space characters
    for text in found if isinstance(found, list) else ():           # a text() node-set: a list of smart strings
        if isinstance(text, etree._ElementUnicodeResult) and (parent := text.getparent()) is not None:
            if text.is_tail:
                parent.tail = None
            else:
                parent.text = None
    return root


# Whitespace-only text between two tags in a canonical form (C14N writes a CR in text as &#xD;, and escapes < and >
# in text, and < in attribute values, so every "<" and ">" here is a tag's).
_BLANK_BETWEEN_TAGS = re.compile(rb">(?:[ \t\n]|&#xD;)+<")


def _digest(doc: etree._Element, *, ignore_whitespace: bool) -> bytes:
    tree = doc.getroottree()
    if ignore_whitespace:
        form = canonical(tree, exclusive=False)
        # Without comments and PIs every text node sits between two tags, so one of element-only content that is
        # whitespace shows in the canonical form: none there (as in every document dit builds) is nothing to strip,
        # and the form is the digest's; else it is stripped and canonicalised again (its leaves' text is kept).
        if _BLANK_BETWEEN_TAGS.search(form) is None and next(doc.iter(etree.Comment, etree.ProcessingInstruction),
                                                             None) is None:
            return hashlib.sha256(form).digest()
        strip_element_content_whitespace(doc)
    return hashlib.sha256(canonical(tree, exclusive=False)).digest()


def document_digest(root: etree._Element, *, ignore_whitespace: bool = False) -> bytes:
    """SHA-256 of the inclusive C14N 1.0 document with its enveloped Signature removed; with ignore_whitespace,
    of the document as the DCC Boxed tool reads it (without element-content whitespace).

    On a copy: taking the Signature out of the document itself and putting it back is not neutral, as lxml then
    rebinds its namespace to a prefix an ancestor declares (ns3: in place of ds:), which changes SignedInfo's
    canonical form."""
    doc = copy_tree(root)                     # deep, without deepcopy's memo
    for sig in _signatures(doc):
        _detach(doc, sig)
    return _digest(doc, ignore_whitespace=ignore_whitespace)


def sign_as(root: etree._Element, keystore: Keystore, signer: EntityId) -> etree._Element:
    """Sign in place with the signer's XML-signing key and certificate from the keystore (the certificate goes
    into KeyInfo, so a bare public key will not do)."""
    cred = keystore.credential(signer, KeyUsage.XML_SIGNING, private=True)
    if cred.private_key is None or cred.certificate is None:
        raise DitError(f"no XML signing certificate and key for {signer}",
                       fix="add <eui>-xml.pem and its key to the keystore")
    return sign(root, cred.private_key, cred.certificate)


def _signature_template() -> etree._Element:
    """The ds:Signature every DUIS signature is, its four values empty: copied for each document signed."""
    m = Maker(namespace=DS, nsmap={"ds": DS})
    return m.Signature(
        m.SignedInfo(
            m.CanonicalizationMethod(Algorithm=EXC_C14N),
            m.SignatureMethod(Algorithm=ECDSA_SHA256),
            m.Reference(m.Transforms(m.Transform(Algorithm=ENVELOPED)), m.DigestMethod(Algorithm=SHA256),
                        m.DigestValue(), URI=""),
        ),
        m.SignatureValue(),
        m.KeyInfo(m.X509Data(m.X509IssuerSerial(m.X509IssuerName(), m.X509SerialNumber()))),
    )


_SIGNATURE = _signature_template()


def sign(root: etree._Element, key: ec.EllipticCurvePrivateKey, certificate: x509.Certificate) -> etree._Element:
    """Sign in place (replacing any existing signature, e.g. a template placeholder); returns root.

    The element-content whitespace (indentation) is removed first, as the DCC Boxed tool's own signing does: the
    DCC digests the document without it, and a verifier that keeps it then sees the same bytes."""
    for sig in _signatures(root):
        _detach(root, sig)
    digest = _digest(root, ignore_whitespace=True)         # strips the document itself of its indentation
    signature = copy_tree(_SIGNATURE)          # deep, as document_digest's
    signed_info, signature_value, key_info = signature         # the template's children, in its order
    signed_info[2][2].text = base64.b64encode(digest).decode()  # Reference/DigestValue
    issuer_serial = key_info[0][0]                            # X509Data/X509IssuerSerial
    issuer_serial[0].text, issuer_serial[1].text = issuer_name(certificate), str(certificate.serial_number)
    root.append(signature)
    value = ecdsa_sign(canonical(signed_info, exclusive=True), key)
    signature_value.text = base64.b64encode(value).decode()
    return root


def _algorithm(node: etree._Element | None) -> str | None:
    return None if node is None else node.get("Algorithm")


# The ds: elements verify() reads: the children of Signature, SignedInfo and Reference each read in one pass
# (_children), the issuer's two by xml.first; rather than find() and findtext() paths, which lxml parses at each call.
_SIGNED_INFO, _REFERENCE, _TRANSFORMS, _TRANSFORM = ds("SignedInfo"), ds("Reference"), ds("Transforms"), ds("Transform")
_C14N_METHOD, _SIGNATURE_METHOD = ds("CanonicalizationMethod"), ds("SignatureMethod")
_DIGEST_METHOD, _DIGEST_VALUE, _SIGNATURE_VALUE = ds("DigestMethod"), ds("DigestValue"), ds("SignatureValue")
_ISSUER_SERIAL = (ds("KeyInfo"), ds("X509Data"), ds("X509IssuerSerial"))
_X509_ISSUER_NAME, _X509_SERIAL_NUMBER = ds("X509IssuerName"), ds("X509SerialNumber")
_ISSUER_NAME, _SERIAL_NUMBER = (*_ISSUER_SERIAL, _X509_ISSUER_NAME), (*_ISSUER_SERIAL, _X509_SERIAL_NUMBER)


def _children(node: etree._Element) -> dict[str, etree._Element]:
    """An element's children by tag, each tag's first: what iterchildren(tag) finds first, for every tag at once."""
    out: dict[str, etree._Element] = {}
    for child in node:
        out.setdefault(child.tag, child)
    return out


def _text(node: etree._Element | None) -> str | None:
    """What findtext() gives for the element found: its text, "" when it has none; None when none was found."""
    return None if node is None else node.text or ""


def verify(root: etree._Element, keystore: Keystore) -> SignatureCheck:
    """Check the enveloped signature.

    The digest and the SignatureValue may cover the document and SignedInfo as they are (what XMLDSig tools that
    keep whitespace sign, so every document accepted before still is) or without element-content whitespace, which
    is all the DCC Boxed tool checks: a document the DCC accepts, e.g. one of its responses indented on the way, is
    accepted here too. That form gives nothing away: it leaves out only whitespace between elements, which carries
    no DUIS or XMLDSig content (a schema-validating reader drops it), never a value's text."""
    sigs = _signatures(root)
    if not sigs:
        return SignatureCheck(SignatureStatus.ABSENT, "no ds:Signature in the document")
    if len(sigs) > 1:
        return SignatureCheck(SignatureStatus.UNSUPPORTED, "more than one ds:Signature")
    sig = sigs[0]
    parts = _children(sig)
    signed_info = parts.get(_SIGNED_INFO)
    if signed_info is None:
        return SignatureCheck(SignatureStatus.INVALID, "ds:Signature has no SignedInfo")
    hidden = next((n for n in root.iter(etree.Comment, etree.ProcessingInstruction)
                   if sig not in n.iterancestors()), None)
    if hidden is not None:
        # C14N without comments leaves them out of the digest, so `R<!---->emove` signs as "Remove" while a
        # reader of .text sees "R": what is signed must be what every reader reads.
        kind = "comment" if isinstance(hidden, etree._Comment) else "processing instruction"
        return SignatureCheck(SignatureStatus.INVALID,
                              f"a {kind} inside the signed content (line {hidden.sourceline}): the signature does "
                              "not cover it, so the values around it are not what was signed")
    info = _children(signed_info)
    refs = list(signed_info.iterchildren(_REFERENCE))
    reference = _children(refs[0]) if len(refs) == 1 else {}
    transforms = [] if len(refs) != 1 else [t.get("Algorithm") for group in refs[0].iterchildren(_TRANSFORMS)
                                            for t in group.iterchildren(_TRANSFORM)]
    profile = [
        (_algorithm(info.get(_C14N_METHOD)) == EXC_C14N, "CanonicalizationMethod"),
        (_algorithm(info.get(_SIGNATURE_METHOD)) == ECDSA_SHA256, "SignatureMethod"),
        (len(refs) == 1 and refs[0].get("URI") == "", "Reference URI"),
        (transforms == [ENVELOPED], "Transforms"),
        (len(refs) == 1 and _algorithm(reference.get(_DIGEST_METHOD)) == SHA256, "DigestMethod"),
    ]
    for ok, what in profile:
        if not ok:
            return SignatureCheck(SignatureStatus.UNSUPPORTED, f"{what} is not the DUIS signature profile")
    # Both from the first X509IssuerSerial when it has both (as every DUIS signature does): the first of each in
    # document order, as find() gives, in one walk; else each found as find() finds it.
    serial_node = first(sig, _ISSUER_SERIAL)
    issuer_serial = _children(serial_node) if serial_node is not None else {}
    name_node, number_node = issuer_serial.get(_X509_ISSUER_NAME), issuer_serial.get(_X509_SERIAL_NUMBER)
    if name_node is None or number_node is None:
        name_node, number_node = first(sig, _ISSUER_NAME), first(sig, _SERIAL_NUMBER)
    issuer, serial_text = _text(name_node), _text(number_node)
    try:
        serial = int((serial_text or "").strip())
    except ValueError:
        return SignatureCheck(SignatureStatus.INVALID, "X509SerialNumber is missing or not a number", issuer)
    try:
        expected = base64.b64decode("".join((_text(reference.get(_DIGEST_VALUE)) or "").split()), validate=True)
        value = base64.b64decode("".join((_text(parts.get(_SIGNATURE_VALUE)) or "").split()), validate=True)
    except binascii.Error:
        return SignatureCheck(SignatureStatus.INVALID, "DigestValue or SignatureValue is not base64", issuer, serial)
    if document_digest(root) != expected and document_digest(root, ignore_whitespace=True) != expected:
        return SignatureCheck(SignatureStatus.INVALID, "document digest does not match: the content was changed",
                              issuer, serial)
    cred = keystore.by_issuer_serial(issuer or "", serial) if issuer else None
    if cred is None:
        return SignatureCheck(SignatureStatus.UNKNOWN_KEY,
                              f"no certificate issued by {issuer} with serial {serial} in the keystore", issuer, serial)
    form = canonical(signed_info, exclusive=True)
    if not ecdsa_verify(form, value, cred.public_key) and not (
            (stripped := canonical(strip_element_content_whitespace(copy.deepcopy(signed_info)), exclusive=True))
            != form and ecdsa_verify(stripped, value, cred.public_key)):
        return SignatureCheck(SignatureStatus.INVALID, "SignatureValue does not verify with the signer's key",
                              issuer, serial)
    return SignatureCheck(SignatureStatus.VALID, None, issuer, serial, cred)
