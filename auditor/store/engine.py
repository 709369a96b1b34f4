"""Which database, and a working connection to it, or one clear line saying why not.

The URL comes from ``--db``, else ``AUDITOR_DATABASE_URL``, else a SQLite file
``.auditor/findings.db`` under the project root (see ``project_root``). A password is never
printed: every message renders the URL with ``hide_password=True``.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError

from auditor.errors import ConfigError

ENV_URL = "AUDITOR_DATABASE_URL"
DEFAULT_DIR = ".auditor"
DEFAULT_FILE = "findings.db"
SQLITE_BUSY_SECONDS = 60


def project_root(paths: Sequence[str] = ()) -> Path:
    """The folder whose ``.auditor/`` holds the default database.

    The git work tree containing the first scanned path (or, with no path, the current
    directory); outside git, the scanned directory itself (a file's folder), or the current
    directory.
    """
    local = [p for p in paths if "://" not in p]  # a Spark scan may read s3a://... too
    start = Path(local[0]).resolve() if local else Path.cwd().resolve()
    folder = start if start.is_dir() else start.parent
    top = git_output(folder, "rev-parse", "--show-toplevel")
    return Path(top) if top else folder


def git_output(folder: Path, *args: str) -> str | None:
    """One line of ``git -C folder ARGS``, or None outside a repository or without git."""
    try:
        done = subprocess.run(
            ["git", "-C", str(folder), *args], capture_output=True, text=True, timeout=10, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    out = done.stdout.strip()
    return out if done.returncode == 0 and out else None


def resolve_url(db: str | None, paths: Sequence[str] = (), config_file: Path | None = None) -> URL:
    """The database URL: ``db`` (a URL or a SQLite file path), the environment, the site file's
    ``database_url`` (``config_file``, else the one found from ``paths``), or the default."""
    raw = db or os.environ.get(ENV_URL) or ""
    base = Path.cwd()
    if not raw:
        site_url, site_folder = _site_database_url(paths, config_file)
        if site_url:
            raw, base = site_url, site_folder
    if not raw:
        return URL.create("sqlite", database=str(project_root(paths) / DEFAULT_DIR / DEFAULT_FILE))
    if "://" not in raw:  # a plain path names a SQLite file
        return URL.create("sqlite", database=str((base / Path(raw).expanduser()).resolve()))
    try:
        url = make_url(raw)
    except (ArgumentError, ValueError):
        scheme = raw.split("://", 1)[0]
        raise ConfigError(
            f"invalid database URL (scheme {scheme!r}); expected sqlite:///PATH or postgresql://..."
        ) from None
    backend, _, driver = url.drivername.partition("+")
    if backend in ("postgresql", "postgres"):
        # psycopg 3 is the driver auditor installs; plain postgresql:// would ask for psycopg2.
        if driver in ("", "psycopg2"):
            url = url.set(drivername="postgresql+psycopg")
        elif driver != "psycopg":
            raise ConfigError(
                f"unsupported database driver {url.drivername!r}: use postgresql:// (psycopg 3) or sqlite:///PATH"
            )
    elif backend != "sqlite" or driver not in ("", "pysqlite"):
        raise ConfigError(f"unsupported database {safe_url(url)}: auditor stores into sqlite or postgresql")
    elif url.database and url.database != ":memory:" and not url.database.startswith("file:"):
        url = url.set(database=str((base / Path(url.database).expanduser()).resolve()))
    if backend == "sqlite" and url.database in (None, "", ":memory:"):
        raise ConfigError("an in-memory SQLite database keeps nothing: pass a file (sqlite:///PATH) or --no-store")
    return url


def _site_database_url(paths: Sequence[str], config_file: Path | None = None) -> tuple[str | None, Path]:
    """``database_url`` from the scanned project's site file, and the folder it is relative to."""
    from auditor.siteconfig import find_config_file, load_site_config

    if config_file is None:
        start = Path(paths[0]) if paths else Path.cwd()
        config_file = find_config_file(start if start.exists() else Path.cwd())
    if config_file is None:
        return None, Path.cwd()
    return load_site_config(config_file).database_url, config_file.parent


def safe_url(url: URL) -> str:
    """The URL as it may be printed: password hidden."""
    return url.render_as_string(hide_password=True)


def make_engine(url: URL, *, create_file: bool = False) -> Engine:
    """An engine that has connected once, or ConfigError in one line (bad URL, file, server)."""
    if url.get_backend_name() == "sqlite":
        engine = _sqlite_engine(url, create_file)
    else:
        try:
            engine = create_engine(url, connect_args={"connect_timeout": 10}, pool_pre_ping=True)
        except (ArgumentError, NoSuchModuleError, ValueError, TypeError) as exc:
            raise ConfigError(f"invalid database URL {safe_url(url)}: {type(exc).__name__}") from None
    # SQLite opens any file lazily: reading the schema version is what finds "not a database".
    probe = "PRAGMA schema_version" if url.get_backend_name() == "sqlite" else "SELECT 1"
    try:
        with engine.connect() as conn:
            conn.execute(text(probe))
    except DBAPIError as exc:
        engine.dispose()
        raise ConfigError(f"cannot connect to database {safe_url(url)}: {_reason(exc, url)}") from None
    return engine


def _sqlite_engine(url: URL, create_file: bool) -> Engine:
    database = url.database or ""
    if database and database != ":memory:" and not database.startswith("file:"):
        path = Path(database)
        if not path.exists():
            if not create_file:
                raise ConfigError(f"no findings database at {path}: run `auditor scan` first, or pass --db URL")
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise ConfigError(f"cannot create the database folder {path.parent}: {exc.strerror}") from None
    engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_SECONDS})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # SQLAlchemy then issues BEGIN itself (below), so a transaction covers DDL too and a
        # writer takes the lock up front instead of failing half-way on SQLITE_BUSY.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_SECONDS * 1000}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("sqlite_write") else "BEGIN")

    return engine


def _reason(exc: DBAPIError, url: URL) -> str:
    """The driver's first line, with the password cut out in case a driver ever echoes it."""
    lines = str(exc.orig).strip().splitlines() or [type(exc.orig).__name__]
    reason = lines[0]
    if url.password:
        reason = reason.replace(str(url.password), "***")
    return reason
