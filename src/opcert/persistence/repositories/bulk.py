"""Multi-row inserts for the hot path, straight to the driver's executemany.

SQLAlchemy's per-parameter bookkeeping costs more than the database work for the thousands of
rows a second intake writes. Here the column types' own bind processors are looked up once per
statement and applied in a tight loop, so stored values are exactly what SQLAlchemy would store.

Only repositories call this module (an import contract holds it): services hand them typed
records, never column-keyed dictionaries.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from operator import itemgetter
from typing import Any

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    LargeBinary,
    Table,
    TypeDecorator,
    exc,
    func,
    insert,
    select,
    text,
)
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.orm import Session

Pick = Callable[[Any], Sequence[Any]]  # a row's values, in the order of the column names


def bulk_insert(session: Session, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert ``rows`` (all with the same keys) into ``table`` in one executemany."""
    if not rows:
        return
    names = list(rows[0])
    _insert(session, table, names, rows, _item_picker(names), by_name=True)


def insert_records(
    session: Session, table: Table, names: Sequence[str], records: Sequence[Any], values: Pick
) -> None:
    """Insert ``records`` of any kind: ``values(record)`` gives its values for the columns
    ``names``, in order (``attrgetter`` over a dataclass's fields, say). No dictionary is built
    per row."""
    if records:
        _insert(session, table, list(names), records, values)


def insert_records_returning_ids(
    session: Session, table: Table, names: Sequence[str], records: Sequence[Any], values: Pick
) -> list[int]:
    """``insert_records`` with ids reserved first (``reserve_ids``); the ids in input order."""
    ids = reserve_ids(session, table, len(records))
    if records:
        rows = [(i, *values(r)) for r, i in zip(records, ids, strict=True)]
        _insert(session, table, ["id", *names], rows, None)
    return ids


def _item_picker(names: list[str]) -> Pick:
    if len(names) == 1:
        name = names[0]
        return lambda row: (row[name],)
    return itemgetter(*names)


def _insert(
    session: Session,
    table: Table,
    names: list[str],
    rows: Sequence[Any],
    pick: Pick | None,
    *,
    by_name: bool = False,
) -> None:
    """One executemany (COPY on PostgreSQL) of ``rows``; ``pick`` gives a row's values in the
    order of ``names``, None when the rows are such sequences already. ``by_name``: the rows are
    mappings, so values in another order are picked by name directly."""
    connection = session.connection()
    dialect = connection.dialect
    processors = [_processor(table.c[name].type, dialect) for name in names]
    if dialect.name == "postgresql":
        _copy(connection, table, names, processors, rows, pick)
        return
    compiled = insert(table).compile(dialect=dialect, column_keys=names)
    if dialect.paramstyle in ("qmark", "format", "numeric"):
        order = list(compiled.positiontup or names)
        if order != names:
            index = [names.index(n) for n in order]
            pick = _item_picker(order) if by_name else _reordered(pick, index)
        params: list[Any] = _tuples(
            rows,
            pick,
            [processors[names.index(n)] for n in order],
            [_repeats(table.c[n].type) for n in order],
        )
    else:
        params = [
            {
                name: _apply(processor, value)
                for name, processor, value in zip(
                    names, processors, pick(row) if pick else row, strict=True
                )
            }
            for row in rows
        ]
    connection.exec_driver_sql(compiled.string, params)


def _reordered(pick: Pick | None, index: list[int]) -> Pick:
    """``pick`` with its values put in the order ``index`` gives (one ``itemgetter`` call per
    row: a generator here cost a sixth of intake's bulk-insert time)."""
    if len(index) == 1:
        [only] = index
        return (lambda row: (pick(row)[only],)) if pick else (lambda row: (row[only],))
    get = itemgetter(*index)
    return (lambda row: get(pick(row))) if pick else get


def reserve_ids(session: Session, table: Table, count: int) -> list[int]:
    """Ids for ``count`` new rows of ``table``, to be inserted in this transaction.

    PostgreSQL draws them from the table's sequence. SQLite continues after ``max(id)``: the
    unit of work holds the write lock (``begin_write``), so nobody else can take them; a
    second reservation for the same table must follow the insert of the first.
    """
    if count <= 0:
        return []
    if session.get_bind().dialect.name == "postgresql":
        reserve = text(
            "SELECT nextval(pg_get_serial_sequence(:t, 'id')) FROM generate_series(1, :n)"
        )
        return [int(i) for i in session.scalars(reserve, {"t": table.name, "n": count})]
    start = int(session.scalar(select(func.coalesce(func.max(table.c.id), 0))) or 0) + 1
    return list(range(start, start + count))


def insert_returning_ids(
    session: Session, table: Table, rows: Sequence[dict[str, Any]]
) -> list[int]:
    """Insert many rows with reserved ids; return the ids in input order.

    Core statements and a plain executemany (pipelined on psycopg 3): a multi-row
    ``INSERT ... RETURNING`` costs psycopg more to parse than the server to run, and SQLite
    runs an order-preserving RETURNING row by row (decision 0003).
    """
    ids = reserve_ids(session, table, len(rows))
    bulk_insert(session, table, [{**row, "id": i} for row, i in zip(rows, ids, strict=True)])
    return ids


def _tuples(
    rows: Sequence[Any],
    pick: Pick | None,
    processors: list[Callable[[Any], Any] | None],
    repeats: list[bool],
) -> list[Any]:
    """Positional parameters: values picked per row, processors applied only to the columns
    that have one (a national load passes a hundred million rows through here), and remembered
    for dates and instants, which repeat from row to row."""
    convert = [
        (i, _remembered(p) if repeats[i] else p) for i, p in enumerate(processors) if p is not None
    ]
    if not convert:
        return [pick(row) for row in rows] if pick else list(rows)
    params = []
    for row in rows:
        values = list(pick(row) if pick else row)
        for i, processor in convert:
            value = values[i]
            if value is not None:
                values[i] = processor(value)
        params.append(tuple(values))
    return params


def _repeats(kind: Any) -> bool:
    """Dates and instants: hashable, few distinct values in a batch, converted the same way."""
    if isinstance(kind, TypeDecorator):
        kind = kind.impl
    return isinstance(kind, Date | DateTime)


def _remembered(processor: Callable[[Any], Any]) -> Callable[[Any], Any]:
    seen: dict[Any, Any] = {}

    def convert(value: Any) -> Any:
        # Equal aware instants in different zones are one key, and convert to one UTC value.
        found = seen.get(value)
        if found is None:
            found = seen[value] = processor(value)
        return found

    return convert


def _copy(
    connection: Connection,
    table: Table,
    names: list[str],
    processors: list[Callable[[Any], Any] | None],
    rows: Sequence[Any],
    pick: Pick | None,
) -> None:
    """PostgreSQL: COPY FROM STDIN on the transaction's own connection (one round trip)."""
    driver = connection.connection.driver_connection
    columns = ", ".join(f'"{name}"' for name in names)
    statement = f'COPY "{table.name}" ({columns}) FROM STDIN'
    dbapi: Any = connection.dialect.dbapi
    try:
        with driver.cursor() as cursor, cursor.copy(statement) as copy:  # type: ignore[union-attr]
            for row in rows:
                values = pick(row) if pick else row
                copy.write_row([_apply(p, v) for p, v in zip(processors, values, strict=True)])
    except dbapi.IntegrityError as error:
        # Present driver errors as SQLAlchemy's, like every other statement, so the unit of work
        # recognises a lost race.
        raise exc.IntegrityError(statement, None, error) from error
    except dbapi.OperationalError as error:
        raise exc.OperationalError(statement, None, error) from error


def _processor(kind: Any, dialect: Dialect) -> Callable[[Any], Any] | None:
    if dialect.name == "sqlite" and type(kind) is LargeBinary:
        # sqlite3 binds bytes (and bytearray, memoryview) as a BLOB itself; SQLAlchemy's
        # processor only wraps each value in a memoryview first, 8 % of a national load's
        # loader process (a ``cose``, a log ``entry`` and a ``leaf_hash`` per credential).
        return None
    processor: Callable[[Any], Any] | None = kind.bind_processor(dialect)
    if processor is None and isinstance(kind, JSON):
        # psycopg's JSON adaptation happens in SQLAlchemy's execution context, which the driver
        # path skips; the statement casts the text to JSON.
        return _json_text
    return processor


def _json_text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _apply(processor: Callable[[Any], Any] | None, value: Any) -> Any:
    return value if processor is None or value is None else processor(value)
