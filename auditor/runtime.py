"""The decision at run time, shared by ``auditor.guard`` and the LiteLLM guardrail: one function.

``RuntimeJudge.judge(texts, destination, model)`` detects regulated data in what a request
sends (``auditor.detect``'s engine and context rules), judges the flow against the same rule
packs, catalog and site configuration as ``auditor scan`` (``Policy.assess``), and turns the
verdict into an action under ``[tool.auditor.routing]``:

- ``send``: the verdict is under the site's ``fail_on`` (allow; or conditional with every
  condition the site must show on record);
- ``redact``: a conditional verdict with unmet conditions and ``on_unmet = "redact"``: the
  values are replaced by ``<ENTITY>`` (presidio-anonymizer), the redacted text is judged
  again, and sent only if it now passes;
- ``reroute``: to the local OpenAI-compatible model (``local_base_url``, ``model_map``) for
  ``local_only`` data, and for unmet conditions under ``on_unmet = "reroute"`` (the default);
- ``block``: ``PolicyViolation`` with the rule and the fix, when there is no local route or
  the site says so.

What is kept of a request is its runtime flow: masked excerpts and keyed fingerprints, never
the text (``auditor.store.journal.RuntimeJournal``).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from auditor.config import ScanConfig
from auditor.errors import PolicyViolation, RouteUnavailable
from auditor.findings import classify, findings_from_unit
from auditor.fingerprint import load_key
from auditor.model import AssessedFlow, Decision, Destination, DestinationKind, Flow, FlowKind, Location, Sink, Verdict
from auditor.policy import Policy
from auditor.sources.base import Piece, TextUnit

__all__ = ["PolicyViolation", "RouteUnavailable", "RuntimeDecision", "RuntimeJudge", "redact"]

RUNTIME_PATH = "<runtime>"
SEND, REDACT, REROUTE, BLOCK = "send", "redact", "reroute", "block"
_lock = threading.Lock()  # spaCy pipelines are not documented as thread-safe
_SITE_ROUTE = object()  # judge()'s default: the local route of [tool.auditor.routing]


@dataclass(frozen=True)
class RuntimeDecision:
    """What to do with one request, and the flow and verdict it was decided on."""

    action: str  # send | redact | reroute | block
    assessed: AssessedFlow  # the request as judged at the destination it named
    redacted: tuple[str, ...] | None = None  # the texts to send instead (action redact)
    local_model: str | None = None  # the model to ask on the local route (action reroute)
    reason: str = ""

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

    def __init__(self, config: ScanConfig | None = None, policy: Policy | None = None) -> None:
        from auditor.checking import _policy

        self.config = config or ScanConfig()
        self.policy = policy or _policy(self.config)
        self.routing = self.policy.site.routing
        self.key = load_key()
        self._count = 0
        self._count_lock = threading.Lock()

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
        units = [_unit(text, number, i) for i, text in enumerate(texts)]
        detector = _shared_detector(self.config)
        with _lock:
            if self.config.nlp == "auto":  # regexes first, NLP only where they say so (auditor check's path)
                spans = [_layered(self.config).detect(u.text) for u in units]
            elif len(units) == 1:
                spans = [detector.detect(units[0].text)]
            else:
                spans = detector.detect_many([u.text for u in units]) if units else []
        findings = []
        for unit, found in zip(units, spans, strict=True):
            findings.extend(findings_from_unit(unit, found, self.key, self.config.min_confidence))
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
            redacted = tuple(redact(text, self.config) for text in texts)
            again = self.assess(redacted, destination, call, model)
            if not again.verdict.fails(self.fail_on):
                return RuntimeDecision(REDACT, assessed, redacted=redacted, reason="redacted, then sent")
            return RuntimeDecision(BLOCK, assessed, reason="redacted text still fails the rules")
        return RuntimeDecision(BLOCK, assessed, reason="on_unmet = block")


def redact(text: str, config: ScanConfig | None = None) -> str:
    """``text`` with each regulated value replaced by ``<ENTITY>`` (presidio-anonymizer's ``replace``).

    Irreversible: the values are not kept anywhere.
    """
    from presidio_anonymizer.entities import OperatorConfig, RecognizerResult

    config = config or ScanConfig()
    detector = _shared_detector(config)
    with _lock:
        spans = detector.detect(text)
    results = [
        RecognizerResult(c.span.entity, c.span.start, c.span.end, c.confidence)
        for c in classify(text, spans, config.min_confidence)
    ]
    if not results:
        return text
    engine = _anonymizer()
    operators = {"DEFAULT": OperatorConfig("replace", {})}
    return engine.anonymize(text=text, analyzer_results=results, operators=operators).text


@lru_cache(maxsize=1)
def _anonymizer():
    from presidio_anonymizer import AnonymizerEngine

    return AnonymizerEngine()


@lru_cache(maxsize=2)
def _layered(config: ScanConfig):
    from auditor.detectors.quick import LayeredDetector

    return LayeredDetector(_shared_detector(config))


def _shared_detector(config: ScanConfig):
    from auditor.detection import _detector

    return _detector(config)


def _unit(text: str, number: int, index: int) -> TextUnit:
    def locate(offset: int) -> Location:
        line = text.count("\n", 0, offset) + 1
        column = offset - (text.rfind("\n", 0, offset) + 1) + 1
        return Location(RUNTIME_PATH, line, column, record=number, pointer=f"/texts/{index}")

    return TextUnit(text, (Piece(0, len(text), locate),))


def _deciding(verdict: Verdict):
    for outcome in verdict.trail:  # most restrictive first
        if not outcome.waiver and outcome.decision is not Decision.ALLOW:
            return outcome
    return verdict.trail[0] if verdict.trail else None
