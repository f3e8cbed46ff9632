"""A User's Correlate: the Pre-Command the DSP returns is signed only if it is the command the request asks
for. Each alteration a DSP could make (a price, a credit amount, the target, a trust anchor certificate,
another use case) is refused naming the field; the DSP's own Transform, made on its clock, passes."""

from __future__ import annotations

import dataclasses
import datetime as dt

from harness.catalogue import DeviceType
from harness.eui import DCC_ACCESS_CONTROL_BROKER, EntityId
from harness.gbcs import axdr, dlms
from harness.usecases import DspRecords, transform
from harness.usecases.correlate import correlate
from tests import rtds

USER_NOW = dt.datetime(2026, 3, 1, 10, 0, tzinfo=dt.UTC)
DSP_NOW = USER_NOW + dt.timedelta(seconds=7)          # the DSP's clock is never quite the User's


def _dsp(conformance, name: str, device_type: DeviceType):
    request = rtds.template(conformance, name)
    return request, transform(request, DspRecords(device_type=device_type), now=DSP_NOW).apdu


def _check(request, apdu, device_type: DeviceType):
    return correlate(request, apdu.encode(), DspRecords(device_type=device_type), now=USER_NOW)


def test_what_the_dsp_transformed_correlates(conformance):
    for name, kind in (("ECS01b_1.2.1_IMMEDIATE_TOU_SUCCESS_REQUEST_DUIS.XML", DeviceType.ESME),
                       ("GCS01b_1.2.1_IMMEDIATE_TOU_SUCCESS_REQUEST_DUIS.XML", DeviceType.GSME),
                       ("ECS04a_1.5_SUCCESS_REQUEST_DUIS.XML", DeviceType.ESME),
                       ("CS02bSupplierBySupplier_6.15.1_IMMEDIATE_SUCCESS_REQUEST_DUIS.XML", DeviceType.ESME)):
        request, apdu = _dsp(conformance, name, kind)
        assert _check(request, apdu, kind) is None, name


def test_an_altered_price_is_refused(conformance):
    request, apdu = _dsp(conformance, "ECS01b_1.2.1_IMMEDIATE_TOU_SUCCESS_REQUEST_DUIS.XML", DeviceType.ESME)
    rate_1 = bytes.fromhex("0202090101100C95")        # {rate 1, long-unsigned 3221}
    assert rate_1 in apdu.payload
    altered = dataclasses.replace(apdu, payload=apdu.payload.replace(rate_1, rate_1[:-2] + b"\x0d\x95"))
    mismatch = _check(request, altered, DeviceType.ESME)
    assert mismatch is not None and mismatch.field.startswith("payload ")
    assert (mismatch.expected, mismatch.found) == (3221, 3477), str(mismatch)


def test_an_altered_gas_price_is_refused(conformance):
    request, apdu = _dsp(conformance, "GCS01b_1.2.1_IMMEDIATE_TOU_SUCCESS_REQUEST_DUIS.XML", DeviceType.GSME)
    altered = dataclasses.replace(apdu, payload=apdu.payload[:-1] + bytes([apdu.payload[-1] ^ 0x01]))
    mismatch = _check(request, altered, DeviceType.GSME)
    assert mismatch is not None and mismatch.field.startswith("payload "), mismatch


def test_an_altered_credit_amount_is_refused(conformance):
    request, apdu = _dsp(conformance, "ECS04a_1.5_SUCCESS_REQUEST_DUIS.XML", DeviceType.ESME)
    access = dlms.decode(apdu.payload)
    amount = access.data[0].value
    more = dataclasses.replace(access, data=(axdr.double_long(amount + 100_000),))
    mismatch = _check(request, dataclasses.replace(apdu, payload=more.encode()), DeviceType.ESME)
    assert mismatch is not None and (mismatch.expected, mismatch.found) == (amount, amount + 100_000), mismatch


def test_another_target_is_refused(conformance):
    request, apdu = _dsp(conformance, "ECS04a_1.5_SUCCESS_REQUEST_DUIS.XML", DeviceType.ESME)
    elsewhere = dataclasses.replace(apdu, recipient=EntityId("00-DB-12-34-56-78-90-FF"))
    mismatch = _check(request, elsewhere, DeviceType.ESME)
    assert mismatch is not None and mismatch.field == "header recipient", mismatch
    assert "is 00-DB-12-34-56-78-90-FF" in str(mismatch)


def test_another_trust_anchor_is_refused(conformance):
    request, apdu = _dsp(conformance, "CS02bSupplierBySupplier_6.15.1_IMMEDIATE_SUCCESS_REQUEST_DUIS.XML",
                         DeviceType.ESME)
    cut = len(apdu.payload) - 40                       # a byte inside the last certificate's signature
    tampered = apdu.payload[:cut] + bytes([apdu.payload[cut] ^ 0xFF]) + apdu.payload[cut + 1:]
    mismatch = _check(request, dataclasses.replace(apdu, payload=tampered), DeviceType.ESME)
    assert mismatch is not None and mismatch.field.startswith("payload "), mismatch
    assert "ertificate" in mismatch.field, mismatch.field


def test_another_originator_counter_is_refused(conformance):
    """The command counts by the request's RequestID counter (the device's replay protection): a Pre-Command with any
    other counter is not the User's command, even with every other field its own."""
    request, apdu = _dsp(conformance, "ECS04a_1.5_SUCCESS_REQUEST_DUIS.XML", DeviceType.ESME)
    assert apdu.originator_counter == request.request_id.counter
    mismatch = _check(request, dataclasses.replace(apdu, originator_counter=apdu.originator_counter + 1),
                      DeviceType.ESME)
    assert mismatch is not None and mismatch.field == "header originator counter", mismatch

def test_a_use_case_the_request_does_not_ask_for_is_refused(conformance):
    """A 1.6 to credit (ECS02) must not come back as a change to prepayment (ECS03), whatever the payload."""
    request, apdu = _dsp(conformance, "ECS02_1.6_IMMEDIATE_SINGLE_SUCCESS_REQUEST_DUIS.XML", DeviceType.ESME)
    mismatch = _check(request, dataclasses.replace(apdu, message_code=0x001B), DeviceType.ESME)
    assert mismatch is not None and mismatch.field == "message code" and mismatch.found == "0x001B", mismatch


def test_a_malformed_pre_command_is_refused(conformance):
    request, _ = _dsp(conformance, "ECS04a_1.5_SUCCESS_REQUEST_DUIS.XML", DeviceType.ESME)
    mismatch = correlate(request, b"\xdf\x09\x01", DspRecords(device_type=DeviceType.ESME), now=USER_NOW)
    assert mismatch is not None and mismatch.field == "Pre-Command"


def test_the_dccs_own_counter_is_taken_from_the_pre_command_of_a_command_it_originates(conformance):
    """11.3 to a CHF is the ACB's command for the User, counted by the DCC: the User cannot know that counter (nor the
    payload's originatorCounter, which repeats it) and takes it from the Pre-Command, whether or not it knows the
    target is a CHF; the image's hash must still be its request's."""
    request = rtds.template(conformance, "CS06_11.3_IMMEDIATE_SUCCESS_REQUEST_DUIS.XML")
    apdu = transform(request, DspRecords(device_type=DeviceType.CHF), now=DSP_NOW, dsp_counter=4242).apdu
    assert (apdu.originator, apdu.originator_counter) == (DCC_ACCESS_CONTROL_BROKER, 4242)
    for known in (DeviceType.CHF, None):
        assert correlate(request, apdu.encode(), DspRecords(device_type=known), now=USER_NOW) is None, known
    image_hash = bytes.fromhex(request.require("FirmwareHash"))
    altered = dataclasses.replace(apdu, payload=apdu.payload.replace(image_hash, bytes(32)))
    mismatch = _check(request, altered, DeviceType.CHF)
    assert mismatch is not None and mismatch.field == "payload value.manufacturerImageHash", mismatch


# -- through the emulated lab: a DSP that alters the Pre-Command it returns -------------------------------

def _altering_dsp(lab, alter):
    """The lab's DSP with its Transform altered by `alter(use_case, apdu) -> apdu` (Pre-Commands included)."""
    dsp = lab.dcc.dsp
    honest = type(dsp).command.__get__(dsp)

    def command(user, device, request, fields):
        use_case, apdu = honest(user, device, request, fields)
        return use_case, alter(use_case, apdu)
    dsp.command = command


PRICE_MATRIX = dlms.Obis.parse("0-0:19.20.0.255")


def _dearer(unit_charge: axdr.Data) -> axdr.Data:
    """A unit charge {scaler-unit, commodity, charge table} with its first rate's price one unit higher."""
    scaler, commodity, table = unit_charge.items
    index, price = table.items[0].items
    first = axdr.structure(index, axdr.Data(price.tag, price.value + 1))
    return axdr.structure(scaler, commodity, axdr.Data(table.tag, (first, *table.items[1:])))


def _refused(exchange, field_words: str) -> None:
    assert not exchange.succeeded and exchange.problem.startswith("Correlate refused the Pre-Command: "), \
        exchange.summary
    assert field_words in exchange.problem, exchange.problem
    labels = [e.label for e in exchange.evidence]
    assert "Pre-Command" in labels and "Correlate refusal" in labels and "signed Pre-Command" not in labels


def test_the_service_user_refuses_to_sign_an_altered_pre_command(lab):
    from harness.lab import parameters as params
    from tests.test_lab_rules import SUPPLIER, _commissioned

    _commissioned(lab)
    user, esme = lab.user(SUPPLIER), lab.device("ESME").eui

    def price(use_case, apdu):                           # 1.2.1: a price in the price matrix
        if use_case != "ECS01b":
            return apdu
        access = dlms.decode(apdu.payload)
        data = list(access.data)
        index = next(i for i, spec in enumerate(access.specs)
                     if spec.descriptor.instance == PRICE_MATRIX and spec.kind is dlms.RequestKind.SET
                     and data[i].tag is axdr.Tag.STRUCTURE)
        data[index] = _dearer(data[index])
        return dataclasses.replace(apdu, payload=dataclasses.replace(access, data=tuple(data)).encode())

    def credit(use_case, apdu):                          # 1.5: the amount the balance moves by
        if use_case != "ECS04a":
            return apdu
        access = dlms.decode(apdu.payload)
        more = axdr.double_long(access.data[0].value + 50_000)
        return dataclasses.replace(apdu, payload=dataclasses.replace(access, data=(more,)).encode())

    def target(use_case, apdu):                          # any: another device
        return dataclasses.replace(apdu, recipient=EntityId("00-DB-12-34-56-78-90-FF"))

    def trust_anchor(use_case, apdu):                    # 6.15.1: a byte of a replacement certificate
        if not use_case.startswith("CS02b"):
            return apdu
        cut = len(apdu.payload) - 40
        return dataclasses.replace(apdu, payload=apdu.payload[:cut] + bytes([apdu.payload[cut] ^ 0xFF])
                                   + apdu.payload[cut + 1:])

    cases = [(price, "1.2.1", "payload "), (credit, "1.5", "payload "), (target, "1.5", "header recipient"),
             (trust_anchor, "6.15.1", "Certificate")]
    for alter, srv, field_words in cases:
        _altering_dsp(lab, alter)
        body = params.resolve(lab, srv, esme, {})
        if srv == "6.15.1":
            body = params.certificates(lab, SUPPLIER, DeviceType.ESME)
        _refused(user.send(srv, esme, **body), field_words)
    _altering_dsp(lab, lambda use_case, apdu: apdu)
    honest = user.send("1.5", esme, **params.resolve(lab, "1.5", esme, {}))
    assert honest.succeeded, honest.summary          # the same SR from an honest DSP is signed and carried out
