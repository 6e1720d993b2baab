"""Helpers for the AppTest suite: the dashboard run as a test, known records, downloads."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from streamlit.testing.v1 import AppTest

from pqtrack import i18n, ui
from pqtrack.store import Store, accounts
from pqtrack.ui import cache, session
from pqtrack.ui.session import USER_KEY

APP = str(Path(__file__).resolve().parents[2] / "app.py")
PAGES = ("overview", "beneficiaries", "records", "upload", "help")

HEADER = "Mã bản ghi,Ngày,Chỉ tiêu,Số lượng,Tên đơn vị,Loại hình,Mã số thuế,Địa bàn,Lĩnh vực,Tiêu chuẩn,Kinh phí hỗ trợ"
ROWS = [
    "T-01,15/03/2022,workshop,1,,,,,,,15.000.000",
    "T-02,20/05/2023,product_standard,3,Công ty TNHH Gạo Ngon,doanh nghiệp,2200123456,huyện Mỹ Xuyên,lúa gạo,TCCS,30000000",
    "T-03,01/06/2024,management_system,1,HTX Tôm Sạch,hợp tác xã,,Thị xã Vĩnh Châu,thủy sản,VietGAP,20000000",
    "T-04,10/02/2026,management_system,2,HTX Tôm Sạch,hợp tác xã,,Thị xã Vĩnh Châu,thủy sản,ISO 22000,25000000",
    "T-05,11/03/2026,product_standard,5,Hộ kinh doanh Bánh Pía Tân Huê,hộ kinh doanh,,Thành phố Sóc Trăng,thực phẩm,TCCS,10000000",
    "T-06,12/04/2026,management_system,1,HTX Lúa Thơm,hợp tác xã,,huyện Kế Sách,lúa gạo,VietGAP,5000000",
    "T-07,05/05/2026,expert_trained,4,,,,,,,",
]


def csv_bytes(rows: list[str] = ROWS, header: str = HEADER) -> bytes:
    """Return a record file (UTF-8 with BOM) made of ``rows``."""
    return ("\ufeff" + "\r\n".join([header, *rows]) + "\r\n").encode("utf-8")


def open_store(path: Path) -> Store:
    """Return the store the app uses for ``path`` (the process-wide cached one)."""
    return cache.open_store(str(path))


def login_as(at: AppTest, role: str) -> str:
    """Log ``at`` in as the account ``test-<role>`` of the app's store (made when missing)."""
    store = ui.get_store()
    name = f"test-{role}"
    if accounts.get_user(store, name) is None:
        accounts.add_user(store, name, role, "!", by="test")  # a hash no password matches
    changed_at = accounts.get_user(store, name)["updated_at"]
    at.session_state[USER_KEY] = session.login_entry(name, changed_at, datetime.now())
    return name


def app(page: str | None = None, role: str | None = None, **query: str) -> AppTest:
    """Return a run AppTest of the dashboard, optionally on ``page``, logged in with ``role``."""
    at = AppTest.from_file(APP, default_timeout=30)
    at.query_params.update(query)
    if role:
        login_as(at, role)
    at.run()
    if page and page != "overview":
        at.switch_page(f"pages/{page}.py").run()
    return at


def fetch(offered: Callable[[], bytes] | bytes) -> bytes:
    """Return the bytes a (possibly deferred) download produces."""
    return offered() if callable(offered) else offered


def change_role_while_drawing(monkeypatch, store, key: str, user: str, role: str) -> None:
    """Change ``user``'s role as the page draws message ``key``.

    A message drawn after the run's first look at the account and before the click is acted
    on: the change lands in between, as when an admin acts while an editor's page is open.
    """
    real_t = i18n.t

    def t(message, lang, /, **params):
        if message == key:
            accounts.update_user(store, user, "admin", role=role)
        return real_t(message, lang, **params)

    monkeypatch.setattr(i18n, "t", t)
