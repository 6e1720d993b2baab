"""Entry point for ``python -m pqtrack``."""

import sys

from pqtrack.cli.main import main

sys.exit(main())
