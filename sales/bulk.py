"""Bulk inserts: `bulk_create` in batches everywhere, and on PostgreSQL `COPY` with ids taken
from the table's sequence beforehand (no RETURNING round trip, no SQL text per row)."""

from collections.abc import Iterable, Sequence
from operator import attrgetter

from django.db import connections, models
from django.db.models import Model

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
                batch_size: int = DEFAULT_BATCH_SIZE, using: str = "default") -> None:
    """Insert `objs` (all unsaved) and set their primary keys."""
    if not objs:
        return
    if not copy_enabled(using):
        model.objects.using(using).bulk_create(objs, batch_size=batch_size)
        return
    connection = connections[using]
    meta = model._meta
    for obj in objs:
        # Same safety check bulk_create does: FKs to objects saved since they were assigned.
        obj._prepare_related_fields_for_save(operation_name="bulk_insert")
    ids = _next_ids(connection, meta, len(objs))
    pk_attname = meta.pk.attname
    for obj, new_id in zip(objs, ids, strict=True):
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


def _next_ids(connection, meta, n: int) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, meta.pk.column, n],
        )
        return [row[0] for row in cursor.fetchall()]


def _copy(connection, table: str, columns: Sequence[str], rows: Iterable[Sequence]) -> None:
    quote = connection.ops.quote_name
    sql = f"COPY {quote(table)} ({', '.join(quote(c) for c in columns)}) FROM STDIN"
    with connection.cursor() as cursor:
        raw = cursor.cursor  # the psycopg 3 cursor under Django's wrapper
        with raw.copy(sql) as copy:
            for row in rows:
                copy.write_row(row)
