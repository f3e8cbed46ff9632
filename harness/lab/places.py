"""labgrid places: a lab's benches shared through a labgrid coordinator, as labgrid's own client reserves them.

A real lab config may say `labgrid: {coordinator: HOST:PORT, places: {<test set>: <place>}}`. Each place is a
bench a labgrid exporter offers: its serial consoles are NetworkSerialPort resources named after the Device Asset
Library's assets (an exporter's RawSerialPort, served by ser2net over RFC 2217). `dit run` acquires the places of
the test sets it runs through labgrid's client session (labgrid.remote.client), reaches each console at
`rfc2217://host:port`, and releases the places when the run ends, on a bench fault or Ctrl-C too. A place another
engineer holds is refused in one line before the run is recorded; `dit lab check` says which place is missing,
held or lacks a console.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import signal
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from harness.errors import BenchFault, DitError

CONSOLE = "NetworkSerialPort"       # what an exporter's serial port is once a client acquires its place


@dataclass(frozen=True)
class Places:
    """The `labgrid:` of a real lab config."""
    coordinator: str                                          # HOST:PORT of the labgrid coordinator
    places: dict[str, str] = field(default_factory=dict)      # test set -> labgrid place
    where: str = "labgrid"                                    # "lab.yaml:40: labgrid"


def console_url(resource: dict[str, Any]) -> str:
    """pyserial's address of an acquired NetworkSerialPort. ser2net in front of a pseudo-terminal or a USB UART
    does not answer RFC 2217's modem-control options: pyserial is told not to wait for them."""
    return f"rfc2217://{resource['host']}:{resource['port']}?ign_set_control"


class _Session:
    """labgrid's client session, synchronous: what dit asks of the coordinator."""

    def __init__(self, places: Places):
        try:
            from labgrid.remote.client import Error, start_session
        except ImportError:
            raise DitError("labgrid is not installed", where=places.where,
                           fix="pip install labgrid (the project's dependencies have it)") from None
        self._error = Error
        self.places = places
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                self.session = start_session(places.coordinator)
        except Exception as exc:      # grpc's own errors, or labgrid's ServerError: none is the system under test's
            raise BenchFault(f"cannot reach the labgrid coordinator at {places.coordinator}: {_first_line(exc)}",
                             part="labgrid coordinator", where=places.where,
                             fix="is labgrid-coordinator running there? (labgrid-client -x HOST:PORT places)") from None

    def run(self, coroutine) -> None:
        """One of labgrid's client actions; its words on stdout are dit's to say, its errors one line."""
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                self.session.loop.run_until_complete(coroutine)
        except self._error as exc:
            raise DitError(_first_line(exc), where=self.places.where) from None

    def acquire(self, name: str) -> None:
        self.session.args = argparse.Namespace(place=name, allow_unmatched=False, kick=False)
        self.run(self.session.acquire())

    def release(self, name: str) -> None:
        self.session.args = argparse.Namespace(place=name, allow_unmatched=False, kick=False)
        self.run(self.session.release())

    def place(self, name: str):
        try:
            return self.session.get_place(name)
        except self._error as exc:
            raise DitError(f"place {name}: {_first_line(exc)}", where=self.places.where,
                           fix="labgrid-client places lists them; labgrid-client -p NAME create makes one") from None

    def holder(self, name: str) -> str | None:
        """Who holds the place (host/user), when it is not this client."""
        acquired = self.place(name).acquired
        return acquired if acquired and acquired != f"{self.session.gethostname()}/{self.session.getuser()}" else None

    def consoles(self, name: str) -> dict[str, str]:
        """The place's consoles by resource name, once acquired."""
        resources = self.session.get_target_resources(self.place(name))
        return {resource_name: console_url(entry.args) for (resource_name, cls), entry in resources.items()
                if cls == CONSOLE and entry.avail and entry.args.get("port")}

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.session.loop.run_until_complete(self.session.stop())
            self.session.loop.run_until_complete(self.session.close())


@contextlib.contextmanager
def acquired(places: Places, test_sets: list[str]) -> Iterator[dict[str, str]]:
    """The places of these test sets acquired for the run: the consoles by asset name (rfc2217 URLs); released
    when the block ends, however it ends (a fault, Ctrl-C, a signal the run turns into a stop)."""
    wanted = [places.places[t] for t in dict.fromkeys(test_sets) if t in places.places]
    if not wanted:
        yield {}
        return
    session = _Session(places)
    held: list[str] = []
    try:
        for name in wanted:
            holder = session.holder(name)
            if holder is not None:
                raise DitError(f"place {name} is held by {holder}", where=places.where,
                               fix=f"wait until they release it (labgrid-client -p {name} show says who), or run "
                                   "on another place")
            held.append(name)           # first: Ctrl-C while the coordinator acquires it still releases it
            session.acquire(name)
        consoles: dict[str, str] = {}
        for name in held:
            consoles.update(session.consoles(name))
        yield consoles
    finally:
        with _uninterrupted():
            session.close()
            if held:        # a new session: Ctrl-C may have cut the first one's view of the places short
                releasing = _Session(places)
                for name in held:
                    try:
                        releasing.release(name)
                    except DitError as exc:     # one never acquired: nothing to release; else say it is still held
                        with contextlib.suppress(DitError):
                            if releasing.place(name).acquired:
                                print(f"dit: place {name} is still held ({exc.what}): labgrid-client -p {name} "
                                      "release", file=sys.stderr)
                releasing.close()


@contextlib.contextmanager
def _uninterrupted() -> Iterator[None]:
    """A second Ctrl-C must not leave a place held: releasing is not interrupted (in the main thread, where
    Python delivers SIGINT)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    before = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, before)


def problems(places: Places, assets: dict[str, list[str]]) -> list[str]:
    """What `dit lab check` says of the places: unreachable coordinator, a place missing or held by someone else, a
    console the test set's assets need that the place does not offer. `assets`: test set -> assets with consoles."""
    try:
        session = _Session(places)
    except DitError as exc:
        return [str(exc)]
    found: list[str] = []
    try:
        for test_set, name in places.places.items():
            try:
                place = session.place(name)
            except DitError as exc:
                found.append(str(exc))
                continue
            holder = session.holder(name)
            if holder is not None:
                found.append(f"{places.where}: place {name} ({test_set}) is held by {holder} "
                             f"(wait until they release it: labgrid-client -p {name} show)")
            offered = {path[3] for path in _matching(session, place) if path[2] in (CONSOLE, "RawSerialPort")}
            for asset in assets.get(test_set, []):
                if asset not in offered:
                    found.append(f"{places.where}: place {name} ({test_set}) has no console {asset} "
                                 f"(export its serial port as a resource named {asset} and add-match it to {name})")
    finally:
        session.close()
    return found


def _matching(session: _Session, place) -> list[tuple[str, str, str, str]]:
    """Every exported resource the place's matches take: (exporter, group, class, name)."""
    paths = [(exporter, group_name, resource.cls, resource_name)
             for exporter, groups in session.session.resources.items() for group_name, group in groups.items()
             for resource_name, resource in group.items()]
    return [path for path in paths if place.hasmatch(path)]


def _first_line(exc: BaseException) -> str:
    """labgrid's words, without the "Error: " its client errors begin with."""
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0].removeprefix("Error: ")
