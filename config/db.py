"""Querysets compiled once per process, for the hot read paths.

Django builds and compiles a queryset's SQL on every evaluation. For the lists the mobile app
reads most (history, chat rooms, message pages), building and compiling the same query shape
cost more CPU than PostgreSQL spent running it (docs/benchmarks.md). A ``PreparedQuery`` takes
the queryset from a factory once, with ``Param`` placeholders where per-request values go,
keeps the ORM's SQL and result converters, and then only binds values and runs it: same SQL,
same types as ``values_list()``, on PostgreSQL and SQLite alike.
"""

from collections.abc import Callable
from datetime import UTC

from django.db import connections
from django.db.models import Expression, Field, QuerySet, UUIDField
from psycopg.types.string import TextLoader


class Param(Expression):
    """A named placeholder in a ``PreparedQuery``; ``output_field`` prepares the bound value."""

    def __init__(self, name: str, output_field: Field):
        super().__init__(output_field=output_field)
        self.name = name

    def as_sql(self, compiler, connection):
        return "%s", [self]

    def __repr__(self) -> str:
        return f"Param({self.name!r})"


class PreparedQuery:
    """``factory()`` returns a ``values_list()`` queryset whose per-request values are ``Param``s;
    ``rows(**values)`` runs it with those values bound and returns its rows as tuples.

    ``uuids_as_text``: UUID columns come back as their canonical text (what a response body
    holds) instead of ``uuid.UUID`` objects. PostgreSQL sends that text anyway; building an
    object per value and formatting it back was a third of reading a 50-message page.
    """

    def __init__(self, factory: Callable[[], QuerySet], *, uuids_as_text: bool = False):
        self._factory = factory
        self._uuids_as_text = uuids_as_text
        self._compiled: dict[str, tuple] = {}

    def _compile(self, alias: str) -> tuple:
        compiled = self._compiled.get(alias)
        if compiled is None:
            compiler = self._factory().query.get_compiler(using=alias)
            sql, params = compiler.as_sql()
            columns = [column[0] for column in compiler.select[: compiler.col_count]]
            converters = compiler.get_converters(columns)
            text_uuids = self._uuids_as_text and compiler.connection.vendor == "postgresql"
            if self._uuids_as_text and not text_uuids:
                for position, column in enumerate(columns):
                    if isinstance(column.output_field, UUIDField):
                        functions, expression = converters.get(position, ([], column))
                        converters[position] = ([*functions, _uuid_text], expression)
            compiled = self._compiled[alias] = (sql, tuple(params), tuple(converters.items()), text_uuids)
        return compiled

    def rows(self, *, using: str = "default", **values) -> list[tuple]:
        connection = connections[using]
        sql, template, converters, text_uuids = self._compile(using)
        params = [
            param.output_field.get_db_prep_value(values[param.name], connection) if isinstance(param, Param) else param
            for param in template
        ]
        with connection.cursor() as cursor:
            if text_uuids:
                cursor.cursor.adapters.register_loader("uuid", TextLoader)
            if prepares_statements(connection):
                # Prepared on first use on this connection (psycopg keeps it); other statements
                # are not prepared (settings.py says why).
                threshold = cursor.connection.prepare_threshold
                cursor.connection.prepare_threshold = 0
                try:
                    cursor.execute(sql, params)
                finally:
                    cursor.connection.prepare_threshold = threshold
            else:
                cursor.execute(sql, params)
            rows = cursor.fetchall()
        if not converters:
            return rows
        converted = []
        for row in rows:
            row = list(row)
            for position, (functions, expression) in converters:
                for convert in functions:
                    row[position] = convert(row[position], expression, connection)
            converted.append(tuple(row))
        return converted


def prepares_statements(connection) -> bool:
    """Whether this connection may run prepared statements: server-side binding is on (settings.py)."""
    return bool(connection.settings_dict["OPTIONS"].get("server_side_binding"))


def _uuid_text(value, expression, connection) -> str | None:
    return None if value is None else str(value)


def use_compiled_timestamptz_loader(sender, connection, **kwargs) -> None:
    """``connection_created`` receiver: PostgreSQL ``timestamptz`` values parsed by psycopg's C
    loader instead of Django's Python subclass of the Python one (3.7 → 0.6 µs a value; a page
    of 50 calls has 100). Only where the two agree: ``USE_TZ`` with a UTC connection, which
    Django has just set up, so the C loader returns UTC datetimes as Django's does."""
    if connection.vendor != "postgresql" or connection.timezone_name != "UTC":
        return
    from psycopg import adapters
    from psycopg.adapt import Loader
    from psycopg.pq import Format

    oid = adapters.types["timestamptz"].oid
    compiled = adapters.get_loader(oid, Format.TEXT)
    if compiled.__module__.startswith("psycopg."):
        return  # no C implementation installed: keep Django's loader

    class UtcTimestamptzLoader(Loader):
        # Django's cursors compare this with the connection's zone before reusing the loader.
        timezone = UTC

        def __init__(self, oid, context=None):
            super().__init__(oid, context)
            self._compiled = compiled(oid, context)

        def load(self, data):
            return self._compiled.load(data)

    connection.connection.adapters.register_loader(oid, UtcTimestamptzLoader)
