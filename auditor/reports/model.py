"""What an audit report says, as frozen values: the model the PDF and HTML templates print.

``auditor.reports.data.build_report`` assembles it from the findings database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from auditor.model import PackRef
from auditor.reports.integrity import sha256_hex

DEFAULT_APPENDIX_LIMIT = 1000
TOP_RISKS = 5


@dataclass(frozen=True, slots=True)
class RuleStatus:
    """One rule of a pack and what it did in this scan."""

    rule_id: str
    title: str
    citations: tuple[str, ...]
    source: str
    decision: str  # the rule's own decision (from the pack, else from the trail)
    flows: int  # flows it applied to
    waived: int  # of which covered by a waiver in force
    status: str  # "not triggered", "applied to 3 flows", ...


@dataclass(frozen=True, slots=True)
class FrameworkResult:
    pack: PackRef
    rules: tuple[RuleStatus, ...]
    note: str = ""  # e.g. the pack file changed since the scan


@dataclass(frozen=True, slots=True)
class FlowRow:
    number: int
    kind: str
    categories: str
    data: str
    destination: str
    destination_kind: str
    where: str
    verdict: str
    waived: bool
    fails: bool
    rule_ids: tuple[str, ...]
    citations: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class DestinationRow:
    id: str
    kind: str
    host: str
    resolved_by: str
    detail: str
    flows: int
    verdicts: str  # "2 local_only, 1 conditional"


@dataclass(frozen=True, slots=True)
class Risk:
    """A rule that restricts flows in this scan, with what to do: one line of the top risks and the plan."""

    rank: int
    rule_id: str
    title: str
    decision: str
    unmet: tuple[str, ...]
    flows: int
    failing: int
    categories: str
    destinations: str
    paths: tuple[str, ...]
    citations: tuple[str, ...]
    remediation: str

    @property
    def sentence(self) -> str:
        """The risk in plain words."""
        where = f"{self.flows} flow{'s' if self.flows != 1 else ''} of {self.categories or 'regulated'} data"
        verb = "must stay on a local model" if self.decision == "local_only" else "may go out only under conditions"
        text = f"{where} to {self.destinations} {verb}: {self.title}"
        if self.unmet:
            text += f"; not shown by the site configuration: {'; '.join(self.unmet)}"
        return text + f" ({self.rule_id})."


@dataclass(frozen=True, slots=True)
class Trend:
    previous_id: int
    previous_started: str
    new_findings: int
    fixed_findings: int
    new_flows: tuple[FlowRow, ...]
    fixed_flows: tuple[FlowRow, ...]
    previous_by_category: dict[str, int]
    new_by_category: dict[str, int]
    fixed_by_category: dict[str, int]


@dataclass(frozen=True)
class AuditReport:
    """Everything the report prints, in the order of its sections."""

    title: str
    organisation: str
    generated_at: str
    report_tool_version: str
    scan: dict[str, Any]
    packs: tuple[PackRef, ...]
    frameworks: tuple[str, ...]  # in this report (all the scan's packs unless narrowed)
    by_verdict: dict[str, int]
    by_category: dict[str, int]
    by_framework: dict[str, dict[str, int]]  # framework -> decision -> flows
    failing: int
    waived_flows: int
    risks: tuple[Risk, ...]
    sources: tuple[dict[str, Any], ...]
    skipped: tuple[dict[str, Any], ...]
    destinations: tuple[DestinationRow, ...]
    detectors: tuple[tuple[str, str, str, int, float], ...]  # detector, entity, category, count, min confidence
    results: tuple[FrameworkResult, ...]
    flows: tuple[FlowRow, ...]
    findings: tuple[dict[str, Any], ...]  # the appendix rows, at most ``appendix_limit``
    findings_total: int
    appendix_limit: int
    findings_rest: tuple[tuple[str, str, int], ...]  # path, category, count of findings not listed
    waivers: tuple[dict[str, Any], ...]
    trend: Trend | None
    evidence: bytes = field(repr=False)
    routing: dict[str, Any] | None = None  # the plan (auditor.planning) of the scan's requests
    evidence_name: str = ""

    @property
    def evidence_sha256(self) -> str:
        return sha256_hex(self.evidence)
