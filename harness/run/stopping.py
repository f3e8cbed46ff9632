"""Stopping a run early, `interrupted` with its reason (harness.run_end): on SIGTERM, on a disk that refuses a
write (the scenario under way did not finish and runs again on --resume) and on a ledger that does not take an
execution. What finished is recorded; a signal that comes while an execution is being committed waits for it."""

from __future__ import annotations

import signal
import threading
import warnings
from collections.abc import Callable, Generator
from types import FrameType
from typing import Any, NoReturn

import pytest
from pluggy import PluggyTeardownRaisedWarning

from harness.run_end import RoomToStop, RunEnd, disk_refused, refusal


class RunStop:
    """The pytest plugin object that ends a run early and keeps the room it needs on the report's disk. `dit run`
    hands pytest a RunEnd and reads it once pytest returns; plain pytest gets its own."""

    def __init__(self, config: pytest.Config, on_end: Callable[[int], None]):
        self.end = next((p for p in config.pluginmanager.get_plugins() if isinstance(p, RunEnd)), RunEnd())
        self.on_end = on_end            # once every plugin wrote its part: the ledger learns how the run ended
        self.room: RoomToStop | None = None
        self.in_loop = False            # scenarios are running: a signal stops the run at once
        self._holding = False           # an execution has finished and is not yet committed: a signal waits
        self._pending: tuple[str, int] | None = None
        self._exiting = False
        self._default_sigterm: Any = None

    def note(self, reason: str, exit_code: int = 1) -> None:
        """Why the run stops (the first reason counts); the room kept on the disk is for stopping now."""
        self.end.stop(reason, exit_code)
        self.free_room()

    def stop(self, reason: str, exit_code: int = 1) -> NoReturn:
        """End the run here, interrupted: what finished is recorded; the scenario under way is not, and runs
        again on `dit run --resume`."""
        self.note(reason, exit_code)
        self._exiting = True
        pytest.exit(reason, returncode=pytest.ExitCode.INTERRUPTED)

    def hold(self) -> None:
        """An execution has finished: a signal waits until it is committed (and its scenario torn down)."""
        self._holding = True

    def free_room(self) -> None:
        if self.room is not None:
            self.room.free()

    def _terminated(self, signum: int, frame: FrameType | None) -> None:
        reason, exit_code = f"terminated ({signal.Signals(signum).name})", 128 + signum
        if self.in_loop and not self._holding and not self._exiting:
            self.stop(reason, exit_code)
        self.note(reason, exit_code)
        self._pending = (reason, exit_code)         # acted on when the loop starts or the execution is committed

    def catch_signals(self) -> None:
        if threading.current_thread() is threading.main_thread():
            self._default_sigterm = signal.signal(signal.SIGTERM, self._terminated)

    def release_signals(self) -> None:
        if self._default_sigterm is not None:
            signal.signal(signal.SIGTERM, self._default_sigterm)
            self._default_sigterm = None

    # Hooks

    @pytest.hookimpl(optionalhook=True)
    def pytest_testnodedown(self, node: Any, error: object) -> None:
        """An xdist worker that stopped the run (a disk that refused its evidence, a signal) says why."""
        stopped = getattr(node, "workeroutput", {}).get("dit_stopped")
        if stopped:
            self.note(*stopped)

    def pytest_runtest_logfinish(self, nodeid: str, location: object) -> None:
        self._holding = False
        if self._pending is not None and self.in_loop and not self._exiting:
            self.stop(*self._pending)

    @pytest.hookimpl(wrapper=True, tryfirst=True)
    def pytest_runtestloop(self, session: pytest.Session) -> Generator[None, object, object]:
        """Scenarios run: a signal stops them at once, and so does a disk that refuses a write, here or in a
        plugin beside this one (allure writes its results from its own hook wrappers)."""
        with warnings.catch_warnings():
            # the refusal is this run's one line already; pluggy's warning that a wrapper raised would repeat it
            warnings.simplefilter("ignore", PluggyTeardownRaisedWarning)
            self.in_loop = True
            try:
                if self._pending is not None:           # a signal came while the scenarios were collected
                    self.stop(*self._pending)
                return (yield)
            except OSError as exc:
                if not disk_refused(exc):
                    raise
                self.stop(refusal(exc))
            except KeyboardInterrupt:
                self.note("interrupted (SIGINT)", 128 + signal.SIGINT)
                raise
            finally:
                self.in_loop = False

    @pytest.hookimpl(wrapper=True, tryfirst=True)
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> Generator[None, object, object]:
        """The run's end, after every plugin wrote its part (junit.xml meets the same full disk as the rest)."""
        self.free_room()                                # no scenario writes any more: the room is for what follows
        workeroutput = getattr(session.config, "workeroutput", None)
        if workeroutput is not None and self.end.stopped is not None:
            workeroutput["dit_stopped"] = [self.end.stopped, self.end.exit_code]    # before xdist sends it
        try:
            return (yield)
        except OSError as exc:
            if not disk_refused(exc):
                raise
            self.note(refusal(exc))
            return None
        finally:
            if self.end.stopped is not None:
                session.exitstatus = pytest.ExitCode.INTERRUPTED
            self.on_end(session.exitstatus)
