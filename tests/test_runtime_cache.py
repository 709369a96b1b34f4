"""The run-time judge detects each distinct text once: a text seen before is judged from its
cached spans and findings (keyed by HMAC; no value kept), with the same verdict."""

from __future__ import annotations

from auditor.runtime import RuntimeJudge

NOTE = "Pt Maria Okafor, MRN 4471923, seen at Mercy Hospital on 3/14 for CHF exacerbation."
OTHER = "What is the capital of France?"


class CountingJudge(RuntimeJudge):
    """A judge that counts the texts its detector is given."""

    detected = 0

    def _detect(self, texts):
        self.detected += len(texts)
        return super()._detect(texts)


def test_a_resent_text_is_detected_once_and_judged_alike_every_time():
    judge = CountingJudge()
    fresh = RuntimeJudge(span_cache=0)
    where = judge.destination("https://api.openai.com/v1")
    first = judge.judge([NOTE], where, "openai.chat.completions.create", "gpt-4o")
    again = judge.judge([OTHER, NOTE], where, "openai.chat.completions.create", "gpt-4o")
    assert judge.detected == 2  # NOTE once, OTHER once
    uncached = fresh.judge([OTHER, NOTE], where, "openai.chat.completions.create", "gpt-4o")
    assert again.verdict == uncached.verdict and again.action == uncached.action == first.action
    strip = [(f.entity, f.excerpt, f.fingerprint, f.location.pointer) for f in again.assessed.flow.findings]
    assert strip == [(f.entity, f.excerpt, f.fingerprint, f.location.pointer) for f in uncached.assessed.flow.findings]
    assert {f.location.pointer for f in again.assessed.flow.findings} == {"/texts/1"}
    assert {f.location.record for f in again.assessed.flow.findings} == {2}  # this request's number
    held = repr(judge._spans) + repr(judge._built)
    assert "Okafor" not in held and "4471923" not in held


def test_the_cache_is_bounded():
    judge = CountingJudge(span_cache=2)
    for text in (NOTE, OTHER, "A third text.", NOTE):
        judge.detect_texts([text])
    assert judge.detected == 4 and len(judge._spans) == 2
