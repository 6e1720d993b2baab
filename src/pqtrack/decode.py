"""Bytes of an uploaded file → text, with the encoding named (Excel's ways of saving CSV)."""

from __future__ import annotations

import codecs
import unicodedata
from dataclasses import dataclass

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
