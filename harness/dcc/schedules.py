"""DSP schedules (5.1 create, 5.2 read, 5.3 delete) and their execution on the lab's clock.

A schedule runs a DSP-schedulable read for one device at its execution time (ScheduleExecutionStartTime,
01:00 UTC when not given) on each day its frequency names, from the start date to the end date. Each
run is a command the DSP builds for the owner (the owner as originator, a fresh counter) and sends over
the SM WAN; the device's response reaches the owner as a ResponseMessage carrying DSPScheduledMessage
(the GBCS response and the DSP Schedule ID). Log reads cover the window the schedule's offsets give,
relative to the run's date.

Schedules are removed by their owner (5.3: one by ID, or all of a device) and by the DCC: on Change of
Supplier (N17), for Other Users on Change of Tenancy (N4), on decommission (N6); each removal the DCC
makes tells the owner with a DSPScheduleRemoval.
"""

from __future__ import annotations

import calendar
import datetime as dt
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from lxml import etree

from harness import catalogue
from harness.clock import ScheduledEvent, utc_text
from harness.dcc.base import DccUser, DuisRejection, Outstanding
from harness.duis import requests, xml
from harness.duis.request_id import RequestId
from harness.duis.xml import E
from harness.eui import EntityId
from harness.usecases import DuisRequest

if TYPE_CHECKING:
    from harness.dcc.dsp import DataServicesProvider

DEFAULT_EXECUTION_TIME = dt.time(1, 0)
_MONTHS = {"Monthly": 1, "Quarterly": 3, "Half-Yearly": 6, "Yearly": 12}


@dataclass
class DspSchedule:
    schedule_id: int
    owner: DccUser
    device_id: EntityId
    srv: str
    fields: dict                       # the 5.1 body, flattened
    start: dt.date
    end: dt.date | None
    at: dt.time
    frequency: str
    timer: ScheduledEvent | None = None
    runs: list[dt.datetime] = field(default_factory=list)

    def occurs_on(self, day: dt.date) -> bool:
        if day < self.start or (self.end is not None and day > self.end):
            return False
        if self.frequency == "Daily":
            return True
        if self.frequency == "Weekly":
            return (day - self.start).days % 7 == 0
        months = (day.year - self.start.year) * 12 + day.month - self.start.month
        last_day = calendar.monthrange(day.year, day.month)[1]
        return months % _MONTHS[self.frequency] == 0 and day.day == min(self.start.day, last_day)

    def next_run(self, after: dt.datetime) -> dt.datetime | None:
        day = max(after.date(), self.start)
        for _ in range(400):
            at = dt.datetime.combine(day, self.at, tzinfo=dt.UTC)
            if at > after and self.occurs_on(day):
                return at
            if self.end is not None and day > self.end:
                return None
            day += dt.timedelta(days=1)
        return None


class DspSchedules:
    def __init__(self, dsp: DataServicesProvider):
        self.dsp = dsp
        self.schedules: dict[int, DspSchedule] = {}
        self._ids = itertools.count(1)

    def handlers(self) -> dict:
        return {"5.1": self.create, "5.2": self.read, "5.3": self.delete}

    # -- 5.1, 5.2, 5.3 -------------------------------------------------------------------------------

    def create(self, fields: dict, user: DccUser, request_id: RequestId):
        srv = fields["DSPScheduledServiceReferenceVariant"]
        service = catalogue.service_request(srv)
        if not service.dsp_schedulable:
            raise DuisRejection("E050101", f"{service} cannot be scheduled by the DSP")
        if not service.roles & user.roles:
            raise DuisRejection("E2", f"{user.name}'s roles may not send {service}")
        device = self.dsp.authorise(service, user, EntityId(fields["DeviceID"]))
        at = dt.time.fromisoformat(fields["ScheduleExecutionStartTime"].rstrip("Z")) \
            if "ScheduleExecutionStartTime" in fields else DEFAULT_EXECUTION_TIME
        schedule = DspSchedule(
            next(self._ids), user, device.device_id, srv, fields, _date(fields["ScheduleStartDate"]),
            _date(fields["ScheduleEndDate"]) if "ScheduleEndDate" in fields else None, at,
            fields["ScheduleFrequency"])
        self.schedules[schedule.schedule_id] = schedule
        self._arm(schedule)
        return E.DSPScheduleID(str(schedule.schedule_id))

    def read(self, fields: dict, user: DccUser, request_id: RequestId):
        found = self._select(fields, user)
        return E.DSPSchedulesRead(*[E.DSPSchedules(E.DSPScheduleID(str(s.schedule_id)),
                                                   E.DSPScheduleDetails(*_elements(s.fields)))
                                    for s in found[:99]])

    def delete(self, fields: dict, user: DccUser, request_id: RequestId):
        for schedule in self._select(fields, user):
            self._drop(schedule)
        return None

    def _select(self, fields: dict, user: DccUser) -> list[DspSchedule]:
        if "DSPScheduleID" in fields:
            named = self.schedules.get(int(fields["DSPScheduleID"]))
            candidates = [named] if named is not None else []
        else:
            candidates = [s for s in self.schedules.values() if s.device_id.duis == fields.get("DeviceID")]
        found = [s for s in candidates if s.owner.eui == user.eui]
        if not found:
            raise DuisRejection("E19", "no DSP schedule of this User matches")
        return found

    # -- removal by the DCC ------------------------------------------------------------------------------

    def remove(self, matches: Callable[[DspSchedule], bool], alert_code: str) -> list[DspSchedule]:
        removed = [s for s in self.schedules.values() if matches(s)]
        for schedule in removed:
            self._drop(schedule)
            self.dsp.dcc_alert(schedule.owner, alert_code, E.DSPScheduleRemoval(
                E.DeviceID(schedule.device_id.duis), E.DSPScheduleID(str(schedule.schedule_id))))
        return removed

    def _drop(self, schedule: DspSchedule) -> None:
        self.schedules.pop(schedule.schedule_id, None)
        self.dsp.clock.cancel(schedule.timer)

    # -- execution ----------------------------------------------------------------------------------------

    def _arm(self, schedule: DspSchedule) -> None:
        at = schedule.next_run(self.dsp.clock.now())
        if at is not None:
            schedule.timer = self.dsp.clock.call_at(at, lambda: self._run(schedule),
                                                    f"DSP schedule {schedule.schedule_id}")

    def _run(self, schedule: DspSchedule) -> None:
        dsp, now = self.dsp, self.dsp.clock.now()
        schedule.runs.append(now)
        device = dsp.inventory.get(schedule.device_id)
        if device is not None and device.admits(schedule.srv):
            fields = _read_fields(schedule, now.date())
            request_id = RequestId(schedule.owner.eui, device.device_id, dsp.counter.next(schedule.owner.eui))
            use_case, apdu = dsp.command(schedule.owner, device, _scheduled_request(schedule.srv, request_id, fields),
                                         fields)
            dsp.send(Outstanding(request_id, schedule.srv, schedule.owner, device, use_case, apdu, fields,
                                 schedule_id=schedule.schedule_id))
        self._arm(schedule)


def _scheduled_request(srv: str, request_id: RequestId, fields: dict) -> DuisRequest:
    """The request a run stands for (the read with the run's ReadLogPeriod): what the DSP Transforms."""
    period = {name: dt.datetime.fromisoformat(fields[f"ReadLogPeriod/{key}"].replace("Z", "+00:00"))
              for name, key in (("start", "StartDateTime"), ("end", "EndDateTime"))
              if f"ReadLogPeriod/{key}" in fields}
    body = requests.builder(srv)(**period)
    return DuisRequest.parse(xml.serialize(requests.build(srv, request_id, body_element=body)), srv)


def _read_fields(schedule: DspSchedule, day: dt.date) -> dict:
    """The scheduled read's body for one run: the offsets turned into a ReadLogPeriod."""
    offsets = {k.split("/", 1)[1]: v for k, v in schedule.fields.items() if k.startswith("DSP") and "/" in k}
    if "StartDateOffset" not in offsets:
        return {}

    def moment(offset: str, time: str) -> str:
        return utc_text(dt.datetime.combine(day + dt.timedelta(days=int(offsets[offset])),
                                            dt.time.fromisoformat(offsets[time].rstrip("Z")), tzinfo=dt.UTC))

    return {"ReadLogPeriod/StartDateTime": moment("StartDateOffset", "StartTime"),
            "ReadLogPeriod/EndDateTime": moment("EndDateOffset", "EndTime")}


def _date(text: str) -> dt.date:
    return dt.date.fromisoformat(text.rstrip("Z")[:10])


def _elements(fields: dict) -> list:
    """Flattened leaf paths back into elements (for 5.2: the schedule as it was created)."""
    roots: dict[str, etree._Element] = {}
    out = []
    for path, value in fields.items():
        parts = path.split("/")
        parent = None
        for depth, name in enumerate(parts[:-1]):
            key = "/".join(parts[:depth + 1])
            if key not in roots:
                roots[key] = E(name)
                (out.append(roots[key]) if parent is None else parent.append(roots[key]))
            parent = roots[key]
        leaf = E(parts[-1], value)
        out.append(leaf) if parent is None else parent.append(leaf)
    return out
