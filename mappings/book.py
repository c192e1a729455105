"""The codes of one interface in memory, looked up both ways without queries: what the jobs
resolve Ticketnet's codes with, and what the entry screens suggest from."""

from collections import defaultdict

from catalog.models import Performance

from .models import Kind, code_entries
from .suggestions import start_code
from .validators import normalize_code, split_double_code, split_tariff_codes


class CorrespondenceBook:
    """Every code of one interface, loaded at once; lookups both ways without queries
    (except `performance_id_for` on a single event: one query per event, then cached)."""

    def __init__(self, *, interface_id: int, rows: list[tuple[str, int, str]],
                 locked: dict[tuple[str, int], int] | None = None,
                 retired: list[tuple[str, int, str]] = ()):
        """`rows`: (kind, object id, code); `locked`: (kind, object id) → id of the code
        Ticketnet knows; `retired`: (kind, object id, old code) Ticketnet changed."""
        self.interface_id = interface_id
        self._codes: dict[str, dict[int, str]] = defaultdict(dict)
        self._ids: dict[str, dict[str, int]] = defaultdict(dict)
        self._performance_keys: dict[tuple[str, str], int] = {}
        self._single_starts: dict[int, dict[str, int]] = {}
        self._locked = dict(locked or {})
        self._retired = list(retired)
        for kind, object_id, code in rows:
            self._codes[kind][object_id] = code
            self._index(kind, object_id, code, replace=True)
        # Sales made under an old code still find the object; a current code wins.
        for kind, object_id, code in self._retired:
            self._index(kind, object_id, code, replace=False)

    def _index(self, kind: str, object_id: int, code: str, *, replace: bool) -> None:
        def put(table: dict, key) -> None:
            if replace:
                table[key] = object_id
            else:
                table.setdefault(key, object_id)

        if kind == Kind.TARIFF:
            for part in split_tariff_codes(code):
                put(self._ids[kind], part)
        elif kind == Kind.PERFORMANCE:
            put(self._ids[kind], code)
            put(self._performance_keys, split_double_code(code))
        else:
            put(self._ids[kind], code)

    def __len__(self) -> int:
        return sum(len(codes) for codes in self._codes.values())

    def items(self):
        """(kind, object id, code) of every correspondence."""
        for kind, codes in self._codes.items():
            for object_id, code in codes.items():
                yield kind, object_id, code

    def code_for(self, kind: str, obj_id: int) -> str | None:
        return self._codes[kind].get(obj_id)

    def object_id_for(self, kind: str, code: str) -> int | None:
        """The object of a code as Ticketnet sends it (`0101` finds 101; any of a tariff's
        `15|20|22` finds the tariff)."""
        if kind == Kind.PERFORMANCE:
            manifestation, performance = split_double_code((code or "").strip())
            return self._performance_keys.get((normalize_code(manifestation), performance))
        return self._ids[kind].get(normalize_code(code))

    def tariff_codes(self, tariff_id: int) -> list[str]:
        code = self._codes[Kind.TARIFF].get(tariff_id)
        return split_tariff_codes(code) if code else []

    def performance_key(self, performance: Performance) -> tuple[str, str] | None:
        """(manifestation code, performance code) of a performance, or None if not mapped.

        Single event: (the event's code, start as YYMMDDHHMM in the institution's time
        zone); competition: the two halves of the performance's double code. Reads
        `performance.event`: select_related it when calling on many performances."""
        if performance.event.is_competition:
            code = self._codes[Kind.PERFORMANCE].get(performance.pk)
            return split_double_code(code) if code else None
        event_code = self._codes[Kind.EVENT].get(performance.event_id)
        if event_code is None:
            return None
        return event_code, start_code(performance.start)

    def performance_id_for(self, manifestation_code: str, performance_code: str) -> int | None:
        manifestation = normalize_code(manifestation_code)
        performance_code = (performance_code or "").strip()
        found = self._performance_keys.get((manifestation, performance_code))
        if found is not None:
            return found
        event_id = self._ids[Kind.EVENT].get(manifestation)
        if event_id is None:
            return None
        if event_id not in self._single_starts:
            self._single_starts[event_id] = {
                start_code(start): pk
                for pk, start in Performance.objects.filter(event_id=event_id).values_list(
                    "pk", "start"
                )
            }
        return self._single_starts[event_id].get(performance_code)

    def taken(self) -> dict[str, set[str]]:
        """Codes used per namespace (see models.code_entries), old codes Ticketnet changed
        included, for the suggestions."""
        out: dict[str, set[str]] = defaultdict(set)
        for kind, _object_id, code in [*self.items(), *self._retired]:
            for namespace, value in code_entries(kind, code):
                out[namespace].add(value)
        return out

    def retired(self) -> list[tuple[str, int, str]]:
        """(kind, object id, old code) of every code Ticketnet changed: reserved, still found."""
        return list(self._retired)

    def known_code_id(self, kind: str, object_id: int) -> int | None:
        """The id of the `KnownCode` locking this object's code, or None if not exported."""
        return self._locked.get((kind, object_id))

    def is_locked(self, kind: str, object_id: int) -> bool:
        return (kind, object_id) in self._locked

    def coded(self) -> set[tuple[str, int]]:
        return {(kind, object_id) for kind, object_id, _code in self.items()}
