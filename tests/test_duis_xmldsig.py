"""DUIS XML signatures: real DCC Boxed signatures, our own, and the ways they must fail; safe parsing."""

from __future__ import annotations

import copy

import pytest
from lxml import etree

from harness.duis import requests, xml, xmldsig
from harness.duis.request_id import RequestId
from harness.duis.xmldsig import SignatureStatus
from harness.eui import EntityId
from harness.pki import Keystore, KeyUsage

SUPPLIER_A = EntityId("90-B3-D5-1F-30-01-00-00")
SUPPLIER_B = EntityId("90-B3-D5-1F-30-03-00-00")


def _signed_dir(conformance):
    return conformance / "duis" / "signed"


def _request():
    rid = RequestId.parse("90-B3-D5-1F-30-01-00-00:00-DB-12-34-56-78-90-A2:1000")
    return requests.build("8.11", rid, device_id="00-DB-12-34-56-78-90-A0",
                          install_code="30313233343536373839414243444546")


def _sign(root, smki, party=SUPPLIER_A):
    cred = smki.keystore.credential(party, KeyUsage.XML_SIGNING, private=True)
    return xmldsig.sign(root, cred.private_key, cred.certificate)


@pytest.mark.parametrize("name", ["readfw-response.xml", "read-inventory-response-5.4.xml"])
def test_real_dcc_boxed_signatures_verify(conformance, conformance_keystore, name):
    root = xml.parse((_signed_dir(conformance) / name).read_bytes())
    assert xmldsig.verify(root, conformance_keystore).status is SignatureStatus.VALID


def test_the_bad_signature_sample_fails(conformance, conformance_keystore):
    root = xml.parse((_signed_dir(conformance) / "readfw-response-badsignature.xml").read_bytes())
    check = xmldsig.verify(root, conformance_keystore)
    assert check.status is SignatureStatus.INVALID


def test_digest_is_inclusive_c14n_of_the_document(conformance):
    """The DCC's digest matches inclusive C14N 1.0, not exclusive (gbcs_security.md section 11)."""
    import base64
    import hashlib

    root = xml.parse((_signed_dir(conformance) / "read-inventory-response-5.4.xml").read_bytes())
    expected = base64.b64decode(root.findtext(".//ds:DigestValue", namespaces=xml.NSMAP))
    assert xmldsig.document_digest(root) == expected
    stripped = copy.deepcopy(root)
    stripped.remove(stripped.find("ds:Signature", xml.NSMAP))
    assert hashlib.sha256(xml.canonical(stripped.getroottree(), exclusive=True)).digest() != expected


def test_changing_one_value_breaks_a_real_signature(conformance, conformance_keystore):
    root = xml.parse((_signed_dir(conformance) / "read-inventory-response-5.4.xml").read_bytes())
    root.find(".//sr:DeviceStatus", xml.NSMAP).text = "Decommissioned"
    check = xmldsig.verify(root, conformance_keystore)
    assert check.status is SignatureStatus.INVALID and "digest" in check.reason


def test_sign_and_verify_with_the_test_smki(smki):
    root = _sign(_request(), smki)
    reparsed = xml.parse(xml.serialize(root))
    assert xmldsig.verify(reparsed, smki.keystore).valid
    assert reparsed[-1].tag == xml.ds("Signature")          # enveloped: the last child of sr:Request


def test_signing_a_pretty_printed_template_keeps_it_verifiable(conformance, smki):
    """Templates carry a placeholder signature and indentation; re-signing must survive both."""
    data = (conformance / "duis" / "templates" / "CCS01_8.11_SUCCESS_REQUEST_DUIS.XML").read_bytes()
    root = _sign(xml.parse(data), smki)
    signatures = root.findall("ds:Signature", xml.NSMAP)
    assert len(signatures) == 1
    assert xmldsig.verify(xml.parse(xml.serialize(root)), smki.keystore).valid


def test_signature_by_the_wrong_key_is_invalid(smki):
    root = _sign(_request(), smki, party=SUPPLIER_B)
    # claim supplier A's certificate while the value was made with supplier B's key
    cert_a = smki.keystore.credential(SUPPLIER_A, KeyUsage.XML_SIGNING).certificate
    serial = root.find(".//ds:X509SerialNumber", xml.NSMAP)
    serial.text = str(cert_a.serial_number)
    check = xmldsig.verify(root, smki.keystore)
    assert check.status is SignatureStatus.INVALID and "SignatureValue" in check.reason


def test_unknown_signer_and_missing_signature(smki, tmp_path):
    root = _sign(_request(), smki)
    assert xmldsig.verify(root, Keystore()).status is SignatureStatus.UNKNOWN_KEY
    assert xmldsig.verify(_request(), smki.keystore).status is SignatureStatus.ABSENT


def test_a_second_signature_is_outside_the_duis_profile(smki):
    root = _sign(_request(), smki)
    root.append(copy.deepcopy(root.find("ds:Signature", xml.NSMAP)))
    check = xmldsig.verify(root, smki.keystore)
    assert check.status is SignatureStatus.UNSUPPORTED and check.reason == "more than one ds:Signature"


def test_a_comment_or_processing_instruction_inside_signed_content_is_refused(smki):
    """C14N leaves comments out of the digest: `R<!---->emove` would verify as signed "Remove" and read as "R"."""
    for hidden in (etree.Comment(" not signed content "), etree.ProcessingInstruction("pi", "not signed either")):
        root = _sign(_request(), smki)
        assert xmldsig.verify(root, smki.keystore).valid
        root.find("sr:Body", xml.NSMAP).append(hidden)
        check = xmldsig.verify(root, smki.keystore)
        assert check.status is SignatureStatus.INVALID and "inside the signed content" in check.reason


def test_a_comment_splitting_a_signed_value_is_refused(smki):
    root = _sign(_request(), smki)
    target = next(n for n in root.iter() if isinstance(n.tag, str) and n.text and len(n.text.strip()) > 2
                  and not len(n) and n.tag.startswith("{http://www.dccinterface.co.uk/ServiceUserGateway}"))
    text = target.text.strip()
    target.text = text[:1]
    comment = etree.Comment("")
    comment.tail = text[1:]
    target.append(comment)
    assert "".join(target.itertext()) == text          # the signed canonical text is unchanged ...
    assert xmldsig.verify(root, smki.keystore).status is SignatureStatus.INVALID      # ... but refused


def test_tampered_signed_info(smki):
    root = _sign(_request(), smki)
    method = root.find(".//ds:SignatureMethod", xml.NSMAP)
    method.set("Algorithm", "http://www.w3.org/2000/09/xmldsig#rsa-sha1")
    assert xmldsig.verify(root, smki.keystore).status is SignatureStatus.UNSUPPORTED


def _ds(root, path):
    return root.find(f".//ds:{path}", xml.NSMAP)


def _remove(root, path):
    node = _ds(root, path)
    node.getparent().remove(node)


def _second_reference(root):
    reference = _ds(root, "Reference")
    reference.addnext(copy.deepcopy(reference))


def _second_transform(root):
    transform = _ds(root, "Transform")
    transform.addnext(copy.deepcopy(transform))


@pytest.mark.parametrize(("alter", "status", "reason"), [
    (lambda r: _remove(r, "SignedInfo"), SignatureStatus.INVALID, "has no SignedInfo"),
    (lambda r: _ds(r, "CanonicalizationMethod").set("Algorithm", xml.DS), SignatureStatus.UNSUPPORTED,
     "CanonicalizationMethod"),
    (lambda r: _remove(r, "SignatureMethod"), SignatureStatus.UNSUPPORTED, "SignatureMethod"),
    (lambda r: _ds(r, "Reference").set("URI", "#body"), SignatureStatus.UNSUPPORTED, "Reference URI"),
    (_second_reference, SignatureStatus.UNSUPPORTED, "Reference URI"),
    (_second_transform, SignatureStatus.UNSUPPORTED, "Transforms"),
    (lambda r: _remove(r, "Transforms"), SignatureStatus.UNSUPPORTED, "Transforms"),
    (lambda r: _ds(r, "DigestMethod").set("Algorithm", "http://www.w3.org/2000/09/xmldsig#sha1"),
     SignatureStatus.UNSUPPORTED, "DigestMethod"),
    (lambda r: _remove(r, "X509SerialNumber"), SignatureStatus.INVALID, "X509SerialNumber"),
    (lambda r: setattr(_ds(r, "X509SerialNumber"), "text", "12a"), SignatureStatus.INVALID, "X509SerialNumber"),
    (lambda r: setattr(_ds(r, "DigestValue"), "text", "not base64!"), SignatureStatus.INVALID, "not base64"),
    (lambda r: _remove(r, "SignatureValue"), SignatureStatus.INVALID, "SignatureValue does not verify"),
    (lambda r: _remove(r, "X509IssuerName"), SignatureStatus.UNKNOWN_KEY, "None"),
])
def test_each_part_of_the_signature_profile_is_checked(smki, alter, status, reason):
    root = _sign(_request(), smki)
    alter(root)
    check = xmldsig.verify(root, smki.keystore)
    assert check.status is status and reason in str(check.reason)


def test_the_issuer_and_serial_are_found_wherever_an_xpath_finds_them(smki):
    """KeyInfo may hold an X509Data without X509IssuerSerial before the one with it (an X509SubjectName, say)."""
    root = _sign(_request(), smki)
    data = _ds(root, "X509Data")
    other = etree.Element(xml.ds("X509Data"))
    etree.SubElement(other, xml.ds("X509SubjectName")).text = "CN=someone"
    data.addprevious(other)
    root = xml.parse(xml.serialize(root))
    check = xmldsig.verify(root, smki.keystore)
    assert check.valid and check.serial == smki.keystore.credential(SUPPLIER_A, KeyUsage.XML_SIGNING).certificate \
        .serial_number


def test_the_issuer_and_serial_are_each_the_first_in_document_order(smki):
    """A first X509IssuerSerial with a serial number only: the serial is its, the issuer name the next one's, as
    find() reads them (the one walk that reads both from the first X509IssuerSerial does not apply)."""
    root = _sign(_request(), smki)
    issuer = _ds(root, "X509IssuerName").text
    data = _ds(root, "X509Data")
    other = etree.Element(xml.ds("X509Data"))
    etree.SubElement(etree.SubElement(other, xml.ds("X509IssuerSerial")), xml.ds("X509SerialNumber")).text = "999"
    data.addprevious(other)
    check = xmldsig.verify(xml.parse(xml.serialize(root)), smki.keystore)
    assert (check.status, check.issuer, check.serial) == (SignatureStatus.UNKNOWN_KEY, issuer, 999)


def test_java_line_breaks_in_signature_value_are_tolerated(smki):
    root = _sign(_request(), smki)
    value = root.find(".//ds:SignatureValue", xml.NSMAP)
    value.text = value.text[:40] + "\r\n" + value.text[40:]
    assert xmldsig.verify(root, smki.keystore).valid


# -- safe parsing ----------------------------------------------------------------------------------

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<sr:Request xmlns:sr="http://www.dccinterface.co.uk/ServiceUserGateway" schemaVersion="5.4">&x;</sr:Request>"""

LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]><lolz>&lol3;</lolz>"""


@pytest.mark.parametrize("document", [XXE, LAUGHS, XXE.replace(b"DOCTYPE", b"doctype")])
def test_entity_attacks_are_refused(document):
    with pytest.raises(xml.MalformedXml, match="DOCTYPE"):
        xml.parse(document, "attack.xml")


def test_malformed_xml_names_the_line():
    with pytest.raises(xml.MalformedXml) as info:
        xml.parse(b"<sr:Request xmlns:sr='x'>\n<sr:Header>\n</sr:Request>", "broken.xml")
    assert "broken.xml:3" in str(info.value)


def test_check_refuses_a_request_signed_by_another_party_than_its_originator(smki):
    """The DCC takes a request only from the party its RequestID names (E1); `dit duis check` says so too."""
    from harness.duis.check import check_document

    ours = xml.serialize(_sign(_request(), smki))
    assert check_document(ours, "ours.xml", keystore=smki.keystore).passed
    theirs = check_document(xml.serialize(_sign(_request(), smki, SUPPLIER_B)), "theirs.xml", keystore=smki.keystore)
    assert not theirs.passed and theirs.signature == "invalid"
    assert f"signed by {SUPPLIER_B} but the RequestID's originator is {SUPPLIER_A}" in theirs.error


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32"])
def test_a_document_not_in_utf8_is_refused_before_it_can_hide_a_doctype(encoding):
    document = '<?xml version="1.0" encoding="UTF-16"?>' + LAUGHS.decode().split("?>", 1)[1]
    with pytest.raises(xml.MalformedXml, match="not UTF-8 as DUIS is"):
        xml.parse(document.encode(encoding), "wide.xml")


def test_a_declared_encoding_other_than_utf8_is_refused():
    with pytest.raises(xml.MalformedXml, match="ISO-8859-1, not UTF-8"):
        xml.parse(b'<?xml version="1.0" encoding="ISO-8859-1"?><r/>', "latin.xml")
    assert xml.parse(b'<?xml version="1.0" encoding="utf-8"?><r/>').tag == "r"


def test_a_document_far_beyond_any_duis_message_is_refused_before_its_tree_is_built():
    def padded(count: int) -> bytes:
        return b"<r>" + b"<a/>" * count + b"</r>"

    assert len(xml.parse(padded(xml.MAX_ELEMENTS - 1))) == xml.MAX_ELEMENTS - 1
    with pytest.raises(xml.MalformedXml, match="at most 100,000"):
        xml.parse(padded(xml.MAX_ELEMENTS), "many.xml")
    with pytest.raises(xml.MalformedXml, match="DUIS documents are at most 16,777,216"):
        xml.parse(b"<r>" + b" " * xml.MAX_DOCUMENT_BYTES + b"</r>", "big.xml")


def test_dit_duis_sign_and_check_refuse_a_huge_file_without_reading_it(tmp_path):
    from dit_command import dit

    huge = tmp_path / "huge.xml"
    with huge.open("wb") as out:                   # sparse: 50 MB on paper, nothing on disk
        out.truncate(50 * 1024 * 1024)
    for verb in ("sign", "check"):
        result = dit("duis", verb, str(huge))
        assert result.returncode == 1 and "Traceback" not in result.stderr
        said = (result.stderr + result.stdout).strip().splitlines()
        assert len(said) == 1 and f"{huge}: document is 52,428,800 bytes" in said[0], said
