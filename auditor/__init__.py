"""auditor: finds regulated data headed for AI models, and says whether it may go there.

Library API (the CLI uses only this)::

    import auditor
    result = auditor.scan(["examples/"])
    for finding in result.findings:
        print(finding.location, finding.category, finding.excerpt)
    for item in result.flows:
        print(item.flow.sink.location, item.flow.destination.id, item.verdict.decision)

    verdict = auditor.check_text(prompt, "openai")   # before sending a prompt at run time
"""

from __future__ import annotations

from collections.abc import Sequence

from auditor.config import ScanConfig
from auditor.model import (
    AssessedFlow,
    Category,
    Decision,
    Destination,
    DestinationKind,
    Finding,
    Flow,
    FlowKind,
    Location,
    RecordContext,
    RuleOutcome,
    ScanResult,
    SkippedSource,
    SourceSummary,
    Verdict,
)
from auditor.version import __version__

__all__ = [
    "AssessedFlow",
    "Category",
    "Decision",
    "Destination",
    "DestinationKind",
    "Finding",
    "Flow",
    "FlowKind",
    "Location",
    "RecordContext",
    "RuleOutcome",
    "ScanConfig",
    "ScanResult",
    "SkippedSource",
    "SourceSummary",
    "Verdict",
    "__version__",
    "check_text",
    "scan",
]


def scan(paths: Sequence[str], config: ScanConfig | None = None) -> ScanResult:
    """Scan files and directories for regulated data; the same result ``auditor scan`` prints."""
    from auditor.pipeline import run_scan

    return run_scan(paths, config)


def check_text(text: str, destination: str | Destination, config: ScanConfig | None = None) -> Verdict:
    """The verdict on sending ``text`` to ``destination`` at run time, before the call is made.

    ``destination`` is a catalog id (``"openai"``), a URL (``"http://localhost:11434"``), a
    model string (``"ollama/llama3"``, ``"gpt-4o"``) or a resolved Destination. The site
    configuration is ``config.config_file`` or the one found from the current directory.
    """
    from auditor.checking import check_text as _check

    return _check(text, destination, config)
