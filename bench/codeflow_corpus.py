"""Flow recall and verdict accuracy of the code-flow scanner over a marked corpus.

    .venv/bin/python -m bench.codeflow_corpus [DIR ...]   (default: tests/fixtures/code/third_party)

Every sink line of the corpus carries its `# expect:` marks (grammar: tests/fixtures/code/
README.md). The real detectors run over the string literals, the scanner over each DIR as one
project, the default policy decides. Prints, per folder and in all: expected flows with
regulated data, how many were found at their line (recall), how many of those have the
expected verdict, categories and destination (verdict accuracy), inventory flows (`allow` with
no category) found, extra flows with regulated data on lines that expect none (false alarms),
and skipped files. tests/test_codeflow_corpus.py uses the same functions.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from auditor.config import DEFAULT_MIN_CONFIDENCE, DEFAULT_MODEL
from auditor.findings import findings_from_unit
from auditor.fingerprint import load_key
from auditor.flows.python import code_flows
from auditor.model import AssessedFlow, SkippedSource
from auditor.policy import load_policy
from auditor.sources import TextUnit
from auditor.sources.code import read_python

_EXPECT = re.compile(r"#\s*expect:\s*(.+)$")
THIRD_PARTY = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "code" / "third_party"


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


def assess_corpus(files: list[Path], detector) -> tuple[list[AssessedFlow], list[SkippedSource]]:
    """The assessed flows of ``files`` as one project, literals run through ``detector``."""
    key = load_key()
    findings = []
    for path in files:
        for event in read_python(str(path), str(path)):
            if isinstance(event, TextUnit):
                findings.extend(findings_from_unit(event, detector.detect(event.text), key, DEFAULT_MIN_CONFIDENCE))
    policy = load_policy()
    flows, skipped = code_flows([(str(p), str(p)) for p in files], tuple(findings), policy.catalog)
    return [policy.assess(f) for f in flows], skipped


def take(wanted: list[Expected], flow: AssessedFlow) -> bool:
    """Cross off the expectation a flow meets; a "none" mark covers any flow without data."""
    for expected in wanted:
        if expected.matches(flow):
            if expected.verdict is not None:
                wanted.remove(expected)
            return True
    return False


@dataclass
class Score:
    """Counts over a marked corpus; ``rows`` has one line per marked or flagged sink line."""

    data_expected: int = 0  # flows with regulated data the marks expect
    data_found: int = 0  # ... of which a flow with data was found on the line
    data_right: int = 0  # ... of which verdict, categories and destination are as marked
    inventory_expected: int = 0
    inventory_found: int = 0
    false_alarms: int = 0  # flows with regulated data on lines that expect none of them
    rows: list[str] = field(default_factory=list)
    failures: int = 0

    @property
    def recall(self) -> float:
        return self.data_found / self.data_expected if self.data_expected else 1.0

    @property
    def accuracy(self) -> float:
        return self.data_right / self.data_expected if self.data_expected else 1.0


def score(files: list[Path], assessed: list[AssessedFlow], root: Path) -> Score:
    by_line: dict[tuple[str, int], list[AssessedFlow]] = defaultdict(list)
    for flow in assessed:
        by_line[(flow.flow.sink.location.path, flow.flow.sink.location.line)].append(flow)
    result = Score()
    for path in files:
        marks = expectations(path)
        lines = sorted(set(marks) | {line for (p, line) in by_line if p == str(path)})
        for line in lines:
            wanted = list(marks.get(line, []))
            found = by_line.get((str(path), line), [])
            with_data = [w for w in wanted if w.verdict is not None and w.categories]
            inventory = [w for w in wanted if w.verdict is not None and not w.categories]
            result.data_expected += len(with_data)
            result.inventory_expected += len(inventory)
            result.data_found += min(len(with_data), sum(1 for f in found if f.flow.categories))
            result.inventory_found += min(len(inventory), sum(1 for f in found if not f.flow.categories))
            unmatched = [f for f in found if not take(wanted, f)]
            missing = [w for w in wanted if w.verdict is not None]
            result.data_right += len(with_data) - sum(1 for w in missing if w.categories)
            result.false_alarms += max(0, sum(1 for f in found if f.flow.categories) - len(with_data))
            ok = not unmatched and not missing
            result.failures += not ok
            result.rows.append(
                f"{'ok  ' if ok else 'FAIL'} {path.relative_to(root)}:{line:<4} "
                f"expected [{'; '.join(map(str, marks.get(line, []))) or '-'}]  "
                f"found [{'; '.join(map(describe, found)) or '-'}]"
            )
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("roots", nargs="*", type=Path, default=[THIRD_PARTY])
    args = parser.parse_args()
    from auditor.detectors import Detector

    detector = Detector(DEFAULT_MODEL)
    total = Score()
    for root in args.roots:
        folders = sorted(
            {p.relative_to(root).parts[0] for p in root.rglob("*.py") if len(p.relative_to(root).parts) > 1}
        )
        for folder in folders or ["."]:
            files = sorted((root / folder).rglob("*.py"))
            assessed, skipped = assess_corpus(files, detector)
            result = score(files, assessed, root)
            print(f"== {root.name}/{folder}: {len(files)} files, {len(skipped)} skipped")
            for row in result.rows:
                print("   " + row)
            for item in skipped:
                print(f"   skipped {item.path}: {item.reason}")
            for name in ("data_expected", "data_found", "data_right", "inventory_expected", "inventory_found"):
                setattr(total, name, getattr(total, name) + getattr(result, name))
            total.false_alarms += result.false_alarms
    print(
        f"flows with regulated data: {total.data_expected}  found: {total.data_found} "
        f"(recall {total.recall:.2f})  right verdict: {total.data_right} (accuracy {total.accuracy:.2f})"
    )
    print(f"inventory flows: {total.inventory_expected}  found: {total.inventory_found}")
    print(f"false alarms: {total.false_alarms}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
