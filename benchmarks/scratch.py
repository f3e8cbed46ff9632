"""A benchmark's scratch folder (its SMKI, its runs' reports): removed when the benchmark ends, so repeated runs do
not fill /tmp (an SMKI is about 0.4 MB, a default run's reports some 80 MB)."""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path


def scratch_folder(prefix: str) -> Path:
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder
