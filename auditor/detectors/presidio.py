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
from functools import cache

import phonenumbers
import regex
from presidio_analyzer import (
    AnalyzerEngine,
    EntityRecognizer,
    Pattern,
    PatternRecognizer,
    RecognizerRegistry,
    RecognizerResult,
)
from presidio_analyzer.context_aware_enhancers import LemmaContextAwareEnhancer
from presidio_analyzer.nlp_engine import NerModelConfiguration, NlpArtifacts, SpacyNlpEngine
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
# spaCy's NER is most of auditor's time, and auditor reports an NER name or place only when it
# has two words or more (a single capitalised word is scored below any default threshold, see
# filters.adjusted_score). So the NER reads only the lines holding two adjacent capitalised
# words that could be a name ("Maria Okafor", "West Heather", "John Q. Public"); the rest of the
# text is still tokenized, so context words around a pattern match are all there. Words apart
# by a table's column gap (four blanks or more) are not adjacent.
_NAME_PAIR = regex.compile(
    r"(?<![\p{L}\p{N}])(\p{Lu}\p{L}*\p{Ll}\p{L}*)(?:['’-]\p{L}+)?[ \t]{1,3}"
    r"(?:\p{Lu}\.[ \t]+)?(\p{Lu}\p{L}*\p{Ll}\p{L}*)"
)
# A pair is no name when it opens with a function word, capitalised because it starts a sentence
# ("The Model", "During Review"), or when its second word names an institution, a law or a part
# of a document ("Audit Committee", "Control Act", "Distribution Statement", "Physical Exam").
# Words that are also names stay off both lists (Will, May, Per, Can, An, Do; Law, Rule, Ledger):
# a name in the line is a pair of its own, so only a line with no possible name is skipped.
_NOT_A_FIRST_NAME = frozenset(
    """the this that these those our your their its my we you they it he she in on at for with from by
    to of into about after before during within without and but if when while where because since
    unless until although though all any each every some such other another both either neither is are
    was were has have had does did would shall should could might must please thanks re""".split()
)
_NOT_A_SURNAME = frozenset(
    """act acts regulation regulations statute directive committee board council commission department
    dept office bureau agency authority administration ministry division unit team group company
    corporation corp inc llc ltd holdings industries networks systems services partners associates
    foundation institute university college school center centre clinic hospital laboratory labs
    program programme project policy policies procedure procedures standard standards guideline
    guidelines statement statements report reports review summary plan plans assessment history
    complaint exam examination results result instructions medications allergies diagnosis diagnoses
    management compliance planning reference category section chapter table figure appendix schedule
    exhibit agreement contract control controls data information account accounts quarter""".split()
)
# NER labels that need every line read: a site that asks for organisations, nationalities or
# dates gets the NER over the whole text.
NER_EVERYWHERE_ENTITIES = frozenset({"ORGANIZATION", "NRP", "DATE_TIME"})
# Presidio's phone recognizer runs python-phonenumbers over the whole text once per region; only
# runs of digits and separators that hold at least seven digits can be phone numbers.
_PHONE_CANDIDATE = re.compile(r"[+(]?\d[\d \t().\-/]{5,24}\d")
_DATE_ONLY = re.compile(r"\d{1,4}([/.-])\d{1,2}\1\d{2,4}")  # 11/03/2026, 2026-11-03


def could_hold_name(line: str) -> bool:
    """Whether ``line`` holds two adjacent capitalised words that could be a name or a place."""
    for pair in _NAME_PAIR.finditer(line, overlapped=True):
        if pair[1].lower() not in _NOT_A_FIRST_NAME and pair[2].lower() not in _NOT_A_SURNAME:
            return True
    return False


def name_lines(text: str) -> list[tuple[int, int]]:
    """(start, end) of each run of adjacent lines that ``could_hold_name``."""
    runs: list[tuple[int, int]] = []
    offset = 0
    for line in text.splitlines(keepends=True):
        end = offset + len(line)
        if could_hold_name(line):
            if runs and runs[-1][1] == offset:
                runs[-1] = (runs[-1][0], end)
            else:
                runs.append((offset, end))
        offset = end
    return runs


class _InstalledSpacyEngine(SpacyNlpEngine):
    """Presidio's spaCy engine without the download: an absent model is a configuration error.

    With ``ner_everywhere`` false, the NER reads only the lines that could hold a name of two
    words or more (``name_lines``).
    """

    ner_everywhere = True

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

    def process_text(self, text: str, language: str):
        if self.ner_everywhere:
            return super().process_text(text, language)
        return self._doc_to_nlp_artifact(self._docs_with_gated_ner([text], language, 1)[0], language)

    def process_batch(self, texts, language: str, batch_size: int = 1, n_process: int = 1, as_tuples: bool = False):
        if self.ner_everywhere or as_tuples or n_process != 1:
            yield from super().process_batch(texts, language, batch_size, n_process, as_tuples)
            return
        texts = list(texts)
        for text, doc in zip(texts, self._docs_with_gated_ner(texts, language, batch_size), strict=True):
            yield text, self._doc_to_nlp_artifact(doc, language)

    def _docs_with_gated_ner(self, texts: list[str], language: str, batch_size: int):
        """Tokenized docs whose entities come from the NER run over their name-bearing lines only."""
        from spacy.util import filter_spans

        nlp = self.nlp[language]
        docs = [nlp.make_doc(text) for text in texts]
        segments = [(index, start, end) for index, text in enumerate(texts) for start, end in name_lines(text)]
        found: list[list] = [[] for _ in texts]
        pieces = (texts[index][start:end] for index, start, end in segments)
        for (index, start, _), piece in zip(segments, nlp.pipe(pieces, batch_size=max(batch_size, 64)), strict=True):
            for ent in piece.ents:
                span = docs[index].char_span(
                    start + ent.start_char, start + ent.end_char, label=ent.label_, alignment_mode="expand"
                )
                if span is not None:
                    found[index].append(span)
        for doc, spans in zip(docs, found, strict=True):
            doc.ents = filter_spans(spans)
        return docs

    def _doc_to_nlp_artifact(self, doc, language: str):
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
        artifacts.keywords = frozenset(
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

    def enhance_using_context(self, text, raw_results, nlp_artifacts, recognizers, context=None):
        by_id = {recognizer.id: recognizer for recognizer in recognizers if recognizer.context}
        extra = [word.lower() for word in context or ()]
        if nlp_artifacts is None:
            return raw_results
        for result in raw_results:
            metadata = result.recognition_metadata or {}
            recognizer = by_id.get(metadata.get(RecognizerResult.RECOGNIZER_IDENTIFIER_KEY))
            if (
                recognizer is None
                or metadata.get(RecognizerResult.IS_SCORE_ENHANCED_BY_CONTEXT_KEY)
                or result.score >= self.MAX_SCORE  # nothing to raise
            ):
                continue
            words = self._extract_surrounding_words(nlp_artifacts, text[result.start : result.end], result.start)
            supportive = self._find_supportive_word_in_context(
                words + extra, recognizer.context, self.context_matching_mode
            )
            if supportive:
                boosted = max(result.score + self.context_similarity_factor, self.min_score_with_context_similarity)
                result.score = min(boosted, self.MAX_SCORE)
                result.analysis_explanation.set_supportive_context_word(supportive)
                result.analysis_explanation.set_improved_score(result.score)
        return raw_results

    @staticmethod
    def _find_index_of_match_token(word: str, start: int, tokens, tokens_indices: list[int]) -> int:
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

    def analyze(self, text, entities, nlp_artifacts=None):
        results = []
        for candidate in _PHONE_CANDIDATE.finditer(text):
            digits = candidate.group()
            if sum(ch.isdigit() for ch in digits) < 7 or _DATE_ONLY.fullmatch(digits):
                continue
            offset = max(0, candidate.start() - 2)
            piece = text[offset : candidate.end() + 2]
            whole_from, whole_to = candidate.start() - offset, candidate.end() - offset
            for region in self.supported_regions:
                whole = False
                for match in phonenumbers.PhoneNumberMatcher(piece, region, leniency=self.leniency):
                    result = self._get_recognizer_result(match, piece, region, nlp_artifacts)
                    result.start += offset
                    result.end += offset
                    results.append(result)
                    whole = whole or (match.start <= whole_from and match.end >= whole_to)
                if whole:
                    break
        return EntityRecognizer.remove_duplicates(results)


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

    def analyze(self, text, entities, nlp_artifacts=None, regex_flags=None):
        if self.spec.keywords:
            lowered = text.lower()
            if not any(keyword in lowered for keyword in self.spec.keywords):
                return []
        return super().analyze(text, entities, nlp_artifacts, regex_flags)

    def validate_result(self, pattern_text: str) -> bool | None:
        if self.spec.validate is None or self.spec.validate(pattern_text):
            return None  # keep the pattern's own score
        return False


def _spacy_engine(model_name: str, ner_everywhere: bool = True) -> SpacyNlpEngine:
    engine = _InstalledSpacyEngine(
        models=[{"lang_code": "en", "model_name": model_name}],
        ner_model_configuration=NerModelConfiguration(),
    )
    engine.ner_everywhere = ner_everywhere
    engine.load()
    return engine


@cache
def build_analyzer(model_name: str, ner_everywhere: bool = False) -> AnalyzerEngine:
    """auditor's engine for ``model_name``, built once per process.

    ``ner_everywhere``: run the NER over the whole text, for sites that ask for NER entities
    other than names and places (``NER_EVERYWHERE_ENTITIES``).
    """
    ensure_offline()
    logging.getLogger("presidio-analyzer").setLevel(logging.ERROR)
    nlp_engine = _spacy_engine(model_name, ner_everywhere)
    registry = RecognizerRegistry(supported_languages=["en"])
    registry.load_predefined_recognizers(languages=["en"], nlp_engine=nlp_engine)
    registry.remove_recognizer("PhoneRecognizer")
    registry.add_recognizer(_GatedPhoneRecognizer())
    for recognizer in (UsMbiRecognizer(), UsHealthInsuranceMemberIdRecognizer(), AbaRoutingRecognizer()):
        registry.add_recognizer(recognizer)
    for spec in SPECS:
        registry.add_recognizer(_SpecRecognizer(spec))
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
    # Presidio keeps the full pipeline; so does the baseline.
    for nlp in nlp_engine.nlp.values():
        nlp.enable_pipe("parser")
    registry = RecognizerRegistry(supported_languages=["en"])
    registry.load_predefined_recognizers(languages=["en"], nlp_engine=nlp_engine)
    return AnalyzerEngine(registry=registry, nlp_engine=nlp_engine, supported_languages=["en"])
