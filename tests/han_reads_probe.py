"""A pytest plugin for test_criteria_evidence: how often the run read each han.pcap for its HAN figures."""

from __future__ import annotations

import json
import os
from collections import Counter

from harness.han import capture

_reads: Counter[str] = Counter()
_records = capture.records


def _counted(path, **where):
    _reads[str(path)] += 1
    return _records(path, **where)


capture.records = _counted          # harness.run.han_evidence reads captures by capture.records


def pytest_unconfigure(config):
    if "DIT_HAN_READS_PROBE" in os.environ:
        with open(os.environ["DIT_HAN_READS_PROBE"], "w", encoding="utf-8") as out:
            json.dump(dict(_reads), out)
