"""One cell's text: neutralised on the way out, restored on the way in (OWASP's rule against
formula injection, CSV injection)."""

from collections.abc import Iterable

Cell = str | int | None
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


def texts(row: Iterable[Cell]) -> list[str]:
    """A row as the texts a CSV file holds: numbers as digits, None as an empty cell."""
    return ["" if v is None else str(v) if _is_number(v) else neutralise(str(v)) for v in row]


def _is_number(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
