"""Writing many rows fast: batches of executemany, or COPY on PostgreSQL, each batch its own
transaction, and the ids of inserted rows found again by their ordinal within the scan.

The machinery under ``writer`` (a scan's rows); it knows tables, not scans.
"""

from __future__ import annotations

import bisect
import contextlib
import json
from collections.abc import Iterable, Iterator
from typing import Any, cast

from sqlalchemy import JSON, Connection, Engine, Table, func, insert, select

from auditor.store import tables as t


@contextlib.contextmanager
def writing(engine: Engine) -> Iterator[Connection]:
    """A connection for writes: on SQLite each of its transactions takes the write lock up front
    (``BEGIN IMMEDIATE``, see ``engine``), so a writer waits its turn instead of failing half-way."""
    with engine.connect() as conn:
        yield conn.execution_options(sqlite_write=True)


def table_of(model: type[t.Base]) -> Table:
    """A model's table, as the Table it is (SQLAlchemy types ``__table__`` as any FromClause)."""
    return cast(Table, model.__table__)


class IdRanges:
    """Ids of rows inserted batch by batch, found again by ordinal within each batch's id range.

    Before a batch the table's largest id is noted, after it the largest again; the rows of
    the batch lie between (with any rows other scans wrote meanwhile, told apart by scan id),
    so a lookup reads a primary-key range, never the whole scan.
    """

    def __init__(self, table: Table, scan_id: int) -> None:
        self.table = table
        self.scan_id = scan_id
        self.ranges: list[tuple[int, int, int, int]] = []  # first and last ordinal, id after, last id

    def insert(self, conn: Connection, rows: list[dict[str, Any]]) -> dict[int, int]:
        """Insert one batch (ascending ordinals); its ids by ordinal."""
        table = self.table
        with conn.begin():
            floor = conn.execute(select(func.max(table.c.id))).scalar() or 0
            write_batch(conn, table, rows)
            found = conn.execute(
                select(table.c.ordinal, table.c.id).where(table.c.id > floor, table.c.scan_id == self.scan_id)
            ).all()
        ids = dict(found)
        self.ranges.append((rows[0]["ordinal"], rows[-1]["ordinal"], floor, max(ids.values())))
        return ids

    def lookup(self, conn: Connection, ordinals: list[int]) -> dict[int, int]:
        """Ids of rows inserted earlier, by ordinal."""
        ids: dict[int, int] = {}
        table = self.table
        starts = [r[0] for r in self.ranges]
        wanted: dict[int, list[int]] = {}
        for ordinal in ordinals:
            wanted.setdefault(bisect.bisect_right(starts, ordinal) - 1, []).append(ordinal)
        with conn.begin():
            for index, numbers in wanted.items():
                _, _, floor, last = self.ranges[index]
                for chunk in range(0, len(numbers), 500):
                    part = numbers[chunk : chunk + 500]
                    ids.update(
                        conn.execute(
                            select(table.c.ordinal, table.c.id).where(
                                table.c.id > floor,
                                table.c.id <= last,
                                table.c.scan_id == self.scan_id,
                                table.c.ordinal.in_(part),
                            )
                        ).all()
                    )
        return ids


def batched(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def write_batch(conn: Connection, table: Table, batch: list[dict[str, Any]]) -> None:
    """One batch inside the caller's transaction: COPY on PostgreSQL, executemany elsewhere."""
    (_copy_rows if conn.dialect.name == "postgresql" else _execute_many)(conn, table, batch)


def in_batches(conn: Connection, table: Table, rows: Iterable[dict[str, Any]], size: int) -> None:
    """Insert rows, ``size`` to a transaction: COPY on PostgreSQL, executemany elsewhere."""
    write = _copy_rows if conn.dialect.name == "postgresql" else _execute_many
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            with conn.begin():
                write(conn, table, batch)
            batch = []
    if batch:
        with conn.begin():
            write(conn, table, batch)


def _execute_many(conn: Connection, table: Table, batch: list[dict[str, Any]]) -> None:
    conn.execute(insert(table), batch)


def _copy_rows(conn: Connection, table: Table, batch: list[dict[str, Any]]) -> None:
    """psycopg's executemany sends a statement per row; COPY streams the batch (about 5x faster)."""
    columns = list(batch[0])
    as_json = {c for c in columns if isinstance(table.c[c].type, JSON)}
    statement = f"COPY {table.name} ({', '.join(columns)}) FROM STDIN"
    driver = conn.connection.driver_connection  # psycopg's own connection, for COPY
    assert driver is not None, "a live connection has its driver connection"
    with driver.cursor() as cursor, cursor.copy(statement) as copy:
        for row in batch:
            copy.write_row([json.dumps(row[c]) if c in as_json else row[c] for c in columns])


def insert_numbered(conn: Connection, table: Table, scan_id: int, rows: list[dict[str, Any]], size: int) -> list[int]:
    """Insert rows carrying ``ordinal`` 0..n-1; their ids in that order.

    Plain multi-row inserts, then one read of (ordinal, id): RETURNING with guaranteed order
    falls back to a statement per row on some backends, which is 10x slower.
    """
    in_batches(conn, table, rows, size)
    if not rows:
        return []
    with conn.begin():
        numbered = conn.execute(select(table.c.ordinal, table.c.id).where(table.c.scan_id == scan_id)).all()
    ids = [0] * len(rows)
    for ordinal, row_id in numbered:
        ids[ordinal] = row_id
    return ids
