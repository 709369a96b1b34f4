"""Throughput of auditor against vanilla Presidio on the same generated corpus, in one run.

Prints characters per second and peak memory (RSS) for auditor's detector and for vanilla
Presidio (same spaCy model, default recognizers) with their ratio, at each ``--jobs`` level
(a process pool of that size per engine, over documents) and each mode (``Detector.detect``
per document, or ``Detector.detect_many`` with spaCy batched over documents), then seconds for one large
document of each ``--large`` size with auditor, to show time grows linearly.

    python -m bench.throughput [--size-mb 5] [--jobs 1,2] [--modes document,batched]
                               [--large 0.1,1,5] [--budget 0]

The two engines run in separate worker processes (so each one's memory is its own) and are
timed on the same batches of documents in turn, auditor then Presidio then auditor..., so a
machine shared with other work slows both alike. ``--budget SECONDS`` stops each level once
both engines have spent that long (the figures are then over the batches done, the same for
both); 0 processes the whole corpus.
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import sys
import time

from auditor.config import DEFAULT_MODEL
from bench.accuracy import machine

ENGINES = ("auditor", "presidio")
_detector = None


def _load(engine: str, model: str) -> None:
    global _detector
    from auditor.detectors import Detector

    _detector = Detector(model) if engine == "auditor" else Detector(model, vanilla=True, floor=0.0)
    _detector.detect("warm-up: load the pipeline before timing.")


def _detect(text: str) -> int:
    _detector.detect(text)
    return len(text)


def _detect_batched(texts: list[str]) -> int:
    _detector.detect_many(texts)
    return sum(map(len, texts))


def _peak_rss(_: int) -> int:
    """This worker's peak resident memory so far, in KiB (Linux)."""
    time.sleep(0.2)  # spread the calls over every worker of the pool
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def mixed_corpus(size: int, seed: int) -> list[str]:
    """Plain documents of all four kinds, in turn, until ``size`` characters."""
    from bench.corpus import KINDS, marked_documents
    from bench.evaluation import parse_marked

    streams = [marked_documents(kind, 10**9, seed) for kind in KINDS]
    docs: list[str] = []
    total = 0
    while total < size:
        for stream in streams:
            text = parse_marked(next(stream)[1])[0]
            docs.append(text)
            total += len(text)
    return docs


def batches(docs: list[str], batch_chars: int) -> list[list[str]]:
    out: list[list[str]] = [[]]
    size = 0
    for doc in docs:
        if size >= batch_chars:
            out.append([])
            size = 0
        out[-1].append(doc)
        size += len(doc)
    return out


def compare(docs: list[str], jobs: int, batched: bool, model: str, budget: float, batch_chars: int) -> None:
    context = multiprocessing.get_context("spawn")  # a fresh interpreter: memory is the engine's own
    pools = {e: context.Pool(jobs, initializer=_load, initargs=(e, model)) for e in ENGINES}
    try:
        for pool in pools.values():  # wait until every worker has loaded its pipeline
            pool.map(time.sleep, [0.5] * jobs, chunksize=1)
        seconds = dict.fromkeys(ENGINES, 0.0)
        chars = dict.fromkeys(ENGINES, 0)
        peak = dict.fromkeys(ENGINES, 0)
        done = 0
        work = batches(docs, batch_chars)
        for batch in work:
            for engine, pool in pools.items():
                started = time.perf_counter()
                if batched:  # detect_many calls over shares of the batch, taken by free workers
                    # An odd number of shares, so that each holds documents of all four kinds in
                    # turn (with jobs shares, one worker got clinical and export, the other the rest).
                    shares = 2 * jobs + 1
                    results = pool.map(_detect_batched, [batch[i::shares] for i in range(shares)], chunksize=1)
                else:
                    results = pool.map(_detect, batch, chunksize=max(1, len(batch) // (4 * jobs)))
                seconds[engine] += time.perf_counter() - started
                chars[engine] += sum(results)
            done += 1
            if budget and min(seconds.values()) >= budget:
                break
        for engine, pool in pools.items():
            peak[engine] = max(pool.map(_peak_rss, range(4 * jobs), chunksize=1))
    finally:
        for pool in pools.values():
            pool.terminate()
    print(
        f"\n--jobs {jobs}, {'detect_many (spaCy batched)' if batched else 'detect per document'}: "
        f"{done} of {len(work)} batches, {chars['auditor']:,} chars "
        f"({100 * chars['auditor'] / sum(map(len, docs)):.0f}% of the corpus)"
    )
    print(f"{'engine':<10} {'seconds':>9} {'chars/s':>10} {'peak RSS/worker':>16}")
    for engine in ENGINES:
        print(
            f"{engine:<10} {seconds[engine]:>9.1f} {chars[engine] / seconds[engine]:>10,.0f} "
            f"{peak[engine] / 1024:>13.0f} MB"
        )
    ratio = (chars["auditor"] / seconds["auditor"]) / (chars["presidio"] / seconds["presidio"])
    print(f"ratio auditor/presidio: {ratio:.2f}x")


def large_documents(sizes_mb: list[float], model: str, seed: int) -> None:
    from auditor.detectors import Detector

    detector = Detector(model)
    detector.detect("warm-up: load the pipeline before timing.")
    text = "\n\n".join(mixed_corpus(int(max(sizes_mb) * 1_000_000), seed + 1))
    print(f"\none large document, auditor ({detector.chunk_chars}-char windows)")
    print(f"{'size':>8} {'seconds':>9} {'s per MB':>9} {'chars/s':>10}")
    for size in sizes_mb:
        doc = text[: int(size * 1_000_000)]
        started = time.perf_counter()
        detector.detect(doc)
        elapsed = time.perf_counter() - started
        print(f"{size:>6g}MB {elapsed:>9.1f} {elapsed / size:>9.1f} {len(doc) / elapsed:>10,.0f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=float, default=5.0, help="size of the mixed corpus")
    parser.add_argument("--jobs", default="1,2", help="pool sizes to compare at, comma-separated")
    parser.add_argument(
        "--modes",
        default="document,batched",
        help="document: detect() per document (a scanned document); batched: detect_many() (a log's records)",
    )
    parser.add_argument("--large", default="0.1,1,5", help="large-document sizes in MB, comma-separated")
    parser.add_argument("--budget", type=float, default=0.0, help="seconds per engine per level (0: all)")
    parser.add_argument("--batch-kb", type=int, default=100, help="characters per alternating batch, in KB")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--model", default=DEFAULT_MODEL)
    args = parser.parse_args()

    started = time.perf_counter()
    docs = mixed_corpus(int(args.size_mb * 1_000_000), args.seed)
    print(
        f"corpus: {len(docs):,} generated documents (clinical, finance, export, negative), "
        f"{sum(map(len, docs)):,} chars, seed {args.seed}; generated in {time.perf_counter() - started:.1f} s"
    )
    print(f"machine: {machine()}; model {args.model}")
    for jobs in (int(j) for j in args.jobs.split(",") if j):
        for mode in args.modes.split(","):
            compare(docs, jobs, mode == "batched", args.model, args.budget, args.batch_kb * 1000)
    if args.large:
        large_documents([float(s) for s in args.large.split(",")], args.model, args.seed)
    print(f"\ntotal run time {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
