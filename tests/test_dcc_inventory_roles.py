"""The DSP's authorisation reads the registration data: which User may address which device at a premises, in
which role (DUIS E4 otherwise)."""

from __future__ import annotations

import pytest

from harness.catalogue import DeviceType, UserRole
from harness.dcc.inventory import Premises
from harness.eui import EntityId

IMPORT_SUPPLIER, GAS_SUPPLIER = EntityId("90-B3-D5-1F-30-01-00-00"), EntityId("90-B3-D5-1F-30-02-00-00")
ELECTRICITY_DNO, GAS_TRANSPORTER = EntityId("90-B3-D5-1F-30-03-00-00"), EntityId("90-B3-D5-1F-30-04-00-00")
PREMISES = Premises("dual fuel", import_supplier=IMPORT_SUPPLIER, gas_supplier=GAS_SUPPLIER,
                    electricity_network_operator=ELECTRICITY_DNO, gas_network_operator=GAS_TRANSPORTER)
ELECTRIC = {IMPORT_SUPPLIER: UserRole.IMPORT_SUPPLIER, ELECTRICITY_DNO: UserRole.ELECTRICITY_DISTRIBUTOR}
GAS = {GAS_SUPPLIER: UserRole.GAS_SUPPLIER, GAS_TRANSPORTER: UserRole.GAS_TRANSPORTER}


@pytest.mark.parametrize("device_type", list(DeviceType))
def test_each_party_addresses_the_devices_of_its_fuel_and_those_serving_both(device_type):
    fuel = {DeviceType.ESME: ELECTRIC, DeviceType.HCALCS: ELECTRIC, DeviceType.GSME: GAS, DeviceType.GPF: GAS}
    allowed = fuel.get(device_type, {**ELECTRIC, **GAS})             # CHF, PPMID, IHD, CAD serve both fuels
    for party in (*ELECTRIC, *GAS):
        expected = {allowed[party]} if party in allowed else set()
        assert PREMISES.roles_of(party, device_type) == expected, (party, device_type)
    assert PREMISES.roles_of(EntityId("90-B3-D5-1F-30-09-00-00"), device_type) == set()
