"""duis.xml's element maker builds exactly what lxml's ElementMaker builds, whatever it is given; its find() finds
what lxml's find() finds."""

import pytest
from lxml import etree
from lxml.builder import ElementMaker

from harness.duis import xml
from harness.duis.xml import NSMAP, SR, E, Maker, Skeletons

LXML = ElementMaker(namespace=SR, nsmap={"sr": SR})
OTHER = "urn:other"


class Code(str):
    """A str subclass, as an enum's value or an lxml smart string is."""


def build(m):
    return [
        m.Empty(),
        m.Text("value"),
        m.Mixed("a", m.One("1"), "tail", m.Two(), "more", "and more"),
        m.Attributes(m.Child("x"), index="2", name="n"),
        m.Nested(m.Outer(m.Inner("deep"), m.Inner("deeper")), m.Last()),
        m("Called", m.Child("by name")),
        m(f"{{{SR}}}Qualified", "text"),
        m(f"{{{OTHER}}}Foreign", m.Child()),
        m(etree.QName(SR, "QName"), "q"),
        m.Subclassed(Code("from a subclass"), m.Child(), Code("its tail")),
        m.Dict(m.Child(), {"from": "dict"}),
        m.Callable(lambda: "called"),
        m.CData(etree.CDATA("<raw>")),
        m.Comment(etree.Comment("kept")),
    ]


def test_builds_what_lxml_builds():
    made, expected = build(E), build(LXML)
    assert [etree.tostring(e) for e in made] == [etree.tostring(e) for e in expected]
    assert [etree.tostring(e, method="c14n") for e in made] == [etree.tostring(e, method="c14n") for e in expected]


def test_a_child_moves_from_where_it_was():
    parent = E.Parent(E.Child("1"))
    child = parent[0]
    E.Other(child)
    assert len(parent) == 0 and child.getparent().tag == f"{{{SR}}}Other"


@pytest.mark.parametrize("make", [lambda m: m.Number(3), lambda m: m.Attribute(index=3),
                                  lambda m: m.Child(None)], ids=["int child", "int attribute", "None"])
def test_refuses_what_lxml_refuses(make):
    with pytest.raises(Exception) as fast:
        make(E)
    with pytest.raises(Exception) as lxml:
        make(LXML)
    assert type(fast.value) is type(lxml.value)


def test_other_namespaces_and_names_that_are_not_elements():
    m = Maker(namespace=OTHER, nsmap={"o": OTHER})
    assert etree.tostring(m.Thing("x")) == b'<o:Thing xmlns:o="urn:other">x</o:Thing>'
    with pytest.raises(AttributeError):
        m._not_an_element  # noqa: B018 (the attribute access is the test)
    assert m.Thing is m.Thing                  # made once per name


DOCUMENT = xml.parse(b"""<?xml version="1.0" encoding="UTF-8"?>
<sr:Request xmlns:sr="http://www.dccinterface.co.uk/ServiceUserGateway" xmlns:o="urn:other">
  <sr:Header><sr:RequestID>first</sr:RequestID><sr:RequestID>second</sr:RequestID></sr:Header>
  <sr:Body><sr:Item><sr:Other>no value here</sr:Other></sr:Item><sr:Item><sr:Value>in the second item</sr:Value>
    <sr:Value>and again</sr:Value></sr:Item><o:Value>not sr</o:Value><sr:Empty/></sr:Body>
</sr:Request>""")


@pytest.mark.parametrize("path", ["sr:Header/sr:RequestID", "sr:Header", "sr:Body/sr:Item/sr:Value", "sr:Body/sr:Item",
                                  "sr:Body/sr:Missing", "sr:Missing/sr:Value", "sr:Body/sr:Empty", ".//sr:Value",
                                  "sr:Body/sr:Item[2]/sr:Value", "sr:Body/*", "sr:Header/sr:RequestID/.."])
def test_find_finds_what_lxml_finds(path):
    assert xml.find(DOCUMENT, path) is DOCUMENT.find(path, NSMAP)
    found = DOCUMENT.find(path, NSMAP)
    assert xml.text(DOCUMENT, path) == (None if found is None or found.text is None else found.text.strip())


def _header_names(root):
    return [xml.local(field.tag) for field in xml.find(root, "sr:Header")]


def test_request_and_response_headers_in_the_schema_order():
    """add_fields builds the headers in place: every field in the order duis.xsd gives, the absent ones left out."""
    import datetime as dt

    from harness.duis import requests, responses
    from harness.duis.request_id import RequestId

    rid = RequestId.parse("90-B3-D5-1F-30-01-00-00:00-DB-12-34-56-78-90-A2:1000")
    request = requests.build("8.2", rid, device_id="00-DB-12-34-56-78-90-A0", first_in_sequence=False,
                             preceding_request_id=rid)
    assert _header_names(request) == ["RequestID", "FirstInSequence", "PrecedingServiceRequestID", "CommandVariant",
                                      "ServiceReference", "ServiceReferenceVariant"]
    assert xml.text(request, "sr:Header/sr:FirstInSequence") == "false"
    assert _header_names(requests.build("8.2", rid, device_id="00-DB-12-34-56-78-90-A0")) == \
        ["RequestID", "CommandVariant", "ServiceReference", "ServiceReferenceVariant"]
    now = dt.datetime(2026, 1, 2, 3, 4, 5, 678000, tzinfo=dt.UTC)
    response = responses.build_response(responses.response_message("8.2"), response_code="", response_date_time=now,
                                        request_id=rid, response_id=rid)
    assert _header_names(response) == ["RequestID", "ResponseID", "ResponseCode", "ResponseDateTime"]
    assert xml.text(response, "sr:Header/sr:ResponseDateTime") == "2026-01-02T03:04:05.67Z"
    assert xml.local(xml.find(response, "sr:Body")[0].tag) == "ResponseMessage"
    message = xml.find(response, "sr:Body/sr:ResponseMessage")
    assert [(xml.local(f.tag), f.text) for f in message] == [("ServiceReference", "8.2"),
                                                              ("ServiceReferenceVariant", "8.2")]
    with_content = responses.response_message("1.6", responses.gbcs_payload(b"\x01"))
    assert [(xml.local(f.tag), f.text) for f in with_content] == [
        ("ServiceReference", "1.6"), ("ServiceReferenceVariant", "1.6"), ("GBCSPayload", "AQ==")]


def test_request_and_response_headers_carry_each_value_in_its_own_field():
    """envelope and build_response fill in a copied skeleton: each RequestID lands in its own field whatever fields
    are present, and a document built is its own (changing one leaves the next built as it was)."""
    import datetime as dt

    from harness.duis import requests, responses
    from harness.duis.request_id import RequestId

    def header(root):
        return {xml.local(field.tag): field.text for field in xml.find(root, "sr:Header")}

    rid = RequestId.parse("90-B3-D5-1F-30-01-00-00:00-DB-12-34-56-78-90-A2:1000")
    other = RequestId.parse("90-B3-D5-1F-30-01-00-00:00-DB-12-34-56-78-90-A2:999")
    for first in (None, True, False):
        for preceding in (None, other):
            built = header(requests.build("8.2", rid, device_id="00-DB-12-34-56-78-90-A0", first_in_sequence=first,
                                          preceding_request_id=preceding))
            expected = {"RequestID": str(rid), "CommandVariant": "8", "ServiceReference": "8.2",
                        "ServiceReferenceVariant": "8.2"}
            if first is not None:
                expected["FirstInSequence"] = "true" if first else "false"
            if preceding is not None:
                expected["PrecedingServiceRequestID"] = str(other)
            assert built == expected
    now = dt.datetime(2026, 1, 2, 3, 4, 5, 678000, tzinfo=dt.UTC)
    for request_id in (None, rid):
        for response_id in (None, other):
            root = responses.build_response(responses.response_message("1.6"), response_code="I99",
                                            response_date_time=now, request_id=request_id, response_id=response_id)
            expected = {"ResponseCode": "I99", "ResponseDateTime": "2026-01-02T03:04:05.67Z"}
            if request_id is not None:
                expected["RequestID"] = str(rid)
            if response_id is not None:
                expected["ResponseID"] = str(other)
            assert header(root) == expected
            xml.find(root, "sr:Header")[0].text = "changed"
            xml.find(root, "sr:Body/sr:ResponseMessage").append(xml.E.GBCSPayload("AQ=="))
    again = responses.build_response(responses.response_message("1.6"), response_code="I0", response_date_time=now,
                                     request_id=rid, response_id=other)
    assert header(again)["RequestID"] == str(rid)
    assert [xml.local(f.tag) for f in xml.find(again, "sr:Body/sr:ResponseMessage")] == [
        "ServiceReference", "ServiceReferenceVariant"]
    request = requests.build("8.2", rid, device_id="00-DB-12-34-56-78-90-A0")
    xml.find(request, "sr:Header")[0].text = "changed"
    assert header(requests.build("8.2", other, device_id="00-DB-12-34-56-78-90-A0"))["RequestID"] == str(other)


def test_first_texts_reads_each_field_as_text_does():
    """One pass over a header (xml.first_texts) reads what a path search per field (xml.text) reads: the first in
    document order, stripped, None for an element without text, across repeated headers."""
    root = xml.parse(b'<sr:R xmlns:sr="http://www.dccinterface.co.uk/ServiceUserGateway"><sr:Header>'
                     b'<sr:A> first </sr:A><sr:A>second</sr:A><sr:B/></sr:Header>'
                     b'<sr:Header><sr:A>third</sr:A><sr:C>only here</sr:C></sr:Header></sr:R>')
    fields = xml.first_texts(root.iterchildren(xml.sr("Header")))
    for name in ("A", "B", "C", "Missing"):
        assert fields.get(xml.sr(name)) == xml.text(root, f"sr:Header/sr:{name}")
    assert fields[xml.sr("A")] == "first" and fields[xml.sr("B")] is None


def _fields_one_by_one(parent, tag, values, namespace=SR):
    """What add_fields makes, made element by element (SubElement), as it was before records were copied."""
    element = etree.SubElement(parent, f"{{{namespace}}}{tag}")
    for name, value in values:
        if value is not None:
            etree.SubElement(element, f"{{{namespace}}}{name}").text = value
    return element


@pytest.mark.parametrize("nsmap, namespace", [
    ({"sr": SR}, SR),                                   # every DUIS document dit builds: the copied record
    ({None: SR}, SR),                                   # the namespace as the default one: copied too
    ({"sr": SR, "alt": SR}, SR),                        # two prefixes in scope: element by element
    ({"sr": SR}, "urn:other"),                          # a namespace the document does not declare yet
])
def test_add_fields_copies_give_the_same_bytes(nsmap, namespace):
    """A record copied from its empty template is, in the document, byte for byte what SubElement by SubElement
    makes, however often it is made, with the absent fields left out and values that need escaping."""
    values = [("DeviceID", "00-DB-12-34-56-78-90-A0"), ("Skipped", None), ("DeviceModel", "<a & b>\u00e9"),
              ("Empty", "")]
    ours, theirs = (etree.Element(f"{{{SR}}}Response", nsmap=nsmap) for _ in range(2))
    for round_ in range(3):
        values[0] = ("DeviceID", f"00-DB-12-34-56-78-90-A{round_}")
        body_ours, body_theirs = (etree.SubElement(root, f"{{{SR}}}Body") for root in (ours, theirs))
        made = xml.add_fields(body_ours, "Device", values, namespace=namespace)
        _fields_one_by_one(body_theirs, "Device", values, namespace)
        assert made.getparent() is body_ours
    assert etree.tostring(ours) == etree.tostring(theirs)
    assert etree.tostring(ours, method="c14n") == etree.tostring(theirs, method="c14n")


def test_a_signed_pre_command_request_keeps_its_payload_when_the_next_is_built():
    """build_signed_pre_command and pre_command fill in a copied element: each document keeps its own payload."""
    from harness.duis import requests, responses
    from harness.duis.request_id import RequestId

    rid = RequestId.parse("90-B3-D5-1F-30-01-00-00:00-DB-12-34-56-78-90-A2:1000")
    first = requests.build_signed_pre_command("1.6", rid, b"\x01")
    second = requests.build_signed_pre_command("1.6", rid.with_counter(1001), b"\x02")
    assert xml.text(first, "sr:Body/sr:SignedPreCommand/sr:GBCSPayload") == "AQ=="
    assert xml.text(second, "sr:Body/sr:SignedPreCommand/sr:GBCSPayload") == "Ag=="
    one, two, three = responses.pre_command(b"\x01"), responses.pre_command(b"\x02", "2.0"), responses.pre_command(b"")
    assert [(xml.local(f.tag), f.text) for f in three] == [("GBCSVersion", "4.0"), ("GBCSPayload", "")]
    assert [(xml.local(f.tag), f.text) for f in one] == [("GBCSVersion", "4.0"), ("GBCSPayload", "AQ==")]
    assert [(xml.local(f.tag), f.text) for f in two] == [("GBCSVersion", "2.0"), ("GBCSPayload", "Ag==")]


def test_skeletons_are_made_once_copied_apart_and_bounded():
    made: list[str] = []

    def make(tag: str):
        def build():
            made.append(tag)
            return E.ResponseMessage(E.ServiceReference())
        return build
    kept = Skeletons(2)
    first = kept.copy("a", make("a"))
    first[0].text = "changed"                          # a copy's fields are its own
    again = kept.copy("a", make("a"))
    assert made == ["a"] and again[0].text is None and again is not first
    kept.copy("b", make("b"))
    kept.copy("c", make("c"))
    kept.copy("c", make("c"))                          # past the bound: made each time, none kept
    assert made == ["a", "b", "c", "c"] and len(kept) == 2
