"""The only module that builds Presidio engines.

One ``AnalyzerEngine`` per process and model: Presidio's predefined recognizers, the US
health and banking ones it ships disabled, and auditor's own (``patterns.SPECS``). The spaCy
pipeline must already be installed: Presidio would download a missing one, auditor refuses.
"""

from __future__ import annotations

import importlib.util
import logging
import re
from functools import cache

from presidio_analyzer import AnalyzerEngine, Pattern, PatternRecognizer, RecognizerRegistry
from presidio_analyzer.nlp_engine import NerModelConfiguration, SpacyNlpEngine
from presidio_analyzer.predefined_recognizers import (
    AbaRoutingRecognizer,
    PhoneRecognizer,
    UsHealthInsuranceMemberIdRecognizer,
    UsMbiRecognizer,
)

from auditor.detectors.patterns import SPECS, PatternSpec
from auditor.errors import ModelNotInstalledError
from auditor.offline import ensure_offline

# spaCy components auditor does not need. Presidio reads only the entities, the tokens and
# their lemmas (for context words), and the small and large English pipelines give the NER its
# own tok2vec, so the shared tok2vec, the tagger, the attribute ruler and the lemmatizer serve
# the lemmas alone: the lower-cased token stands in for the lemma (Presidio matches context
# words as substrings, so "numbers" still supports "number"). The parser is never read.
UNUSED_PIPES = ("parser", "tok2vec", "tagger", "morphologizer", "attribute_ruler", "lemmatizer", "senter")
# Presidio's phone recognizer runs python-phonenumbers over the whole text once per region; only
# runs of digits and separators that hold at least seven digits can be phone numbers.
_PHONE_CANDIDATE = re.compile(r"[+(]?\d[\d \t().\-/]{5,24}\d")


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
            for pipe in self.unused_pipes(nlp):
                nlp.disable_pipe(pipe)
            self.nlp[model["lang_code"]] = nlp

    @staticmethod
    def unused_pipes(nlp) -> list[str]:
        """Pipes to disable; none whose output the NER listens to (a pipeline sharing a tok2vec)."""
        from spacy.pipeline import Tok2Vec

        shares_tok2vec = any(
            isinstance(pipe, Tok2Vec) and "ner" in pipe.listening_components for _, pipe in nlp.pipeline
        )
        keep = {"tok2vec", "transformer"} if shares_tok2vec else {"transformer"}
        return [p for p in UNUSED_PIPES if p in nlp.pipe_names and p not in keep]

    def _doc_to_nlp_artifact(self, doc, language: str):
        artifacts = super()._doc_to_nlp_artifact(doc, language)
        if not artifacts.lemmas or not any(artifacts.lemmas):  # no lemmatizer ran
            artifacts.lemmas = [token.lower_ for token in doc]
            artifacts.keywords = artifacts.set_keywords(self, artifacts.lemmas, language)
        return artifacts


class _GatedPhoneRecognizer(PhoneRecognizer):
    """Presidio's phone recognizer, shown only the stretches of text that could hold a number.

    Everything else is blanked to spaces (offsets unchanged), so python-phonenumbers, which is
    most of Presidio's recognizer time on clinical text, parses a few candidates per document.
    """

    def analyze(self, text, entities, nlp_artifacts=None):
        kept = [" "] * len(text)
        for match in _PHONE_CANDIDATE.finditer(text):
            if sum(ch.isdigit() for ch in match.group()) >= 7:
                start, end = max(0, match.start() - 2), min(len(text), match.end() + 2)
                kept[start:end] = text[start:end]
        return super().analyze("".join(kept), entities, nlp_artifacts)


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
    registry.remove_recognizer("PhoneRecognizer")
    registry.add_recognizer(_GatedPhoneRecognizer())
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
