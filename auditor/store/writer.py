"""Recording a scan: a ``running`` row first, the results in batches, and an honest ending.

A scan row says ``complete`` only once every row of the scan is written; a scan that fails
or is interrupted ends ``failed`` or ``interrupted`` with its partial rows removed, and other
scans are never touched. Each batch is its own short transaction, so several scans can write
into one database at once (SQLite serialises them; PostgreSQL runs them side by side).
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import signal
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, delete, insert, select, update

from auditor import interrupts
from auditor.model import (
    AssessedFlow,
    Finding,
    PackRef,
    ScanResult,
    SkippedSource,
    SourceSummary,
    WaiverStatus,
)
from auditor.store import tables as t
from auditor.store.bulk import IdRanges, batched, in_batches, insert_numbered, table_of, write_batch, writing
from auditor.store.engine import git_output, project_root, safe_url
from auditor.store.identity import finding_identity, flow_identity, normalise_path
from auditor.store.owner import this_process
from auditor.store.schema import ensure_schema
from auditor.version import __version__

BATCH_ROWS = 2000


@dataclasses.dataclass(frozen=True, slots=True)
class ScanTarget:
    """What a scan covers: the project root, the scanned paths relative to it, and git's view."""

    root: Path
    target: str
    git_commit: str | None
    git_branch: str | None

    @classmethod
    def of(cls, roots: Sequence[str]) -> ScanTarget:
        from auditor.fingerprint import load_key
        from auditor.pathnames import mask_path  # a scanned path can name a patient

        root = project_root(roots)
        key = load_key()
        target = " ".join(mask_path(r if "://" in r else normalise_path(r, root), key) for r in roots) or "."
        commit = git_output(root, "rev-parse", "--verify", "-q", "HEAD")
        branch = git_output(root, "rev-parse", "--abbrev-ref", "HEAD") if commit else None
        return cls(root, target, commit, None if branch == "HEAD" else branch)


class ScanRecording:
    """The database side of one scan in progress; ``complete(result)`` stores the results."""

    def __init__(self, engine: Engine, scan_id: int, target: ScanTarget, batch_rows: int) -> None:
        self.engine = engine
        self.scan_id = scan_id
        self.target = target
        self.batch_rows = batch_rows
        self.completed = False
        self.where = safe_url(engine.url)
        self._paths: dict[str, str] = {}

    def complete(self, result: ScanResult) -> None:
        """Write every row of ``result`` in batches, then mark the scan ``complete``."""
        findings = _all_findings(result)
        with writing(self.engine) as conn:
            in_batches(conn, table_of(t.ScanPack), (self._pack_row(p) for p in result.packs), self.batch_rows)
            in_batches(conn, table_of(t.Waiver), (self._waiver_row(w) for w in result.waivers), self.batch_rows)
            in_batches(conn, table_of(t.Source), self._source_rows(result), self.batch_rows)
            finding_rows = [self.finding_row(n, f) for n, f in enumerate(findings)]
            finding_ids = insert_numbered(conn, table_of(t.Finding), self.scan_id, finding_rows, self.batch_rows)
            ids_by_finding: dict[Finding, int] = {}
            for finding, row_id in zip(findings, finding_ids, strict=True):
                ids_by_finding.setdefault(finding, row_id)
            flow_rows = [self.flow_row(n, f) for n, f in enumerate(result.flows)]
            flow_ids = insert_numbered(conn, table_of(t.Flow), self.scan_id, flow_rows, self.batch_rows)
            links = {
                (flow_id, ids_by_finding[finding])
                for assessed, flow_id in zip(result.flows, flow_ids, strict=True)
                for finding in assessed.flow.findings
            }
            link_rows = ({"flow_id": flow, "finding_id": finding} for flow, finding in sorted(links))
            in_batches(conn, table_of(t.FlowFinding), link_rows, self.batch_rows)
            in_batches(conn, table_of(t.FlowRule), rule_rows(result.flows, flow_ids), self.batch_rows)
            counts = result.counts_by_decision()
            self._mark_complete(
                conn,
                model_name=result.model_name,
                min_confidence=result.min_confidence,
                fail_on=result.fail_on,
                config_sha256=result.config_sha256 or _settings_sha256(result),
                sources_scanned=len(result.sources),
                sources_skipped=len(result.skipped),
                findings_count=len(result.findings),
                flows_count=len(result.flows),
                allow_count=counts["allow"],
                conditional_count=counts["conditional"],
                local_only_count=counts["local_only"],
            )
        self.completed = True

    def complete_streamed(
        self,
        settings: StreamedSettings,
        sources: Iterable[SourceSummary | SkippedSource],
        findings: Iterable[tuple[int, Finding]],
        flows: Iterable[tuple[int, AssessedFlow, Sequence[int]]],
    ) -> None:
        """Store a scan that arrives as streams (a Spark scan, partition by partition), then
        mark it ``complete``; nothing is held whole.

        ``findings`` come as (ordinal, finding) in ascending ordinal order; ``flows`` as
        (ordinal, flow, ordinals of the findings it carries). Ids are looked up in the id
        range each batch of findings was given, so lookups stay cheap however large the scan.
        """
        totals = {"sources_scanned": 0, "sources_skipped": 0, "findings_count": 0, "flows_count": 0}
        by_decision = {"allow": 0, "conditional": 0, "local_only": 0}
        with writing(self.engine) as conn:
            in_batches(conn, table_of(t.ScanPack), (self._pack_row(p) for p in settings.packs), self.batch_rows)
            in_batches(conn, table_of(t.Waiver), (self._waiver_row(w) for w in settings.waivers), self.batch_rows)

            def source_rows() -> Iterator[dict[str, Any]]:
                for source in sources:
                    if isinstance(source, SkippedSource):
                        totals["sources_skipped"] += 1
                        yield self._skipped_row(source)
                    else:
                        totals["sources_scanned"] += 1
                        yield self._scanned_row(source)

            in_batches(conn, table_of(t.Source), source_rows(), self.batch_rows)
            finding_ids = IdRanges(table_of(t.Finding), self.scan_id)
            for batch in batched(findings, self.batch_rows):
                interrupts.raise_if_requested()
                totals["findings_count"] += len(batch)
                rows = [self.finding_row(ordinal, finding) for ordinal, finding in batch]
                finding_ids.insert(conn, rows)
            flow_ids = IdRanges(table_of(t.Flow), self.scan_id)
            for batch in batched(flows, self.batch_rows):
                interrupts.raise_if_requested()
                totals["flows_count"] += len(batch)
                for _, assessed, _ in batch:
                    by_decision[str(assessed.verdict.decision)] += 1
                ids = flow_ids.insert(conn, [self.flow_row(ordinal, assessed) for ordinal, assessed, _ in batch])
                carried = finding_ids.lookup(conn, sorted({n for _, _, numbers in batch for n in numbers}))
                links = sorted({(ids[o], carried[n]) for o, _, numbers in batch for n in numbers})
                rules = list(rule_rows([a for _, a, _ in batch], [ids[o] for o, _, _ in batch]))
                with conn.begin():
                    if links:
                        write_batch(conn, table_of(t.FlowFinding), [{"flow_id": a, "finding_id": b} for a, b in links])
                    if rules:
                        write_batch(conn, table_of(t.FlowRule), rules)
            self._mark_complete(
                conn,
                model_name=settings.model_name,
                min_confidence=settings.min_confidence,
                fail_on=settings.fail_on,
                config_sha256=settings.config_sha256,
                allow_count=by_decision["allow"],
                conditional_count=by_decision["conditional"],
                local_only_count=by_decision["local_only"],
                **totals,
            )
        self.completed = True

    def _mark_complete(self, conn: Connection, **values: Any) -> None:
        with conn.begin():
            conn.execute(
                update(table_of(t.Scan))
                .where(t.Scan.id == self.scan_id)
                .values(status="complete", finished_at=datetime.now(UTC), **values)
            )

    def _pack_row(self, pack: PackRef) -> dict[str, Any]:
        return {
            "scan_id": self.scan_id,
            "pack_id": pack.id,
            **_fields(pack, "version", "title", "framework", "sha256", "path"),
        }

    def _waiver_row(self, waiver: WaiverStatus) -> dict[str, Any]:
        row = _fields(waiver, "rule_id", "justification", "approver", "expires", "expired", "fingerprint")
        return {**row, "scan_id": self.scan_id, "waiver_id": waiver.id, "path": waiver.path}

    def _source_rows(self, result: ScanResult) -> Iterator[dict[str, Any]]:
        for source in result.sources:
            yield self._scanned_row(source)
        for skipped in result.skipped:
            yield self._skipped_row(skipped)

    def _scanned_row(self, source: SourceSummary) -> dict[str, Any]:
        return {
            "scan_id": self.scan_id,
            "path": self._path(source.path),
            "status": "scanned",
            "reason": None,
            "line": None,
            "format": source.format,
            "size": source.size,
            "chars": source.chars,
            "sha256": source.sha256 if source.sha256 is not None else _file_sha256(source.path),
        }

    def _skipped_row(self, skipped: SkippedSource) -> dict[str, Any]:
        return {
            "scan_id": self.scan_id,
            "path": self._path(skipped.path),
            "status": "skipped",
            "reason": skipped.reason,
            "line": skipped.line,
            "format": None,
            "size": None,
            "chars": None,
            "sha256": None,
        }

    def _path(self, path: str) -> str:
        known = self._paths.get(path)
        if known is None:
            known = self._paths[path] = normalise_path(path, self.target.root)
        return known

    def finding_row(self, ordinal: int, finding: Finding) -> dict[str, Any]:
        loc = finding.location
        path = self._path(loc.path)
        return {
            "scan_id": self.scan_id,
            "ordinal": ordinal,
            "identity": finding_identity(finding, path),
            "fingerprint": finding.fingerprint,
            "detector": finding.detector,
            "entity": finding.entity,
            "category": str(finding.category),
            "confidence": finding.confidence,
            "path": path,
            "line": loc.line,
            "col": loc.column,
            "record": loc.record,
            "pointer": loc.pointer,
            "symbol": loc.symbol,
            "excerpt": finding.excerpt,
            "label": finding.label,
        }

    def flow_row(self, ordinal: int, assessed: AssessedFlow) -> dict[str, Any]:
        flow, verdict = assessed.flow, assessed.verdict
        loc = flow.sink.location
        path = self._path(loc.path)
        described = [s.description for s in flow.sources]
        if flow.findings:
            entities = sorted({f.entity for f in flow.findings})
            described.append(f"{len(flow.findings)} finding(s): {', '.join(entities)}")
        dest = flow.destination
        return {
            "scan_id": self.scan_id,
            "ordinal": ordinal,
            "identity": flow_identity(flow, path),
            "kind": str(flow.kind),
            "categories": ",".join(str(c) for c in flow.categories),
            "source": "; ".join(described),
            "path": path,
            "line": loc.line,
            "col": loc.column,
            "record": loc.record,
            "symbol": loc.symbol,
            "sink": flow.sink.call,
            "destination": dest.id,
            "destination_kind": str(dest.kind),
            "destination_host": dest.host,
            "resolved_by": dest.resolved_by,
            "resolution_detail": dest.detail,
            "verdict": str(verdict.decision),
            "waived": verdict.waived,
            "data_sources": [_plain(s) for s in flow.sources],
            "steps": [_plain(s) for s in flow.steps],
            "sanitizers": list(flow.sanitizers),
            "suppressions": [_plain(s) for s in flow.suppressions],
            "remediation": list(verdict.remediation),
            **usage_columns(flow),
        }


@dataclasses.dataclass(frozen=True, slots=True)
class StreamedSettings:
    """What a streamed scan states besides its rows (``ScanRecording.complete_streamed``)."""

    model_name: str
    min_confidence: float
    fail_on: str
    config_sha256: str | None
    packs: tuple[PackRef, ...] = ()
    waivers: tuple[WaiverStatus, ...] = ()


@contextlib.contextmanager
def record_scan(
    engine: Engine, roots: Sequence[str], *, batch_rows: int = BATCH_ROWS, tool_version: str = __version__
) -> Iterator[ScanRecording]:
    """Record one scan: yields a recording whose ``complete(result)`` stores the results.

    The scan row is ``running`` from the start; leaving the block by an exception marks it
    ``interrupted`` (Ctrl-C, SIGTERM under ``sigterm_as_interrupt``) or ``failed`` (the
    exception type is kept, never its text, which may quote scanned data), then re-raises.
    """
    ensure_schema(engine, create=True)
    target = ScanTarget.of(roots)
    with writing(engine) as conn, conn.begin():
        scan_id = conn.execute(
            insert(table_of(t.Scan)).returning(t.Scan.id),
            {
                "status": "running",
                "started_at": datetime.now(UTC),
                "root": target.root.as_posix(),
                "target": target.target,
                "git_commit": target.git_commit,
                "git_branch": target.git_branch,
                "tool_version": tool_version,
                **this_process().as_row(),
            },
        ).scalar_one()
    recording = ScanRecording(engine, scan_id, target, batch_rows)
    try:
        yield recording
    except KeyboardInterrupt as exc:
        _end_unfinished(engine, scan_id, "interrupted", "KeyboardInterrupt", exc)
        raise
    except BaseException as exc:
        _end_unfinished(engine, scan_id, "failed", type(exc).__name__, exc)
        raise
    if not recording.completed:
        _end_unfinished(engine, scan_id, "failed", "no result was recorded", None)


def record_report(engine: Engine, scan_id: int, pdf_sha256: str, evidence_sha256: str, file_name: str) -> None:
    """Keep a finished report PDF's SHA-256 with its scan, for ``auditor report verify``."""
    with writing(engine) as conn, conn.begin():
        conn.execute(
            insert(table_of(t.Report)).values(
                scan_id=scan_id,
                pdf_sha256=pdf_sha256,
                evidence_sha256=evidence_sha256,
                file_name=file_name,
                written_at=datetime.now(UTC),
            )
        )


@contextlib.contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """While inside, SIGTERM raises KeyboardInterrupt, so a stopped scan ends ``interrupted``."""
    with interrupts.remembered(signal.SIGTERM):
        yield


def _end_unfinished(engine: Engine, scan_id: int, status: str, error: str, exc: BaseException | None) -> None:
    """Mark the scan and drop its partial rows; a failure here is noted on the original error."""
    try:
        with writing(engine) as conn, conn.begin():
            flows = select(t.Flow.id).where(t.Flow.scan_id == scan_id)
            conn.execute(delete(table_of(t.FlowRule)).where(t.FlowRule.flow_id.in_(flows)))
            conn.execute(delete(table_of(t.FlowFinding)).where(t.FlowFinding.flow_id.in_(flows)))
            for model in (t.Flow, t.Finding, t.Source, t.ScanPack, t.Waiver):
                conn.execute(delete(table_of(model)).where(model.scan_id == scan_id))
            conn.execute(
                update(table_of(t.Scan))
                .where(t.Scan.id == scan_id)
                .values(status=status, finished_at=datetime.now(UTC), error=error)
            )
    except Exception as cleanup:
        if exc is None:
            raise
        exc.add_note(f"auditor: scan {scan_id} could not be marked {status}: {type(cleanup).__name__}")


def rule_rows(flows: Sequence[AssessedFlow], flow_ids: Sequence[int]) -> Iterator[dict[str, Any]]:
    for assessed, flow_id in zip(flows, flow_ids, strict=True):
        for position, outcome in enumerate(assessed.verdict.trail):
            yield {
                "flow_id": flow_id,
                "position": position,
                "rule_id": outcome.rule_id,
                "title": outcome.title,
                "pack": outcome.pack,
                "framework": outcome.framework,
                "source": outcome.source,
                "decision": str(outcome.decision),
                "citations": list(outcome.citations),
                "matched": list(outcome.matched),
                "conditions": [{"id": c.id, "text": c.text, "met": c.met} for c in outcome.conditions],
                "remediation": outcome.remediation,
                "waiver": outcome.waiver,
            }


def _all_findings(result: ScanResult) -> list[Finding]:
    """The scan's findings, plus any a flow carries that the list does not (stored once)."""
    findings = list(result.findings)
    known = set(findings)
    for assessed in result.flows:
        for finding in assessed.flow.findings:
            if finding not in known:
                known.add(finding)
                findings.append(finding)
    return findings


def usage_columns(flow: Any) -> dict[str, Any]:
    """A flow's model and tokens as the ``flows`` columns hold them (None where it has none)."""
    usage = flow.usage
    return {
        "model": flow.model,
        "day": usage.day if usage else None,
        "input_tokens": usage.input_tokens if usage else None,
        "output_tokens": usage.output_tokens if usage else None,
        "tokens_estimated": usage.estimated if usage else None,
        "tags": list(usage.tags) if usage and usage.tags else None,
    }


def _fields(value: Any, *names: str) -> dict[str, Any]:
    return {name: getattr(value, name) for name in names}


def _plain(value: Any) -> Any:
    """A dataclass as JSON-ready data (enums become their values)."""
    return asdict(value)


def _file_sha256(path: str) -> str | None:
    """For a result built without hashes (the library's callers): the keyed hash of ``path`` now."""
    from auditor.fingerprint import keyed_file_hash, load_key

    return keyed_file_hash(path, load_key())


def _settings_sha256(result: ScanResult) -> str:
    """Without a site configuration yet, the hash of the settings that shape the result."""
    settings = f"{result.model_name}\x1f{result.min_confidence}\x1f{result.fail_on}"
    return hashlib.sha256(settings.encode("utf-8")).hexdigest()
