"""Files per second of the code-flow scanner over a large real Python tree, against a peer.

    .venv/bin/python -m bench.codeflow [DIR] [--semgrep PATH]   (default: the venv's site-packages)

Prints one measured run: files, seconds, files/s and files/min, flows and skipped files, and
the peak memory of the whole process. The whole tree is analysed as one project, as a scan of
a repository would be. With Semgrep OSS installed (``pip install semgrep``, in a venv of its
own: its pins differ from ours; ``--semgrep`` names its executable, else it is looked up on
PATH), the same tree is then scanned with bench/semgrep-llm-taint.yaml, ``--jobs 1``, metrics
and version check off, and its seconds, files/min and peak memory are printed beside.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import sysconfig
import time
from collections import Counter

from auditor.catalog.destinations import load_catalog
from auditor.flows.python import code_flows, load_code_catalog


def python_files(root: str) -> list[tuple[str, str]]:
    found = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in {"__pycache__", ".git"})
        found.extend(
            (os.path.join(folder, f), os.path.relpath(os.path.join(folder, f), root))
            for f in sorted(files)
            if f.endswith(".py")
        )
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", nargs="?", default=sysconfig.get_paths()["purelib"])
    parser.add_argument("--semgrep", default=shutil.which("semgrep"), help="Semgrep's executable")
    args = parser.parse_args()
    # Semgrep first: a child forked from a process that has grown counts the parent's pages
    # in its own peak.
    semgrep_line = run_semgrep(args.semgrep, args.root) if args.semgrep else None
    files = python_files(args.root)
    catalog, code_catalog = load_catalog(), load_code_catalog()
    started, cpu_started = time.perf_counter(), time.process_time()
    flows, skipped = code_flows(files, (), catalog, code_catalog=code_catalog)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    print(f"tree: {args.root}")
    print(
        f"files: {len(files)}  seconds: {seconds:.1f}  files/s: {len(files) / seconds:.0f}  "
        f"files/min: {60 * len(files) / seconds:.0f}"
    )
    # On a shared machine the wall clock counts other processes' time; CPU time does not.
    print(f"cpu seconds: {cpu:.1f}  files/min by cpu time: {60 * len(files) / cpu:.0f}")
    by_destination = Counter(f.destination.id for f in flows).most_common(8)
    print(f"flows: {len(flows)} ({', '.join(f'{k} {v}' for k, v in by_destination)})")
    print(f"skipped: {len(skipped)}")
    for reason, count in Counter(s.reason.split(":")[0] for s in skipped).most_common(6):
        print(f"  {count:5d}  {reason}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory (whole process): {peak:.0f} MB")
    if semgrep_line:
        print(semgrep_line)
    return 0


def run_semgrep(executable: str, root: str) -> str:
    """Semgrep OSS over the same tree, one job, nothing sent anywhere."""
    rule = os.path.join(os.path.dirname(os.path.abspath(__file__)), "semgrep-llm-taint.yaml")
    command = [executable, "scan", "--config", rule, "--jobs", "1", "--metrics", "off"]
    command += ["--disable-version-check", "--no-git-ignore", "--quiet", "--json", root]
    environment = {**os.environ, "SEMGREP_ENABLE_VERSION_CHECK": "0", "SEMGREP_SEND_METRICS": "off"}
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=environment, check=False)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    try:
        report = json.loads(done.stdout)
    except json.JSONDecodeError:
        return f"semgrep: no report (exit {done.returncode}): {done.stderr.strip()[:200]}"
    scanned = len(report.get("paths", {}).get("scanned", []))
    return (
        f"semgrep {report.get('version', '?')}: files: {scanned}  seconds: {seconds:.1f}  "
        f"files/min: {60 * scanned / seconds:.0f}  findings: {len(report.get('results', []))}  "
        f"peak memory: {peak:.0f} MB"
    )


if __name__ == "__main__":
    sys.exit(main())
