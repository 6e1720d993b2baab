"""Phase locks as pages and the CLI see them: lock, unlock, and which phases are locked."""

from __future__ import annotations

from pqtrack.store import Store, locks

Lock = locks.Lock


def lock_phase(store: Store, phase_code: str, user: str | None, reason: str | None) -> Lock:
    """Lock a phase with a reason (audited)."""
    return locks.lock(store, phase_code, user, reason)


def unlock_phase(store: Store, phase_code: str, user: str | None, reason: str | None) -> None:
    """Unlock a phase with a reason (audited)."""
    locks.unlock(store, phase_code, user, reason)


def locked_phases(store: Store) -> dict[str, Lock]:
    """Return the locked phases: phase code → its lock."""
    return locks.locks(store)
