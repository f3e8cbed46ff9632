"""What stops a run on its disk and what does not: a scenario reads devices too, and a device that went away says
EIO as a failing disk does."""

from __future__ import annotations

import errno
import os
import pty
from pathlib import Path

import pytest

from harness.run import evidence_files
from harness.run_end import disk_refused, scenario_disk_refused


def test_a_full_disk_under_an_evidence_file_is_named_and_stops_the_run(tmp_path):
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full on this system to refuse a write")
    full = tmp_path / "001-SR-8.2-request.xml"
    full.symlink_to("/dev/full")
    with pytest.raises(OSError) as raised:
        evidence_files._write(str(full), b"<sr:Request/>")
    assert raised.value.errno == errno.ENOSPC and raised.value.filename == str(full)
    assert scenario_disk_refused(raised.value) and disk_refused(raised.value)


def test_a_closed_pseudo_terminal_is_the_scenarios_failure_not_the_disks():
    """A console's pseudo-terminal whose other end closed: reading it says EIO, naming no file."""
    controller, console = pty.openpty()
    os.close(console)
    try:
        with pytest.raises(OSError) as raised:
            os.read(controller, 1)
    finally:
        os.close(controller)
    assert raised.value.errno == errno.EIO
    assert disk_refused(raised.value) and not scenario_disk_refused(raised.value)


@pytest.mark.parametrize(("fault", "the_disks"), [
    (OSError(errno.EIO, "Input/output error", "/dev/ttyUSB0"), False),
    (OSError(errno.EIO, "Input/output error", Path("/dev/ttyACM1")), False),
    (OSError(errno.EIO, "Input/output error", "reports/evidence/x/han.pcap"), True),
    (OSError(errno.EIO, "Input/output error", Path("/srv/dit/phase.db")), True),
    (OSError(errno.ENOSPC, "No space left on device"), True),
    (OSError(errno.EROFS, "Read-only file system", "/dev/shm/x"), True),
    (OSError(errno.ECONNRESET, "Connection reset by peer"), False),
    (ValueError("not an OSError"), False),
])
def test_which_faults_of_a_scenario_are_its_disks(fault, the_disks):
    assert scenario_disk_refused(fault) is the_disks
