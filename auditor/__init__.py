"""auditor: finds regulated data headed for AI models, and says whether it may go there.

Library API (the CLI uses only this)::

    import auditor
    result = auditor.scan(["examples/"])
    for finding in result.findings:
        print(finding.location, finding.category, finding.excerpt)
"""

from __future__ import annotations

from collections.abc import Sequence

from auditor.config import ScanConfig
from auditor.model import (
    Category,
    Finding,
    Location,
    RecordContext,
    ScanResult,
    SkippedSource,
    SourceSummary,
)
from auditor.version import __version__

__all__ = [
    "Category",
    "Finding",
    "Location",
    "RecordContext",
    "ScanConfig",
    "ScanResult",
    "SkippedSource",
    "SourceSummary",
    "__version__",
    "scan",
]


def scan(paths: Sequence[str], config: ScanConfig | None = None) -> ScanResult:
    """Scan files and directories for regulated data; the same result ``auditor scan`` prints."""
    from auditor.pipeline import run_scan

    return run_scan(paths, config)
