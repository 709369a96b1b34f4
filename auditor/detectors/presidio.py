"""The only module that builds Presidio engines.

One ``AnalyzerEngine`` per process and model: Presidio's predefined recognizers, the US
health and banking ones it ships disabled, and auditor's own (``patterns.SPECS``). The spaCy
pipeline must already be installed: Presidio would download a missing one, auditor refuses.
"""

from __future__ import annotations

import importlib.util
import logging
from functools import cache

from presidio_analyzer import AnalyzerEngine, Pattern, PatternRecognizer, RecognizerRegistry
from presidio_analyzer.nlp_engine import NerModelConfiguration, SpacyNlpEngine
from presidio_analyzer.predefined_recognizers import (
    AbaRoutingRecognizer,
    UsHealthInsuranceMemberIdRecognizer,
    UsMbiRecognizer,
)

from auditor.detectors.patterns import SPECS, PatternSpec
from auditor.errors import ModelNotInstalledError
from auditor.offline import ensure_offline

# spaCy components Presidio does not read: the dependency parser costs time for nothing.
UNUSED_PIPES = ("parser",)


class _InstalledSpacyEngine(SpacyNlpEngine):
    """Presidio's spaCy engine without the download: an absent model is a configuration error."""

    def load(self) -> None:
        import spacy

        self.nlp = {}
        for model in self.models:
            name = model["model_name"]
            if importlib.util.find_spec(name) is None:
                raise ModelNotInstalledError(
                    f"spaCy pipeline {name!r} is not installed; install it from the package "
                    "registry (auditor never downloads models)"
                )
            nlp = spacy.load(name)
            for pipe in UNUSED_PIPES:
                if pipe in nlp.pipe_names:
                    nlp.disable_pipe(pipe)
            self.nlp[model["lang_code"]] = nlp


class _SpecRecognizer(PatternRecognizer):
    """A PatternRecognizer from a ``PatternSpec``; its check drops a match, never promotes it."""

    def __init__(self, spec: PatternSpec) -> None:
        self.spec = spec
        super().__init__(
            supported_entity=spec.presidio_entity,
            name=spec.detector,
            patterns=[Pattern(name, regex, score) for name, regex, score in spec.patterns],
            context=list(spec.context) or None,
            global_regex_flags=spec.flags,
        )

    def validate_result(self, pattern_text: str) -> bool | None:
        if self.spec.validate is None or self.spec.validate(pattern_text):
            return None  # keep the pattern's own score
        return False


def _spacy_engine(model_name: str) -> SpacyNlpEngine:
    engine = _InstalledSpacyEngine(
        models=[{"lang_code": "en", "model_name": model_name}],
        ner_model_configuration=NerModelConfiguration(),
    )
    engine.load()
    return engine


@cache
def build_analyzer(model_name: str) -> AnalyzerEngine:
    """auditor's engine for ``model_name``, built once per process."""
    ensure_offline()
    logging.getLogger("presidio-analyzer").setLevel(logging.ERROR)
    nlp_engine = _spacy_engine(model_name)
    registry = RecognizerRegistry(supported_languages=["en"])
    registry.load_predefined_recognizers(languages=["en"], nlp_engine=nlp_engine)
    for recognizer in (UsMbiRecognizer(), UsHealthInsuranceMemberIdRecognizer(), AbaRoutingRecognizer()):
        registry.add_recognizer(recognizer)
    for spec in SPECS:
        registry.add_recognizer(_SpecRecognizer(spec))
    return AnalyzerEngine(registry=registry, nlp_engine=nlp_engine, supported_languages=["en"])


@cache
def build_vanilla_analyzer(model_name: str) -> AnalyzerEngine:
    """Presidio as it comes (default recognizers, same spaCy model): the baseline we measure against."""
    ensure_offline()
    nlp_engine = _spacy_engine(model_name)
    # Presidio keeps the full pipeline; so does the baseline.
    for nlp in nlp_engine.nlp.values():
        nlp.enable_pipe("parser")
    registry = RecognizerRegistry(supported_languages=["en"])
    registry.load_predefined_recognizers(languages=["en"], nlp_engine=nlp_engine)
    return AnalyzerEngine(registry=registry, nlp_engine=nlp_engine, supported_languages=["en"])
