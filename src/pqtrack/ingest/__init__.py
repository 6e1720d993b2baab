"""Ingest: decoding, layout, workbooks and the reading and checking of record files."""
