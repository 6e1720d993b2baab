"""Đóng góp TFP / TFP contribution: parameters → tfp model → charts, table, downloads, upload."""

import streamlit as st

from pqtrack import ui
from pqtrack.service import batches as batch_service
from pqtrack.service import display as fmt
from pqtrack.service import macro, tfp
from pqtrack.ui import session
from pqtrack.ui.batches import rollback_controls


@st.cache_data(show_spinner=False, max_entries=16)
def sensitivity_band(frame):
    """The phase shares' range over the b_K × δ grid: independent of the sliders, so cached."""
    return tfp.sensitivity_band(frame)


lang = ui.lang()
store = ui.get_store()
phase_code = ui.current_phase()

st.title(ui.tr("tfp.title"))
st.info(ui.tr("tfp.disclaimer"), icon="ℹ️")

# -- data source: the newest active macro batch, else the shipped file ----------------------
current = macro.current(store)
frame = current.frame
stored = current.batch
source_note, source_tag = macro.source_note(current, lang)
st.markdown(fmt.md_escape(source_note))
placeholder_years = macro.placeholder_years(frame)
if placeholder_years:
    years_text = ", ".join(str(y) for y in placeholder_years)
    if stored is None:
        st.warning(
            ui.tr("tfp.placeholder_note")
            + " "
            + ui.tr("tfpui.placeholder_years", years=years_text),
            icon="⚠️",
        )
    else:
        st.warning(ui.tr("tfpui.placeholder_uploaded", years=years_text), icon="⚠️")
st.caption(ui.tr("tfpui.growth_note", threshold=fmt.decimal(tfp.NEAR_ZERO_GROWTH_PP, lang)))

# -- parameters ------------------------------------------------------------------------------
file_shares = frame["capital_share"].dropna()
bk_default = float(file_shares.mean()) if not file_shares.empty else tfp.DEFAULT_CAPITAL_SHARE
bk_default = min(max(bk_default, 0.25), 0.50)
p1, p2 = st.columns(2)
b_k = p1.slider(
    ui.tr("tfpui.capital_share"),
    min_value=0.25,
    max_value=0.50,
    value=round(bk_default, 4),
    step=0.0025,
    format="%.4f",
    key=f"tfp_bk_{source_tag}",
    help=ui.tr("tfpui.capital_share_help", default=f"{tfp.DEFAULT_CAPITAL_SHARE:g}"),
)
delta = p2.slider(
    ui.tr("tfpui.depreciation"),
    min_value=0.03,
    max_value=0.07,
    value=tfp.DEFAULT_DEPRECIATION,
    step=0.005,
    format="%.3f",
    key="tfp_delta",
    help=ui.tr("tfpui.depreciation_help"),
)
use_file_share = not file_shares.empty and abs(b_k - round(bk_default, 4)) < 1e-9
if use_file_share:
    p1.caption(ui.tr("tfpui.capital_share_from_file", value=fmt.decimal(bk_default, lang, 4)))

result = tfp.estimate(frame, None if use_file_share else b_k, delta, sensitivity_band(frame))
cap = result.capital
if cap.method == tfp.METHOD_PIM and cap.initial_stock is not None:
    p2.caption(
        ui.tr(
            "tfpui.method_pim",
            k0=fmt.integer(cap.initial_stock, lang),
            g=fmt.percent(100 * (cap.investment_growth or 0.0), lang),
            years=", ".join(str(y) for y in cap.growth_years),
        )
    )
elif cap.method == tfp.METHOD_STOCK:
    p2.caption(ui.tr("tfpui.method_stock"))
for warning in result.warnings:
    st.warning(ui.tr(f"tfp.warning.{warning}"), icon="⚠️")

# -- headline: the selected phase's share and its sensitivity band -----------------------------
chosen, fallback = tfp.headline_phase(result, phase_code)
if chosen.tfp_share is None:
    reason = tfp.flag_text(chosen.flag, lang) or tfp.flag_text("no_data", lang)
    st.info(ui.tr("tfpui.phase_no_share", phase=tfp.phase_label(chosen.phase), reason=reason))
shown = chosen if chosen.tfp_share is not None else fallback
if shown is not None:
    if shown is fallback:
        st.caption(ui.tr("tfpui.fallback", phase=tfp.phase_label(shown.phase)))
    with st.container(border=True, key="tfp_headline"):
        h1, h2, h3 = st.columns(3)
        h1.metric(
            ui.tr("tfpui.headline", phase=tfp.phase_dash(shown.phase)),
            fmt.percent(shown.tfp_share, lang),
        )
        h2.metric(
            ui.tr("tfpui.band"),
            f"{fmt.percent(shown.band_min, lang)} – {fmt.percent(shown.band_max, lang)}",
        )
        h3.metric(ui.tr("tfpui.avg_growth"), fmt.percent(shown.gdp_growth, lang))
        if shown.placeholder:
            st.badge(ui.tr("tfpui.illustrative_badge"), icon="⚠️", color="orange")
        st.caption(ui.tr("tfpui.years_used", years=", ".join(map(str, shown.years_used))))
        if shown.missing_years:
            st.caption(ui.tr("tfpui.missing_years", years=", ".join(map(str, shown.missing_years))))

# -- charts ----------------------------------------------------------------------------------
contrib = tfp.contributions_figure(result, lang)
st.plotly_chart(contrib, key="tfp_contrib")
st.plotly_chart(tfp.phase_share_figure(result, lang), key="tfp_share")
st.markdown(f"**{ui.tr('tfpui.benchmarks')}**")
st.dataframe(tfp.benchmark_table(lang), hide_index=True, key="tfp_bench")

# -- table and downloads ----------------------------------------------------------------------
st.subheader(ui.tr("tfpui.table"))
st.caption(ui.tr("tfpui.table_note"))
table = tfp.display_table(result, frame, lang)
mark_col = ui.tr("tfpui.col.data")
st.dataframe(
    ui.styled(
        table.style.apply(
            lambda row: (
                ["background-color: #FFF2CC" if str(row[mark_col]).startswith("⚠") else ""]
                * len(row)
            ),
            axis=1,
        ),
        {ui.tr("tfpui.col.capital_share"): "dec4"},
    ),
    hide_index=True,
    key="tfp_table",
    placeholder=fmt.MISSING,
)
d1, d2 = st.columns(2)
d1.download_button(
    ui.tr("tfpui.download_csv"),
    data=session.guarded("download", lambda: tfp.csv_bytes(result, frame)),
    file_name="tfp-ket-qua.csv" if lang == "vi" else "tfp-results.csv",
    mime="text/csv",
    key="tfp_dl_csv",
    on_click="ignore",
    icon=":material/download:",
)
d2.download_button(
    ui.tr("tfpui.download_xlsx"),
    data=session.guarded("download", lambda: tfp.xlsx_bytes(result, frame, lang, source_note)),
    file_name="tfp-ket-qua.xlsx" if lang == "vi" else "tfp-results.xlsx",
    mime=tfp.xlsx_mime(),
    key="tfp_dl_xlsx",
    on_click="ignore",
    icon=":material/table_view:",
)

# -- macro upload ------------------------------------------------------------------------------
st.divider()
st.subheader(ui.tr("tfpui.upload.title"))
st.caption(ui.tr("tfpui.upload.help"))
st.download_button(
    ui.tr("tfpui.upload.template"),
    data=macro.template_bytes,
    file_name=macro.template_name(),
    mime="text/csv",
    key="tfp_tpl",
    on_click="ignore",
)
done = st.session_state.pop("tfp_up_done", None)
if done:
    st.success(ui.tr("tfpui.upload.stored", batch=done[0], rows=fmt.integer(done[1], lang)))
nonce = st.session_state.setdefault("tfp_nonce", 0)
upload = None
if session.require("macro_upload"):
    upload = st.file_uploader(
        ui.tr("tfpui.upload.file"), type=["csv", "txt", "tsv"], key=f"tfp_file_{nonce}"
    )
    st.caption(ui.tr("ui.uploader.hint"))  # Streamlit's own box text is English only
if upload is not None:
    content = upload.getvalue()
    parsed = macro.parse_upload(content)
    if not parsed.ok:
        st.error(ui.tr("tfpui.upload.refused", count=len(parsed.problems)))
        st.dataframe(
            ui.styled(macro.problems_table(parsed, lang), {ui.tr("problems.row"): "code"}),
            hide_index=True,
            key="tfp_problems",
        )
    else:
        years = parsed.frame["year"]
        st.success(
            ui.tr(
                "tfpui.upload.ready",
                years=len(years),
                first=int(years.min()),
                last=int(years.max()),
                placeholders=len(parsed.placeholder_years),
            )
        )
        st.dataframe(ui.styled(parsed.frame, {"year": "code"}), hide_index=True, key="tfp_preview")
        same = macro.same_upload(store, content)
        if same:
            st.warning(ui.tr("tfpui.upload.duplicate", batch=int(same["batch_id"])))
        confirm = st.button(ui.tr("tfpui.upload.confirm"), type="primary", key="tfp_confirm")
        if confirm and session.allowed("macro_upload"):
            batch_id = macro.store_upload(store, parsed, upload.name, content, session.user_name())
            st.session_state["tfp_up_done"] = (batch_id, len(parsed.frame))
            st.session_state["tfp_nonce"] = nonce + 1
            st.rerun()

# -- macro batch history and rollback ------------------------------------------------------------
st.subheader(ui.tr("tfpui.history"))
notice = st.session_state.pop("tfp_rb_done", None)
if notice:
    st.success(ui.tr("tfpui.rolled_back", batch=notice[0], rows=fmt.integer(notice[1], lang)))
batches = batch_service.history(store, kind="macro")
if batches.empty:
    ui.empty_state("tfpui.no_batches")
else:
    st.dataframe(
        ui.styled(batch_service.table(batches, lang, kind="macro"), ui.BATCH_KINDS),
        hide_index=True,
        column_config=ui.batch_column_config(lang),
        key="tfp_batches",
    )
    rollback_controls(store, batches, "tfp_rb", "tfpui")
