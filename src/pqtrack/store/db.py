"""DuckDB's names the rest of the package may use without importing duckdb.

The store hands out cursors; other jobs hand them SQL and bound values, register Arrow
tables on them, and name their type and errors by these aliases.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import duckdb

# A connection or cursor the store handed out.
Connection = duckdb.DuckDBPyConnection
# Any error DuckDB raises.
DatabaseError = duckdb.Error
# A transaction statement that found no transaction to end (a failed COMMIT ended it).
TransactionError = duckdb.TransactionException


@contextmanager
def transaction(cur: Connection) -> Iterator[Connection]:
    """Run the block in one transaction on ``cur``: COMMIT at its end, ROLLBACK on any error."""
    cur.execute("BEGIN TRANSACTION")
    try:
        yield cur
        cur.execute("COMMIT")
    except BaseException:
        cur.execute("ROLLBACK")
        raise
