"""Each framework in a report: every rule of its pack and what it did in the scan."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

from auditor.errors import UsageError
from auditor.model import PackRef
from auditor.reports.model import FrameworkResult, RuleStatus
from auditor.store.records import RuleRecord

_PackRule = tuple[str, str, tuple[str, ...], str, str]  # id, title, citations, source, decision


def frameworks_in_report(packs: Sequence[PackRef], asked: Sequence[str]) -> list[str]:
    """The frameworks asked for (by framework or pack id), else all of the scan's."""
    present = list(dict.fromkeys(p.framework for p in packs))
    if not asked:
        return present
    by_name = {p.framework.upper(): p.framework for p in packs} | {p.id.upper(): p.framework for p in packs}
    unknown = [a for a in asked if a.upper() not in by_name]
    if unknown:
        raise UsageError(f"framework {unknown[0]!r} is not among the scan's rule packs ({', '.join(present)})")
    return list(dict.fromkeys(by_name[a.upper()] for a in asked))


def framework_result(pack: PackRef, trails: dict[int, list[RuleRecord]]) -> FrameworkResult:
    """Every rule of the pack with its status; the rule list comes from the pack file if it is unchanged."""
    applied: dict[str, list[RuleRecord]] = defaultdict(list)
    pack_key = f"{pack.id}@{pack.version}"
    for trail in trails.values():
        for rule in trail:
            if rule.pack == pack_key:
                applied[rule.rule_id].append(rule)
    rules, note = _pack_rules(pack)
    if rules is None:
        rules = [
            (rid, rs[0].title, rs[0].citations, rs[0].source, rs[0].decision) for rid, rs in sorted(applied.items())
        ]
    statuses = []
    for rule_id, title, citations, source, decision in rules:
        hits = applied.get(rule_id, [])
        waived = sum(1 for h in hits if h.waiver)
        if not hits:
            status = "not triggered"
        else:
            status = f"applied to {len(hits)} flow{'s' if len(hits) != 1 else ''}"
            if waived:
                status += f", {waived} waived"
        statuses.append(RuleStatus(rule_id, title, citations, source, decision, len(hits), waived, status))
    return FrameworkResult(pack, tuple(statuses), note)


def _pack_rules(pack: PackRef) -> tuple[list[_PackRule] | None, str]:
    """The pack's rules from its file, only if the file still has the sha256 the scan recorded."""
    path = Path(pack.path)
    try:
        raw = path.read_bytes()
    except OSError:
        return None, "The pack file is not available here: rules are listed from the scan's trails only."
    if hashlib.sha256(raw).hexdigest() != pack.sha256:
        return (
            None,
            "The pack file changed since the scan (sha256 differs): rules are listed from the scan's trails only.",
        )
    from auditor.policy.packs import load_pack

    loaded = load_pack(path)
    return [(r.id, r.title, r.requirement_refs, r.source, r.decision.value) for r in loaded.rules], ""
