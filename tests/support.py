"""Helpers the tests share: a fixed 'today' and Excel-like file builders."""

from __future__ import annotations

import unicodedata
from datetime import date

TODAY = date(2026, 11, 27)
TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def to_cp1258(text: str) -> bytes:
    """Encode as Excel's Vietnamese 'CSV': base letters precomposed, tones combining."""
    out = []
    for ch in unicodedata.normalize("NFC", text):
        try:
            ch.encode("cp1258")
            out.append(ch)
            continue
        except UnicodeEncodeError:
            pass
        d = unicodedata.normalize("NFD", ch)
        base = d[0] + "".join(m for m in d[1:] if m not in TONES)
        tones = "".join(m for m in d[1:] if m in TONES)
        out.append(unicodedata.normalize("NFC", base) + tones)
    return "".join(out).encode("cp1258")


def csv_text(header: list[str], rows: list[list[str]], delimiter: str = ",") -> str:
    """Return CSV text (CRLF, quoted where needed) the way Excel writes it."""
    import csv
    import io

    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n")
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue()


def again_under_new_ids(path, out, rows: int, tag: str):
    """Write the first ``rows`` records of CSV ``path`` to ``out`` under new ids ``tag-…``
    (same beneficiaries, places and dates); return ``out``."""
    import csv

    with path.open(encoding="utf-8-sig", newline="") as fh:
        table = list(csv.reader(fh))
    body = [[f"{tag}-{r[0]}", *r[1:]] for r in table[1 : rows + 1]]
    with out.open("w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh).writerows([table[0], *body])
    return out
