"""Entry point for ``python -m pqtrack``."""

import sys

from pqtrack.cli import main

sys.exit(main())
