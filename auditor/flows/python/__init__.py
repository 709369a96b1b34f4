"""The code-flow scanner for Python: where regulated data in code reaches an AI model, and
where that model runs.

``code_flows`` parses every file once, runs the analyser over the project as a whole (so data
and clients cross functions and modules), and returns one Flow per sink call and destination,
with the files it could not analyse and why.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from auditor.catalog.destinations import Catalog
from auditor.flows.python.catalog import CodeCatalog, load_code_catalog
from auditor.model import Finding, Flow, SkippedSource
from auditor.siteconfig import SiteConfig

__all__ = ["CodeCatalog", "code_flows", "covered_literals", "load_code_catalog"]


def code_flows(
    files: Iterable[tuple[str, str]],
    findings: Iterable[Finding],
    catalog: Catalog,
    site: SiteConfig | None = None,
    code_catalog: CodeCatalog | None = None,
) -> tuple[list[Flow], list[SkippedSource]]:
    """Flows of the Python files ``(path on disk, path in reports)``, and what was skipped.

    ``findings`` are the scan's findings; those in string literals of these files become data
    wherever the literal flows.
    """
    from auditor.flows.python.analyzer import Analyzer
    from auditor.flows.python.project import Project, parse_module

    code_catalog = code_catalog or load_code_catalog(site or catalog.site)
    project = Project()
    skipped: list[SkippedSource] = []
    for path, display in files:
        try:
            parsed = parse_module(path, display)
            if isinstance(parsed, SkippedSource):
                skipped.append(parsed)
            else:
                project.add(path, display, *parsed)
        except Exception as exc:  # noqa: BLE001 - one file never aborts a scan; it is reported
            skipped.append(SkippedSource(display, f"code-flow analysis skipped: {type(exc).__name__}"))
    by_line: dict[str, dict[int, list[Finding]]] = defaultdict(lambda: defaultdict(list))
    for finding in findings:
        if finding.location.record is None:
            by_line[finding.location.path][finding.location.line].append(finding)
    relevant = project.relevant_modules(code_catalog.is_ai_module, set(by_line))
    analyzer = Analyzer(project, code_catalog, catalog, by_line, relevant)
    for module in [m for m in project.modules.values() if m.key in relevant]:
        try:
            analyzer.analyze_module(module)
        except RecursionError:
            skipped.append(SkippedSource(module.display, "code-flow analysis stopped: nesting too deep"))
        except Exception as exc:  # noqa: BLE001 - dynamic code must never stop the scan; reported
            where = f"{type(exc).__name__} at {exc.__traceback__.tb_frame.f_code.co_name if exc.__traceback__ else '?'}"
            skipped.append(SkippedSource(module.display, f"code-flow analysis failed ({where}); the scan goes on"))
    flows, problems = analyzer.hits.flows()
    return flows, skipped + problems


def covered_literals(flows: Iterable[Flow]) -> set[tuple[str, int]]:
    """(path, line) of the literal findings that code flows carry to a sink."""
    return {(f.location.path, f.location.line) for flow in flows for f in flow.findings}
