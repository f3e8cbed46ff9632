pytest_plugins = ["harness.plugin"]

STEPS = ["steps.lab", "steps.service_requests", "steps.alerts", "steps.readings", "steps.ppmid_route",
         "steps.ch_firmware"]


def pytest_configure(config):
    """The step definitions, where scenarios run: an xdist controller runs none (harness.plugin.runs_scenarios)."""
    from harness.plugin import runs_scenarios

    if runs_scenarios(config):
        for module in STEPS:
            config.pluginmanager.import_plugin(module)
