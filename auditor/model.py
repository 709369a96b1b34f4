"""Shared value types: what every layer hands to the next.

Frozen dataclasses only; this module imports nothing of ours, so every layer can import it.
A Finding never carries the raw sensitive value: only a masked excerpt and a keyed
fingerprint (see ``auditor.fingerprint``).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from enum import StrEnum


class Category(StrEnum):
    """The regulated-data categories the rule packs reason about."""

    PHI = "PHI"
    PII = "PII"
    FINANCIAL = "FINANCIAL"
    EXPORT_CONTROLLED = "EXPORT_CONTROLLED"


class FailOn(StrEnum):
    """What makes ``scan`` and ``check`` exit 1 (DESIGN.md): ``unmet`` conditions (and
    ``local_only``), every ``conditional`` (and ``local_only``), or ``local_only`` alone."""

    UNMET = "unmet"
    CONDITIONAL = "conditional"
    LOCAL_ONLY = "local_only"


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
        return self.display()

    def display(
        self,
        *,
        column: bool = True,
        record: bool = True,
        pointer: bool = True,
        brackets: bool = True,
        symbol: bool = False,
    ) -> str:
        """The one formatter of locations: ``path:line:column``, then the record (with its JSON
        pointer) or, if asked, the code symbol: ``a.jsonl:3:9 [record 2 /messages/0/content]``.

        The switches keep each output as it has always printed: the CLI's flow and finding
        views and the table leave out the column, the report writes ``record 2`` unbracketed
        and names the symbol, the check line shows ``path:line:column`` alone.
        """
        text = f"{self.path}:{self.line}" + (f":{self.column}" if column else "")
        if record and self.record is not None:
            anchor = f"record {self.record}" + (f" {self.pointer}" if pointer and self.pointer else "")
            text += f" [{anchor}]" if brackets else f" {anchor}"
        elif symbol and self.symbol:
            text += f" in {self.symbol}"
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
class Detection:
    """A stretch of a caller's text that holds regulated data: ``text[start:end]`` is the value.

    What ``auditor.detect`` returns. The value itself is never copied: the caller holds the text.
    """

    start: int
    end: int
    entity: str  # e.g. "PERSON", "MEDICAL_RECORD_NUMBER"
    category: Category  # in the text's context: a name in clinical text is PHI
    confidence: float  # 0..1
    detector: str  # stable id, e.g. "presidio.PERSON", "auditor.MRN"

    @property
    def is_identifier(self) -> bool:
        """False for health information (``HEALTH_INFO``): the context that makes the
        identifiers beside it PHI, not a value that identifies anyone."""
        return self.entity not in CONTEXT_ENTITIES


# Entities reported as the context of identifiers, not as identifiers.
CONTEXT_ENTITIES = frozenset({"HEALTH_INFO"})


@dataclass(frozen=True, slots=True)
class SkippedSource:
    """A source, or part of one, that was not scanned, and why."""

    path: str
    reason: str
    line: int | None = None  # set when only one line/record was skipped (e.g. malformed JSONL)


@dataclass(frozen=True, slots=True)
class Usage:
    """The tokens of one request: from the response's ``usage`` where it was logged, else
    estimated from the text (``estimated``), never from a logged cost.

    ``day`` is the UTC date of the request when the record carries a time; ``tags`` are the
    task tags a site may mark as routable (LiteLLM ``request_tags``, ``metadata.tags``).
    """

    input_tokens: int
    output_tokens: int
    estimated: bool = False
    day: str | None = None  # ISO date, UTC
    tags: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class RecordContext:
    """Facts about one LLM request record that later layers map to a destination."""

    path: str
    record: int
    line: int
    model: str | None = None
    provider: str | None = None
    url: str | None = None
    usage: Usage | None = None  # None: the record holds neither usage nor text to estimate from


@dataclass(frozen=True, slots=True)
class SourceSummary:
    """One file that was scanned: its format, size and how much text it held."""

    path: str
    format: str
    size: int
    chars: int
    # HMAC-SHA256 of the file's bytes under the site key (a plain hash of a one-line file is a
    # hash of the raw value); None when the file could not be read again.
    sha256: str | None = None


class Decision(StrEnum):
    """A flow's verdict, from least to most restrictive."""

    ALLOW = "allow"
    CONDITIONAL = "conditional"
    LOCAL_ONLY = "local_only"

    @property
    def rank(self) -> int:
        """0 allow, 1 conditional, 2 local_only: the most restrictive verdict wins."""
        return _DECISION_RANK[self]


_DECISION_RANK = {Decision.ALLOW: 0, Decision.CONDITIONAL: 1, Decision.LOCAL_ONLY: 2}


class DestinationKind(StrEnum):
    """Where a model runs: a vendor's API, this machine, or a host the site runs itself."""

    EXTERNAL = "external"
    LOCAL = "local"
    SELF_HOSTED = "self_hosted"


class FlowKind(StrEnum):
    """How a flow was found: in code, in a logged request record, in a document, or at run time."""

    CODE = "code"
    RECORD = "record"
    DOCUMENT = "document"
    RUNTIME = "runtime"  # a request judged as it left, by auditor.guard or the LiteLLM guardrail


@dataclass(frozen=True, slots=True)
class Destination:
    """An AI endpoint a flow goes to, and how auditor knows.

    ``id`` is a catalog id (``openai``, ``ollama``...) or ``unknown``; an unknown destination
    is treated as external and ``detail`` says why it could not be resolved. ``resolved_by``
    names the evidence: ``url``, ``provider``, ``model``, ``literal``, ``env_default``,
    ``config``, ``sdk``, ``guess`` or ``assumed`` (a document, which has no destination yet).
    """

    id: str
    kind: DestinationKind
    resolved_by: str
    name: str = ""
    host: str | None = None
    detail: str = ""

    @property
    def is_external(self) -> bool:
        return self.kind is DestinationKind.EXTERNAL


@dataclass(frozen=True, slots=True)
class DataSource:
    """Regulated data known from code rather than found in text, e.g. a parameter ``patient``."""

    description: str  # e.g. "parameter 'patient'", "SQL reading table 'diagnoses'"
    categories: tuple[Category, ...]
    location: Location


@dataclass(frozen=True, slots=True)
class Step:
    """One hop of a code flow between its source and its sink."""

    location: Location
    description: str


@dataclass(frozen=True, slots=True)
class Sink:
    """Where data leaves for a model: a call in code, a logged request, or a whole document."""

    location: Location
    call: str  # "openai.chat.completions.create", "request record", "document"


@dataclass(frozen=True, slots=True)
class Suppression:
    """An inline ``# auditor: ignore[RULE-ID] reason`` on a sink line."""

    rule_ids: tuple[str, ...]  # empty: every rule
    reason: str
    location: Location


@dataclass(frozen=True, slots=True)
class Flow:
    """Data headed for a destination: what is in it, where it goes, and the path it takes."""

    kind: FlowKind
    sink: Sink
    destination: Destination
    findings: tuple[Finding, ...] = ()
    sources: tuple[DataSource, ...] = ()
    steps: tuple[Step, ...] = ()
    sanitizers: tuple[str, ...] = ()
    suppressions: tuple[Suppression, ...] = ()
    usage: Usage | None = None  # tokens of a logged or runtime request
    model: str | None = None  # the model a request named

    @property
    def categories(self) -> tuple[Category, ...]:
        """Every category the flow carries, in the enum's order."""
        present = {f.category for f in self.findings}
        for source in self.sources:
            present.update(source.categories)
        return tuple(c for c in Category if c in present)

    @property
    def identity(self) -> str:
        """Stable across scans: kind, where it leaves (path, record or symbol, call), destination.

        Line numbers are left out for code so that an edit above a sink does not make a flow
        look new; records keep their index because a log's records do not move.
        """
        loc = self.sink.location
        anchor = str(loc.record) if loc.record is not None else (loc.symbol or "")
        if self.kind is FlowKind.CODE and not anchor:
            anchor = str(loc.line)
        parts = [self.kind.value, loc.path, anchor, self.sink.call, self.destination.id]
        if self.kind is FlowKind.DOCUMENT:  # a document has one flow per category it holds
            parts.append(",".join(c.value for c in self.categories))
        return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:32]


@dataclass(frozen=True, slots=True)
class Condition:
    """What must hold for a ``conditional`` verdict, and whether the site configuration shows it.

    ``met`` is True or False where the configuration can tell (a BAA on record); None where it
    is a practice to attest, not a fact on record (redacting to the minimum necessary).
    """

    id: str  # "baa_in_force", "minimum_necessary", ...
    text: str
    met: bool | None = None

    @property
    def unmet(self) -> bool:
        return self.met is False


@dataclass(frozen=True, slots=True)
class PackRef:
    """A rule pack as it was when a verdict was made."""

    id: str
    version: str
    title: str
    framework: str
    sha256: str
    path: str


@dataclass(frozen=True, slots=True)
class RuleOutcome:
    """One rule's contribution to a verdict: the trail an auditor reads."""

    rule_id: str
    title: str
    pack: str  # "hipaa@1.0.0"
    framework: str  # "HIPAA", "SOX", "ITAR", "EAR", or an organisation's own
    source: str  # regulation | guidance | org_policy | vendor_terms
    citations: tuple[str, ...]
    decision: Decision
    matched: tuple[str, ...]  # what in the flow made the rule apply, e.g. "PHI: US_SSN"
    conditions: tuple[Condition, ...] = ()
    remediation: str = ""
    waiver: str | None = None  # id of the waiver in force for this rule and flow
    pack_sha256: str = ""  # the pack's bytes as loaded, so the verdict is tied to its rules


@dataclass(frozen=True, slots=True)
class WaiverStatus:
    """A waiver from ``auditor-waivers.yaml`` and whether it is still in force."""

    id: str
    rule_id: str
    justification: str
    approver: str
    expires: str  # ISO date
    expired: bool
    fingerprint: str | None = None
    path: str | None = None


@dataclass(frozen=True, slots=True)
class Verdict:
    """A flow's decision with every rule that contributed, the most restrictive winning."""

    decision: Decision
    trail: tuple[RuleOutcome, ...] = ()
    remediation: tuple[str, ...] = ()

    @property
    def waived(self) -> bool:
        """Every rule that restricts the flow is covered by a waiver in force."""
        restricting = [o for o in self.trail if o.decision is not Decision.ALLOW]
        return bool(restricting) and all(o.waiver for o in restricting)

    def fails(self, fail_on: str) -> bool:
        """Whether this verdict is at or above ``fail_on`` (unmet | conditional | local_only).

        Waived rules do not count; a rule's conditions count as unmet where the site
        configuration must show them and does not.
        """
        for outcome in self.trail:
            if outcome.waiver:
                continue
            if outcome.decision is Decision.LOCAL_ONLY:
                return True
            if outcome.decision is Decision.CONDITIONAL:
                if fail_on == FailOn.CONDITIONAL:
                    return True
                if fail_on == FailOn.UNMET and any(c.unmet for c in outcome.conditions):
                    return True
        return False


@dataclass(frozen=True, slots=True)
class AssessedFlow:
    """A flow and its verdict."""

    flow: Flow
    verdict: Verdict

    @property
    def identity(self) -> str:
        return self.flow.identity


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
    flows: tuple[AssessedFlow, ...] = field(default=())
    packs: tuple[PackRef, ...] = field(default=())
    waivers: tuple[WaiverStatus, ...] = field(default=())
    fail_on: str = "unmet"
    config_sha256: str | None = None

    def failing_flows(self, fail_on: str | None = None) -> tuple[AssessedFlow, ...]:
        """The flows at or above ``fail_on`` (the scan's own threshold by default)."""
        threshold = fail_on or self.fail_on
        return tuple(f for f in self.flows if f.verdict.fails(threshold))

    def counts_by_decision(self) -> dict[str, int]:
        """Number of flows per verdict, every verdict present (zero included)."""
        counts = {d.value: 0 for d in Decision}
        for flow in self.flows:
            counts[flow.verdict.decision.value] += 1
        return counts

    def counts_by_category(self) -> dict[str, int]:
        """Number of findings per category, every category present (zero included)."""
        counts = {c.value: 0 for c in Category}
        for finding in self.findings:
            counts[finding.category.value] += 1
        return counts
