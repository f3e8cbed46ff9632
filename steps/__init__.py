"""Step definitions for the DIT business scenarios: thin, by concern; protocol logic is in harness/.

Registered as a pytest plugin by the root conftest; the step modules themselves are loaded only where scenarios
run or are collected: an xdist controller hands them out and needs neither the steps nor the labs and DCC Users
they import (harness.plugin.runs_scenarios)."""

MODULES = ["steps.lab", "steps.service_requests", "steps.alerts", "steps.readings", "steps.ppmid_route",
           "steps.ch_firmware"]


def pytest_configure(config):
    from harness.plugin import runs_scenarios

    if runs_scenarios(config):
        for module in MODULES:
            config.pluginmanager.import_plugin(module)
