"""Shared fixtures for the AppTest suite: stores in temp files, a pinned today, captured downloads."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

import pytest
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest

from pqtrack import ingest, ui
from pqtrack.store import Store, accounts
from pqtrack.ui import session
from pqtrack.ui.session import USER_KEY

APP = str(Path(__file__).resolve().parents[2] / "app.py")
TODAY = date(2026, 11, 27)
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


@pytest.fixture(autouse=True)
def raise_errors(monkeypatch):
    """Let page errors reach AppTest (the app shows users a friendly note instead)."""
    monkeypatch.setenv("PQTRACK_RAISE_ERRORS", "1")


@pytest.fixture(autouse=True)
def pinned_today(monkeypatch):
    monkeypatch.setattr(ui, "today", lambda: TODAY)


@pytest.fixture(autouse=True)
def navigation_only(monkeypatch):
    """Run app.py on every AppTest run, as the server does once st.navigation was called.

    AppTest resets ``PagesManager.uses_pages_directory`` before each run, and with a
    ``pages/`` folder present it would run a page script alone (Streamlit's older
    multipage mode) on reruns, without the app's sidebar.
    """
    real = PagesManager.__init__

    def init(self, *args, **kwargs):
        real(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    monkeypatch.setattr(PagesManager, "__init__", init)


def _db(tmp_path_factory, name: str) -> Path:
    return tmp_path_factory.mktemp(name) / "store.duckdb"


@pytest.fixture(scope="session")
def sample_db(tmp_path_factory) -> Path:
    """A store seeded with the shipped illustrative sample (as on first start)."""
    return _db(tmp_path_factory, "sample")


@pytest.fixture
def use_sample(sample_db, monkeypatch) -> Path:
    monkeypatch.setenv("PQTRACK_DB", str(sample_db))
    monkeypatch.delenv("PQTRACK_SEED_SAMPLE", raising=False)
    return sample_db


@pytest.fixture
def empty_db(tmp_path, monkeypatch) -> Path:
    """A new store with seeding turned off."""
    path = tmp_path / "empty.duckdb"
    monkeypatch.setenv("PQTRACK_DB", str(path))
    monkeypatch.setenv("PQTRACK_SEED_SAMPLE", "0")
    return path


@pytest.fixture(scope="session")
def known_db(tmp_path_factory) -> Path:
    """A store holding exactly the seven ``ROWS`` (read-only for the tests that use it)."""
    path = _db(tmp_path_factory, "known")
    store = Store(path)
    report = ingest.process(store, csv_bytes(), "known.csv", user="test")
    assert report.stored, report.messages("en")
    store.close()
    return path


@pytest.fixture
def use_known(known_db, monkeypatch) -> Path:
    monkeypatch.setenv("PQTRACK_DB", str(known_db))
    monkeypatch.setenv("PQTRACK_SEED_SAMPLE", "0")
    return known_db


def open_store(path: Path) -> Store:
    """Return the store the app uses for ``path`` (the process-wide cached one)."""
    return ui._open_store(str(path))


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


@pytest.fixture
def downloads(monkeypatch) -> dict[str, Callable[[], bytes] | bytes]:
    """Capture what each download button offers: file name → bytes or deferred callable."""
    offered: dict[str, Callable[[], bytes] | bytes] = {}
    real_add, real_deferred = MediaFileManager.add, MediaFileManager.add_deferred

    def add(self, data, mimetype, coordinates, file_name=None, **kw):
        offered[file_name or coordinates] = data
        return real_add(self, data, mimetype, coordinates, file_name=file_name, **kw)

    def add_deferred(self, fn, mimetype, coordinates, file_name=None, **kw):
        offered[file_name or coordinates] = fn
        return real_deferred(self, fn, mimetype, coordinates, file_name=file_name, **kw)

    monkeypatch.setattr(MediaFileManager, "add", add)
    monkeypatch.setattr(MediaFileManager, "add_deferred", add_deferred)
    return offered


def fetch(offered: Callable[[], bytes] | bytes) -> bytes:
    """Return the bytes a (possibly deferred) download produces."""
    return offered() if callable(offered) else offered
