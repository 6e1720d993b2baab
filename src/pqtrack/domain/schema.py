"""The record contract (``shared/spec/records.md``): columns, headers, codes and limits."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date

from pqtrack.text import BOM, fold


@dataclass(frozen=True)
class Column:
    """One column of the upload file."""

    name: str
    header_vi: str
    required: bool = False
    aliases: tuple[str, ...] = ()


COLUMNS: tuple[Column, ...] = (
    Column("record_id", "Mã bản ghi", aliases=("Mã", "ID")),
    Column("date", "Ngày", required=True, aliases=("Ngày hoàn thành", "Ngày thực hiện")),
    Column("indicator", "Chỉ tiêu", required=True, aliases=("Mã chỉ tiêu",)),
    Column("quantity", "Số lượng", aliases=("SL",)),
    Column("beneficiary_name", "Tên đơn vị", aliases=("Đơn vị", "Tên đơn vị thụ hưởng")),
    Column("beneficiary_type", "Loại hình", aliases=("Loại hình đơn vị",)),
    Column("tax_code", "Mã số thuế", aliases=("MST",)),
    Column("locality", "Địa bàn", aliases=("Địa phương",)),
    Column("sector", "Lĩnh vực", aliases=("Ngành",)),
    Column("standard", "Tiêu chuẩn", aliases=("Tiêu chuẩn áp dụng", "Hệ thống")),
    Column("funding_vnd", "Kinh phí hỗ trợ", aliases=("Kinh phí", "Kinh phí (đồng)")),
    Column("participants", "Số người tham dự", aliases=("Số người",)),
    Column("note", "Ghi chú"),
)
COLUMN_NAMES: tuple[str, ...] = tuple(c.name for c in COLUMNS)
REQUIRED_COLUMNS: tuple[str, ...] = tuple(c.name for c in COLUMNS if c.required)
TEXT_COLUMNS: tuple[str, ...] = (
    "record_id",
    "indicator",
    "beneficiary_name",
    "beneficiary_type",
    "tax_code",
    "locality",
    "sector",
    "standard",
    "note",
)
# Columns the dashboard adds on export; accepted on re-import and then ignored silently.
DERIVED_COLUMNS: tuple[str, ...] = ("district", "commune", "batch_id")
DERIVED_HEADERS_VI: dict[str, str] = {
    "district": "Huyện/thị xã/thành phố (cũ)",
    "commune": "Phường/xã (từ 7/2025)",
    "batch_id": "Đợt",
}

INDICATORS_NEEDING_BENEFICIARY: frozenset[str] = frozenset(
    {"product_standard", "management_system", "lab_17025", "award_participation", "award_winner"}
)

BENEFICIARY_TYPES: tuple[str, ...] = (
    "enterprise",
    "household_business",
    "cooperative",
    "cooperative_group",
    "other",
)
BENEFICIARY_TYPE_VI: dict[str, str] = {
    "enterprise": "doanh nghiệp",
    "household_business": "hộ kinh doanh",
    "cooperative": "hợp tác xã",
    "cooperative_group": "tổ hợp tác",
    "other": "khác",
}
# Abbreviations officials write in reports (DN, HKD, HTX, THT).
_TYPE_ABBREVIATIONS: dict[str, str] = {
    "dn": "enterprise",
    "hkd": "household_business",
    "htx": "cooperative",
    "tht": "cooperative_group",
}

DATE_MIN = date(2021, 1, 1)
DATE_MAX = date(2030, 12, 31)
RECORD_ID_MAX = 64
TAX_CODE_PATTERN = r"^[0-9]{10}(-[0-9]{3})?$"


def header_lookup() -> dict[str, str]:
    """Return folded header spelling → canonical column name."""
    lookup: dict[str, str] = {}
    for col in COLUMNS:
        for spelling in (col.name, col.header_vi, *col.aliases):
            lookup[fold(spelling)] = col.name
    for name in DERIVED_COLUMNS:
        lookup.setdefault(fold(name), name)
        lookup.setdefault(fold(DERIVED_HEADERS_VI[name]), name)
    return lookup


def beneficiary_type_lookup() -> dict[str, str]:
    """Return folded beneficiary-type spelling → code (codes, Vietnamese words, abbreviations)."""
    lookup = {fold(code): code for code in BENEFICIARY_TYPES}
    lookup.update({fold(word): code for code, word in BENEFICIARY_TYPE_VI.items()})
    lookup.update(_TYPE_ABBREVIATIONS)
    return lookup


def template_csv(headers: str = "vi") -> bytes:
    """Return the empty upload template (UTF-8 with BOM), Vietnamese or canonical headers."""
    names = [c.header_vi for c in COLUMNS] if headers == "vi" else list(COLUMN_NAMES)
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow(names)
    return BOM + out.getvalue().encode("utf-8")
