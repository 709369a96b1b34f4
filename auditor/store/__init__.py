"""The findings database: every scan, its sources, findings and flows, in SQLite or PostgreSQL.

``open_database(db, paths, write=...)`` finds the database (``--db``, ``AUDITOR_DATABASE_URL``
or ``.auditor/findings.db`` under the project root) and checks its schema; ``record_scan``
stores one scan; ``auditor.store.repository`` answers the questions.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from pathlib import Path

from sqlalchemy import Engine

from auditor.model import ScanResult
from auditor.store.engine import make_engine, project_root, resolve_url, safe_url
from auditor.store.schema import ensure_schema
from auditor.store.writer import ScanRecording, StreamedSettings, record_scan, sigterm_as_interrupt

__all__ = [
    "ScanRecording",
    "open_database",
    "project_root",
    "record_scan",
    "resolve_url",
    "safe_url",
    "scan_into_database",
    "sigterm_as_interrupt",
    "StreamedSettings",
]


def open_database(
    db: str | None = None, paths: Sequence[str] = (), *, write: bool = False, config_file: Path | None = None
) -> Engine:
    """An engine on the findings database, its schema checked (and created if ``write`` and new).

    Raises ConfigError (one line, password hidden) for a bad URL, a missing file when reading,
    an unreachable server, or a schema behind the code (run ``auditor db upgrade``).
    """
    engine = make_engine(resolve_url(db, paths, config_file), create_file=write)
    try:
        ensure_schema(engine, create=write)
    except BaseException:
        engine.dispose()
        raise
    return engine


class _NotStored:
    """Stands in for a recording when a scan is not stored (``--no-store``)."""

    scan_id = None
    where = None

    def complete(self, result: ScanResult) -> None:
        """Nothing to store."""


@contextlib.contextmanager
def scan_into_database(
    db: str | None, paths: Sequence[str], *, enabled: bool = True, config_file: Path | None = None
) -> Iterator[ScanRecording | _NotStored]:
    """What ``auditor scan`` wraps its work in: a recording (``complete(result)`` stores it).

    The database is opened (and a new one given its schema) before the scan starts, so a bad
    URL fails fast; SIGTERM inside ends the scan ``interrupted`` like Ctrl-C.
    """
    if not enabled:
        yield _NotStored()
        return
    engine = open_database(db, paths, write=True, config_file=config_file)
    try:
        with sigterm_as_interrupt(), record_scan(engine, paths) as recording:
            yield recording
    finally:
        engine.dispose()
