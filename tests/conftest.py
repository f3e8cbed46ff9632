"""Fixtures shared by the harness tests.

Tests that need the public conformance material in ../shared/reference/conformance/ take the
`conformance` fixture (or one built on it) and are skipped with a reason when it is absent, so a
fresh clone of the project passes on its own.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from harness.duis import schema as duis_schema_module
from harness.pki import SMKI, Keystore

PROJECT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("DIT_SHARED", PROJECT.parent / "shared"))
CONFORMANCE = SHARED / "reference" / "conformance"
NO_SHARED = f"conformance material not found at {CONFORMANCE} (set DIT_SHARED to the shared/ folder)"

# Public test certificates expired in 2025-2026: checks that look at validity pin this instant.
PINNED_TIME = dt.datetime(2025, 6, 1, tzinfo=dt.UTC)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests that mostly wait in a served bench's time go first: under -n their waiting overlaps the CPU-bound tests
    of the other worker instead of being the run's last minutes (xdist hands each worker a run of the list's head)."""
    items.sort(key=lambda item: item.get_closest_marker("bench_time") is None)


@pytest.fixture(scope="session")
def conformance() -> Path:
    if not CONFORMANCE.is_dir():
        pytest.skip(NO_SHARED)
    return CONFORMANCE


@pytest.fixture(scope="session")
def duis_schema(conformance):
    return duis_schema_module.load(conformance / "xsd" / "duis.xsd")


@pytest.fixture(scope="session")
def mmc_schema(conformance):
    return duis_schema_module.load(conformance / "xsd" / "mmc.xsd")


@pytest.fixture(scope="session")
def conformance_keystore(conformance) -> Keystore:
    """The ZAZ1 test PKI: GBCS keystore (device and organisation certificates) and XML-signing keys."""
    return Keystore.load(conformance / "gbcs" / "keystore", conformance / "keys")


@pytest.fixture(scope="session")
def smki(tmp_path_factory) -> SMKI:
    """The framework's own test SMKI, generated once per test session."""
    return SMKI.open(tmp_path_factory.mktemp("smki"))


@pytest.fixture(scope="session")
def lab_config():
    from harness.lab import load

    return load()


@pytest.fixture
def lab(lab_config, smki):
    """The default emulated lab, without schema validation: the rules under test are the DSP's and the
    devices' (the scenario suite validates every document against the schema)."""
    from harness.lab import EmulatedLab

    with EmulatedLab(lab_config, smki=smki, schema=None) as running:
        yield running


@pytest.fixture
def do(lab):
    """The prerequisites a scenario takes for granted (install and commission, joins), done on `lab` through real
    DUIS, their exchanges kept by nobody."""
    from harness.lab.procedures import Procedures

    return Procedures(lab, lambda exchange: exchange)
