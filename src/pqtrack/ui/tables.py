"""How tables are shown: column headers and formats, numbers written in the user's language."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from pqtrack import i18n
from pqtrack.presentation import numbers
from pqtrack.service import beneficiaries, records
from pqtrack.ui.language import lang

# How the number columns of each table are written (``numbers`` kinds), by column name.
RECORD_KINDS: dict[str, str] = records.RECORD_KINDS
BATCH_KINDS: dict[str, str] = {"batch_id": "code", "row_count": "int"}


def styled(df: pd.DataFrame, kinds: dict[str, str] | None = None) -> object:
    """Return a table whose numbers are written in the user's language (values stay typed)."""
    return numbers.styled(df, kinds or {}, lang())


def column_config(lang_: str) -> dict:
    """Return the records table's column formats and headers."""
    cc = st.column_config
    label = {c: i18n.t(f"ui.rec.{c}", lang_) for c in records.LIST_COLUMNS}
    config: dict = {c: cc.Column(label[c]) for c in records.LIST_COLUMNS}
    config["date"] = cc.DateColumn(label["date"], format=numbers.DATE_MOMENT)
    for name in RECORD_KINDS:
        config[name] = cc.NumberColumn(label[name])  # written by numbers.styled (see styled)
    return config


def batch_column_config(lang_: str) -> dict:
    """Return the batch history table's column formats and headers."""
    cc = st.column_config
    names = ("batch_id", "file_name", "user_name", "created_at", "row_count", "status", "is_sample")
    config: dict = {c: cc.Column(i18n.t(f"ui.batch.{c}", lang_)) for c in names}
    config["batch_id"] = cc.NumberColumn(i18n.t("ui.batch.batch_id", lang_), format="#%d")
    config["created_at"] = cc.DatetimeColumn(
        i18n.t("ui.batch.created_at", lang_), format=numbers.DATETIME_MOMENT
    )
    config["row_count"] = cc.NumberColumn(i18n.t("ui.batch.row_count", lang_))
    config["is_sample"] = cc.CheckboxColumn(i18n.t("ui.batch.is_sample", lang_))
    return config


def breakdown_kinds(lang_: str) -> dict[str, str]:
    """Return how the breakdown tables' numbers are written (headers as ``breakdown_table``)."""
    return beneficiaries.table_kinds(lang_)


def problem_column_config(lang_: str) -> dict:
    """Return column widths for the upload problem list (the reason gets the room)."""
    cc = st.column_config
    return {
        i18n.t("problems.row", lang_): cc.NumberColumn(width="small", format="%d"),
        i18n.t("problems.column", lang_): cc.TextColumn(width="medium"),
        i18n.t("problems.value", lang_): cc.TextColumn(width="small"),
        i18n.t("problems.reason", lang_): cc.TextColumn(width="large"),
    }
