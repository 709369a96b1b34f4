"""Added latency of ``auditor.guard`` per request: the same OpenAI client with and without it.

Both clients talk to one OpenAI-compatible server on 127.0.0.1 (``bench/fake_openai.py``),
so the difference is the guard's own work: detection over the prompt (spaCy NER and
auditor's recognizers), the verdict, and queueing the runtime flow for the database. Prompts
grow to 4,000 characters; half are clinical notes (PHI to OpenAI with a BAA on record, so
they are sent, not rerouted), half harmless text. Calls alternate guarded / unguarded and the
added latency is taken pair by pair, after a warm-up. Prints p50 and p99 per prompt size.

Every prompt is a different text (the sample starts a few characters further on each time),
so the guard's span cache (spans of texts already seen, keyed by HMAC) never answers and
each request pays for its detection. ``--repeat`` sends the same two prompts again and
again instead: what a resent conversation history or a fixed system prompt costs.

    .venv/bin/python -m bench.guard_overhead [--requests 60] [--sizes 250,1000,2000,4000] [--nlp always|auto]
                                             [--repeat] [--no-store]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import openai

import auditor
from auditor.config import ScanConfig
from bench.fake_openai import FakeOpenAI

CLINICAL = (
    "Pt Maria Okafor, MRN 4471923, seen at Mercy Hospital on 3/14 for CHF exacerbation. "
    "Daughter Veronica at bedside. Furosemide 40 mg IV given, weight down 2 kg. "
)
HARMLESS = (
    "Our team reviewed the quarterly roadmap and agreed to move the search feature to the next "
    "release, keep the onboarding flow as it is, and write the migration guide before launch. "
)


def _text(base: str, size: int, shift: int = 0) -> str:
    """``size`` characters of ``base`` repeated, starting ``shift`` characters in (7 and the
    samples' lengths are coprime, so 60 requests get 60 different texts)."""
    start = (shift * 7) % len(base)
    return (base * (size // len(base) + 2))[start : start + size]


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=60, help="requests per size and client")
    parser.add_argument("--sizes", default="250,1000,2000,4000")
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--no-store", action="store_true", help="do not store runtime flows (db=False)")
    parser.add_argument("--repeat", action="store_true", help="the same two prompts every time (span cache hits)")
    parser.add_argument(
        "--nlp", choices=["always", "auto"], default="always",
        help="the guard's detection: a scan's engine (always), or auditor check's regexes-first path",
    )  # fmt: skip
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    with tempfile.TemporaryDirectory() as tmp, FakeOpenAI("external") as server:
        config_file = Path(tmp) / "auditor.toml"
        config_file.write_text(
            f'[destinations.openai]\nhosts = ["api.openai.com", "127.0.0.1:{server.port}"]\n\n'
            '[[agreements]]\nvendor = "openai"\nbaa = true\nsigned = 2025-01-15\n'
        )
        plain = openai.OpenAI(base_url=server.base_url, api_key="bench", max_retries=0)
        guarded = auditor.guard(
            openai.OpenAI(base_url=server.base_url, api_key="bench", max_retries=0),
            config=ScanConfig(config_file=config_file, nlp=args.nlp),
            db=False if args.no_store else str(Path(tmp) / "findings.db"),
        )

        def ask(client, text: str) -> float:
            started = time.perf_counter()
            client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": text}])
            return time.perf_counter() - started

        for _ in range(args.warmup):  # loads spaCy and Presidio, warms the HTTP pools
            ask(guarded, _text(CLINICAL, 500))
            ask(plain, _text(CLINICAL, 500))
        print(f"{'chars':>6}  {'plain p50':>9}  {'plain p99':>9}  {'guarded p50':>11}  {'guarded p99':>11}  "
              f"{'added p50':>9}  {'added p99':>9}  (ms, {args.requests} requests per client and size, "
              f"nlp={args.nlp}, {'repeated' if args.repeat else 'distinct'} prompts)")  # fmt: skip
        for size in sizes:
            plain_ms, guarded_ms, added = [], [], []
            for i in range(args.requests):
                text = _text(CLINICAL if i % 2 else HARMLESS, size, 0 if args.repeat else i // 2 + 1)
                p = ask(plain, text) * 1000
                g = ask(guarded, text) * 1000
                plain_ms.append(p)
                guarded_ms.append(g)
                added.append(g - p)
            print(
                f"{size:>6}  {statistics.median(plain_ms):>9.1f}  {_percentile(plain_ms, 99):>9.1f}  "
                f"{statistics.median(guarded_ms):>11.1f}  {_percentile(guarded_ms, 99):>11.1f}  "
                f"{statistics.median(added):>9.1f}  {_percentile(added, 99):>9.1f}"
            )
        guarded.auditor_guard.flush()
        journal = guarded.auditor_guard.journal
        if journal is not None:
            print(f"runtime flows stored: {journal._ordinal}; write errors: {len(journal.errors)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
