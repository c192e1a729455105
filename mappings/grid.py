"""The correspondence grid screen: its rows grouped by kind and hall, filtered, filled by range,
and what a posted grid asks for. The admin view only wires these to the page."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .models import Kind
from .selectors import CorrespondenceRow
from .suggestions import block_code
from .validators import validate_code

Key = tuple[str, int]


def grid_field_name(kind: str, object_id: int) -> str:
    return f"code-{kind}-{object_id}"


def grid_select_name(kind: str, object_id: int) -> str:
    return f"select-{kind}-{object_id}"


@dataclass
class GridLine:
    row: CorrespondenceRow
    value: str
    errors: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return grid_field_name(*self.row.key)

    @property
    def select_name(self) -> str:
        return grid_select_name(*self.row.key)

    @property
    def search_text(self) -> str:
        """What the text filter looks in (the page's script filters on the same text)."""
        row = self.row
        return " ".join((row.label, row.context, row.hall, self.value, row.suggestion)).lower()


@dataclass
class GridGroup:
    """The rows of one kind (zones and configurations: of one hall)."""

    slug: str
    title: str
    lines: list[GridLine]

    @property
    def missing(self) -> int:
        return sum(1 for line in self.lines if not line.value)


@dataclass(frozen=True)
class GridFilter:
    """The grid's filter (query string `q`, `kind`, `missing`): the page without script
    filters on the server, the script filters the same way as one types."""

    text: str = ""
    kind: str = ""
    missing_only: bool = False

    @classmethod
    def from_query(cls, query: Mapping[str, str]) -> "GridFilter":
        kind = query.get("kind", "")
        return cls(text=query.get("q", "").strip().lower()[:100],
                   kind=kind if kind in Kind.values else "",
                   missing_only=query.get("missing") == "1")

    def keeps(self, line: GridLine) -> bool:
        if self.kind and line.row.kind != self.kind:
            return False
        if self.missing_only and line.value and not line.errors:
            return False
        return all(word in line.search_text for word in self.text.split())


def grid_groups(lines: Iterable[GridLine]) -> list[GridGroup]:
    """Lines grouped by kind, then by hall for configurations and zones, in entry order."""
    groups: dict[str, GridGroup] = {}
    for line in lines:
        row = line.row
        slug = f"{row.kind}-{row.hall}" if row.hall else row.kind
        if slug not in groups:
            plural = str(Kind(row.kind).label)
            title = (_("%(kind)s — %(hall)s") % {"kind": plural, "hall": row.hall}
                     if row.hall else plural)
            groups[slug] = GridGroup(slug=f"group-{len(groups) + 1}", title=title, lines=[])
        groups[slug].lines.append(line)
    return list(groups.values())


def grid_posted(rows: Iterable[CorrespondenceRow], data: Mapping[str, str]) -> dict[Key, str]:
    """The codes posted for `rows`; a row the page did not show (filtered out) is not in it,
    and stays as it is."""
    out = {}
    for row in rows:
        name = grid_field_name(*row.key)
        if name in data:
            out[row.key] = data[name].strip()
    return out


@dataclass
class RangeFill:
    values: dict[Key, str] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    skipped_locked: int = 0


def grid_range_fill(rows: list[CorrespondenceRow], *, first_code: str) -> RangeFill:
    """Codes for the selected `rows` (in the grid's order), from `first_code`.

    The rule: when every selected row is a zone with a block letter and number, each takes
    `first_code` plus the difference between its block code and the first block's, by the
    guide's rule (A1 → 101, B2 → 202): selecting A1…D2 and starting at 101 gives A1 101,
    A2 102, B1 201 … D2 402 (starting at 1101 gives 1101 … 1402). Otherwise the rows take
    `first_code`, `first_code` + 1, … in order. Codes Ticketnet knows (locked) are skipped,
    and competition performances (double codes) cannot be filled this way."""
    out = RangeFill()
    first_code = (first_code or "").strip()
    try:
        validate_code(first_code)
        first = int(first_code)
    except ValidationError as exc:
        out.errors = [_("First code: %(message)s") % {"message": " ".join(exc.messages)}]
        return out
    if any(row.kind == Kind.PERFORMANCE for row in rows):
        out.errors = [_("Competition performances take double codes "
                        "<manifestation>_<performance>: fill them with the suggestions or one "
                        "by one, not by range.")]
        return out
    if not rows:
        out.errors = [_("Select the rows to fill: tick them (shift-click ticks every row "
                        "between two), then fill.")]
        return out
    open_rows = [row for row in rows if row.known_code_id is None]
    out.skipped_locked = len(rows) - len(open_rows)
    if not open_rows:
        return out
    blocks = [row.block and block_code(*row.block) for row in open_rows]
    if all(blocks):
        codes = [first + block - blocks[0] for block in blocks]
    else:
        codes = [first + i for i in range(len(open_rows))]
    too_big = [code for code in codes if not 1 <= code <= 999_999_999]
    if too_big:
        out.errors = [_("The range would reach %(code)s: codes go from 1 to 999 999 999.")
                      % {"code": too_big[0] if too_big[0] > 0 else min(codes)}]
        return out
    out.values = {row.key: str(code) for row, code in zip(open_rows, codes, strict=True)}
    return out
