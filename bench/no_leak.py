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
A value found is a leak where it stands as its own token; found only inside a hex run that is
part of a digest printed whole elsewhere, or only inside a longer word, it is a chance match,
printed with its context and not counted (``classify_outputs``).

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
from dataclasses import dataclass
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


_WHOLE_DIGEST = re.compile(r"[0-9a-f]{32,}")


def without_digests(text: str) -> str:
    """``text`` with hex digests and name tags blanked out (spaces of the same length, so an
    offset in the result is the same offset in ``text``)."""
    return _DIGESTS.sub(lambda m: " " * len(m.group()), text)


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


# A raw value found in an output is a leak where it stands as its own token. Glued to letters or
# digits it can be a chance match, and two shapes of that are known and classified apart (with
# their context, so a reader can check): five digits inside a run of hex digits that is part of
# a digest printed in full elsewhere (a fingerprint's 12-digit head in the PDF, wrapped across
# the lines of its table cell, "081b4826796 0", which the whole-digest blanking does not see),
# and a name inside a longer word ("Price" in "Prices:"). Both from the PDF text of seed 21.
# Anything else glued (digits to digits, digits to other letters, hex that is no known digest)
# still counts as a leak, and so does every occurrence in the SQLite file's bytes, where one
# column's bytes run straight into the next.
CHANCE_HEX_RUN = "inside a hex run"
CHANCE_LONGER_WORD = "inside a longer word"
OWN_TOKEN = "own token"
_HEX_RUN = re.compile(r"[0-9a-f]+")
MIN_HEX_RUN = 10  # 16 ** 10 against a few MB of digests: a run this long is in one by chance ~never
CONTEXT = 30


@dataclass(frozen=True)
class Hit:
    """A raw value found in an output: a leak, or a chance match of a known shape."""

    value: str
    output: str
    shape: str  # CHANCE_HEX_RUN, CHANCE_LONGER_WORD, or a leak's: OWN_TOKEN, glued to digits...
    context: str  # the text around the first occurrence of that shape, the value in [[...]]

    @property
    def leak(self) -> bool:
        return self.shape not in (CHANCE_HEX_RUN, CHANCE_LONGER_WORD)


def occurrence_shape(text: str, start: int, end: int, *, digests: str = "", binary: bool = False) -> str:
    """How ``text[start:end]`` (a raw value) stands in ``text``: OWN_TOKEN unless a chance shape.

    ``digests``: the hex digests the outputs print in full, one a line (``known_digests``).
    """
    if binary:
        return "in the file's bytes"
    run_start, run_end = start, end
    while run_start > 0 and text[run_start - 1].isalnum():
        run_start -= 1
    while run_end < len(text) and text[run_end].isalnum():
        run_end += 1
    if (run_start, run_end) == (start, end):
        return OWN_TOKEN
    if _in_a_known_digest(text, run_start, run_end, digests):
        return CHANCE_HEX_RUN
    glue = text[run_start:start] + text[end:run_end]
    if glue.isalpha() and text[start].isalpha() and text[end - 1].isalpha():
        return CHANCE_LONGER_WORD
    return "glued to " + ("digits" if glue.isdigit() else "letters and digits")


def _in_a_known_digest(text: str, start: int, end: int, digests: str) -> bool:
    """Whether the hex run ``text[start:end]``, alone or joined with the hex piece on the line
    before or after it (a table cell wraps a digest anywhere), is part of a known digest."""

    def piece_before(at: int) -> int:
        if at >= 2 and text[at - 1].isspace() and _HEX_RUN.fullmatch(text[at - 2]):
            at -= 1
            while at > 0 and text[at - 1].isalnum():
                at -= 1
        return at

    def piece_after(at: int) -> int:
        if at + 1 < len(text) and text[at].isspace() and _HEX_RUN.fullmatch(text[at + 1]):
            at += 1
            while at < len(text) and text[at].isalnum():
                at += 1
        return at

    for left in {start, piece_before(start)}:
        for right in {end, piece_after(end)}:
            joined = "".join(text[left:right].split())
            if len(joined) >= MIN_HEX_RUN and _HEX_RUN.fullmatch(joined) and joined in digests:
                return True
    return False


def _context(text: str, start: int, end: int) -> str:
    before = re.sub(r"\s+", " ", text[max(0, start - CONTEXT) : start])
    after = re.sub(r"\s+", " ", text[end : end + CONTEXT])
    return f"{before}[[{text[start:end]}]]{after}"


def known_digests(outputs: dict[str, str]) -> str:
    """The hex digests (32 digits or more) printed whole in any of ``outputs``, one a line."""
    return "\n".join(sorted({m.group() for text in outputs.values() for m in _WHOLE_DIGEST.finditer(text)}))


def hits_in(
    name: str, text: str, values: Iterable[str], pattern: re.Pattern[str] | None = None, digests: str = ""
) -> list[Hit]:
    """The raw values in one output, each classified by how it stands there (a leak if it stands
    as its own token anywhere in the output, a chance match only if every occurrence is one)."""
    values = set(values)
    searched = without_digests(text)
    binary = name.startswith("sqlite bytes")
    hits = []
    for value in sorted(values_in(searched, values, pattern)):
        shapes: dict[str, str] = {}  # shape -> context of its first occurrence
        at = searched.find(value)
        while at >= 0:
            shape = occurrence_shape(searched, at, at + len(value), digests=digests, binary=binary)
            shapes.setdefault(shape, _context(text, at, at + len(value)))
            at = searched.find(value, at + 1)
        leaks = [shape for shape in shapes if shape not in (CHANCE_HEX_RUN, CHANCE_LONGER_WORD)]
        shape = leaks[0] if leaks else sorted(shapes)[0]
        hits.append(Hit(value, name, shape, shapes[shape]))
    return hits


def classify_outputs(outputs: dict[str, str], values: Iterable[str]) -> list[Hit]:
    """Every raw value found in every output (outside hex digests), classified."""
    values = set(values)
    pattern = values_pattern(values)
    digests = known_digests(outputs)
    return [hit for name, text in outputs.items() for hit in hits_in(name, text, values, pattern, digests)]


def raw_values_in(outputs: dict[str, str], values: Iterable[str]) -> Counter[str]:
    """How many raw values each output leaks (chance matches left out)."""
    return Counter({name: len(found) for name, found in raw_values_by_output(outputs, values).items()})


def raw_values_by_output(outputs: dict[str, str], values: Iterable[str]) -> dict[str, set[str]]:
    """The raw values each output leaks (outside hex digests; chance matches left out)."""
    leaked: dict[str, set[str]] = {name: set() for name in outputs}
    for hit in classify_outputs(outputs, values):
        if hit.leak:
            leaked[hit.output].add(hit.value)
    return leaked


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
    parser.add_argument(
        "--show", type=int, default=10, help="List up to N leaks (masked) and N chance matches per batch."
    )
    args = parser.parse_args(argv)

    base = args.keep or Path(tempfile.mkdtemp(prefix="no-leak-"))
    started = time.monotonic()
    detector = None
    if args.jobs == 1:  # one model for every batch
        from auditor.config import ScanConfig
        from auditor.pipeline import detector_for

        detector = detector_for(ScanConfig())
    from auditor.fingerprint import mask_value

    leaks: Counter[str] = Counter()  # output kind -> raw values it leaks
    chance: Counter[str] = Counter()  # output kind -> chance matches in it
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
            hits = classify_outputs(outputs, values)
        batch_leaks = [hit for hit in hits if hit.leak]
        batch_chance = [hit for hit in hits if not hit.leak]
        leaks.update(_kind_of_output(hit.output) for hit in batch_leaks)
        chance.update(_kind_of_output(hit.output) for hit in batch_chance)
        done += size
        values_seen += len(values)
        print(
            f"  batch {number} (seed {args.seed + number}): {size} documents, {len(values)} raw values, "
            f"{len(batch_leaks)} leaked and {len(batch_chance)} chance match(es) in {len(outputs)} outputs; "
            f"so far {done} documents, {sum(leaks.values())} leaked, {sum(chance.values())} chance "
            f"({time.monotonic() - started:.0f} s)",
            flush=True,
        )
        # A leak is shown masked (its context too); a chance match as it stands, for the reader to judge.
        for hit in batch_leaks[: args.show]:
            masked = mask_value(hit.value)
            print(
                f"    LEAK: {masked} ({len(hit.value)} chars, {hit.shape}) in {hit.output}: "
                f"{hit.context.replace(hit.value, masked)!r}",
                flush=True,
            )
        for hit in batch_chance[: args.show]:
            print(f"    chance match: {hit.value!r} {hit.shape} in {hit.output}: {hit.context!r}", flush=True)
        print("    seconds: " + ", ".join(f"{name} {seconds:.0f}" for name, seconds in stages.items()), flush=True)
        if args.keep is None:
            shutil.rmtree(folder, ignore_errors=True)
    for name in sorted(leaks.keys() | chance.keys()):
        print(f"  {name:<28} {leaks[name]} leaked, {chance[name]} chance match(es)")
    total = sum(leaks.values())
    print(
        f"raw values leaked in outputs: {total} over {done} documents ({values_seen} raw values checked); "
        f"chance matches (inside a hex run or a longer word, not leaks): {sum(chance.values())}"
    )
    if args.keep is None:
        shutil.rmtree(base, ignore_errors=True)
    return 1 if total else 0


def _kind_of_output(name: str) -> str:
    """``findings list csv (exit 0)`` -> ``findings list csv``."""
    return name.split(" (exit")[0]


if __name__ == "__main__":
    sys.exit(main())
