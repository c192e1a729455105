"""One cell's text: neutralised on the way out, restored on the way in (OWASP's rule against
formula injection, CSV injection)."""

from collections.abc import Iterable
from decimal import Decimal

# A Decimal is an amount: a number in the sheet (two decimals), never neutralised.
Cell = str | int | Decimal | None
QUOTE = "'"
# What makes a spreadsheet read a text as a formula (OWASP), then the quote itself (so that
# restoring is exact) and a byte-order mark (a reader would take it for the file's own).
TRIGGERS = ("=", "+", "-", "@", "\t", "\r", QUOTE, "\ufeff")


def neutralise(text: str) -> str:
    """`text`, prefixed with a single quote when it starts with a trigger."""
    return QUOTE + text if text.startswith(TRIGGERS) else text


def restore(text: str) -> str:
    """The text `neutralise` was given; a hand-typed leading quote is Excel's text marker."""
    return text[1:] if text.startswith(QUOTE) else text


def texts(row: Iterable[Cell], *, decimal_comma: bool = False) -> list[str]:
    """A row as the texts a CSV file holds: numbers as digits (amounts with two decimals, after
    a comma where the file is French Excel's), None as an empty cell."""
    return ["" if v is None else _amount(v, decimal_comma) if isinstance(v, Decimal)
            else str(v) if _is_number(v) else neutralise(str(v)) for v in row]


def _amount(value: Decimal, decimal_comma: bool) -> str:
    text = f"{value:.2f}"
    return text.replace(".", ",") if decimal_comma else text


def _is_number(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
