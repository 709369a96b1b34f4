"""Raw values in auditor's outputs over generated documents: prints the count (target 0).

Writes ``--count`` documents with ``bench.corpus`` (clinical notes, finance memos, export
documents, harmless text, each sensitive value known), as text files and as JSONL request logs
to OpenAI, and names files after an identifier of their document (an SSN or an e-mail address
in the file name, for a third of the documents that hold one). Then it produces every output a
user can get and looks for each raw value in each of them:

- the scan JSON (``render_json``) and the ``-v`` table (``render_table``);
- SARIF (``render_sarif``, every flow as a problem);
- the SQLite database file's bytes (and its WAL) after the scan is stored;
- ``auditor findings list``, ``flows list`` and ``scans list`` in table, JSON and CSV;
- the PDF report's text (``pdftotext``) and its evidence attachment (``--no-pdf`` skips it).

A raw value is a labelled value that auditor masks (identifiers, financial figures) with at
least five letters or digits (shorter ones, "MA" or "7/22", occur in any text by chance).
Markings and classifications (ITAR, ECCN, MNPI) are shown verbatim by design and not counted.

    python bench/no_leak.py [--count 10000] [--batch 1000] [--seed 19] [--jobs 1] [--no-pdf] [--keep DIR]

Documents go through in scans of ``--batch`` (each with its own database and PDF), and a line
is printed after each, so a long run shows its progress and a stopped one its figure so far.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

KINDS = ("clinical", "finance", "export", "negative")
MIN_ALNUM = 5


def write_documents(directory: Path, count: int, seed: int) -> set[str]:
    """Write ``count`` generated documents under ``directory``; the raw values they hold."""
    from auditor.detectors import entity_info
    from auditor.detectors.catalog import Mask
    from bench.corpus import marked_documents
    from bench.evaluation import parse_marked

    directory.mkdir(parents=True, exist_ok=True)
    per_kind = {kind: count // len(KINDS) + (1 if i < count % len(KINDS) else 0) for i, kind in enumerate(KINDS)}
    values: set[str] = set()
    number = with_identifier = 0
    for kind, wanted in per_kind.items():
        folder = directory / kind
        folder.mkdir(exist_ok=True)
        for name, marked in marked_documents(kind, wanted, seed):
            text, spans = parse_marked(marked)
            # Markings and classifications (ITAR, ECCN, MNPI) are shown verbatim by design (README).
            secret = [text[s.start : s.end] for s in spans if entity_info(s.entity).mask is not Mask.NONE]
            values.update(v for v in secret if sum(ch.isalnum() for ch in v) >= MIN_ALNUM)
            number += 1
            file_name = name
            named_after = [v for v in secret if re.fullmatch(r"\d{3}-\d{2}-\d{4}|[\w.+-]+@[\w-]+(\.[\w-]+)+", v)]
            if named_after:
                with_identifier += 1
                if with_identifier % 3 == 0:
                    file_name = f"{named_after[0]}_{name}"  # file names are data too
            if number % 3 == 0:  # a request log: one prompt per line, to OpenAI
                lines = [
                    json.dumps({"model": "gpt-4o", "messages": [{"role": "user", "content": part}]})
                    for part in text.split("\n\n")
                    if part.strip()
                ]
                (folder / f"{file_name}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
            else:
                (folder / f"{file_name}.txt").write_text(text, encoding="utf-8")
    return values


def _cli(args: Sequence[str]) -> tuple[int, str]:
    """Run an auditor command in this process; (exit code, stdout + stderr)."""
    from auditor.cli import _run

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = _run(list(args))
    return code, out.getvalue() + err.getvalue()


@contextlib.contextmanager
def _timed(stages: dict[str, float] | None, name: str) -> Iterator[None]:
    """Add the seconds of the block to ``stages[name]`` (when timing is asked for)."""
    started = time.perf_counter()
    try:
        yield
    finally:
        if stages is not None:
            stages[name] = stages.get(name, 0.0) + time.perf_counter() - started


def every_output(
    target: Path,
    work: Path,
    *,
    jobs: int = 1,
    pdf: bool = True,
    detector=None,
    stages: dict[str, float] | None = None,
) -> dict[str, str]:
    """Scan ``target`` once, store it, and produce every output; name -> its text.

    ``stages``, if given, receives the seconds spent in each stage (scan, store, listings, pdf...).
    """
    from auditor.checking import Problem
    from auditor.config import ScanConfig
    from auditor.pipeline import run_scan
    from auditor.reports.json import render_json
    from auditor.reports.sarif import render_sarif
    from auditor.reports.table import render_table
    from auditor.store import open_database, record_scan

    work.mkdir(parents=True, exist_ok=True)
    with _timed(stages, "scan"):
        result = run_scan([str(target)], ScanConfig(jobs=jobs), detector=detector)
    with _timed(stages, "json, table, sarif"):
        outputs = {
            "scan json": render_json(result),
            "table -v": render_table(result, verbose=True),
            "sarif": render_sarif(result, [Problem(f, f.verdict.trail[0]) for f in result.flows if f.verdict.trail]),
        }
    db = work / "findings.db"
    with _timed(stages, "store"):
        engine = open_database(str(db), write=True)
        try:
            with record_scan(engine, [str(target)]) as recording:
                recording.complete(result)
        finally:
            engine.dispose()
    for path in sorted(work.glob("findings.db*")):
        outputs[f"sqlite bytes {path.name}"] = path.read_bytes().decode("utf-8", errors="replace")
    with _timed(stages, "listings"):
        for command in ("findings", "flows", "scans"):
            for fmt in ("table", "json", "csv"):
                code, text = _cli([command, "list", "--db", str(db), "--format", fmt])
                outputs[f"{command} list {fmt} (exit {code})"] = text
    if pdf:
        from auditor.reports.integrity import read_evidence

        report = work / "report.pdf"
        with _timed(stages, "pdf report"):
            code, text = _cli(["report", "--db", str(db), "--pdf", str(report)])
        outputs[f"report (exit {code})"] = text
        if report.exists():
            pdftotext = shutil.which("pdftotext")
            if pdftotext:
                with _timed(stages, "pdftotext"):
                    pdf_text = subprocess.run([pdftotext, str(report), "-"], capture_output=True, text=True, check=True)
                outputs["pdf text"] = pdf_text.stdout
                outputs["pdf text, lines joined"] = re.sub(r"\s+", " ", pdf_text.stdout)
            outputs["pdf attachment"] = read_evidence(report).data.decode("utf-8", errors="replace")
    return outputs


# Hex digests (fingerprints, identities, keyed file hashes, evidence hashes), the 16-digit heads
# of them the PDF prints (a source's keyed hash, a pack's SHA-256) and the keyed tags of masked
# file names: a five-digit ZIP code turns up inside them by chance, not by leaking (the PDF of
# the first 1,000 documents, seed 19: "31012" in a source's hash head). A head holds a letter, so
# a 16-digit card number is still searched.
_DIGESTS = re.compile(r"[0-9a-f]{32,}|\b(?=[0-9]{0,15}[a-f])[0-9a-f]{16}\b|~[0-9a-f]{8}\b")


def without_digests(text: str) -> str:
    """``text`` with hex digests and name tags blanked out."""
    return _DIGESTS.sub(" ", text)


def values_pattern(values: Iterable[str]) -> re.Pattern[str]:
    """One regular expression that finds every value at once: a trie of the values, longest first.

    Each alternative sits in a lookahead, so a match consumes nothing and a value that starts
    inside another one is still found; a value that is a prefix of a longer one found at the
    same place is recovered by ``values_in``. One pass over an output replaces one pass per
    value (thousands per batch).
    """
    trie: dict = {}
    for value in values:
        node = trie
        for ch in value:
            node = node.setdefault(ch, {})
        node[""] = {}  # a value ends here

    def alternation(node: dict) -> str:
        branches = [re.escape(ch) + alternation(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body  # greedy: the longest value first

    body = alternation(trie)
    return re.compile(f"(?=({body}))" if body else r"(?!)")


def values_in(text: str, values: Iterable[str], pattern: re.Pattern[str] | None = None) -> set[str]:
    """The values that occur in ``text`` (``pattern`` from ``values_pattern(values)``, if already built)."""
    values = set(values)
    pattern = pattern or values_pattern(values)
    matched = {m.group(1) for m in pattern.finditer(text)}
    # A value that is a prefix of a longer one matched at the same place is inside that match.
    return {v for v in values if any(v in m for m in matched)}


def raw_values_in(outputs: dict[str, str], values: Iterable[str]) -> Counter[str]:
    """How many raw values each output holds (outside hex digests)."""
    return Counter({name: len(found) for name, found in raw_values_by_output(outputs, values).items()})


def raw_values_by_output(outputs: dict[str, str], values: Iterable[str]) -> dict[str, set[str]]:
    """The raw values each output holds (outside hex digests)."""
    values = set(values)
    pattern = values_pattern(values)
    return {name: values_in(without_digests(text), values, pattern) for name, text in outputs.items()}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=19)
    parser.add_argument(
        "--batch", type=int, default=1000, help="Documents per scan (batch k is generated with seed + k)."
    )
    parser.add_argument("--jobs", type=int, default=1, help="Processes; 1 loads the model once for all batches.")
    parser.add_argument("--no-pdf", action="store_true")
    parser.add_argument("--keep", type=Path, default=None, help="Write documents and outputs here.")
    parser.add_argument("--show", type=int, default=10, help="List up to N leaked values (masked).")
    args = parser.parse_args(argv)

    base = args.keep or Path(tempfile.mkdtemp(prefix="no-leak-"))
    started = time.monotonic()
    detector = None
    if args.jobs == 1:  # one model for every batch
        from auditor.config import ScanConfig
        from auditor.pipeline import detector_for

        detector = detector_for(ScanConfig())
    totals: Counter[str] = Counter()
    leaked: set[str] = set()
    where: dict[str, str] = {}  # a leaked value -> an output that holds it
    done = values_seen = 0
    batches = -(-args.count // args.batch)
    print(f"{args.count} documents in {batches} scan(s) of up to {args.batch}, seed {args.seed} (+ batch number)")
    for number in range(batches):
        size = min(args.batch, args.count - done)
        folder = base / f"batch{number:03d}"
        stages: dict[str, float] = {}
        with _timed(stages, "write"):
            values = write_documents(folder / "documents", size, args.seed + number)
        outputs = every_output(
            folder / "documents",
            folder / "outputs",
            jobs=args.jobs,
            pdf=not args.no_pdf,
            detector=detector,
            stages=stages,
        )
        with _timed(stages, "search"):
            by_output = raw_values_by_output(outputs, values)
        found = Counter({name: len(hits) for name, hits in by_output.items()})
        for name, hits in by_output.items():
            totals[_kind_of_output(name)] += len(hits)
            leaked |= hits
            where.update({value: name for value in hits})
        done += size
        values_seen += len(values)
        print(
            f"  batch {number}: {size} documents, {len(values)} raw values, {sum(found.values())} found in "
            f"{len(outputs)} outputs; so far {done} documents, {sum(totals.values())} found "
            f"({time.monotonic() - started:.0f} s)",
            flush=True,
        )
        print("    seconds: " + ", ".join(f"{name} {seconds:.0f}" for name, seconds in stages.items()), flush=True)
        if args.keep is None:
            shutil.rmtree(folder, ignore_errors=True)
    for name, n in sorted(totals.items()):
        print(f"  {name:<28} {n} raw value(s)")
    total = sum(totals.values())
    print(f"raw values found in outputs: {total} over {done} documents ({values_seen} raw values checked)")
    if total:
        from auditor.fingerprint import mask_value

        for value in sorted(leaked)[: args.show]:
            print(f"  leaked: {mask_value(value)} ({len(value)} chars), in {where[value]}")
    if args.keep is None:
        shutil.rmtree(base, ignore_errors=True)
    return 1 if total else 0


def _kind_of_output(name: str) -> str:
    """``findings list csv (exit 0)`` -> ``findings list csv``."""
    return name.split(" (exit")[0]


if __name__ == "__main__":
    sys.exit(main())
