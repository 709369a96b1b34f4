"""A scan from paths to a ScanResult: walk, read, detect, turn spans into findings."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from auditor.config import ScanConfig
from auditor.detectors import Detector
from auditor.errors import SourceError
from auditor.findings import findings_from_unit
from auditor.fingerprint import load_key
from auditor.model import Finding, RecordContext, ScanResult, SkippedSource, SourceSummary
from auditor.sources import FileToScan, TextUnit, iter_files, read_source
from auditor.version import __version__

ProgressCallback = Callable[[FileToScan, int, int], None]  # file, its number, how many


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def run_scan(
    paths: Sequence[str],
    config: ScanConfig | None = None,
    detector: Detector | None = None,
    on_file: ProgressCallback | None = None,
) -> ScanResult:
    """Scan files and directories; what cannot be read is listed in ``skipped``, never fatal."""
    config = config or ScanConfig()
    started = _now()
    key = load_key()
    detector = detector or Detector(
        config.model_name,
        config.entities,
        config.chunk_chars,
        config.chunk_overlap,
        floor=max(0.0, config.min_confidence - 0.15),
    )
    sources: list[SourceSummary] = []
    skipped: list[SkippedSource] = []
    findings: list[Finding] = []
    records: list[RecordContext] = []
    entries = list(iter_files(list(paths), config.exclude, config.respect_gitignore, config.max_file_bytes))
    total = sum(isinstance(e, FileToScan) for e in entries)
    done = 0
    for entry in entries:
        if isinstance(entry, SkippedSource):
            skipped.append(entry)
            continue
        done += 1
        if on_file is not None:
            on_file(entry, done, total)
        chars = 0
        file_findings: list[Finding] = []
        try:
            for event in read_source(entry):
                if isinstance(event, TextUnit):
                    chars += len(event.text)
                    spans = detector.detect(event.text)
                    file_findings.extend(findings_from_unit(event, spans, key, config.min_confidence))
                elif isinstance(event, RecordContext):
                    records.append(event)
                else:
                    skipped.append(event)
        except (OSError, UnicodeDecodeError, SourceError) as exc:
            # The file changed or became unreadable after the walk checked it.
            reason = getattr(exc, "reason", None) or getattr(exc, "strerror", None) or str(exc)
            skipped.append(SkippedSource(entry.display, f"read failed: {reason}"))
            continue
        findings.extend(file_findings)
        sources.append(SourceSummary(entry.display, entry.format, entry.size, chars))
    return ScanResult(
        roots=tuple(str(p) for p in paths),
        started_at=started,
        finished_at=_now(),
        tool_version=__version__,
        model_name=config.model_name,
        min_confidence=config.min_confidence,
        sources=tuple(sources),
        skipped=tuple(skipped),
        findings=tuple(findings),
        records=tuple(records),
    )
