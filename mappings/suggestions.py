"""Codes the guide proposes: events `YYNN` per season (1701, 1702…), blocks from letter and
number (A1 → 101, C5 → 305), halls, categories and tariffs 1, 2, 3…, competition
performances `<YYNN>_<YYMMDDHHMM>`; never a code already taken on the interface."""

import datetime as dt
from collections.abc import Iterable

from .models import Kind, Namespace
from .validators import start_code  # the rule the double codes are checked by

Key = tuple[str, int]


def season_code(season: int, n: int) -> int:
    """The n-th manifestation of a season: 2017, 1 → 1701; past 99 → 17100, 17101…"""
    yy = season % 100
    return yy * 100 + n if n <= 99 else yy * 10000 + n


def letter_index(letters: str) -> int:
    """A → 1 … Z → 26, AA → 27 (spreadsheet columns); 0 for no letter."""
    index = 0
    for char in letters.strip().upper():
        if not "A" <= char <= "Z":
            return 0
        index = index * 26 + ord(char) - ord("A") + 1
    return index


def block_code(letters: str, number: int | None) -> int | None:
    """A1 → 101, C5 → 305, B12 → 212; numbers of 100 and more keep 3 digits (A100 → 1100)."""
    letter = letter_index(letters or "")
    if not letter:
        return None
    number = number or 0
    return letter * 100 + number if number < 100 else letter * 1000 + number


class _Allocator:
    def __init__(self, taken: dict[str, set[str]]):
        self.taken = {ns: set(values) for ns, values in taken.items()}

    def is_free(self, namespace: str, code: int) -> bool:
        return 1 <= code <= 999_999_999 and str(code) not in self.taken.get(namespace, set())

    def take(self, namespace: str, code: int) -> str:
        self.taken.setdefault(namespace, set()).add(str(code))
        return str(code)

    def first_free(self, namespace: str, candidates: Iterable[int]) -> str | None:
        for code in candidates:
            if self.is_free(namespace, code):
                return self.take(namespace, code)
        return None

    def sequence(self, namespace: str, start: int = 1) -> str:
        code = start
        while not self.is_free(namespace, code):
            code += 1
        return self.take(namespace, code)


def suggest_codes(*, catalogue, taken: dict[str, set[str]], coded: set[Key]) -> dict[Key, str]:
    """A free code for each object of `catalogue` (an InterfaceCatalogue) not in `coded`.

    `taken` holds the codes already used on the interface per namespace (see
    `models.code_entries`); suggestions never reuse them nor each other."""
    alloc = _Allocator(taken)
    out: dict[Key, str] = {}

    # Manifestations: single events and competition performances share one sequence per
    # season, in the order they are played.
    per_season: dict[int, int] = {}

    def next_manifestation(season: int) -> str:
        n = per_season.get(season, 0)
        while True:
            n += 1
            code = season_code(season, n)
            if alloc.is_free(Namespace.MANIFESTATION, code):
                per_season[season] = n
                return alloc.take(Namespace.MANIFESTATION, code)

    performances_by_event: dict[int, list] = {}
    for perf in catalogue.performances:
        performances_by_event.setdefault(perf.event_id, []).append(perf)
    first_start = {
        event_id: min(p.start for p in perfs) for event_id, perfs in performances_by_event.items()
    }
    far = dt.datetime.max.replace(tzinfo=dt.UTC)
    for event in sorted(
        catalogue.events, key=lambda e: (e.season, first_start.get(e.pk, far), e.code)
    ):
        if event.is_competition:
            for perf in sorted(performances_by_event.get(event.pk, []), key=lambda p: p.start):
                if (Kind.PERFORMANCE, perf.pk) not in coded:
                    manifestation = next_manifestation(event.season)
                    out[(Kind.PERFORMANCE, perf.pk)] = f"{manifestation}_{start_code(perf.start)}"
        elif (Kind.EVENT, event.pk) not in coded:
            out[(Kind.EVENT, event.pk)] = next_manifestation(event.season)

    for config in catalogue.configurations:
        if (Kind.CONFIGURATION, config.pk) not in coded:
            out[(Kind.CONFIGURATION, config.pk)] = alloc.sequence(Namespace.CONFIGURATION)

    # Lettered blocks claim their natural code first; a clash (A1 in two halls) moves to
    # 10101, 20101…; blocks without a letter take 1, 2, 3….
    unlettered = []
    for zone in catalogue.zones:
        if (Kind.ZONE, zone.pk) in coded:
            continue
        base = block_code(zone.block_letter, zone.block_number)
        if base is None:
            unlettered.append(zone)
            continue
        step = 10 ** max(len(str(base)), 4)
        code = alloc.first_free(Namespace.ZONE, (base + k * step for k in range(0, 1000)))
        out[(Kind.ZONE, zone.pk)] = code or alloc.sequence(Namespace.ZONE)
    for zone in unlettered:
        out[(Kind.ZONE, zone.pk)] = alloc.sequence(Namespace.ZONE, start=zone.block_number or 1)

    for category in catalogue.categories:
        if (Kind.CATEGORY, category.pk) not in coded:
            out[(Kind.CATEGORY, category.pk)] = alloc.sequence(Namespace.CATEGORY)
    for tariff in catalogue.tariffs:
        if (Kind.TARIFF, tariff.pk) not in coded:
            out[(Kind.TARIFF, tariff.pk)] = alloc.sequence(Namespace.TARIFF)
    return out
