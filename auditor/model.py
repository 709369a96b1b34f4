"""Shared value types: what every layer hands to the next.

Frozen dataclasses only; this module imports nothing of ours, so every layer can import it.
A Finding never carries the raw sensitive value: only a masked excerpt and a keyed
fingerprint (see ``auditor.fingerprint``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Category(StrEnum):
    """The regulated-data categories the rule packs reason about."""

    PHI = "PHI"
    PII = "PII"
    FINANCIAL = "FINANCIAL"
    EXPORT_CONTROLLED = "EXPORT_CONTROLLED"


@dataclass(frozen=True, slots=True)
class Location:
    """Where a finding sits: 1-based line and column in the file.

    For JSON and JSONL, ``record`` is the 0-based record index (line of a JSONL file, item of a
    top-level JSON array) and ``pointer`` the RFC 6901 JSON pointer of the string field. For
    CSV, ``record`` is the 0-based data row and ``pointer`` ``/<column name>``. ``symbol`` is
    for code (the enclosing function), filled by the code-flow scanner.
    """

    path: str
    line: int
    column: int
    record: int | None = None
    pointer: str | None = None
    symbol: str | None = None

    def __str__(self) -> str:
        text = f"{self.path}:{self.line}:{self.column}"
        if self.record is not None:
            text += f" [record {self.record}"
            text += f" {self.pointer}]" if self.pointer else "]"
        return text


@dataclass(frozen=True, slots=True)
class Finding:
    """One piece of regulated data found in a source, without its raw value."""

    detector: str  # stable id, e.g. "presidio.US_SSN", "auditor.MRN"
    entity: str  # e.g. "US_SSN", "MEDICAL_RECORD_NUMBER"
    category: Category
    confidence: float  # 0..1
    location: Location
    excerpt: str  # masked excerpt around the value; never the raw value
    fingerprint: str  # HMAC-SHA256 (hex) of the normalised value under the site key
    # A non-sensitive classification the value carries, kept verbatim because policy needs it
    # (an ECCN such as "9E610", a USML category "XIX", a distribution statement "D").
    label: str | None = None


@dataclass(frozen=True, slots=True)
class SkippedSource:
    """A source, or part of one, that was not scanned, and why."""

    path: str
    reason: str
    line: int | None = None  # set when only one line/record was skipped (e.g. malformed JSONL)


@dataclass(frozen=True, slots=True)
class RecordContext:
    """Facts about one LLM request record that later layers map to a destination."""

    path: str
    record: int
    line: int
    model: str | None = None
    provider: str | None = None
    url: str | None = None


@dataclass(frozen=True, slots=True)
class SourceSummary:
    """One file that was scanned: its format, size and how much text it held."""

    path: str
    format: str
    size: int
    chars: int


@dataclass(frozen=True, slots=True)
class ScanResult:
    """Everything one scan produced."""

    roots: tuple[str, ...]
    started_at: str  # ISO 8601, UTC
    finished_at: str
    tool_version: str
    model_name: str
    min_confidence: float
    sources: tuple[SourceSummary, ...]
    skipped: tuple[SkippedSource, ...]
    findings: tuple[Finding, ...]
    records: tuple[RecordContext, ...] = field(default=())

    def counts_by_category(self) -> dict[str, int]:
        """Number of findings per category, every category present (zero included)."""
        counts = {c.value: 0 for c in Category}
        for finding in self.findings:
            counts[finding.category.value] += 1
        return counts
