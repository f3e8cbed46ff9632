"""harness.parse_cache: a source file's parse kept by its digest, read back instead of parsing again, parsed again
when damaged, the kept results of other bytes removed, nothing kept for what marshal cannot hold."""

from __future__ import annotations

import datetime as dt
import json

from harness import parse_cache


def test_a_parse_is_kept_read_back_parsed_again_when_damaged_and_replaced_when_the_source_changes(tmp_path):
    source = tmp_path / "facts.json"
    source.write_text('{"a": [1, 2]}')
    calls = []

    def parse(text: bytes) -> dict:
        calls.append(text)
        return json.loads(text)

    assert parse_cache.parsed(source, parse, key="v1") == {"a": [1, 2]}
    assert parse_cache.parsed(source, parse, key="v1") == {"a": [1, 2]} and len(calls) == 1     # read back
    (kept,) = (tmp_path / "__pycache__").glob("facts.json.*-v1.*.marshal")
    kept.write_bytes(b"\x00garbage")
    assert parse_cache.parsed(source, parse, key="v1") == {"a": [1, 2]} and len(calls) == 2     # parsed again
    source.write_text('{"a": [3]}')
    assert parse_cache.parsed(source, parse, key="v1") == {"a": [3]} and len(calls) == 3       # new bytes
    assert len(list((tmp_path / "__pycache__").glob("facts.json.*-v1.*.marshal"))) == 1         # the old one gone
    assert parse_cache.parsed(source, parse, key="v2") == {"a": [3]} and len(calls) == 4       # another parser


def test_what_marshal_cannot_hold_is_parsed_in_each_process(tmp_path):
    source = tmp_path / "when.txt"
    source.write_text("2026-12-05")
    assert parse_cache.parsed(source, lambda text: dt.date.fromisoformat(text.decode())) == dt.date(2026, 12, 5)
    assert not list((tmp_path / "__pycache__").glob("*.marshal"))


def test_a_read_only_place_still_parses(tmp_path):
    source = tmp_path / "facts.json"
    source.write_text("[1]")
    (tmp_path / "__pycache__").write_text("a file where the folder would be")
    assert parse_cache.parsed(source, json.loads) == [1]
