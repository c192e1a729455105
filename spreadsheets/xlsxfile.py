"""XLSX files (openpyxl): texts as text cells, whatever they start with; characters XML cannot
hold are written as OOXML's `_xHHHH_` escapes, which Excel shows as the characters."""

import io
import re
from collections.abc import Iterable, Iterator
from datetime import date, datetime, time
from decimal import Decimal

from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell

from .cells import Cell, neutralise, restore

# Excel's limit for one cell; past it Excel cuts the text.
MAX_CELL_LENGTH = 32767
# Excel keeps 15 significant digits of a number: larger integers are written as text.
MAX_EXACT_NUMBER = 10**15
# XML 1.0 cannot hold these (and a reader turns a CR into a LF); `_` is escaped where it
# would start an escape, so that a text holding "_x0041_" comes back as written.
_ESCAPED = re.compile(r"_(?=x[0-9A-Fa-f]{4}_)|[\x00-\x08\x0b-\x0d\x0e-\x1f\ufffe\uffff]")
_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def _escape(text: str) -> str:
    return _ESCAPED.sub(lambda m: f"_x{ord(m[0]):04X}_", text)


def _unescape(text: str) -> str:
    return _ESCAPE.sub(lambda m: chr(int(m[1], 16)), text)


def xlsx_write(rows: Iterable[Iterable[Cell]], *, title: str = "Sheet1") -> bytes:
    """The rows as an XLSX workbook of one sheet, every text neutralised and typed as text."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title)
    for row in rows:
        sheet.append([_cell(sheet, value) for value in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _cell(sheet, value: Cell) -> WriteOnlyCell:
    if value is None:
        return WriteOnlyCell(sheet, value=None)
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) < MAX_EXACT_NUMBER:
        return WriteOnlyCell(sheet, value=value)
    if isinstance(value, Decimal) and abs(value) < MAX_EXACT_NUMBER:
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "0.00"
        return cell
    text = _escape(neutralise(str(value)))
    if len(text) > MAX_CELL_LENGTH:
        raise ValueError(f"A cell of {len(text)} characters is longer than a spreadsheet "
                         f"keeps ({MAX_CELL_LENGTH}).")
    cell = WriteOnlyCell(sheet, value=text)
    cell.data_type = "s"  # never a formula, whatever it starts with
    return cell


def xlsx_read(data: bytes) -> Iterator[tuple[int, list[str]]]:
    """(row number, cells) of the first sheet's rows, cells as texts, restored; trailing empty
    cells are left out (a sheet has no width of its own)."""
    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            cells = [_text(value) for value in values]
            while cells and cells[-1] == "":
                cells.pop()
            yield number, cells
    finally:
        workbook.close()


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return restore(_unescape(value))
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return str(value)
