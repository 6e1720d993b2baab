"""A small workbook for the upload test."""

from __future__ import annotations

import io
from datetime import datetime

import openpyxl


def workbook_bytes() -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Ngày", "Chỉ tiêu", "Tên đơn vị", "Loại hình"])
    sheet.append([datetime(2026, 3, 15), "product_standard", "Công ty A", "doanh nghiệp"])
    sheet.append([datetime(2026, 4, 1), "management_system", "HTX B", "hợp tác xã"])
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()
