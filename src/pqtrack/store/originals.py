"""The files officials sent, kept next to the store file and named by their SHA-256.

A record file can be hundreds of megabytes; inside DuckDB it would be written twice (to the
WAL at COMMIT and again at CHECKPOINT). Here it is written once, before the batch's
transaction: a file is complete or absent (temporary name, fsync, rename), and one left by
a transaction that did not commit names no batch and is harmless (the same upload reuses it).
"""

from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path

from pqtrack import steps


def folder_for(db_path: Path) -> Path:
    """Return the folder that holds the originals of the store at ``db_path``."""
    return db_path.with_name(db_path.name + ".originals")


class PendingOriginal:
    """One original being written to a temporary name on a thread of its own.

    The write (and its fsync) runs while the file is validated; :meth:`keep` waits for it
    and puts the file in place, :meth:`drop` removes it. Nothing is written when the folder
    already holds the file with these bytes; a file there that no longer matches its hash
    (changed on disk) is replaced, and a missing one is written again.
    """

    def __init__(self, folder: Path, content_hash: str, data: bytes) -> None:
        self.folder = folder
        self.target = folder / content_hash
        self._tmp = folder / f".{content_hash}.{os.getpid()}.{threading.get_ident()}.tmp"
        self._error: BaseException | None = None
        self._written = False
        folder.mkdir(parents=True, exist_ok=True)
        self._thread: threading.Thread | None = threading.Thread(
            target=self._write, args=(data,), daemon=True
        )
        self._thread.start()

    def _write(self, data: bytes) -> None:
        try:
            if _holds(self.target, self.target.name):
                return
            self._written = True
            with open(self._tmp, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
        except BaseException as exc:  # re-raised by keep()
            self._error = exc

    @steps.timed("original: wait for its write")
    def keep(self) -> bool:
        """Put the written file in place (complete or absent); return whether it was written."""
        if self._thread is None:
            return False
        self._thread.join()
        self._thread = None
        try:
            if self._error is not None:
                raise self._error
            if not self._written:
                return False
            os.replace(self._tmp, self.target)
        finally:
            self._tmp.unlink(missing_ok=True)
        _sync_dir(self.folder)
        return True

    def drop(self) -> None:
        """Remove what was written (the file is not kept)."""
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        self._tmp.unlink(missing_ok=True)


def put(folder: Path, content_hash: str, data: bytes) -> bool:
    """Keep one original (rewritten when changed or missing); return whether it was written."""
    return PendingOriginal(folder, content_hash, data).keep()


def _holds(path: Path, content_hash: str) -> bool:
    """Return whether ``path`` exists and its bytes have the SHA-256 ``content_hash``."""
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
    except FileNotFoundError:
        return False
    return digest.hexdigest() == content_hash


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


def remove(folder: Path, content_hash: str) -> None:
    """Delete a kept original for good (a purge), the folder's entry synced to disk."""
    (folder / content_hash).unlink(missing_ok=True)
    _sync_dir(folder)


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
