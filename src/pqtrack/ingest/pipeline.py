"""One uploaded file in, one validated batch out: decode, lay out, validate, store."""

from __future__ import annotations

import codecs
import hashlib
import tempfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd

from pqtrack import steps
from pqtrack.domain import plan
from pqtrack.domain.localities import match_many
from pqtrack.domain.missing import MISSING
from pqtrack.domain.schema import (
    DERIVED_COLUMNS,
    REQUIRED_COLUMNS,
    beneficiary_type_lookup,
    header_lookup,
)
from pqtrack.i18n import t
from pqtrack.ingest.decode import HEAD_BYTES, DecodeError, decode_bytes, sniff_utf8
from pqtrack.ingest.layout import CsvLayout, FastPathRefused, find_header, normalise_layout
from pqtrack.ingest.loading import StageResult, stage
from pqtrack.ingest.rowscan import RowScan, scan
from pqtrack.store import Store
from pqtrack.text import fold

# Columns declared beyond the header on the fast path (rows that end in empty cells);
# a wider row makes DuckDB refuse the read and the file takes the exact path.
EXTRA_COLUMNS = 8
# Columns with a header a file may have: the template has 13; a file with more is refused
# before any row is read.
MAX_COLUMNS = 200
# Cells in one row, headed or not. Empty blank-headed columns (a sheet's used range beyond
# its table) are ignored, but each still costs the readers: 1,000 of them are read in well
# under a second, 16,000 took 6-25 s.
MAX_CELLS = 1_024


@dataclass
class Problem:
    """A file-level problem (no row): undecodable file, missing columns, duplicate file."""

    code: str
    params: dict = field(default_factory=dict)

    def message(self, lang: str) -> str:
        """Return the problem as a sentence in ``lang``."""
        return t(self.code, lang, **self.params)


@dataclass
class IngestReport:
    """Everything the preview, the CLI and the store step need to say about one file."""

    file_name: str
    content_hash: str = ""
    size: int = 0
    encoding: str = ""
    delimiter: str = ""
    header_row: int = 1
    columns: list[tuple[str, str | None]] = field(default_factory=list)
    file_problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    stage: StageResult | None = None

    @property
    def ok(self) -> bool:
        """Return whether the file can be (or was) stored."""
        return not self.file_problems and self.stage is not None and not self.stage.problem_count

    @property
    def stored(self) -> bool:
        """Return whether the file was stored as a batch."""
        return self.stage is not None and self.stage.batch_id is not None

    @property
    def batch_id(self) -> int | None:
        """Return the id of the batch the file became, if stored."""
        return self.stage.batch_id if self.stage else None

    @property
    def rows_read(self) -> int:
        """Return the number of non-blank data rows read."""
        return self.stage.rows_read if self.stage else 0

    @property
    def problem_count(self) -> int:
        """Return how many problems were found (file-level and row-level)."""
        return len(self.file_problems) + (self.stage.problem_count if self.stage else 0)

    def problems_table(self, lang: str) -> pd.DataFrame:
        """Return every row problem as row, column, value, reason (in ``lang``)."""
        cols = [t(f"problems.{c}", lang) for c in ("row", "column", "value", "reason")]
        if self.stage is None or self.stage.problems.empty:
            return pd.DataFrame(columns=cols)
        df = self.stage.problems
        reasons = [
            t(code, lang, detail="" if pd.isna(detail) else detail)
            for code, detail in zip(df["code"], df["detail"], strict=True)
        ]
        column = df["column"].map(
            lambda c: column_label(c, lang) if isinstance(c, str) else MISSING
        )
        return pd.DataFrame(
            {
                cols[0]: df["row"].astype("Int64"),
                cols[1]: column,
                cols[2]: df["value"].fillna(""),
                cols[3]: reasons,
            }
        )

    def messages(self, lang: str) -> list[str]:
        """Return every problem as one line of text in ``lang``."""
        lines = [p.message(lang) for p in self.file_problems]
        table = self.problems_table(lang)
        for row, col, value, reason in table.itertuples(index=False):
            lines.append(t("problems.line", lang, row=row, column=col, value=value, reason=reason))
        if self.stage is not None and self.stage.problem_count > len(self.stage.problems):
            more = self.stage.problem_count - len(self.stage.problems)
            lines.append(t("problems.more", lang, count=more))
        return lines


def column_label(name: str, lang: str) -> str:
    """Return how a contract column is named to users (Vietnamese header or code)."""
    from pqtrack.domain.schema import COLUMNS

    for col in COLUMNS:
        if col.name == name:
            return f"{col.header_vi} ({name})" if lang == "vi" else name
    return name


# The pipeline's steps (pqtrack.steps), as it calls them.
_find_header = steps.timed("find_header")(find_header)
_normalise_layout = steps.timed("layout")(normalise_layout)


@steps.timed("hash")
def content_hash(data: bytes) -> str:
    """Return the SHA-256 hex digest identifying a file's content."""
    return hashlib.sha256(data).hexdigest()


def _count_rows(data: bytes, bom: int) -> tuple[str, RowScan]:
    """Return the delimiter the head of UTF-8 ``data`` shows and the rows counted with it."""
    delimiter = _find_header(data[bom : bom + HEAD_BYTES].decode("utf-8", "replace"))[0]
    return delimiter, scan(data, bom, delimiter)


def _too_long(rows: RowScan, cells: list[str], mapping: dict[int, str]) -> StageResult:
    """Return the check of a file with too-long rows or cells: those rows, nothing read."""
    problems = rows.problems(cells, mapping)
    return StageResult(
        rows_read=0,
        problems=problems,
        problem_count=len(problems),
        summary=pd.DataFrame(columns=["indicator", "rows", "quantity", "funding_vnd"]),
        unmatched_localities=pd.DataFrame(columns=["locality", "rows", "first_row"]),
    )


@steps.timed("prepare (total)")
def prepare(
    data: bytes, file_name: str, workdir: Path, *, fast: bool = True
) -> tuple[IngestReport, CsvLayout | None]:
    """Decode and lay out a file; return the report so far and the layout (None if refused).

    With ``fast``, a UTF-8 file is not decoded here: the chunk reader (``chunks``) parses its
    bytes (validating them, normalising to NFC when needed) and :class:`FastPathRefused` from
    it (not UTF-8 after all, a blank line, a row too wide) sends it back with ``fast=False``.
    """
    empty = not data or data.isspace()  # as ``not data.strip()``, without copying the file
    bom = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
    with ThreadPoolExecutor(max_workers=2) as pool:
        digest = pool.submit(content_hash, data)  # hashlib lets go of the GIL: in parallel
        # So does numpy: the rows are counted meanwhile, split by the head's delimiter.
        early = pool.submit(_count_rows, data, bom) if fast and not empty else None
        # A blank line is found by the reader (Arrow refuses the row; DuckDB's read looks
        # for one before it starts) and sends the file back here with ``fast=False``.
        head = sniff_utf8(data) if fast and not empty else None
    report = IngestReport(file_name=file_name, content_hash=digest.result(), size=len(data))
    if empty:
        report.file_problems.append(Problem("file.empty"))
        return report, None
    text = ""
    if head is not None:
        report.encoding = head.encoding
        head_text = head.text
    else:
        try:
            with steps.step("decode"):
                decoded = decode_bytes(data)
        except DecodeError as exc:
            report.file_problems.append(Problem(exc.code, {"detail": exc.detail}))
            return report, None
        report.encoding = decoded.encoding
        text = head_text = decoded.text
    delimiter, header_row, cells = _find_header(head_text)
    report.delimiter = delimiter
    report.header_row = header_row
    named = sum(1 for cell in cells if cell.strip())
    if named > MAX_COLUMNS or len(cells) > MAX_CELLS:  # refused before any column is looked at
        code, count, cap = (
            ("file.too_many_columns", named, MAX_COLUMNS)
            if named > MAX_COLUMNS
            else ("file.too_wide", len(cells), MAX_CELLS)
        )
        report.file_problems.append(Problem(code, {"count": count, "cap": cap}))
        return report, None
    lookup = header_lookup()
    mapping: dict[int, str] = {}
    ignored: list[int] = []
    seen: dict[str, str] = {}
    for idx, cell in enumerate(cells):
        name = lookup.get(fold(cell))
        report.columns.append((cell, name))
        if not cell.strip():
            continue
        if name is None:
            ignored.append(idx)
            report.warnings.append(Problem("file.unknown_column", {"column": cell.strip()}))
        elif name in DERIVED_COLUMNS:
            ignored.append(idx)
        elif name in seen:
            report.file_problems.append(
                Problem("file.duplicate_column", {"column": cell.strip(), "first": seen[name]})
            )
        else:
            seen[name] = cell.strip()
            mapping[idx] = name
    missing = [c for c in REQUIRED_COLUMNS if c not in mapping.values()]
    for name in missing:
        report.file_problems.append(
            Problem("file.missing_column", {"column": column_label(name, "vi"), "code": name})
        )
    if report.file_problems:
        return report, None
    path = workdir / "upload.csv"
    if head is not None:
        width = len(cells) + EXTRA_COLUMNS  # the bytes are read as they are (BOM skipped)
        assert early is not None
        early_delimiter, rows = early.result()
        if early_delimiter != delimiter:
            rows = scan(data, bom, delimiter)
    else:
        del head_text
        encoded = text.encode("utf-8")
        rows = scan(encoded, 0, delimiter, widest=True)
        if not rows.too_long:
            normalised = _normalise_layout(text, delimiter)
            if normalised is not text:  # blank rows now hold a "": counted again
                encoded = normalised.encode("utf-8")
                rows = scan(encoded, 0, delimiter, widest=True)
            del normalised
        del text
        width = rows.widest
        if width > MAX_CELLS:
            report.file_problems.append(
                Problem("file.too_wide", {"count": width, "cap": MAX_CELLS})
            )
            return report, None
        path.write_bytes(encoded)
        del encoded
    if rows.too_long:  # neither reader is given a row it may not read whole
        report.stage = _too_long(rows, cells, mapping)
        return report, None
    layout = CsvLayout(
        text_path=path,
        delimiter=delimiter,
        ncols=max(width, len(cells)),
        header_row=header_row,
        mapping=mapping,
        ignored=ignored,
        file_name=file_name,
        content_hash=report.content_hash,
        encoding=report.encoding,
        size=len(data),
        fast=head is not None,
        nfc=head is not None and head.needs_nfc,
        data=data if head is not None else None,
        header_width=len(cells),
        rows=rows.rows,
    )
    return report, layout


def _resolve_localities(pairs: list[tuple[str, bool]]) -> dict[tuple[str, bool], tuple]:
    """Return (district, commune, status) for each distinct (locality, after July 2025)."""
    return {k: (m.district, m.commune, m.status) for k, m in match_many(pairs).items()}


def process(
    store: Store,
    data: bytes,
    file_name: str,
    *,
    user: str | None = None,
    commit: bool = True,
    today: date | None = None,
    is_sample: bool = False,
    on_step: Callable[[str], None] | None = None,
    original: tuple[str, bytes] | None = None,
    correct: bool = False,
    expected: dict[str, int] | None = None,
) -> IngestReport:
    """Validate ``data`` as a record file and, when ``commit`` and clean, store it as one batch.

    ``correct``: rows with a stored record id correct it (otherwise they are refused);
    ``expected``: the versions the preview showed (record id -> batch), checked again.

    ``on_step`` is told each step as it starts (``read``, ``check``, ``store``) so a long
    file can show progress. ``original`` (name, bytes) is the file the official sent when
    ``data`` was converted from it (an Excel workbook): that is what the batch keeps.
    """
    today = today or date.today()
    step = on_step or (lambda _name: None)
    with tempfile.TemporaryDirectory(prefix="pqtrack-") as tmp:
        fast = True
        while True:
            step("read")
            report, layout = prepare(data, file_name, Path(tmp), fast=fast)
            if original is not None:
                report.file_name, report.content_hash = original[0], content_hash(original[1])
                report.size = len(original[1])
            if layout is None:
                return report
            if original is not None:
                layout.file_name, layout.content_hash = report.file_name, report.content_hash
                layout.size = report.size
            step("check")
            try:
                report.stage = stage(
                    store,
                    layout,
                    data if original is None else original[1],
                    indicators=plan.indicators(),
                    type_lookup=beneficiary_type_lookup(),
                    today=today,
                    user=user,
                    commit=commit,
                    is_sample=is_sample,
                    resolver=_resolve_localities,
                    on_store=lambda: step("store"),
                    correct=correct,
                    expected=expected,
                )
            except FastPathRefused:
                if not fast:
                    raise
                fast = False  # not UTF-8 after all, or a row wider than the margin
                continue
            break
    lost = report.stage.lost
    if lost is not None:
        counts = {"counted": lost[0], "read": lost[1]}
        report.file_problems.append(Problem("file.rows_lost", counts))
    elif not report.stage.rows_read and not report.stage.problem_count:
        report.file_problems.append(Problem("file.no_rows"))
    dup = report.stage.duplicate_of
    if dup is not None:
        report.file_problems.append(
            Problem(
                "file.duplicate_file",
                {
                    "batch_id": dup["batch_id"],
                    "file_name": dup["file_name"],
                    "when": f"{dup['created_at']:%d/%m/%Y %H:%M}",
                },
            )
        )
    for loc in report.stage.unmatched_localities.itertuples(index=False):
        report.warnings.append(
            Problem(
                "file.unknown_locality",
                {"value": loc.locality, "rows": int(loc.rows), "row": int(loc.first_row)},
            )
        )
    return report


def check(
    store: Store,
    data: bytes,
    file_name: str,
    *,
    today: date | None = None,
    on_step: Callable[[str], None] | None = None,
    original: tuple[str, bytes] | None = None,
    correct: bool = False,
) -> IngestReport:
    """Validate without storing (the upload preview)."""
    return process(
        store, data, file_name, commit=False, today=today, on_step=on_step, original=original,
        correct=correct,
    )  # fmt: skip
