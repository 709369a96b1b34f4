"""auditor: finds regulated data headed for AI models, and says whether it may go there.

Library API (the CLI uses only this)::

    import auditor
    result = auditor.scan(["examples/"])
    for finding in result.findings:
        print(finding.location, finding.category, finding.excerpt)
    for item in result.flows:
        print(item.flow.sink.location, item.flow.destination.id, item.verdict.decision)

    verdict = auditor.check_text(prompt, "openai")   # before sending a prompt at run time
    client = auditor.guard(OpenAI())                 # every request judged before it leaves
    for d in auditor.detect(text):                   # spans only: the caller holds the text
        print(d.start, d.end, d.entity, d.category, d.confidence)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from auditor.config import ScanConfig
from auditor.errors import PolicyViolation, RouteUnavailable
from auditor.model import (
    AssessedFlow,
    Category,
    Decision,
    Destination,
    DestinationKind,
    Detection,
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
    "Detection",
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
    "PolicyViolation",
    "RouteUnavailable",
    "check_text",
    "detect",
    "detect_many",
    "guard",
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


def detect(text: str, config: ScanConfig | None = None) -> list[Detection]:
    """The regulated values in ``text`` (offsets, entity, category, confidence; never the value).

    The same engine, defaults and context rules as ``auditor scan``: a name in clinical text is
    PHI, the same name elsewhere PII. Never raises on odd text; empty text gives no spans.
    """
    from auditor.detection import detect as _detect

    return _detect(text, config)


def detect_many(texts: list[str], config: ScanConfig | None = None) -> list[list[Detection]]:
    """``detect`` of each text, batched through spaCy: faster on many short texts."""
    from auditor.detection import detect_many as _detect_many

    return _detect_many(texts, config)


def guard(
    client: Any,
    *,
    config: ScanConfig | None = None,
    db: str | bool | None = None,
    name: str = "guard",
    local_api_key: str | None = None,
    warm_up: bool = True,
    span_cache: int = 4096,
) -> Any:
    """Wrap an OpenAI, Anthropic or OpenAI-compatible client (sync or async) so each request is
    judged before it leaves: sent, redacted, rerouted to the site's local model, or refused with
    ``PolicyViolation``. Decisions are stored as runtime flows (``db=False``: not stored).
    ``warm_up`` loads the detector now; ``span_cache`` texts are detected once (0: none).
    See ``auditor.guarded``."""
    from auditor.guarded import guard as _guard

    return _guard(
        client, config=config, db=db, name=name, local_api_key=local_api_key, warm_up=warm_up, span_cache=span_cache
    )
