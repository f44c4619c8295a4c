"""Every CSV and XLSX file Tremplin writes goes through here: no cell can become a formula.

A spreadsheet runs a cell that starts with = + - @ (or a tab or carriage return before one) as a
formula: a staff name "=HYPERLINK(...)" in the list of accesses handed to a person, or a path in
the import errors, would run on the reader's machine. Such a text cell gets a leading single quote
(OWASP, "CSV injection"): shown as typed, never run. Numbers stay numbers: real numeric values are
left alone, and so is a text that is just a number ("-1,5", the CSV exports' decimal comma), which
a spreadsheet reads as a number, not a formula.

Use `csv_writer(out)` instead of `csv.writer(out)`, and `append(sheet, row)` instead of
`sheet.append(row)` (openpyxl turns a text starting with "=" into a formula). A test checks that no
other module writes CSV or XLSX cells directly.
"""

from __future__ import annotations

import csv
import re

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)?(?:[eE][+-]?\d+)?")


def safe_cell(value):
    """The value, or, for a text a spreadsheet would run as a formula, the text after a quote."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def safe_row(values) -> list:
    return [safe_cell(value) for value in values]


class _SafeWriter:
    def __init__(self, writer):
        self._writer = writer

    def writerow(self, row):
        return self._writer.writerow(safe_row(row))

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)


def csv_writer(out, **options) -> _SafeWriter:
    """A csv.writer (same options) whose cells are neutralised."""
    return _SafeWriter(csv.writer(out, **options))


def append(sheet, row) -> None:
    """openpyxl's sheet.append(row), cells neutralised."""
    sheet.append(safe_row(row))
