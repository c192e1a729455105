"""Bulk inserts: `bulk_create` in batches everywhere, and on PostgreSQL `COPY` with ids taken
from the table's sequence beforehand (no RETURNING round trip, no SQL text per row)."""

from collections.abc import Sequence

from django.db import connection
from django.db.models import Model

DEFAULT_BATCH_SIZE = 2000


def _copy_supported() -> bool:
    return connection.vendor == "postgresql"


def bulk_insert(model: type[Model], objs: Sequence[Model], *, batch_size: int = DEFAULT_BATCH_SIZE,
                use_copy: bool | None = None) -> None:
    """Insert `objs` (all unsaved) and set their primary keys."""
    if not objs:
        return
    if use_copy is None:
        use_copy = _copy_supported()
    if not use_copy:
        model.objects.bulk_create(objs, batch_size=batch_size)
        return
    _copy_insert(model, objs)


def _copy_insert(model: type[Model], objs: Sequence[Model]) -> None:
    meta = model._meta
    pk = meta.pk
    for obj in objs:
        # Same safety check bulk_create does: FKs to objects saved since they were assigned.
        obj._prepare_related_fields_for_save(operation_name="bulk_insert")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, pk.column, len(objs)],
        )
        ids = [row[0] for row in cursor.fetchall()]
        for obj, new_id in zip(objs, ids, strict=True):
            setattr(obj, pk.attname, new_id)
        fields = [f for f in meta.concrete_fields]
        for f in fields:
            if getattr(f, "auto_now_add", False) or getattr(f, "auto_now", False):
                for obj in objs:
                    f.pre_save(obj, add=True)
        columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        table = connection.ops.quote_name(meta.db_table)
        raw = cursor.cursor  # psycopg 3 cursor under Django's wrapper
        with raw.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for obj in objs:
                copy.write_row(
                    [f.get_db_prep_save(getattr(obj, f.attname), connection) for f in fields]
                )
    for obj in objs:
        obj._state.adding = False
        obj._state.db = connection.alias
