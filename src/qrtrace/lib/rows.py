"""One-row reads and writes for the hottest paths, without the ORM's per-call SQL compilation.

`Model.objects.create()` and `.filter(...).first()` build and compile their SQL on every call: most of
a check-in's CPU once the database work itself is short (docs/benchmarks.md, "Check-in ingest").
The statements here are built once per model and database vendor from the model's own fields, and
values go through the same field methods the ORM uses (`pre_save`, `get_db_prep_save`, the database
converters), so what is stored and read back is the same.
No signals are sent: use these only for models without save/delete receivers.
"""

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from functools import cache
from typing import Any, TypeVar

from django.db import DEFAULT_DB_ALIAS, connection, connections, models
from django.db.models import Field, Model

M = TypeVar("M", bound=Model)


def row_insert(obj: M) -> M:
    """INSERT `obj` as a new row (defaults and auto_now_add as `save()` applies them); sets its pk."""
    fields, sql = _insert_statement(type(obj), connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute(sql, _values(fields, obj))
        obj.pk = cursor.fetchone()[0]
    obj._state.adding = False
    obj._state.db = connection.alias
    return obj


def rows_insert(objs: Sequence[Model]) -> None:
    """INSERT many new rows of one model in one `executemany` (their pks are not read back)."""
    if not objs:
        return
    fields, sql = _insert_statement(type(objs[0]), connection.vendor, returning=False)
    here = connections[DEFAULT_DB_ALIAS]
    plain = _plain_fields(tuple(fields))
    rows = []
    for obj in objs:
        values = obj.__dict__
        rows.append(
            [
                value
                if types is not None and type(value := values.get(field.attname, _MISSING)) in types
                else field.get_db_prep_save(field.pre_save(obj, True), here)
                for field, types in zip(fields, plain, strict=True)
            ]
        )
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


# Field classes whose database value is the Python value itself when it has one of these types (their
# get_db_prep_save returns it unchanged on every backend): such values are passed as they are,
# skipping two method calls per column and row (a 500-row insert's Python adaptation).
_NONE = type(None)
_TEXT, _NUMBER = frozenset({str, _NONE}), frozenset({int, _NONE})
_PLAIN_FIELDS = {
    models.BooleanField: frozenset({bool, _NONE}),
    models.CharField: _TEXT,
    models.TextField: _TEXT,
    models.IntegerField: _NUMBER,
    models.BigIntegerField: _NUMBER,
    models.SmallIntegerField: _NUMBER,
    models.PositiveIntegerField: _NUMBER,
    models.PositiveSmallIntegerField: _NUMBER,
    models.AutoField: _NUMBER,
    models.BigAutoField: _NUMBER,
}
_MISSING = object()


@cache
def _plain_fields(fields: tuple[Field, ...]) -> list[frozenset | None]:
    """Per field, the value types passed as they are (see _PLAIN_FIELDS), or None: always through the
    field's own methods. Exact classes only (a subclass may adapt, e.g. an encrypted text field); a
    foreign key as the field it points to."""
    plain = []
    for field in fields:
        if type(field) is models.ForeignKey:
            field = field.target_field
        plain.append(_PLAIN_FIELDS.get(type(field)))
    return plain


def rows_insert_values(model: type[Model], attnames: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """INSERT many rows of `model` given as tuples of database values for the fields `attnames` (in
    that order; every other column takes its database default): no model instance per row, for
    plain values (ids, numbers) that need no field adaptation. One `executemany`."""
    if not rows:
        return
    with connection.cursor() as cursor:
        cursor.executemany(_insert_values_statement(model, tuple(attnames), connection.vendor), rows)


def row_get(model: type[M], field_name: str, value: Any) -> M | None:
    """The one row whose `field_name` (a unique field) equals `value`, as a model instance, or None."""
    field = model._meta.get_field(field_name)
    where = f"{connection.ops.quote_name(field.column)} = %s"
    return row_select(model, where, [field.get_db_prep_value(value, connection)])


def row_select(
    model: type[M], where: str, params: Sequence[Any], *, deferred: tuple[str, ...] = ()
) -> M | None:
    """The first row of `model`'s table matching `where` (a constant SQL condition, every value a
    parameter in `params`: e.g. a subquery that finds the row through another table in the same
    statement), as `row_get` returns it; the fields named in `deferred` are left unread, as
    `QuerySet.defer` leaves them (one query when first used: e.g. an encrypted field, decrypted only
    where it is needed)."""
    names, sql, converters = _select_statement(model, where, connection.vendor, deferred)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    values = []
    for raw, (column, convert) in zip(row, converters, strict=True):
        for converter in convert:
            raw = converter(raw, column, connection)
        values.append(raw)
    return model.from_db(connection.alias, names, values)


def aware_utc(value: datetime) -> datetime:
    """A timestamp as a statement written out here reads it: SQLite hands back naive UTC datetimes
    (Django stores them so with USE_TZ), PostgreSQL aware ones."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _values(fields: list[Field], obj: Model) -> list[Any]:
    # The connection itself, looked up once: `django.db.connection` is a proxy that finds the
    # thread's connection again on every attribute, and the field methods touch it many times a row.
    here = connections[DEFAULT_DB_ALIAS]
    return [field.get_db_prep_save(field.pre_save(obj, True), here) for field in fields]


@cache
def _insert_statement(model: type[Model], vendor: str, returning: bool = True) -> tuple[list[Field], str]:
    quote = connection.ops.quote_name
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "  # noqa: S608
        f"VALUES ({', '.join(['%s'] * len(fields))})"
    )
    if returning:
        sql += f" RETURNING {quote(model._meta.pk.column)}"
    return fields, sql


@cache
def _insert_values_statement(model: type[Model], attnames: tuple[str, ...], vendor: str) -> str:
    quote = connection.ops.quote_name
    fields = {field.attname: field for field in model._meta.concrete_fields}
    columns = ", ".join(quote(fields[name].column) for name in attnames)
    placeholders = ", ".join(["%s"] * len(attnames))
    return f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({placeholders})"  # noqa: S608


@cache
def _select_statement(
    model: type[Model], where: str, vendor: str, deferred: tuple[str, ...] = ()
) -> tuple[list[str], str, list[tuple[Any, list[Callable]]]]:
    quote = connection.ops.quote_name
    fields = [field for field in model._meta.concrete_fields if field.name not in deferred]
    table = model._meta.db_table
    sql = f"SELECT {', '.join(quote(f.column) for f in fields)} FROM {quote(table)} WHERE {where}"  # noqa: S608
    converters = []
    for field in fields:
        expression = field.get_col(table)
        converters.append(
            (expression, connection.ops.get_db_converters(expression) + field.get_db_converters(connection))
        )
    return [f.attname for f in fields], sql, converters
