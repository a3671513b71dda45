"""Run a hot-path Core statement on the PostgreSQL driver's cursor, inside SQLAlchemy's transaction.

A resident's submission takes three statements. Run through SQLAlchemy, each one also set up an execution
context and built a result object from the cursor's description: together more than psycopg's own work.
Here the statement is compiled once per set of parameter names, the values pass through the same type
processors SQLAlchemy would apply (JSON, UTC datetimes), and the first row comes back as a tuple. Measured with
``python -m tests.benchmarks.count_instructions``: 6.34 M instructions per submission before, 5.77 M after (-9 %).

The connection, its transaction and its errors stay SQLAlchemy's: a driver error is raised as SQLAlchemy's
exception (so the 503 and 507 pages apply), a lost connection is invalidated (so the pool replaces it), and
``before_cursor_execute`` listeners see the statement (statement counts in tests, fault injection). Other
databases (SQLite in development and tests) run the statement through SQLAlchemy as usual.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import exc
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.sql import Executable


@dataclass(frozen=True)
class _Compiled:
    sql: str
    bind_processors: dict[str, Callable[[Any], Any]]
    result_processors: tuple[Callable[[Any], Any] | None, ...]


class DriverStatement:
    """A Core statement whose first row is fetched with psycopg directly on PostgreSQL."""

    def __init__(self, statement: Executable) -> None:
        self.statement = statement
        self._compiled: dict[tuple[str, tuple[str, ...]], _Compiled] = {}

    def first(self, connection: Connection, parameters: Mapping[str, Any]) -> tuple | None:
        """Execute with ``parameters``; return the first row (processed like SQLAlchemy's), or None."""
        if connection.dialect.name != "postgresql":
            row = connection.execute(self.statement, dict(parameters)).first()
            return None if row is None else tuple(row)
        compiled = self._compile(connection.dialect, tuple(parameters))
        values = {
            name: compiled.bind_processors[name](value) if name in compiled.bind_processors else value
            for name, value in parameters.items()
        }
        cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
        try:
            connection.dispatch.before_cursor_execute(connection, cursor, compiled.sql, values, None, False)
            cursor.execute(compiled.sql, values)  # prepared after a few uses, as psycopg is configured
            row = cursor.fetchone()
        except connection.dialect.loaded_dbapi.Error as error:
            raise _wrapped(connection, cursor, compiled.sql, values, error) from error
        finally:
            cursor.close()
        if row is None or not any(compiled.result_processors):
            return row
        return tuple(
            process(value) if process is not None else value
            for process, value in zip(compiled.result_processors, row, strict=True)
        )

    def _compile(self, dialect: Dialect, names: tuple[str, ...]) -> _Compiled:
        key = (dialect.name, names)
        found = self._compiled.get(key)
        if found is None:
            compiled = self.statement.compile(dialect=dialect, column_keys=list(names))  # type: ignore[attr-defined]
            processors = {}
            for name, bind in compiled.binds.items():
                process = bind.type.dialect_impl(dialect).bind_processor(dialect)
                if process is not None:
                    processors[name] = process
            columns = getattr(self.statement, "exported_columns", ())  # none for text(): values as psycopg loads them
            results = tuple(column.type.dialect_impl(dialect).result_processor(dialect, None) for column in columns)
            found = self._compiled[key] = _Compiled(str(compiled), processors, results)
        return found


def _wrapped(connection: Connection, cursor: Any, sql: str, values: dict, error: Exception) -> exc.DBAPIError:
    """Return the driver's ``error`` as SQLAlchemy would raise it, invalidating the connection if it was lost."""
    dialect = connection.dialect
    lost = dialect.is_disconnect(error, connection.connection.dbapi_connection, cursor)
    if lost:
        connection.invalidate(error)
    return exc.DBAPIError.instance(
        sql, values, error, dialect.loaded_dbapi.Error, connection_invalidated=lost, dialect=dialect
    )
