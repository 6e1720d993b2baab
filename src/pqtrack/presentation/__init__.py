"""Presentation: number and date formatting, labels, tables and charts for the pages."""
