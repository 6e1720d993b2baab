"""Formatting and table shaping for the dashboard pages (pure: no Streamlit, no SQL)."""

from __future__ import annotations

import html
from datetime import date

import pandas as pd

from pqtrack.domain import plan
from pqtrack.domain.missing import MISSING
from pqtrack.domain.progress import Progress, summary_counts
from pqtrack.domain.schema import BENEFICIARY_TYPE_VI, BENEFICIARY_TYPES
from pqtrack.i18n import t
from pqtrack.presentation import numbers
from pqtrack.text import BOM

STATUS_COLORS: dict[str, str] = {
    "achieved": "#1a7f37",
    "on_track": "#2f80ed",
    "at_risk": "#d97706",
    "behind": "#c62828",
    "not_achieved": "#c62828",
    "not_started": "#6b7280",
    "not_yet_due": "#6b7280",
}
STATUS_BADGES: dict[str, str] = {
    "achieved": "green",
    "on_track": "blue",
    "at_risk": "orange",
    "behind": "red",
    "not_achieved": "red",
    "not_started": "gray",
    "not_yet_due": "gray",
}
TYPE_COLORS: dict[str, str] = {
    "enterprise": "#2f80ed",
    "household_business": "#f2994a",
    "cooperative": "#27ae60",
    "cooperative_group": "#9b51e0",
    "other": "#828282",
    "unknown": "#cfd4da",
}


def indicator_label(code: str, lang: str) -> str:
    """Return the short label of an indicator (catalog ``ui.ind.<code>``)."""
    return t(f"ui.ind.{code}", lang)


def type_label(code: object, lang: str) -> str:
    """Return a beneficiary type in words (Vietnamese words or English codes)."""
    if not isinstance(code, str) or not code:
        return t("ui.common.unknown", lang)
    if code not in BENEFICIARY_TYPES:
        return code
    return BENEFICIARY_TYPE_VI[code] if lang == "vi" else t(f"ui.type.{code}", "en")


def status_label(status: str, lang: str) -> str:
    """Return a status in words."""
    return t(f"status.{status}", lang)


def phase_finished(phase_code: str, as_of: date) -> bool:
    """Return whether the phase ended before ``as_of``."""
    return as_of > plan.phase(phase_code).end


def summary_sentence(rows: list[Progress], phase_code: str, as_of: date, lang: str) -> str:
    """Return a plain one-line summary of the phase's standing."""
    counts = summary_counts(rows)
    label = plan.phase(phase_code).label
    total = len(rows)
    if phase_finished(phase_code, as_of):
        return t(
            "ui.summary.finished",
            lang,
            achieved=counts["achieved"],
            total=total,
            phase=label,
            missed=counts["not_achieved"],
        )
    if as_of < plan.phase(phase_code).start:
        return t("ui.summary.not_started", lang, phase=label, total=total)
    return t(
        "ui.summary.ongoing",
        lang,
        phase=label,
        total=total,
        achieved=counts["achieved"],
        on_track=counts["on_track"],
        at_risk=counts["at_risk"],
        behind=counts["behind"],
        not_yet_due=counts["not_yet_due"],
        date=numbers.day(as_of, lang),
    )


def needed_text(row: Progress, lang: str) -> str:
    """Return the run-rate still needed per remaining year (or why none is)."""
    unit = plan.target_for(row.indicator, row.phase).unit(lang)
    if row.remaining <= 0:
        return t("ui.card.no_more_needed", lang)
    if row.needed_per_year is None:
        return t(
            "ui.card.missed_by", lang, remaining=numbers.integer(row.remaining, lang), unit=unit
        )
    if row.due_year is not None:
        return t(
            "ui.card.due_once",
            lang,
            year=row.due_year,
            remaining=numbers.integer(row.remaining, lang),
            unit=unit,
        )
    return t(
        "ui.card.needed",
        lang,
        rate=numbers.decimal(row.needed_per_year, lang, 1),
        unit=unit,
        remaining=numbers.integer(row.remaining, lang),
    )


def progress_table(rows: list[Progress], lang: str) -> pd.DataFrame:
    """Return the progress rows as a table with headers in ``lang``."""
    out = pd.DataFrame(
        {
            "indicator": [indicator_label(r.indicator, lang) for r in rows],
            "actual": [r.actual for r in rows],
            "target": [r.target for r in rows],
            "unit": [plan.target_for(r.indicator, r.phase).unit(lang) for r in rows],
            "percent": [r.percent for r in rows],
            "expected": [r.expected for r in rows],
            "status": [status_label(r.status, lang) for r in rows],
            "turns": [r.turns for r in rows],
            "beneficiaries": [r.beneficiaries for r in rows],
            "funding_vnd": [r.funding_vnd for r in rows],
        }
    )
    return out.rename(columns={c: t(f"ui.col.{c}", lang) for c in out.columns})


def label_records(df: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Return a page of records with indicator and type codes in words (values stay typed)."""
    out = df.copy()
    if "indicator" in out:
        out["indicator"] = out["indicator"].map(lambda c: indicator_label(c, lang))
    if "beneficiary_type" in out:
        out["beneficiary_type"] = out["beneficiary_type"].map(
            lambda c: type_label(c, lang) if isinstance(c, str) else None
        )
    if "date" in out:
        out["date"] = pd.to_datetime(out["date"]).dt.date
    return out


def batches_table(df: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Return the batch history with statuses in words."""
    out = df[
        ["batch_id", "file_name", "user_name", "created_at", "row_count", "status", "is_sample"]
    ].copy()
    out["status"] = out["status"].map(lambda s: t(f"ui.batchstatus.{s}", lang))
    out["is_sample"] = out["is_sample"].astype(bool)
    out["user_name"] = out["user_name"].fillna(MISSING)
    return out


def upload_summary(summary: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Return what a clean file will add, by indicator, with labels and units."""
    rows = []
    for rec in summary.to_dict("records"):
        code = rec["indicator"]
        unit = plan.targets()[plan.indicators().index(code)].unit(lang)
        rows.append(
            {
                t("ui.col.indicator", lang): indicator_label(code, lang),
                t("ui.col.rows", lang): int(rec["rows"]),
                t("ui.col.quantity", lang): int(rec["quantity"] or 0),
                t("ui.col.unit", lang): unit,
                t("ui.col.funding_vnd", lang): int(rec["funding_vnd"] or 0)
                if rec["funding_vnd"] == rec["funding_vnd"] and rec["funding_vnd"] is not None
                else 0,
            }
        )
    return pd.DataFrame(rows)


def mapping_table(columns: list[tuple[str, str | None]], lang: str) -> pd.DataFrame:
    """Return how each header cell of a file was understood."""
    ignored = t("ui.upload.ignored", lang)
    return pd.DataFrame(
        {
            t("ui.upload.file_header", lang): [c for c, _ in columns],
            t("ui.upload.maps_to", lang): [m if m else ignored for _, m in columns],
        }
    )


def problems_by_column(problems: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Return the problem table summarised by column and reason (counts)."""
    if problems.empty:
        return problems
    col, reason = t("problems.column", lang), t("problems.reason", lang)
    out = problems.groupby([col, reason], dropna=False).size().reset_index(name="n")
    out = out.sort_values("n", ascending=False)
    return out.rename(columns={"n": t("ui.col.rows", lang)})


def delimiter_name(delimiter: str, lang: str) -> str:
    """Return a delimiter in words."""
    key = {",": "comma", ";": "semicolon", "\t": "tab"}.get(delimiter)
    return t(f"ui.upload.delim.{key}", lang) if key else repr(delimiter)


def data_dictionary(lang: str) -> pd.DataFrame:
    """Return the template's columns with meaning and rules, for the help and upload pages."""
    from pqtrack.domain.schema import COLUMNS

    return pd.DataFrame(
        {
            t("ui.dict.header", lang): [c.header_vi for c in COLUMNS],
            t("ui.dict.code", lang): [c.name for c in COLUMNS],
            t("ui.dict.required", lang): [
                t("ui.dict.required_yes" if c.required else "ui.dict.required_no", lang)
                for c in COLUMNS
            ],
            t("ui.dict.meaning", lang): [t(f"ui.dict.rule.{c.name}", lang) for c in COLUMNS],
        }
    )


def data_dictionary_csv(lang: str) -> bytes:
    """Return the data dictionary as CSV (UTF-8 with BOM, opens in Excel)."""
    text = data_dictionary(lang).to_csv(index=False, lineterminator="\r\n")
    return BOM + text.encode("utf-8")


def mime_for(file_name: str) -> str:
    """Return the download type for a stored original file (workbook or text)."""
    if str(file_name).lower().endswith(".xlsx"):
        return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return "text/csv"


def csv_download(df: pd.DataFrame) -> bytes:
    """Return a table as UTF-8-with-BOM CSV bytes, text cells formula-safe, for a download."""
    from pqtrack.report.export import neutralise

    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = neutralise(out[col])
    return BOM + out.to_csv(index=False, lineterminator="\r\n").encode("utf-8")


_MD_SPECIAL = "\\`*_{}[]()<>#+-.!|~$:"


def md_escape(text: str) -> str:
    """Return ``text`` with Markdown (and HTML-looking) characters escaped for st.markdown."""
    return "".join("\\" + ch if ch in _MD_SPECIAL else ch for ch in str(text))


def plot_text(text: object) -> str:
    """Return user text for a Plotly label, hover or legend: shown as typed, never as markup.

    Plotly draws ``<b>``, ``<a href>``, ``<br>`` … in its text; ``&``, ``<`` and ``>`` are
    written as the entities it turns back into those characters on screen.
    """
    return html.escape(str(text), quote=False)


BREAKDOWN_DIMENSIONS: tuple[str, ...] = ("district", "commune", "sector", "standard", "year")


def breakdown_table(df: pd.DataFrame, dimension: str, lang: str) -> pd.DataFrame:
    """Return a breakdown (indicator × dimension) with words for codes and headers in ``lang``."""
    out = df.copy()
    unknown = t("ui.common.unknown", lang)
    out["indicator"] = out["indicator"].map(lambda c: indicator_label(c, lang))
    if dimension == "beneficiary_type":
        out[dimension] = out[dimension].map(lambda c: type_label(c, lang))
    elif dimension == "year":
        out[dimension] = out[dimension].map(lambda v: unknown if v != v else str(int(v)))
    else:
        out[dimension] = out[dimension].map(lambda v: v if isinstance(v, str) else unknown)
    for col in ("turns", "quantity", "beneficiaries", "funding_vnd"):
        out[col] = out[col].fillna(0).astype("int64")
    headers = {
        "indicator": t("ui.col.indicator", lang),
        dimension: t(f"ui.dim.{dimension}", lang),
        **{m: t(f"ui.measure.{m}", lang) for m in ("turns", "quantity", "beneficiaries")},
        "funding_vnd": t("ui.measure.funding_vnd", lang),
    }
    return out.rename(columns=headers)
