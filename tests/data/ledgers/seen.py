"""What a release's own reader sees in a ledger, as JSON: run with that release first on PYTHONPATH (make.sh)."""

import inspect
import json
import sys
from dataclasses import asdict

from harness.ledger import Ledger

# releases before 474b8b4 had no read-only opening
options = {"create": False} if "create" in inspect.signature(Ledger).parameters else {}
with Ledger(sys.argv[1], **options) as book:
    seen: dict[str, object] = {name: [asdict(r) for r in getattr(book, name)()] for name in (
        "runs", "planned", "executions", "issues", "evidence", "suspensions", "devices")}
    seen["settings"] = {key: book.setting(key) for key in ("name", "quality_gate")}
print(json.dumps(seen, indent=1, sort_keys=True, default=str))
