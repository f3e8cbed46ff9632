pytest_plugins = ["harness.plugin", "steps"]
