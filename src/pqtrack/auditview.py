"""The audit log as users read it: labelled columns and actions in their language."""

from __future__ import annotations

import json

import pandas as pd

from pqtrack import i18n

COLUMNS: tuple[str, ...] = ("audit_id", "happened_at", "user_name", "action", "batch_id", "detail")


def _detail_text(raw: object) -> str:
    """Return the JSON detail as ``key: value`` pairs (the password is never in it)."""
    try:
        data = json.loads(str(raw)) if raw else {}
    except ValueError:
        return str(raw)
    return "; ".join(f"{k}: {v}" for k, v in data.items())


def audit_table(log: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Return the audit log with readable actions and details, headers in ``lang``."""
    out = log.reindex(columns=list(COLUMNS)).copy()

    def action(code: object) -> str:
        key = f"ui.audit.action.{code}"
        return i18n.t(key, lang) if i18n.has(key) else str(code)

    out["action"] = out["action"].map(action)
    out["detail"] = out["detail"].map(_detail_text)
    out["batch_id"] = out["batch_id"].astype("Int64")
    return out.rename(columns={c: i18n.t(f"ui.audit.col.{c}", lang) for c in COLUMNS})
