"""Risk ranking: the rules that restrict flows in a scan, grouped and ordered most serious first,
and each framework's flows by its strictest decision."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from auditor.model import Condition, Decision, RuleOutcome, Verdict
from auditor.reports.model import Risk
from auditor.store.records import FlowRecord, RuleRecord


def stored_verdict(decision: str, trail: Sequence[RuleRecord]) -> Verdict:
    """The stored verdict as the model's value, so ``fails`` is the scan's own logic."""
    outcomes = tuple(
        RuleOutcome(
            rule_id=r.rule_id,
            title=r.title,
            pack=r.pack,
            framework=r.framework,
            source=r.source,
            citations=r.citations,
            decision=Decision(r.decision),
            matched=r.matched,
            conditions=tuple(Condition(c["id"], c["text"], c.get("met")) for c in r.conditions),
            remediation=r.remediation,
            waiver=r.waiver,
        )
        for r in trail
    )
    return Verdict(Decision(decision), outcomes)


def by_framework(
    flows: Sequence[FlowRecord],
    trails: dict[int, list[RuleRecord]],
    pack_framework: dict[str, str],
    wanted: Sequence[str],
) -> dict[str, dict[str, int]]:
    """Per framework: flows its rules applied to, by that framework's strictest decision."""
    table = {fw: {d.value: 0 for d in Decision} for fw in wanted}
    for flow in flows:
        strictest: dict[str, Decision] = {}
        for rule in trails.get(flow.id, []):
            fw = pack_framework.get(rule.pack, rule.framework)
            decision = Decision(rule.decision)
            if fw in table and (fw not in strictest or decision.rank > strictest[fw].rank):
                strictest[fw] = decision
        for fw, decision in strictest.items():
            table[fw][decision.value] += 1
    return table


@dataclass
class _Group:
    """The flows one restricting rule applied to, gathered for its line in the top risks."""

    rule: RuleRecord
    flows: int = 0
    failing: int = 0
    unmet: dict[str, None] = field(default_factory=dict)  # dicts as ordered sets
    categories: dict[str, None] = field(default_factory=dict)
    destinations: dict[str, None] = field(default_factory=dict)
    paths: dict[str, None] = field(default_factory=dict)


def rank_risks(
    flows: Sequence[FlowRecord],
    trails: dict[int, list[RuleRecord]],
    verdicts: dict[int, Verdict],
    fail_on: str,
    pack_framework: dict[str, str],
    wanted: Sequence[str],
) -> tuple[Risk, ...]:
    """Every restricting rule not waived, grouped, most serious first: local_only, then unmet, then count."""
    groups: dict[str, _Group] = {}
    for flow in flows:
        for rule in trails.get(flow.id, []):
            if rule.decision == "allow" or rule.waiver or pack_framework.get(rule.pack, rule.framework) not in wanted:
                continue
            g = groups.setdefault(rule.rule_id, _Group(rule))
            g.flows += 1
            g.failing += verdicts[flow.id].fails(fail_on)
            for condition in rule.conditions:
                if condition.get("met") is False:
                    g.unmet[condition["text"]] = None
            for category in flow.categories.split(","):
                if category:
                    g.categories[category] = None
            g.destinations[flow.destination] = None
            g.paths[flow.path] = None
    ordered = sorted(
        groups.values(),
        key=lambda g: (-Decision(g.rule.decision).rank, -bool(g.unmet), -g.failing, -g.flows, g.rule.rule_id),
    )
    return tuple(
        Risk(
            rank=i,
            rule_id=g.rule.rule_id,
            title=g.rule.title,
            decision=g.rule.decision,
            unmet=tuple(g.unmet),
            flows=g.flows,
            failing=g.failing,
            categories=", ".join(g.categories),
            destinations=", ".join(g.destinations),
            paths=tuple(g.paths),
            citations=g.rule.citations,
            remediation=" ".join(g.rule.remediation.split()),
        )
        for i, g in enumerate(ordered, 1)
    )
