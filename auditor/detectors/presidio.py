"""The only module that builds Presidio engines.

One ``AnalyzerEngine`` per process and model: Presidio's predefined recognizers, the US
health and banking ones it ships disabled, and auditor's own (``patterns.SPECS``). The spaCy
pipeline must already be installed: Presidio would download a missing one, auditor refuses.
"""

from __future__ import annotations

import bisect
import importlib.util
import logging
import re
from collections.abc import Sequence
from functools import cache
from typing import Any

import phonenumbers
import regex
from presidio_analyzer import (
    AnalyzerEngine,
    EntityRecognizer,
    PatternRecognizer,
    RecognizerRegistry,
    RecognizerResult,
)
from presidio_analyzer.context_aware_enhancers import LemmaContextAwareEnhancer
from presidio_analyzer.nlp_engine import NerModelConfiguration, NlpArtifacts, SpacyNlpEngine
from presidio_analyzer.pattern_recognizer import REGEX_TIMEOUT_SECONDS
from presidio_analyzer.predefined_recognizers import (
    AbaRoutingRecognizer,
    PhoneRecognizer,
    UsHealthInsuranceMemberIdRecognizer,
    UsMbiRecognizer,
)

from auditor.detectors import lexicons
from auditor.detectors.patterns import SPECS, PatternSpec
from auditor.errors import ModelNotInstalledError
from auditor.offline import ensure_offline

_LOG = logging.getLogger(__name__)

# spaCy components auditor does not need. Presidio reads only the entities, the tokens and
# their lemmas (for context words), and the small and large English pipelines give the NER its
# own tok2vec, so the shared tok2vec, the tagger, the attribute ruler and the lemmatizer serve
# the lemmas alone: the lower-cased token stands in for the lemma (Presidio matches context
# words as substrings, so "numbers" still supports "number"). The parser is never read.
UNUSED_PIPES = ("parser", "tok2vec", "tagger", "morphologizer", "attribute_ruler", "lemmatizer", "senter")
# Presidio's phone recognizer runs python-phonenumbers over the whole text once per region; only
# runs of digits and separators that hold at least seven digits can be phone numbers.
_PHONE_CANDIDATE = re.compile(r"[+(]?\d[\d \t().\-/]{5,24}\d")
_DATE_ONLY = re.compile(r"\d{1,4}([/.-])\d{1,2}\1\d{2,4}")  # 11/03/2026, 2026-11-03


class _InstalledSpacyEngine(SpacyNlpEngine):
    """Presidio's spaCy engine without the download: an absent model is a configuration error."""

    def load(self) -> None:
        import spacy

        self.nlp: dict[str, Any] = {}  # type: ignore[assignment]  # Presidio declares it None until loaded
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
    def unused_pipes(nlp: Any) -> list[str]:
        """Pipes to disable; none whose output the NER listens to (a pipeline sharing a tok2vec)."""
        from spacy.pipeline import Tok2Vec

        shares_tok2vec = any(
            isinstance(pipe, Tok2Vec) and "ner" in pipe.listening_components for _, pipe in nlp.pipeline
        )
        keep = {"tok2vec", "transformer"} if shares_tok2vec else {"transformer"}
        return [p for p in UNUSED_PIPES if p in nlp.pipe_names and p not in keep]

    def _doc_to_nlp_artifact(self, doc: Any, language: str) -> NlpArtifacts:
        if "lemmatizer" in self.nlp[language].pipe_names:
            return super()._doc_to_nlp_artifact(doc, language)
        entities, scores = self._get_updated_entities(self._get_entities(doc), self._get_scores_for_entities(doc))
        lemmas = [token.lower_ for token in doc]  # no lemmatizer ran: see UNUSED_PIPES
        artifacts = NlpArtifacts(
            entities=entities,
            tokens=doc,
            tokens_indices=[token.idx for token in doc],
            lemmas=lemmas,
            nlp_engine=None,  # no engine: Presidio's keyword list is not built, see below
            language=language,
            scores=scores,
        )
        artifacts.nlp_engine = self
        # The context enhancer only asks whether a word is among the keywords, once for each
        # word around each result: Presidio's list makes that a scan of the window's words, a
        # set makes it one lookup. The same words as Presidio's list: no stop words, no
        # punctuation, no "be", split at colons.
        artifacts.keywords = frozenset(  # type: ignore[assignment]  # a set: one lookup a word
            part
            for token, lemma in zip(doc, lemmas, strict=True)
            if not token.is_stop and not token.is_punct and lemma != "be"
            for part in lemma.split(":")
        )
        return artifacts


class _IndexedContextEnhancer(LemmaContextAwareEnhancer):
    """Presidio's context enhancer, in place, finding a match's token by bisection.

    Presidio deep-copies every result before it looks for context words (a tenth of auditor's
    detection time, results holding dicts and explanation objects), and walks every token of
    the text for every result (quadratic in a window's length). The results it is given are
    the analyzer's own, made for this call and dropped after it, so they are boosted in place;
    tokens do not overlap, so the token holding ``start`` is found from the token offsets.
    """

    def enhance_using_context(
        self,
        text: str,
        raw_results: list[RecognizerResult],
        nlp_artifacts: NlpArtifacts,
        recognizers: list[EntityRecognizer],
        context: list[str] | None = None,
    ) -> list[RecognizerResult]:
        by_id = {recognizer.id: recognizer for recognizer in recognizers}
        extra = [word.lower() for word in context or ()]
        if nlp_artifacts is None:
            return raw_results
        for result in raw_results:
            metadata = result.recognition_metadata or {}
            recognizer = by_id.get(metadata.get(RecognizerResult.RECOGNIZER_IDENTIFIER_KEY))
            if recognizer is None:
                continue
            # A spec's words, for a result of auditor's combined recognizer: see _SpecsRecognizer.
            context_of = getattr(recognizer, "context_of", None)
            recognizer_context = list(context_of(result)) if context_of else recognizer.context
            if (
                not recognizer_context
                or metadata.get(RecognizerResult.IS_SCORE_ENHANCED_BY_CONTEXT_KEY)
                or result.score >= self.MAX_SCORE  # nothing to raise
            ):
                continue
            words = self._extract_surrounding_words(nlp_artifacts, text[result.start : result.end], result.start)
            supportive = self._find_supportive_word_in_context(
                words + extra, recognizer_context, self.context_matching_mode
            )
            if supportive:
                boosted = max(result.score + self.context_similarity_factor, self.min_score_with_context_similarity)
                result.score = min(boosted, self.MAX_SCORE)
                result.analysis_explanation.set_supportive_context_word(supportive)
                result.analysis_explanation.set_improved_score(result.score)
        return raw_results

    @staticmethod
    def _find_index_of_match_token(word: str, start: int, tokens: Any, tokens_indices: list[int]) -> int:
        i = max(0, bisect.bisect_right(tokens_indices, start) - 1)
        if tokens_indices[i] + len(tokens[i]) <= start:  # start falls after token i: the next one
            i += 1
        if i >= len(tokens_indices):
            raise ValueError(f"Did not find word {word!r} in the list of tokens although it is expected to be found")
        return i


class _GatedPhoneRecognizer(PhoneRecognizer):
    """Presidio's phone recognizer, shown only the stretches of text that could hold a number.

    python-phonenumbers is most of Presidio's recognizer time on clinical text. Here it reads
    each candidate (a run of digits and separators with seven digits or more, and two
    characters either side) rather than the whole text, and tries the next region only while
    no region has matched the whole candidate: a later region could only find the same number
    or a part of it, which ``remove_duplicates`` drops anyway.
    """

    # Canada shares the North American plan (+1) with the US: a second pass finds nothing new.
    NORTH_AMERICA_ONCE = tuple(r for r in PhoneRecognizer.DEFAULT_SUPPORTED_REGIONS if r != "CA")

    def __init__(self) -> None:
        super().__init__(supported_regions=self.NORTH_AMERICA_ONCE)

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        results: list[RecognizerResult] = []
        for candidate in _PHONE_CANDIDATE.finditer(text):
            digits = candidate.group()
            if sum(ch.isdigit() for ch in digits) < 7 or _DATE_ONLY.fullmatch(digits):
                continue
            offset = max(0, candidate.start() - 2)
            piece = text[offset : candidate.end() + 2]
            whole_from, whole_to = candidate.start() - offset, candidate.end() - offset
            for region in self.supported_regions:
                whole = False
                matches = phonenumbers.PhoneNumberMatcher(piece, region, leniency=self.leniency)  # type: ignore[arg-type]
                for match in matches:
                    result = self._get_recognizer_result(match, piece, region, nlp_artifacts)  # type: ignore[no-untyped-call]
                    result.start += offset
                    result.end += offset
                    results.append(result)
                    whole = whole or (match.start <= whole_from and match.end >= whole_to)
                if whole:
                    break
        return EntityRecognizer.remove_duplicates(results)


class _SpecsRecognizer(EntityRecognizer):
    """All of auditor's ``PatternSpec`` recognizers as one Presidio recognizer.

    Each spec is read as a ``PatternRecognizer`` of its own would read it (its gates, its
    patterns with its flags, its check dropping a match, Presidio's de-duplication within the
    spec, then its ``refine``/``extend``), and each result names its spec's detector
    (``recognizer_name``). One recognizer instead of one per spec saves what Presidio spends
    around every recognizer on every text: clocks and debug logging per pattern,
    de-duplication of empty lists, and its context step's pass over all results once per
    recognizer.

    What differs from one recognizer per spec: the specs share one ``recognizer_identifier``
    (a spec cannot be removed from the registry alone), and their context words are found
    through ``context_of``, which ``_IndexedContextEnhancer`` asks for (Presidio's own
    enhancer would see no context words).
    """

    SPEC_KEY = "auditor_spec"

    def __init__(self, specs: Sequence[PatternSpec]) -> None:
        for spec in specs:  # what Presidio's Pattern and PatternRecognizer would refuse
            if not spec.patterns or any(not 0 <= score <= 1 for _, _, score in spec.patterns):
                raise ValueError(f"{spec.detector}: a spec needs patterns, each scored from 0 to 1")
        self.specs = tuple(specs)
        self._compiled = tuple(
            tuple(
                (name, regex_text, score, regex.compile(regex_text, flags=spec.flags))
                for name, regex_text, score in spec.patterns
            )
            for spec in self.specs
        )
        self._wanted: dict[frozenset[str], tuple[int, ...]] = {}  # requested entities -> specs
        super().__init__(
            supported_entities=[spec.presidio_entity for spec in self.specs],
            name="auditor.SPECS",
            supported_language="en",
        )

    def load(self) -> None:
        """Nothing to load: the patterns are compiled in ``__init__``."""

    def context_of(self, result: RecognizerResult) -> tuple[str, ...]:
        """The context words of the spec that found ``result``."""
        index: int = (result.recognition_metadata or {})[self.SPEC_KEY]
        return self.specs[index].context

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        key = frozenset(entities)
        if key not in self._wanted:
            self._wanted[key] = tuple(i for i, spec in enumerate(self.specs) if spec.presidio_entity in key)
        lowered = text.lower()
        results: list[RecognizerResult] = []
        for index in self._wanted[key]:
            spec = self.specs[index]
            if (spec.keywords or spec.gate) and not spec.runs_on(text, lowered):
                continue
            if spec.finder is not None:
                name, pattern, score = spec.patterns[0]
                results.extend(
                    self._result(index, name, pattern, score, start, end, True) for start, end in spec.finder(text)
                )
                continue
            found = EntityRecognizer.remove_duplicates(self._matches(index, text))
            results.extend(found if spec.refine is None and spec.extend is None else self._narrowed(spec, text, found))
        return results

    def _matches(self, index: int, text: str) -> list[RecognizerResult]:
        """What the spec's patterns match, its check passed; a pattern that runs out of time is
        skipped with a warning, as Presidio's ``PatternRecognizer`` skips it."""
        validate = self.specs[index].validate
        found: list[RecognizerResult] = []
        for name, pattern, score, compiled in self._compiled[index]:
            try:
                for match in compiled.finditer(text, timeout=REGEX_TIMEOUT_SECONDS):
                    if match.end() > match.start() and (validate is None or validate(match.group())):
                        found.append(self._result(index, name, pattern, score, match.start(), match.end(), None))
            except TimeoutError:
                # Presidio's own warning went to its logger, which build_analyzer quiets: this one shows.
                _LOG.warning("pattern %r of %s timed out; skipped", name, self.specs[index].detector)
        return found

    @staticmethod
    def _narrowed(spec: PatternSpec, text: str, found: list[RecognizerResult]) -> list[RecognizerResult]:
        """``found`` after the spec's ``extend`` or ``refine``: moved to the value, or dropped."""
        kept = []
        for result in found:
            if spec.extend is not None:
                bounds = spec.extend(text, result.start, result.end)
                if bounds is not None:
                    result.start, result.end = bounds
                    kept.append(result)
                continue
            narrowed = spec.refine(text[result.start : result.end])  # type: ignore[misc]  # set: see the caller
            if narrowed is not None:
                result.start, result.end = result.start + narrowed[0], result.start + narrowed[1]
                kept.append(result)
        return kept

    def _result(
        self, index: int, name: str, pattern: str, score: float, start: int, end: int, validated: bool | None
    ) -> RecognizerResult:
        """A result of spec ``index``, explained as its own PatternRecognizer would explain it."""
        spec = self.specs[index]
        explanation = PatternRecognizer.build_regex_explanation(
            spec.detector,
            name,
            pattern,
            score,
            validated,  # type: ignore[arg-type]  # None: no check ran, as Presidio passes it
            spec.flags,
        )
        metadata = {
            RecognizerResult.RECOGNIZER_NAME_KEY: spec.detector,
            RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id,
            self.SPEC_KEY: index,
        }
        return RecognizerResult(spec.presidio_entity, start, end, score, explanation, metadata)


def _spacy_engine(model_name: str, facilities: bool = False) -> SpacyNlpEngine:
    """spaCy behind Presidio; with ``facilities``, what spaCy calls a facility (FAC: "Barrack
    Street", "Camp Howe", "Subiaco Oval") is reported to auditor as ``FACILITY``, which its
    engine reads as a place (Presidio's own mapping leaves FAC out)."""
    configuration = NerModelConfiguration()
    if facilities:
        configuration.model_to_presidio_entity_mapping = {
            **(configuration.model_to_presidio_entity_mapping or {}),
            "FAC": "FACILITY",
        }
    engine = _InstalledSpacyEngine(
        models=[{"lang_code": "en", "model_name": model_name}],
        ner_model_configuration=configuration,
    )
    engine.load()
    return engine


class _Registry(RecognizerRegistry):
    """Presidio's registry, with the recognizers for a request found once, not on every call.

    ``AnalyzerEngine.analyze`` asks for them on each text, and Presidio's lookup compares every
    requested entity with every recognizer: 7% of ``detect`` on short texts (bench/public.py
    sets, cProfile), for an answer that changes only when a recognizer is added or removed.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._found: dict[tuple[str, tuple[str, ...] | None, bool, int], list[EntityRecognizer]] = {}

    def add_recognizer(self, recognizer: EntityRecognizer) -> None:
        self._found.clear()
        super().add_recognizer(recognizer)

    def remove_recognizer(self, recognizer_name: str, language: str | None = None) -> None:
        self._found.clear()
        super().remove_recognizer(recognizer_name, language)

    def get_recognizers(
        self,
        language: str,
        entities: list[str] | None = None,
        all_fields: bool = False,
        ad_hoc_recognizers: list[EntityRecognizer] | None = None,
    ) -> list[EntityRecognizer]:
        if ad_hoc_recognizers:
            return super().get_recognizers(language, entities, all_fields, ad_hoc_recognizers)
        # The count too: Presidio's loaders append to ``recognizers`` without add_recognizer.
        key = (language, tuple(entities) if entities is not None else None, all_fields, len(list(self.recognizers)))
        if key not in self._found:
            self._found[key] = super().get_recognizers(language, entities, all_fields)
        return list(self._found[key])


@cache
def build_analyzer(model_name: str) -> AnalyzerEngine:
    """auditor's engine for ``model_name``, built once per process.

    The NER reads the whole text: a gate that showed it only lines with two capitalised words
    was a third faster and lost most single-word, non-ASCII, upper- and lower-case names on
    public data (bench/public.py; see the README).
    """
    ensure_offline()
    logging.getLogger("presidio-analyzer").setLevel(logging.ERROR)
    lexicons.load()  # read once here, so the first text is not the one that pays for them
    nlp_engine = _spacy_engine(model_name, facilities=True)
    registry = _Registry(supported_languages=["en"])
    registry.load_predefined_recognizers(languages=["en"], nlp_engine=nlp_engine)
    registry.remove_recognizer("PhoneRecognizer")
    registry.add_recognizer(_GatedPhoneRecognizer())
    for recognizer in (UsMbiRecognizer(), UsHealthInsuranceMemberIdRecognizer(), AbaRoutingRecognizer()):
        registry.add_recognizer(recognizer)
    registry.add_recognizer(_SpecsRecognizer(SPECS))
    return AnalyzerEngine(
        registry=registry,
        nlp_engine=nlp_engine,
        supported_languages=["en"],
        context_aware_enhancer=_IndexedContextEnhancer(),
    )


@cache
def build_vanilla_analyzer(model_name: str) -> AnalyzerEngine:
    """Presidio as it comes (default recognizers, same spaCy model): the baseline we measure against."""
    ensure_offline()
    nlp_engine = _spacy_engine(model_name)
    # Presidio loads the whole pipeline (its SpacyNlpEngine is spacy.load(name)) and reads the
    # lemmas the tagger and lemmatizer make; so does the baseline.
    for nlp in nlp_engine.nlp.values():  # type: ignore[attr-defined]  # loaded: a dict
        for pipe in list(nlp.disabled):
            nlp.enable_pipe(pipe)
    registry = RecognizerRegistry(supported_languages=["en"])
    registry.load_predefined_recognizers(languages=["en"], nlp_engine=nlp_engine)
    return AnalyzerEngine(registry=registry, nlp_engine=nlp_engine, supported_languages=["en"])
