"""A pytest plugin that fails one step on purpose, for tests/test_allure.py: loaded into `dit run` with
PYTEST_PLUGINS=allure_failure, it fails the step DIT_FAIL_STEP names ('<scenario title>|<step text>') the first
time that scenario reaches it, as a check the system under test did not pass would."""

from __future__ import annotations

import os


def pytest_bdd_before_step_call(request, feature, scenario, step, step_func, step_func_args) -> None:
    title, _, text = os.environ.get("DIT_FAIL_STEP", "").partition("|")
    if scenario.name == title and f"{step.keyword} {step.name}" == text:
        raise AssertionError(f"deliberately failed: {text}")
