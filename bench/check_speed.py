"""How long `auditor check` takes on a commit of 1, 10 and 100 Python files, start-up included.

Prints, in one run: the floor (`python -c pass`), `auditor check` and `auditor scan --no-store`
on the same files, each the median of --repeat runs, and the ratios. Figures, not a test.

    python -m bench.check_speed [--repeat 5]
"""

from __future__ import annotations

import argparse
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

MODULE = '''"""Service module {n}: summaries and release notes with an LLM."""
from openai import OpenAI

client = OpenAI()
TEMPLATE = "Summarise the ticket for the on-call engineer in three bullet points."


def summarise_{n}(ticket: str, retries: int = 2) -> str:
    messages = [{{"role": "system", "content": TEMPLATE}}, {{"role": "user", "content": ticket}}]
    for _ in range(retries):
        reply = client.chat.completions.create(model="gpt-4o-mini", messages=messages)
        if reply.choices:
            return reply.choices[0].message.content or ""
    return ""


def normalise_{n}(lines: list[str]) -> list[str]:
    return [line.strip().lower() for line in lines if line.strip()]
'''


def timed(cmd: list[str], cwd: Path, repeat: int) -> float:
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(cmd, cwd=cwd, capture_output=True, check=False)
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--scan-repeat", type=int, default=1, help="runs of the full scan (slow)")
    args = parser.parse_args()
    auditor = shutil.which("auditor", path=str(Path(sys.executable).parent)) or "auditor"
    print(f"machine: {platform.machine()}, CPython {platform.python_version()}, cores: ", end="")
    print(subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip())
    print(f"{'files':>5} {'floor s':>8} {'check s':>8} {'scan s':>8} {'check/floor':>12} {'scan/check':>11}")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        subprocess.run(["git", "init", "-q"], cwd=root, check=True)
        for count in (1, 10, 100):
            files = []
            for n in range(count):
                path = root / f"svc_{count}_{n}.py"
                path.write_text(MODULE.format(n=n))
                files.append(path.name)
            floor = timed([sys.executable, "-c", "pass"], root, args.repeat)
            check = timed([auditor, "check", *files], root, args.repeat)
            scan = timed(
                [auditor, "scan", "--no-store", "--exit-zero", "--format", "json", *files], root, args.scan_repeat
            )
            print(f"{count:>5} {floor:>8.3f} {check:>8.3f} {scan:>8.3f} {check / floor:>11.1f}x {scan / check:>10.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
