"""AppTest of the map page: both languages, sample and empty store, 43/11 features, level switch."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from pqtrack.ui import clock

APP = str(Path(__file__).resolve().parents[2] / "app.py")
TITLE = {"vi": "Bản đồ hỗ trợ theo địa bàn", "en": "Support by locality"}


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: date(2026, 11, 27))


@pytest.fixture(scope="session")
def _map_sample_path(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("map_sample") / "store.duckdb"


@pytest.fixture
def sample_store(_map_sample_path, monkeypatch):
    monkeypatch.setenv("PQTRACK_DB", str(_map_sample_path))
    monkeypatch.delenv("PQTRACK_SEED_SAMPLE", raising=False)


@pytest.fixture
def empty_store(tmp_path, monkeypatch):
    monkeypatch.setenv("PQTRACK_DB", str(tmp_path / "empty.duckdb"))
    monkeypatch.setenv("PQTRACK_SEED_SAMPLE", "0")


def map_page(**query: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update(query)
    at.run()
    at.switch_page("pages/map.py").run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def figure(at: AppTest) -> dict:
    charts = at.get("plotly_chart")
    assert len(charts) == 1
    assert json.loads(charts[0].proto.config)["topojsonURL"].startswith("data:")  # offline
    return json.loads(charts[0].proto.spec)


def features(spec: dict) -> tuple[int, int]:
    """Return (features in the outlines, units drawn over all traces)."""
    outlines = {len(d["geojson"]["features"]) for d in spec["data"]}
    assert len(outlines) == 1
    return outlines.pop(), sum(len(d["locations"]) for d in spec["data"])


def table(at: AppTest):
    return at.dataframe[0].value


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("kind", ["sample", "empty"])
def test_map_renders_in_both_languages(kind, lang, request):
    request.getfixturevalue(f"{kind}_store")
    at = map_page(lang=lang)
    assert at.title[0].value.startswith(TITLE[lang])
    assert features(figure(at)) == (43, 43)  # phase 2026-2030: communes by default
    frame = table(at)
    assert len(frame) == 44
    unmatched = "Không xác định" if lang == "vi" else "Unmatched"
    assert frame.iloc[-1, 1] == unmatched
    captions = " ".join(c.value for c in at.caption)
    assert "sapnhap.bando.com.vn" in captions
    if kind == "empty":
        assert at.info and frame.iloc[:, 2].sum() == 0
        assert at.metric[0].value == "0 / 43"
    else:
        assert frame.iloc[:, 2].sum() > 0
        assert at.metric[1].value not in ("0", "43")  # some units reached, some not


def test_first_phase_defaults_to_districts_and_switching_changes_the_map(sample_store):
    at = map_page(phase="2021-2025")
    spec = figure(at)
    assert features(spec) == (11, 11)
    assert len(table(at)) == 12
    assert any("(*)" in c.value for c in at.caption)  # approximate outlines labelled
    at.get("button_group")[0].set_value("commune").run()
    assert not at.exception
    assert features(figure(at)) == (43, 43)
    assert len(table(at)) == 44
    at.get("button_group")[0].set_value("district").run()
    assert features(figure(at)) == (11, 11)


def test_metric_and_indicator_change_the_values(sample_store):
    at = map_page(lang="en")
    turns = table(at)
    at.get("button_group")[1].set_value("funding_m").run()
    assert not at.exception
    funding = table(at)
    assert "Funding (million đồng)" in funding.columns
    assert list(funding.iloc[:, 1]) == list(turns.iloc[:, 1])
    assert funding.iloc[:, 2].sum() != turns.iloc[:, 2].sum()
    at.selectbox(key="map_ind").set_value("management_system").run()
    assert not at.exception
    narrowed = table(at)
    assert 0 < narrowed.iloc[:, 2].sum() <= funding.iloc[:, 2].sum()
