"""The audit log table as users read it."""

from __future__ import annotations

import pandas as pd

from pqtrack.presentation import audit_view as auditview


def test_audit_table_is_readable_in_vietnamese():
    log = pd.DataFrame(
        {
            "audit_id": [2, 1],
            "happened_at": pd.to_datetime(["2026-11-28 01:20:58", "2026-11-27 09:00:00"]),
            "user_name": ["an", "admin"],
            "action": ["ingest", "user_add"],
            "batch_id": [3, None],
            "detail": ['{"file_name": "a.csv", "rows": 5}', '{"user": "an", "role": "editor"}'],
        }
    )
    out = auditview.audit_table(log, "vi")
    assert list(out.columns) == [
        "STT",
        "Thời điểm",
        "Người thực hiện",
        "Thao tác",
        "Đợt",
        "Chi tiết",
    ]
    assert out["Thời điểm"].tolist() == ["28/11/2026 01:20:58", "27/11/2026 09:00:00"]
    assert out["Đợt"].tolist() == ["#3", ""]
    assert out["Thao tác"].tolist() == ["Nạp dữ liệu", "Tạo tài khoản"]
    assert out["Chi tiết"].tolist() == ["tệp: a.csv; số dòng: 5", "tài khoản: an; vai trò: editor"]
