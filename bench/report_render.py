"""Render the audit report of a stored scan of 10,000 findings; print seconds and pages.

    .venv/bin/python -m bench.report_render [--findings 10000] [--per-flow 10] [--appendix-limit 1000]

The scan is made up (masked excerpts, fake fingerprints: no detector runs), stored in a
temporary SQLite database through the store's own writer, then rendered by ``render_pdf``
as ``auditor report`` does. Figures are one run on this machine, not a pass/fail.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from auditor.reports.pdf import render_pdf
from auditor.store import open_database, record_scan
from bench.synthetic import synthetic_scan


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--findings", type=int, default=10_000)
    parser.add_argument("--per-flow", type=int, default=10)
    parser.add_argument("--appendix-limit", type=int, default=1000)
    parser.add_argument("--keep", metavar="PDF", help="Copy the PDF here.")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "project"
        root.mkdir()
        result = synthetic_scan(root, args.findings, args.per_flow)
        engine = open_database(str(Path(tmp) / "findings.db"), write=True)
        started = time.perf_counter()
        with record_scan(engine, [str(root)]) as recording:
            recording.complete(result)
        stored = time.perf_counter() - started
        engine.dispose()
        pdf = Path(args.keep) if args.keep else Path(tmp) / "report.pdf"
        started = time.perf_counter()
        done = render_pdf(pdf, db=str(Path(tmp) / "findings.db"), appendix_limit=args.appendix_limit)
        seconds = time.perf_counter() - started
    print(f"findings {args.findings:,}  flows {len(result.flows):,}  appendix limit {args.appendix_limit:,}")
    print(f"store {stored:.1f} s  render {seconds:.1f} s  pages {done.pages}  variant {done.pdf_variant}")


if __name__ == "__main__":
    main()
