"""The benchmark's record file: a deterministic, realistic synthetic CSV of N rows.

    from benchmarks.generate import generate
    generate(path, rows, today)

Used by ``benchmarks/run.py`` (step 1) and by tests that need a big, realistic file.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEED = 20250701

DISTRICTS = (  # former district, spellings officials use
    ("Thành phố Sóc Trăng", ("Thành phố Sóc Trăng", "TP Sóc Trăng", "TP. Sóc Trăng")),
    ("Thị xã Vĩnh Châu", ("Thị xã Vĩnh Châu", "TX Vĩnh Châu", "thị xã Vĩnh Châu")),
    ("Thị xã Ngã Năm", ("Thị xã Ngã Năm", "TX Ngã Năm")),
    ("Huyện Châu Thành", ("Huyện Châu Thành", "huyện Châu Thành", "H. Châu Thành")),
    ("Huyện Cù Lao Dung", ("Huyện Cù Lao Dung", "Cù Lao Dung", "huyen Cu Lao Dung")),
    ("Huyện Kế Sách", ("Huyện Kế Sách", "Kế Sách", "huyện Kế Sách")),
    ("Huyện Long Phú", ("Huyện Long Phú", "Long Phú")),
    ("Huyện Mỹ Tú", ("Huyện Mỹ Tú", "Mỹ Tú")),
    ("Huyện Mỹ Xuyên", ("Huyện Mỹ Xuyên", "H. Mỹ Xuyên")),
    ("Huyện Thạnh Trị", ("Huyện Thạnh Trị", "Thạnh Trị")),
    ("Huyện Trần Đề", ("Huyện Trần Đề", "huyện Trần Đề")),
)

INDICATOR_WEIGHTS = {
    "workshop": 0.06,
    "training_course": 0.06,
    "product_standard": 0.36,
    "management_system": 0.30,
    "lab_17025": 0.02,
    "award_participation": 0.05,
    "award_winner": 0.01,
    "expert_trained": 0.13,
    "tfp_assessment": 0.01,
}

STANDARDS = {
    "product_standard": ("TCCS", "TCVN", "QCVN", "QCĐP", "VietGAP", "hữu cơ"),
    "management_system": (
        "ISO 9001",
        "ISO 14001",
        "ISO 22000",
        "ISO 50001",
        "ISO 45001",
        "HACCP",
        "VietGAP",
        "GlobalGAP",
        "hữu cơ",
        "5S",
        "Kaizen",
        "Lean",
        "Six Sigma",
        "truy xuất nguồn gốc",
    ),
    "lab_17025": ("ISO/IEC 17025",),
    "award_participation": ("Giải thưởng Chất lượng Quốc gia",),
    "award_winner": ("Giải thưởng Chất lượng Quốc gia",),
}

SECTORS = (
    "lúa gạo",
    "thủy sản",
    "chế biến thực phẩm",
    "trái cây",
    "cơ khí",
    "dệt may",
    "hành tím",
    "mía đường",
    "thủ công mỹ nghệ",
    "dịch vụ",
)
PROPER = (
    "Phước Lộc",
    "Sông Hậu",
    "Hưng Thịnh",
    "Tân Phát",
    "Bảo Ngọc",
    "Thạnh Phú",
    "Đại Thành",
    "Kim Phước",
    "An Khang",
    "Mỹ Thanh",
    "Hòa Tú",
    "Lai Hòa",
    "Vĩnh Hải",
    "Trường Khánh",
    "Ngọc Tố",
)
TYPE_PREFIX = {  # code → name prefixes
    "enterprise": ("Công ty TNHH", "Công ty Cổ phần", "Doanh nghiệp tư nhân"),
    "household_business": ("Hộ kinh doanh", "Cơ sở"),
    "cooperative": ("Hợp tác xã",),
    "cooperative_group": ("Tổ hợp tác",),
    "other": ("Trung tâm Kỹ thuật", "Trường Cao đẳng", "Phòng thử nghiệm"),
}
TYPE_SPELLINGS = {  # code → how officials type it
    "enterprise": ("doanh nghiệp", "Doanh nghiệp", "DN", "enterprise", "doanh nghiep"),
    "household_business": ("hộ kinh doanh", "Hộ kinh doanh", "HKD", "ho kinh doanh"),
    "cooperative": ("hợp tác xã", "Hợp tác xã", "HTX", "cooperative"),
    "cooperative_group": ("tổ hợp tác", "Tổ hợp tác", "THT"),
    "other": ("khác", "Khác", "other"),
}
TYPE_WEIGHTS = (0.45, 0.25, 0.17, 0.05, 0.08)
TAX_SHARE = (0.9, 0.2, 0.7, 0.3, 0.1)
NOTES = (
    "Hỗ trợ theo Kế hoạch nâng cao năng suất chất lượng",
    "Đã cấp giấy chứng nhận",
    "Tổ chức tại hội trường UBND, có đại diện Sở Khoa học và Công nghệ",
    "Kinh phí sự nghiệp khoa học, công nghệ",
    "Đợt 2",
)
NEEDS_BENEFICIARY = (
    "product_standard",
    "management_system",
    "lab_17025",
    "award_participation",
    "award_winner",
)


def _communes() -> list[tuple[str, str]]:
    """Return (name as typed, former district) for the 2025 wards/communes."""
    data = json.loads((ROOT / "data" / "geo" / "communes.geojson").read_text(encoding="utf-8"))
    out = []
    for feat in data["features"]:
        p = feat["properties"]
        out.append((p["fullName"], p.get("formerDistrict") or ""))
    return out


def generate(path: Path, rows: int, today: date, seed: int = SEED) -> dict:
    """Write ``rows`` realistic records to ``path`` (UTF-8 with BOM, Vietnamese headers)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pcsv

    from pqtrack.domain.schema import BENEFICIARY_TYPES, COLUMNS

    rng = np.random.default_rng(seed)
    null_str = pa.scalar(None, pa.string())

    def pick(values: tuple | list, idx: np.ndarray) -> pa.Array:
        return pa.array(list(values), pa.string()).take(pa.array(idx))

    def blank(arr: pa.Array, mask: np.ndarray) -> pa.Array:
        return pc.if_else(pa.array(mask), null_str, arr)

    def num(values: np.ndarray) -> pa.Array:
        return pc.cast(pa.array(values), pa.string())

    def pad(values: np.ndarray, width: int) -> pa.Array:
        return pc.utf8_lpad(num(values), width, "0")

    def join(*parts: pa.Array | str) -> pa.Array:
        return pc.binary_join_element_wise(*parts, "")

    # dates, sorted (an official's file runs in time order)
    first = date(2021, 1, 1)
    span = (today - first).days + 1
    days = np.sort(rng.integers(0, span, rows))
    day64 = np.datetime64(first.isoformat()) + days
    d_arr = pa.array(day64.astype("datetime64[D]"))
    year = np.asarray(pc.year(d_arr))
    month = np.asarray(pc.month(d_arr))
    dom = np.asarray(pc.day(d_arr))
    fmt = rng.choice(3, rows, p=(0.4, 0.5, 0.1))
    iso = pc.strftime(d_arr, "%Y-%m-%d")
    vn = pc.strftime(d_arr, "%d/%m/%Y")
    vn_short = join(num(dom), "/", num(month), "/", num(year))
    date_col = pc.if_else(pa.array(fmt == 0), iso, pc.if_else(pa.array(fmt == 1), vn, vn_short))
    after = day64 >= np.datetime64("2025-07-01")

    indicators = list(INDICATOR_WEIGHTS)
    weights = np.array(list(INDICATOR_WEIGHTS.values()))
    ind = rng.choice(len(indicators), rows, p=weights / weights.sum())
    ind_spelling = pick(indicators, ind)
    shout = rng.random(rows) < 0.05  # some typed in capitals
    ind_col = pc.if_else(pa.array(shout), pc.utf8_upper(ind_spelling), ind_spelling)

    needs = np.isin(ind, [indicators.index(i) for i in NEEDS_BENEFICIARY])

    # quantity: 1 mostly; several products or experts at once; sometimes blank (= 1)
    qty = np.ones(rows, dtype=np.int64)
    prod = ind == indicators.index("product_standard")
    qty[prod] = rng.integers(1, 4, int(prod.sum()))
    exp = ind == indicators.index("expert_trained")
    qty[exp] = rng.integers(1, 6, int(exp.sum()))
    qty_col = blank(num(qty), (qty == 1) & (rng.random(rows) < 0.3))

    # beneficiaries: a pool reused across rows (repeat support to the same unit)
    pool = max(200, rows // 20)
    ptype = rng.choice(len(BENEFICIARY_TYPES), pool, p=TYPE_WEIGHTS)
    pprefix = np.empty(pool, dtype=object)
    for code_i, code in enumerate(BENEFICIARY_TYPES):
        sel = ptype == code_i
        prefixes = TYPE_PREFIX[code]
        pprefix[sel] = np.array(prefixes, dtype=object)[rng.integers(0, len(prefixes), sel.sum())]
    pname = join(
        pa.array(pprefix, pa.string()),
        " ",
        pick(SECTORS, rng.integers(0, len(SECTORS), pool)),
        " ",
        pick(PROPER, rng.integers(0, len(PROPER), pool)),
        " ",
        pad(np.arange(1, pool + 1), 5),
    )
    has_tax = rng.random(pool) < np.array(TAX_SHARE)[ptype]
    branch = rng.random(pool) < 0.05
    ptax = join("22", pad(np.arange(pool) * 7 + 10_000_000, 8))
    ptax = pc.if_else(pa.array(branch), join(ptax, "-001"), ptax)
    ptax = blank(ptax, ~has_tax)
    who = rng.integers(0, pool, rows)
    optional_name = ~needs & (rng.random(rows) < 0.6)  # workshops etc.: often no unit
    name_col = blank(pname.take(pa.array(who)), optional_name)
    row_type = ptype[who]
    type_col = pa.nulls(rows, pa.string())
    spell_pick = rng.random(rows)
    for code_i, code in enumerate(BENEFICIARY_TYPES):
        sel = row_type == code_i
        spellings = TYPE_SPELLINGS[code]
        idx = np.minimum((spell_pick * len(spellings)).astype(int), len(spellings) - 1)
        type_col = pc.if_else(pa.array(sel), pick(spellings, idx), type_col)
    type_col = blank(type_col, optional_name)
    tax_col = blank(ptax.take(pa.array(who)), optional_name)

    # locality: former districts before July 2025, 2025 wards/communes from then on
    district_spellings = [s for _, spellings in DISTRICTS for s in spellings]
    communes = _communes()
    commune_spellings = [c for c, _ in communes] + [c.lower() for c, _ in communes[:10]]
    loc_before = pick(district_spellings, rng.integers(0, len(district_spellings), rows))
    loc_after = pick(commune_spellings, rng.integers(0, len(commune_spellings), rows))
    loc_col = pc.if_else(pa.array(after), loc_after, loc_before)
    loc_col = blank(loc_col, rng.random(rows) < 0.05)

    sector_col = blank(pick(SECTORS, rng.integers(0, len(SECTORS), rows)), rng.random(rows) < 0.2)

    std_col = pa.nulls(rows, pa.string())
    for name, options in STANDARDS.items():
        sel = ind == indicators.index(name)
        std_col = pc.if_else(
            pa.array(sel), pick(options, rng.integers(0, len(options), rows)), std_col
        )

    # funding: multiples of 500,000 đồng written the ways officials write them
    money = rng.integers(2, 600, rows).astype(np.int64) * 500_000
    millions, thousands, units = money // 1_000_000, (money // 1000) % 1000, money % 1000
    big = millions > 0
    dotted = pc.if_else(
        pa.array(big),
        join(num(millions), ".", pad(thousands, 3), ".", pad(units, 3)),
        join(num(thousands), ".", pad(units, 3)),
    )
    commas = pc.replace_substring(dotted, ".", ",")
    mfmt = rng.choice(5, rows, p=(0.35, 0.4, 0.1, 0.05, 0.1))
    money_col = pc.if_else(
        pa.array(mfmt == 0),
        num(money),
        pc.if_else(
            pa.array(mfmt == 1),
            dotted,
            pc.if_else(
                pa.array(mfmt == 2),
                commas,
                pc.if_else(pa.array(mfmt == 3), join(dotted, " đồng"), null_str),
            ),
        ),
    )

    events = np.isin(ind, [indicators.index("workshop"), indicators.index("training_course")])
    part_col = blank(num(rng.integers(15, 250, rows)), ~events)
    note_col = blank(pick(NOTES, rng.integers(0, len(NOTES), rows)), rng.random(rows) < 0.7)
    id_col = join("KH-", num(year), "-", pad(np.arange(1, rows + 1), 8))

    headers = {c.name: c.header_vi for c in COLUMNS}
    table = pa.table(
        {
            headers["record_id"]: id_col,
            headers["date"]: date_col,
            headers["indicator"]: ind_col,
            headers["quantity"]: qty_col,
            headers["beneficiary_name"]: name_col,
            headers["beneficiary_type"]: type_col,
            headers["tax_code"]: tax_col,
            headers["locality"]: loc_col,
            headers["sector"]: sector_col,
            headers["standard"]: std_col,
            headers["funding_vnd"]: money_col,
            headers["participants"]: part_col,
            headers["note"]: note_col,
        }
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as fh:
        fh.write(b"\xef\xbb\xbf")  # Excel's "CSV UTF-8"
        pcsv.write_csv(table, fh, pcsv.WriteOptions(quoting_style="needed"))
    expected_qty = {
        name: int(qty[(ind == i) & (day64 <= np.datetime64("2025-12-31"))].sum())
        for i, name in enumerate(indicators)
    }
    return {"rows": rows, "bytes": path.stat().st_size, "expected_qty_phase1": expected_qty}
