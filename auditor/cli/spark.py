"""``auditor scan --engine spark``: request logs read and detected on Apache Spark; wiring only.

The work is ``auditor.spark.scan_logs``; this parses, starts the session, writes Parquet,
stores the scan (streamed from the executors) and prints the totals and each file's problems.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from typing import TYPE_CHECKING

import click

from auditor import interrupts
from auditor.config import ScanConfig
from auditor.errors import AuditorError, UsageError

if TYPE_CHECKING:  # PySpark loads only for --engine spark
    from auditor.spark.scan import ScanTotals

EXIT_FINDINGS = 1
PROBLEM_LINES_SHOWN = 10


class SparkJobError(AuditorError):
    """A Spark job failed after its retries (exit 3); its text stays in the Spark logs, since a
    Python worker's traceback may quote the data being read."""


def scan_on_spark(
    paths: list[str],
    config: ScanConfig,
    *,
    out: str | None,
    fmt: str | None,
    db: str | None,
    store: bool,
    master: str | None,
    input_format: str,
    exit_zero: bool,
) -> int:
    """Run the scan on Spark; exit 1 when a flow is at or above fail_on (unless ``exit_zero``)."""
    try:
        found = importlib.util.find_spec("pyspark") is not None
    except ImportError:
        found = False
    if not found:
        raise UsageError("--engine spark needs PySpark: pip install 'auditor[spark]'")
    from auditor.spark import scan_logs, spark_session
    from auditor.store import scan_into_database

    fmt = fmt or ("table" if out is None and sys.stdout.isatty() else "json")
    session = spark_session(master)
    try:
        with scan_into_database(db, paths, enabled=store, config_file=config.config_file) as recording:
            try:
                result = scan_logs(session, paths, config, input_format=input_format)
                try:
                    if out is not None:
                        result.write_parquet(out)
                    if recording.scan_id is not None:
                        result.store(recording)
                    totals = result.totals()
                    problems = result.problems_by_file(PROBLEM_LINES_SHOWN)
                finally:
                    result.unpersist()
            except AuditorError:
                raise
            except Exception as exc:
                if type(exc).__module__.split(".")[0] not in ("pyspark", "py4j"):
                    raise
                # A SIGTERM that lands in py4j's socket read comes out as Py4JNetworkError: the
                # scan was stopped, not failed (exit 130, stored interrupted).
                interrupts.raise_if_requested()
                raise SparkJobError(f"the Spark job failed ({type(exc).__name__}); see the Spark logs") from None
    finally:
        session.stop()
    if recording.scan_id is not None:
        click.echo(f"stored as scan {recording.scan_id} in {recording.where}", err=True)
    if out is not None:
        click.echo(f"wrote {out}: findings/, flows/, files/, problems/ (Parquet)", err=True)
    if fmt == "json":
        document = {
            **totals.__dict__,
            "fail_on": result.fail_on,
            "problems": [{"path": p, "kind": k, "count": n, "lines": lines} for p, k, n, lines in problems],
        }
        click.echo(json.dumps(document, indent=2))
    else:
        click.echo(_table(totals, result.fail_on, problems), nl=False)
    return 0 if exit_zero or not totals.failing else EXIT_FINDINGS


def _table(totals: ScanTotals, fail_on: str, problems: list[tuple[str, str, int, list[int]]]) -> str:
    verdicts = ", ".join(f"{name} {count}" for name, count in totals.by_decision.items())
    lines = [
        f"{totals.files} files, {totals.findings} findings, {totals.flows} flows ({verdicts}); "
        f"{totals.failing} at or above fail_on={fail_on}"
    ]
    for path, kind, count, numbers in problems:
        shown = ", ".join(str(n) for n in numbers) + (", ..." if count > len(numbers) else "")
        where = f" (line {shown})" if numbers else ""  # a whole JSON document has no line
        lines.append(f"  {path}: {count} {kind.replace('_', ' ')}{where}")
    return "\n".join(lines) + "\n"
