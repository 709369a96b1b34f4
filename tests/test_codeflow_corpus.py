"""The code-flow scanner over a corpus of small applications, against the marks in their code.

Every sink line says what it expects (see tests/fixtures/code/README.md); the test runs the
real detection engine over the string literals, the scanner over the whole corpus as one
project, and the real policy with the default site configuration. Any missed, extra or
wrong flow fails, with a table per file.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import pytest

from auditor.config import DEFAULT_MIN_CONFIDENCE
from auditor.findings import findings_from_unit
from auditor.fingerprint import load_key
from auditor.flows.python import code_flows
from auditor.model import AssessedFlow
from auditor.policy import load_policy
from auditor.sources import TextUnit
from auditor.sources.code import read_python

CORPUS = Path(__file__).parent / "fixtures" / "code"
_EXPECT = re.compile(r"#\s*expect:\s*(.+)$")


@dataclass(frozen=True)
class Expected:
    verdict: str | None  # None: "none" (no flow with regulated data)
    categories: tuple[str, ...] = ()
    destination: str | None = None

    def matches(self, flow: AssessedFlow) -> bool:
        categories = tuple(c.value for c in flow.flow.categories)
        if self.verdict is None:
            return not categories
        return (
            flow.verdict.decision.value == self.verdict
            and categories == self.categories
            and (self.destination is None or flow.flow.destination.id == self.destination)
        )

    def __str__(self) -> str:
        if self.verdict is None:
            return "none"
        dest = f" dest={self.destination}" if self.destination else ""
        return f"{self.verdict} {','.join(self.categories)}{dest}".replace("  ", " ")


def expectations(path: Path) -> dict[int, list[Expected]]:
    """The marks of one file: line -> what the flows there must be."""
    marks: dict[int, list[Expected]] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        match = _EXPECT.search(line)
        if not match:
            continue
        marks[number] = []
        for part in match.group(1).split(";"):
            words = part.split()
            if words == ["none"]:
                marks[number].append(Expected(None))
                continue
            dest = next((w.removeprefix("dest=") for w in words if w.startswith("dest=")), None)
            cats = next((w for w in words[1:] if not w.startswith("dest=")), "")
            marks[number].append(Expected(words[0], tuple(sorted(filter(None, cats.split(",")))), dest))
    return marks


def describe(flow: AssessedFlow) -> str:
    cats = ",".join(c.value for c in flow.flow.categories)
    return f"{flow.verdict.decision.value} {cats} dest={flow.flow.destination.id}".replace("  ", " ")


@pytest.fixture(scope="module")
def corpus_flows(detector):
    files = sorted(CORPUS.rglob("*.py"))
    key = load_key()
    findings = []
    for path in files:
        for event in read_python(str(path), str(path)):
            if isinstance(event, TextUnit):
                findings.extend(findings_from_unit(event, detector.detect(event.text), key, DEFAULT_MIN_CONFIDENCE))
    policy = load_policy()
    flows, skipped = code_flows([(str(p), str(p)) for p in files], tuple(findings), policy.catalog)
    return files, [policy.assess(f) for f in flows], skipped


def test_every_marked_flow_is_found_with_its_verdict_and_nothing_else(corpus_flows):
    files, assessed, skipped = corpus_flows
    assert skipped == []
    by_line: dict[tuple[str, int], list[AssessedFlow]] = defaultdict(list)
    for flow in assessed:
        by_line[(flow.flow.sink.location.path, flow.flow.sink.location.line)].append(flow)
    rows, failures = [], 0
    for path in files:
        marks = expectations(path)
        lines = sorted(set(marks) | {line for (p, line) in by_line if p == str(path)})
        for line in lines:
            wanted = list(marks.get(line, []))
            found = by_line.get((str(path), line), [])
            unmatched = [f for f in found if not _take(wanted, f)]
            missing = [w for w in wanted if w.verdict is not None]
            ok = not unmatched and not missing
            failures += not ok
            rows.append(
                f"{'ok  ' if ok else 'FAIL'} {path.relative_to(CORPUS)}:{line:<4} "
                f"expected [{'; '.join(map(str, marks.get(line, []))) or '-'}]  "
                f"found [{'; '.join(map(describe, found)) or '-'}]"
            )
    assert failures == 0, "\n" + "\n".join(rows)


def _take(wanted: list[Expected], flow: AssessedFlow) -> bool:
    """Cross off the expectation a flow meets; a "none" mark covers any flow without data."""
    for expected in wanted:
        if expected.matches(flow):
            if expected.verdict is not None:
                wanted.remove(expected)
            return True
    return False


def test_the_corpus_covers_every_kind_of_application():
    marked = {p.relative_to(CORPUS).parts[0] for p in CORPUS.rglob("*.py") if expectations(p)}
    assert marked >= {"flask_intake", "fastapi_local", "langchain_triage", "batch_jobs", "clinic", "negatives"}


def test_steps_lead_from_the_source_to_the_sink(corpus_flows):
    _, assessed, _ = corpus_flows
    flow = next(
        f.flow for f in assessed if f.flow.sink.location.path.endswith("flask_intake/app.py") and f.flow.categories
    )
    descriptions = [s.description for s in flow.steps]
    assert descriptions[0] == "key 'clinical_note'"
    assert any("passed to build_prompt()" in d for d in descriptions)
    assert descriptions[-1] == "sent by openai.chat.completions.create"
    assert flow.sink.location.symbol == "triage"


def test_a_literal_that_reaches_a_sink_carries_its_findings(corpus_flows):
    _, assessed, _ = corpus_flows
    smoke = [f.flow for f in assessed if f.flow.sink.location.symbol == "smoke"]
    assert len(smoke) == 1 and smoke[0].findings
    source = (CORPUS / "negatives" / "literals.py").read_text(encoding="utf-8").splitlines()
    note_line = next(n for n, line in enumerate(source, 1) if line.startswith("SAMPLE_NOTE ="))
    assert {f.location.line for f in smoke[0].findings} == {note_line}
