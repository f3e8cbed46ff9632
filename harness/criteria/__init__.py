"""The criteria engine: DIT entry and exit criteria, requirements coverage, the defect mask and the heatmap,
judged from the phase ledger's records only (it never imports the lab or the emulators).

    phase = Phase.read(Ledger(dsn), as_of=date)   # or Phase.build(...) from records in hand
    assessment = assess(phase)                     # the JSON-able dict the report renders
"""

from harness.criteria.assessment import assess
from harness.criteria.phase import Phase, Test
from harness.criteria.verdict import MET, NOT_EVALUABLE, NOT_MET, Verdict

__all__ = ["MET", "NOT_EVALUABLE", "NOT_MET", "Phase", "Test", "Verdict", "assess"]
