"""Rule packs: YAML files in ``rules/`` (and a site's own directories), validated at load.

A pack's sha256 is taken over its bytes as loaded, so a verdict can be tied to the exact text
of the rules that made it.
"""

from __future__ import annotations

import difflib
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from auditor.catalog.schema import PolicyFileError, load_yaml, validate
from auditor.model import Category, Decision, DestinationKind, PackRef
from auditor.resources import resource_dir
from auditor.siteconfig import SiteConfig

# Catalogs that live beside the packs in rules/ but are not packs: AI destinations, and the
# code-flow scanner's sinks, sources and sanitizers; and the price table.
CATALOG_FILES = frozenset({"destinations.yaml", "code.yaml", "prices.yaml"})


@dataclass(frozen=True)
class DataMatch:
    """Which findings a rule is about."""

    categories: frozenset[Category]
    entities: frozenset[str] | None = None
    exclude_entities: frozenset[str] = frozenset()
    labels: tuple[re.Pattern[str], ...] = ()
    exclude_labels: tuple[re.Pattern[str], ...] = ()
    sanitized: str | None = None  # none | deidentifier | other | None (any)


@dataclass(frozen=True)
class DestinationMatch:
    """Which destinations a rule is about; facts and agreements are checked by the engine."""

    kinds: frozenset[DestinationKind] | None = None
    ids: frozenset[str] | None = None
    facts: dict[str, tuple[Any, ...]] | None = None
    agreement: dict[str, bool] | None = None


@dataclass(frozen=True)
class ConditionSpec:
    id: str
    text: str
    shown_by: str | None = None  # "agreement.baa": the site configuration can show it


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    requirement_refs: tuple[str, ...]
    source: str
    data: DataMatch
    destination: DestinationMatch
    decision: Decision
    conditions: tuple[ConditionSpec, ...]
    remediation: str
    pack: PackRef


@dataclass(frozen=True)
class Pack:
    ref: PackRef
    rules: tuple[Rule, ...]
    description: str = ""


def shipped_pack_paths() -> list[Path]:
    """The packs that ship with auditor, one file a framework."""
    return sorted(p for p in resource_dir("rules").glob("*.yaml") if p.name not in CATALOG_FILES)


def load_pack(path: Path) -> Pack:
    """Read and validate one pack; errors name the file, the rule id and the field."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise PolicyFileError(f"{path}: cannot read: {exc.strerror or exc}") from None
    data = load_yaml(path)
    validate(data, "rule-pack", path)
    ref = PackRef(
        id=data["id"],
        version=data["version"],
        title=data["title"],
        framework=data["framework"],
        sha256=hashlib.sha256(raw).hexdigest(),
        path=str(path),
    )
    rules = tuple(_rule(item, ref, path) for item in data["rules"])
    seen: set[str] = set()
    for rule in rules:
        if rule.id in seen:
            raise PolicyFileError(f"{path}: rule {rule.id}: field id: duplicate rule id")
        seen.add(rule.id)
    return Pack(ref, rules, data.get("description", "").strip())


def load_packs(site: SiteConfig | None = None, extra_dirs: tuple[Path, ...] = ()) -> tuple[Pack, ...]:
    """The shipped packs in the site's frameworks, plus every pack in the site's rule directories.

    Rule ids are unique across packs: an organisation's pack cannot silently redefine a
    shipped rule.
    """
    site = site or SiteConfig()
    shipped = list(map(load_pack, shipped_pack_paths()))
    packs = [p for p in shipped if p.ref.id in site.frameworks]
    for folder in (*site.rule_dirs, *extra_dirs):
        if not folder.is_dir():
            raise PolicyFileError(f"{folder}: rule directory does not exist")
        packs.extend(load_pack(p) for p in sorted(folder.glob("*.y*ml")) if p.name not in CATALOG_FILES)
    _check_frameworks(site, {p.ref.id for p in shipped} | {p.ref.id for p in packs})
    owner: dict[str, str] = {}
    for pack in packs:
        for rule in pack.rules:
            if rule.id in owner:
                raise PolicyFileError(f"{pack.ref.path}: rule {rule.id}: field id: already defined in {owner[rule.id]}")
            owner[rule.id] = pack.ref.path
    return tuple(packs)


def _check_frameworks(site: SiteConfig, known: set[str]) -> None:
    """Fail closed: a framework that names no pack ("hippa") would silently judge nothing."""
    for framework in site.frameworks:
        if framework not in known:
            near = difflib.get_close_matches(framework, sorted(known), n=1)
            hint = f"; did you mean {near[0]!r}?" if near else f" (known: {', '.join(sorted(known))})"
            where = f"{site.path}: " if site.path else ""
            raise PolicyFileError(f"{where}frameworks: unknown framework {framework!r}{hint}")


def _rule(item: dict[str, Any], pack: PackRef, path: Path) -> Rule:
    data = item["data"]
    dest = item.get("destination", {})
    return Rule(
        id=item["id"],
        title=item["title"],
        requirement_refs=tuple(item["requirement_refs"]),
        source=item["source"],
        data=DataMatch(
            categories=frozenset(Category(c) for c in data["categories"]),
            entities=frozenset(data["entities"]) if "entities" in data else None,
            exclude_entities=frozenset(data.get("exclude_entities", ())),
            labels=_patterns(data.get("labels", ()), item["id"], "data.labels", path),
            exclude_labels=_patterns(data.get("exclude_labels", ()), item["id"], "data.exclude_labels", path),
            sanitized=data.get("sanitized"),
        ),
        destination=DestinationMatch(
            kinds=frozenset(DestinationKind(k) for k in dest["kinds"]) if "kinds" in dest else None,
            ids=frozenset(dest["ids"]) if "ids" in dest else None,
            facts={k: tuple(v) for k, v in dest["facts"].items()} if "facts" in dest else None,
            agreement=dict(dest["agreement"]) if "agreement" in dest else None,
        ),
        decision=Decision(item["decision"]),
        conditions=tuple(ConditionSpec(c["id"], c["text"], c.get("shown_by")) for c in item.get("conditions", ())),
        remediation=" ".join(item["remediation"].split()),
        pack=pack,
    )


def _patterns(texts: Any, rule_id: str, field: str, path: Path) -> tuple[re.Pattern[str], ...]:
    compiled = []
    for text in texts:
        try:
            compiled.append(re.compile(text))
        except re.error as exc:
            raise PolicyFileError(f"{path}: rule {rule_id}, field {field}: bad regular expression: {exc}") from None
    return tuple(compiled)
