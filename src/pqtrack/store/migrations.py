"""The store's schema, as an ordered list of migrations (version → statements)."""

from __future__ import annotations

META = "CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR)"

# A beneficiary name's search key: no diacritics or case, words split by single spaces,
# i.e. trim(regexp_replace(<folded>, '[^0-9a-z]+', ' ', 'g')). Most names fold to letters,
# digits and single spaces already: the replace is skipped for them (~0.3 s less for the
# 400,000 new names of a large file's first chunk; the same keys).
_FOLDED = "lower(strip_accents(replace(replace(x, 'đ', 'd'), 'Đ', 'D')))"
# A record's tax code, read from its beneficiary's key over ``beneficiaries b`` (schema 9:
# 't:' and the tax code when the record gave one).
TAX_CODE_SQL = (
    "CASE WHEN starts_with(b.beneficiary_key, 't:') THEN substr(b.beneficiary_key, 3) END"
)
NAME_KEY_SQL = (
    f"CASE WHEN regexp_matches({_FOLDED}, '[^0-9a-z ]|  |^ | $') "
    f"THEN trim(regexp_replace({_FOLDED}, '[^0-9a-z]+', ' ', 'g')) ELSE {_FOLDED} END"
)

MIGRATIONS: dict[int, tuple[str, ...]] = {
    1: (
        "CREATE SEQUENCE IF NOT EXISTS batch_seq START 1",
        "CREATE SEQUENCE IF NOT EXISTS audit_seq START 1",
        """
        CREATE TABLE batches (
            batch_id INTEGER PRIMARY KEY,
            kind VARCHAR NOT NULL,
            file_name VARCHAR,
            content_hash VARCHAR NOT NULL,
            user_name VARCHAR,
            created_at TIMESTAMP NOT NULL,
            row_count INTEGER NOT NULL,
            status VARCHAR NOT NULL,
            encoding VARCHAR,
            delimiter VARCHAR,
            is_sample BOOLEAN NOT NULL DEFAULT FALSE,
            rolled_back_at TIMESTAMP,
            rolled_back_by VARCHAR
        )
        """,
        "CREATE TABLE files (content_hash VARCHAR PRIMARY KEY, size BIGINT, content BLOB)",
        """
        CREATE TABLE records (
            record_id VARCHAR NOT NULL,
            batch_id INTEGER NOT NULL,
            row_number INTEGER NOT NULL,
            date DATE NOT NULL,
            indicator VARCHAR NOT NULL,
            quantity INTEGER NOT NULL,
            beneficiary_name VARCHAR,
            beneficiary_type VARCHAR,
            tax_code VARCHAR,
            locality VARCHAR,
            sector VARCHAR,
            standard VARCHAR,
            funding_vnd BIGINT,
            participants INTEGER,
            note VARCHAR,
            name_key VARCHAR,
            beneficiary_key VARCHAR,
            district VARCHAR,
            commune VARCHAR
        )
        """,
        """
        CREATE TABLE audit (
            audit_id BIGINT NOT NULL,
            happened_at TIMESTAMP NOT NULL,
            user_name VARCHAR,
            action VARCHAR NOT NULL,
            batch_id INTEGER,
            detail VARCHAR
        )
        """,
    ),
    2: (
        """
        CREATE TABLE macro_rows (
            batch_id INTEGER NOT NULL,
            year INTEGER NOT NULL,
            grdp DOUBLE,
            capital_stock DOUBLE,
            investment DOUBLE,
            labour DOUBLE,
            capital_share DOUBLE,
            source VARCHAR,
            placeholder BOOLEAN NOT NULL DEFAULT FALSE
        )
        """,
    ),
    3: (
        """
        CREATE TABLE users (
            user_name VARCHAR PRIMARY KEY,
            role VARCHAR NOT NULL,
            password_hash VARCHAR NOT NULL,
            active BOOLEAN NOT NULL DEFAULT TRUE,
            created_at TIMESTAMP NOT NULL,
            updated_at TIMESTAMP NOT NULL
        )
        """,
        """
        CREATE TABLE login_failures (
            user_key VARCHAR PRIMARY KEY,
            failures INTEGER NOT NULL,
            last_failure TIMESTAMP NOT NULL,
            locked_until TIMESTAMP
        )
        """,
    ),
    4: (
        # Per-phase aggregates (see store/summary.py), rebuilt with every records write.
        """
        CREATE TABLE summary (
            phase VARCHAR NOT NULL,
            scope VARCHAR NOT NULL,
            dimension VARCHAR NOT NULL,
            value VARCHAR,
            turns BIGINT,
            quantity HUGEINT,
            beneficiaries BIGINT,
            funding_vnd HUGEINT,
            last_date DATE
        )
        """,
        "CREATE TABLE summary_state (version VARCHAR NOT NULL)",
    ),
    5: (
        # A whole number for each beneficiary key: counting distinct beneficiaries over
        # integers instead of text is ~3-4x faster when a filter makes queries read records.
        # Ids are never reused or changed; a rolled-back batch leaves its ids unused.
        """
        CREATE TABLE beneficiaries (
            beneficiary_id INTEGER NOT NULL,
            beneficiary_key VARCHAR NOT NULL
        )
        """,
        "INSERT INTO beneficiaries SELECT CAST(row_number() OVER (ORDER BY beneficiary_key) "
        "AS INTEGER), beneficiary_key FROM (SELECT DISTINCT beneficiary_key FROM records "
        "WHERE beneficiary_key IS NOT NULL)",
        "ALTER TABLE records ADD COLUMN beneficiary_id INTEGER",
        "UPDATE records SET beneficiary_id = b.beneficiary_id FROM beneficiaries b "
        "WHERE b.beneficiary_key = records.beneficiary_key",
    ),
    6: (
        # Records no longer carry a name key and a beneficiary key each (two long texts a
        # row, about a quarter of the insert's time): each distinct name is numbered and
        # kept once with its search key, records hold the number; a beneficiary's key is
        # kept once, in ``beneficiaries``, with its id.
        "CREATE TABLE names (name_id INTEGER NOT NULL, name VARCHAR NOT NULL, "
        "name_key VARCHAR NOT NULL)",
        "INSERT INTO names SELECT CAST(row_number() OVER (ORDER BY x) AS INTEGER), x, "
        + NAME_KEY_SQL
        + " FROM (SELECT DISTINCT beneficiary_name AS x FROM records "
        "WHERE beneficiary_name IS NOT NULL)",
        "ALTER TABLE records ADD COLUMN name_id INTEGER",
        "UPDATE records SET name_id = n.name_id FROM names n "
        "WHERE n.name = records.beneficiary_name",
        "ALTER TABLE records DROP COLUMN name_key",
        "ALTER TABLE records DROP COLUMN beneficiary_key",
    ),
    7: (
        # Distinct beneficiaries of any set of indicators, from the summary: per phase, how
        # many beneficiaries were reached by exactly each combination of indicators.
        "CREATE TABLE summary_reach (phase VARCHAR NOT NULL, indicators VARCHAR[] NOT NULL, "
        "beneficiaries BIGINT NOT NULL)",
    ),
    8: (
        # A record's beneficiary name is read from ``names`` by its number (version 6 gave
        # every named record one): the name was the costliest text an insert compressed.
        "ALTER TABLE records DROP COLUMN beneficiary_name",
    ),
    9: (
        # A record's tax code is read from its beneficiary's key ('t:' and the tax code,
        # given whenever the record has a tax code, since version 5 numbered the keys): it
        # was the costliest text left in the records insert (~a fifth of it at 10^6 rows).
        "ALTER TABLE records DROP COLUMN tax_code",
    ),
    10: (
        # Login attempts are counted per typed name *and* client address (a stranger's
        # failures no longer lock the editor out elsewhere), each attempt counted before the
        # password is checked; audit_* rate-limit the failed-login rows of the audit log.
        """
        CREATE TABLE login_attempts (
            user_key VARCHAR NOT NULL,
            client VARCHAR NOT NULL,
            attempts INTEGER NOT NULL,
            last_attempt TIMESTAMP NOT NULL,
            prev_attempt TIMESTAMP,
            locked_until TIMESTAMP,
            audit_id BIGINT,
            audit_at TIMESTAMP,
            audit_count INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (user_key, client)
        )
        """,
        # Failures counted before: kept for the unknown address ('').
        "INSERT INTO login_attempts (user_key, client, attempts, last_attempt, prev_attempt, "
        "locked_until) SELECT user_key, '', failures, last_failure, last_failure, locked_until "
        "FROM login_failures",
        "DROP TABLE login_failures",
        # Failed attempts of one client address across all typed names (a looser limit).
        """
        CREATE TABLE login_clients (
            client VARCHAR PRIMARY KEY,
            attempts INTEGER NOT NULL,
            last_attempt TIMESTAMP NOT NULL,
            locked_until TIMESTAMP
        )
        """,
    ),
    11: (
        # A locked phase: no new record, correction, void or rollback may touch a record
        # dated in it. Each lock and unlock is also an audit event, with its reason.
        """
        CREATE TABLE phase_locks (
            phase VARCHAR PRIMARY KEY,
            locked_at TIMESTAMP NOT NULL,
            locked_by VARCHAR,
            reason VARCHAR NOT NULL
        )
        """,
    ),
    12: (
        # Nothing is overwritten: ``records`` holds each record's current version, and
        # ``record_past`` every other version ever stored -- replaced by a correction, voided,
        # or from a rolled-back batch -- with the same columns (a migration that changes
        # ``records`` changes it too). A void is a one-row batch whose row is the voided
        # version, kept in ``record_past``. ``change``: 'add' (new records, and corrections
        # when the file was sent as corrections: 'correct'), or 'void'.
        "CREATE TABLE record_past AS FROM records LIMIT 0",
        "ALTER TABLE batches ADD COLUMN change VARCHAR DEFAULT 'add'",
        "ALTER TABLE batches ADD COLUMN reason VARCHAR",
    ),
    13: (
        # Reports sent upward: the phase, the as-of date, the moment the figures were read
        # (``stored_at``), who and when, and each indicator's actual as the report gave it.
        "CREATE SEQUENCE IF NOT EXISTS report_seq START 1",
        """
        CREATE TABLE reports_sent (
            report_id INTEGER PRIMARY KEY,
            phase VARCHAR NOT NULL,
            as_of DATE NOT NULL,
            stored_at TIMESTAMP NOT NULL,
            user_name VARCHAR,
            registered_at TIMESTAMP NOT NULL,
            lang VARCHAR NOT NULL,
            figures VARCHAR NOT NULL
        )
        """,
    ),
}

LATEST = max(MIGRATIONS)
