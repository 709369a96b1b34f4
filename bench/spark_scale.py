"""One generated request-log set through one process, Spark local[1] and Spark local[2], same run.

Prints chars/s of each (detection warm: models loaded) and chars per CPU-second (Python
workers and JVM: what a core of its own would give, whatever else the machine runs), the
speed-up from 1 to 2 Spark cores, the peak memory of each (the Python workers that hold a
detector, and Spark's JVM), the fixed start-up cost (session start and the first,
model-loading job), and from these figures an estimate on paper for 1 TB of logs on a
32-core cluster. Figures, not a test. Needs the
``dev`` extra (Faker, for the generated documents) and PySpark.

    python -m bench.spark_scale [--mb 200] [--files 16] [--workdir DIR] [--engines 1,2 | --engines 2]

Each engine runs in its own process (a fresh JVM for each Spark run), one after the other.
The same documents are repeated across records to reach the size; detection has no cache, so
a repeated document costs what a new one does.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

MARK = re.compile(r"\[\[[^:|\]]+:[^|\]]+\|(.*?)\]\]")
DESTINATIONS = (
    {"provider": "openai", "url": "https://api.openai.com/v1/chat/completions", "model": "gpt-4o"},
    {"provider": "anthropic", "url": "https://api.anthropic.com/v1/messages", "model": "claude-3-5-sonnet"},
    {"provider": "ollama", "url": "http://localhost:11434/api/chat", "model": "llama3.1"},
    {"provider": "azure", "url": "https://contoso.openai.azure.com/openai/deployments/gpt4o", "model": "gpt-4o"},
)
TB = 10**12


def generate(folder: Path, megabytes: float, files: int, seed: int = 17) -> dict[str, int]:
    """JSONL request logs of about ``megabytes`` MB in ``files`` files; sizes and record count."""
    from bench.corpus import KINDS, marked_documents

    documents = [MARK.sub(r"\1", text) for kind in KINDS for _, text in marked_documents(kind, 100, seed)]
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    target = int(megabytes * 2**20)
    per_file = target // files
    written = records = 0
    for number in range(files):
        with open(folder / f"requests-{number:03d}.jsonl", "w", encoding="utf-8") as out:
            size = 0
            while size < per_file:
                record = {
                    "timestamp": f"2026-03-{rng.randint(1, 28):02d}T{rng.randint(0, 23):02d}:00:00Z",
                    "request_id": f"req_{records:09d}",
                    **rng.choice(DESTINATIONS),
                    "messages": [
                        {"role": "system", "content": "You summarise documents for the team."},
                        {"role": "user", "content": rng.choice(documents)},
                    ],
                }
                line = json.dumps(record) + "\n"
                out.write(line)
                size += len(line.encode("utf-8"))
                records += 1
            written += size
    return {"bytes": written, "records": records}


def _tiny(folder: Path, files: int) -> Path:
    """A few one-record logs: the first job, which starts the workers and loads their models."""
    folder.mkdir(parents=True, exist_ok=True)
    for number in range(files):
        record = {**DESTINATIONS[0], "messages": [{"role": "user", "content": "Pt Maria Okafor, MRN 4471923."}]}
        (folder / f"warm-{number}.jsonl").write_text(json.dumps(record) + "\n", encoding="utf-8")
    return folder


def run_process(logs: Path, warm: Path) -> dict:
    """``auditor scan``'s engine in this process: the first scan loads the model, the second is timed."""
    from auditor.config import ScanConfig
    from auditor.pipeline import run_scan

    started = time.perf_counter()
    run_scan([str(warm)], ScanConfig())
    fixed = time.perf_counter() - started
    cpu = _cpu_self()
    started = time.perf_counter()
    result = run_scan([str(logs)], ScanConfig(max_file_bytes=2**40))
    seconds = time.perf_counter() - started
    return {
        "cpu_s": _cpu_self() - cpu,
        "engine": "one process",
        "fixed_s": fixed,
        "seconds": seconds,
        "chars": sum(s.chars for s in result.sources),
        "findings": len(result.findings),
        "flows": len(result.flows),
        "worker_peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "jvm_peak_mb": 0.0,
    }


def run_spark(logs: Path, warm: Path, cores: int) -> dict:
    """Spark local[cores]: session start and a first job over ``warm`` (workers load their
    models), then the timed scan. Peak memory: each Python worker's, and the JVM's."""
    from auditor.spark import scan_logs, spark_session

    started = time.perf_counter()
    spark = spark_session(f"local[{cores}]", app_name="auditor bench")
    scan_logs(spark, str(warm)).totals()
    fixed = time.perf_counter() - started
    jvm_pid = spark.sparkContext._gateway.proc.pid  # local mode: driver and executor in one JVM
    cpu = _tree_cpu(jvm_pid)
    started = time.perf_counter()
    result = scan_logs(spark, str(logs))
    totals = result.totals()
    seconds = time.perf_counter() - started
    cpu = _tree_cpu(jvm_pid) - cpu
    after = _worker_usage(spark, cores)
    chars = sum(r.chars for r in result.files.collect())
    peaks = {pid: peak for pid, (_, peak) in after.items()}
    jvm = _peak_mb(jvm_pid)
    spark.stop()
    return {
        "cpu_s": cpu,
        "engine": f"Spark local[{cores}]",
        "fixed_s": fixed,
        "seconds": seconds,
        "chars": chars,
        "findings": totals.findings,
        "flows": totals.flows,
        "worker_peak_mb": max(peaks.values()),
        "workers": len(peaks),
        "jvm_peak_mb": jvm,
    }


def _cpu_self() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _tree_cpu(root: int) -> float:
    """CPU seconds (user and system) used by ``root`` (Spark's JVM) and every process under it
    (the Python daemon and its workers), those that ended included: an ended worker's time is
    in its parent's children's times once reaped. Spark closes idle workers and starts new ones
    mid-job, so asking the live workers alone would miss some."""
    stats: dict[int, tuple[int, float]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        ticks = sum(int(fields[i]) for i in (11, 12, 13, 14))  # utime, stime, cutime, cstime
        stats[int(entry.name)] = (int(fields[1]), ticks / os.sysconf("SC_CLK_TCK"))
    tree, grown = {root}, True
    while grown:
        more = {pid for pid, (parent, _) in stats.items() if parent in tree} - tree
        grown = bool(more)
        tree |= more
    return sum(stats[pid][1] for pid in tree if pid in stats)


def _worker_usage(spark, cores: int) -> dict[int, tuple[float, float]]:
    """CPU seconds and peak MB of each live Python worker, asked through a small job (Spark
    reuses workers, so the job lands on those that scanned). A worker's peak counts the model
    pages it shares with the daemon it was forked from."""
    probes = spark.sparkContext.parallelize(range(4 * cores), 4 * cores)

    def usage(_):
        own = resource.getrusage(resource.RUSAGE_SELF)
        return [(os.getpid(), (own.ru_utime + own.ru_stime, own.ru_maxrss / 1024))]

    return dict(probes.mapPartitions(usage).collect())


def _peak_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _child(args: argparse.Namespace) -> None:
    logs, warm = Path(args.logs), Path(args.warm)
    figures = run_process(logs, warm) if args.child == "process" else run_spark(logs, warm, int(args.child))
    print(json.dumps(figures))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=200.0, help="size of the generated log set (default 200)")
    parser.add_argument("--files", type=int, default=16, help="files the set is split into (default 16)")
    parser.add_argument("--workdir", type=Path, default=None, help="where to write the logs (default: a temp dir)")
    parser.add_argument(
        "--engines",
        default="process,1,2",
        help="which runs, of process, 1 and 2 (default all three; 1,2: Spark only; 2: a scale check, no speed-up)",
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--logs", help=argparse.SUPPRESS)
    parser.add_argument("--warm", help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.environ.setdefault("AUDITOR_FINGERPRINT_KEY", "bench-key")
    if args.child:
        _child(args)
        return
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="auditor-spark-bench-"))
    started = time.perf_counter()
    made = generate(workdir / "logs", args.mb, args.files)
    warm = _tiny(workdir / "warm", 4)
    print(
        f"log set: {made['bytes'] / 2**20:.1f} MB, {made['records']:,} records in {args.files} files "
        f"(generated in {time.perf_counter() - started:.0f} s); {os.cpu_count()} CPUs, "
        f"load average {os.getloadavg()[0]:.1f} at start",
        flush=True,
    )
    rows = []
    engines = [e for e in ("process", "1", "2") if e in args.engines.split(",")]
    if "2" not in engines:
        parser.error("--engines must include 2 (the 1 TB estimate is made from local[2])")
    for child in engines:
        command = [sys.executable, __file__, "--child", child, "--logs", str(workdir / "logs"), "--warm", str(warm)]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            sys.exit(f"{child}: failed\n{done.stderr[-2000:]}")
        rows.append(json.loads(done.stdout.strip().splitlines()[-1]))
        # Other work on the machine changes every figure: the 1-minute load average after each run.
        rows[-1]["load"] = os.getloadavg()[0]
        print(f"  {rows[-1]['engine']}: done in {rows[-1]['seconds']:.0f} s", flush=True)
    print()
    print(
        "| engine | chars | scan s | chars/s | CPU s | chars/CPU-s | fixed start-up s | findings | flows "
        "| worker MB | JVM MB | load |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for row in rows:
        print(
            f"| {row['engine']} | {row['chars']:,} | {row['seconds']:.1f} | {row['chars'] / row['seconds']:,.0f} | "
            f"{row['cpu_s']:.1f} | {row['chars'] / row['cpu_s']:,.0f} | "
            f"{row['fixed_s']:.1f} | {row['findings']:,} | {row['flows']:,} | {row['worker_peak_mb']:.0f} | "
            f"{row['jvm_peak_mb']:.0f} | {row['load']:.1f} |"
        )
    two = rows[-1]
    same = all(len({row[k] for row in rows}) == 1 for k in ("findings", "flows"))
    print()
    if "1" in engines:
        one = rows[-2]
        print(f"speed-up Spark local[1] -> local[2]: {one['seconds'] / two['seconds']:.2f}x (aim >= 1.8x)")
    print(f"same findings and flows in all {len(rows)} runs: {'yes' if same else 'NO'}")
    if "1" in engines:
        print(
            f"CPU spent: local[2] used {two['cpu_s'] / one['cpu_s']:.2f}x the CPU of local[1] for the same work "
            f"(1.00 = no parallel overhead; on idle cores the speed-up would approach "
            f"{2 * one['cpu_s'] / two['cpu_s']:.2f}x)"
        )
    chars_per_byte = two["chars"] / made["bytes"]
    for basis, per_core in (
        ("wall clock, local[2] / 2", two["chars"] / two["seconds"] / 2),
        ("CPU time, local[2] (a core of its own per worker)", two["chars"] / two["cpu_s"]),
    ):
        hours = TB * chars_per_byte / (per_core * 32) / 3600
        print(
            f"1 TB on 32 cores, on paper, from {basis}: {chars_per_byte:.2f} scanned chars per byte, "
            f"{per_core:,.0f} chars/s a core x 32 -> {hours:,.0f} h plus a fixed {two['fixed_s']:.0f} s"
        )
    print(
        f"memory: {two['worker_peak_mb']:.0f} MB a Python worker x 32 = {32 * two['worker_peak_mb'] / 1024:.1f} GB "
        f"across the cluster, beside each executor's JVM"
    )


if __name__ == "__main__":
    main()
