"""The sales engine's only door to the database vendor: PostgreSQL's COPY, arrays, ANALYZE and
unique-index checks behind plain functions that fall back to the ORM elsewhere (SQLite)."""

import json
from collections.abc import Collection, Iterable, Sequence
from operator import attrgetter, itemgetter

from django.db import connections, models
from django.db.models import F, Model

DEFAULT_BATCH_SIZE = 2000
# None: COPY on PostgreSQL, bulk_create elsewhere. The benchmark forces each to compare them.
USE_COPY: bool | None = None

# Fields whose Python value psycopg adapts as it is: no per-value Django conversion needed.
_NATIVE = (
    models.IntegerField, models.CharField, models.TextField, models.BooleanField,
    models.DateTimeField, models.ForeignKey, models.AutoField, models.BigAutoField,
)


def copy_enabled(using: str = "default") -> bool:
    if connections[using].vendor != "postgresql":
        return False
    return True if USE_COPY is None else USE_COPY


def bulk_insert(model: type[Model], objs: Sequence[Model], *,
                batch_size: int = DEFAULT_BATCH_SIZE, using: str = "default",
                check_related: bool = True) -> None:
    """Insert `objs` (all unsaved) and set their primary keys. `check_related=False` skips
    Django's check of related objects saved since they were assigned, for callers that set
    every foreign key id themselves (the hot path of the sales integration)."""
    if not objs:
        return
    if not copy_enabled(using):
        model.objects.using(using).bulk_create(objs, batch_size=batch_size)
        return
    connection = connections[using]
    meta = model._meta
    if check_related:
        for obj in objs:
            # Same safety check bulk_create does: FKs to objects saved since they were assigned.
            obj._prepare_related_fields_for_save(operation_name="bulk_insert")
    pk_attname = meta.pk.attname
    # Ids reserved beforehand (`reserve_ids`) are kept: the sales engine hands them to the
    # next page before this one is written (sales.pipeline).
    unsaved = [obj for obj in objs if getattr(obj, pk_attname) is None]
    if unsaved:
        ids = _next_ids(connection, meta, len(unsaved))
        for obj, new_id in zip(unsaved, ids, strict=True):
            setattr(obj, pk_attname, new_id)
    fields = list(meta.concrete_fields)
    for f in fields:
        if getattr(f, "auto_now_add", False) or getattr(f, "auto_now", False):
            for obj in objs:
                f.pre_save(obj, add=True)
    getters = [attrgetter(f.attname) for f in fields]
    converters = [
        None if isinstance(f, _NATIVE) else (lambda v, f=f: f.get_db_prep_save(v, connection))
        for f in fields
    ]

    if all(c is None for c in converters):
        # One C call per object for the whole row, read from the instance's __dict__ (every
        # field of a new object is there) past the fields' descriptors.
        row_of = itemgetter(*[f.attname for f in fields])
        rows = (row_of(obj.__dict__) for obj in objs)
        _copy(connection, meta.db_table, [f.column for f in fields], rows)
        for obj in objs:
            obj._state.adding = False
            obj._state.db = using
        return

    def rows():
        for obj in objs:
            yield [
                g(obj) if c is None else c(g(obj)) for g, c in zip(getters, converters, strict=True)
            ]

    _copy(connection, meta.db_table, [f.column for f in fields], rows())
    for obj in objs:
        obj._state.adding = False
        obj._state.db = using


def bulk_insert_rows(model: type[Model], field_names: Sequence[str], rows: Iterable[Sequence], *,
                     batch_size: int = DEFAULT_BATCH_SIZE, using: str = "default") -> None:
    """Insert plain rows (values of `field_names`, FKs as ids) when no object is needed back."""
    if not copy_enabled(using):
        attnames = [model._meta.get_field(n).attname for n in field_names]
        model.objects.using(using).bulk_create(
            [model(**dict(zip(attnames, row, strict=True))) for row in rows],
            batch_size=batch_size,
        )
        return
    columns = [model._meta.get_field(n).column for n in field_names]
    _copy(connections[using], model._meta.db_table, columns, rows)


_SEQUENCES: dict[tuple[str, str], str] = {}


def _next_ids(connection, meta, n: int) -> list[int]:
    """`n` ids from the table's own sequence (safe beside concurrent inserts)."""
    with connection.cursor() as cursor:
        key = (connection.alias, meta.db_table)
        sequence = _SEQUENCES.get(key)
        if sequence is None:
            cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [meta.db_table,
                                                                     meta.pk.column])
            sequence = _SEQUENCES[key] = cursor.fetchone()[0]
        # The name resolved once: per row, the lookup cost as much as nextval itself. The
        # values come back as a range when they are one (no other session drew from the
        # sequence meanwhile: n distinct values spanning n), one by one otherwise.
        cursor.execute("SELECT min(v), max(v), CASE WHEN max(v) - min(v) + 1 <> %s "
                       "THEN array_agg(v ORDER BY v) END FROM (SELECT nextval(%s::regclass) "
                       "AS v FROM generate_series(1, %s)) ids", [n, sequence, n])
        first, last, scattered = cursor.fetchone()
        return list(range(first, last + 1)) if scattered is None else scattered


def reserve_ids(model: type[Model], n: int, *, using: str = "default") -> list[int]:
    """`n` primary keys of `model` taken from its sequence now, for rows written later by
    `bulk_insert` or `create(pk=…)` (PostgreSQL: `copy_enabled`). A key reserved and never
    written is a gap, as after a rollback."""
    return _next_ids(connections[using], model._meta, n) if n else []


def _copy(connection, table: str, columns: Sequence[str], rows: Iterable[Sequence]) -> None:
    quote = connection.ops.quote_name
    sql = f"COPY {quote(table)} ({', '.join(quote(c) for c in columns)}) FROM STDIN"
    # Django's exceptions (IntegrityError…) for psycopg's: the raw cursor bypasses the wrapper.
    with connection.cursor() as cursor, connection.wrap_database_errors:
        raw = cursor.cursor  # the psycopg 3 cursor under Django's wrapper
        with raw.copy(sql) as copy:
            for row in rows:
                copy.write_row(row)


# What the database can do ------------------------------------------------------------------


def optimistic_pages(using: str = "default") -> bool:
    """Whether a page may be written before its places and numbers are read, the unique
    indexes refusing a clash (ON CONFLICT … RETURNING, savepoints): PostgreSQL only."""
    return connections[using].vendor == "postgresql"


def statistics_refresh(*models_: type[Model], using: str = "default") -> None:
    """ANALYZE the tables of `models_` on PostgreSQL (the planner's counts otherwise stay those
    of a run's start); nothing to do elsewhere."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return
    quote = connection.ops.quote_name
    tables = ", ".join(quote(m._meta.db_table) for m in models_)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {tables}")


# Reading many keys at once (PostgreSQL: arrays, not huge IN lists) ----------------------------


class AnyLookup(models.Lookup):
    """`= ANY(%s)` with one array parameter on PostgreSQL (one plan whatever the length), an
    IN list elsewhere. Not registered on any field: build it with `any_of`."""

    lookup_name = "any"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        # Integers stay integers (an array of ids), anything else is compared as text.
        values = [v if isinstance(v, int) else str(v) for v in self.rhs]
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY(%s)", [*lhs_params, values]
        if not values:
            return "1 = 0", list(lhs_params)
        return f"{lhs} IN ({', '.join(['%s'] * len(values))})", [*lhs_params, *values]


def any_of(field_name: str, values: Iterable) -> AnyLookup:
    """A filter: the text field `field_name` (or an integer one, given integers) equals one
    of `values`, e.g. `Ticket.objects.filter(any_of("number", numbers), interface=interface)`."""
    return AnyLookup(F(field_name), list(values))


def rows_matching(model: type[Model], *, columns: Sequence[str], match: Sequence[str],
                  keys: Collection[Sequence[int]], filters: dict | None = None,
                  probe: bool = False, using: str = "default") -> list[tuple]:
    """`columns` (attnames) of the rows of `model` whose integer `match` columns equal one of
    `keys` exactly, and whose fields equal `filters` (e.g. `{"state": "valid"}`).

    PostgreSQL: one join on unnest() arrays, no cross product of IN lists. `probe=True` looks
    each key up on its own (LATERAL … OFFSET 0: the planner cannot make it a merge or hash join
    over the whole table); only for a table whose statistics are current and whose unique
    index on `match` is the obvious choice, since with stale statistics the planner may probe
    by a wider index and read many rows per key. Elsewhere: IN lists per column, the cross
    product filtered out in Python."""
    if not keys:
        return []
    filters = filters or {}
    connection = connections[using]
    if connection.vendor != "postgresql":
        wanted = {tuple(key) for key in keys}
        in_lists = {f"{c}__in": {key[i] for key in wanted} for i, c in enumerate(match)}
        rows = model.objects.using(using).filter(**filters, **in_lists).values_list(
            *match, *columns)
        width = len(match)
        return [row[width:] for row in rows if row[:width] in wanted]
    meta = model._meta
    quote = connection.ops.quote_name

    def column(name):
        return "t." + quote(meta.get_field(name).column)

    arrays = [list(values) for values in zip(*keys, strict=True)]
    names = [f"k{i}" for i in range(len(match))]
    # Identifiers are quoted, values are parameters.
    select = ", ".join(column(c) for c in columns)
    arrays_sql = ", ".join(["%s::bigint[]"] * len(match))
    on = " AND ".join(f"{column(c)} = k.{n}" for c, n in zip(match, names, strict=True))
    where = " AND ".join(f"{column(name)} = %s" for name in filters)
    table = quote(meta.db_table)
    if probe:
        sql = " ".join([
            "SELECT", select, "FROM unnest(", arrays_sql, ") AS k(", ", ".join(names),
            ") CROSS JOIN LATERAL (SELECT", select, "FROM", table, "t WHERE", on,
            *(["AND", where] if where else []), "OFFSET 0) t",
        ])
    else:
        sql = " ".join([
            "SELECT", select, "FROM", table, "t JOIN unnest(", arrays_sql, ") AS k(",
            ", ".join(names), ") ON", on, *(["WHERE", where] if where else []),
        ])
    with connection.cursor() as cursor:
        cursor.execute(sql, [*arrays, *filters.values()])
        return cursor.fetchall()


def keys_without_rows(model: type[Model], *, match: Sequence[str],
                      keys: Collection[Sequence[int]], filters: dict | None = None,
                      using: str = "default") -> set[tuple]:
    """Those of `keys` that no row of `model` matches on its integer `match` columns with
    `filters`: what `rows_matching` would leave out, without reading back the usual
    majority that match. PostgreSQL: each key probed by the index (LATERAL … LIMIT 1)."""
    if not keys:
        return set()
    wanted = {tuple(key) for key in keys}
    connection = connections[using]
    if connection.vendor != "postgresql":
        return wanted - set(rows_matching(model, columns=match, match=match, keys=wanted,
                                          filters=filters, using=using))
    filters = filters or {}
    meta = model._meta
    quote = connection.ops.quote_name
    names = [f"k{i}" for i in range(len(match))]
    on = " AND ".join(f"t.{quote(meta.get_field(c).column)} = k.{n}"
                      for c, n in zip(match, names, strict=True))
    where = "".join(f" AND t.{quote(meta.get_field(name).column)} = %s" for name in filters)
    sql = (f"SELECT {', '.join('k.' + n for n in names)} FROM unnest("  # noqa: S608
           f"{', '.join(['%s::bigint[]'] * len(match))}) AS k({', '.join(names)}) "
           f"LEFT JOIN LATERAL (SELECT 1 AS found FROM {quote(meta.db_table)} t WHERE {on}"
           f"{where} LIMIT 1) f ON true WHERE f.found IS NULL")
    arrays = [list(values) for values in zip(*wanted, strict=True)]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*arrays, *filters.values()])
        return {tuple(row) for row in cursor.fetchall()}


_ARRAY_TYPES = ((models.CharField, "text[]"), (models.TextField, "text[]"),
                (models.IntegerField, "bigint[]"), (models.ForeignKey, "bigint[]"),
                (models.DateTimeField, "timestamptz[]"),
                # JSON goes as its text, cast back in the SET (psycopg adapts no dict array).
                (models.JSONField, "text[]"))


def _json_getter(field):
    get = attrgetter(field.attname)
    return lambda obj: None if (value := get(obj)) is None else json.dumps(value)


def bulk_update_fields(model: type[Model], objs: Sequence[Model], fields: Sequence[str], *,
                       batch_size: int = DEFAULT_BATCH_SIZE, using: str = "default") -> None:
    """Save `fields` of saved `objs`. PostgreSQL: one `UPDATE … FROM unnest(arrays)` per batch
    (Django's bulk_update writes a CASE per field and row, slow past a few hundred rows);
    elsewhere bulk_update. Text, integer, datetime and JSON fields only."""
    if not objs:
        return
    connection = connections[using]
    if connection.vendor != "postgresql":
        model.objects.using(using).bulk_update(objs, fields, batch_size=batch_size)
        return
    meta = model._meta
    quote = connection.ops.quote_name
    model_fields = [meta.get_field(name) for name in fields]
    types = []
    for f in model_fields:
        found = next((t for cls, t in _ARRAY_TYPES if isinstance(f, cls)), None)
        if found is None:
            raise TypeError(f"bulk_update_fields: {f.name} is not text, integer, datetime "
                            "or JSON")
        types.append(found)
    names = [f"v{i}" for i in range(len(fields))]
    # Identifiers are quoted, values are parameters.
    sql = " ".join([
        "UPDATE", quote(meta.db_table), "t SET",
        ", ".join(f"{quote(f.column)} = k.{n}{'::jsonb' if isinstance(f, models.JSONField) else ''}"
                  for f, n in zip(model_fields, names, strict=True)),
        "FROM unnest(%s::bigint[],", ", ".join(f"%s::{t}" for t in types), ") AS k(pk,",
        ", ".join(names), ") WHERE t.", quote(meta.pk.column), "= k.pk",
    ])
    getters = [_json_getter(f) if isinstance(f, models.JSONField) else attrgetter(f.attname)
               for f in model_fields]
    with connection.cursor() as cursor:
        # Rows found by their primary key (the only index it can use), never by hashing the
        # whole table: the planner's choice while its statistics count a table that grows
        # within a run a fraction of its size. Transaction-local, and put back right after.
        cursor.execute("SELECT current_setting('enable_seqscan'), "
                       "set_config('enable_seqscan', 'off', true)")
        previous = cursor.fetchone()[0]
        for start in range(0, len(objs), batch_size):
            batch = objs[start:start + batch_size]
            cursor.execute(sql, [[o.pk for o in batch],
                                 *[[g(o) for o in batch] for g in getters]])
        cursor.execute("SELECT set_config('enable_seqscan', %s, true)", [previous])
