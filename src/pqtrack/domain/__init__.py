"""The domain: the plan and its targets, the record contract, localities, progress rules."""
