"""The report sent upward: the workbook, its sheets, its TFP sheet, and record exports."""
