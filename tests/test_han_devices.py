"""The PPMID as a consumer and a DCC User meet it on the default emulated lab: a UTRN it passes over the HAN only
to a meter of that UTRN's fuel that is joined to it, and only while that meter still has the key it had when
joined (DIT: "PPMID re-join after device rekey"); commands over its internet interface only while it is on a
HAN (SECMP0038). What counts is what the meter's balance and the interface's answers show."""

from __future__ import annotations

from harness.catalogue import DeviceType, PaymentMode
from harness.httpio import HttpClient

IS = "the Import Supplier"


def _prepayment_premises(do) -> None:
    do.install_and_commission(IS, "ESME", PaymentMode.PREPAYMENT)
    do.join_display(IS, "PPMID", "ESME")


def _offer_and_accept(lab, code: str, fuel: DeviceType) -> bool:
    lab.device("PPMID").offer_utrn(code, fuel)
    accepted = lab.consumer_accepts_utrn("PPMID")
    lab.let_time_pass(10)
    return accepted


def test_a_ppmid_passes_a_utrn_only_to_a_meter_of_its_fuel(lab, do):
    _prepayment_premises(do)
    esme = lab.device("ESME")
    code, _ = lab.user(IS).vend_utrn(esme.eui, 500)
    before = esme.meter_balance
    # no GSME is joined to this PPMID: the electricity UTRN typed as gas goes nowhere
    assert not _offer_and_accept(lab, code, DeviceType.GSME)
    assert esme.meter_balance == before
    assert _offer_and_accept(lab, code, DeviceType.ESME)
    assert esme.meter_balance > before


def test_a_ppmid_passes_no_utrn_to_a_meter_rekeyed_since_they_were_joined_until_joined_again(lab, do):
    _prepayment_premises(do)
    esme = lab.device("ESME")
    do.rekey(IS, "ESME")
    code, _ = lab.user(IS).vend_utrn(esme.eui, 500)         # made for the meter's new key
    before = esme.meter_balance
    assert not _offer_and_accept(lab, code, DeviceType.ESME)
    assert esme.meter_balance == before
    do.send(IS, "8.7.2", "PPMID", other_device_id="the ESME")    # the re-join gives it the new key
    assert _offer_and_accept(lab, code, DeviceType.ESME)
    assert esme.meter_balance > before


def test_a_ppmid_not_on_a_han_takes_no_command_over_the_internet(lab):
    url = lab.ppmid_internet("PPMID")
    lab.power_on("PPMID")                 # powered, but never whitelisted: it cannot join the SMHAN
    lab.let_time_pass(120)
    assert lab.device("PPMID").joined_to is None
    status, _ = HttpClient(timeout=10.0).post(f"{url}/command", b"\xdd\x00", "application/octet-stream")
    assert status == 409
