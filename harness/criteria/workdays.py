"""Working days in England and Wales, for work-off plan deadlines ("working days from Quality Gate Meeting").

Bank holidays follow the statutory pattern: New Year's Day, Good Friday, Easter Monday, the early May and
spring bank holidays (first and last Mondays of May), the summer bank holiday (last Monday of August),
Christmas Day and Boxing Day, each moved to the next weekday when it falls on a weekend. One-off holidays
proclaimed for a year (a coronation, a jubilee) are not in the pattern; a phase lists them itself.
"""

from __future__ import annotations

import datetime as dt
from functools import cache

MONDAY, SATURDAY = 0, 5


def easter_sunday(year: int) -> dt.date:
    """The Gregorian computus (Meeus/Jones/Butcher)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    j = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * j) // 451
    month, day = divmod(h + j - 7 * m + 114, 31)
    return dt.date(year, month, day + 1)


def _monday_on_or_after(day: dt.date) -> dt.date:
    return day + dt.timedelta(days=(MONDAY - day.weekday()) % 7)


def _last_monday(year: int, month: int) -> dt.date:
    last = (dt.date(year, month + 1, 1) if month < 12 else dt.date(year + 1, 1, 1)) - dt.timedelta(days=1)
    return last - dt.timedelta(days=(last.weekday() - MONDAY) % 7)


@cache
def bank_holidays(year: int) -> frozenset[dt.date]:
    easter = easter_sunday(year)
    days = {easter - dt.timedelta(days=2), easter + dt.timedelta(days=1),
            _monday_on_or_after(dt.date(year, 5, 1)), _last_monday(year, 5), _last_monday(year, 8)}
    new_year = dt.date(year, 1, 1)
    days.add(new_year if new_year.weekday() < SATURDAY else _monday_on_or_after(new_year))
    # Christmas and Boxing Day: a weekend one moves past the other to the next free weekday.
    for fixed in (dt.date(year, 12, 25), dt.date(year, 12, 26)):
        day = fixed
        while day.weekday() >= SATURDAY or day in days:
            day += dt.timedelta(days=1)
        days.add(day)
    return frozenset(days)


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
