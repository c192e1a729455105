"""CSV files: `;`-separated by default (what a French Excel expects), with a byte-order mark on
request so that Excel reads UTF-8; read back whatever the separator, the mark stripped."""

import csv
import io
from collections.abc import Iterable, Iterator

from .cells import Cell, restore, texts

BOM = "\ufeff"


def csv_write(rows: Iterable[Iterable[Cell]], *, delimiter: str = ";", bom: bool = False,
              lineterminator: str = "\n") -> str:
    """The rows as CSV text, every cell neutralised (see cells.neutralise); amounts (Decimal)
    with a decimal comma when `;` separates the cells, as French Excel reads them."""
    out = io.StringIO()
    if bom:
        out.write(BOM)
    writer = csv.writer(out, delimiter=delimiter, lineterminator=lineterminator)
    # Python 3.11's writer quotes a field holding CR or LF only if the line ending has it.
    quoting_all = csv.writer(out, delimiter=delimiter, lineterminator=lineterminator,
                             quoting=csv.QUOTE_ALL)
    for row in rows:
        cells = texts(row, decimal_comma=delimiter == ";")
        broken = any("\r" in cell or "\n" in cell for cell in cells)
        (quoting_all if broken else writer).writerow(cells)
    return out.getvalue()


def csv_read(data: str | bytes, *, delimiter: str | None = None) -> Iterator[tuple[int, list[str]]]:
    """(line number, cells) of every row, cells restored; `delimiter=None` takes `;` or `,`,
    whichever the start of the file holds more of. Raises csv.Error on broken quoting."""
    text = data.decode("utf-8") if isinstance(data, bytes) else data
    text = text.removeprefix(BOM)
    if delimiter is None:
        sample = text[:2048]
        delimiter = ";" if sample.count(";") >= sample.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    for row in reader:
        yield reader.line_num, [restore(cell) for cell in row]
