"""The files officials sent, kept next to the store file and named by their SHA-256.

A record file can be hundreds of megabytes; inside DuckDB it would be written twice (to the
WAL at COMMIT and again at CHECKPOINT). Here it is written once, before the batch's
transaction: a file is complete or absent (temporary name, fsync, rename), and one left by
a transaction that did not commit names no batch and is harmless (the same upload reuses it).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import threading
from pathlib import Path


def folder_for(db_path: Path) -> Path:
    """Return the folder that holds the originals of the store at ``db_path``."""
    return db_path.with_name(db_path.name + ".originals")


def put(folder: Path, content_hash: str, *, data: bytes | None, source: Path | None) -> bool:
    """Keep one original (its bytes or a file holding them); return whether it was new."""
    target = folder / content_hash
    if target.exists():
        return False
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / f".{content_hash}.{os.getpid()}.{threading.get_ident()}.tmp"
    try:
        if source is not None:
            shutil.copyfile(source, tmp)
        else:
            tmp.write_bytes(data or b"")
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    _sync_dir(folder)
    return True


def get(folder: Path, content_hash: str) -> bytes | None:
    """Return an original's bytes; None if it is missing or no longer matches its hash."""
    path = folder / content_hash
    try:
        data = path.read_bytes()
    except OSError:
        return None
    return data if hashlib.sha256(data).hexdigest() == content_hash else None


def discard(folder: Path, content_hash: str) -> None:
    """Remove an original written for a batch whose transaction did not commit."""
    (folder / content_hash).unlink(missing_ok=True)


def _sync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
