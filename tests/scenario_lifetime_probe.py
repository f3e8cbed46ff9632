"""A pytest plugin for test_scenario_lifetime: what of each scenario is still alive once the run has ended."""

from __future__ import annotations

import gc
import json
import os
import weakref

import pytest
from allure_pytest_bdd.storage import ALLURE_PYTEST_BDD_HASHKEY
from pytest_bdd.reporting import scenario_reports_registry

from harness import plugin

_kept: list[weakref.ref] = []


_alive_at_next: list[int] = []        # as each scenario begins: how many earlier labs and contexts are still alive


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    if _kept:                         # no collection here: what the plugin freed as the last scenario ended
        _alive_at_next.append(sum(1 for ref in _kept if ref() is not None))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    result = yield
    for key in (plugin.LAB, plugin.CONTEXT):
        if key in item.stash:
            _kept.append(weakref.ref(item.stash[key]))
    if item in scenario_reports_registry:   # pytest-bdd's report of the steps, and the rendered scenario in it
        report = scenario_reports_registry[item]
        _kept.extend([weakref.ref(report), weakref.ref(report.scenario)])
    if plugin.LAB in item.stash:        # what the lab holds too: its devices and hubs hold each other
        lab = item.stash[plugin.LAB]
        _kept.extend(weakref.ref(part) for part in [*lab.devices.values(), *lab.hubs.values(), lab.dcc, lab.clock])
    return result


def pytest_sessionfinish(session):
    gc.collect()
    stashed = sum(1 for item in session.items for key in (plugin.LAB, plugin.CONTEXT, plugin.RECORD,
                                                           ALLURE_PYTEST_BDD_HASHKEY) if key in item.stash)
    run = session.config.stash[plugin.RUN]
    with open(os.environ["DIT_LIFETIME_PROBE"], "w", encoding="utf-8") as out:
        json.dump({"watched": len(_kept), "alive": sum(1 for ref in _kept if ref() is not None),
                   "stashed": stashed, "alive_at_next": _alive_at_next, "records": len(run.records),
                   "steps_kept": sum(len(steps) for steps in run.steps.values()),
                   "han_figures_kept_as": sorted({type(figures).__name__ for figures in run.han_figures.values()}),
                   "evidence_folders_held": len(run.evidence._folders)},
                  out)
