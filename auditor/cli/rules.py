"""``auditor rules`` and ``auditor destinations``: show and validate the policy data."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import click

from auditor.cli._listing import emit_rows

if TYPE_CHECKING:
    from auditor.policy.packs import DestinationMatch
    from auditor.siteconfig import SiteConfig


def _site(config_file: Path | None) -> SiteConfig:
    from auditor.siteconfig import find_config_file, load_site_config

    return load_site_config(config_file or find_config_file(Path.cwd()))


_config_option = click.option(
    "--config",
    "config_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Site configuration [default: found from the current directory up].",
)
_format_option = click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)


@click.group("rules")
def rules_group() -> None:
    """List, show and validate rule packs."""


@rules_group.command("list")
@_config_option
@click.option("--rules", "rule_dirs", multiple=True, type=click.Path(exists=True, file_okay=False, path_type=Path))
@_format_option
def rules_list(config_file: Path | None, rule_dirs: tuple[Path, ...], fmt: str) -> int:
    """Every rule in scope: id, decision, framework, pack and title."""
    from auditor.policy.packs import load_packs

    packs = load_packs(_site(config_file), tuple(rule_dirs))
    rows = [
        {
            "id": r.id,
            "decision": r.decision.value,
            "framework": p.ref.framework,
            "pack": f"{p.ref.id}@{p.ref.version}",
            "source": r.source,
            "title": r.title,
        }
        for p in packs
        for r in p.rules
    ]
    emit_rows(rows, fmt, list(rows[0]) if rows else ["id"])
    return 0


@rules_group.command("show")
@click.argument("rule_id")
@_config_option
@click.option("--rules", "rule_dirs", multiple=True, type=click.Path(exists=True, file_okay=False, path_type=Path))
@_format_option
def rules_show(rule_id: str, config_file: Path | None, rule_dirs: tuple[Path, ...], fmt: str) -> int:
    """One rule in full: citations, data and destination it applies to, conditions, remediation."""
    from auditor.errors import UsageError
    from auditor.policy.packs import load_packs

    for pack in load_packs(_site(config_file), tuple(rule_dirs)):
        for rule in pack.rules:
            if rule.id == rule_id:
                info = {
                    "id": rule.id,
                    "title": rule.title,
                    "decision": rule.decision.value,
                    "pack": f"{pack.ref.id}@{pack.ref.version} ({pack.ref.path}, sha256 {pack.ref.sha256[:12]})",
                    "framework": pack.ref.framework,
                    "source": rule.source,
                    "citations": list(rule.requirement_refs),
                    "data": sorted(c.value for c in rule.data.categories)
                    + sorted(rule.data.entities or ())
                    + [f"label ~ {p.pattern}" for p in rule.data.labels]
                    + [f"not label ~ {p.pattern}" for p in rule.data.exclude_labels]
                    + ([f"sanitized = {rule.data.sanitized}"] if rule.data.sanitized is not None else []),
                    "destination": _describe_destination(rule.destination),
                    "conditions": [
                        c.text + (f" [shown by {c.shown_by}]" if c.shown_by else " [attested]") for c in rule.conditions
                    ],
                    "remediation": rule.remediation,
                }
                if fmt == "json":
                    click.echo(json.dumps(info, indent=2))
                else:
                    for key, value in info.items():
                        value = value if isinstance(value, list) else [value]
                        click.echo(f"{key + ':':<13}{value[0] if value else '-'}")
                        for more in value[1:]:
                            click.echo(f"{'':<13}{more}")
                return 0
    raise UsageError(f"no rule {rule_id!r} in the packs in scope (see `auditor rules list`)")


@rules_group.command("validate")
@click.argument("directory", required=False, type=click.Path(exists=True, file_okay=False, path_type=Path))
def rules_validate(directory: Path | None) -> int:
    """Validate the shipped packs and the catalog, or every pack in DIRECTORY."""
    from auditor.catalog.destinations import load_catalog
    from auditor.policy.packs import load_pack, shipped_pack_paths

    paths = sorted(directory.glob("*.y*ml")) if directory else shipped_pack_paths()
    count = 0
    for path in paths:
        if path.name == "destinations.yaml":
            load_catalog(path=path)
            click.echo(f"ok  {path}: destination catalog")
            continue
        pack = load_pack(path)
        count += len(pack.rules)
        click.echo(f"ok  {path}: {pack.ref.id}@{pack.ref.version}, {len(pack.rules)} rules, sha256 {pack.ref.sha256}")
    if directory:
        # As a scan would load them: beside the shipped packs, a reused rule id is an error.
        from auditor.policy.packs import load_packs

        load_packs(extra_dirs=(directory,))
    else:
        catalog = load_catalog()
        click.echo(f"ok  {catalog.path}: destination catalog, {len(catalog.entries)} destinations")
    click.echo(f"all valid: {len(paths)} files, {count} rules")
    return 0


def _describe_destination(spec: DestinationMatch) -> list[str]:
    parts = []
    if spec.kinds:
        parts.append("kind in " + ", ".join(sorted(k.value for k in spec.kinds)))
    if spec.ids:
        parts.append("id in " + ", ".join(sorted(spec.ids)))
    for name, values in (spec.facts or {}).items():
        parts.append(f"vendor fact {name} in " + ", ".join("unknown" if v is None else str(v).lower() for v in values))
    for name, value in (spec.agreement or {}).items():
        parts.append(f"site agreement {name} = {str(value).lower()}")
    return parts or ["any"]


@click.group("destinations")
def destinations_group() -> None:
    """List and show the AI destinations auditor recognises."""


@destinations_group.command("list")
@_config_option
@_format_option
def destinations_list(config_file: Path | None, fmt: str) -> int:
    """Every destination: id, kind, BAA offered, zero data retention, name."""
    from auditor.catalog.destinations import load_catalog

    catalog = load_catalog(_site(config_file))
    rows = [
        {
            "id": e.id,
            "kind": e.kind.value,
            "baa_offered": _fact(e.fact("baa_offered")) if e.kind.value == "external" else "-",
            "zero_data_retention": _fact(e.fact("zero_data_retention")) if e.kind.value == "external" else "-",
            "name": e.name,
        }
        for e in catalog.entries
    ]
    emit_rows(rows, fmt, list(rows[0]) if rows else ["id"])
    return 0


@destinations_group.command("show")
@click.argument("destination_id")
@_config_option
def destinations_show(destination_id: str, config_file: Path | None) -> int:
    """One destination: how it is recognised and each vendor fact with its date."""
    from auditor.catalog.destinations import load_catalog
    from auditor.errors import UsageError

    site = _site(config_file)
    entry = load_catalog(site).get(destination_id)
    if entry is None:
        raise UsageError(f"no destination {destination_id!r} (see `auditor destinations list`)")
    click.echo(f"{entry.id}: {entry.name} ({entry.kind.value}){' by ' + entry.vendor if entry.vendor else ''}")
    for label, values in (
        ("hosts", entry.hosts + entry.host_patterns),
        ("providers", entry.providers),
        ("SDK modules", entry.sdk_modules),
        ("model prefixes", entry.model_prefixes),
        ("ports", tuple(map(str, entry.ports))),
    ):
        if values:
            click.echo(f"  {label}: {', '.join(values)}")
    for name, fact in entry.facts.items():
        extra = f" — {fact['note']}" if fact.get("note") else ""
        source = f" [{fact['source']}]" if fact.get("source") else ""
        click.echo(f"  {name}: {_fact(fact.get('value'))} (as of {fact.get('as_of', '?')}){source}{extra}")
    agreement = site.agreement_for(entry.id)
    if agreement:
        click.echo(
            f"  site agreement: BAA {'yes' if agreement.baa else 'no'}, ZDR {'yes' if agreement.zdr else 'no'}, "
            f"US-only {'yes' if agreement.us_only else 'no'}, vendor management "
            f"{'yes' if agreement.vendor_management else 'no'}"
            + (f", signed {agreement.signed}" if agreement.signed else "")
        )
    return 0


def _fact(value: object) -> str:
    return "unknown" if value is None else ("yes" if value is True else "no" if value is False else str(value))
