"""``auditor plan`` as a library call: the routing plan over paths scanned now or a stored scan.

It sits beside ``pipeline`` (it runs a scan for paths); ``planning`` holds the arithmetic that
reports share, and stays below them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from auditor.planning import new_plan, requests_from_flows, requests_from_rows


def build_plan(
    paths: list[str] | None = None,
    scan: str | None = None,
    db: str | None = None,
    config_file: Path | None = None,
    prices_file: Path | None = None,
    allow_unpriced: bool = False,
) -> dict[str, Any]:
    """The plan over ``paths`` (scanned now) or a stored ``scan``, as ``Plan.as_dict()``.

    Prices and configuration are read first: a bad price entry is exit 2 before any scan.
    """
    from auditor.config import ScanConfig
    from auditor.pipeline import policy_for_scan

    if paths:
        config = ScanConfig(config_file=config_file)
        policy = policy_for_scan(paths, config)
        plan = new_plan(policy.site, policy.catalog, prices_file, allow_unpriced)
        from auditor.pipeline import run_scan

        result = run_scan(paths, config, policy=policy)
        for request in requests_from_flows(result.flows):
            plan.add(request)
        return plan.as_dict()
    from auditor.catalog.destinations import load_catalog
    from auditor.siteconfig import find_config_file, load_site_config
    from auditor.store import open_database
    from auditor.store.repository import request_rows, resolve_scan

    site = load_site_config(config_file or find_config_file(Path.cwd()))
    plan = new_plan(site, load_catalog(site), prices_file, allow_unpriced)
    engine = open_database(db)
    try:
        with engine.connect() as conn:
            scan_id = resolve_scan(conn, scan or "latest")
            for request in requests_from_rows(request_rows(conn, scan_id)):
                plan.add(request)
    finally:
        engine.dispose()
    return {"scan": scan_id, **plan.as_dict()}
