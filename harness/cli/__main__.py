"""`python -m harness.cli`: the `dit` command."""

import sys

from harness.cli import main

sys.exit(main())
