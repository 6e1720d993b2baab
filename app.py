"""Entry point: page config, language, shared sidebar, then the navigation over pages/."""

from pathlib import Path

import streamlit as st

from pqtrack import ui
from pqtrack.ui import session

HERE = Path(__file__).parent

ui.start_run()
ui.use_navigation()
st.set_page_config(
    page_title="Năng suất chất lượng – Sóc Trăng",
    page_icon="📈",
    layout="wide",
    initial_sidebar_state="auto",  # open on wide screens, closed on phones until pressed
)

ui.language_switch()
ui.require_store()  # a store that cannot be read: the app's own message, then stop
ui.phase_selector()
session.login_box(ui.get_store())


def page(name: str, key: str, icon: str, **options: object) -> st.Page:
    """Return the st.Page for pages/<name>.py with its title in the session's language."""
    path = HERE / "pages" / f"{name}.py"
    return st.Page(path, title=ui.tr(key), icon=icon, **{"url_path": name, **options})


# The default page answers at "/" only (Streamlit ignores its url_path), so /overview also
# gets a page of its own, hidden from the menu, running the same script.
entries = [
    page("overview", "ui.nav.overview", ":material/dashboard:", default=True, url_path="home"),
    page("overview", "ui.nav.overview", ":material/dashboard:", visibility="hidden"),
    page("beneficiaries", "ui.nav.beneficiaries", ":material/groups:"),
    page("map", "ui.nav.map", ":material/map:"),
    page("records", "ui.nav.records", ":material/table:"),
    page("tfp", "ui.nav.tfp", ":material/trending_up:"),
    page("upload", "ui.nav.upload", ":material/upload_file:"),
    page("help", "ui.nav.help", ":material/help:"),
    page("audit", "ui.nav.audit", ":material/history:") if session.can("audit_view") else None,
]
if session.login_required() and session.current_user() is None:
    st.info(ui.tr("ui.auth.need_login"), icon="🔒")
    st.stop()
nav = st.navigation([p for p in entries if p is not None])
st.sidebar.caption(ui.tr("app.subtitle"))
ui.run_page(nav)
