"""The spreadsheet files the project writes and reads back (CSV for Excel, XLSX), safe to open:
a text that a spreadsheet would run as a formula is neutralised. Imports nothing of the project."""

from .cells import neutralise, restore
from .csvfile import csv_read, csv_write
from .xlsxfile import xlsx_read, xlsx_write

__all__ = ["csv_read", "csv_write", "neutralise", "restore", "xlsx_read", "xlsx_write"]
