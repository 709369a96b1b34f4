"""The executor side of a Spark scan: one detector per Python worker, records to findings and flows.

Everything here runs inside Spark's Python workers and imports no pyspark at module level
except ``TaskContext``, so it is importable and testable without a cluster. What the driver
knew (scan settings, the site configuration, packs, catalog and waivers, the fingerprint key)
arrives as one pickled ``ScanPlan``; nothing is read from a path that exists only on the
driver. The plan's detector is built once per worker process and reused by every partition
that worker runs (Spark reuses Python workers across tasks by default).
"""

from __future__ import annotations

import hashlib
import json
import pickle
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlsplit

from auditor.config import ScanConfig
from auditor.detectors import Detector
from auditor.errors import AuditorError
from auditor.findings import findings_from_unit
from auditor.flows.records import document_flows, record_flows
from auditor.model import AssessedFlow, Finding, RecordContext
from auditor.policy import Policy
from auditor.sources import TextUnit
from auditor.sources.jsonlog import jsonl_line_events, record_events
from auditor.sources.logformats import LogFormats

# What a partition yields to the driver's later stages, as tagged tuples (cheap to pickle).
FINDING = "finding"  # (FINDING, Finding)
RECORD = "record"  # (RECORD, RecordContext)
PROBLEM = "problem"  # (PROBLEM, path, line | None, kind, reason)
FILE = "file"  # (FILE, path, FileCounts)
# Detection batches, as in ``auditor scan``: a file's records together up to this many
# characters (spaCy batched over them); a unit that large alone, window by window.
BATCH_CHARS = 200_000
# Problem kinds; malformed and too-deep lines are also what ``auditor scan`` lists as skipped.
MALFORMED = "malformed"
UNKNOWN_SHAPE = "unknown_shape"
PARTITION_FAILED = "partition_failed"


@dataclass(frozen=True)
class ScanPlan:
    """What every executor needs, shipped as data: settings, policy and the site key.

    The key travels inside the broadcast so that executors fingerprint with the site's key
    (an executor has no key file and must not invent one). On a shared cluster turn on
    ``spark.io.encryption.enabled`` and ``spark.authenticate`` so broadcasts are protected.
    """

    config: ScanConfig
    policy: Policy
    key: bytes
    max_failures: int = 1
    # Builds the detector from the config (None: the one ``auditor scan`` uses). A library
    # caller may wrap it; the tests give one that fails, to see a partition retried.
    make_detector: Callable[[ScanConfig], Detector] | None = None
    # The driver's working directory: local files under it are shown relative, as
    # ``auditor scan`` shows a relative argument (an executor's own directory differs).
    cwd: str = ""
    # The request-log formats records are read by: the shipped ones and the site's own.
    formats: LogFormats | None = None

    def dumps(self) -> bytes:
        """Pickled with PySpark's cloudpickle, so a ``make_detector`` defined anywhere travels."""
        from pyspark import cloudpickle

        return cloudpickle.dumps(self, protocol=pickle.HIGHEST_PROTOCOL)


@dataclass
class FileCounts:
    """Per-file tallies a partition gives; the driver adds them up across partitions."""

    size: int = 0
    lines: int = 0
    records: int = 0
    chars: int = 0
    malformed: int = 0
    unknown_shape: int = 0
    failed_partitions: int = 0

    def add(self, other: FileCounts) -> FileCounts:
        return FileCounts(
            size=max(self.size, other.size),
            lines=self.lines + other.lines,
            records=self.records + other.records,
            chars=self.chars + other.chars,
            malformed=self.malformed + other.malformed,
            unknown_shape=self.unknown_shape + other.unknown_shape,
            failed_partitions=self.failed_partitions + other.failed_partitions,
        )


@dataclass
class _Worker:
    """One per Python worker process and plan: the detector loads its spaCy model once."""

    plan: ScanPlan
    detector: Detector = field(init=False)

    def __post_init__(self) -> None:
        from auditor.pipeline import detector_for

        global _BUILT
        _BUILT += 1
        self.detector = (self.plan.make_detector or detector_for)(self.plan.config)


_WORKERS: dict[str, _Worker] = {}
_PLANS: dict[str, ScanPlan] = {}
_BUILT = 0  # detectors this process has built, over its life


def detectors_built() -> int:
    """How many detectors this worker process has built (one per plan, however many tasks)."""
    return _BUILT


def plan_for(plan_bytes: bytes) -> ScanPlan:
    """The plan, unpickled once per process (the later stages need its policy, not a model)."""
    digest = hashlib.sha256(plan_bytes).hexdigest()
    plan = _PLANS.get(digest)
    if plan is None:
        _PLANS.clear()
        plan = _PLANS[digest] = pickle.loads(plan_bytes)
    return plan


def worker_for(plan_bytes: bytes) -> _Worker:
    """The worker for this plan, built on first use in this process and kept for later tasks."""
    digest = hashlib.sha256(plan_bytes).hexdigest()
    worker = _WORKERS.get(digest)
    if worker is None:
        _WORKERS.clear()  # a new plan (another scan in this process): drop the old model
        worker = _WORKERS[digest] = _Worker(plan_for(plan_bytes))
    return worker


def display_of(uri: str, cwd: str) -> str:
    """A file as reports show it: a local file by its path (relative under the driver's
    directory ``cwd``), anything else by its URI."""
    parts = urlsplit(uri)
    if parts.scheme not in ("", "file"):
        return uri
    path = unquote(parts.path)
    here = cwd.rstrip("/") + "/"
    return path[len(here) :] if cwd and path.startswith(here) else path


class _PartitionScanner:
    """Detects a partition's records the way ``auditor scan`` detects a file's: units of one
    file batched through spaCy, findings in record order."""

    def __init__(self, worker: _Worker) -> None:
        self.detector = worker.detector
        self.key = worker.plan.key
        self.min_confidence = worker.plan.config.min_confidence
        self.pending: list[TextUnit] = []
        self.pending_chars = 0
        self.counts: dict[str, FileCounts] = defaultdict(FileCounts)
        self.current: str | None = None

    def feed(self, display: str, line: int, events: Iterable[Any], raw_chars: int, size: int) -> Iterator[tuple]:
        """Take the events of one line or row; yields what is ready."""
        if display != self.current:
            yield from self.flush()  # a file's units are batched with that file's only
            self.current = display
        counts = self.counts[display]
        counts.size = size
        counts.lines += 1
        is_record = is_blank = False
        skipped = False
        for event in events:
            if isinstance(event, TextUnit):
                counts.chars += len(event.text)
                if len(event.text) >= BATCH_CHARS:
                    yield from self.flush()
                    spans = self.detector.detect(event.text)
                    for finding in findings_from_unit(event, spans, self.key, self.min_confidence):
                        yield (FINDING, finding)
                    continue
                self.pending.append(event)
                self.pending_chars += len(event.text)
                if self.pending_chars >= BATCH_CHARS:
                    yield from self.flush()
            elif isinstance(event, RecordContext):
                is_record = True
                counts.records += 1
                yield (RECORD, event)
                if not (event.model or event.provider or event.url):
                    counts.unknown_shape += 1
                    yield (PROBLEM, display, line, UNKNOWN_SHAPE, "a JSON object naming no model, provider or URL")
            else:
                skipped = True
                counts.malformed += 1
                yield (PROBLEM, display, event.line, MALFORMED, event.reason)
        if raw_chars == 0:
            is_blank = True
        if not (is_record or skipped or is_blank):
            counts.unknown_shape += 1
            yield (PROBLEM, display, line, UNKNOWN_SHAPE, "not a JSON object")

    def flush(self) -> Iterator[tuple]:
        if not self.pending:
            return
        spans_per_unit = self.detector.detect_many([unit.text for unit in self.pending])
        for unit, spans in zip(self.pending, spans_per_unit, strict=True):
            for finding in findings_from_unit(unit, spans, self.key, self.min_confidence):
                yield (FINDING, finding)
        self.pending.clear()
        self.pending_chars = 0

    def finish(self) -> Iterator[tuple]:
        yield from self.flush()
        for display, counts in self.counts.items():
            yield (FILE, display, counts)


def _guarded(plan_bytes: bytes, rows: Iterator[Any], scan: Any) -> Iterator[tuple]:
    """Run a partition's scan; a failure is raised for Spark to retry, except on the last
    attempt (``spark.task.maxFailures``), where the partition is reported and the job goes on.

    The partition's output is built whole before it is handed on, so a failed attempt gives
    nothing half-done; it is findings and records only (no text), small beside the input.
    """
    worker = worker_for(plan_bytes)
    seen: dict[str, int] = {}  # files met in this partition: first line or record
    try:
        return iter(list(scan(worker, rows, seen)))
    except AuditorError:
        raise  # configuration (a model not installed on the executor): the whole job's problem
    except Exception as exc:  # noqa: BLE001 - reported below on the last attempt, else retried
        from pyspark import TaskContext

        context = TaskContext.get()
        attempt = context.attemptNumber() + 1 if context is not None else worker.plan.max_failures
        if attempt < worker.plan.max_failures:
            raise
        # The type only: an exception's text may quote the data being read.
        reason = f"partition failed after {attempt} attempt(s): {type(exc).__name__}"
        out: list[tuple] = []
        for display, first in seen.items():
            out.append((PROBLEM, display, first, PARTITION_FAILED, reason))
            out.append((FILE, display, FileCounts(failed_partitions=1)))
        return iter(out)


def scan_text_partition(plan_bytes: bytes, line_starts: dict[tuple[str, int], int], rows: Iterator[Any]):
    """A partition of JSONL lines (``value``, ``file_path``, ``file_block_start``, ``file_size``).

    ``line_starts`` gives the file line number of each block's first line (counted on the
    driver in a first pass), so locations are ``path:line:column`` as in ``auditor scan``.
    """

    def scan(worker: _Worker, rows: Iterator[Any], seen: dict[str, int]) -> Iterator[tuple]:
        scanner = _PartitionScanner(worker)
        block: tuple[str, int] | None = None
        line = 0
        display = ""
        for row in rows:
            key = (row.file_path, row.file_block_start)
            if key != block:
                block, line, display = key, line_starts[key], display_of(row.file_path, worker.plan.cwd)
                seen.setdefault(display, line)
            else:
                line += 1
            # The line as the file reader sees it, newline included (a parse error names the same cause).
            raw = row.value + "\n"
            if line == 1:
                raw = raw.removeprefix("\ufeff")  # a byte-order mark, as utf-8-sig drops it
            events = jsonl_line_events(display, line, raw, worker.plan.formats)
            yield from scanner.feed(display, line, events, len(raw.strip()), row.file_size)
        yield from scanner.finish()

    return _guarded(plan_bytes, rows, scan)


def scan_numbered_lines(plan_bytes: bytes, rows: Iterator[Any]):
    """A partition of JSONL lines that carry their own ``line`` number (a DataFrame's rows)."""

    def scan(worker: _Worker, rows: Iterator[Any], seen: dict[str, int]) -> Iterator[tuple]:
        scanner = _PartitionScanner(worker)
        for row in rows:
            display = display_of(row.file_path, worker.plan.cwd)
            seen.setdefault(display, row.line)
            raw = (row.value or "") + "\n"
            events = jsonl_line_events(display, row.line, raw, worker.plan.formats)
            yield from scanner.feed(display, row.line, events, len(raw.strip()), row.file_size)
        yield from scanner.finish()

    return _guarded(plan_bytes, rows, scan)


def scan_record_partition(plan_bytes: bytes, columns: list[str], rows: Iterator[Any]):
    """A partition of structured records (Parquet rows, or a DataFrame's), each with
    ``file_path``, ``record_index`` and ``file_size`` beside the record's own ``columns``.

    A row is read as the JSON object it would be in a JSONL log; null columns (a field the
    record lacks, in a file whose schema merges many shapes) are left out.
    """

    def scan(worker: _Worker, rows: Iterator[Any], seen: dict[str, int]) -> Iterator[tuple]:
        scanner = _PartitionScanner(worker)
        for row in rows:
            display = display_of(row.file_path, worker.plan.cwd)
            record = _without_nulls({name: row[name] for name in columns})
            seen.setdefault(display, row.record_index + 1)
            raw = json.dumps(_plain(record), ensure_ascii=False)
            events = record_events(display, record, row.record_index, raw, worker.plan.formats)
            yield from scanner.feed(display, row.record_index + 1, events, len(raw), row.file_size)
        yield from scanner.finish()

    return _guarded(plan_bytes, rows, scan)


def _without_nulls(value: Any) -> Any:
    if hasattr(value, "asDict"):
        value = value.asDict(recursive=False)
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_nulls(v) for v in value if v is not None]
    return value


def _plain(value: Any) -> Any:
    """JSON-ready: dates, decimals and bytes as text (never scanned: only strings are)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def number_partition(plan_bytes: bytes, offsets: list[int], index: int, items: Iterator[tuple]) -> Iterator[tuple]:
    """Give a scanned partition's findings their scan-wide ordinals and judge its record flows.

    Yields ``("finding", ordinal, Finding)``, ``("flow", AssessedFlow, finding ordinals)`` for
    each request record, and ``("document", (path, category), ordinal, Finding)`` for findings
    no request record carries (grouped across partitions into document flows later).
    """
    policy = plan_for(plan_bytes).policy
    ordinal = offsets[index]
    numbered: list[tuple[int, Finding]] = []
    records: list[RecordContext] = []
    for item in items:
        if item[0] == FINDING:
            numbered.append((ordinal, item[1]))
            yield ("finding", ordinal, item[1])
            ordinal += 1
        elif item[0] == RECORD:
            records.append(item[1])
    ordinal_of = {id(f): n for n, f in numbered}
    flows = record_flows(records, [f for _, f in numbered], policy.catalog)
    for flow in flows:
        yield ("flow", policy.assess(flow), tuple(ordinal_of[id(f)] for f in flow.findings))
    covered = {(f.sink.location.path, f.sink.location.record) for f in flows}
    for n, finding in numbered:
        if (finding.location.path, finding.location.record) not in covered:
            yield ("document", (finding.location.path, finding.category.value), n, finding)


def document_flow(
    plan_bytes: bytes, numbered: Iterable[tuple[int, Finding]]
) -> tuple[str, AssessedFlow, tuple[int, ...]]:
    """The document flow of one file and category, judged as ``auditor scan`` judges it."""
    policy = plan_for(plan_bytes).policy
    ordered = sorted(numbered, key=lambda pair: pair[0])
    (flow,) = document_flows([f for _, f in ordered], set())
    return ("flow", policy.assess(flow), tuple(n for n, _ in ordered))
