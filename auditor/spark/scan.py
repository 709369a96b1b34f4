"""The driver side of a Spark scan: read the logs, run the executors' stages, hand back DataFrames.

Stages, each a Spark job:

1. JSONL only: count the lines of every file block (``_metadata.file_block_start``), so each
   executor knows the file line number its block starts at; no Python runs in this one.
2. Detect: each partition's records through the worker's detector (``executor.py``); a
   ``.json`` document is read whole, as ``auditor scan`` reads it. The output (findings and
   request facts: never text) is cached; everything after reads it.
3. Number: findings get their scan-wide ordinal, request records become judged flows, and
   findings no record carries are grouped per file and category into document flows.

Only masked excerpts, keyed fingerprints and locations reach a DataFrame.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from auditor.config import ScanConfig
from auditor.detectors import Detector
from auditor.errors import ModelNotInstalledError, UsageError
from auditor.fingerprint import load_key
from auditor.model import (
    AssessedFlow,
    Decision,
    Finding,
    ScanResult,
    SkippedSource,
    SourceSummary,
)
from auditor.pathnames import mask_path
from auditor.policy import Policy
from auditor.sources.files import display_path
from auditor.spark import executor
from auditor.spark.executor import MALFORMED, PARTITION_FAILED, UNREADABLE, FileCounts, Item, ScanPlan
from auditor.spark.rows import FILE_SCHEMA, FINDING_SCHEMA, FLOW_SCHEMA, PROBLEM_SCHEMA, finding_row, flow_row
from auditor.version import __version__

if TYPE_CHECKING:
    from pyspark import RDD, Broadcast
    from pyspark.sql import DataFrame, SparkSession

    from auditor.store import ScanRecording

# Files read from a directory in JSONL mode (Spark decompresses .gz by its suffix).
JSONL_GLOB = "*.{jsonl,ndjson,jsonl.gz,ndjson.gz}"
# JSON documents (a record, or an array of records), read whole as ``auditor scan`` reads them.
JSON_GLOB = "*.json"
JSON_SUFFIX = ".json"
PARQUET_GLOB = "*.parquet"
_LOCAL_MASTER = re.compile(r"local(?:\[(?:\*|\d+)(?:,\s*(\d+))?\])?$")


@dataclass(frozen=True)
class ScanTotals:
    """What the driver knows of a finished Spark scan without collecting it."""

    files: int
    problems: int
    findings: int
    flows: int
    by_decision: dict[str, int]
    failing: int


class SparkScan:
    """The result of ``scan_logs``: DataFrames of findings, flows, files and problems.

    ``findings`` and ``flows`` are linked by ``finding_id`` (``flows.finding_ids``). The
    detection stage is cached, so writing, counting and storing do not detect again; call
    ``unpersist()`` when done.
    """

    def __init__(self, spark: SparkSession, plan: ScanPlan, roots: Sequence[str], started_at: str) -> None:
        self.spark = spark
        self.plan = plan
        self.roots = tuple(roots)
        self.started_at = started_at
        self.input_kind = "jsonl"
        self._cached: list[RDD[Any]] = []
        self._finding_count = 0
        self._scanned: RDD[Item]
        self._finding_items: RDD[tuple[int, Finding]]
        self._flow_items: RDD[tuple[int, AssessedFlow, tuple[int, ...]]]
        self._file_items: RDD[tuple[str, FileCounts]]
        self._problem_items: RDD[tuple[Any, ...]]

    # The DataFrames: built on demand from the cached stages.
    @property
    def findings(self) -> DataFrame:
        return self.spark.createDataFrame(self._finding_items.map(lambda t: finding_row(t[0], t[1])), FINDING_SCHEMA)

    @property
    def flows(self) -> DataFrame:
        fail_on = self.fail_on
        rows = self._flow_items.map(lambda t: flow_row(t[0], t[1], t[2], fail_on))
        return self.spark.createDataFrame(rows, FLOW_SCHEMA)

    @property
    def files(self) -> DataFrame:
        rows = self._file_items.map(lambda t: (t[0], *_counts_tuple(t[1])))
        return self.spark.createDataFrame(rows, FILE_SCHEMA)

    @property
    def problems(self) -> DataFrame:
        return self.spark.createDataFrame(self._problem_items, PROBLEM_SCHEMA)

    @property
    def fail_on(self) -> str:
        return self.plan.config.fail_on or self.plan.policy.site.fail_on

    def totals(self) -> ScanTotals:
        """Counts, computed by Spark on the cached stages (nothing large comes to the driver):
        two jobs, one over the detection output and one over the flows."""
        fail_on = self.fail_on
        files: set[str] = set()
        problems = 0
        for paths, count in self._scanned.mapPartitions(_files_and_problems).collect():
            files |= paths
            problems += count
        by_decision = {d.value: 0 for d in Decision}
        failing = 0
        verdicts = self._flow_items.map(lambda t: (t[1].verdict.decision.value, t[1].verdict.fails(fail_on)))
        for (decision, fails), count in verdicts.countByValue().items():
            by_decision[decision] += count
            failing += count if fails else 0
        return ScanTotals(
            files=len(files),
            problems=problems,
            findings=self._finding_count,
            flows=sum(by_decision.values()),
            by_decision=by_decision,
            failing=failing,
        )

    def write_parquet(self, out: str | Path) -> None:
        """``findings/``, ``flows/``, ``files/`` and ``problems/`` under ``out`` (each replaced)."""
        base = str(out).rstrip("/")
        for name in ("findings", "flows", "files", "problems"):
            getattr(self, name).write.mode("overwrite").parquet(f"{base}/{name}")

    # Streaming to the driver, partition by partition (never collected whole).
    def iter_findings(self) -> Iterator[tuple[int, Finding]]:
        return iter(self._finding_items.toLocalIterator())

    def iter_flows(self) -> Iterator[tuple[int, AssessedFlow, tuple[int, ...]]]:
        return iter(self._flow_items.toLocalIterator())

    def iter_sources(self) -> Iterator[SourceSummary | SkippedSource]:
        """Files scanned, then what was skipped as ``auditor scan`` lists it (malformed lines,
        nested too deep, JSON documents that are not text) and partitions that failed on their
        last attempt."""
        for path, counts in sorted(self._file_items.collect()):  # one row a file
            if counts.lines or (counts.format == "json" and counts.records + counts.malformed):
                yield SourceSummary(path, counts.format or self.input_kind, counts.size, counts.chars)
        for path, line, kind, reason in self._problem_items.toLocalIterator():
            if kind in (MALFORMED, PARTITION_FAILED, UNREADABLE):
                yield SkippedSource(path, reason, line=line)

    def store(self, recording: ScanRecording) -> None:
        """Store the scan through a recording (``auditor.store.record_scan``), streamed from the
        executors partition by partition; the recording is ``complete`` only once all is written."""
        from auditor.store import StreamedSettings

        settings = StreamedSettings(
            model_name=self.plan.config.model_name,
            min_confidence=self.plan.config.min_confidence,
            fail_on=self.fail_on,
            config_sha256=self.plan.policy.site.sha256,
            packs=self.plan.policy.pack_refs,
            waivers=self.plan.policy.waiver_statuses(),
        )
        recording.complete_streamed(settings, self.iter_sources(), self.iter_findings(), self.iter_flows())

    def problems_by_file(self, limit: int = 10) -> list[tuple[str, str, int, list[int]]]:
        """(path, kind, count, first ``limit`` lines) for each file and kind of problem."""
        from pyspark.sql import functions as F

        grouped = self.problems.groupBy("path", "kind").agg(
            F.count("*").alias("count"), F.slice(F.sort_array(F.collect_list("line")), 1, limit).alias("lines")
        )
        return sorted((str(r.path), str(r.kind), int(r["count"]), [int(n) for n in r.lines]) for r in grouped.collect())

    def to_result(self) -> ScanResult:
        """The whole result as one ``ScanResult``, collected on the driver: for small scans and tests."""
        findings = [f for _, f in sorted(self.iter_findings(), key=lambda t: t[0])]
        sources = list(self.iter_sources())
        return ScanResult(
            roots=self.roots,
            started_at=self.started_at,
            finished_at=_now(),
            tool_version=__version__,
            model_name=self.plan.config.model_name,
            min_confidence=self.plan.config.min_confidence,
            sources=tuple(s for s in sources if isinstance(s, SourceSummary)),
            skipped=tuple(s for s in sources if isinstance(s, SkippedSource)),
            findings=tuple(findings),
            records=(),
            flows=tuple(f for _, f, _ in sorted(self.iter_flows(), key=lambda t: t[0])),
            packs=self.plan.policy.pack_refs,
            waivers=self.plan.policy.waiver_statuses(),
            fail_on=self.fail_on,
            config_sha256=self.plan.policy.site.sha256,
        )

    def unpersist(self) -> None:
        for rdd in self._cached:
            rdd.unpersist()
        self._cached.clear()


def scan_logs(
    spark: SparkSession,
    path_or_dataframe: str | Sequence[str] | DataFrame,
    config: ScanConfig | None = None,
    *,
    policy: Policy | None = None,
    input_format: str = "auto",
    name: str = "dataframe",
    make_detector: Callable[[ScanConfig], Detector] | None = None,
) -> SparkScan:
    """Scan request logs with Spark: JSONL or Parquet files (local paths or any URI Spark
    reads, e.g. ``s3a://``), or a DataFrame of records. Same detectors, catalog, packs and
    verdicts as ``auditor scan``.

    ``input_format``: ``auto`` (Parquet when every path ends in ``.parquet`` or is a local
    directory of them, else JSON logs), ``jsonl`` (JSON logs: JSONL files line by line, and
    ``.json`` files whole, a record or an array of records) or ``parquet``. A DataFrame's rows
    are records (one string column ``value`` is read as JSONL lines), shown under ``name``.
    ``make_detector(config)`` replaces the detector ``auditor scan`` would build.
    """
    from pyspark.sql import DataFrame
    from pyspark.storagelevel import StorageLevel

    from auditor.pipeline import log_formats_for, policy_for_scan

    config = config or ScanConfig()
    started = _now()
    frame = path_or_dataframe if isinstance(path_or_dataframe, DataFrame) else None
    paths: list[str] = [] if isinstance(path_or_dataframe, DataFrame) else _as_list(path_or_dataframe)
    if frame is None and not paths:
        raise UsageError("scan_logs needs a path or a DataFrame")
    local = [p for p in paths if _is_local(p)]
    for path in local:
        if not os.path.exists(_local_path(path)):
            raise UsageError(f"{path}: no such file or directory")
    # Configuration and rules first, on the driver: a bad file is exit 2 before any job runs.
    policy = policy or policy_for_scan([_local_path(p) for p in local], config)
    _check_model(config.model_name)
    formats = log_formats_for(policy.site)
    key = load_key()
    plan = ScanPlan(config, policy, key, max_failures(spark), make_detector, os.getcwd(), formats)
    sc = spark.sparkContext
    plan_bc = sc.broadcast(plan.dumps())
    # File names are data too: the roots are shown masked, as ``auditor scan`` shows them.
    roots = [mask_path(p if "://" in p else display_path(p), key) for p in paths] or [mask_path(name, key)]
    result = SparkScan(spark, plan, roots, started)

    if frame is not None:
        scanned = _scan_dataframe(frame, plan_bc, name)
        result.input_kind = "dataframe"
    else:
        kind = input_format if input_format != "auto" else _guess_format(paths)
        if kind not in ("jsonl", "parquet"):
            raise UsageError(f"input format must be auto, jsonl or parquet, not {input_format!r}")
        result.input_kind = kind
        scanned = _scan_json_logs(spark, paths, plan_bc) if kind == "jsonl" else _scan_parquet(spark, paths, plan_bc)
    scanned.persist(StorageLevel.MEMORY_AND_DISK)
    result._cached.append(scanned)
    result._scanned = scanned

    counts = scanned.mapPartitions(_finding_count).collect()
    result._finding_count = sum(counts)
    offsets = [sum(counts[:i]) for i in range(len(counts))]
    numbered = scanned.mapPartitionsWithIndex(partial(_number, plan_bc, offsets))
    numbered.persist(StorageLevel.MEMORY_AND_DISK)
    result._cached.append(numbered)

    result._finding_items = numbered.filter(lambda t: t[0] == "finding").map(lambda t: (t[1], t[2]))
    record_flows = numbered.filter(lambda t: t[0] == "flow").map(lambda t: (t[1], t[2]))
    document_flows = (
        numbered.filter(lambda t: t[0] == "document")
        .map(lambda t: (t[1], (t[2], t[3])))
        .groupByKey()
        .map(lambda kv: _document(plan_bc, kv[1]))
    )
    flows = record_flows.union(document_flows).zipWithIndex().map(lambda pair: (pair[1], *pair[0]))
    flows.persist(StorageLevel.MEMORY_AND_DISK)
    result._cached.append(flows)
    result._flow_items = flows
    result._file_items = (
        scanned.filter(lambda t: t[0] == executor.FILE).map(lambda t: (t[1], t[2])).reduceByKey(lambda a, b: a.add(b))
    )
    result._problem_items = scanned.filter(lambda t: t[0] == executor.PROBLEM).map(lambda t: tuple(t[1:]))
    return result


def _finding_count(items: Iterable[Item]) -> list[int]:
    return [sum(1 for item in items if item[0] == executor.FINDING)]


def _files_and_problems(items: Iterable[Item]) -> list[tuple[set[str], int]]:
    files: set[str] = set()
    problems = 0
    for item in items:
        if item[0] == executor.FILE:
            files.add(item[1])
        elif item[0] == executor.PROBLEM:
            problems += 1
    return [(files, problems)]


def _number(plan_bc: Broadcast[bytes], offsets: list[int], index: int, items: Iterable[Item]) -> Iterator[Item]:
    return executor.number_partition(plan_bc.value, offsets, index, items)


def _document(
    plan_bc: Broadcast[bytes], numbered: Iterable[tuple[int, Finding]]
) -> tuple[AssessedFlow, tuple[int, ...]]:
    return executor.document_flow(plan_bc.value, numbered)


def _scan_json_logs(spark: SparkSession, paths: list[str], plan_bc: Broadcast[bytes]) -> RDD[Item]:
    """JSONL files line by line, and ``.json`` files whole; a folder gives both kinds."""
    folders = [p for p in paths if _is_directory(p)]
    documents = [p for p in paths if p.rstrip("/").lower().endswith(JSON_SUFFIX) and p not in folders]
    lines = [p for p in paths if p not in documents]
    parts: list[RDD[Item]] = []
    if lines:
        reader = spark.read.option("recursiveFileLookup", "true")
        if folders:
            reader = reader.option("pathGlobFilter", JSONL_GLOB)
        parts.append(_scan_text(reader.text(lines), plan_bc))
    if documents or folders:
        reader = spark.read.format("binaryFile").option("recursiveFileLookup", "true")
        whole = reader.option("pathGlobFilter", JSON_GLOB).load(documents + folders).select("path", "length", "content")
        parts.append(whole.rdd.mapPartitions(lambda rows: executor.scan_document_partition(plan_bc.value, iter(rows))))
    return parts[0] if len(parts) == 1 else spark.sparkContext.union(parts)


def _scan_text(frame: DataFrame, plan_bc: Broadcast[bytes]) -> RDD[Item]:
    """JSONL lines: a first job counts each file block's lines, so lines are numbered."""
    with_meta = frame.select("value", "_metadata.file_path", "_metadata.file_block_start", "_metadata.file_size")
    blocks = with_meta.groupBy("file_path", "file_block_start").count().collect()
    starts: dict[tuple[str, int], int] = {}
    following: dict[str, int] = {}
    for row in sorted(blocks, key=lambda r: (r.file_path, r.file_block_start)):
        starts[(row.file_path, row.file_block_start)] = following.get(row.file_path, 1)
        following[row.file_path] = following.get(row.file_path, 1) + row["count"]
    starts_bc = frame.sparkSession.sparkContext.broadcast(starts)
    return with_meta.rdd.mapPartitions(
        lambda rows: executor.scan_text_partition(plan_bc.value, starts_bc.value, iter(rows))
    )


def _scan_parquet(spark: SparkSession, paths: list[str], plan_bc: Broadcast[bytes]) -> RDD[Item]:
    reader = spark.read.option("recursiveFileLookup", "true")
    if any(_is_directory(p) for p in paths):
        reader = reader.option("pathGlobFilter", PARQUET_GLOB)
    frame = reader.parquet(*paths)
    columns = list(frame.columns)
    with_meta = frame.select(
        *[frame[c] for c in columns],
        frame["_metadata.file_path"].alias("file_path"),
        frame["_metadata.row_index"].alias("record_index"),
        frame["_metadata.file_size"].alias("file_size"),
    )
    return with_meta.rdd.mapPartitions(
        lambda rows: executor.scan_record_partition(plan_bc.value, columns, "parquet", iter(rows))
    )


def _scan_dataframe(frame: DataFrame, plan_bc: Broadcast[bytes], name: str) -> RDD[Item]:
    """A DataFrame's rows in their order: record index from ``zipWithIndex``."""
    from pyspark.sql import Row

    columns = list(frame.columns)
    as_lines = columns == ["value"] and dict(frame.dtypes)["value"] == "string"

    def numbered(pair: tuple[Row, int]) -> Row:
        row, index = pair
        fields = row.asDict(recursive=False)
        if as_lines:
            return Row(value=fields["value"], file_path=name, file_block_start=0, file_size=0, line=index + 1)
        return Row(**fields, file_path=name, record_index=index, file_size=0)

    rows = frame.rdd.zipWithIndex().map(numbered)
    if as_lines:
        return rows.mapPartitions(lambda part: executor.scan_numbered_lines(plan_bc.value, iter(part)))
    return rows.mapPartitions(
        lambda part: executor.scan_record_partition(plan_bc.value, columns, "dataframe", iter(part))
    )


def max_failures(spark: SparkSession) -> int:
    """How many attempts Spark gives a task: ``spark.task.maxFailures``, or ``local[N,F]``'s F
    (local mode ignores the setting and tries once unless the master names F)."""
    master = spark.sparkContext.master or ""
    local = _LOCAL_MASTER.match(master)
    if local:
        return int(local.group(1) or 1)
    return int(spark.sparkContext.getConf().get("spark.task.maxFailures", "4"))


def _check_model(model_name: str) -> None:
    """The spaCy pipeline must be installed here; executors need the same package installed."""
    import importlib.util

    if importlib.util.find_spec(model_name) is None:
        raise ModelNotInstalledError(
            f"spaCy pipeline {model_name!r} is not installed; auditor never downloads one (pip install it)"
        )


def _guess_format(paths: Sequence[str]) -> str:
    def parquet(path: str) -> bool:
        if path.rstrip("/").endswith(".parquet"):
            return True
        if _is_local(path) and os.path.isdir(_local_path(path)):
            names = [n for _, _, files in os.walk(_local_path(path)) for n in files if not n.startswith((".", "_"))]
            return bool(names) and all(n.endswith(".parquet") for n in names)
        return False

    return "parquet" if all(parquet(p) for p in paths) else "jsonl"


def _as_list(paths: str | Sequence[str]) -> list[str]:
    return [paths] if isinstance(paths, str) else [str(p) for p in paths]


def _is_local(path: str) -> bool:
    return "://" not in path or path.startswith("file:")


def _local_path(path: str) -> str:
    return path.removeprefix("file://").removeprefix("file:")


def _is_directory(path: str) -> bool:
    return not _is_local(path) or os.path.isdir(_local_path(path))


def _counts_tuple(counts: FileCounts) -> tuple[int | str, ...]:
    return (
        counts.size,
        counts.lines,
        counts.records,
        counts.chars,
        counts.malformed,
        counts.unknown_shape,
        counts.failed_partitions,
        counts.format,
    )


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def summary_json(totals: ScanTotals) -> str:
    """The totals as one JSON object (what ``auditor scan --engine spark --format json`` prints)."""
    return json.dumps(totals.__dict__, indent=2) + "\n"
