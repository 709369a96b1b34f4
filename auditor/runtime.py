"""The decision at run time, shared by ``auditor.guard`` and the LiteLLM guardrail: one function.

``RuntimeJudge.judge(texts, destination, model)`` detects regulated data in what a request
sends (``auditor.detect``'s engine and context rules), judges the flow against the same rule
packs, catalog and site configuration as ``auditor scan`` (``Policy.assess``), and turns the
verdict into an action under ``[tool.auditor.routing]``:

- ``send``: the verdict is under the site's ``fail_on`` (allow; or conditional with every
  condition the site must show on record);
- ``redact``: a conditional verdict with unmet conditions and ``on_unmet = "redact"``: the
  values are replaced by ``<ENTITY>`` (presidio-anonymizer), or with ``redaction =
  "reversible"`` by placeholders kept in memory to restore the answer
  (``auditor.placeholders``); the redacted text is judged again, and sent only if it now passes;
- ``reroute``: to the local OpenAI-compatible model (``local_base_url``, ``model_map``) for
  ``local_only`` data, and for unmet conditions under ``on_unmet = "reroute"`` (the default);
- ``block``: ``PolicyViolation`` with the rule and the fix, when there is no local route or
  the site says so.

What is kept of a request is its runtime flow: masked excerpts and keyed fingerprints, never
the text (``auditor.store.journal.RuntimeJournal``).

Every text of every request is judged, and each distinct text is detected: what the judge
keeps between requests is, per text, the spans it gave (offsets, entity, score) and the
findings built from them (masked excerpts, fingerprints), never a value, keyed by an HMAC of
the text under the site key. A conversation's earlier messages, resent with every turn, and
a fixed system prompt are so detected once and judged again each time (``span_cache``
texts, 4,096 by default; 0 keeps none).
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from auditor.config import ScanConfig
from auditor.errors import PolicyViolation, RouteUnavailable
from auditor.findings import classify, findings_from_unit
from auditor.fingerprint import load_key
from auditor.model import (
    AssessedFlow,
    Decision,
    Destination,
    DestinationKind,
    Finding,
    Flow,
    FlowKind,
    Location,
    RuleOutcome,
    Sink,
    Verdict,
)
from auditor.placeholders import Placeholders, anonymize_with_placeholders
from auditor.policy import Policy
from auditor.sources.base import Piece, TextUnit

if TYPE_CHECKING:  # spaCy, Presidio and the detector load when the judge first detects
    from presidio_anonymizer import AnonymizerEngine

    from auditor.detectors import Detector
    from auditor.detectors.quick import LayeredDetector

__all__ = ["PolicyViolation", "RouteUnavailable", "RuntimeDecision", "RuntimeJudge", "redact"]

RUNTIME_PATH = "<runtime>"
SEND, REDACT, REROUTE, BLOCK = "send", "redact", "reroute", "block"
REDACTION_ROUNDS = 2  # redact, judge again; what is still found is redacted once more, then judged
_SITE_ROUTE = object()  # judge()'s default: the local route of [tool.auditor.routing]


@dataclass(frozen=True)
class RuntimeDecision:
    """What to do with one request, and the flow and verdict it was decided on."""

    action: str  # send | redact | reroute | block
    assessed: AssessedFlow  # the request as judged at the destination it named
    redacted: tuple[str, ...] | None = None  # the texts to send instead (action redact)
    local_model: str | None = None  # the model to ask on the local route (action reroute)
    reason: str = ""
    # redaction = "reversible": the request's placeholders and their values, to restore the
    # answer; in memory only (never compared, printed or stored with the decision)
    placeholders: Placeholders | None = field(default=None, repr=False, compare=False)

    @property
    def verdict(self) -> Verdict:
        return self.assessed.verdict

    def violation(self) -> PolicyViolation:
        """The error a blocked request raises: categories, destination, rule, fix; no values."""
        outcome = _deciding(self.verdict)
        flow = self.assessed.flow
        data = ",".join(c.value for c in flow.categories) or "-"
        rule = outcome.rule_id if outcome else ""
        fix = outcome.remediation if outcome else ""
        message = (
            f"request blocked: {data} -> {flow.destination.id} is {self.verdict.decision.value}"
            f"{f' under {rule}' if rule else ''}; {self.reason}" + (f"; fix: {fix}" if fix else "")
        )
        return PolicyViolation(message, rule, self.verdict.decision.value, fix)


class RuntimeJudge:
    """Detector, policy and routing loaded once per process; ``judge`` is thread-safe.

    ``ScanConfig(nlp="auto")`` judges as ``auditor check`` does: auditor's recognizers by
    regular expression, and spaCy and Presidio only for a text holding something shaped like
    an SSN, an e-mail address, a phone or a card number. Much faster; a name in running text
    with no label before it is then not seen. The default (``nlp="always"``) is a scan's engine.
    """

    def __init__(
        self, config: ScanConfig | None = None, policy: Policy | None = None, *, span_cache: int = 4096,
        warm_up: bool = False,
    ) -> None:  # fmt: skip
        from auditor.checking import _policy

        self.config = config or ScanConfig()
        self.policy = policy or _policy(self.config)
        self.routing = self.policy.site.routing
        self.key = load_key()
        self._count = 0
        self._count_lock = threading.Lock()
        self._spans: OrderedDict[bytes, list[Any]] = OrderedDict()
        self._built: OrderedDict[bytes, list[Finding]] = OrderedDict()  # findings per text, as for record 0
        self._span_cache = span_cache
        self._spans_lock = threading.Lock()
        if warm_up:
            self.warm_up()

    def warm_up(self) -> None:
        """Load the detector (spaCy, Presidio) and the anonymizer now, not on the first request."""
        self.detect_texts(["Warm-up: Patient Jane Roe, MRN 0000000, jane@example.org, 555-010-0000."], cache=False)
        if self.routing.on_unmet == REDACT:
            _anonymizer()
            if self.routing.redaction == "reversible":
                from auditor.placeholders import _engine

                _engine()

    def detect_texts(self, texts: Sequence[str], cache: bool = True) -> list[list[Any]]:
        """The detector's spans of each text: every text is detected, once per distinct text.

        Spans of a text seen before come from the cache (keyed by an HMAC of the text: it
        holds offsets and entity names, never a value); the others are detected together.
        """
        keys = [self._cache_key(text) for text in texts] if cache and self._span_cache else [None] * len(texts)
        found: list[list[Any] | None] = [None] * len(texts)
        with self._spans_lock:
            for i, key in enumerate(keys):
                if key is not None and key in self._spans:
                    self._spans.move_to_end(key)
                    found[i] = self._spans[key]
        missing = [i for i, spans in enumerate(found) if spans is None]
        if missing:
            fresh = self._detect([texts[i] for i in missing])
            with self._spans_lock:
                for i, spans in zip(missing, fresh, strict=True):
                    found[i] = spans
                    key = keys[i]
                    if key is not None:
                        self._spans[key] = spans
                        while len(self._spans) > self._span_cache:
                            self._spans.popitem(last=False)
        return [spans or [] for spans in found]

    def _findings(self, text: str, spans: list[Any], number: int, index: int) -> list[Finding]:
        """The findings of one text of request ``number``: masked excerpts and fingerprints are
        built once per distinct text (a function of the text and its spans), then given this
        request's record number and pointer."""
        key = self._cache_key(text) if self._span_cache else None
        with self._spans_lock:
            cached = self._built.get(key) if key is not None else None
        if cached is None:
            cached = findings_from_unit(_unit(text, 0, 0), spans, self.key, self.config.min_confidence)
            if key is not None:
                with self._spans_lock:
                    self._built[key] = cached
                    while len(self._built) > self._span_cache:
                        self._built.popitem(last=False)
        pointer = f"/texts/{index}"
        return [_restamped(f, number, pointer) for f in cached]

    def _cache_key(self, text: str) -> bytes:
        return hmac.new(self.key, text.encode("utf-8", "surrogatepass"), hashlib.sha256).digest()

    def _detect(self, texts: list[str]) -> list[list[Any]]:
        detector = _shared_detector(self.config)
        if self.config.nlp == "auto":  # regexes first, NLP only where they say so (auditor check's path)
            layered = _layered(self.config)
            return [layered.detect(text) for text in texts]
        if len(texts) == 1:
            return [detector.detect(texts[0])]
        return detector.detect_many(texts)

    @property
    def fail_on(self) -> str:
        return self.config.fail_on or self.policy.site.fail_on

    def destination(self, base_url: str | None, provider: str | None = None, model: str | None = None) -> Destination:
        """Where a client really sends: its base URL first, as the catalog resolves it."""
        return self.policy.catalog.resolve(url=base_url, provider=provider, model=model)

    def local_destination(self) -> Destination | None:
        """The local route as a destination, or None when the site configured none."""
        url = self.routing.local_base_url
        if not url:
            return None
        return self.policy.catalog.resolve(url=url)

    def assess(self, texts: Sequence[str], destination: Destination, call: str, model: str | None) -> AssessedFlow:
        """The request as a runtime flow with its verdict (findings masked and fingerprinted)."""
        with self._count_lock:
            self._count += 1
            number = self._count
        spans = self.detect_texts(texts)
        findings: list[Finding] = []
        for index, (text, found) in enumerate(zip(texts, spans, strict=True)):
            findings.extend(self._findings(text, found, number, index))
        flow = Flow(
            FlowKind.RUNTIME, Sink(Location(RUNTIME_PATH, 1, 1, record=number), call), destination, tuple(findings),
            model=model,
        )  # fmt: skip
        return self.policy.assess(flow)

    def judge(
        self,
        texts: Sequence[str],
        destination: Destination,
        call: str,
        model: str | None,
        local: Destination | None | object = _SITE_ROUTE,
    ) -> RuntimeDecision:
        """The action for a request sending ``texts`` to ``destination``.

        ``local`` is where a reroute would go: by default the site's ``local_base_url``; the
        LiteLLM guardrail passes its router's local deployment (or None: there is none).
        """
        assessed = self.assess(texts, destination, call, model)
        verdict = assessed.verdict
        if not verdict.fails(self.fail_on):
            return RuntimeDecision(SEND, assessed, reason=f"{verdict.decision.value} under fail_on={self.fail_on}")
        if local is _SITE_ROUTE:
            local = self.local_destination()
        can_reroute = isinstance(local, Destination) and local.kind is not DestinationKind.EXTERNAL
        local_model = self.routing.local_model(model)
        if verdict.decision is Decision.LOCAL_ONLY or self.routing.on_unmet == REROUTE:
            if can_reroute:
                return RuntimeDecision(REROUTE, assessed, local_model=local_model, reason="rerouted to the local model")
            return RuntimeDecision(BLOCK, assessed, reason="no local route is configured ([tool.auditor.routing])")
        if self.routing.on_unmet == "send":
            return RuntimeDecision(SEND, assessed, reason="on_unmet = send: sent with its conditions unmet")
        if self.routing.on_unmet == REDACT:
            placeholders = Placeholders(texts) if self.routing.redaction == "reversible" else None
            redacted = tuple(texts)
            # What the detector finds in the redacted text (NER reading "Patient" before a
            # placeholder as a name) is redacted in turn: a bounded number of rounds.
            for _ in range(REDACTION_ROUNDS):
                spans = self.detect_texts(redacted)
                redacted = tuple(
                    redact(text, self.config, spans=found, placeholders=placeholders)
                    for text, found in zip(redacted, spans, strict=True)
                )
                again = self.assess(redacted, destination, call, model)
                if not again.verdict.fails(self.fail_on):
                    how = "redacted, then sent" if placeholders is None else "redacted reversibly, then sent"
                    return RuntimeDecision(REDACT, assessed, redacted=redacted, reason=how, placeholders=placeholders)
            if placeholders is not None:
                placeholders.forget()
            return RuntimeDecision(BLOCK, assessed, reason="redacted text still fails the rules")
        return RuntimeDecision(BLOCK, assessed, reason="on_unmet = block")


def redact(
    text: str, config: ScanConfig | None = None, *, spans: list[Any] | None = None,
    placeholders: Placeholders | None = None,
) -> str:  # fmt: skip
    """``text`` with each regulated value replaced by ``<ENTITY>`` (presidio-anonymizer's ``replace``).

    Irreversible: the values are not kept anywhere. With ``placeholders``, each value becomes
    the request's placeholder for it instead (``<PERSON_1>``), and ``placeholders`` keeps
    the value, in memory, to restore the answer. ``spans``: the detector's spans of ``text``
    when the caller has them (detected here otherwise).
    """
    from presidio_anonymizer.entities import OperatorConfig, RecognizerResult

    config = config or ScanConfig()
    if spans is None:
        detector = _shared_detector(config)
        spans = detector.detect(text)
    results = [
        RecognizerResult(c.span.entity, c.span.start, c.span.end, c.confidence)
        for c in classify(text, spans, config.min_confidence)
    ]
    if not results:
        return text
    if placeholders is not None:
        return anonymize_with_placeholders(text, results, placeholders)
    engine = _anonymizer()
    operators = {"DEFAULT": OperatorConfig("replace", {})}
    anonymized: str = engine.anonymize(text=text, analyzer_results=results, operators=operators).text
    return anonymized


@lru_cache(maxsize=1)
def _anonymizer() -> AnonymizerEngine:
    from presidio_anonymizer import AnonymizerEngine

    return AnonymizerEngine()  # type: ignore[no-untyped-call]  # presidio-anonymizer's __init__ has no hints


@lru_cache(maxsize=2)
def _layered(config: ScanConfig) -> LayeredDetector:
    from auditor.detectors.quick import LayeredDetector

    return LayeredDetector(_shared_detector(config))


def _shared_detector(config: ScanConfig) -> Detector:
    from auditor.detection import _detector

    return _detector(config)


def _restamped(finding: Finding, number: int, pointer: str) -> Finding:
    """``finding`` at record ``number``, ``pointer`` (``dataclasses.replace`` is ten times slower,
    and a long note has hundreds of findings)."""
    where = finding.location
    location = Location(where.path, where.line, where.column, number, pointer, where.symbol)
    return Finding(**{name: getattr(finding, name) for name in _FINDING_FIELDS}, location=location)


_FINDING_FIELDS = tuple(f.name for f in dataclasses.fields(Finding) if f.name != "location")


def _unit(text: str, number: int, index: int) -> TextUnit:
    def locate(offset: int) -> Location:
        line = text.count("\n", 0, offset) + 1
        column = offset - (text.rfind("\n", 0, offset) + 1) + 1
        return Location(RUNTIME_PATH, line, column, record=number, pointer=f"/texts/{index}")

    return TextUnit(text, (Piece(0, len(text), locate),))


def _deciding(verdict: Verdict) -> RuleOutcome | None:
    for outcome in verdict.trail:  # most restrictive first
        if not outcome.waiver and outcome.decision is not Decision.ALLOW:
            return outcome
    return verdict.trail[0] if verdict.trail else None
