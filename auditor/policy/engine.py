"""From a flow to a verdict: every matching rule contributes, the most restrictive wins.

The trail keeps each rule with its citations, the data that made it apply, its conditions
and whether the site configuration shows them met, and the waiver in force if any.
"""

from __future__ import annotations

from datetime import date

from auditor.catalog.destinations import Catalog
from auditor.model import Condition, DataSource, Decision, Finding, Flow, RuleOutcome, Verdict
from auditor.policy.packs import ConditionSpec, DataMatch, Pack, Rule
from auditor.policy.waivers import Waiver
from auditor.siteconfig import SiteConfig


def evaluate(
    flow: Flow,
    packs: tuple[Pack, ...],
    catalog: Catalog,
    site: SiteConfig,
    waivers: tuple[Waiver, ...] = (),
    today: date | None = None,
) -> Verdict:
    """The verdict on one flow under the packs, the catalog's facts and the site's agreements."""
    today = today or date.today()
    outcomes: list[RuleOutcome] = []
    for pack in packs:
        for rule in pack.rules:
            matched = _data_matches(rule.data, flow, site)
            if not matched or not _destination_matches(rule, flow, catalog, site, today):
                continue
            waiver = next((w for w in waivers if w.in_force(today) and w.covers(rule.id, flow)), None)
            outcomes.append(
                RuleOutcome(
                    rule_id=rule.id,
                    title=rule.title,
                    pack=f"{pack.ref.id}@{pack.ref.version}",
                    framework=pack.ref.framework,
                    source=rule.source,
                    citations=rule.requirement_refs,
                    decision=rule.decision,
                    matched=matched,
                    conditions=tuple(_condition(c, flow, site, today) for c in rule.conditions),
                    remediation=rule.remediation,
                    waiver=waiver.id if waiver else _inline_waiver(rule.id, flow),
                    pack_sha256=pack.ref.sha256,
                )
            )
    if not outcomes:
        return Verdict(Decision.ALLOW)
    decision = max((o.decision for o in outcomes), key=lambda d: d.rank)
    remediation = tuple(dict.fromkeys(o.remediation for o in outcomes if o.decision is decision and o.remediation))
    return Verdict(decision, tuple(sorted(outcomes, key=lambda o: -o.decision.rank)), remediation)


def _inline_waiver(rule_id: str, flow: Flow) -> str | None:
    """``# auditor: ignore[RULE-ID] reason`` on a code flow's sink line waives the rules it names
    (every rule when it names none); one without a reason waives nothing (the scanner reports it)."""
    for suppression in flow.suppressions:
        if suppression.reason and (not suppression.rule_ids or rule_id in suppression.rule_ids):
            return f"inline:{suppression.reason}"
    return None


def _data_matches(match: DataMatch, flow: Flow, site: SiteConfig) -> tuple[str, ...]:
    """What in the flow the rule is about, as ``CATEGORY: ENTITY`` lines; empty if nothing."""
    if match.sanitized is not None and match.sanitized != _sanitized(flow, site):
        return ()
    found: dict[str, None] = {}
    for finding in flow.findings:
        if _finding_matches(match, finding):
            label = f" {finding.label}" if finding.label else ""
            found[f"{finding.category.value}: {finding.entity}{label}"] = None
    for source in flow.sources:
        if _source_matches(match, source):
            found[f"{'/'.join(c.value for c in source.categories)}: {source.description}"] = None
    return tuple(found)


def _sanitized(flow: Flow, site: SiteConfig) -> str:
    """``none``; ``deidentifier``: every sanitizer is one the site names as its de-identifier
    (the site vouches it meets Safe Harbor); ``other``: a scrubber nobody vouched for."""
    if not flow.sanitizers:
        return "none"
    return "deidentifier" if set(flow.sanitizers) <= set(site.sanitizers) else "other"


def _finding_matches(match: DataMatch, finding: Finding) -> bool:
    if finding.category not in match.categories:
        return False
    if match.entities is not None and finding.entity not in match.entities:
        return False
    if finding.entity in match.exclude_entities:
        return False
    label = finding.label or ""
    if match.labels and not any(p.search(label) for p in match.labels):
        return False
    return not (label and any(p.search(label) for p in match.exclude_labels))


def _source_matches(match: DataMatch, source: DataSource) -> bool:
    """A code-level source has categories but no entity or label: it matches on category,
    except for rules that need a label (an ECCN's class) to apply."""
    return bool(match.categories.intersection(source.categories)) and not match.labels


def _destination_matches(rule: Rule, flow: Flow, catalog: Catalog, site: SiteConfig, today: date) -> bool:
    target = flow.destination
    spec = rule.destination
    if spec.kinds is not None and target.kind not in spec.kinds:
        return False
    if spec.ids is not None and target.id not in spec.ids:
        return False
    if spec.facts:
        entry = catalog.get(target.id)
        for name, allowed in spec.facts.items():
            value = entry.fact(name) if entry else None
            if value not in allowed:
                return False
    if spec.agreement:
        agreement = site.agreement_for(target.id, today)
        for name, wanted in spec.agreement.items():
            if bool(agreement and getattr(agreement, name)) != wanted:
                return False
    return True


def _condition(spec: ConditionSpec, flow: Flow, site: SiteConfig, today: date) -> Condition:
    if spec.shown_by is None:
        return Condition(spec.id, spec.text, None)
    if flow.destination.resolved_by == "assumed":
        # A document names no vendor, so no agreement can be shown or missed.
        return Condition(spec.id, spec.text + " (no vendor: the document has no destination)", None)
    agreement = site.agreement_for(flow.destination.id, today)
    field = spec.shown_by.removeprefix("agreement.")
    return Condition(spec.id, spec.text, bool(agreement and getattr(agreement, field)))
