"""Working days in England and Wales, for work-off plan deadlines ("working days from Quality Gate Meeting").

Bank holidays are England's as the `holidays` library keeps them (the same days as Wales's): the statutory
pattern, each holiday on the day it was moved to (the early May one on VE Day in 2020, the spring one on 2 June
2022), and the one-off holidays proclaimed for a year (the Platinum Jubilee on 3 June 2022, the State Funeral on
19 September 2022, the Coronation on 8 May 2023). One proclaimed after the installed release of the library is
not known to it: a phase passes such a day as an extra holiday.
"""

from __future__ import annotations

import datetime as dt
from functools import cache

SATURDAY = 5


@cache
def bank_holidays(year: int) -> frozenset[dt.date]:
    """The weekdays of the year that are bank holidays in England: a holiday falling on a weekend counts on its
    substitute day (the library lists both)."""
    # imported here: its calendars take about 0.1 s, which `dit run`'s controller need not pay
    import holidays
    england = holidays.country_holidays("GB", subdiv="ENG", years=year)
    return frozenset(day for day in england if day.weekday() < SATURDAY)


def is_working_day(day: dt.date, extra_holidays: frozenset[dt.date] = frozenset()) -> bool:
    return day.weekday() < SATURDAY and day not in bank_holidays(day.year) and day not in extra_holidays


def add_working_days(start: dt.date, count: int, extra_holidays: frozenset[dt.date] = frozenset()) -> dt.date:
    """The date `count` working days after `start` (the start day itself is day 0)."""
    day = start
    while count > 0:
        day += dt.timedelta(days=1)
        if is_working_day(day, extra_holidays):
            count -= 1
    return day
