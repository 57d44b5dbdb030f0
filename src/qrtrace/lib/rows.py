"""One-row reads and writes for the hottest paths, without the ORM's per-call SQL compilation.

`Model.objects.create()` and `.filter(...).first()` build and compile their SQL on every call: most of
a check-in's CPU once the database work itself is short (docs/benchmarks.md, "Check-in ingest").
The statements here are built once per model and database vendor from the model's own fields, and
values go through the same field methods the ORM uses (`pre_save`, `get_db_prep_save`, the database
converters), so what is stored and read back is the same.
No signals are sent: use these only for models without save/delete receivers.
"""

from collections.abc import Callable, Sequence
from contextlib import nullcontext
from datetime import UTC, datetime
from functools import cache
from typing import Any, TypeVar
from uuid import UUID

from django.db import DEFAULT_DB_ALIAS, connection, connections, models
from django.db.models import Field, Model
from django.utils import timezone

M = TypeVar("M", bound=Model)


def row_insert(obj: M) -> M:
    """INSERT `obj` as a new row (defaults and auto_now_add as `save()` applies them); sets its pk."""
    sql = _insert_statement(type(obj), connection.vendor)[1]
    with connection.cursor() as cursor:
        cursor.execute(sql, _values([obj])[0])
        obj.pk = cursor.fetchone()[0]
    obj._state.adding = False
    obj._state.db = connection.alias
    return obj


def rows_insert_each(objs: Sequence[M], *, told_by: str) -> None:
    """INSERT a few new rows of one model in one statement and set each one's pk, as `row_insert`
    does for one (a family's check-ins: one round trip, not one per member). RETURNING promises no
    order of its rows, so each is matched back by the field `told_by`, whose value differs between
    `objs` (the person of each of one declaration's check-ins)."""
    if len(objs) == 1:
        row_insert(objs[0])
        return
    model = type(objs[0])
    attname = model._meta.get_field(told_by).attname
    by_key = {getattr(obj, attname): obj for obj in objs}
    if len(by_key) != len(objs):
        raise ValueError(f"rows_insert_each: two rows share their {told_by}")
    quote = connection.ops.quote_name
    fields, sql = _insert_statement(model, connection.vendor, returning=False)
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    sql = (
        sql.partition(" VALUES ")[0]
        + f" VALUES {', '.join([row] * len(objs))}"
        + f" RETURNING {quote(model._meta.pk.column)}, {quote(model._meta.get_field(told_by).column)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [value for values in _values(objs) for value in values])
        for pk, key in cursor.fetchall():
            by_key[key].pk = pk
    for obj in objs:
        obj._state.adding = False
        obj._state.db = connection.alias


def rows_insert(objs: Sequence[Model]) -> None:
    """INSERT many new rows of one model at once (`_insert_many`; their pks are not read back)."""
    if not objs:
        return
    model = type(objs[0])
    fields, sql = _insert_statement(model, connection.vendor, returning=False)
    _insert_many(model, [field.column for field in fields], sql, _values(objs))


def _stamp(objs: Sequence[Model]) -> None:
    """Set what `save()` sets when it inserts, the auto_now(_add) datetimes, to one now for all
    (one statement's rows), so `_row` adapts them like any other datetime."""
    names = _stamped(type(objs[0]), connection.vendor)
    if names:
        now = timezone.now()
        for obj in objs:
            for name in names:
                obj.__dict__[name] = now


@cache
def _stamped(model: type[Model], vendor: str) -> tuple[str, ...]:
    fields = _insert_statement(model, vendor)[0]
    return tuple(
        field.attname
        for field in fields
        if type(field) is models.DateTimeField and (field.auto_now or field.auto_now_add)
    )


def _row(columns: list[tuple[Field, frozenset, Callable | None]], obj: Model, here) -> list[Any]:
    """`obj`'s database values, as `field.get_db_prep_save(field.pre_save(obj, True))` makes them; a
    value `_columns` knows is passed as it is or through its quick adapter instead."""
    values, row = obj.__dict__, []
    for field, types, adapt in columns:
        value = values.get(field.attname, _MISSING)
        if type(value) in types and (adapt is None or (value := adapt(value)) is not _SLOW):
            row.append(value)
        else:
            row.append(field.get_db_prep_save(field.pre_save(obj, True), here))
    return row


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


_SLOW = object()  # an adapter's answer for a value it leaves to the field's own methods


def _sqlite_datetime(value: datetime | None) -> str | object | None:
    # Django's SQLite adaptation of an aware datetime (USE_TZ): naive in UTC, as text. A naive one
    # goes the field's way (a warning, then the default time zone).
    if value is None:
        return None
    return str(value.astimezone(UTC).replace(tzinfo=None)) if value.tzinfo is not None else _SLOW


def _aware(value: datetime | None) -> datetime | object | None:
    return value if value is None or value.tzinfo is not None else _SLOW


# Per database vendor, field classes whose adaptation is short enough to write out: (value types,
# adapter). Datetimes (Django's own `adapt_datetimefield_value`: PostgreSQL takes an aware one as it
# is) and UUIDs (stored as 32 hex digits where the database has no uuid type); three of a check-in
# row's columns. tests/lib/test_rows.py compares each with the field's own methods.
_DATETIME = frozenset({datetime, _NONE})
_ADAPTED_FIELDS = {
    "sqlite": {
        models.DateTimeField: (_DATETIME, _sqlite_datetime),
        models.UUIDField: (frozenset({UUID, _NONE}), lambda value: value and value.hex),
    },
    "postgresql": {
        models.DateTimeField: (_DATETIME, _aware),
        models.UUIDField: (frozenset({UUID, _NONE}), None),
    },
}


@cache
def _columns(model: type[Model], vendor: str) -> list[tuple[Field, frozenset, Callable | None]]:
    """Per field `_insert_statement` writes: the value types passed as they are (see _PLAIN_FIELDS) or
    through a quick adapter (_ADAPTED_FIELDS), and that adapter; any other value always goes through
    the field's own methods. Exact classes only (a subclass may adapt, e.g. an encrypted text field;
    an auto_now datetime is set by `_stamp` first); a foreign key as the field it points to."""
    columns = []
    for field in _insert_statement(model, vendor)[0]:
        target = field.target_field if type(field) is models.ForeignKey else field
        types, adapt = frozenset(), None
        if type(target) in _PLAIN_FIELDS:
            types = _PLAIN_FIELDS[type(target)]
        else:
            types, adapt = _ADAPTED_FIELDS.get(vendor, {}).get(type(target), (types, adapt))
        columns.append((field, types, adapt))
    return columns


def rows_insert_values(model: type[Model], attnames: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """INSERT many rows of `model` given as tuples of database values for the fields `attnames` (in
    that order; every other column takes its database default): no model instance per row, for
    plain values (ids, numbers) that need no field adaptation. At once, as `rows_insert`."""
    if not rows:
        return
    fields = {field.attname: field for field in model._meta.concrete_fields}
    columns = [fields[name].column for name in attnames]
    _insert_many(model, columns, _insert_values_statement(model, tuple(attnames), connection.vendor), rows)


# From this many rows PostgreSQL takes them by COPY. With Django's client-side binding an executemany
# is one statement parsed and planned per row: 500 check-ins (seven B-trees, a partitioned table) took
# 67 ms that way and 16 ms by COPY, the app's own CPU 38 → 7 ms (docs/benchmarks.md, "Batch ingest,
# fourth round"). COPY costs two round trips (the command, then the rows), one INSERT costs one.
COPY_FROM = 8


def _insert_many(
    model: type[Model], columns: list[str], statement: str, rows: Sequence[Sequence[Any]]
) -> None:
    """`rows` (database values in `columns`' order) into `model`'s table: `statement` (a one-row
    INSERT) once per row, or on PostgreSQL from COPY_FROM rows a COPY of them all. Either way an
    error is Django's (IntegrityError, ...) and a logged query (tests' CaptureQueriesContext)."""
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql" or len(rows) < COPY_FROM:
            cursor.executemany(statement, rows)
            return
        quote = connection.ops.quote_name
        copy = f"COPY {quote(model._meta.db_table)} ({', '.join(map(quote, columns))}) FROM STDIN"
        logged = cursor.debug_sql(copy, rows, many=True) if hasattr(cursor, "debug_sql") else nullcontext()
        with logged, connection.wrap_database_errors, cursor.cursor.copy(copy) as stream:
            for row in rows:
                stream.write_row(row)


def pks_by(
    model: type[Model], field_name: str, values: Sequence[Any], where: str = "", params: Sequence[Any] = ()
) -> dict[Any, Any]:
    """The pk of each row whose `field_name` is one of `values` (and which matches `where`, a constant
    SQL condition on the model's columns with its `params` as Python values), by that value: one
    statement, the values adapted as `rows_insert` adapts them (the ORM's `__in` goes through the
    field's methods for each: most of a 500-id read's cost)."""
    if not values:
        return {}
    here = connections[DEFAULT_DB_ALIAS]
    quote = here.ops.quote_name
    field = model._meta.get_field(field_name)
    by_value = {_db_value(field, value, here): value for value in values}
    among, listed = in_values(quote(field.column), list(by_value), field.db_type(here))
    sql = (
        f"SELECT {quote(field.column)}, {quote(model._meta.pk.column)} FROM {quote(model._meta.db_table)} "  # noqa: S608
        f"WHERE {among}" + (f" AND ({where})" if where else "")
    )
    # A datetime parameter of `where` is adapted as a datetime column's value; other values go as they are.
    extra = [_db_value(_DATETIME_FIELD, p, here) if isinstance(p, datetime) else p for p in params]
    with here.cursor() as cursor:
        cursor.execute(sql, [*listed, *extra])
        return {by_value[raw]: pk for raw, pk in cursor.fetchall()}


_DATETIME_FIELD = models.DateTimeField()


def in_values(column: str, values: Sequence[Any], db_type: str) -> tuple[str, list[Any]]:
    """`column IN (values)` as SQL (`column` already quoted) and its parameters, for a long list of
    database values (ids, keyed hashes, UUIDs) of the column's `db_type`. On PostgreSQL it is one
    array parameter in its text form, `column = ANY(%s::type[])`: with Django's client-side binding a
    list of placeholders has each value written into the statement by psycopg, which also scans the
    whole statement for them on every call (500 UUIDs: 8–11 ms a read, 4 ms as one array)."""
    if connection.vendor == "postgresql":
        text = ",".join('"' + str(v).replace("\\", "\\\\").replace('"', '\\"') + '"' for v in values)
        return f"{column} = ANY(%s::{db_type}[])", ["{" + text + "}"]
    return f"{column} IN ({', '.join(['%s'] * len(values))})", list(values)


def _db_value(field: Field, value: Any, here) -> Any:
    types, adapt = _ADAPTED_FIELDS.get(here.vendor, {}).get(type(field), (frozenset(), None))
    if type(value) in types and (adapt is None or (quick := adapt(value)) is not _SLOW):
        return value if adapt is None else quick
    return field.get_db_prep_value(value, here)


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


def _values(objs: Sequence[Model]) -> list[list[Any]]:
    """The database values of new rows of one model, in `_insert_statement`'s order."""
    # The connection itself, looked up once: `django.db.connection` is a proxy that finds the
    # thread's connection again on every attribute, and the field methods touch it many times a row.
    here = connections[DEFAULT_DB_ALIAS]
    columns = _columns(type(objs[0]), here.vendor)
    _stamp(objs)
    return [_row(columns, obj, here) for obj in objs]


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
