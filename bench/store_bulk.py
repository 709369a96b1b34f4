"""Seconds to store one scan of 100,000 findings, on SQLite and on PostgreSQL.

    .venv/bin/python -m bench.store_bulk [--findings N] [--postgres URL]

PostgreSQL is measured when ``--postgres`` or ``AUDITOR_TEST_POSTGRES_URL`` names a server
(``.ci/with-postgres .venv/bin/python -m bench.store_bulk`` starts one); a fresh database is
created on it and dropped afterwards. Prints figures from one run; it passes or fails nothing.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from auditor.model import ScanResult
from auditor.store import open_database, record_scan
from bench.synthetic import synthetic_scan


def time_store(url: str, result: ScanResult) -> float:
    engine = open_database(url, write=True)
    start = time.perf_counter()
    with record_scan(engine, list(result.roots)) as recording:
        recording.complete(result)
    seconds = time.perf_counter() - start
    engine.dispose()
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--findings", type=int, default=100_000)
    parser.add_argument("--postgres", default=os.environ.get("AUDITOR_TEST_POSTGRES_URL"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        # 1,000 flows in request logs, each with its rule trail
        result = synthetic_scan(Path(tmp), args.findings, per_flow=max(1, args.findings // 1000))
        print(f"{args.findings} findings, {len(result.flows)} flows, {len(result.sources)} sources")
        print(f"sqlite      {time_store(f'sqlite:///{tmp}/findings.db', result):6.2f} s")
        if not args.postgres:
            print("postgresql  skipped (no --postgres URL or AUDITOR_TEST_POSTGRES_URL)")
            return
        admin_url = make_url(args.postgres).set(drivername="postgresql+psycopg")
        admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        name = f"auditor_bench_{uuid.uuid4().hex[:8]}"
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            url = admin_url.set(database=name).render_as_string(hide_password=False)
            print(f"postgresql  {time_store(url, result):6.2f} s")
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
            admin.dispose()


if __name__ == "__main__":
    main()
