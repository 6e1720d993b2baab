"""Notes a page shows around its content: the sample banner, empty states, ingest steps."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from pqtrack.ui.cache import get_store
from pqtrack.ui.language import tr


def sample_banner() -> None:
    """Warn that the figures include the invented sample batch, while it is stored."""
    if get_store().has_sample():
        st.warning(tr("ui.sample.banner"), icon="⚠️")


def empty_state(key: str = "ui.common.empty_store") -> None:
    """Show a friendly message where there is nothing to show yet."""
    st.info(tr(key), icon="ℹ️")


def step_reporter(status: object) -> Callable[[str], None]:
    """Return an ``on_step`` callback that names each ingest step in a ``st.status`` box."""

    def report(step: str) -> None:
        status.update(label=tr(f"ui.step.{step}"))
        status.write(tr(f"ui.step.{step}"))

    return report
