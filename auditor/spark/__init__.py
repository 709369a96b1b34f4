"""Scanning request-log archives on Apache Spark (``pip install 'auditor[spark]'``).

``scan_logs(spark, path_or_dataframe)`` reads JSONL or Parquet request logs with Spark and
returns a ``SparkScan`` whose DataFrames hold findings (masked excerpt, fingerprint, location)
and judged flows: the same detectors, catalog, packs and verdicts as ``auditor scan``. The
site configuration, packs, waivers and fingerprint key travel to executors as data.
"""

from __future__ import annotations

import importlib.util

EXTRA_HINT = "pip install 'auditor[spark]'"

if importlib.util.find_spec("pyspark") is None:  # a clear line instead of a bare ModuleNotFoundError
    raise ImportError(f"auditor.spark needs PySpark: {EXTRA_HINT}")

from auditor.spark.scan import ScanTotals, SparkScan, scan_logs  # noqa: E402
from auditor.spark.session import spark_session  # noqa: E402

__all__ = ["ScanTotals", "SparkScan", "scan_logs", "spark_session"]
