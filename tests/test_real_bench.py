"""The rules of a real lab's own object (harness.lab.real.RealLab) that need no run: what its prepare command is
told and what its failure does, what it offers the report's keystore. Against a served bench's generated config;
the end-to-end runs are tests/test_real_lab.py's."""

from __future__ import annotations

import pytest

from harness.errors import BenchFault
from harness.lab import config as lab_config
from harness.lab.real import RealLab
from harness.lab.served import ServedBench


@pytest.fixture(scope="module")
def bench(tmp_path_factory, smki):
    served = ServedBench(None, tmp_path_factory.mktemp("bench"), smki=smki, schema=None, time_scale=40).start()
    yield served
    served.stop()


def test_the_prepare_command_is_told_its_test_set_and_its_failure_stops_the_start(bench):
    # a lab's prepare script resets the test set it is named: without it, it would reset none or the wrong one
    lab = RealLab(lab_config.load(bench.config_file), schema=None, scenario="s1")
    lab.bench.prepare = ["sh", "-c", 'echo "no reset of $DIT_TEST_SET for $DIT_SCENARIO" >&2; exit 3']
    try:
        with pytest.raises(BenchFault, match=r"preparing SB11-core failed \(exit 3\): no reset of SB11-core for s1"):
            lab.start()
        assert lab.receiver is None                 # nothing of the scenario ran on an unprepared test set
    finally:
        lab.stop()


def test_a_real_labs_evidence_keys_are_public_only(bench):
    # the report's keystore is built from these: the bench's private keys never leave its keystore folder
    lab = RealLab(lab_config.load(bench.config_file), schema=None)
    try:
        assert any(c.private_key is not None for c in lab.keystore.credentials())
        offered = lab.evidence_credentials()
        assert offered and all(c.private_key is None for c in offered)
    finally:
        lab.stop()
