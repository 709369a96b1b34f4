"""``auditor.detect``: the spans of regulated data in a text, as ``auditor scan`` finds them.

The same engine, defaults and context rules as a scan (``pipeline.detector_for`` and
``findings.classify``); one detector per configuration and process, built on first use.
"""

from __future__ import annotations

from functools import lru_cache

from auditor.config import ScanConfig
from auditor.detectors import Detector, Span
from auditor.findings import classify
from auditor.model import Detection
from auditor.pipeline import detector_for


@lru_cache(maxsize=2)
def _detector(config: ScanConfig) -> Detector:
    return detector_for(config)


def detect(text: str, config: ScanConfig | None = None) -> list[Detection]:
    """Every regulated value in ``text`` at the scan's confidence threshold, in text order."""
    return detect_many([text], config)[0]


def detect_many(texts: list[str], config: ScanConfig | None = None) -> list[list[Detection]]:
    """``detect`` of each text; several texts go through spaCy in batches (faster on many short
    texts), one text alone as ``Detector.detect`` reads it."""
    config = config or ScanConfig()
    detector = _detector(config)
    batches = [detector.detect(texts[0])] if len(texts) == 1 else detector.detect_many(texts)
    return [_detections(text, spans, config.min_confidence) for text, spans in zip(texts, batches, strict=True)]


def _detections(text: str, spans: list[Span], min_confidence: float) -> list[Detection]:
    return [
        Detection(c.span.start, c.span.end, c.span.entity, c.category, c.confidence, c.span.detector)
        for c in classify(text, spans, min_confidence)
    ]
