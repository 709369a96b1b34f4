"""Where the guard's time goes on a new text: wall time per stage of ``RuntimeJudge.judge``.

``bench.guard_overhead`` measures the latency the guard adds; this says what it is made of,
without a profiler's overhead: each stage is timed by wrapping the function that does it
(spaCy's pipeline as Presidio runs it, the regex matching of auditor's pattern specs and of
Presidio's own pattern recognizers, the phone recognizer,
Presidio's context enhancement, and the guard's own findings: masks, excerpts and keyed
fingerprints). Every prompt is a different text (the span cache never answers), as in
``bench.guard_overhead``'s default. ``--recognizers N`` also lists the N slowest pattern
recognizers (auditor's by spec). Nothing is sent anywhere: the judge is called directly.

    .venv/bin/python -m bench.guard_profile [--requests 12] [--size 4000] [--recognizers 10]
"""

from __future__ import annotations

import argparse
import collections
import functools
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from auditor.config import ScanConfig
from auditor.runtime import RuntimeJudge
from bench.guard_overhead import CLINICAL, HARMLESS, _percentile, _text

STAGES = {
    "spaCy pipeline (NER)": ("presidio_analyzer.nlp_engine.spacy_nlp_engine", "SpacyNlpEngine", "process_text"),
    "Presidio analyze, in all": ("presidio_analyzer.analyzer_engine", "AnalyzerEngine", "analyze"),
    # auditor's specs are one Presidio recognizer: its regex matching, spec by spec.
    "pattern specs, auditor's (regexes)": ("auditor.detectors.presidio", "_SpecsRecognizer", "_matches"),
    "pattern recognizers, Presidio's": ("presidio_analyzer.pattern_recognizer", "PatternRecognizer", "analyze"),
    "phone numbers (phonenumbers)": ("auditor.detectors.presidio", "_GatedPhoneRecognizer", "analyze"),
    "context enhancement (Presidio)": ("presidio_analyzer.analyzer_engine", "AnalyzerEngine", "_enhance_using_context"),
    "findings: masks, excerpts, HMAC": ("auditor.runtime", None, "findings_from_unit"),
}


def _wrap(owner: Any, name: str, record: Callable[[tuple[Any, ...], float], None]) -> None:
    original = getattr(owner, name)

    @functools.wraps(original)
    def timed(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            record(args, time.perf_counter() - start)

    setattr(owner, name, timed)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=12, help="prompts per kind (clinical, harmless)")
    parser.add_argument("--size", type=int, default=4000, help="characters per prompt")
    parser.add_argument("--recognizers", type=int, default=0, help="list the N slowest pattern recognizers")
    args = parser.parse_args()
    import importlib

    seconds: dict[str, float] = collections.defaultdict(float)
    by_recognizer: dict[str, float] = collections.defaultdict(float)
    for label, (module_name, owner_name, function) in STAGES.items():
        module = importlib.import_module(module_name)
        owner = getattr(module, owner_name) if owner_name else module
        if not hasattr(owner, function):
            print(f"(not timed: {label}: {module_name}.{owner_name}.{function} not found)")
            continue

        def record(args: tuple[Any, ...], elapsed: float, label: str = label) -> None:
            seconds[label] += elapsed
            if label.startswith("pattern") and args:
                this = args[0]
                specs = getattr(this, "specs", None)  # auditor's: (self, spec index, text)
                by_recognizer[specs[args[1]].detector if specs else getattr(this, "name", "?")] += elapsed

        _wrap(owner, function, record)
    with tempfile.TemporaryDirectory() as tmp:
        config_file = Path(tmp) / "auditor.toml"  # PHI to OpenAI with a BAA on record: sent, as in guard_overhead
        config_file.write_text('[[agreements]]\nvendor = "openai"\nbaa = true\nsigned = 2025-01-15\n')
        judge = RuntimeJudge(ScanConfig(config_file=config_file), warm_up=True)
        destination = judge.destination("https://api.openai.com/v1")
        for kind, base in (("clinical", CLINICAL), ("harmless", HARMLESS)):
            texts = [_text(base, args.size, 1000 + i) for i in range(args.requests + 2)]
            for text in texts[:2]:  # warm: first sight of this kind's recognizer paths
                judge.judge([text], destination, "bench", "gpt-4o")
            seconds.clear()
            by_recognizer.clear()
            totals: list[float] = []
            findings = 0
            for text in texts[2:]:
                start = time.perf_counter()
                decision = judge.judge([text], destination, "bench", "gpt-4o")
                totals.append(time.perf_counter() - start)
                findings += len(decision.assessed.flow.findings)
            n, whole = len(totals), sum(totals)
            print(
                f"{kind}, {args.size} chars, {n} distinct prompts: judge p50 {_percentile(totals, 50) * 1000:.0f} ms,"
                f" p99 {_percentile(totals, 99) * 1000:.0f} ms, {findings / n:.0f} findings a prompt"
            )
            for label, spent in sorted(seconds.items(), key=lambda item: -item[1]):
                print(f"  {label:34s} {spent / n * 1000:7.1f} ms a prompt ({spent / whole * 100:4.1f}%)")
            for name, spent in sorted(by_recognizer.items(), key=lambda item: -item[1])[: args.recognizers]:
                print(f"    {name:40s} {spent / n * 1000:6.1f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
