"""Detectors: what regulated data a text holds. Presidio is imported only in presidio.py."""

from auditor.detectors.catalog import DEFAULT_ENTITIES, ENTITIES, category_of, entity_info
from auditor.detectors.clinical import is_clinical
from auditor.detectors.engine import Detector, Span

__all__ = ["DEFAULT_ENTITIES", "ENTITIES", "Detector", "Span", "category_of", "entity_info", "is_clinical"]
