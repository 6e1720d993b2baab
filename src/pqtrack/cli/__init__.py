"""The command line: ``pqtrack`` and its subcommands."""
