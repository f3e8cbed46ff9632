"""Lab files are composed by libyaml and kept once read: the same values, lines and refusals as the pure-Python
loader gives, and a file changed since it was read is read again."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from harness import project
from harness.errors import DitError
from harness.lab import yamlfile

SHIPPED = sorted([*project.LAB_CONFIGS.rglob("*.yaml"), *project.DEVICE_PROFILES.rglob("*.yaml")])


def _tree(value):
    """A Located tree as plain data with every line, written text and field path it carries."""
    if isinstance(value, yamlfile.Located):
        return ("mapping", value.where, value.path, value.lines, value.written, {k: _tree(v) for k, v in value.items()})
    if isinstance(value, list):
        return [_tree(v) for v in value]
    return value


def _pure_python(monkeypatch, path: Path):
    """What the pure-Python loader alone makes of a file: its Located tree, or its one-line refusal."""
    with monkeypatch.context() as patched:
        patched.setattr(yamlfile, "_C_LOADER", None)
        patched.setattr(yamlfile, "_LOADED", {})
        try:
            return _tree(yamlfile.load(path))
        except DitError as exc:
            return str(exc)


def _fast(path: Path):
    yamlfile._LOADED.pop(str(path), None)
    try:
        return _tree(yamlfile.load(path))
    except DitError as exc:
        return str(exc)


def test_libyaml_is_used_here():
    assert yamlfile._C_LOADER is not None, "PyYAML without libyaml: these tests would compare a loader with itself"


@pytest.mark.parametrize("path", SHIPPED, ids=[str(p.relative_to(project.ROOT)) for p in SHIPPED])
def test_every_shipped_file_loads_as_the_pure_python_loader_reads_it(monkeypatch, path):
    assert _fast(path) == _pure_python(monkeypatch, path)


HOSTILE = [
    ("40 deep, within libyaml's own limit", "name: x\nv: " + "[" * 40 + "]" * 40 + "\n"),
    ("3000 deep, beyond it", "name: x\nv: " + "[" * 3000 + "]" * 3000 + "\n"),
    ("33 deep in blocks", "name: x\n" + "".join("  " * i + f"k{i}:\n" for i in range(40)) + "  " * 40 + "v: 1\n"),
    ("an alias", "name: x\na: &one {b: 1}\nc: *one\n"),
    ("a recursive alias", "name: x\na: &one [*one]\n"),
    ("an unclosed list", "name: x\na: [1, 2\n"),
    ("a tab for indentation", "name: x\na:\n\tb: 1\n"),
    ("a NUL character", "name: x\x00y\n"),
    ("a second document", "name: x\n---\nname: y\n"),
    ("a bad escape", 'name: "x\\q"\n'),
]


@pytest.mark.parametrize("text", [case[1] for case in HOSTILE], ids=[case[0] for case in HOSTILE])
def test_a_refusal_is_the_line_the_pure_python_loader_gives(tmp_path, monkeypatch, text):
    path = tmp_path / "lab.yaml"
    path.write_text(text, encoding="utf-8")
    refused = _fast(path)
    assert isinstance(refused, str) and refused.startswith(f"{path}:"), refused
    assert refused == _pure_python(monkeypatch, path)


def test_a_file_is_read_once_and_again_once_it_changes(tmp_path):
    path = tmp_path / "lab.yaml"
    path.write_text("name: first\n", encoding="utf-8")
    first = yamlfile.load(path)
    assert yamlfile.load(path) is first
    path.write_text("name: second one\n", encoding="utf-8")
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))   # a later write, whatever the clock
    assert yamlfile.load(path)["name"] == "second one"


def test_what_a_scenario_changes_stays_in_its_own_copy_of_the_test_set():
    """One loaded lab config serves every scenario of a run (the plugin's session fixture); a scenario's
    registration change and CH replacement change its own copy of the test set only."""
    from harness.lab import load

    shipped = load()
    site = shipped.test_set("SB11-core")
    parties, hub, spare = dict(site.parties), site.hub, site.spare_hub
    scenario = shipped.for_test_set("SB11-core").premises[0]
    scenario.parties["import_supplier"] = "Supplier B"
    scenario.replaced_hub, scenario.hub, scenario.spare_hub = scenario.hub, spare, None
    scenario.devices.clear()
    assert (site.parties, site.hub, site.spare_hub) == (parties, hub, spare) and site.devices
    assert shipped.for_test_set("SB11-core").premises[0].parties == parties
