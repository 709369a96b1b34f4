"""Flows from what a scan read: each logged request record, and each document with findings.

A JSON/JSONL record that names a model, a provider or a URL is a request: its destination is
resolved through the catalog. Any other file with findings is a document, judged per category
as if sent to an external API: may this go out at all?
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from auditor.catalog.destinations import Catalog, external_assumed
from auditor.model import Category, Finding, Flow, FlowKind, Location, RecordContext, Sink

RECORD_CALL = "request record"
DOCUMENT_CALL = "document"


def record_flows(records: Iterable[RecordContext], findings: Iterable[Finding], catalog: Catalog) -> list[Flow]:
    """One flow per request record (with or without findings), and its findings."""
    by_record: dict[tuple[str, int], list[Finding]] = defaultdict(list)
    for finding in findings:
        if finding.location.record is not None:
            by_record[(finding.location.path, finding.location.record)].append(finding)
    flows = []
    for record in records:
        if not (record.model or record.provider or record.url):
            continue
        destination = catalog.resolve(url=record.url, provider=record.provider, model=record.model)
        sink = Sink(Location(record.path, record.line, 1, record=record.record), RECORD_CALL)
        found = tuple(by_record.get((record.path, record.record), ()))
        flows.append(Flow(FlowKind.RECORD, sink, destination, found, usage=record.usage, model=record.model))
    return flows


def document_flows(findings: Iterable[Finding], covered: set[tuple[str, int | None]]) -> list[Flow]:
    """One flow per file and category for findings no request record carries."""
    by_file: dict[str, dict[Category, list[Finding]]] = defaultdict(lambda: defaultdict(list))
    for finding in findings:
        loc = finding.location
        if (loc.path, loc.record) in covered:
            continue
        by_file[loc.path][finding.category].append(finding)
    flows = []
    destination = external_assumed()
    for path in sorted(by_file):
        for category in Category:
            found = by_file[path].get(category)
            if found:
                sink = Sink(Location(path, found[0].location.line, found[0].location.column), DOCUMENT_CALL)
                flows.append(Flow(FlowKind.DOCUMENT, sink, destination, tuple(found)))
    return flows


def flows_from_scan(
    records: tuple[RecordContext, ...],
    findings: tuple[Finding, ...],
    catalog: Catalog,
    carried_by_code: set[tuple[str, int]] | frozenset[tuple[str, int]] = frozenset(),
) -> list[Flow]:
    """Record flows first, then documents for what no record holds.

    Literals of source code that a code flow carries to a sink (``carried_by_code``: path and
    line) are judged in that flow, not again as a document.
    """
    flows = record_flows(records, findings, catalog)
    covered = {(f.sink.location.path, f.sink.location.record) for f in flows}
    rest = [f for f in findings if (f.location.path, f.location.line) not in carried_by_code]
    return flows + document_flows(rest, covered)
