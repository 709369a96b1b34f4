"""A scan from paths to a ScanResult: walk, read, detect, turn spans into findings."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from auditor import interrupts
from auditor.catalog.schema import load_yaml
from auditor.config import NlpMode, ScanConfig
from auditor.detectors import Detector
from auditor.detectors.quick import LayeredDetector
from auditor.errors import AuditorError, ConfigError, SourceError, UsageError
from auditor.findings import findings_from_unit
from auditor.fingerprint import keyed_file_hash, load_key
from auditor.flows.python import code_flows, covered_literals
from auditor.flows.records import flows_from_scan
from auditor.model import Finding, RecordContext, ScanResult, SkippedSource, SourceSummary
from auditor.pathnames import mask_path
from auditor.policy import Policy, load_policy
from auditor.policy.waivers import WAIVERS_FILE
from auditor.siteconfig import FAIL_ON_VALUES, SiteConfig, find_config_file, load_site_config, project_root
from auditor.sources import FileToScan, TextUnit, iter_files, read_source
from auditor.sources.files import display_path
from auditor.sources.logformats import LogFormats, log_formats, parse_log_formats
from auditor.version import __version__

CODE_FORMATS = frozenset({"python", "code"})  # string literals of source files
ProgressCallback = Callable[[FileToScan, int, int], None]  # file, its number, how many


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def run_scan(
    paths: Sequence[str],
    config: ScanConfig | None = None,
    detector: Detector | None = None,
    on_file: ProgressCallback | None = None,
    policy: Policy | None = None,
) -> ScanResult:
    """Scan files and directories; what cannot be read is listed in ``skipped``, never fatal.

    ``policy`` reuses rules already loaded (``policy_for_scan``) instead of reading them again.
    """
    config = config or ScanConfig()
    started = _now()
    # Configuration and rules first: a bad file is exit 2 before any model is loaded.
    policy = policy or policy_for_scan(paths, config)
    key = load_key()
    detector = detector or detector_for(config)
    sources: list[SourceSummary] = []
    skipped: list[SkippedSource] = []
    findings: list[Finding] = []
    records: list[RecordContext] = []
    walked = iter_files(list(paths), config.exclude, config.respect_gitignore, config.max_file_bytes)
    entries = [_masked_entry(entry, key) for entry in walked]  # file names are data too
    files = [e for e in entries if isinstance(e, FileToScan)]
    skipped.extend(e for e in entries if isinstance(e, SkippedSource))
    formats = log_formats_for(policy.site)
    pooled = _scan_in_pool(files, config, formats) if config.jobs > 1 and len(files) > 1 else None
    reader = _FileReader(detector, key, config, formats)
    for number, entry in enumerate(files, start=1):
        interrupts.raise_if_requested()
        if on_file is not None:
            on_file(entry, number, len(files))
        outcome = next(pooled) if pooled is not None else reader.scan(entry)
        findings.extend(outcome.findings)
        records.extend(outcome.records)
        skipped.extend(outcome.skipped)
        if outcome.summary is not None:
            sources.append(outcome.summary)
    # Python files also go through the code-flow scanner: sink calls, their destinations, and
    # the data (names, SQL, literal findings) that reaches them.
    python_files = [(e.path, e.display) for e in entries if isinstance(e, FileToScan) and e.format == "python"]
    code, code_skipped = code_flows(python_files, tuple(findings), policy.catalog, policy.site)
    skipped.extend(code_skipped)
    flows = flows_from_scan(tuple(records), tuple(findings), policy.catalog, covered_literals(code)) + code
    interrupts.raise_if_requested()
    return ScanResult(
        roots=tuple(mask_path(display_path(p), key) for p in paths),
        started_at=started,
        finished_at=_now(),
        tool_version=__version__,
        model_name=config.model_name,
        min_confidence=config.min_confidence,
        sources=tuple(sources),
        skipped=tuple(skipped),
        findings=tuple(findings),
        records=tuple(records),
        flows=tuple(policy.assess(flow) for flow in flows),
        packs=policy.pack_refs,
        waivers=policy.waiver_statuses(),
        fail_on=config.fail_on or policy.site.fail_on,
        config_sha256=policy.site.sha256,
    )


def _masked_entry(entry: FileToScan | SkippedSource, key: bytes) -> FileToScan | SkippedSource:
    """The entry under the name every output shows: identifiers in it masked (auditor.pathnames).

    A ``FileToScan`` keeps its real ``path`` for reading; only ``display`` travels on.
    """
    if isinstance(entry, FileToScan):
        return replace(entry, display=mask_path(entry.display, key))
    return replace(entry, path=mask_path(entry.path, key))


def detector_for(config: ScanConfig) -> Detector:
    """The detection engine a scan configuration asks for (its model loads on first use).

    Its floor sits a little under ``min_confidence`` so that context can still lift a span
    over the threshold.
    """
    return Detector(
        config.model_name,
        config.entities,
        config.chunk_chars,
        config.chunk_overlap,
        floor=max(0.0, config.min_confidence - 0.15),
    )


def policy_for_scan(paths: Sequence[str], config: ScanConfig) -> Policy:
    """The site configuration, packs, catalog and waivers that govern a scan of ``paths``."""
    root = project_root(Path(paths[0])) if paths else Path.cwd()
    config_file = config.config_file or find_config_file(root)
    site = load_site_config(config_file)
    if config.fail_on is not None and config.fail_on not in FAIL_ON_VALUES:
        raise UsageError(f"--fail-on must be one of {', '.join(FAIL_ON_VALUES)}")
    named = config.waivers_file or site.waivers_file
    if named is not None and not Path(named).exists():  # a named file that is not there is a typo
        raise UsageError(f"{named}: waivers file does not exist")
    waivers = named or (config_file or root / "x").parent / WAIVERS_FILE
    return load_policy(site, waivers, config.rule_dirs)


def log_formats_for(site: SiteConfig) -> LogFormats:
    """The request-log formats a scan reads records by: the shipped ones, extended by the
    site's ``log_formats`` file; a file that is not there or not valid is exit 2."""
    if site.log_formats_file is None:
        return log_formats()
    path = site.log_formats_file
    if not path.is_file():
        raise ConfigError(f"{path}: log formats file does not exist (log_formats in {site.path})")
    try:
        return log_formats().extended(parse_log_formats(load_yaml(path), str(path)))
    except ValueError as exc:
        raise ConfigError(str(exc)) from None


@dataclass(frozen=True)
class _FileOutcome:
    """What one file gave: findings, request records, what was skipped, and its summary."""

    findings: tuple[Finding, ...]
    records: tuple[RecordContext, ...]
    skipped: tuple[SkippedSource, ...]
    summary: SourceSummary | None  # None: the file could not be read after all


class _FileReader:
    """Reads one file and detects in it; one per process (the detector loads its model once).

    A file's units for the full engine (a log's records, a document's parts) are detected
    together, up to ``BATCH_CHARS`` at a time (``Detector.detect_many``: spaCy runs over
    them in batches), which is faster on many small records than one call each. A unit of
    that size or more is detected alone, window by window, so memory stays bounded.
    """

    BATCH_CHARS = 200_000

    def __init__(self, detector: Detector, key: bytes, config: ScanConfig, formats: LogFormats | None = None) -> None:
        self.detector = detector
        self.formats = formats
        self.layered = LayeredDetector(detector) if config.nlp == NlpMode.AUTO else None
        self.key = key
        self.min_confidence = config.min_confidence

    def scan(self, entry: FileToScan) -> _FileOutcome:
        chars = 0
        found: list[Finding] = []
        records: list[RecordContext] = []
        skipped: list[SkippedSource] = []
        pending: list[TextUnit] = []  # units for the full engine, detected together
        pending_chars = 0

        def detect_pending() -> None:
            nonlocal pending_chars
            pending_chars = 0
            if not pending:
                return  # nothing to load the model for (source code may never need it)
            interrupts.raise_if_requested()
            spans_per_unit = self.detector.detect_many([unit.text for unit in pending])
            for unit, spans in zip(pending, spans_per_unit, strict=True):
                found.extend(findings_from_unit(unit, spans, self.key, self.min_confidence))
            pending.clear()

        try:
            for event in read_source(entry, self.formats):
                if isinstance(event, TextUnit):
                    chars += len(event.text)
                    if self.layered is not None and entry.format in CODE_FORMATS:
                        # source code: regexes first, NLP where they say so
                        spans = self.layered.detect(event.text)
                        found.extend(findings_from_unit(event, spans, self.key, self.min_confidence))
                        continue
                    if len(event.text) >= self.BATCH_CHARS:  # a large document: window by window
                        detect_pending()  # findings stay in the order of the units
                        spans = self.detector.detect(event.text)
                        found.extend(findings_from_unit(event, spans, self.key, self.min_confidence))
                        continue
                    pending.append(event)
                    pending_chars += len(event.text)
                    if pending_chars >= self.BATCH_CHARS:
                        detect_pending()
                elif isinstance(event, RecordContext):
                    records.append(event)
                else:
                    skipped.append(event)
            detect_pending()
        except (OSError, UnicodeDecodeError, SourceError) as exc:
            # The file changed or became unreadable after the walk checked it.
            reason = getattr(exc, "reason", None) or getattr(exc, "strerror", None) or str(exc)
            skipped.append(SkippedSource(entry.display, f"read failed: {reason}"))
            return _FileOutcome((), tuple(records), tuple(skipped), None)
        except AuditorError:
            raise  # configuration (a model that is not installed): the whole scan's problem, exit 2
        except RecursionError:
            skipped.append(SkippedSource(entry.display, "read failed: nested too deep"))
            return _FileOutcome((), tuple(records), tuple(skipped), None)
        except Exception as exc:  # noqa: BLE001 - one file never aborts a scan; it is reported
            # The type only: an exception's text may quote the data being read.
            skipped.append(SkippedSource(entry.display, f"read failed: {type(exc).__name__}"))
            return _FileOutcome((), tuple(records), tuple(skipped), None)
        summary = SourceSummary(entry.display, entry.format, entry.size, chars, keyed_file_hash(entry.path, self.key))
        return _FileOutcome(tuple(found), tuple(records), tuple(skipped), summary)


_worker: _FileReader | None = None


def _start_worker(config: ScanConfig, formats: LogFormats) -> None:
    global _worker
    _worker = _FileReader(detector_for(config), load_key(), config, formats)


def _scan_in_worker(entry: FileToScan) -> _FileOutcome:
    assert _worker is not None
    return _worker.scan(entry)


def _scan_in_pool(files: list[FileToScan], config: ScanConfig, formats: LogFormats) -> Iterator[_FileOutcome]:
    """Files across ``config.jobs`` processes, each with its own model; results in file order."""
    with ProcessPoolExecutor(max_workers=config.jobs, initializer=_start_worker, initargs=(config, formats)) as pool:
        try:
            yield from pool.map(_scan_in_worker, files, chunksize=1)
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            raise
