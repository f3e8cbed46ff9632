"""A criterion or requirement judged from records: met, not met, or not evaluable, and why."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

MET, NOT_MET, NOT_EVALUABLE = "met", "not_met", "not_evaluable"


@dataclass(frozen=True)
class Verdict:
    id: str
    text: str
    status: str
    evidence: str                           # what decided it, in a sentence or two
    details: list[str] = field(default_factory=list)
    scenarios: list[str] = field(default_factory=list)      # what traces to it (requirements)
    devices: list[str] = field(default_factory=list)        # the devices that count towards it
    applies: bool = True                                    # False: a conditional requirement whose condition is absent
    depends_on: list[str] = field(default_factory=list)     # criteria that must be met before this one can be
    waiver: str | None = None       # a deviation the board approved, as its record cites it: the status stays as judged

    def as_dict(self) -> dict:
        return asdict(self)


def plural(count: int, noun: str) -> str:
    if count == 1:
        return f"1 {noun}"
    return f"{count} {noun[:-9] + 'criteria' if noun.endswith('criterion') else noun + 's'}"
