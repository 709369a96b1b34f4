"""Files per second of the code-flow scanner over a large real Python tree.

    .venv/bin/python bench/codeflow.py [DIR]   (default: the venv's site-packages)

Prints one measured run: files, seconds, files/s and files/min, flows and skipped files.
The whole tree is analysed as one project, as a scan of a repository would be.
"""

from __future__ import annotations

import argparse
import os
import sys
import sysconfig
import time
from collections import Counter

from auditor.flows.python import code_flows, load_code_catalog
from auditor.policy.destinations import load_catalog


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
    args = parser.parse_args()
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
    return 0


if __name__ == "__main__":
    sys.exit(main())
