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
from collections.abc import Callable, Generator, Hashable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, cast
from urllib.parse import unquote, urlsplit

from auditor.config import ScanConfig
from auditor.detectors import Detector
from auditor.errors import AuditorError
from auditor.findings import findings_from_unit
from auditor.flows.records import document_flows, record_flows
from auditor.model import AssessedFlow, Finding, RecordContext, SkippedSource
from auditor.pathnames import mask_path
from auditor.policy import Policy
from auditor.sources import TextUnit
from auditor.sources.files import display_path, encoding_by_bom, text_problem
from auditor.sources.jsonlog import json_document_records, jsonl_line_events, record_events
from auditor.sources.logformats import LogFormats

# What a partition yields to the driver's later stages, as tagged tuples (cheap to pickle).
Item = tuple[Any, ...]
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
UNREADABLE = "unreadable"  # a JSON document that is not text (binary, undecodable)


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

        dumps = cast(Callable[..., bytes], cloudpickle.dumps)  # cloudpickle ships no types
        return dumps(self, protocol=pickle.HIGHEST_PROTOCOL)


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
    format: str = ""  # jsonl, json, parquet or dataframe: how the file was read

    def add(self, other: FileCounts) -> FileCounts:
        return FileCounts(
            size=max(self.size, other.size),
            lines=self.lines + other.lines,
            records=self.records + other.records,
            chars=self.chars + other.chars,
            malformed=self.malformed + other.malformed,
            unknown_shape=self.unknown_shape + other.unknown_shape,
            failed_partitions=self.failed_partitions + other.failed_partitions,
            format=self.format or other.format,
        )


@dataclass(frozen=True)
class _Worker:
    """What a partition is scanned with in this process: the plan and its detector."""

    plan: ScanPlan
    detector: Detector


# Detectors of this process by their settings: at most one, built on first use and kept for
# later tasks and later scans with the same settings (Spark reuses Python workers), or
# inherited from the daemon that forked this worker (``auditor.spark.daemon``).
_DETECTORS: dict[Hashable, Detector] = {}
_PLANS: dict[str, ScanPlan] = {}
_BUILT = 0  # detectors this process has built, over its life (a preloaded one not counted)
PRELOAD_TEXT = "Patient Maria Okafor, MRN 4471923, seen on 3/14/2026."


def detector_settings(config: ScanConfig) -> tuple[Hashable, ...]:
    """What ``detector_for`` builds a detector from: scans that agree on it share one."""
    return (config.model_name, config.entities, config.chunk_chars, config.chunk_overlap, config.min_confidence)


def preload_detector(config: ScanConfig | None = None) -> None:
    """Build the detector ``config`` asks for (default: ``ScanConfig()``) and load its model,
    for the workers this process will fork (``auditor.spark.daemon``)."""
    from auditor.pipeline import detector_for

    config = config or ScanConfig()
    detector = detector_for(config)
    detector.detect(PRELOAD_TEXT)  # the analyzer, spaCy and Presidio load on first use
    _DETECTORS.clear()
    _DETECTORS[detector_settings(config)] = detector


def has_preloaded_detector(config: ScanConfig | None = None) -> bool:
    """Whether this process holds, unbuilt by itself, the detector ``config`` asks for."""
    return _BUILT == 0 and detector_settings(config or ScanConfig()) in _DETECTORS


def detectors_built() -> int:
    """How many detectors this worker process has built (one per settings, however many tasks)."""
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
    """The plan and its detector: built on first use in this process and kept for later tasks."""
    global _BUILT
    plan = plan_for(plan_bytes)
    if plan.make_detector is None:
        key: Hashable = detector_settings(plan.config)
    else:  # a caller's own detector: one per plan
        key = ("custom", hashlib.sha256(plan_bytes).hexdigest())
    detector = _DETECTORS.get(key)
    if detector is None:
        from auditor.pipeline import detector_for

        _DETECTORS.clear()  # other settings (another scan in this process): drop the old model
        _BUILT += 1
        detector = _DETECTORS[key] = (plan.make_detector or detector_for)(plan.config)
    return _Worker(plan, detector)


def display_of(uri: str, cwd: str, key: bytes, *, encoded: bool = True) -> str:
    """A file as every output shows it, as ``auditor scan`` shows it: a local file by its path
    (relative under the driver's directory ``cwd``), anything else by its URI, and an
    identifier in a file name masked and tagged (``auditor.pathnames``: file names are data).

    ``encoded``: the URI is percent-encoded (``_metadata.file_path``); ``binaryFile``'s
    ``path`` column is not (``a b%41.json`` stays as it is)."""
    parts = urlsplit(uri)
    if parts.scheme not in ("", "file"):
        return mask_path(uri, key)
    if encoded:  # a name that is not UTF-8 keeps its bytes, shown as \xNN by display_path
        path = unquote(parts.path, errors="surrogateescape")
    else:  # taken as it is: a "#" or "?" in a file name is no fragment or query
        path = uri.removeprefix("file:").removeprefix("//")
    here = cwd.rstrip("/") + "/"
    shown = path[len(here) :] if cwd and path.startswith(here) else path
    return mask_path(display_path(shown), key)


class _PartitionScanner:
    """Detects a partition's records the way ``auditor scan`` detects a file's: units of one
    file batched through spaCy, findings in record order."""

    def __init__(self, worker: _Worker, kind: str) -> None:
        self.detector = worker.detector
        self.key = worker.plan.key
        self.formats = worker.plan.formats
        self.kind = kind
        self.min_confidence = worker.plan.config.min_confidence
        self.pending: list[TextUnit] = []
        self.pending_chars = 0
        self.counts: dict[str, FileCounts] = defaultdict(FileCounts)
        self.current: str | None = None

    def _enter(self, display: str, size: int) -> Iterator[Item]:
        """Start on ``display`` (a file's units are batched with that file's only)."""
        if display != self.current:
            yield from self.flush()
            self.current = display
        counts = self.counts[display]
        counts.size = size
        counts.format = self.kind

    def feed(self, display: str, line: int, events: Iterable[object], raw_chars: int, size: int) -> Iterator[Item]:
        """Take the events of one line or row; yields what is ready."""
        yield from self._enter(display, size)
        self.counts[display].lines += 1
        is_record, skipped = yield from self._take(display, line, events)
        if not (is_record or skipped or raw_chars == 0):
            yield from self._unknown_shape(display, line, "not a JSON object")

    def feed_document(self, display: str, content: bytes, size: int) -> Iterator[Item]:
        """A whole JSON document (``.json``): a top-level array is a list of records, anything
        else one record, read as ``auditor scan`` reads it; a file that is not text is skipped."""
        yield from self._enter(display, size)
        encoding = encoding_by_bom(content[:4])
        problem = text_problem([content], encoding)
        if problem is not None:
            yield (PROBLEM, display, None, UNREADABLE, problem)
            return
        raw = content.decode(encoding)
        counts = self.counts[display]
        counts.lines += raw.count("\n") + (0 if raw.endswith("\n") else 1)
        for line, events in json_document_records(display, raw, self.formats):
            is_record, skipped = yield from self._take(display, line, events)
            if line is not None and not (is_record or skipped):
                yield from self._unknown_shape(display, line, "not a JSON object")

    def _take(
        self, display: str, line: int | None, events: Iterable[object]
    ) -> Generator[Item, None, tuple[bool, bool]]:
        """The events of one record; returns whether it was a record and whether it was skipped."""
        counts = self.counts[display]
        is_record = skipped = False
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
                    yield from self._unknown_shape(display, line, "a JSON object naming no model, provider or URL")
            elif isinstance(event, SkippedSource):
                skipped = True
                counts.malformed += 1
                yield (PROBLEM, display, event.line, MALFORMED, event.reason)
        return is_record, skipped

    def _unknown_shape(self, display: str, line: int | None, reason: str) -> Iterator[Item]:
        self.counts[display].unknown_shape += 1
        yield (PROBLEM, display, line, UNKNOWN_SHAPE, reason)

    def flush(self) -> Iterator[Item]:
        if not self.pending:
            return
        spans_per_unit = self.detector.detect_many([unit.text for unit in self.pending])
        for unit, spans in zip(self.pending, spans_per_unit, strict=True):
            for finding in findings_from_unit(unit, spans, self.key, self.min_confidence):
                yield (FINDING, finding)
        self.pending.clear()
        self.pending_chars = 0

    def finish(self) -> Iterator[Item]:
        yield from self.flush()
        for display, counts in self.counts.items():
            yield (FILE, display, counts)


PartitionScan = Callable[[_Worker, Iterator[Any], dict[str, int | None]], Iterator[Item]]


def _guarded(plan_bytes: bytes, rows: Iterator[Any], scan: PartitionScan) -> Iterator[Item]:
    """Run a partition's scan; a failure is raised for Spark to retry, except on the last
    attempt (``spark.task.maxFailures``), where the partition is reported and the job goes on.

    The partition's output is built whole before it is handed on, so a failed attempt gives
    nothing half-done; it is findings and records only (no text), small beside the input.
    """
    worker = worker_for(plan_bytes)
    seen: dict[str, int | None] = {}  # files met in this partition: first line or record
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
        out: list[Item] = []
        for display, first in seen.items():
            out.append((PROBLEM, display, first, PARTITION_FAILED, reason))
            out.append((FILE, display, FileCounts(failed_partitions=1)))
        return iter(out)


def scan_text_partition(
    plan_bytes: bytes, line_starts: dict[tuple[str, int], int], rows: Iterator[Any]
) -> Iterator[Item]:
    """A partition of JSONL lines (``value``, ``file_path``, ``file_block_start``, ``file_size``).

    ``line_starts`` gives the file line number of each block's first line (counted on the
    driver in a first pass), so locations are ``path:line:column`` as in ``auditor scan``.
    """

    def scan(worker: _Worker, rows: Iterator[Any], seen: dict[str, int | None]) -> Iterator[Item]:
        scanner = _PartitionScanner(worker, "jsonl")
        block: tuple[str, int] | None = None
        line = 0
        display = ""
        for row in rows:
            key = (row.file_path, row.file_block_start)
            if key != block:
                block, line = key, line_starts[key]
                display = display_of(row.file_path, worker.plan.cwd, worker.plan.key)
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


def scan_document_partition(plan_bytes: bytes, rows: Iterator[Any]) -> Iterator[Item]:
    """A partition of whole JSON documents (Spark's ``binaryFile`` rows: ``path``, ``length``,
    ``content``): each read as ``auditor scan`` reads a ``.json`` file."""

    def scan(worker: _Worker, rows: Iterator[Any], seen: dict[str, int | None]) -> Iterator[Item]:
        scanner = _PartitionScanner(worker, "json")
        for row in rows:
            display = display_of(row.path, worker.plan.cwd, worker.plan.key, encoded=False)
            seen.setdefault(display, None)
            yield from scanner.feed_document(display, bytes(row.content), row.length)
        yield from scanner.finish()

    return _guarded(plan_bytes, rows, scan)


def scan_numbered_lines(plan_bytes: bytes, rows: Iterator[Any]) -> Iterator[Item]:
    """A partition of JSONL lines that carry their own ``line`` number (a DataFrame's rows)."""

    def scan(worker: _Worker, rows: Iterator[Any], seen: dict[str, int | None]) -> Iterator[Item]:
        scanner = _PartitionScanner(worker, "dataframe")
        for row in rows:
            display = display_of(row.file_path, worker.plan.cwd, worker.plan.key)
            seen.setdefault(display, row.line)
            raw = (row.value or "") + "\n"
            events = jsonl_line_events(display, row.line, raw, worker.plan.formats)
            yield from scanner.feed(display, row.line, events, len(raw.strip()), row.file_size)
        yield from scanner.finish()

    return _guarded(plan_bytes, rows, scan)


def scan_record_partition(plan_bytes: bytes, columns: list[str], kind: str, rows: Iterator[Any]) -> Iterator[Item]:
    """A partition of structured records (Parquet rows, or a DataFrame's), each with
    ``file_path``, ``record_index`` and ``file_size`` beside the record's own ``columns``.

    A row is read as the JSON object it would be in a JSONL log; null columns (a field the
    record lacks, in a file whose schema merges many shapes) are left out.
    """

    def scan(worker: _Worker, rows: Iterator[Any], seen: dict[str, int | None]) -> Iterator[Item]:
        scanner = _PartitionScanner(worker, kind)
        for row in rows:
            display = display_of(row.file_path, worker.plan.cwd, worker.plan.key)
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


def number_partition(plan_bytes: bytes, offsets: list[int], index: int, items: Iterable[Item]) -> Iterator[Item]:
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


def document_flow(plan_bytes: bytes, numbered: Iterable[tuple[int, Finding]]) -> tuple[AssessedFlow, tuple[int, ...]]:
    """The document flow of one file and category, judged as ``auditor scan`` judges it."""
    policy = plan_for(plan_bytes).policy
    ordered = sorted(numbered, key=lambda pair: pair[0])
    (flow,) = document_flows([f for _, f in ordered], set())
    return (policy.assess(flow), tuple(n for n, _ in ordered))
