"""The pandas comparison: the main aggregates done the plain pandas way on the same file,
timed, and their figures, which must equal pqtrack's."""

from __future__ import annotations

import argparse
import time
from datetime import date

from benchmarks.measure import PeakRss, timed_runs


def _pandas_load(csv_path: str):  # noqa: ANN202
    """Load the file the way a user would in pandas (read, parse dates and money)."""
    import pandas as pd

    df = pd.read_csv(csv_path, dtype=str, encoding="utf-8-sig")
    d = df["Ngày"]
    df["date"] = pd.to_datetime(d, format="%Y-%m-%d", errors="coerce").fillna(
        pd.to_datetime(d, format="%d/%m/%Y", errors="coerce")
    )
    df["indicator"] = df["Chỉ tiêu"].str.lower()
    df["quantity"] = pd.to_numeric(df["Số lượng"]).fillna(1).astype("int64")
    df["funding"] = pd.to_numeric(
        df["Kinh phí hỗ trợ"].str.replace(r"[^0-9]", "", regex=True)
    ).astype("Int64")
    df["ben_key"] = ("t:" + df["Mã số thuế"]).fillna("n:" + df["Tên đơn vị"])
    return df


def step_pandas(args: argparse.Namespace) -> dict:
    """Load the file with pandas, time the aggregates, return their figures."""
    import pandas as pd

    today = date.fromisoformat(args.today)
    mem = PeakRss()
    t0 = time.perf_counter()
    df = _pandas_load(args.csv)
    load_s = time.perf_counter() - t0
    start = pd.Timestamp(2021, 1, 1)
    end = pd.Timestamp(min(today, date(2025, 12, 31)))

    def actuals() -> pd.DataFrame:
        w = df[(df["date"] >= start) & (df["date"] <= end)]
        return w.groupby("indicator").agg(
            actual=("quantity", "sum"),
            turns=("quantity", "size"),
            beneficiaries=("ben_key", "nunique"),
            funding=("funding", "sum"),
        )

    def by_locality() -> pd.DataFrame:
        w = df[(df["date"] >= start) & (df["date"] <= end)]
        return w.groupby(["indicator", "Địa bàn"]).agg(
            turns=("quantity", "size"),
            quantity=("quantity", "sum"),
            beneficiaries=("ben_key", "nunique"),
            funding=("funding", "sum"),
        )

    def cumulative() -> pd.DataFrame:
        w = df[(df["date"] >= start) & (df["date"] <= end)]
        daily = w.groupby(["indicator", "date"])["quantity"].sum()
        return daily.groupby(level=0).cumsum()

    def distinct() -> int:
        w = df[(df["date"] >= start) & (df["date"] <= end)]
        return int(w["ben_key"].nunique())

    results = {
        "progress (actuals per indicator)": timed_runs(actuals, args.repeat),
        "breakdown by locality": timed_runs(by_locality, args.repeat),
        "pacing (cumulative per day)": timed_runs(cumulative, args.repeat),
        "distinct beneficiaries (totals)": timed_runs(distinct, args.repeat),
    }
    act = actuals()
    check = {
        "qty": {k: int(v) for k, v in act["actual"].items()},
        "turns": int(act["turns"].sum()),
        "funding": int(act["funding"].sum()),
        "beneficiaries": distinct(),
    }
    return {"load_seconds": load_s, "aggregates": results, "check": check, **mem.stop()}
