"""Detection on public labelled text nobody here wrote: auditor against vanilla Presidio, one run.

For every set in ``../shared/datasets/`` (or ``--datasets DIR``), with the convention in that
folder's README: a labelled span is *found* when any predicted span overlaps it (type
ignored); *precision* counts predicted spans that overlap any labelled span, of any label
(labels a set does not score are neither misses nor false alarms). Per set and per label:
recall, precision, F2, predicted spans on documents with no labels, chars/s, and the ratio of
auditor's speed to vanilla Presidio's. auditor runs through the public ``auditor.detect``, at
the scan's defaults; vanilla Presidio has the same spaCy model, its default recognizers and
``score_threshold=0.3``.

    python -m bench.public [--sets asq_phi,wnut17] [--limit 200] [--batch 64] [--show-errors 40] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import auditor
from auditor.config import DEFAULT_MODEL, ScanConfig
from bench.accuracy import machine

DEFAULT_DATASETS = Path(__file__).resolve().parents[1].parent / "shared" / "datasets"
# The labels each set scores (None: all of them), from the datasets README.
SCORED: dict[str, frozenset[str] | None] = {
    "asq_phi": None,
    "physionet_deid_nursing": None,  # all but DateYear, below
    "presidio_synth_v2": frozenset(
        "PERSON STREET_ADDRESS CREDIT_CARD PHONE_NUMBER EMAIL_ADDRESS ZIP_CODE IBAN_CODE US_SSN IP_ADDRESS "
        "US_DRIVER_LICENSE".split()
    ),
    "wikigold": frozenset({"PER", "LOC"}),
    "wnut17": frozenset({"person", "location"}),
}
UNSCORED: dict[str, frozenset[str]] = {"physionet_deid_nursing": frozenset({"DateYear"})}
VANILLA_THRESHOLD = 0.3


@dataclass(frozen=True)
class Doc:
    id: str
    text: str
    spans: tuple[tuple[int, int, str], ...]  # every labelled span
    scored: tuple[tuple[int, int, str], ...]  # the ones this set scores


@dataclass
class Tally:
    """Counts for one set (or one label of it) and one engine."""

    gold: int = 0
    found: int = 0
    predicted: int = 0
    correct: int = 0
    on_unlabelled: int = 0  # predictions on documents with no labelled span at all
    chars: int = 0
    seconds: float = 0.0
    misses: list[str] = field(default_factory=list)
    alarms: list[str] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return self.found / self.gold if self.gold else float("nan")

    @property
    def precision(self) -> float:
        return self.correct / self.predicted if self.predicted else float("nan")

    @property
    def f2(self) -> float:
        p, r = self.precision, self.recall
        return 0.0 if not p + r or p != p or r != r else 5 * p * r / (4 * p + r)

    @property
    def speed(self) -> float:
        return self.chars / self.seconds if self.seconds else 0.0


def load_set(folder: Path, limit: int | None) -> list[Doc]:
    """The documents of one set, each with its labelled and its scored spans."""
    name = folder.name
    wanted, unwanted = SCORED.get(name), UNSCORED.get(name, frozenset())
    docs = []
    with (folder / "dev.jsonl").open(encoding="utf-8") as lines:
        for line in lines:
            raw = json.loads(line)
            spans = tuple((s["start"], s["end"], s["label"]) for s in raw["spans"])
            scored = tuple(s for s in spans if (wanted is None or s[2] in wanted) and s[2] not in unwanted)
            docs.append(Doc(str(raw["id"]), raw["text"], spans, scored))
            if limit and len(docs) >= limit:
                break
    return docs


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def tally(
    docs: Sequence[Doc], predictions: Sequence[Sequence[tuple[int, int, str]]], seconds: float
) -> tuple[Tally, dict[str, Tally]]:
    """The set's tally and one per scored label (recall only: a prediction has no gold label)."""
    whole, by_label = Tally(chars=sum(len(d.text) for d in docs), seconds=seconds), {}
    for doc, predicted in zip(docs, predictions, strict=True):
        for start, end, label in doc.scored:
            hit = any(_overlaps((start, end), p) for p in predicted)
            for t in (whole, by_label.setdefault(label, Tally())):
                t.gold += 1
                t.found += hit
            if not hit:
                whole.misses.append(f"{doc.id}: {label} {_context(doc.text, start, end)}")
        for start, end, entity in predicted:
            whole.predicted += 1
            if any(_overlaps((start, end), g) for g in doc.spans):
                whole.correct += 1
            else:
                whole.alarms.append(f"{doc.id}: {entity} {_context(doc.text, start, end)}")
            whole.on_unlabelled += not doc.spans
    return whole, by_label


def _context(text: str, start: int, end: int) -> str:
    return repr(text[max(0, start - 30) : start] + "[[" + text[start:end] + "]]" + text[end : end + 20])


Predictions = list[list[tuple[int, int, str]]]
Engine = Callable[[list[str]], Predictions]  # texts in, each text's (start, end, entity) out


def auditor_engine(config: ScanConfig, batched: bool) -> Engine:
    """auditor's identifier spans: health information (``HEALTH_INFO``) is reported as the
    context of identifiers, not as one, so it is neither a hit nor an alarm here."""

    def run(texts: list[str]) -> Predictions:
        found = auditor.detect_many(texts, config) if batched else [auditor.detect(text, config) for text in texts]
        return [[(d.start, d.end, d.entity) for d in spans if d.is_identifier] for spans in found]

    return run


def vanilla_engine(model: str, batched: bool) -> Engine:
    from auditor.detectors import Detector

    detector = Detector(model, vanilla=True, floor=VANILLA_THRESHOLD)

    def run(texts: list[str]) -> Predictions:
        found = detector.detect_many(texts) if batched else [detector.detect(text) for text in texts]
        return [[(s.start, s.end, s.entity) for s in spans] for spans in found]

    return run


SLICE_DOCS = 50  # documents an engine reads before the other takes its turn


def timed(engines: dict[str, Engine], docs: Sequence[Doc], batch: int) -> dict[str, tuple[Predictions, float]]:
    """Each engine's predictions and seconds over ``docs``, the engines taking turns slice by slice.

    This machine's speed drifts by up to 2x over tens of seconds (another tenant, a clock):
    timing one engine over a whole set and then the other charged the drift to whichever ran
    in the slow patch. Alternating slices of ``SLICE_DOCS`` documents, and which engine goes
    first, lets the drift fall on both alike; the work each engine does is the same.
    """
    out: dict[str, tuple[Predictions, float]] = {name: ([], 0.0) for name in engines}
    step = max(batch, SLICE_DOCS)
    for turn, first in enumerate(range(0, len(docs), step)):
        piece = docs[first : first + step]
        order = list(engines) if turn % 2 == 0 else list(reversed(engines))
        for name in order:
            predictions, seconds = out[name]
            started = time.perf_counter()
            for i in range(0, len(piece), batch):
                predictions += engines[name]([doc.text for doc in piece[i : i + batch]])
            out[name] = (predictions, seconds + time.perf_counter() - started)
    return out


def _fmt(value: float) -> str:
    return "    -" if value != value else f"{value:.3f}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", type=Path, default=DEFAULT_DATASETS)
    parser.add_argument("--sets", help="comma-separated set names (default: every set found)")
    parser.add_argument("--limit", type=int, help="at most this many documents per set")
    parser.add_argument("--model", default=os.environ.get("AUDITOR_SPACY_MODEL", DEFAULT_MODEL))
    parser.add_argument("--no-vanilla", action="store_true", help="auditor only (faster while tuning)")
    parser.add_argument(
        "--batch", type=int, default=1, metavar="N", help="texts per call: 1 is detect(), more is detect_many()"
    )
    parser.add_argument("--show-errors", type=int, default=0, metavar="N", help="auditor's first N misses and alarms")
    parser.add_argument("--json", type=Path, help="write the figures here as JSON")
    parser.add_argument(
        "--no-name-lexicon",
        action="store_true",
        help="auditor without the census name lists (for a set whose names came from a similar list: "
        "presidio_synth_v2's fake names come from Faker, whose lists overlap the census's)",
    )
    args = parser.parse_args(argv)

    if not args.datasets.is_dir():
        parser.error(f"no datasets folder at {args.datasets}")
    names = args.sets.split(",") if args.sets else sorted(p.name for p in args.datasets.iterdir() if p.is_dir())
    batched = args.batch > 1
    if args.no_name_lexicon:
        from auditor.detectors import lexicons

        lexicons._census = lambda *files: frozenset()  # every census lookup finds nothing
    engines: dict[str, Engine] = {"auditor": auditor_engine(ScanConfig(model_name=args.model), batched)}
    if not args.no_vanilla:
        engines["presidio"] = vanilla_engine(args.model, batched)
    for engine in engines.values():
        engine(["Warm-up: Maria Okafor called 555-123-4567."])  # load both models before timing

    print(
        f"machine: {machine()}; model {args.model}; vanilla threshold {VANILLA_THRESHOLD}; "
        f"{'detect_many, ' + str(args.batch) + ' texts a call' if batched else 'detect, one text a call'}"
        f"{'; census name lists OFF' if args.no_name_lexicon else ''}"
    )
    results: dict[str, dict] = {}
    for name in names:
        docs = load_set(args.datasets / name, args.limit)
        chars = sum(len(d.text) for d in docs)
        print(f"\n== {name}: {len(docs)} documents, {chars:,} chars, {sum(len(d.scored) for d in docs)} scored spans")
        tallies = {
            engine_name: tally(docs, predictions, seconds)
            for engine_name, (predictions, seconds) in timed(engines, docs, args.batch).items()
        }
        print(f"{'engine':<9} {'recall':>7} {'prec':>7} {'F2':>7} {'pred':>6} {'on-unlab':>8} {'chars/s':>9}")
        for engine_name, (whole, _) in tallies.items():
            print(
                f"{engine_name:<9} {_fmt(whole.recall):>7} {_fmt(whole.precision):>7} {_fmt(whole.f2):>7} "
                f"{whole.predicted:>6} {whole.on_unlabelled:>8} {whole.speed:>9,.0f}"
            )
        if "presidio" in tallies and tallies["presidio"][0].speed:
            print(f"speed ratio auditor / presidio: {tallies['auditor'][0].speed / tallies['presidio'][0].speed:.2f}x")
        labels = sorted(tallies["auditor"][1])
        print(f"{'label':<34} {'gold':>5}" + "".join(f" {'recall ' + n:>16}" for n in tallies))
        for label in labels:
            row = f"{label:<34} {tallies['auditor'][1][label].gold:>5}"
            row += "".join(f" {_fmt(t[1][label].recall):>16}" for t in tallies.values())
            print(row)
        if args.show_errors:
            whole = tallies["auditor"][0]
            for line in whole.misses[: args.show_errors]:
                print("MISS ", line)
            for line in whole.alarms[: args.show_errors]:
                print("FALSE", line)
        results[name] = {
            engine_name: {
                "recall": whole.recall,
                "precision": whole.precision,
                "f2": whole.f2,
                "predicted": whole.predicted,
                "on_unlabelled": whole.on_unlabelled,
                "chars_per_s": whole.speed,
                "labels": {label: t.recall for label, t in by_label.items()},
            }
            for engine_name, (whole, by_label) in tallies.items()
        }
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
