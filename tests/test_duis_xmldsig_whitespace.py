"""DUIS signatures the DCC Boxed signing tool accepts: it reads documents ignoring element-content whitespace.

dccboxed-signing-tool (Util.create_document_builder_factory) parses with the DUIS schema and
setIgnoringElementContentWhitespace(true), so its digest is over the document without indentation. `dcc_boxed_check`
reads a document that way (lxml's remove_blank_text drops the same whitespace-only text between elements) and checks
the digest and the ECDSA value with `cryptography` alone, not with harness.duis.xmldsig.
"""

from __future__ import annotations

import base64
import copy
import datetime as dt
import hashlib

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from dit_command import dit
from lxml import etree

from harness.duis import examples, xml, xmldsig
from harness.duis.xmldsig import SignatureStatus
from harness.pki import SMKI, KeyUsage

NOW = dt.datetime(2026, 11, 21, 9, 0, tzinfo=dt.UTC)
TEMPLATE = "CCS01_8.11_SUCCESS_REQUEST_DUIS.XML"


def dcc_boxed_check(data: bytes, public_key: ec.EllipticCurvePublicKey) -> str:
    """'valid', or which check fails ('digest', 'signature') when the DCC Boxed tool validates the document."""
    root = etree.fromstring(data, etree.XMLParser(remove_blank_text=True, resolve_entities=False, no_network=True))
    signature = root.find("ds:Signature", xml.NSMAP)
    signed_info = signature.find("ds:SignedInfo", xml.NSMAP)
    content = copy.deepcopy(root)
    content.remove(content.find("ds:Signature", xml.NSMAP))
    digest = hashlib.sha256(etree.tostring(content, method="c14n", exclusive=False)).digest()
    if digest != base64.b64decode(signed_info.findtext("ds:Reference/ds:DigestValue", namespaces=xml.NSMAP)):
        return "digest"
    raw = base64.b64decode("".join(signature.findtext("ds:SignatureValue", namespaces=xml.NSMAP).split()))
    der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    try:
        public_key.verify(der, etree.tostring(signed_info, method="c14n", exclusive=True), ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        return "signature"
    return "valid"


def _supplier_a(smki: SMKI):
    return smki.keystore.credential(examples.SUPPLIER_A, KeyUsage.XML_SIGNING, private=True)


def _indented_example(smki: SMKI) -> etree._Element:
    root = examples.build_example("8.11", smki, NOW, 1000)
    etree.indent(root)
    return root


def test_the_check_accepts_real_dcc_boxed_responses(conformance, conformance_keystore):
    """The stand-in for the tool agrees with it on its own output (and on its negative sample)."""
    signed = conformance / "duis" / "signed"
    for name, expected in [("readfw-response.xml", "valid"), ("read-inventory-response-5.4.xml", "valid"),
                           ("readfw-response-badsignature.xml", "signature")]:
        data = (signed / name).read_bytes()
        root = xml.parse(data)
        cred = conformance_keystore.by_issuer_serial(xml.text(root, ".//ds:X509IssuerName"),
                                                     int(xml.text(root, ".//ds:X509SerialNumber")))
        assert dcc_boxed_check(data, cred.public_key) == expected, name


def test_dit_duis_sign_of_an_indented_template_verifies_as_the_dcc_boxed_tool_reads_it(conformance, tmp_path):
    template = conformance / "duis" / "templates" / TEMPLATE
    assert b"\n  <sr:Header>" in template.read_bytes()                  # indented input
    smki = SMKI.open(tmp_path / "smki")
    signed = tmp_path / "signed.xml"
    result = dit("duis", "sign", str(template), "--keystore", str(tmp_path / "smki"), "--out", str(signed))
    assert result.returncode == 0, result.stderr
    data = signed.read_bytes()
    assert dcc_boxed_check(data, _supplier_a(smki).public_key) == "valid"
    assert xmldsig.verify(xml.parse(data), smki.keystore).valid


def test_dit_duis_example_sign_verifies_as_the_dcc_boxed_tool_reads_it(tmp_path):
    result = dit("duis", "example", "8.11", "--sign", DIT_SMKI=str(tmp_path / "smki"))
    assert result.returncode == 0, result.stderr
    smki = SMKI.open(tmp_path / "smki")
    assert dcc_boxed_check(result.stdout.strip().encode(), _supplier_a(smki).public_key) == "valid"


def test_signing_an_indented_request_signs_what_the_dcc_reads(smki):
    cred = _supplier_a(smki)
    root = xmldsig.sign(_indented_example(smki), cred.private_key, cred.certificate)
    data = xml.serialize(root)
    assert dcc_boxed_check(data, cred.public_key) == "valid"
    assert xmldsig.verify(xml.parse(data), smki.keystore).valid
    assert b">\n" not in data.split(b"?>", 1)[1]                      # what we sent is exactly what we signed


def test_a_signature_over_the_indented_form_still_verifies_here(smki, monkeypatch):
    """Signed keeping the indentation (as before, or by another XMLDSig tool): the DCC rejects it, we accept it."""
    cred = _supplier_a(smki)
    with monkeypatch.context() as patched:
        patched.setattr(xmldsig, "strip_element_content_whitespace", lambda root: root)
        data = xml.serialize(xmldsig.sign(_indented_example(smki), cred.private_key, cred.certificate))
    assert dcc_boxed_check(data, cred.public_key) == "digest"
    assert xmldsig.verify(xml.parse(data), smki.keystore).valid


def test_a_dcc_signed_document_indented_afterwards_verifies_but_not_a_changed_value(smki):
    cred = _supplier_a(smki)
    root = xmldsig.sign(examples.build_example("8.11", smki, NOW, 1000), cred.private_key, cred.certificate)
    etree.indent(root)
    assert dcc_boxed_check(xml.serialize(root), cred.public_key) == "valid"
    assert xmldsig.verify(root, smki.keystore).valid
    device = root.find(".//sr:DeviceID", xml.NSMAP)
    device.text = f" {device.text}"                                      # whitespace inside a value is content
    check = xmldsig.verify(root, smki.keystore)
    assert check.status is SignatureStatus.INVALID and "digest" in check.reason


def test_only_whitespace_between_elements_is_stripped():
    root = etree.fromstring(b"<a>\n  <b> </b>\n  <!-- c -->\n  <c>x y</c>\n  <d>\n    <e/>\n  </d>\n</a>")
    xmldsig.strip_element_content_whitespace(root)
    assert etree.tostring(root) == b"<a><b> </b><!-- c --><c>x y</c><d><e/></d></a>"


@pytest.mark.parametrize("document", [
    b"<a><b>x</b><c/></a>",                       # nothing to strip: the canonical form is the digest's
    b"<a>\n  <b> </b>\n  <c>x y</c>\n</a>",       # indentation; a leaf's blank value is kept
    b"<a>x<!-- c -->  <b/></a>",                  # a comment's blank tail: not between two tags in the form
    b"<a><?p q?>\n<b/></a>",                      # a processing instruction's
    b"<a><b/>&#13;<c/></a>",                      # a CR between elements, &#xD; in the canonical form
    b"<a><b>&#13;</b><c a='&gt; &lt;'/></a>",     # a CR value and an attribute's "> <": nothing to strip
])
def test_the_digest_ignoring_whitespace_is_that_of_the_stripped_document(document):
    """Signing digests the canonical form as it is when it shows nothing to strip: always what stripping the
    element-content whitespace first gives."""
    root = etree.fromstring(document)
    stripped = xmldsig.strip_element_content_whitespace(copy.deepcopy(root))
    assert xmldsig.document_digest(root, ignore_whitespace=True) == \
        hashlib.sha256(etree.tostring(stripped, method="c14n", with_comments=False)).digest()
