"""Collects every business scenario under features/ as a pytest test (pytest-bdd)."""

from pytest_bdd import scenarios

scenarios(".")
