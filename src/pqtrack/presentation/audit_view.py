"""The audit log as users read it: labelled columns and actions in their language."""

from __future__ import annotations

import json

import pandas as pd

from pqtrack import i18n

COLUMNS: tuple[str, ...] = ("audit_id", "happened_at", "user_name", "action", "batch_id", "detail")


def _detail_text(raw: object, lang: str) -> str:
    """Return the JSON detail as ``key: value`` pairs in ``lang`` (never holds a password)."""
    try:
        data = json.loads(str(raw)) if raw else {}
    except ValueError:
        return str(raw)

    def name(key: str) -> str:
        msg = f"ui.audit.key.{key}"
        return i18n.t(msg, lang) if i18n.has(msg) else key

    return "; ".join(f"{name(k)}: {v}" for k, v in data.items())


def audit_table(log: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Return the audit log with readable actions and details, headers in ``lang``."""
    out = log.reindex(columns=list(COLUMNS)).copy()

    def action(code: object) -> str:
        key = f"ui.audit.action.{code}"
        return i18n.t(key, lang) if i18n.has(key) else str(code)

    out["action"] = out["action"].map(action)
    out["detail"] = out["detail"].map(lambda raw: _detail_text(raw, lang))
    out["batch_id"] = out["batch_id"].map(lambda b: "" if pd.isna(b) else f"#{int(b)}")
    out["happened_at"] = pd.to_datetime(out["happened_at"]).dt.strftime("%d/%m/%Y %H:%M:%S")
    return out.rename(columns={c: i18n.t(f"ui.audit.col.{c}", lang) for c in COLUMNS})
