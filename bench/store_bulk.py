"""Seconds to store one scan of 100,000 findings, on SQLite and on PostgreSQL.

    .venv/bin/python bench/store_bulk.py [--findings N] [--postgres URL]

PostgreSQL is measured when ``--postgres`` or ``AUDITOR_TEST_POSTGRES_URL`` names a server
(``.ci/with-postgres .venv/bin/python bench/store_bulk.py`` starts one); a fresh database is
created on it and dropped afterwards. Prints figures from one run; it passes or fails nothing.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from auditor.model import (  # noqa: E402
    AssessedFlow,
    Category,
    Decision,
    Destination,
    DestinationKind,
    Finding,
    Flow,
    FlowKind,
    Location,
    ScanResult,
    Sink,
    SourceSummary,
    Verdict,
)
from auditor.store import open_database, record_scan  # noqa: E402


def synthetic_result(root: str, count: int) -> ScanResult:
    """``count`` findings over 1,000 JSONL files, one flow per file carrying its findings."""
    per_file = max(1, count // 1000)
    findings, flows, sources = [], [], []
    for n in range(count):
        path = f"{root}/logs/requests-{n // per_file:04d}.jsonl"
        location = Location(path, n % per_file + 1, 12, record=n % per_file, pointer="/messages/0/content")
        findings.append(
            Finding("auditor.MRN", "MEDICAL_RECORD_NUMBER", Category.PHI, 0.85, location, "MRN ******21", f"{n:064x}")
        )
    for start in range(0, count, per_file):
        carried = tuple(findings[start : start + per_file])
        loc = carried[0].location
        sources.append(SourceSummary(loc.path, "jsonl", 4096, 4000))
        flow = Flow(
            FlowKind.RECORD,
            Sink(loc, "request record"),
            Destination("openai", DestinationKind.EXTERNAL, "url"),
            carried,
        )
        flows.append(AssessedFlow(flow, Verdict(Decision.CONDITIONAL)))
    return ScanResult(
        roots=(root,),
        started_at="2024-06-01T00:00:00+00:00",
        finished_at="2024-06-01T00:00:00+00:00",
        tool_version="bench",
        model_name="none",
        min_confidence=0.4,
        sources=tuple(sources),
        skipped=(),
        findings=tuple(findings),
        flows=tuple(flows),
    )


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
        result = synthetic_result(tmp, args.findings)
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
