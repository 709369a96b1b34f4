"""The terminal summary of a scan: per file and category, then what was skipped."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from auditor.model import AssessedFlow, Category, Decision, ScanResult
from auditor.reports.interface import ResultFormat

_SHORT = {Category.PHI: "PHI", Category.PII: "PII", Category.FINANCIAL: "FIN", Category.EXPORT_CONTROLLED: "EXPORT"}


@dataclass(frozen=True)
class TableFormat(ResultFormat):
    """The terminal summary; ``verbose`` lists every finding (masked) and every rule trail."""

    verbose: bool = False

    def render(self, result: ScanResult, problems: Sequence[Any] = ()) -> str:
        return render_table(result, self.verbose)


def render_table(result: ScanResult, verbose: bool = False) -> str:
    """A plain-text summary; with ``verbose`` every finding (masked) under its file."""
    per_file: dict[str, Counter[Category]] = {}
    for finding in result.findings:
        per_file.setdefault(finding.location.path, Counter())[finding.category] += 1
    lines: list[str] = []
    if per_file:
        width = max(len("file"), *(len(p) for p in per_file))
        header = f"{'file':<{width}}  " + "  ".join(f"{_SHORT[c]:>6}" for c in Category)
        lines += [header, "-" * len(header)]
        for path in sorted(per_file):
            counts = per_file[path]
            lines.append(f"{path:<{width}}  " + "  ".join(f"{counts[c] or '':>6}" for c in Category))
            if verbose:
                for f in (x for x in result.findings if x.location.path == path):
                    where = f"{f.location.line}:{f.location.column}"
                    if f.location.record is not None:
                        where += f" rec {f.location.record} {f.location.pointer or ''}"
                    lines.append(
                        f"    {where:<24} {f.category.value:<17} {f.entity:<24} {f.confidence:.2f}  {f.excerpt}"
                    )
        lines.append("")
    totals = result.counts_by_category()
    lines.append(
        f"{len(result.findings)} findings in {len(per_file)} of {len(result.sources)} files scanned "
        "(" + ", ".join(f"{k} {v}" for k, v in totals.items()) + ")"
    )
    if result.skipped:
        lines.append(f"{len(result.skipped)} skipped:")
        for skip in result.skipped:
            where = f"{skip.path}:{skip.line}" if skip.line else skip.path
            lines.append(f"  {where}: {skip.reason}")
    lines += render_flows(result, verbose)
    return "\n".join(lines) + "\n"


def render_flows(result: ScanResult, verbose: bool = False) -> list[str]:
    """The flows: every one that is not ``allow`` (all of them with ``verbose``), then a tally."""
    if not result.flows:
        return []
    shown = [f for f in result.flows if verbose or f.verdict.decision is not Decision.ALLOW]
    shown.sort(key=lambda f: (-f.verdict.decision.rank, f.flow.sink.location.path, f.flow.sink.location.line))
    lines = [""]
    if shown:
        rows = [_flow_row(f, result.fail_on) for f in shown]
        widths = [max(len(r[i]) for r in rows + [_FLOW_HEADER]) for i in range(len(_FLOW_HEADER) - 1)]
        for row in [_FLOW_HEADER, *rows]:
            lines.append("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=False)) + "  " + row[-1])
            if verbose and row is not _FLOW_HEADER:
                lines += _trail(shown[rows.index(row)])
    counts = result.counts_by_decision()
    failing = result.failing_flows()
    lines.append(
        f"{len(result.flows)} flows: "
        + ", ".join(f"{counts[d.value]} {d.value}" for d in reversed(Decision))
        + f"; {len(failing)} at or above fail_on={result.fail_on}"
        + (" (marked !)" if failing else "")
    )
    expired = [w for w in result.waivers if w.expired]
    for waiver in expired:
        lines.append(f"waiver {waiver.id} ({waiver.rule_id}, approved by {waiver.approver}) expired {waiver.expires}")
    return lines


_FLOW_HEADER = ("verdict", "kind", "where", "data", "destination", "rules")


def _flow_row(item: AssessedFlow, fail_on: str) -> tuple[str, ...]:
    flow, verdict = item.flow, item.verdict
    loc = flow.sink.location
    where = loc.display(column=False, pointer=False)
    mark = "!" if verdict.fails(fail_on) else ("~" if verdict.waived else " ")
    dest = flow.destination
    destination = f"{dest.id} ({dest.resolved_by})"
    rules = []
    for outcome in verdict.trail:
        if outcome.decision is not verdict.decision:
            continue
        unmet = [c.id for c in outcome.conditions if c.unmet]
        text = outcome.rule_id + (f" unmet: {','.join(unmet)}" if unmet else "")
        rules.append(text + (f" waived by {outcome.waiver}" if outcome.waiver else ""))
    data = ",".join(c.value for c in flow.categories) or "-"
    return (f"{mark}{verdict.decision.value}", flow.kind.value, where, data, destination, "; ".join(rules) or "-")


def _trail(item: AssessedFlow) -> list[str]:
    """The explanation of a verdict: destination evidence, then each rule with its citations."""
    dest = item.flow.destination
    lines = [f"      destination: {dest.name or dest.id}, {dest.kind.value}; {dest.detail}"]
    for step in item.flow.steps:
        lines.append(f"      step {step.location}: {step.description}")
    for outcome in item.verdict.trail:
        lines.append(
            f"      {outcome.decision.value:<11} {outcome.rule_id} ({outcome.pack}, {outcome.source}): {outcome.title}"
        )
        lines.append(f"                  data: {'; '.join(outcome.matched)}")
        lines.append(f"                  cites: {'; '.join(outcome.citations)}")
        for condition in outcome.conditions:
            state = {True: "met", False: "UNMET", None: "attest"}[condition.met]
            lines.append(f"                  [{state}] {condition.text}")
        if outcome.waiver:
            lines.append(f"                  waived by {outcome.waiver}")
    for text in item.verdict.remediation:
        lines.append(f"      fix: {text}")
    return lines
