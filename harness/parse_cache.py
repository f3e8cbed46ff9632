"""A source file's parse kept beside the package's bytecode: a file whose parse costs a tenth of a second a process
(gbcs.asn through pyparsing, the catalogue's YAML) is parsed once, and every later dit, pytest or xdist worker
process reads the result back with marshal in well under a millisecond."""

from __future__ import annotations

import hashlib
import marshal
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any


def parsed(source: Path, parse: Callable[[bytes], Any], key: str = "") -> Any:
    """parse(source's bytes), from `__pycache__/<name>.<python>[-key].<digest>.marshal` when a process wrote it for
    these very bytes (key: whatever else the result depends on, e.g. the parser's version). A damaged or missing
    file is parsed again; the result is written whole or not at all (a parallel process may read it meanwhile), and
    what was kept for other bytes of the same source is removed. A read-only installation parses in each process."""
    text = source.read_bytes()
    stem = f"{source.name}.{sys.implementation.cache_tag}{f'-{key}' if key else ''}"
    cached = source.parent / "__pycache__" / f"{stem}.{hashlib.sha256(text).hexdigest()[:16]}.marshal"
    try:
        return marshal.loads(cached.read_bytes())
    except (OSError, EOFError, ValueError, TypeError):      # not there yet, or damaged: parsed again below
        pass
    result = parse(text)
    try:
        data = marshal.dumps(result)
    except ValueError:                                      # a value marshal cannot keep: parsed in each process
        return result
    try:
        cached.parent.mkdir(exist_ok=True)
        partial = cached.with_name(f"{cached.name}.{os.getpid()}")
        partial.write_bytes(data)
        os.replace(partial, cached)
        for stale in cached.parent.glob(f"{stem}.*.marshal"):
            if stale != cached:
                stale.unlink(missing_ok=True)
    except OSError:
        pass
    return result
