"""Bytes of an uploaded file → text, with the encoding named (Excel's ways of saving CSV)."""

from __future__ import annotations

import codecs
import unicodedata
from dataclasses import dataclass

import numpy as np
from charset_normalizer import from_bytes

# Windows-1258 is what Excel's plain "CSV" writes on Vietnamese Windows.
_ACCEPTED_DETECTED = ("cp1258", "utf_16", "utf_16_le", "utf_16_be")
_MAX_CHAOS = 0.2


class DecodeError(ValueError):
    """The file's bytes could not be decoded with confidence."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(code)
        self.code = code
        self.detail = detail


@dataclass(frozen=True)
class Decoded:
    """Decoded text (NFC) and the encoding it was read with."""

    text: str
    encoding: str


def decode_bytes(data: bytes) -> Decoded:
    """Return ``data`` decoded and NFC-normalised, or raise :class:`DecodeError`."""
    if data.startswith(codecs.BOM_UTF8):
        return _finish(data[len(codecs.BOM_UTF8) :], "utf-8", "UTF-8 (BOM)")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _finish(data, "utf-16", "UTF-16")
    try:
        return _finish(data, "utf-8", "UTF-8")
    except DecodeError:
        pass
    if b"\x00" in data[:4096]:
        raise DecodeError("decode.binary")
    candidates = from_bytes(data)
    best = candidates.best()
    chosen = None
    for match in candidates:
        if match.encoding == "cp1258" and best is not None and match.chaos <= best.chaos + 0.01:
            chosen = match
            break
    if chosen is None and best is not None and best.encoding in _ACCEPTED_DETECTED:
        chosen = best
    if chosen is None or chosen.chaos > _MAX_CHAOS:
        found = best.encoding if best is not None else "?"
        raise DecodeError("decode.unsure", found)
    label = "Windows-1258" if chosen.encoding == "cp1258" else chosen.encoding.upper()
    return _finish(data, chosen.encoding, label)


def _finish(data: bytes, codec: str, label: str) -> Decoded:
    try:
        text = data.decode(codec)
    except UnicodeDecodeError as exc:
        raise DecodeError("decode.unsure", codec) from exc
    if "\x00" in text:
        raise DecodeError("decode.binary")
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    return Decoded(text=text, encoding=label)


# -- the UTF-8 fast path -----------------------------------------------------------------
#
# Most files are Excel's "CSV UTF-8". For them the whole text need not be decoded in
# Python: the header region is decoded here, DuckDB reads (and validates) the bytes, and
# an invalid-UTF-8 error from DuckDB sends the file back to :func:`decode_bytes`.

HEAD_BYTES = 4 * 65536 + 4096  # the 65,536 characters the header search reads, and more

# Outside ASCII, only U+0080-U+02FF (lead bytes C2-CB), U+1E00-U+1EFF (E1 B8-BB: the
# Vietnamese letters) and U+2010-U+20BF (E2 80 90-E2 82 BF: dashes, quotes, ₫) are known
# NFC-stable here: none has a decomposition, a combining class or composes with what
# precedes it (tests/unit/test_ingest_fastpath.py checks the ranges with unicodedata).
# A file with any other character is normalised by DuckDB (``nfc_normalize``).
_SAFE_LEAD = bytes(b for b in range(256) if b < 0xC0 or 0xC2 <= b <= 0xCB or b in (0xE1, 0xE2))
_SCAN_BLOCK = 1 << 22  # bytes per numpy pass over E1/E2 characters: a few MiB at a time


# Lead bytes of overlong forms, surrogates and code points past U+10FFFF (and bytes that
# never occur in UTF-8): Python's decoder is the judge of files holding them.
_STRICT = bytes((0xC0, 0xC1, 0xE0, 0xED, 0xF0, *range(0xF4, 0x100)))


def _other_bytes(data: bytes, start: int) -> bytes:
    """Return the bytes of ``data[start:]`` outside the safe ranges (a few, usually none)."""
    others = data.translate(None, _SAFE_LEAD)
    return others[1:] if start else others  # a BOM's first byte (EF) is one of them


def may_need_nfc(data: bytes, start: int = 0) -> bool:
    """Return whether UTF-8 ``data`` (from ``start``, past a BOM) may hold text NFC changes."""
    return _may_need_nfc(data, start, _other_bytes(data, start))


def _may_need_nfc(data: bytes, start: int, others: bytes) -> bool:
    return bool(others) or _outside_safe_e1_e2(data, start)


def _outside_safe_e1_e2(data: bytes, start: int) -> bool:
    """Return whether ``data[start:]`` holds an E1 or E2 character outside the safe ranges.

    That is E1 followed by anything but B8-BB, or E2 by anything but 80 90-82 BF; a lead
    byte the data ends on is left to the UTF-8 check.
    """
    a = np.frombuffer(data, np.uint8)
    any_e2 = data.find(b"\xe2", start) >= 0
    # One set of block-sized buffers for every block: fresh arrays per block cost a page
    # fault per 4 KiB (at 1.8 GB, ~1 s of the 1.4 s the scan took).
    size = min(_SCAN_BLOCK, max(len(a) - 1 - start, 0))
    is_lead, past, high = np.empty(size, bool), np.empty(size, np.uint8), np.empty(size, bool)
    for lo in range(start, len(a) - 1, _SCAN_BLOCK):
        hi = min(lo + _SCAN_BLOCK, len(a) - 1)  # bytes with a byte after them
        n = hi - lo
        lead, after = a[lo:hi], a[lo + 1 : hi + 1]
        np.equal(lead, 0xE1, out=is_lead[:n])
        np.subtract(after, np.uint8(0xB8), out=past[:n])
        np.greater(past[:n], 3, out=high[:n])
        if np.logical_and(is_lead[:n], high[:n], out=high[:n]).any():
            return True
        if any_e2:
            at = np.flatnonzero(np.equal(lead, 0xE2, out=is_lead[:n])) + lo
            second = a[at + 1]
            if ((second - np.uint8(0x80)) > 2).any():
                return True
            at = at[(second == 0x80) & (at + 2 < len(a))]
            if ((a[at + 2] - np.uint8(0x80)) < 0x10).any():
                return True
    return False


@dataclass(frozen=True)
class Utf8Head:
    """The decoded (NFC) head of a file that looks like UTF-8, and what DuckDB must do."""

    text: str
    encoding: str
    needs_nfc: bool


def sniff_utf8(data: bytes) -> Utf8Head | None:
    """Return the head of ``data`` if the UTF-8 fast path applies, else None.

    It applies when the head decodes as UTF-8 (BOM or not) and the file holds no NUL byte
    and no byte that could start an overlong form, a surrogate or a code point beyond
    U+10FFFF; the rest is validated by DuckDB when it reads the bytes.
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or b"\x00" in data:
        return None
    bom = data.startswith(codecs.BOM_UTF8)
    start = len(codecs.BOM_UTF8) if bom else 0
    chunk = data[start : start + HEAD_BYTES]
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        text = decoder.decode(chunk, final=start + HEAD_BYTES >= len(data))
    except UnicodeDecodeError:
        return None
    others = _other_bytes(data, start)
    if others and len(others.translate(None, _STRICT)) != len(others):
        return None
    needs_nfc = _may_need_nfc(data, start, others)
    if needs_nfc:
        text = unicodedata.normalize("NFC", text)
    return Utf8Head(text=text, encoding="UTF-8 (BOM)" if bom else "UTF-8", needs_nfc=needs_nfc)
