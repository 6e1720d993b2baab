"""Colour is never the only signal: status badges carry their word and are readable (WCAG)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from coloraide import Color

from pqtrack import i18n
from pqtrack.domain.progress import STATUSES
from pqtrack.presentation import views

CONFIG = Path(__file__).resolve().parents[2] / ".streamlit" / "config.toml"
TEXT_MIN = 4.5  # WCAG 2.1 AA, normal text
GRAPHIC_MIN = 3.0  # WCAG 2.1 AA, non-text (chart bars on the white page)


def theme() -> dict[str, str]:
    with CONFIG.open("rb") as fh:
        return tomllib.load(fh)["theme"]


def contrast(a: str, b: str) -> float:
    return Color(a).contrast(Color(b), method="wcag21")


def badge_pair(colour: str) -> tuple[str, str]:
    """The (text, background) a Streamlit badge of ``colour`` is drawn with, from the theme."""
    th = theme()
    return th[f"{colour}TextColor"], th[f"{colour}BackgroundColor"]


def test_contrast_formula_on_known_pairs():
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)  # just below AA


@pytest.mark.parametrize("status", sorted(set(STATUSES) | set(views.STATUS_BADGES)))
def test_every_status_badge_has_its_word_and_readable_colours(status):
    colour = views.STATUS_BADGES[status]
    text, background = badge_pair(colour)
    assert contrast(text, background) >= TEXT_MIN, (status, colour, text, background)
    assert contrast(text, "#ffffff") >= TEXT_MIN  # coloured text on the page itself
    for lang in i18n.LANGS:
        word = views.status_label(status, lang)
        assert re.search(r"\w{2,}", word), (status, lang, word)


def test_badges_in_the_overview_legend_are_pinned_and_readable():
    for lang in i18n.LANGS:
        colours = re.findall(r":(\w+)-badge\[([^\]]+)\]", i18n.t("ui.overview.legend", lang))
        # one badge per status colour, the gray "not yet due" included
        assert {c for c, _ in colours} == set(views.STATUS_BADGES.values())
        for colour, word in colours:
            text, background = badge_pair(colour)
            assert contrast(text, background) >= TEXT_MIN, (colour, word)


@pytest.mark.parametrize("status", sorted(views.STATUS_COLORS))
def test_status_bar_colours_stand_out_from_the_page(status):
    assert contrast(views.STATUS_COLORS[status], "#ffffff") >= GRAPHIC_MIN
