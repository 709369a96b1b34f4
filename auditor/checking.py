"""The fast paths: ``check_text`` for applications at run time, ``check_files`` for commits.

``check_text`` builds the detector and the policy once per process and reuses them, so a
service can call it for every prompt. ``check_files`` scans only the files of a commit, with
regexes first and spaCy only where a text needs it, and lists the flows that should stop it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

from auditor.baseline import Baseline
from auditor.config import NlpMode, ScanConfig
from auditor.detectors import Detector
from auditor.findings import findings_from_unit
from auditor.fingerprint import load_key
from auditor.model import AssessedFlow, Destination, Flow, FlowKind, Location, RuleOutcome, ScanResult, Sink, Verdict
from auditor.pipeline import detector_for, policy_for_scan, run_scan
from auditor.policy import Policy
from auditor.sources.base import Piece, TextUnit

CHECK_PATH = "<text>"


def check_text(text: str, destination: str | Destination, config: ScanConfig | None = None) -> Verdict:
    """Detect regulated data in ``text`` and judge sending it to ``destination``."""
    config = config or ScanConfig()
    policy = _policy(config)
    target = destination if isinstance(destination, Destination) else resolve_destination(destination, policy)
    detector = _detector(config)
    unit = TextUnit(text, (Piece(0, len(text), lambda offset: _locate(text, offset)),))
    spans = detector.detect(text)  # one call at a time: see detectors.engine.PIPELINE_LOCK
    findings = findings_from_unit(unit, spans, load_key(), config.min_confidence)
    flow = Flow(FlowKind.RECORD, Sink(Location(CHECK_PATH, 1, 1), "check_text"), target, tuple(findings))
    return policy.assess(flow).verdict


def resolve_destination(text: str, policy: Policy) -> Destination:
    """A catalog id, a URL or a model string, resolved through the site's catalog."""
    catalog = policy.catalog
    entry = catalog.get(text)
    if entry is not None and "/" not in text:
        return Destination(entry.id, entry.kind, "literal", entry.name, entry.hosts[0] if entry.hosts else None)
    if "://" in text:
        return catalog.resolve(url=text)
    return catalog.resolve(provider=text, model=text)


def _locate(text: str, offset: int) -> Location:
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return Location(CHECK_PATH, line, column)


@lru_cache(maxsize=4)
def _policy_cached(config_file: Path | None, fail_on: str | None, rule_dirs: tuple[Path, ...]) -> Policy:
    return policy_for_scan([str(Path.cwd())], ScanConfig(config_file=config_file, fail_on=fail_on, rule_dirs=rule_dirs))


def _policy(config: ScanConfig) -> Policy:
    return _policy_cached(config.config_file, config.fail_on, config.rule_dirs)


@lru_cache(maxsize=2)
def _detector(config: ScanConfig) -> Detector:
    return detector_for(config)


# --- Files: the pre-commit path --------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """A flow that stops a commit: at or above fail_on, not waived, not in the baseline."""

    flow: AssessedFlow
    outcome: RuleOutcome  # the rule that decides, the most restrictive unwaived one

    def line(self) -> str:
        """``path:line:col RULE-ID verdict data -> destination``."""
        loc = self.flow.flow.sink.location
        data = ",".join(c.value for c in self.flow.flow.categories) or "-"
        dest = self.flow.flow.destination
        where = loc.display(record=False)
        return f"{where} {self.outcome.rule_id} {self.outcome.decision.value} {data} -> {dest.id}"

    def fix(self) -> str:
        """One line saying how to fix it: the rule's remediation, and the way to a waiver."""
        unmet = [c.id for c in self.outcome.conditions if c.unmet]
        need = f"unmet: {', '.join(unmet)}. " if unmet else ""
        return (
            f"fix: {need}{self.outcome.remediation} Or waive it in auditor-waivers.yaml "
            f"(rule {self.outcome.rule_id}, flow {self.flow.identity})."
        )


@dataclass(frozen=True)
class CheckResult:
    result: ScanResult
    problems: tuple[Problem, ...]
    baselined: int  # failing flows the baseline already holds
    nlp_loaded: bool


def check_files(files: list[str], config: ScanConfig | None = None, baseline: Baseline | None = None) -> CheckResult:
    """Scan only ``files`` on the fast path and list what should stop a commit."""
    config = replace(config or ScanConfig(), nlp=NlpMode.AUTO)
    detector = detector_for(config)
    result = run_scan(files, config, detector=detector)
    problems = []
    baselined = 0
    for item in result.failing_flows():
        if baseline is not None and item.identity in baseline.flows:
            baselined += 1
            continue
        problems.append(Problem(item, _deciding_outcome(item.verdict, result.fail_on)))
    return CheckResult(result, tuple(problems), baselined, detector._analyzer is not None)


def _deciding_outcome(verdict: Verdict, fail_on: str) -> RuleOutcome:
    for outcome in verdict.trail:  # most restrictive first
        if not outcome.waiver and Verdict(outcome.decision, (outcome,)).fails(fail_on):
            return outcome
    return verdict.trail[0]
