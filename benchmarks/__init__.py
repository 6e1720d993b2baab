"""The performance benchmark: the record-file generator and the timed run."""
