"""gbcs.asn parsed once and kept beside the package's bytecode: what is read back is what asn1tools parses, a
changed module is parsed anew, and a damaged cache is not trusted."""

from __future__ import annotations

import shutil

import asn1tools
import pytest

from harness.gbcs import asn1


@pytest.fixture
def module(tmp_path, monkeypatch):
    """A copy of gbcs.asn in its own package folder, asn1._parsed forgetting what it held before and after."""
    path = tmp_path / "gbcs.asn"
    shutil.copyfile(asn1.MODULE, path)
    monkeypatch.setattr(asn1, "MODULE", path)
    asn1._parsed.cache_clear()
    yield path
    asn1._parsed.cache_clear()


def _cached(module) -> list:
    return sorted((module.parent / "__pycache__").glob("gbcs.asn.*.marshal"))


def _parse_refused(monkeypatch):
    def refused(*args, **kwargs):
        raise AssertionError("parsed again")
    monkeypatch.setattr(asn1tools, "parse_files", refused)


def test_the_parsed_module_is_kept_and_read_back_without_parsing(module, monkeypatch):
    want = asn1tools.parse_files(str(module))
    assert asn1._parsed() == want and len(_cached(module)) == 1
    asn1._parsed.cache_clear()
    _parse_refused(monkeypatch)
    assert asn1._parsed() == want                    # from the cache: parsing would have failed


def test_a_changed_module_is_parsed_anew(module, monkeypatch):
    asn1._parsed()
    module.write_text(module.read_text().replace("END", "Added ::= INTEGER\n\nEND"))
    asn1._parsed.cache_clear()
    assert "Added" in asn1._parsed()["GBCS"]["types"] and len(_cached(module)) == 1     # the old bytes' parse gone


def test_a_damaged_cache_is_parsed_again_and_rewritten(module):
    asn1._parsed()
    cached = _cached(module)[0]
    cached.write_bytes(cached.read_bytes()[:100])
    asn1._parsed.cache_clear()
    assert asn1._parsed() == asn1tools.parse_files(str(module))
    assert cached.read_bytes() != b"" and len(cached.read_bytes()) > 100
