"""What the pages and the CLI ask for, one module per job (uploads, batches, macro, tfp …).

The package itself loads nothing heavy: a command that needs no store (``pqtrack tfp
--macro FILE``) opens none. The two calls below are the progress figures' entries.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from datetime import date

    import pandas as pd

    from pqtrack.domain.progress import Progress
    from pqtrack.store import Store


def phase_progress(store: Store, phase_code: str, as_of: date) -> list[Progress]:
    """Return every indicator's progress in a phase as of a date."""
    from pqtrack.figures import progress

    return progress.phase_progress(store, phase_code, as_of)


def cumulative_series(store: Store, phase_code: str, as_of: date) -> pd.DataFrame:
    """Return the cumulative actual per indicator and day within the phase up to ``as_of``."""
    from pqtrack.figures import progress

    return progress.cumulative_series(store, phase_code, as_of)
