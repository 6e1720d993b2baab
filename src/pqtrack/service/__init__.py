"""What the pages and the CLI ask for, one module per job (progress, records, uploads, …).

The package itself loads nothing: a command that needs no store (``pqtrack tfp --macro
FILE``) opens none.
"""
