"""The VI/EN catalogs: every key in both languages, every key used exists."""

from __future__ import annotations

import re
from pathlib import Path

from pqtrack import i18n
from pqtrack.ingest import rules

ROOT = Path(__file__).resolve().parents[2]


def test_every_message_has_vietnamese_and_english():
    missing = [k for k, v in i18n.catalog().items() if not v.get("vi") or not v.get("en")]
    assert missing == []


def test_vietnamese_text_differs_from_english_where_it_should():
    same = [
        k for k, v in i18n.catalog().items()
        if v["vi"] == v["en"] and re.search(r"[a-z]{4,} [a-z]{4,}", v["en"])
    ]  # fmt: skip
    assert same == []


def test_keys_used_in_code_exist():
    # report helpers call ``ctx.tr("x")`` for ``report.x``: those are checked with the prefix
    pattern = re.compile(
        r"""(?<![.\w])(?:t|tr|Problem|StoreError)\(\s*["']([a-z_]+\.[a-z0-9_.]+)["']"""
    )
    prefixed = re.compile(r"""ctx\.tr\(\s*["']([a-z_]+\.[a-z0-9_.]+)["']""")
    used = set()
    for path in [*ROOT.glob("src/pqtrack/**/*.py"), *ROOT.glob("pages/*.py"), ROOT / "app.py"]:
        if path.exists():
            text = path.read_text(encoding="utf-8")
            used.update(pattern.findall(text))
            used.update("report." + k for k in prefixed.findall(text))
    unknown = sorted(k for k in used if not i18n.has(k))
    assert unknown == []


def test_rule_codes_have_messages():
    codes = set(rules.RULE_CODES)
    assert len(codes) == len(rules.RULE_CODES) > 10
    assert [c for c in sorted(codes) if not i18n.has(c)] == []
