"""The policy layer: rule packs, the destination catalog, site configuration, waivers, verdicts.

``load_policy`` reads everything once; ``Policy.assess`` gives each flow its verdict.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from auditor.catalog.destinations import Catalog, load_catalog
from auditor.model import AssessedFlow, Flow, PackRef, WaiverStatus
from auditor.policy.engine import evaluate
from auditor.policy.packs import Pack, load_packs
from auditor.policy.waivers import WAIVERS_FILE, Waiver, load_waivers
from auditor.siteconfig import SiteConfig

__all__ = ["Catalog", "Pack", "Policy", "Waiver", "evaluate", "load_policy"]


@dataclass(frozen=True)
class Policy:
    """Everything a verdict depends on, loaded and validated once per scan."""

    packs: tuple[Pack, ...]
    catalog: Catalog
    site: SiteConfig
    waivers: tuple[Waiver, ...] = ()
    today: date | None = None

    def assess(self, flow: Flow) -> AssessedFlow:
        """The flow with its verdict."""
        return AssessedFlow(flow, evaluate(flow, self.packs, self.catalog, self.site, self.waivers, self.today))

    @property
    def pack_refs(self) -> tuple[PackRef, ...]:
        return tuple(p.ref for p in self.packs)

    def waiver_statuses(self) -> tuple[WaiverStatus, ...]:
        on = self.today or date.today()
        return tuple(w.status(on) for w in self.waivers)


def load_policy(
    site: SiteConfig | None = None,
    waivers_file: Path | None = None,
    rule_dirs: tuple[Path, ...] = (),
    today: date | None = None,
) -> Policy:
    """Packs, catalog and waivers for a site; any invalid file raises a ConfigError (exit 2)."""
    site = site or SiteConfig()
    if waivers_file is None:
        waivers_file = site.waivers_file or (site.path.parent / WAIVERS_FILE if site.path else None)
    return Policy(
        packs=load_packs(site, rule_dirs),
        catalog=load_catalog(site),
        site=site,
        waivers=load_waivers(waivers_file),
        today=today,
    )
