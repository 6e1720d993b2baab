"""Figures: the aggregates the pages, report and CLI show, read from the store."""
