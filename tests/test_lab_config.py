"""Lab configs: the default loads; bad input gets one line naming file:line and field."""

from __future__ import annotations

import pytest

from harness.catalogue import DeviceType, UserRole
from harness.errors import DitError
from harness.lab import load
from harness.lab.config import DEFAULT

GOOD = DEFAULT.read_text()


def _write(tmp_path, text):
    path = tmp_path / "lab.yaml"
    path.write_text(text)
    return path


def test_the_default_lab():
    config = load()
    assert config.kind == "emulated" and config.source.endswith("emulated.yaml")
    assert config.party("the Import Supplier").roles >= {UserRole.IMPORT_SUPPLIER}
    assert config.party("Gas Network Operator").name == "Gas Network Operator"
    assert {d.type for d in config.devices()} >= {DeviceType.ESME, DeviceType.GSME, DeviceType.PPMID, DeviceType.IHD}


@pytest.mark.parametrize("change, message, names_the_line", [
    (("install_code: 41424344454647484950515253545556,", ""), "install_code: missing", True),
    (("type: GSME", "type: GASMETER"), "unknown device type 'GASMETER'", True),
    (("00-DB-12-34-56-78-90-A1", "00-DB-12-34-56-78-90-A0"), "has the EUI of ESME", False),
    (("roles: [ED]", "roles: [XX]"), "roles", True),
    (("gas_supplier: Supplier A", "gas_supplier: Supplier Z"), "'Supplier Z' is not one of the users", True),
    (("kind: emulated", "kind: imaginary"), "neither emulated nor real", True),
    (("supplier: Supplier A, firmware", "supplier: Supplier Q, firmware"), "'Supplier Q' is not one of the users",
     False),
])
def test_bad_values_name_the_file_line_and_field(tmp_path, change, message, names_the_line):
    old, new = change
    assert old in GOOD
    path = _write(tmp_path, GOOD.replace(old, new, 1))
    with pytest.raises(DitError) as info:
        load(path)
    text = str(info.value)
    assert message in text and str(path) in text
    if names_the_line:                       # the line the bad value is on
        assert f"{path}:{GOOD[:GOOD.index(old)].count(chr(10)) + 1}" in text
    assert "\n" not in text


def test_bad_indentation(tmp_path):
    path = _write(tmp_path, GOOD.replace("\n  - {name: Supplier B", "\n   - {name: Supplier B", 1))
    with pytest.raises(DitError) as info:
        load(path)
    assert "not valid YAML" in str(info.value) and f"{path}:" in str(info.value)


def test_missing_file(tmp_path):
    with pytest.raises(DitError, match="cannot read"):
        load(tmp_path / "none.yaml")


def test_unknown_party_in_gherkin():
    with pytest.raises(DitError, match="no user 'the Water Supplier'|no user 'Water Supplier'"):
        load().party("the Water Supplier")
