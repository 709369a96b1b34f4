"""``check_text``: one text, one destination, one verdict — for applications at run time.

The detector and the policy are built once per process and reused, so a service can call it
for every prompt.
"""

from __future__ import annotations

import threading
from functools import lru_cache
from pathlib import Path

from auditor.config import ScanConfig
from auditor.detectors import Detector
from auditor.findings import findings_from_unit
from auditor.fingerprint import load_key
from auditor.model import Destination, Flow, FlowKind, Location, Sink, Verdict
from auditor.pipeline import policy_for_scan
from auditor.policy import Policy
from auditor.sources.base import Piece, TextUnit

CHECK_PATH = "<text>"
_lock = threading.Lock()


def check_text(text: str, destination: str | Destination, config: ScanConfig | None = None) -> Verdict:
    """Detect regulated data in ``text`` and judge sending it to ``destination``."""
    config = config or ScanConfig()
    policy = _policy(config)
    target = destination if isinstance(destination, Destination) else resolve_destination(destination, policy)
    detector = _detector(config.model_name, config.min_confidence, config.chunk_chars, config.chunk_overlap)
    unit = TextUnit(text, (Piece(0, len(text), lambda offset: _locate(text, offset)),))
    with _lock:  # spaCy pipelines are not documented as thread-safe
        spans = detector.detect(text)
    findings = findings_from_unit(unit, spans, load_key(), config.min_confidence)
    flow = Flow(FlowKind.RECORD, Sink(Location(CHECK_PATH, 1, 1), "check_text"), target, tuple(findings))
    return policy.assess(flow).verdict


def resolve_destination(text: str, policy: Policy) -> Destination:
    """A catalog id, a URL or a model string, resolved through the site's catalog."""
    catalog = policy.catalog
    if catalog.get(text) is not None and "/" not in text:
        entry = catalog.get(text)
        return Destination(entry.id, entry.kind, "literal", entry.name, entry.hosts[0] if entry.hosts else None)
    if "://" in text:
        return catalog.resolve(url=text)
    return catalog.resolve(provider=text, model=text)


def _locate(text: str, offset: int) -> Location:
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return Location(CHECK_PATH, line, column)


@lru_cache(maxsize=4)
def _policy_cached(config_file: Path | None, fail_on: str | None, rule_dirs: tuple[Path, ...]) -> Policy:
    return policy_for_scan([str(Path.cwd())], ScanConfig(config_file=config_file, fail_on=fail_on, rule_dirs=rule_dirs))


def _policy(config: ScanConfig) -> Policy:
    return _policy_cached(config.config_file, config.fail_on, config.rule_dirs)


@lru_cache(maxsize=2)
def _detector(model_name: str, min_confidence: float, chunk_chars: int, chunk_overlap: int) -> Detector:
    return Detector(model_name, None, chunk_chars, chunk_overlap, floor=max(0.0, min_confidence - 0.15))
