"""Write the illustrative sample record file (deterministic) to data/sample/.

The rows are invented to show the dashboard working; they are not the province's figures.
Run: python scripts/make_sample.py
"""

from __future__ import annotations

import csv
import io
import json
import random
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "data" / "sample" / "du-lieu-minh-hoa_illustrative-sample.csv"
LAST_DAY = date(2026, 11, 20)
NOTE = "Dữ liệu minh họa – không phải số liệu thật"

DISTRICTS = [
    "TP Sóc Trăng", "Thị xã Vĩnh Châu", "Thị xã Ngã Năm", "Huyện Châu Thành",
    "Huyện Cù Lao Dung", "Huyện Kế Sách", "Huyện Long Phú", "Huyện Mỹ Tú",
    "Huyện Mỹ Xuyên", "Huyện Thạnh Trị", "Huyện Trần Đề",
]  # fmt: skip
SECTORS = ["lúa gạo", "thủy sản", "chế biến thực phẩm", "trái cây", "hành tím", "mía đường",
           "cơ khí", "dịch vụ"]  # fmt: skip
PRODUCT_STANDARDS = ["TCCS", "TCCS", "TCVN", "QCVN", "QCĐP"]
SYSTEMS = ["ISO 9001", "ISO 22000", "HACCP", "VietGAP", "VietGAP", "GlobalGAP", "hữu cơ", "5S",
           "Kaizen", "truy xuất nguồn gốc", "ISO 14001", "ISO 50001"]  # fmt: skip
KINDS = [
    ("enterprise", "Công ty TNHH", 0.45),
    ("household_business", "Hộ kinh doanh", 0.2),
    ("cooperative", "Hợp tác xã", 0.25),
    ("cooperative_group", "Tổ hợp tác", 0.1),
]
WORDS = ["Phú An", "Sông Hậu Xanh", "Mỹ Lộc", "Hòa Bình", "Tân Phát", "Cửu Long", "Đại Thành",
         "Kim Phước", "Thạnh Mỹ", "An Phú", "Long Hưng", "Hưng Thịnh", "Nam Sông Hậu",
         "Bình Minh", "Tài Lộc", "Ngọc Sương", "Phước Thới", "Vĩnh Tiến"]  # fmt: skip
# Units reached per indicator, in the plan phase 2021–2025 and in 2026 (to LAST_DAY).
PLAN_1 = {"workshop": 5, "training_course": 4, "product_standard": 68, "management_system": 44,
          "lab_17025": 3, "award_participation": 5, "award_winner": 1, "expert_trained": 16,
          "tfp_assessment": 1}  # fmt: skip
PLAN_2 = {"workshop": 1, "training_course": 1, "product_standard": 17, "management_system": 9,
          "lab_17025": 0, "award_participation": 1, "award_winner": 0, "expert_trained": 4,
          "tfp_assessment": 0}  # fmt: skip


def communes() -> list[str]:
    geo = json.loads((ROOT / "data" / "geo" / "communes.geojson").read_text(encoding="utf-8"))
    return [f["properties"]["fullName"] for f in geo["features"]]


def make_orgs(rng: random.Random) -> list[dict]:
    orgs = []
    for i in range(48):
        kind, prefix, _ = rng.choices(KINDS, weights=[k[2] for k in KINDS])[0]
        sector = rng.choice(SECTORS)
        name = f"{prefix} {sector.capitalize()} {rng.choice(WORDS)} {i + 1:02d}"
        tax = f"22009{i:05d}" if kind in ("enterprise", "cooperative") else ""
        orgs.append({"name": name, "kind": kind, "sector": sector, "tax": tax,
                     "district": rng.choice(DISTRICTS)})  # fmt: skip
    return orgs


def day_in(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randrange((end - start).days + 1))


def rows_for(rng: random.Random, orgs: list[dict], units: dict, start: date, end: date,
             places: list[str]) -> list[dict]:  # fmt: skip
    out = []
    for indicator, total in units.items():
        left = total
        while left > 0:
            qty = 1
            row = {"Ngày": day_in(rng, start, end), "Chỉ tiêu": indicator}
            if indicator in ("workshop", "training_course"):
                row["Số người tham dự"] = rng.randint(35, 180)
                row["Kinh phí hỗ trợ"] = rng.choice([25, 30, 40, 45, 60]) * 1_000_000
            elif indicator == "expert_trained":
                qty = min(left, rng.randint(1, 4))
                row["Tên đơn vị"] = "Chi cục Tiêu chuẩn Đo lường Chất lượng"
                row["Loại hình"] = "khác"
                row["Kinh phí hỗ trợ"] = qty * 12_000_000
            elif indicator == "tfp_assessment":
                row["Tên đơn vị"] = "Sở Khoa học và Công nghệ"
                row["Loại hình"] = "khác"
                row["Kinh phí hỗ trợ"] = 150_000_000
            elif indicator == "lab_17025":
                row["Tên đơn vị"] = f"Phòng thử nghiệm {rng.choice(WORDS)}"
                row["Loại hình"] = "khác"
                row["Tiêu chuẩn"] = "ISO/IEC 17025"
                row["Kinh phí hỗ trợ"] = rng.choice([80, 100, 120]) * 1_000_000
            else:
                org = rng.choice(orgs)
                row["Tên đơn vị"] = org["name"]
                row["Loại hình"] = {"enterprise": "doanh nghiệp",
                                    "household_business": "hộ kinh doanh",
                                    "cooperative": "hợp tác xã",
                                    "cooperative_group": "tổ hợp tác"}[org["kind"]]  # fmt: skip
                row["Mã số thuế"] = org["tax"]
                row["Lĩnh vực"] = org["sector"]
                if indicator == "product_standard":
                    row["Tiêu chuẩn"] = rng.choice(PRODUCT_STANDARDS)
                    row["Kinh phí hỗ trợ"] = rng.choice([10, 15, 20]) * 1_000_000
                elif indicator == "management_system":
                    row["Tiêu chuẩn"] = rng.choice(SYSTEMS)
                    row["Kinh phí hỗ trợ"] = rng.choice([30, 40, 50, 70]) * 1_000_000
                else:
                    row["Tiêu chuẩn"] = "GTCLQG"
                row["_org_district"] = org["district"]
            row["Số lượng"] = qty
            left -= qty
            out.append(row)
    for row in out:
        after = row["Ngày"] >= date(2025, 7, 1)
        if after:
            row["Địa bàn"] = rng.choice(places)
        else:
            row["Địa bàn"] = row.pop("_org_district", None) or rng.choice(DISTRICTS)
        row.pop("_org_district", None)
        row["Ghi chú"] = NOTE
    return out


def main() -> None:
    rng = random.Random(1322)
    orgs = make_orgs(rng)
    places = communes()
    rows = rows_for(rng, orgs, PLAN_1, date(2021, 3, 1), date(2025, 12, 20), places)
    rows += rows_for(rng, orgs, PLAN_2, date(2026, 1, 10), LAST_DAY, places)
    rows.sort(key=lambda r: (r["Ngày"], r["Chỉ tiêu"]))
    header = ["Mã bản ghi", "Ngày", "Chỉ tiêu", "Số lượng", "Tên đơn vị", "Loại hình",
              "Mã số thuế", "Địa bàn", "Lĩnh vực", "Tiêu chuẩn", "Kinh phí hỗ trợ",
              "Số người tham dự", "Ghi chú"]  # fmt: skip
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=header, lineterminator="\r\n")
    w.writeheader()
    for i, row in enumerate(rows, start=1):
        row["Mã bản ghi"] = f"MH-{i:04d}"
        row["Ngày"] = row["Ngày"].strftime("%d/%m/%Y")
        w.writerow({k: row.get(k, "") for k in header})
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_bytes(b"\xef\xbb\xbf" + buf.getvalue().encode("utf-8"))
    print(f"wrote {len(rows)} rows to {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
