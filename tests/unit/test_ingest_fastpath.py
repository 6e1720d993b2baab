"""The UTF-8 fast path stores exactly what the decode-everything path stores."""

from __future__ import annotations

import codecs
import sys
import unicodedata

import pytest

from pqtrack.figures import listing
from pqtrack.ingest import chunks, decode, layout, names, staging
from pqtrack.ingest import pipeline as ingest
from pqtrack.ingest.layout import has_blank_line
from pqtrack.store import Store
from tests.support import TODAY, csv_text

HEADER = ["record_id", "date", "indicator", "quantity", "beneficiary_name", "beneficiary_type",
          "tax_code", "locality", "sector", "standard", "funding_vnd", "participants", "note"]  # fmt: skip
ROWS = [
    ["R1", "15/03/2023", "product_standard", "2", "Công ty TNHH Thủy sản Mỹ Thạnh", "doanh nghiệp",
     "2200000001", "Huyện Mỹ Tú", "thủy sản", "TCCS", "15.000.000 đ", "", "'=1+1 – ghi “chú”"],
    ["", "2024-04-02", "Workshop", "", "", "", "", "  Thị xã Vĩnh Châu\u00a0", "", "", "", "120",
     "dòng một\ndòng hai"],
    ["R3", "3/5/2024", "management_system", "1", "Hợp tác xã Hưng Lợi", "HTX", "", "", "", "ISO 9001",
     "1,500,000", "", ""],
]  # fmt: skip


def _records(store: Store, numbered: bool = True) -> list[tuple]:
    """Every record; without ``numbered``, beneficiary and name numbers (given per chunk)
    left out, once each is checked to stand for one key or name only."""
    named = f"FROM {listing.RECORD_ROWS} r ORDER BY r.row_number"
    if numbered:
        return store.query_rows("SELECT * EXCLUDE (batch_id) " + named)
    for pairs in (
        "SELECT DISTINCT b.beneficiary_key AS k, r.beneficiary_id AS i FROM records r "
        "JOIN beneficiaries b USING (beneficiary_id)",
        "SELECT DISTINCT n.name AS k, r.name_id AS i FROM records r JOIN names n USING (name_id)",
    ):
        assert store.scalar(
            "SELECT count(DISTINCT k) = count(*) AND count(DISTINCT i) = count(*) "  # noqa: S608
            f"FROM ({pairs})"
        )
    return store.query_rows("SELECT * EXCLUDE (batch_id, beneficiary_id, name_id) " + named)


def _both(
    tmp_path,
    data: bytes,
    monkeypatch,
    name: str = "f.csv",
    readers: list | None = None,
    numbered: bool = True,
):
    """Ingest ``data`` on the fast path and on the exact path; return both outcomes.

    ``readers`` gets, per path, whether Arrow parsed the bytes (else DuckDB read a file).
    """
    out = []
    for fast in (True, False):
        store = Store(tmp_path / f"{name}-{fast}.duckdb")
        duckdb_read: list[bool] = []
        real = chunks.duckdb_chunk

        def spy(cur, layout, seen=duckdb_read, real=real):
            seen.append(True)
            return real(cur, layout)

        with monkeypatch.context() as m:
            m.setattr(chunks, "duckdb_chunk", spy)
            if not fast:
                m.setattr(ingest, "sniff_utf8", lambda _data: None)
            rep = ingest.process(store, data, name, user="t", today=TODAY)
        if readers is not None:
            readers.append(not duckdb_read)
        problems = [] if rep.stage is None else rep.stage.problems.astype(object).values.tolist()
        out.append(
            (
                rep.stored,
                rep.encoding,
                rep.header_row,
                rep.columns,
                [p.code for p in rep.file_problems],
                [(w.code, w.params) for w in rep.warnings],
                rep.rows_read,
                problems,
                _records(store, numbered),
                store.file_bytes(rep.batch_id) if rep.stored else None,
            )
        )
        if rep.stored:  # the original bytes, whichever path read them
            assert store.file_bytes(rep.batch_id) == (name, data)
        store.close()
    return out


@pytest.mark.parametrize(
    "data",
    [
        codecs.BOM_UTF8 + csv_text(HEADER, ROWS).encode(),
        csv_text(HEADER, ROWS, delimiter=";").encode(),
        csv_text(HEADER, ROWS, delimiter="\t").encode(),
        unicodedata.normalize("NFD", csv_text(HEADER, ROWS)).encode(),  # DuckDB normalises
        ("TIÊU ĐỀ,,\r\n" + csv_text(HEADER, ROWS)).encode(),  # a title row above the header
        csv_text(HEADER, [[*r, "", "", ""] for r in ROWS]).encode(),  # empty cells past the end
        csv_text(HEADER, [*ROWS, ["R9", "99/99/2023", "nope", "0", *[""] * 9, "x"]]).encode(),
        csv_text(HEADER, [[*r[:12], 'Nói "được", làm; được'] for r in ROWS]).encode(),
        csv_text(HEADER, ROWS).replace("\r\n", "\n").rstrip("\n").encode(),  # LF, no last
        (csv_text(HEADER, ROWS) + "\r\n\r\n").encode(),  # blank lines after the last row
    ],
    ids=[
        "bom",
        "semicolon",
        "tab",
        "nfd",
        "title",
        "trailing-empty",
        "problems",
        "quotes",
        "lf",
        "blank-end",
    ],
)
def test_fast_path_equals_exact_path(tmp_path, monkeypatch, data):
    readers: list[bool] = []
    fast, exact = _both(tmp_path, data, monkeypatch, readers=readers)
    assert fast == exact
    assert readers[1] is False  # the exact path always has DuckDB read the decoded text


@pytest.mark.parametrize(
    ("data", "arrow"),
    [
        (codecs.BOM_UTF8 + csv_text(HEADER, ROWS).encode(), True),
        (csv_text(HEADER, ROWS, delimiter=";").encode(), True),
        (csv_text(HEADER, ROWS).replace("\r\n", "\n").encode(), True),
        # rows narrower or wider than the header: DuckDB pads them or names the extra cells
        (("TIÊU ĐỀ,,\r\n" + csv_text(HEADER, ROWS)).encode(), False),
        (csv_text(HEADER, [[*r, "", "", ""] for r in ROWS]).encode(), False),
        (csv_text(HEADER, [ROWS[0][:5], *ROWS[1:]]).encode(), False),
        # a full-width title row above the header; rows with no cell, or only blanks
        (
            csv_text(HEADER, [["TIÊU ĐỀ", *[""] * 12], HEADER, *ROWS]).split("\r\n", 1)[1].encode(),
            True,
        ),
        (
            csv_text(
                HEADER, [ROWS[0], [""] * 13, [" ", "\t", "\u00a0 ", *[""] * 10], *ROWS[1:]]
            ).encode(),
            True,
        ),
    ],
    ids=[
        "bom",
        "semicolon",
        "lf",
        "title",
        "trailing-empty",
        "short-row",
        "full-title",
        "blank-rows",
    ],
)
def test_rectangular_utf8_is_parsed_in_memory(tmp_path, monkeypatch, data, arrow):
    readers: list[bool] = []
    fast, exact = _both(tmp_path, data, monkeypatch, readers=readers)
    assert fast == exact
    assert readers == [arrow, False]


MANY = [
    [f"R{i}", f"{1 + i % 28}/03/2024", "workshop" if i % 3 else "product_standard", str(1 + i % 4),
     f"Công ty TNHH Số {i % 5}", "DN", "", "Huyện Mỹ Tú" if i % 2 else "  Phường Phú Lợi ", "",
     "TCCS", f"{i}.000.000", "", ""]
    for i in range(1, 12)
]  # fmt: skip


@pytest.mark.parametrize(
    "rows",
    [
        MANY,
        [*MANY[:7], [*MANY[7][:1], "31/02/2024", *MANY[7][2:]], *MANY[8:]],  # a later chunk
        [*MANY[:8], ["R2", *MANY[8][1:]], *MANY[9:]],  # an id repeated across chunks
        [*MANY[:9], [*MANY[9], "", "", "x"], *MANY[10:]],  # Arrow refuses a later row
    ],
    ids=["clean", "bad-later-chunk", "id-across-chunks", "wide-later-row"],
)
@pytest.mark.parametrize("streamed", [False, True], ids=["parsed-whole", "streamed"])
def test_a_file_read_in_many_chunks_equals_one_read_whole(tmp_path, monkeypatch, rows, streamed):
    monkeypatch.setattr(chunks, "CHUNK_ROWS", 3)  # the header and 11 rows: four chunks
    if streamed:  # in blocks of a few rows, cut across the chunks
        monkeypatch.setattr(chunks, "ARROW_WHOLE_BYTES", 0)
        monkeypatch.setattr(chunks, "ARROW_BLOCK", 400)
    data = csv_text(HEADER, rows).encode()
    fast, exact = _both(tmp_path, data, monkeypatch, numbered=False)
    assert fast == exact
    assert fast[0] is (rows is MANY)


def test_a_problem_in_a_later_chunk_leaves_the_store_unchanged(tmp_path, monkeypatch):
    monkeypatch.setattr(chunks, "CHUNK_ROWS", 3)
    store = Store(tmp_path / "s.duckdb")
    first = csv_text(HEADER, [[f"A{i}", *r[1:]] for i, r in enumerate(ROWS)]).encode()
    assert ingest.process(store, first, "a.csv", today=TODAY).stored
    tables = ("records", "batches", "files", "audit", "beneficiaries")
    before = [store.query_rows(f"SELECT * FROM {t} ORDER BY ALL") for t in tables]  # noqa: S608
    began: list[int] = []
    real = Store.begin_batch
    monkeypatch.setattr(Store, "begin_batch", lambda s, *a: began.append(1) or real(s, *a))
    bad = [*MANY[:10], [*MANY[10][:2], "nope", *MANY[10][3:]]]  # the last chunk's last row
    rep = ingest.process(store, csv_text(HEADER, bad).encode(), "b.csv", today=TODAY)
    assert not rep.stored
    assert rep.stage.problems[["row", "code"]].values.tolist() == [[12, "rule.indicator_unknown"]]
    assert began == [1]  # the first chunks were written, then rolled back
    after = [store.query_rows(f"SELECT * FROM {t} ORDER BY ALL") for t in tables]  # noqa: S608
    assert after == before
    assert sorted(f.name for f in store.originals_folder.iterdir()) == [ingest.content_hash(first)]


def test_row_wider_than_the_margin_falls_back(tmp_path, monkeypatch):
    wide = [*ROWS[0], *[""] * (ingest.EXTRA_COLUMNS + 3), "lost"]
    data = csv_text(HEADER, [ROWS[1], wide]).encode()
    fast, exact = _both(tmp_path, data, monkeypatch)
    assert fast == exact
    assert ("rule.extra_values" in {p[3] for p in fast[7]}) and not fast[0]


def test_invalid_utf8_after_the_head_falls_back_to_detection(tmp_path, monkeypatch):
    rows = ROWS * 40_000  # the head holds valid UTF-8 only
    text = csv_text(HEADER, [[c.replace("\n", " ") for c in r] for r in rows])
    tail = csv_text(HEADER, [["R7", "15/03/2023", "workshop", *[""] * 9, "Café"]])
    data = text.encode("utf-8") + tail.split("\r\n", 1)[1].encode("cp1258")  # é: one E9
    assert decode.sniff_utf8(data) is not None  # DuckDB is the one to find the bad byte
    fast, exact = _both(tmp_path, data, monkeypatch)
    assert fast == exact


def test_blank_lines_take_the_exact_path(tmp_path, monkeypatch):
    data = b"date,indicator\n15/03/2023,workshop\n \n\t\r\n99/99/2023,workshop\n"
    fast, exact = _both(tmp_path, data, monkeypatch)
    assert fast == exact
    assert [p[0] for p in fast[7]] == [5]


@pytest.mark.parametrize(
    ("data", "blank"),
    [
        (b"a\nb\n", False),
        (b"a\nb\n\n\r\n  \n", False),
        (b"a\n\nb", True),
        (b"a\n\r\nb", True),
        (b"a\n \t\r\nb", True),
        (b"a\n x\nb", False),
    ],
)
def test_blank_line_detection_matches_the_text_rule(data, blank):
    assert has_blank_line(data) is blank
    body = data.decode().rstrip("\r\n \t")
    assert bool(layout.BLANK_LINE.search(body)) is blank


def test_nul_bytes_and_utf16_are_not_fast():
    assert decode.sniff_utf8(b"a,b\n1,\x002\n") is None
    assert decode.sniff_utf8("a,b\n".encode("utf-16")) is None
    assert decode.sniff_utf8(b"\xe9t\xe9,b\n") is None
    # bytes DuckDB's check may judge otherwise than Python's: the exact path decides
    assert decode.sniff_utf8(b"a,b\n\xed\xa0\x80,1\n") is None  # a surrogate
    assert decode.sniff_utf8(b"a,b\n\xc0\xaf,1\n") is None  # an overlong "/"
    assert decode.sniff_utf8("a,b\nđồng ₫ – “x”,1\n".encode()) is not None


def test_nfc_safe_ranges_are_safe():
    """Every character the byte scan lets through unnormalised is NFC-stable in any context."""
    composes = set(range(0x1161, 0x1176)) | set(range(0x11A8, 0x11C3))  # Hangul V and T
    for cp in range(sys.maxunicode + 1):
        d = unicodedata.decomposition(chr(cp))
        if d and not d.startswith("<"):
            composes.update(int(x, 16) for x in d.split()[1:])
    ranges = [(0x80, 0x2FF), (0x1E00, 0x1EFF), (0x2010, 0x20BF)]
    for lo, hi in ranges:
        for cp in range(lo, hi + 1):
            ch = chr(cp)
            assert unicodedata.combining(ch) == 0, hex(cp)
            assert unicodedata.normalize("NFC", ch) == ch, hex(cp)
            assert cp not in composes, hex(cp)
            assert not decode.may_need_nfc(f"a{ch}b".encode()), hex(cp)
    for ch in ("\u0301", "\u2126", "\u2000", "\u1161", "\u0344", "Ω", "\U0001d15e"):
        assert decode.may_need_nfc(f"a{ch}b".encode()), repr(ch)


def test_every_e1_and_e2_character_outside_the_safe_ranges_is_flagged():
    """U+1000-U+2FFF (lead bytes E1, E2): flagged exactly outside U+1E00-1EFF, U+2010-20BF."""
    for cp in range(0x1000, 0x3000):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        safe = 0x1E00 <= cp <= 0x1EFF or 0x2010 <= cp <= 0x20BF
        assert decode.may_need_nfc(f"ab{chr(cp)}c".encode()) is not safe, hex(cp)


@pytest.mark.parametrize("offset", range(-4, 3))
def test_a_character_across_a_scan_block_is_seen(monkeypatch, offset):
    monkeypatch.setattr(decode, "_SCAN_BLOCK", 64)
    for ch, flagged in (("\u1f00", True), ("\u2000", True), ("\u1ea1", False), ("₫", False)):
        data = ("x" * (64 + offset) + ch + "y").encode()
        assert decode.may_need_nfc(data) is flagged, (repr(ch), offset)
    # a lead byte the data ends on is left to the UTF-8 check, as is a cut E2 80
    assert not decode.may_need_nfc(b"x" * 63 + b"\xe1")
    assert not decode.may_need_nfc(b"x" * 62 + b"\xe2\x80")


@pytest.mark.parametrize(
    ("cells", "dirty"),
    [
        (["Công ty A", "Trà Vinh", "Hợp tác xã", None], False),  # "à" ends in A0, not C2 A0
        (["Công ty A", " Trà Vinh"], True),
        (["Công ty A", "Trà Vinh\t"], True),
        (["\u00a0Trà Vinh", "x"], True),
        (["x", "Trà Vinh\u00a0"], True),
        (["x", "'=1+1"], True),
        (["x", "a\nb"], False),
        (["x", "a\n"], True),
        ([None, None], False),
    ],
)
def test_a_column_needs_cleaning_only_where_a_cell_edge_asks(cells, dirty):
    import pyarrow as pa

    column = pa.chunked_array([pa.array(["pad", *cells, "pad"], pa.string()).slice(1, len(cells))])
    assert chunks._column_may_need_cleaning(column) is dirty


# Pairs of (tax code, name) in every combination a file gives: both, a name only, a tax
# code only, a name under two tax codes, a tax code under two names.
WHO = [
    [f"W{i}", "02/04/2024", "workshop", "1", name, "DN", tax, "Huyện Mỹ Tú", "", "TCCS",
     "", "", ""]
    for i, (tax, name) in enumerate(
        [("2200000001", "Công ty A"), ("", "Công ty B"), ("2200000002", ""),
         ("2200000003", "Công ty A"), ("2200000001", "Công ty C"), ("", "Công ty A")] * 3
    )
]  # fmt: skip


SHARED_HASHES = {
    # Two hashes only: the first chunk's pairs already share them.
    "first-chunk": ("hash(t, n)", "hash(t, n) % 2", 0),
    # The second chunk's new pair ('2200000001', 'Công ty C') takes the hash of one seen.
    "later-chunk": (
        "hash(t, n)",
        "CASE WHEN n = 'Công ty C' THEN hash(NULL, 'Công ty B') ELSE hash(t, n) END",
        1,
    ),
}


@pytest.mark.parametrize("shared", list(SHARED_HASHES))
def test_rows_find_their_pair_by_text_once_two_pairs_share_a_hash(tmp_path, monkeypatch, shared):
    monkeypatch.setattr(chunks, "CHUNK_ROWS", 4)  # the header and 18 rows: five chunks
    data = csv_text(HEADER, WHO).encode()
    joins: list[str] = []
    real_join = names.who_join
    monkeypatch.setattr(names, "who_join", lambda cur: joins.append(real_join(cur)) or joins[-1])

    def stored(name: str) -> list[tuple]:
        store = Store(tmp_path / f"{name}.duckdb")
        rep = ingest.process(store, data, "f.csv", user="t", today=TODAY)
        assert rep.stored
        rows = _records(store)
        store.close()
        return rows

    by_hash = stored("hash")
    assert joins == [names.HASH_JOIN] * 5
    old, new, by_hash_first = SHARED_HASHES[shared]
    macro = names.PAIR_MACRO.replace(old, new)
    macros = tuple(macro if m == names.PAIR_MACRO else m for m in staging.MACROS)
    monkeypatch.setattr(staging, "MACROS", macros)
    joins.clear()
    by_text = stored("text")
    assert joins == [names.HASH_JOIN] * by_hash_first + [names.TEXT_JOIN] * (5 - by_hash_first)
    assert by_text == by_hash
    named = {(r[-2], r[-1]) for r in _named(tmp_path / "text.duckdb")}
    assert named == {(t or None, n or None) for *_, n, _, t, _, _, _, _, _, _ in WHO}


def _named(path) -> list[tuple]:
    store = Store(path)
    try:
        return store.query_rows(
            f"SELECT row_number, tax_code, beneficiary_name FROM {listing.RECORD_ROWS}"
        )
    finally:
        store.close()
