"""EntityId: the EUI-64 forms DUIS, GBCS and the keystore write, and the refusal of anything else."""

import pytest

from harness.errors import DitError
from harness.eui import EntityId

RAW = bytes.fromhex("90b3d51f30010000")


@pytest.mark.parametrize("written", ["90-B3-D5-1F-30-01-00-00", "90:b3:d5:1f:30:01:00:00", "90b3d51f30010000",
                                     " 90-B3-D5-1F-30-01-00-00\n"])
def test_each_written_form_names_the_same_eight_bytes(written):
    eui = EntityId(written)
    assert eui == RAW and eui.duis == "90-B3-D5-1F-30-01-00-00" and eui.file_stem == "90b3d51f30010000"
    assert EntityId(written) == eui and EntityId(eui) is eui


@pytest.mark.parametrize("written", ["90-B3-D5-1F-30-01-00", "90-B3-D5-1F-30-01-00-0G", "90b3d51f3001000",
                                     "90-B3-D5-1F-30-01-00-00-00", "90 B3 D5 1F 30 01 00 00", ""])
def test_anything_else_is_refused_every_time_it_is_given(written):
    for _ in range(2):                      # a refusal is not remembered as an answer
        with pytest.raises(DitError, match="not an EUI-64 entity identifier") as refused:
            EntityId(written)
        assert "90-B3-D5-1F-30-01-00-00" in (refused.value.fix or "")


def test_bytes_must_be_eight():
    assert EntityId(RAW) == RAW
    with pytest.raises(DitError, match="8 bytes, got 7"):
        EntityId(RAW[:7])
