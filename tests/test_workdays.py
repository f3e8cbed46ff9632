"""Working days for work-off deadlines: England's bank holidays as the `holidays` library keeps them, with the
holidays moved or proclaimed for one year."""

from __future__ import annotations

import datetime as dt

import pytest

from harness.criteria.defect_mask import judge
from harness.criteria.workdays import add_working_days, bank_holidays, is_working_day
from harness.ledger import TestIssue


def test_the_statutory_pattern_with_weekend_holidays_on_their_substitute_days():
    assert sorted(bank_holidays(2026)) == [dt.date(2026, m, d) for m, d in (
        (1, 1), (4, 3), (4, 6), (5, 4), (5, 25), (8, 31), (12, 25), (12, 28))]     # Boxing Day is a Saturday
    assert {dt.date(2027, 12, 27), dt.date(2027, 12, 28)} <= bank_holidays(2027)    # both fall on a weekend
    assert all(day.weekday() < 5 for year in range(2020, 2028) for day in bank_holidays(year))


@pytest.mark.parametrize("day, holiday", ids=str, argvalues=[
    (dt.date(2020, 5, 8), True), (dt.date(2020, 5, 4), False),      # the early May holiday moved to VE Day
    (dt.date(2022, 6, 2), True), (dt.date(2022, 5, 30), False),     # the spring holiday moved to 2 June ...
    (dt.date(2022, 6, 3), True),                                    # ... before the Platinum Jubilee
    (dt.date(2022, 9, 19), True),                                   # the State Funeral of Queen Elizabeth II
    (dt.date(2023, 5, 8), True), (dt.date(2023, 5, 1), True),       # the Coronation, and the early May holiday
])
def test_holidays_moved_or_proclaimed_for_one_year(day, holiday):
    assert (day in bank_holidays(day.year)) is holiday
    assert is_working_day(day) is not holiday


def test_a_work_off_deadline_across_the_state_funeral_moves_by_a_day():
    gate = dt.date(2022, 9, 12)
    assert add_working_days(gate, 10) == dt.date(2022, 9, 27)       # 26 September without 19 September off
    assert add_working_days(gate, 10, extra_holidays=frozenset({dt.date(2022, 9, 20)})) == dt.date(2022, 9, 28)
    issue = TestIssue("TI-0001", "ESME drops the tariff", 3, "DSP", "open", "2022-09-12")
    assert judge(issue, dt.date(2022, 9, 13), gate).deadline == dt.date(2022, 10, 11)   # 20 working days


def test_a_deadline_in_the_moved_may_of_2020_and_the_coronation_of_2023():
    assert add_working_days(dt.date(2020, 5, 1), 5) == dt.date(2020, 5, 11)     # 4-7 May, then 11: 8 May is off
    assert add_working_days(dt.date(2023, 5, 5), 1) == dt.date(2023, 5, 9)      # 8 May 2023 is off
