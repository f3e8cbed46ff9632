"""`python -m harness`: the `dit` command, for an installation whose scripts folder is not on PATH."""

import sys

from harness.cli import main

sys.exit(main())
