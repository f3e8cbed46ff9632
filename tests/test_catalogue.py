"""The SR and alert catalogue: internal rules, and agreement with the DUIS schema where both speak."""

from __future__ import annotations

import re
from importlib import resources

import pytest
from lxml import etree

from harness import catalogue
from harness.catalogue import CommandVariant, DeviceStatus, DeviceType, RemotePartyRole
from harness.errors import DitError

XS = "{http://www.w3.org/2001/XMLSchema}"


@pytest.fixture(scope="module")
def xsd(conformance):
    return etree.parse(str(conformance / "xsd" / "duis.xsd")).getroot()


def _enumeration(xsd, type_name: str) -> list[str]:
    node = xsd.find(f"{XS}simpleType[@name='{type_name}']")
    return [e.get("value") for e in node.iter(f"{XS}enumeration")]


def _cv_comments(xsd) -> dict[str, set[int]]:
    """The 'CV = 4, 5, 6, 7' comment that follows each ServiceReferenceVariant enumeration value."""
    node = xsd.find(f"{XS}simpleType[@name='ServiceReferenceVariant']")
    out, current = {}, None
    for child in node.iter():
        if child.tag == f"{XS}enumeration":
            current = child.get("value")
        elif isinstance(child, etree._Comment) and current and "CV" in child.text:
            out[current] = {int(v) for v in re.findall(r"\d", child.text.split("=", 1)[1])}
    return out


# -- rules that need no schema ---------------------------------------------------------------------

def test_catalogue_has_every_duis_5_4_variant():
    assert len(catalogue.service_requests()) == 129


def test_critical_srs_go_through_transform_and_non_device_srs_through_cv8():
    for sr in catalogue.service_requests():
        if sr.non_device:
            assert sr.command_variants <= {CommandVariant.NON_DEVICE}, sr
        elif sr.critical:
            assert CommandVariant.TRANSFORM in sr.command_variants, sr
            assert all(cv.for_critical_sr for cv in sr.command_variants), sr
        else:
            assert all(not cv.for_critical_sr for cv in sr.command_variants), sr


def test_default_command_variant_follows_criticality():
    assert catalogue.service_request("1.1.1").default_command_variant is CommandVariant.TRANSFORM
    assert catalogue.service_request("8.11").default_command_variant is CommandVariant.NON_CRITICAL_WAN
    assert catalogue.service_request("12.2").default_command_variant is CommandVariant.NON_DEVICE


def test_web_service_per_command_variant():
    assert CommandVariant.TRANSFORM.web_service == "serviceT"
    assert CommandVariant.SIGNED_WAN.web_service == "serviceS"
    assert CommandVariant.NON_CRITICAL_WAN.web_service == "serviceS"
    assert CommandVariant.NON_DEVICE.web_service == "serviceD"
    assert CommandVariant.NON_CRITICAL_LOCAL.web_service == "serviceD"
    assert {cv for cv in CommandVariant if cv.local_delivery} == {2, 3, 6, 7}


def test_roles_limit_who_may_send():
    assert catalogue.service_request("7.1").permits("IS")
    assert not catalogue.service_request("7.1").permits("GS")
    assert catalogue.service_request("6.23").roles == {catalogue.UserRole.IMPORT_SUPPLIER,
                                                       catalogue.UserRole.GAS_SUPPLIER}


def test_use_case_depends_on_the_target_device():
    top_up = catalogue.service_request("2.2")
    assert top_up.use_case_for(DeviceType.ESME).name == "CS01a"
    assert top_up.use_case_for(DeviceType.GSME).name == "CS01b"
    tariff = catalogue.service_request("1.1.1")
    assert tariff.use_case_for("ESME").message_codes == (0x0019,)
    assert tariff.use_case_for("GSME").message_codes == (0x006B,)
    assert catalogue.service_request("3.2").use_case_for("GPF").name == "GCS09"


def test_message_codes_lead_back_to_use_cases_and_srs():
    assert {u.name for u in catalogue.use_cases_for_code(0x0062)} == {"ECS70", "ECS70Commission"}
    assert {s.srv for s in catalogue.service_requests_for_code(0x0062)} == {"6.11", "8.1.1"}
    assert [s.srv for s in catalogue.service_requests_for_code(0x00CA)] == ["11.3"]   # FD outcome alert
    assert catalogue.use_case("CS14").message_codes == (0x0018,)


def test_the_dit_plan_counts_27_alerts():
    alerts = catalogue.dit_alerts()
    assert len(alerts) == 27
    assert {"N24", "N25", "0x8F69", "N27", "N17", "N18-N23", "0x810E"} <= set(alerts)


def test_dit_service_requests_are_catalogue_entries():
    plan = {s.srv for s in catalogue.dit_service_requests(support=False)}
    assert {"8.11", "6.21", "8.1.1", "6.23", "2.2", "8.13", "8.14.2", "11.1"} <= plan
    assert "6.24.1" not in plan and "6.24.1" in {s.srv for s in catalogue.dit_service_requests()}


def test_device_types_and_statuses():
    assert DeviceType.HHT.duis_type == "IHD"
    assert {t for t in DeviceType if not t.can_be_decommissioned} == {DeviceType.GPF, DeviceType.IHD,
                                                                      DeviceType.CAD, DeviceType.HHT}
    assert not DeviceType.IHD.holds_certificates
    assert RemotePartyRole.SUPPLIER.ou == "02" and RemotePartyRole.XML_SIGN.ou == "87"


@pytest.mark.parametrize("lookup, key", [(catalogue.service_request, "8.99"), (catalogue.dcc_alert, "N32"),
                                         (catalogue.device_alert, 0x1234), (catalogue.use_case, "XYZ")])
def test_unknown_entries_are_clear_errors(lookup, key):
    with pytest.raises(DitError, match="unknown"):
        lookup(key)


# -- agreement with the DUIS 5.4 schema ------------------------------------------------------------

def test_variants_match_the_schema(xsd):
    assert [s.srv for s in catalogue.service_requests()] == _enumeration(xsd, "ServiceReferenceVariant")


def test_service_references_match_the_schema(xsd):
    references = set(_enumeration(xsd, "ServiceReference"))
    assert {s.service_reference for s in catalogue.service_requests()} == references


# The XSD comments give CV 1-3 for 7.12/7.13 and 4-7 for 7.14/7.15, contradicting the DUIS request
# matrix and the templates (service_requests.md footnote); the catalogue follows the matrix.
CV_DISAGREEMENTS = {"7.12", "7.13", "7.14", "7.15"}


def test_command_variants_match_the_schema_comments(xsd):
    comments = _cv_comments(xsd)
    for sr in catalogue.service_requests():
        if sr.srv in comments and sr.srv not in CV_DISAGREEMENTS:
            assert {int(v) for v in sr.command_variants} == comments[sr.srv], sr.srv
    for srv in CV_DISAGREEMENTS:
        assert {int(v) for v in catalogue.service_request(srv).command_variants} != comments[srv]


def test_body_elements_exist_in_the_request_schema(xsd):
    request = xsd.find(f"{XS}complexType[@name='Request']")
    body = next(e for e in request.iter(f"{XS}element") if e.get("name") == "Body")
    names = {e.get("name") for e in body.iter(f"{XS}element")}
    assert {s.body for s in catalogue.service_requests()} <= names


def test_dsp_schedulable_variants_match_the_schema(xsd):
    schedulable = set(_enumeration(xsd, "DSPScheduledServiceReferenceVariant"))
    ours = {s.srv for s in catalogue.service_requests() if s.dsp_schedulable}
    # The schema also lists 4.2, which the DUIS request matrix marks as not schedulable.
    assert schedulable - ours == {"4.2"}
    assert ours <= schedulable


def test_alert_codes_device_types_and_statuses_match_the_schema(xsd):
    dcc = xsd.find(f"{XS}complexType[@name='DCCAlertMessage']")
    codes = [e.get("value") for e in dcc.iter(f"{XS}enumeration")]
    assert list(catalogue.catalogue().dcc_alerts) == codes
    assert [t.value for t in DeviceType if t is not DeviceType.HHT] == _enumeration(xsd, "DeviceType")
    assert [s.value for s in DeviceStatus] == _enumeration(xsd, "DeviceStatus")
    assert {r.duis_name for r in RemotePartyRole if r.duis_name} == set(_enumeration(xsd, "RemotePartyRole"))


@pytest.mark.parametrize("name", ["service_requests.yaml", "alerts.yaml"])
def test_the_catalogue_files_read_by_libyaml_as_by_the_pure_python_safe_loader(name):
    """The catalogue is read with libyaml's safe loader where PyYAML has it, for start-up: the data must be what
    yaml.safe_load gives."""
    import yaml

    text = resources.files("harness.catalogue").joinpath(name).read_text(encoding="utf-8")
    assert catalogue._load(name) == yaml.safe_load(text)
