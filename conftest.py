pytest_plugins = ["harness.plugin", "steps.lab", "steps.service_requests", "steps.alerts", "steps.readings",
                  "steps.ppmid_route", "steps.ch_firmware"]
